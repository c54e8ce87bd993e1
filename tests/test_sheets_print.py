"""Every list the office or the experts print, printed through LibreOffice Calc to PDF: no two
text lines overlap, no glyph below 9 pt, no cell's text clipped, names and amounts on one line.

The lists are written by the real writers with the worst realistic rows (5- and 8-character
names, 40-character units, long occupations), then all printed in one LibreOffice run.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.core.context import RunContext
from pipeline.core.edition import Criterion, load_edition
from pipeline.core.model import Finding, Severity
from pipeline.packets.printlist import PrintRow, print_list_xlsx
from pipeline.render import office
from pipeline.review import decisions
from pipeline.review.sheets import SheetRow, SheetSpec, one_line, write_score_sheet
from pipeline.stages import check_report, results, shortlist
from pipeline.stages.certificates import _write_subsidy_xlsx
from tests.conftest import DEMO, make_id
from tests.packet_fixtures import SUMMARY

pdfplumber = pytest.importorskip("pdfplumber")
LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
pytestmark = pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed")

WHEN = dt.datetime(2027, 5, 1, tzinfo=dt.UTC)
NAMES = ("乌云其其格", "阿依古丽·买买提", "欧阳建国", "上官婉清", "王磊", "司马文轩", "张𠮷", "李")
UNIT = "大兴安岭林业集团公司加格达奇林业局森林经营管理站营林技术科科长兼党支部书记"  # 40 characters
UNITS = (UNIT, "塔河林业局 电工班长", "呼中林业局 伐区作业队队长", "国网大兴安岭供电公司变电运维室运维班班长")
OCCUPATIONS = ("电力电缆安装运维工", "钳工", "森林消防员", "汽车维修工")
LEVELS = ("高级技师（钳工）", "技师", "高级工", "一级/高级技师")
RECOMMENDERS = ("大兴安岭林业集团公司加格达奇林业局", "塔河县人力资源和社会保障局", "国网大兴安岭供电公司")
ROWS = 24


def person(i: int) -> dict[str, str]:
    return {"编号": f"{i + 1:03d}", "姓名": NAMES[i % len(NAMES)], "性别": "女" if i % 2 else "男",
            "出生年月": f"19{70 + i % 20}.{i % 12 + 1:02d}", "工作单位及职务": UNITS[i % len(UNITS)],
            "职业（工种）": OCCUPATIONS[i % len(OCCUPATIONS)], "技术等级": LEVELS[i % len(LEVELS)],
            "推荐单位": RECOMMENDERS[i % len(RECOMMENDERS)], "申报方式": "个人自荐" if i % 5 == 0 else "单位推荐"}


PEOPLE = [person(i) for i in range(ROWS)]


def _summary_nominee(i: int, p: dict[str, str]) -> Any:
    findings = ()
    if i % 3 == 1:
        findings = (Finding("EVIDENCE_OLD", Severity.warning, "“大兴安岭地区先进工作者荣誉证书”取得于2019年5月，早于近4年（2023年3月以后）",
                            "", p["编号"], p["姓名"], "", "", 0),)
    candidate = SimpleNamespace(code=p["编号"], name=p["姓名"], gender=p["性别"], birth=p["出生年月"],
                                unit_and_post=p["工作单位及职务"], occupation=p["职业（工种）"],
                                skill_level=p["技术等级"], recommender=p["推荐单位"], nomination=p["申报方式"],
                                conditions=(1, 5), id_number=make_id())
    return SimpleNamespace(candidate=candidate, findings=findings,
                           status="warning" if findings else "ok")


LONG_UNITS = ("大兴安岭地区加格达奇区暖心家政服务有限公司母婴护理培训中心 高级育婴员兼培训主管",
              "大兴安岭林业集团公司塔河林业局专业森林消防大队第二中队 中队长兼应急救援技术教官")
SHORT_UNITS = ("塔河林业局专业森林消防大队 分队长", "大兴安岭宾馆 厨师", "呼玛县桦树皮制作技艺传习所 传承人")
OUTLIER = "桦树皮制作技艺（民间传统工艺）"


def stress40(i: int) -> dict[str, str]:
    """The stress edition's 40 nominees: 20 with 40-character units, 20 short, one outlier occupation."""
    return {**person(i), "工作单位及职务": LONG_UNITS[i % 2] if i < 20 else SHORT_UNITS[i % 3],
            "职业（工种）": OUTLIER if i == 23 else ("林业有害生物防治员" if i % 7 == 0 else OCCUPATIONS[i % 4]),
            "推荐单位": "加格达奇区人力资源和社会保障局" if i % 3 else "大兴安岭林业集团公司", "审查结果": "合格", "备注": ""}


PEOPLE40 = [stress40(i) for i in range(40)]


def write_forty(ctx: RunContext, folder: Path) -> dict[str, Path]:
    """The three long lists of the stress edition (40 rows), for their page counts."""
    out = {"提名人选名单40": folder / "提名人选名单-40.xlsx", "推荐人选汇总表40": folder / "推荐人选汇总表-40.xlsx",
           "评审结果40": folder / "评审结果-40.xlsx"}
    shortlist._write_xlsx(ctx, out["提名人选名单40"], "提名人选名单",
                          [{**p, "序号": str(i + 1)} for i, p in enumerate(PEOPLE40)])
    check_report.write_summary_xlsx(ctx, out["推荐人选汇总表40"],
                                    tuple(_summary_nominee(i, p) for i, p in enumerate(PEOPLE40)))
    criteria = (Criterion("技能水平", 0.4, 100), Criterion("业绩成果", 0.3, 100), Criterion("传帮带贡献", 0.3, 100))
    experts = ("欧阳明月", "王立军", "乌云其其格", "李", "张大伟")
    table = [{"place": i + 1, "code": p["编号"], "name": p["姓名"], "unit": p["工作单位及职务"],
              "means": [f"{91.25 - i / 3:.2f}", "88.50", "90.00"],  # as the stage gives them: 2 decimals
              "experts": [(f"{90.12 - i / 4:.2f}", e != 1) for e in range(len(experts))],
              "total": f"{89.87 - i / 4:.2f}", "selected": i < 20, "status": "入选" if i < 20 else "未入选"}
             for i, p in enumerate(PEOPLE40)]
    results._write_xlsx(ctx, SimpleNamespace(criteria=criteria, experts=experts), table,  # type: ignore[arg-type]
                        out["评审结果40"], "专家评审结果", "专家评审组 5 名专家分别评分；去掉一个最高分和一个最低分后取平均。")
    return out


def write_all(folder: Path) -> dict[str, Path]:
    """Every printed list, written by its writer from the stress rows."""
    ctx = RunContext(load_edition(DEMO), quiet=True, jobs=1)
    out: dict[str, Path] = write_forty(ctx, folder)

    out["推荐人选汇总表"] = folder / "推荐人选汇总表.xlsx"
    check_report.write_summary_xlsx(ctx, out["推荐人选汇总表"],
                                    tuple(_summary_nominee(i, p) for i, p in enumerate(PEOPLE)))

    out["初审"] = folder / "初审.xlsx"
    decisions.write_preliminary(out["初审"], ctx.edition.round.title, 40, [
        (i + 1, p["编号"], p["姓名"], p["工作单位及职务"], p["职业（工种）"], p["申报方式"],
         "合格（有提示）" if i % 3 == 1 else "合格", "证书早于近4年：取得于2019年5月" if i % 3 == 1 else "")
        for i, p in enumerate(PEOPLE)], WHEN)

    out["提名人选名单"] = folder / "提名人选名单.xlsx"
    rows = [{**p, "序号": str(i + 1), "审查结果": "合格（有提示）" if i % 3 == 1 else "合格", "备注": ""}
            for i, p in enumerate(PEOPLE)]
    shortlist._write_xlsx(ctx, out["提名人选名单"], "大兴安岭地区2027年度“兴安技术能手”提名人选名单", rows)

    criteria = (Criterion("技能水平", 0.4, 100), Criterion("业绩成果", 0.3, 100), Criterion("传帮带贡献", 0.3, 100))
    out["评分表"] = folder / "评分表-王立军.xlsx"
    write_score_sheet(SheetSpec(
        ctx.edition.round.title, 2027, "demo", "欧阳明月", criteria,
        tuple(SheetRow(p["编号"], p["姓名"], p["工作单位及职务"], p["职业（工种）"], one_line(SUMMARY)) for p in PEOPLE),
        "2027年4月20日至4月22日"), out["评分表"], WHEN)

    out["评审结果"] = folder / "评审结果.xlsx"
    experts = ("欧阳明月", "王立军", "乌云其其格", "李", "张大伟")
    table = [{"place": i + 1, "code": p["编号"], "name": p["姓名"], "unit": p["工作单位及职务"],
              "means": [91.25 - i / 3, 88.5, 90.0], "experts": [(90.12 - i / 4, e != 1) for e in range(len(experts))],
              "total": 89.87 - i / 4, "selected": i < 20, "status": "入选（领导小组决定）" if i == 19 else
              ("入选" if i < 20 else "未入选")} for i, p in enumerate(PEOPLE)]
    fake = SimpleNamespace(criteria=criteria, experts=experts)
    results._write_xlsx(ctx, fake, table, out["评审结果"], f"{ctx.edition.round.title}专家评审结果",  # type: ignore[arg-type]
                        "专家评审组 5 名专家对 40 名提名人选的技能水平（40%）、业绩成果（30%）、传帮带贡献（30%）分别评分；"
                        "去掉一个最高分和一个最低分后取平均。")

    out["打印清单"] = folder / "打印清单.xlsx"
    out["打印清单"].write_bytes(print_list_xlsx(
        [PrintRow(p["编号"], p["姓名"], p["推荐单位"], f"{p['编号']}-{p['姓名']}-申报材料（打印版）.pdf", 128, 5)
         for p in PEOPLE], "2027年度“兴安技术能手”申报材料打印清单", WHEN))

    out["颁奖及补贴发放表"] = folder / "颁奖及补贴发放表.xlsx"
    _write_subsidy_xlsx(ctx, [{"序号": i + 1, "姓名": p["姓名"], "单位": p["工作单位及职务"],
                               "证书编号": f"XANS-2027-{i + 1:03d}", "金额": 100000.0}
                              for i, p in enumerate(PEOPLE[:20])], 100000.0, out["颁奖及补贴发放表"])
    return out


@dataclass(frozen=True)
class Page:
    """What one printed page shows."""

    chars: list[dict[str, Any]]
    """Every visible glyph with its box and size."""
    words: list[dict[str, Any]]
    """Runs of glyphs on one line."""
    cells: list[tuple[float, float, float, float]]
    """The boxes of the drawn table grid."""
    text: str
    """The page's text in reading order."""


@dataclass(frozen=True)
class Printed:
    """One list and its LibreOffice print."""

    xlsx: Path
    pages: list[Page]


def _read(pdf: Path) -> list[Page]:
    pages = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            cells = []
            for table in page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}):
                cells.extend(c for c in table.cells if c is not None)
            pages.append(Page([c for c in page.chars if c["text"].strip()],
                              page.extract_words(keep_blank_chars=True, use_text_flow=True, x_tolerance=1.5),
                              cells, page.extract_text()))
    return pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printed]:
    folder = tmp_path_factory.mktemp("sheets")
    files = write_all(folder)
    profile = folder / "lo-profile"
    assert LIBREOFFICE is not None
    subprocess.run([LIBREOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder / "pdf"), *map(str, files.values())],
                   check=True, capture_output=True, timeout=300)
    out = {}
    for key, xlsx in files.items():
        pdf = folder / "pdf" / (xlsx.stem + ".pdf")
        assert pdf.is_file(), f"LibreOffice did not print {xlsx.name}"
        out[key] = Printed(xlsx, _read(pdf))
    return out


SHEETS = ("推荐人选汇总表", "初审", "提名人选名单", "评分表", "评审结果", "打印清单", "颁奖及补贴发放表")


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.parametrize("sheet", SHEETS)
def test_no_glyph_prints_below_9_pt(printed: dict[str, Printed], sheet: str) -> None:
    small = [(i + 1, c["text"], round(c["size"], 2)) for i, page in enumerate(printed[sheet].pages)
             for c in page.chars if c["size"] < office.MIN_PRINT_PT - 0.05]
    assert not small, f"{sheet}: {small[:8]}"


@pytest.mark.parametrize("sheet", SHEETS)
def test_no_two_text_lines_overlap(printed: dict[str, Printed], sheet: str) -> None:
    for number, page in enumerate(printed[sheet].pages, start=1):
        lines: list[tuple[float, float, float, float, str]] = []
        for word in page.words:
            lines.append((word["x0"], word["top"], word["x1"], word["bottom"], word["text"]))
        lines.sort(key=lambda w: w[1])
        for i, a in enumerate(lines):
            for b in lines[i + 1:]:
                if b[1] >= a[3] - 0.5:
                    break
                overlap_x = min(a[2], b[2]) - max(a[0], b[0])
                overlap_y = min(a[3], b[3]) - max(a[1], b[1])
                assert not (overlap_x > 0.5 and overlap_y > 0.5), f"{sheet} p{number}: “{a[4]}” over “{b[4]}”"


@pytest.mark.parametrize("sheet", SHEETS)
def test_no_cell_text_is_clipped(printed: dict[str, Printed], sheet: str) -> None:
    """Every glyph lies inside the grid cell it is printed in, and each cell's text is printed whole."""
    from openpyxl import load_workbook

    texts: list[str] = []
    for number, page in enumerate(printed[sheet].pages, start=1):
        cells = page.cells
        inside: dict[int, list[dict[str, Any]]] = {}
        for c in page.chars:
            cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
            for k, (x0, top, x1, bottom) in enumerate(cells):
                if x0 <= cx <= x1 and top <= cy <= bottom:
                    assert c["x0"] >= x0 - 0.5 and c["x1"] <= x1 + 0.5, f"{sheet} p{number}: “{c['text']}” crosses a column rule"
                    assert c["top"] >= top - 1 and c["bottom"] <= bottom + 1, f"{sheet} p{number}: “{c['text']}” crosses a row rule"
                    inside.setdefault(k, []).append(c)
                    break
        texts += ["".join(ch["text"] for ch in sorted(chars, key=lambda ch: (round(ch["top"]), ch["x0"])))
                  for chars in inside.values()]
        texts.append(page.text)
    printed_text = _squash("\n".join(texts))
    ws = load_workbook(printed[sheet].xlsx).worksheets[0]
    for row in ws.iter_rows():
        for cell in row:
            text = office.cell_text(cell)
            if text and not text.startswith("100.00") and _squash(text) not in printed_text:
                raise AssertionError(f"{sheet} {cell.coordinate}: “{text}” is not printed whole")


@pytest.mark.parametrize("sheet", SHEETS)
def test_names_and_amounts_print_on_one_line(printed: dict[str, Printed], sheet: str) -> None:
    words = [_squash(w["text"]) for page in printed[sheet].pages for w in page.words]
    joined = "\n".join(words)
    for name in NAMES:
        assert f"\n{name}\n" in f"\n{joined}\n" or name in words, f"{sheet}: “{name}” is broken"
    if sheet == "颁奖及补贴发放表":
        assert "100,000.00" in words and "2,000,000.00" in words and "合计" in words


@pytest.mark.parametrize("sheet", SHEETS)
def test_page_setup_fits_width_only_and_repeats_the_header(printed: dict[str, Printed], sheet: str) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(printed[sheet].xlsx).worksheets[0]
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows
    assert office.print_scale(ws) * 10 >= office.MIN_PRINT_PT
    pages = printed[sheet].pages
    header = {"推荐人选汇总表": "审查结果", "初审": "初审结果", "提名人选名单": "技术等级", "评分表": "事迹摘要",
              "评审结果": "总分", "打印清单": "合计页数", "颁奖及补贴发放表": "领取人签字"}[sheet]
    assert len(pages) >= 2
    for page in pages:
        assert header in _squash(page.text)


@pytest.mark.parametrize(("sheet", "most"), [("提名人选名单40", 4), ("推荐人选汇总表40", 8), ("评审结果40", 4)])
def test_forty_rows_print_on_few_full_pages(printed: dict[str, Printed], sheet: str, most: int) -> None:
    """40 rows, half with 40-character units: the unit column takes the spare width, so rows stay
    short and the list prints on a few full pages; 职业 stays whole, its outlier breaks before “（”."""
    pages = printed[sheet].pages
    assert len(pages) <= most, f"{sheet}: {len(pages)} pages"
    rows = [_squash(p.text).count("单位推荐") + _squash(p.text).count("个人自荐") for p in pages]
    if sheet == "提名人选名单40":
        assert all(n >= 8 for n in rows[:-1]), f"{sheet}: rows per page {rows}"
    words = [_squash(w["text"]) for page in pages for w in page.words]
    if sheet == "提名人选名单40":
        for job in ("林业有害生物防治员", *OCCUPATIONS, "桦树皮制作技艺", "（民间传统工艺）"):
            assert job in words, f"“{job}” is broken"
        header = {"技术等级", "职业（工种）", "推荐单位", "工作单位及职务"}
        assert header <= {_squash(w["text"]) for w in pages[-1].words}


@pytest.mark.parametrize("sheet", ["提名人选名单40", "推荐人选汇总表40", "评审结果40"])
def test_preflight_passes_the_forty_row_lists(printed: dict[str, Printed], sheet: str) -> None:
    """The preflight measures the lists as they print: no finding, the outlier occupation set
    before its bracket included."""
    from pipeline.preflight.xlsx import workbook_findings

    unbreakable = {_squash(p[k]): k for p in PEOPLE40 for k in ("职业（工种）", "技术等级")}
    unbreakable.update({_squash(p["姓名"]): "姓名" for p in PEOPLE40})
    findings = workbook_findings(printed[sheet].xlsx, f"{sheet}.xlsx", unbreakable)
    assert not findings, [f.message for f in findings]
    if sheet == "提名人选名单40":
        from openpyxl import load_workbook

        jobs = {str(c.value) for c in load_workbook(printed[sheet].xlsx).worksheets[0]["G"]}
        assert "桦树皮制作技艺\n（民间传统工艺）" in jobs and "林业有害生物防治员" in jobs


def test_results_sheet_is_marked_internal(printed: dict[str, Printed]) -> None:
    for page in printed["评审结果"].pages:
        assert "内部资料注意保存" in _squash(page.text)


def test_narrative_text_keeps_its_chinese_punctuation() -> None:
    from pipeline.rules import normalize

    summary = "从事电工工作22年，熟练掌握１０ｋＶ线路检修技术。带徒20余人。"
    assert one_line(summary) == "从事电工工作22年，熟练掌握１０ｋＶ线路检修技术。"
    for column in ("简要事迹", "个人简历", "工作单位及职务", "推荐单位"):
        assert normalize.cell(column, " 22年，熟练：１０ｋＶ（高压）\r\n 第二行 ") == "22年，熟练：１０ｋＶ（高压）\n第二行"
    assert normalize.cell("编号", "００１") == "001"
    assert normalize.cell("出生年月", "１９７８．０５") == "1978.05"


# ---- check/report.html printed on A4 -------------------------------------------------------------

A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    """report.html for 24 nominees (two with findings), printed by WeasyPrint as a browser prints it."""
    from weasyprint import HTML

    folder = tmp_path_factory.mktemp("report")
    ctx = RunContext(load_edition(DEMO), quiet=True, jobs=1)
    nominees = []
    for i, p in enumerate(PEOPLE):
        findings = []
        if i in (1, 6):
            findings.append({"code": "EVIDENCE_OLD", "severity": "warning", "field": "", "row": 0,
                             "file": "candidates/002/evidence/荣誉证书/2019.05-大兴安岭地区先进工作者荣誉证书.jpg",
                             "message": "“大兴安岭地区先进工作者荣誉证书”取得于2019年5月，早于近4年（2023年3月以后）",
                             "hint": "换成近4年内取得的证书，或确认后忽略"})
        nominees.append({"编号": p["编号"], "姓名": p["姓名"], "工作单位及职务": p["工作单位及职务"], "推荐单位": p["推荐单位"],
                         "申报方式": p["申报方式"], "status": "warning" if findings else "ok", "photo": None,
                         "findings": findings})
    data = {"schema": 1, "edition": "demo", "round": 2027, "reference_date": "2027-03-19",
            "summary": {"nominees": len(nominees), "ok": 22, "with_warnings": 2, "with_errors": 0, "errors": 0,
                        "warnings": 2, "by_code": {"EVIDENCE_OLD": 2}},
            "roster_findings": [], "nominees": nominees}
    html = folder / "report.html"
    check_report.write_html(ctx, html, data, {})
    pdf = folder / "report.pdf"
    HTML(filename=str(html)).write_pdf(str(pdf))
    return _read(pdf)


def test_report_prints_on_a4_within_the_margins(report_pdf: list[Page]) -> None:
    for number, page in enumerate(report_pdf, start=1):
        for c in page.chars:
            margin = 14 * 72 / 25.4
            assert c["x0"] >= margin and c["x1"] <= A4[0] - margin, f"p{number}: “{c['text']}” off the page"
            assert c["size"] >= office.MIN_PRINT_PT - 0.05, f"p{number}: “{c['text']}” at {c['size']:.1f} pt"


def test_report_has_page_numbers_print_date_and_round_name(report_pdf: list[Page]) -> None:
    total = len(report_pdf)
    for number, page in enumerate(report_pdf, start=1):
        assert f"第{number}页，共{total}页" in _squash(page.text)
        assert "生成日期：" in page.text
    first = _squash(report_pdf[0].text)
    assert "届次：大兴安岭地区2027年度" in first and "届次：demo" not in first


def test_report_lists_clean_nominees_in_one_table(report_pdf: list[Page]) -> None:
    text = _squash("\n".join(p.text for p in report_pdf))
    assert text.count("以下22人未发现问题") == 1
    assert "未发现问题。" not in text  # no card per clean nominee


def test_report_lists_each_clean_nominee_once(report_pdf: list[Page]) -> None:
    """A clean nominee appears once (in the clean table); the overview lists only those with findings."""
    photos = next(i for i, page in enumerate(report_pdf) if "四、照片审查" in _squash(page.text))
    words = [_squash(w["text"]) for page in report_pdf[:photos] for w in page.words]
    text = _squash("\n".join(p.text for p in report_pdf))
    for i, p in enumerate(PEOPLE):
        seen = sum(w == p["编号"] or w.startswith(p["编号"] + p["姓名"]) for w in words)
        assert seen == (2 if i in (1, 6) else 1), f"{p['编号']} printed {seen} times"
    assert "二、需处理的人选一览" in text and "共24人，其中2人有错误或提示" in text
    assert "三、逐人审查意见" in text and "四、照片审查" in text


def test_report_never_breaks_names_or_status_words(report_pdf: list[Page]) -> None:
    words = [_squash(w["text"]) for page in report_pdf for w in page.words]
    joined = " ".join(words)
    for name in NAMES:
        assert any(name in w for w in words), f"“{name}” is broken: {joined[:200]}"
    for status in ("合格（有提示）", "单位推荐", "个人自荐"):
        assert any(status in w for w in words), status


# ---- 提名人选名单.pdf ---------------------------------------------------------------------------------


def test_shortlist_pdf_fits_40_rows_on_about_two_pages_without_wrapping_short_fields(tmp_path: Path) -> None:
    from pipeline.render.templating import render
    from pipeline.review.notice import signature_layout
    from pipeline.review.render import font_context, html_to_pdf

    ctx = RunContext(load_edition(DEMO), quiet=True, jobs=1)
    e = ctx.edition
    names, jobs, levels = ("王建国", "李淑芬", "欧阳明", "阿依古丽·买买提"), ("电工", "森林消防员", "汽车维修工"), ("高级技师", "技师", "一级/高级技师")
    units = ("塔河林业局 电工班长", "大兴安岭林业集团公司加格达奇林业局 机修厂技术主管", "国网大兴安岭供电公司变电运维室运维班班长")
    rows = [{"序号": str(i + 1), "编号": f"{i + 1:03d}", "姓名": names[i % 4], "性别": "男", "工作单位及职务": units[i % 3],
             "职业（工种）": jobs[i % 3], "技术等级": levels[i % 3]} for i in range(40)]
    html = render("review/shortlist.html.j2", edition=e, rows=rows, font=font_context(e),
                  title_lines=("大兴安岭地区2027年度", "“兴安技术能手”提名人选名单"), total=44, count=40, select=20, limit=40,
                  organ=e.office.name, date="2027年4月2日", sign=signature_layout(e.office.name, "2027年4月2日"),
                  cols=shortlist.pdf_columns(ctx, rows))
    pdf = tmp_path / "提名人选名单.pdf"
    html_to_pdf(html, pdf, title="提名人选名单", author=e.office.name, when=ctx.source_date)
    pages = _read(pdf)
    assert len(pages) <= 3
    words = [_squash(w["text"]) for page in pages for w in page.words]
    for value in (*names, *jobs, *levels):
        assert value in words, f"“{value}” is broken across lines"
    assert all(c["size"] >= 10.4 for page in pages for c in page.chars if c["text"] not in "—0123456789")


# ---- no character alone on a line (LibreOffice wraps Chinese between any two characters) ---------


def _lines_in_cells(page: Page) -> list[list[str]]:
    """The text lines of every grid cell of a page that holds text."""
    out = []
    for x0, top, x1, bottom in page.cells:
        rows: dict[float, list[dict[str, Any]]] = {}
        for c in page.chars:
            if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom:
                key = next((k for k in rows if abs(k - c["top"]) < 2), c["top"])
                rows.setdefault(key, []).append(c)
        if rows:
            out.append(["".join(ch["text"] for ch in sorted(rows[k], key=lambda ch: ch["x0"])) for k in sorted(rows)])
    return out


@pytest.mark.parametrize("sheet", (*SHEETS, "提名人选名单40", "推荐人选汇总表40", "评审结果40"))
def test_no_character_stands_alone_on_a_line(printed: dict[str, Printed], sheet: str) -> None:
    """A wrapped cell never ends on a line of one character ("塔河林业局 电工班" / "长"): the
    lists break such a unit before its last words, with room for LibreOffice's wider columns."""
    alone = [(number, "/".join(lines)) for number, page in enumerate(printed[sheet].pages, start=1)
             for lines in _lines_in_cells(page) if len(lines) > 1 and sum(ch.isalnum() for ch in lines[-1]) <= 1]
    assert not alone, f"{sheet}: {alone[:6]}"


def test_unorphaned_breaks_before_the_last_words() -> None:
    assert office.unorphaned("塔河林业局 电工班长", "仿宋", 10.5, 88.2) == "塔河林业局\n电工班长"
    assert office.unorphaned("塔河林业局 电工班长", "仿宋", 10.5, 200.0) == "塔河林业局 电工班长"


# ---- 提名人选名单.pdf of the stress edition ---------------------------------------------------------


def test_stress_shortlist_pdf_breaks_the_outlier_occupation_before_its_bracket(tmp_path: Path) -> None:
    """The stress edition's 40 rows, 20 with 40-character units, one 15-character 职业: the outlier
    breaks before “（” (as the XLSX does) instead of widening its column, so the unit column keeps
    its width and the list prints on three pages, not four; every other 职业 and 技术等级 and every
    name stays on one line (the preflight finds nothing)."""
    from pipeline.preflight import _text_findings
    from pipeline.preflight.lines import page_glyphs
    from pipeline.render.templating import render
    from pipeline.review.render import font_context, html_to_pdf
    from pipeline.rules.roster import read_roster

    stress = DEMO.parent / "examples" / "stress"
    ctx = RunContext(load_edition(stress), quiet=True, jobs=1)
    e = ctx.edition
    rows = [{"序号": str(i + 1), "编号": c.code, "姓名": c.name, "性别": c.gender or "", "工作单位及职务": c.unit_and_post,
             "职业（工种）": c.occupation, "技术等级": c.skill_level}
            for i, c in enumerate(read_roster(stress).candidates)]
    assert len(rows) == 40 and OUTLIER in {r["职业（工种）"] for r in rows}
    date = "2027年4月21日"

    def html_at(size: float) -> str:
        return render("review/shortlist.html.j2", edition=e, rows=rows, font=font_context(e),
                      title_lines=("大兴安岭地区2027年度", "“兴安技术能手”提名人选名单"), total=40, count=40, select=20,
                      limit=40, organ=e.office.name, date=date, seal=shortlist.sealed_layout(e.office.name, date),
                      size=size, cols=shortlist.pdf_columns(ctx, rows, size))

    size = shortlist.pdf_size(html_at)
    cols = shortlist.pdf_columns(ctx, rows, size)
    assert cols["职业（工种）"] < len(OUTLIER) * size * 25.4 / 72, "the outlier 职业 sets its column's width"
    pdf = tmp_path / "提名人选名单.pdf"
    html_to_pdf(html_at(size), pdf, title="提名人选名单", author=e.office.name, when=ctx.source_date)
    pages = _read(pdf)
    assert len(pages) <= 3
    words = [_squash(w["text"]) for page in pages for w in page.words]
    assert "桦树皮制作技艺" in words and "（民间传统工艺）" in words
    values = [(k, r[k]) for r in rows for k in ("职业（工种）", "技术等级")]
    findings = _text_findings("shortlist/提名人选名单.pdf", page_glyphs(pdf), values, [r["姓名"] for r in rows])
    assert not findings, [f.message for f in findings]
