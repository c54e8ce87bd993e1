"""`make preflight`: each check finds its problem in a synthetic bad file and stays silent on a
good one; the report and the command; a real slice of the demo round.

Fixtures are made in code: PDFs by hand with pikepdf (fonts, colours) or by WeasyPrint with the
installed Noto CJK fonts (names broken across lines, landscape pages, ink in the binding strip),
spreadsheets with openpyxl. All bad files sit in one output folder that is inspected once.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pikepdf
import pytest
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from pipeline.preflight import (
    CODES,
    Expectations,
    NomineeText,
    PreflightReport,
    expectations,
    inspect,
    summary_text,
    write_report,
)
from pipeline.preflight.lines import occurrences, page_glyphs
from pipeline.preflight.order import PublicList, order_findings
from pipeline.preflight.xlsx import column_points, font_metrics, wrapped_lines
from tests.conftest import DEMO

LONG_NAME = "乌云其其格"
NATIVE = "内蒙古自治区呼伦贝尔市"
EXPECT = Expectations(
    nominees=(
        NomineeText("001", LONG_NAME, (("籍贯", NATIVE), ("民族", "蒙古族")), "加格达奇区人力资源和社会保障局",
                    (("技术等级", "高级工"), ("职业", "养老护理员"))),
        NomineeText("002", "王志刚", (("籍贯", "山东莱阳"),), "大兴安岭林业集团公司",
                    (("技术等级", "高级技师"), ("职业", "森林消防员"))),
        NomineeText("003", "丁一", (), "塔河县总工会", (("技术等级", "技师"), ("职业", "电工"))),
    ),
    ranking=("王志刚", "丁一", LONG_NAME),
)
CSS = """@page { size: A4; margin: 30mm }
@page wide { size: A4 landscape; margin: 30mm }
body { font-family: 'Noto Serif CJK SC'; font-size: 16pt }
td { padding: 1.5mm 2mm }
.narrow { width: 4.2em; border: 1px solid black }
.wide { page: wide }
.ink { position: absolute; left: -28mm; top: 20mm; width: 10mm; height: 40mm; background: black }
"""


def weasy_pdf(target: Path, body: str) -> Path:
    """An HTML body rendered by WeasyPrint with the CJK fonts (embedded, subset)."""
    import weasyprint

    target.parent.mkdir(parents=True, exist_ok=True)
    html = f"<html lang='zh-CN'><head><style>{CSS}</style></head><body>{body}</body></html>"
    weasyprint.HTML(string=html).write_pdf(target)
    return target


def hand_pdf(target: Path, content: bytes, *, landscape: bool = False, intent: bool = False,
             image_rgb: bool = False, image_cmyk: bytes = b"") -> Path:
    """A one-page PDF written by hand: Helvetica (not embedded) and the given content stream."""
    pdf = pikepdf.new()
    box = [0, 0, 842, 595] if landscape else [0, 0, 595, 842]
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    if image_rgb:
        image = pikepdf.Stream(pdf, b"\xff\x00\x00" * 4, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                               Width=2, Height=2, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8)
        resources.XObject = pikepdf.Dictionary(Im1=image)
        content += b" q 50 0 0 50 100 100 cm /Im1 Do Q"
    if image_cmyk:
        image = pikepdf.Stream(pdf, image_cmyk * 4, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                               Width=2, Height=2, ColorSpace=pikepdf.Name.DeviceCMYK, BitsPerComponent=8)
        resources.XObject = pikepdf.Dictionary(Im2=image)
        content += b" q 50 0 0 50 100 100 cm /Im2 Do Q"
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=box, Resources=resources,
                              Contents=pikepdf.Stream(pdf, content))
    pdf.pages.append(pikepdf.Page(page))
    if intent:
        profile = pikepdf.Stream(pdf, b"not a real profile", N=4)
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX, OutputConditionIdentifier="FOGRA39",
            DestOutputProfile=profile)])
    target.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(target)
    return target


def bad_sheet(target: Path) -> Path:
    """No row heights, wrapped long text, squeezed to one page tall, too wide for A4."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "名单"
    ws.append(["姓名", "工作单位及职务"] + [f"列{i}" for i in range(12)])
    for _i in range(60):
        ws.append([LONG_NAME, "大兴安岭林业集团公司加格达奇林业局森林经营管理站营林技术科科长兼党支部书记"]
                  + ["数据"] * 12)
    for row in ws.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True)  # the name wraps in its narrow column
        row[1].alignment = Alignment(wrap_text=True)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 12
    for letter in "CDEFGHIJKLMN":
        ws.column_dimensions[letter].width = 14
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def good_sheet(target: Path, *, header: bool = True) -> Path:
    """Explicit generous row heights, wrapped text, one page wide and as tall as needed, header repeated."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "名单"
    ws.append(["姓名", "工作单位及职务"])
    ws.row_dimensions[1].height = 24
    for i in range(60):
        ws.append([LONG_NAME, "大兴安岭林业集团公司加格达奇林业局森林经营管理站营林技术科科长兼党支部书记"])
        ws.row_dimensions[i + 2].height = 80
    for row in ws.iter_rows():
        for cell in row:
            cell.font = Font(name="仿宋", size=11)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 30
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if header:
        ws.print_title_rows = "1:1"
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


@pytest.fixture(scope="module")
def bad_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding one bad (and one good) file per check."""
    out = tmp_path_factory.mktemp("preflight") / "demo"
    # A packet: the name broken on the cover, the 籍贯 broken in its cell, ink in the binding strip
    # of page 3 (odd: bound on the left), a landscape page 4.
    weasy_pdf(out / "packets/001-乌云其其格-申报材料.pdf", f"""
        <p>申报人</p><div class="narrow">{LONG_NAME}</div>
        <p style="break-before: page">申报审批表</p>
        <p style="break-before: page; position: relative">籍贯<span class="ink"></span></p>
        <table><tr><td class="narrow">{NATIVE}</td><td>民族</td><td>蒙古族</td></tr></table>
        <p class="wide">横向扫描件</p>""")
    # A good packet: name and fields on one line, portrait, nothing near the bound edges.
    weasy_pdf(out / "packets/002-王志刚-申报材料.pdf", """
        <p>申报人 王志刚</p><p style="break-before: page">籍贯 山东莱阳</p>
        <p style="break-before: page">第三页</p>""")
    # A public list with a broken 职业 (and every name whole).
    weasy_pdf(out / "publicity/公示.pdf", """
        <p>王志刚 丁一 乌云其其格</p>
        <table><tr><td>王志刚</td><td class="narrow" style="width: 2.2em">养老护理员</td></tr></table>""")
    hand_pdf(out / "certificates/unembedded.pdf", b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET")
    hand_pdf(out / "media/newspaper/特刊-彩色.pdf", b"BT /F1 12 Tf 0.2 0.2 0.2 rg 72 720 Td (RGB) Tj ET",
             image_rgb=True)
    hand_pdf(out / "media/newspaper/特刊-黑白.pdf", b"BT /F1 12 Tf 0 0 0 0.8 k 72 720 Td (Grey) Tj ET "
             b"BT 0.3 0.3 0.3 1 k 72 700 Td (Rich) Tj ET", intent=True)
    hand_pdf(out / "media/newspaper/特刊-K100.pdf", b"0 0 1 0 k 0 0 100 100 re f BT /F1 12 Tf 0 0 0 1 k "
             b"72 720 Td (K) Tj ET BT 0 g 72 700 Td (K) Tj ET", intent=True, image_cmyk=bytes([100, 100, 100, 255]))
    hand_pdf(out / "media/newspaper/特刊-墨量.pdf", b"BT /F1 12 Tf 0 g 72 720 Td (K) Tj ET", intent=True,
             image_cmyk=bytes([255, 255, 255, 255]))
    bad_sheet(out / "check/bad.xlsx")
    good_sheet(out / "check/good.xlsx")
    # Public numbering in rank order.
    for i, name in enumerate(EXPECT.ranking, start=1):
        path = out / "media/tv/字幕" / f"{i:02d}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    return out


@pytest.fixture(scope="module")
def report(bad_output: Path) -> PreflightReport:
    return inspect(bad_output, EXPECT, cache_dir=bad_output / ".work/preflight", order_key=None)


def codes(report: PreflightReport, file: str) -> set[str]:
    return {f.code for f in report.findings if f.file == file}


def test_font_not_embedded(report: PreflightReport) -> None:
    found = [f for f in report.findings if f.file == "certificates/unembedded.pdf"]
    assert [f.code for f in found] == ["PF_FONT_NOT_EMBEDDED"]
    assert "Helvetica" in found[0].message and found[0].page == 1
    # WeasyPrint embeds every font.
    assert "PF_FONT_NOT_EMBEDDED" not in codes(report, "packets/002-王志刚-申报材料.pdf")


def test_rgb_in_print_file(report: PreflightReport) -> None:
    found = [f for f in report.findings if f.file == "media/newspaper/特刊-彩色.pdf"]
    rgb = next(f for f in found if f.code == "PF_RGB_IN_PRINT")
    assert rgb.data["rgb"] == {"文字": 1, "图像": 1}
    assert "PF_OUTPUT_INTENT" in {f.code for f in found}


def test_text_not_pure_k(report: PreflightReport) -> None:
    found = [f for f in report.findings if f.file == "media/newspaper/特刊-黑白.pdf"]
    assert {f.code for f in found} - {"PF_FONT_NOT_EMBEDDED"} == {"PF_TEXT_NOT_K"}
    assert set(found[-1].data["colours"]) == {"CMYK 0/0/0/80 %", "CMYK 30/30/30/100 %"}


def test_pure_k_text_with_output_intent_is_clean(report: PreflightReport) -> None:
    assert codes(report, "media/newspaper/特刊-K100.pdf") == {"PF_FONT_NOT_EMBEDDED"}


def test_ink_limit_of_print_images(report: PreflightReport) -> None:
    found = [f for f in report.findings if f.code == "PF_INK_LIMIT"]
    assert [(f.file, f.data["ink_percent"]) for f in found] == [("media/newspaper/特刊-墨量.pdf", [400])]


def test_xlsx_without_row_heights(report: PreflightReport) -> None:
    found = [f for f in report.findings if f.file == "check/bad.xlsx"]
    heights = [f for f in found if f.code == "PF_ROW_HEIGHT"]
    assert len(heights) == 61  # header and 60 rows
    assert heights[1].cell == "名单!2" and "没有设置行高" in heights[1].message
    assert {f.code for f in found} == {"PF_ROW_HEIGHT", "PF_FIT_TO_HEIGHT", "PF_FONT_TOO_SMALL", "PF_CELL_CLIPPED",
                                       "PF_NAME_BROKEN"}
    broken = [f for f in found if f.code == "PF_NAME_BROKEN"]
    assert len(broken) == 60 and broken[0].cell == "名单!A2" and broken[0].data["lines"] == 2
    clipped = {f.cell for f in found if f.code == "PF_CELL_CLIPPED"}
    assert clipped == {"名单!B1"}  # the unwrapped header '工作单位及职务' is wider than its column
    small = next(f for f in found if f.code == "PF_FONT_TOO_SMALL")
    assert small.data["printed_pt"] < 9


def test_good_xlsx_is_clean(report: PreflightReport) -> None:
    assert codes(report, "check/good.xlsx") == set()


def test_row_height_too_small(tmp_path: Path) -> None:
    path = good_sheet(tmp_path / "check/low.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    assert ws is not None
    ws.row_dimensions[5].height = 15
    wb.save(path)
    found = inspect(tmp_path, Expectations()).findings
    assert [(f.code, f.cell) for f in found] == [("PF_ROW_HEIGHT", "名单!5")]
    assert found[0].data["needed_pt"] > 30


def test_header_not_repeated(tmp_path: Path) -> None:
    good_sheet(tmp_path / "check/noheader.xlsx", header=False)
    found = inspect(tmp_path, Expectations()).findings
    assert [(f.code, f.data["pages"] >= 2) for f in found] == [("PF_HEADER_NOT_REPEATED", True)]


def test_landscape_page_in_packet(report: PreflightReport) -> None:
    found = [f for f in report.findings if f.code == "PF_LANDSCAPE_PAGE"]
    assert [(f.file, f.page) for f in found] == [("packets/001-乌云其其格-申报材料.pdf", 4)]


def test_ink_in_binding_strip(report: PreflightReport) -> None:
    found = [f for f in report.findings if f.code == "PF_BINDING_MARGIN"]
    assert [(f.file, f.page) for f in found] == [("packets/001-乌云其其格-申报材料.pdf", 3)]
    assert found[0].data["side"] == "left" and 2 <= found[0].data["nearest_mm"] <= 6


def test_broken_name_and_field(report: PreflightReport) -> None:
    packet = "packets/001-乌云其其格-申报材料.pdf"
    name = next(f for f in report.findings if f.code == "PF_NAME_BROKEN" and f.file.endswith(".pdf"))
    assert (name.file, name.page) == (packet, 1)
    assert "".join(name.data["lines"]) == LONG_NAME and len(name.data["lines"]) == 2
    fields = {(f.file, f.data["field"], f.data["value"]) for f in report.findings if f.code == "PF_FIELD_BROKEN"
              and f.file.endswith(".pdf")}
    assert fields == {(packet, "籍贯", NATIVE), ("publicity/公示.pdf", "职业", "养老护理员")}
    assert codes(report, "packets/002-王志刚-申报材料.pdf") == set()


def test_text_positions_follow_lines(bad_output: Path) -> None:
    pages = page_glyphs(bad_output / "packets/002-王志刚-申报材料.pdf")
    found = occurrences(pages, "王志刚")
    assert [(o.page, o.broken) for o in found] == [(1, False)]


def test_public_order_in_rank_order(report: PreflightReport) -> None:
    found = [f for f in report.findings if f.code == "PF_PUBLIC_ORDER"]
    assert [f.file for f in found] == ["publicity/公示.pdf", "media/tv/字幕"]
    assert "评分排名" in found[0].message


def test_public_order_by_strokes() -> None:
    strokes = pytest.importorskip("pipeline.rules.strokes")
    lists = [PublicList("a", "证书编号", ("王志刚", "丁一")), PublicList("b", "证书编号", ("丁一", "王志刚"))]
    found = order_findings(lists, [], strokes.stroke_sort_key)
    assert [(f.file, f.code) for f in found] == [("a", "PF_PUBLIC_ORDER")]
    assert "“丁一”" in found[0].message


def test_measurement() -> None:
    metrics = font_metrics("仿宋", cjk=True)
    assert 1.2 < metrics.line < 1.6
    assert metrics.width("兴安") == 2.0 and 0.3 < metrics.width("1") < 0.7
    assert column_points(10) == 52.5  # 70 px (ECMA-376 §18.3.1.13)
    assert column_points(None) == 48.0  # 64 px
    assert wrapped_lines("一二三四五六七八九十", metrics, 10, 50 + 3) == 2


def test_report_files_and_cache(bad_output: Path, report: PreflightReport) -> None:
    json_path, txt_path = write_report(report, bad_output, "demo")
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["summary"]["findings"] == len(report.findings)
    assert set(data["summary"]["by_code"]) <= set(CODES)
    for f in data["findings"]:
        assert f["file"] and f["message"] and f["fix"] and f["title"] == CODES[f["code"]][0]
    text = txt_path.read_text(encoding="utf-8")
    assert text.startswith("印前检查（demo）：检查了") and "处理办法：" in text
    assert "[PF_BINDING_MARGIN] packets/001-乌云其其格-申报材料.pdf" in text
    # The second run takes every per-file result from the cache.
    again = inspect(bad_output, EXPECT, cache_dir=bad_output / ".work/preflight", order_key=None)
    assert again.findings == report.findings


def run_cli(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from pipeline.cli import main

    code = main(args)
    return code, capsys.readouterr().out


def test_command_on_a_bad_folder(bad_output: Path, tmp_edition: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(bad_output, tmp_path / "output" / tmp_edition.name)
    code, out = run_cli(["-q", "--edition", str(tmp_edition), "preflight"], capsys)
    assert code == 1
    assert "PF_FONT_NOT_EMBEDDED" in out and "报告：" in out
    assert (tmp_path / "output" / tmp_edition.name / "preflight.json").is_file()


def test_command_without_output(tmp_edition: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    assert main(["-q", "--edition", str(tmp_edition), "preflight"]) == 2
    assert "还没有输出文件" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_check_and_shortlist(tmp_path: Path) -> None:
    """The demo round's check and shortlist outputs are clean (the rest of the round: `make demo`)."""
    from pipeline.core.context import RunContext
    from pipeline.core.edition import load_edition
    from pipeline.stages import check, shortlist

    ctx = RunContext(load_edition(DEMO), quiet=True)
    check.run_check(ctx)
    shortlist.main(ctx, None)  # type: ignore[arg-type]
    expect = expectations(ctx)
    assert len(expect.nominees) == 44
    pages = page_glyphs(ctx.output / "shortlist/提名人选名单.pdf")
    seen = {n.name for n in expect.nominees if occurrences(pages, n.name)}
    assert len(seen) == 40  # the checker sees every shortlisted name
    result = inspect(ctx.output, expect, order_key=None)
    assert {"check/推荐人选汇总表.xlsx", "shortlist/提名人选名单.pdf", "shortlist/提名人选名单.xlsx"} <= set(result.files)
    assert not result.findings, summary_text(result, "demo")
