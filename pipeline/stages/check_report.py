"""Readable outputs of the check stage: report.html (office staff) and 推荐人选汇总表.xlsx (print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.model import Nominee
from pipeline.render import office
from pipeline.render.templating import render

CODE_TITLES: dict[str, str] = {
    "ROSTER_MISSING_COLUMN": "名册缺少列",
    "ROSTER_UNREADABLE": "名册无法读取",
    "ROSTER_EMPTY": "名册中没有人选",
    "ROSTER_AMBIGUOUS": "有两份名册",
    "ROSTER_DUPLICATE_COLUMN": "名册有重复的列",
    "FIELD_REQUIRED": "必填项未填",
    "FIELD_FORMAT": "填写格式有误",
    "FIELD_TOO_LONG": "填写内容过长",
    "FIELD_CONTROL_CHAR": "有不可见字符（已删除）",
    "FIELD_FORMULA": "公式没有计算结果",
    "DUPLICATE_CANDIDATE": "重复申报",
    "CODE_FORMAT": "编号不合规",
    "ID_FORMAT": "身份证号码格式错误",
    "ID_CHECKSUM": "身份证号码校验位错误",
    "ID_BIRTH_MISMATCH": "出生年月与身份证不符",
    "ID_GENDER_MISMATCH": "性别与身份证不符",
    "RETIREMENT_TOO_CLOSE": "距法定退休年龄不足3年",
    "RETIREMENT_CATEGORY_NEEDED": "需确认原退休年龄",
    "CONDITION_NONE": "未填写符合的条件",
    "EXCLUDED": "存在不得参评情形",
    "SUMMARY_TOO_LONG": "简要事迹超过300字",
    "DEEDS_MISSING": "缺少先进事迹材料",
    "DEEDS_LENGTH": "先进事迹字数偏离",
    "MATERIAL_MISSING": "缺少资格证书",
    "SELF_NOMINEE_PROOF_MISSING": "自荐者缺少领先水平证明",
    "EVIDENCE_OLD": "证书早于近4年",
    "EVIDENCE_UNREADABLE": "证明材料无法使用",
    "EVIDENCE_HOLDER_MISMATCH": "证书不是本人的",
    "EVIDENCE_DATE_MISMATCH": "证书日期与文件名不符",
    "EVIDENCE_DATE_READ": "按证书上的日期判断",
    "EVIDENCE_KIND_MISMATCH": "证书类别放错",
    "EVIDENCE_NO_TEXT": "某页没有读到文字",
    "EVIDENCE_DUPLICATE": "同一份扫描件重复提交",
    "EVIDENCE_GRADE_MISMATCH": "技术等级高于证书",
    "MATERIAL_MISPLACED": "文件位置不对",
    "FILE_OUTSIDE_EDITION": "链接到届次文件夹以外",
    "FILE_TOO_LARGE": "文件超出安全上限",
    "PHOTO_MISSING": "缺少照片",
    "PHOTO_UNREADABLE": "照片无法读取",
    "PHOTO_SIZE": "照片尺寸不符",
    "PHOTO_BACKGROUND": "照片背景不是红色",
    "PHOTO_FACE": "照片人像不合格",
    "GLYPH_MISSING": "有字体无法显示的字",
    "PHONE_FORMAT": "联系电话格式存疑",
}
"""Short Chinese title of every finding code, for reports."""

STATUS_TITLES = {"ok": "合格", "warning": "合格（有提示）", "error": "不合格"}
SEVERITY_TITLES = {"error": "错误", "warning": "提示", "info": "说明"}


def write_html(ctx: RunContext, target: Path, data: dict[str, Any], photo_results: dict[str, Any]) -> None:
    """report.html from the report data, with the photo contact sheet."""
    photos = []
    for n in data["nominees"]:
        code = n["编号"]
        result = photo_results.get(code)
        thumb = f"thumbs/{code}.png" if result and result[1] else None
        photos.append({
            "code": code,
            "name": n["姓名"],
            "thumb": thumb,
            "verdict": result[0].verdict if result else "缺少照片",
            "ok": not any(f["code"].startswith("PHOTO_") and f["severity"] == "error" for f in n["findings"]),
            "normalised": n["photo"],
        })
    html = render(
        "check/report.html.j2",
        edition=ctx.edition,
        data=data,
        photos=photos,
        code_titles=CODE_TITLES,
        status_titles=STATUS_TITLES,
        severity_titles=SEVERITY_TITLES,
        generated=f"{ctx.source_date.year}年{ctx.source_date.month}月{ctx.source_date.day}日",
    )
    atomic.write_text(target, html)


SUMMARY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5), ("编号", 6), ("姓名", 8), ("性别", 5), ("出生年月", 8), ("工作单位及职务", 24),
    ("职业（工种）", 10), ("技术等级", 9), ("推荐单位", 16), ("申报方式", 9), ("符合条件", 5),
    ("审查结果", 10), ("问题", 30),
)


def write_summary_xlsx(ctx: RunContext, target: Path, nominees: tuple[Nominee, ...]) -> None:
    """推荐人选汇总表.xlsx: every nominee with status, formatted for A4 landscape printing."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "推荐人选汇总表"
    _, border = office.list_heading(ws, f"{ctx.edition.round.title}推荐人选汇总表", SUMMARY_COLUMNS,
                                    title_bold=True)
    fills = {"error": PatternFill("solid", fgColor="F8D7DA"), "warning": PatternFill("solid", fgColor="FFF3CD")}
    for i, n in enumerate(nominees, start=1):
        c = n.candidate
        problems = "；".join(f"{CODE_TITLES.get(f.code, f.code)}：{f.message}" for f in n.findings)
        values = [i, c.code, c.name, c.gender or "", str(c.birth) if c.birth else "", c.unit_and_post,
                  c.occupation, c.skill_level, c.recommender, c.nomination,
                  ",".join(map(str, c.conditions)), STATUS_TITLES[n.status], problems]
        for col, value in enumerate(values, start=1):
            cell = office.put(ws, i + 2, col, value)
            cell.font = Font(name="仿宋", size=10)
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="left" if col in (6, 9, 13) else "center")
            cell.border = border
            if n.status in fills and col == 12:
                cell.fill = fills[n.status]
    office.print_setup(ws, title_rows="2:2", freeze="A3")
    office.save_workbook(wb, target, ctx.source_date)
