"""初审：按 review/初审.xlsx 确定提名人选，生成提名人选名单（PDF、XLSX，2：1，最多40人）。

The 初审 shortlist: review/初审.xlsx → 提名人选名单 (PDF, XLSX) for the leading group.

Stage `shortlist`: check result + `<edition>/review/初审.xlsx` → output/<edition>/shortlist/
(提名人选名单.pdf, 提名人选名单.xlsx, shortlist.json).

When 初审.xlsx does not exist yet (or nobody has filled it in), the stage writes it pre-filled
with every nominee and their check status and stops, asking the office to decide
(`OfficeActionNeeded`: the normal first step, not an error — `make shortlist` exits 0 with 下一步). Only
nominees without check errors can pass; the shortlist holds at most ratio × quota and never
more than the cap (notice §四(三)4: "候选人数与选拔人数按2：1比例确定，参选人数最多为40人").
The number that may be selected later follows from the same ratio: min(quota, shortlist ÷ ratio).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.errors import ExitCode, OfficeActionNeeded
from pipeline.core.model import CheckResult, Nominee, Severity
from pipeline.core.stamps import replacing
from pipeline.render import office
from pipeline.render.templating import render
from pipeline.review import decisions
from pipeline.review.notice import sealed_layout
from pipeline.review.problems import raise_errors
from pipeline.review.render import Manifest, file_hash, fingerprint, font_context, html_to_pdf
from pipeline.rules.workdays import cn_date
from pipeline.stages.check import run_check

SHORTLIST_SCHEMA = 1
STATUS_TITLES = {"ok": "合格", "warning": "合格（有提示）", "error": "不合格"}


@dataclass(frozen=True)
class Shortlist:
    """The 初审 outcome: who is on the shortlist."""

    check: CheckResult
    """The check result the shortlist was made from."""
    nominees: tuple[Nominee, ...]
    """The shortlisted nominees (初审 通过), in roster order."""
    failed: tuple[Nominee, ...]
    """Nominees marked 不通过."""
    blocked: tuple[Nominee, ...]
    """Nominees with check errors: skipped, they cannot pass."""
    limit: int
    """Largest allowed shortlist: min(ratio × quota, cap)."""
    select: int
    """How many may be selected from it: min(quota, len(nominees) // ratio)."""
    remarks: dict[str, str]
    """编号 → the office's 备注."""
    folder: Path
    """output/<edition>/shortlist/."""

    @property
    def codes(self) -> tuple[str, ...]:
        """编号 of the shortlisted, in order."""
        return tuple(n.candidate.code for n in self.nominees)

    @property
    def names(self) -> dict[str, str]:
        """编号 → 姓名 of the shortlisted, in order."""
        return {n.candidate.code: n.candidate.name for n in self.nominees}


def preliminary_path(ctx: RunContext) -> Path:
    """<edition>/review/初审.xlsx."""
    return ctx.edition.review_dir / decisions.PRELIMINARY_FILE


def limit_text(ctx: RunContext) -> str:
    """'选拔名额 20 人 × 2 = 40 人，且参选人数最多为 40 人'."""
    r = ctx.edition.round
    return (f"选拔名额 {r.quota} 人 × {r.shortlist_ratio} = {r.quota * r.shortlist_ratio} 人，"
            f"且参选人数最多为 {r.shortlist_cap} 人")


def selectable(ctx: RunContext, shortlisted: int) -> int:
    """How many may be selected from a shortlist of this size: min(quota, shortlisted ÷ ratio)."""
    r = ctx.edition.round
    by_ratio = shortlisted // r.shortlist_ratio if r.shortlist_ratio > 0 else shortlisted
    return min(r.quota, by_ratio)


def _problems_text(n: Nominee) -> str:
    """A nominee → the messages of their error findings, joined."""
    return "；".join(f.message for f in n.findings if f.severity is Severity.error)


def write_preliminary_sheet(ctx: RunContext, check: CheckResult, target: Path) -> None:
    """初审.xlsx pre-filled with every nominee and their check status."""
    rows = []
    for i, n in enumerate(check.nominees, start=1):
        c = n.candidate
        problems = "；".join(f.message for f in n.findings)
        rows.append((i, c.code, c.name, c.unit_and_post, c.occupation, c.nomination,
                     STATUS_TITLES[n.status], problems))
    decisions.write_preliminary(target, ctx.edition.round.title, ctx.edition.shortlist_size, rows,
                                ctx.source_date)


def shortlist_outputs(ctx: RunContext) -> list[Path]:
    """What `make shortlist` replaces: 提名人选名单.pdf, .xlsx and shortlist.json."""
    folder = ctx.output / "shortlist"
    return [folder / "提名人选名单.pdf", folder / "提名人选名单.xlsx", folder / "shortlist.json"]


def build_shortlist(ctx: RunContext, check: CheckResult | None = None) -> Shortlist:
    """Check result + 初审.xlsx → Shortlist, with 提名人选名单 brought up to date.

    Any failure (初审.xlsx to fill in or with problems, a check or rendering error) removes the old
    提名人选名单 (pipeline.core.stamps.replacing): nobody sends out a list the 初审 no longer supports.
    """
    with replacing(ctx, "提名人选名单", shortlist_outputs(ctx)):
        return _build(ctx, check if check is not None else run_check(ctx))


def _build(ctx: RunContext, check: CheckResult) -> Shortlist:
    """Check result + 初审.xlsx → Shortlist (the body of build_shortlist)."""
    edition = ctx.edition
    path = preliminary_path(ctx)
    rel = f"review/{decisions.PRELIMINARY_FILE}"
    if not path.exists() or not decisions.is_filled(path, "初审结果", "备注"):
        existed = path.exists()
        write_preliminary_sheet(ctx, check, path)
        raise OfficeActionNeeded(
            f"{'已更新' if existed else '已生成'}初审表 {rel}（共 {len(check.nominees)} 人，含审查结果），"
            "等办公室填写“初审结果”",
            step=f"打开 {path}，在“初审结果”一栏逐人填写“通过”或“不通过”（通过人数最多 "
                 f"{edition.shortlist_size} 人），保存后再运行 make shortlist",
            stage="shortlist", file=str(path), code="PRELIMINARY_NEEDED")

    codes = [n.candidate.code for n in check.nominees]
    names = {n.candidate.code: n.candidate.name for n in check.nominees}
    blocked_map = {n.candidate.code: _problems_text(n) for n in check.nominees if not n.ok}
    prelim, problems = decisions.read_preliminary(path, rel, codes, names, blocked_map,
                                                  edition.shortlist_size, limit_text(ctx))
    raise_errors(f"初审表 {rel} 有 {{n}} 处问题，无法确定提名人选：", problems,
                 hint=f"按每条的处理办法修改 {path} 后重新运行 make shortlist")
    by_code = {n.candidate.code: n for n in check.nominees}
    shortlist = Shortlist(
        check=check,
        nominees=tuple(by_code[c] for c in prelim.passed),
        failed=tuple(by_code[c] for c in codes if c in prelim.failed),
        blocked=tuple(n for n in check.nominees if not n.ok),
        limit=edition.shortlist_size,
        select=selectable(ctx, len(prelim.passed)),
        remarks=prelim.remarks,
        folder=ctx.output / "shortlist",
    )
    _write_outputs(ctx, shortlist, file_hash(path))
    return shortlist


def _rows(shortlist: Shortlist) -> list[dict[str, str]]:
    """Shortlist → the rows of 提名人选名单 (public columns and the office's remark)."""
    out = []
    for i, n in enumerate(shortlist.nominees, start=1):
        c = n.candidate
        out.append({"序号": str(i), "编号": c.code, "姓名": c.name, "性别": c.gender or "",
                    "出生年月": str(c.birth) if c.birth else "", "工作单位及职务": c.unit_and_post,
                    "职业（工种）": c.occupation, "技术等级": c.skill_level, "推荐单位": c.recommender,
                    "申报方式": c.nomination, "审查结果": STATUS_TITLES[n.status],
                    "备注": shortlist.remarks.get(c.code, "")})
    return out


def _write_outputs(ctx: RunContext, shortlist: Shortlist, source_hash: str) -> None:
    """提名人选名单.pdf/.xlsx and shortlist.json, unless already made from the same data."""
    edition = ctx.edition
    rows = _rows(shortlist)
    phase = edition.phases.get("preliminary")
    date = phase.end if phase else ctx.source_date.date()
    data = {
        "schema": SHORTLIST_SCHEMA, "edition": edition.name, "round": edition.round.year,
        "limit": shortlist.limit, "select": shortlist.select, "nominees": len(shortlist.check.nominees),
        "shortlist": [{"编号": r["编号"], "姓名": r["姓名"]} for r in rows],
        "failed": [n.candidate.code for n in shortlist.failed],
        "blocked": [n.candidate.code for n in shortlist.blocked],
    }
    pdf, xlsx, js = shortlist_outputs(ctx)
    manifest = Manifest(ctx, "shortlist")
    key = fingerprint(data, rows, str(date), source_hash, edition.raw, str(ctx.source_date))
    if manifest.current(key, [pdf, xlsx, js]):
        return
    ctx.say(f"生成提名人选名单：{len(rows)} 人")
    atomic.write_text(js, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    title = f"{edition.round.region}{edition.round.year}年度“{edition.round.honour}”提名人选名单"

    def html_at(size: float) -> str:
        return render(
            "review/shortlist.html.j2", edition=edition, rows=rows, font=font_context(edition),
            title_lines=(f"{edition.round.region}{edition.round.year}年度", f"“{edition.round.honour}”提名人选名单"),
            total=len(shortlist.check.nominees), count=len(rows), select=shortlist.select,
            limit=shortlist.limit, organ=edition.office.name, date=cn_date(date),
            seal=sealed_layout(edition.office.name, cn_date(date)), size=size, cols=pdf_columns(ctx, rows, size),
        )

    html_to_pdf(html_at(pdf_size(html_at)), pdf, title=title, author=edition.office.name, when=ctx.source_date)
    _write_xlsx(ctx, xlsx, title, rows)
    manifest.record(key)


PDF_WIDTH_MM = 156.0
"""The 版心 width of GB/T 9704."""
PDF_SIZES_PT = (10.5, 10.0, 9.5, 9.0)
"""Type sizes of the list, largest first (五号 down to the 9 pt floor)."""
PDF_PAD_MM = 2.4
"""Left + right cell padding of table.list plus the rule."""
PDF_KEEP = ("序号", "编号", "姓名", "性别", "职业（工种）", "技术等级")
"""Columns of the PDF list that never wrap; 工作单位及职务 takes the rest of the width."""
PDF_PIECES = ("职业（工种）", "技术等级")
"""Kept columns whose outliers may break before their bracket (`office.outlier_pieces`)."""


def page_count(html: str) -> int:
    """Pages of an HTML document laid out by WeasyPrint (nothing written)."""
    from weasyprint import HTML

    from pipeline.core.edition import PROJECT_ROOT
    from pipeline.render.fonts import use_project_fonts

    use_project_fonts()
    return len(HTML(string=html, base_url=str(PROJECT_ROOT / "templates")).render().pages)


def pdf_size(html_at: Callable[[float], str]) -> float:
    """The largest size of the list that needs no more pages than the 9 pt floor would (40 rows
    on about two pages; a short list stays at 五号)."""
    least = page_count(html_at(PDF_SIZES_PT[-1]))
    for size in PDF_SIZES_PT[:-1]:
        if page_count(html_at(size)) <= least:
            return size
    return PDF_SIZES_PT[-1]


def pdf_columns(ctx: RunContext, rows: list[dict[str, str]], size: float = PDF_SIZES_PT[0]) -> dict[str, float]:
    """Column widths in mm of the PDF list at a type size: each kept column as wide as its longest
    value (measured in the body font) or header (黑体), the unit column the rest of the 版心. An
    outlier 职业 or 技术等级 ("桦树皮制作技艺（民间传统工艺）") counts with its longest piece: it
    breaks before its bracket (the template's `whole` filter) rather than starve the unit column."""
    from pipeline.render.fonts import resolve_fonts
    from pipeline.render.wordbreak import char_width

    fonts = resolve_fonts(ctx.edition.fonts)
    body, hei = fonts.roles["body"].face.family, fonts.roles["hei"].face.family
    mm = 25.4 / 72
    widths: dict[str, float] = {}
    for name in PDF_KEEP:
        pieces = [p for r in rows for p in (office.outlier_pieces(r[name], char_width(r[name]))
                                             if name in PDF_PIECES else [r[name]])]
        longest = max([office.text_width(p, body, size) for p in pieces]
                      + [office.text_width(name, hei, size)])
        widths[name] = round(longest * mm + PDF_PAD_MM + 0.6, 1)
    widths["工作单位及职务"] = round(PDF_WIDTH_MM - sum(widths.values()), 1)
    return widths


XLSX_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("编号", 8), ("姓名", 10), ("性别", 6), ("出生年月", 10), ("工作单位及职务", 34),
    ("职业（工种）", 14), ("技术等级", 10), ("推荐单位", 26), ("申报方式", 10), ("审查结果", 12), ("备注", 20),
)
XLSX_SIZE = 10.0
"""Type size of the XLSX list (header and body): 40 rows with 40-character units on three landscape pages."""


def _write_xlsx(ctx: RunContext, target: Path, title: str, rows: list[dict[str, str]]) -> None:
    """Rows → 提名人选名单.xlsx (A4 landscape, header row repeated)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "提名人选名单"
    _, border = office.list_heading(ws, title, XLSX_COLUMNS, header_size=XLSX_SIZE)
    for r, row in enumerate(rows, start=3):
        for col, (name, _) in enumerate(XLSX_COLUMNS, start=1):
            value: str | int = int(row[name]) if name == "序号" else row[name]
            cell = office.put(ws, r, col, value)
            cell.font = Font(name="仿宋", size=XLSX_SIZE)
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="left" if name in ("工作单位及职务", "推荐单位", "备注") else "center")
    office.print_setup(ws, title_rows="2:2", freeze="A3")
    office.save_workbook(wb, target, ctx.source_date)


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make shortlist`: exit 1 when nominees with check errors had to be left out."""
    shortlist = build_shortlist(ctx)
    ctx.say(f"提名人选：{len(shortlist.nominees)} 人（上限 {shortlist.limit} 人），按比例最多选拔 {shortlist.select} 人。"
            f"名单：{shortlist.folder / '提名人选名单.pdf'}")
    if shortlist.blocked:
        ctx.say("以下人选审查有错误，未能参加初审：" + "、".join(n.candidate.label for n in shortlist.blocked)
                + "（见审查报告 check/report.html）")
        return ExitCode.findings
    return ExitCode.ok
