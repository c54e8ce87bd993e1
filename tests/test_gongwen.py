"""The GB/T 9704 renderer (pipeline.gongwen.render), asserted on what prints.

One rich 上行文 (红头 80 mm down, 发文字号 and 签发人, title, 主送机关, headings, a table,
附件说明, sealed 署名, 附注, three 附件, 版记) is rendered once as PDF, DOCX and web page, and the
DOCX printed once by LibreOffice; one short 下行文 (红头 35 mm down, two organs with seals, 版记 alone on
the last page) as PDF only.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.gongwen import Attachment, Document, Heading, Para, Table
from pipeline.gongwen.layout import SEAL_SPACE_MM, joint_layout, title_lines
from pipeline.gongwen.render import write_all, write_pdf
from pipeline.preflight.docx import libreoffice, print_docx
from pipeline.render import raster
from tests.review_fixtures import DEMO
from tests.test_notice_print import CHAR, LEFT, RIGHT, Text, join_runs, texts

RED_TEXT = "大兴安岭地区人力资源和社会保障局文件"
NUMBER = "大署人社呈〔2027〕3号"
LONG = ("根据《关于开展大兴安岭地区“兴安技术能手”选树工作的通知》要求，经单位推荐和个人自荐、择优推荐、"
        "资格初审、专家评审和社会公示，现将拟表彰人选提请审议。")
ROWS = tuple((str(i), name, "女" if i % 2 else "男", "大兴安岭地区加格达奇区林业局森林消防大队 中队长", "森林消防员")
             for i, name in enumerate(("王一", "李二", "张三丰", "赵四", "钱五", "孙六"), start=1))


def rich() -> Document:
    """An 上行文 with every part: its text ends on page 2, then three one-page 附件."""
    people = Table(("序号", "姓名", "性别", "工作单位及职务", "职业（工种）"), ROWS, (True, True, True, False, True),
                   caption="拟表彰人选名单")
    return Document(
        title="关于提请审议大兴安岭地区2027年度“兴安技术能手”拟表彰人选名单并印发表彰决定的请示",
        body=(Para(LONG), Heading("一、评选过程"), Para(LONG), Heading("（一）推荐和初审", 2), Para(LONG),
              Para("拟表彰人选如下：", keep_with_next=True), people, Para("妥否，请批示。")),
        organs=("大兴安岭地区人力资源和社会保障局",), date=dt.date(2027, 5, 20), sealed=True,
        mark=RED_TEXT, number=NUMBER, signer="马卉", addressee="地区人才工作小组：",
        attachment_notes=("2027年度“兴安技术能手”拟表彰人选名单", "专家评审意见", "公示情况报告（公示期间未收到异议的说明）"),
        note="（联系人：马卉，电话：0457-2756328）",
        attachments=(Attachment("2027年度“兴安技术能手”拟表彰人选名单", (people,)),
                     Attachment("专家评审意见", (Para(LONG),)),
                     Attachment("公示情况报告", (Para(LONG),))),
        copy_to=("黑龙江省人力资源和社会保障厅", "地区总工会"),
        printed_by="大兴安岭地区人力资源和社会保障局", printed_on=dt.date(2027, 5, 21),
        meta={"author": "大兴安岭地区人力资源和社会保障局"})


def joint() -> Document:
    """A 下行文 of two organs, sealed, whose text ends on page 3: the 版记 stands alone on page 4."""
    return Document(
        title="关于表彰大兴安岭地区2027年度“兴安技术能手”的决定", body=tuple(Para(LONG) for _ in range(14)),
        organs=("大兴安岭地区人力资源和社会保障局", "大兴安岭地区总工会"), date=dt.date(2027, 5, 20),
        mark=RED_TEXT, number="大署人社发〔2027〕15号", addressee="各县（区）人力资源和社会保障局，地直各单位：",
        copy_to=("地区人才工作小组",), printed_by="大兴安岭地区人力资源和社会保障局办公室")


@dataclass(frozen=True)
class Rendered:
    pdf: Path
    docx_pdf: Path | None
    html: str
    found: list[Text]
    joint_pdf: Path
    joint_found: list[Text]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    folder = tmp_path_factory.mktemp("gongwen")
    ctx = RunContext(load_edition(DEMO), quiet=True)
    pdf, docx, page = write_all(ctx, rich(), folder, "请示", html=True)
    printed = print_docx([(docx, "rich")], folder / "lo", folder / "profile").get(docx) if libreoffice() else None
    joint_pdf = folder / "决定.pdf"
    write_pdf(ctx, joint(), joint_pdf)
    return Rendered(pdf, printed if isinstance(printed, Path) else None, page.read_text(encoding="utf-8"),
                    join_runs(texts(pdf), gap=4), joint_pdf, join_runs(texts(joint_pdf), gap=4))


def find(found: list[Text], start: str) -> Text:
    return next(t for t in found if t.text.replace(" ", "").startswith(start))


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def red_rows(pdf: Path) -> dict[int, tuple[int, int]]:
    """Page 1 at 100 dpi: row (mm from the top) → leftmost and rightmost pure-red pixel (mm)."""
    image = raster.page(pdf, 1, dpi=100)
    rows: dict[int, tuple[int, int]] = {}
    data, width = image.tobytes(), image.width
    for y in range(image.height):
        line = data[y * width * 3:(y + 1) * width * 3]
        xs = [x for x in range(0, width, 2) if line[3 * x] > 200 and line[3 * x + 1] < 60 and line[3 * x + 2] < 60]
        if xs:
            rows[round(y * 25.4 / 100)] = (round(xs[0] * 25.4 / 100), round(xs[-1] * 25.4 / 100))
    return rows


def test_red_head_and_red_rule(rendered: Rendered) -> None:
    for pdf, top in ((rendered.pdf, 80), (rendered.joint_pdf, 35)):
        rows = red_rows(pdf)
        assert rows, "发文机关标志和分隔线应为红色"
        assert top - 1 <= min(rows) <= top + 4, (pdf.name, min(rows))      # mark's top 35 / 80 mm down
        wide = [y for y, (a, b) in rows.items() if b - a >= 150]
        assert wide, "红色分隔线与版心等宽"
        a, b = rows[wide[0]]
        assert a >= LEFT - 1 and b <= RIGHT + 1
        number = find(rendered.found if pdf == rendered.pdf else rendered.joint_found, "大署人社")
        assert 2.5 <= wide[0] - number.bottom <= 5.5, "分隔线在发文字号之下 4 mm"


def test_docno_left_and_signer_right_on_one_line(rendered: Rendered) -> None:
    number, signer, name = find(rendered.found, NUMBER), find(rendered.found, "签发人："), find(rendered.found, "马卉")
    assert abs(number.left - (LEFT + CHAR)) < 1.0, "发文字号左空一字"
    assert abs(name.right - (RIGHT - CHAR)) < 1.0 and -0.1 <= name.left - signer.right < 1.0, "签发人右空一字"
    assert abs(number.bottom - signer.bottom) < 1.0 and abs(name.bottom - signer.bottom) < 1.5
    centred = find(rendered.joint_found, "大署人社发")
    assert abs((centred.left + centred.right) / 2 - (LEFT + RIGHT) / 2) < 1.0, "下行文的发文字号居中"


def test_title_in_balanced_centred_lines(rendered: Rendered) -> None:
    lines = title_lines(rich().title)
    assert len(lines) == 3 and "".join(lines) == rich().title
    for line in lines:
        t = find(rendered.found, line)
        assert abs((t.left + t.right) / 2 - (LEFT + RIGHT) / 2) < 1.0, line
    assert all(not line.endswith("“") for line in lines)


def test_banji_at_the_foot_of_an_even_last_page(rendered: Rendered) -> None:
    for pdf, found in ((rendered.pdf, rendered.found), (rendered.joint_pdf, rendered.joint_found)):
        count = pages(pdf)
        assert count % 2 == 0, pdf.name
        copy = find(found, "抄送：")
        by = next(t for t in found if t.page == count and t.top > copy.top and t.text.startswith("大兴安岭地区"))
        on = next(t for t in found if t.page == count and t.text.endswith("日印发"))
        assert copy.page == count and abs(by.top - on.top) < 1
        assert 297 - 35 - 10 < on.bottom <= 297 - 35 + 0.5, on
        assert abs(by.left - (LEFT + 14 / 72 * 25.4)) < 0.8 and abs(on.right - (RIGHT - 14 / 72 * 25.4)) < 0.8
    # the rich document's text ends on page 6 with room: the 版记 shares it
    assert find(rendered.found, "附件3").page == 6 == pages(rendered.pdf)
    # the joint one's ends on page 3: the 版记 stands alone on page 4, which has no page number
    assert find(rendered.joint_found, "大兴安岭地区总工会").page == 3 and pages(rendered.joint_pdf) == 4
    assert not any(t.text.replace(" ", "") == "—4—" for t in rendered.joint_found)


def test_fonts_embedded(rendered: Rendered) -> None:
    out = subprocess.run(["pdffonts", str(rendered.pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows and all(re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", r) for r in rows), out


def test_each_attachment_on_a_new_page(rendered: Rendered) -> None:
    sign = find(rendered.found, "2027年5月20日")
    note = find(rendered.found, "（联系人")
    assert note.page == sign.page and 0 < note.top - sign.top < 12, "附注在成文日期下一行"
    labels = [find(rendered.found, f"附件{i}") for i in (1, 2, 3)]
    assert [t.page for t in labels] == [sign.page + 1, sign.page + 2, sign.page + 3]
    for t in labels:
        assert abs(t.left - LEFT) < 0.5 and t.top < 37 + 10, "“附件1”在版心左上角"
    notes = [t for t in rendered.found if t.page == sign.page and re.match(r"(附件：)?\d\.", t.text)]
    assert len(notes) == 3
    assert abs(notes[0].left - (LEFT + 2 * CHAR)) < 0.8
    first_name = notes[0].left + 4 * CHAR   # “附件：1.” = 3 + 1 characters
    assert all(abs(n.left - (first_name - CHAR)) < 0.8 for n in notes[1:]), "序号对齐"


def test_docx_prints_the_same_pages_and_text(rendered: Rendered) -> None:
    if rendered.docx_pdf is None:
        pytest.skip("LibreOffice is not installed")
    assert pages(rendered.docx_pdf) == pages(rendered.pdf)

    def chars(pdf: Path) -> collections.Counter[str]:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        text = re.sub(r"—\s*\d+\s*—", "", text)
        return collections.Counter(ch for ch in text if not ch.isspace())

    assert chars(rendered.docx_pdf) == chars(rendered.pdf)
    found = join_runs(texts(rendered.docx_pdf), gap=4)
    assert find(found, "附件1").page == find(rendered.found, "附件1").page and find(found, "抄送：").page == pages(rendered.pdf)


def test_web_page_is_self_contained(rendered: Rendered) -> None:
    html = rendered.html
    assert 'name="viewport"' in html and "拟表彰人选名单" in html and "马卉" in html
    assert not re.search(r"(src|href)=|@import|url\(", html), "no external fetch"


def test_joint_seals_stay_inside_and_apart() -> None:
    layout = joint_layout(("大兴安岭地区人力资源和社会保障局", "大兴安岭地区总工会", "共青团大兴安岭地委"), "2027年5月20日")
    radius = SEAL_SPACE_MM / 2 / CHAR
    for centres in layout.centres:
        assert all(radius - 0.01 <= c for c in centres) and all(c + radius <= 28 for c in centres)
        assert all(b - a >= 2 * radius for a, b in zip(centres, centres[1:], strict=False))
    assert layout.row_gap_lines >= 1 and len(layout.rows) == 2


def test_preflight_checks_official_documents(rendered: Rendered, tmp_path: Path) -> None:
    from pipeline.preflight import gongwen_findings, roles
    from pipeline.review.render import html_to_pdf

    assert "gongwen" in roles("decision/表彰决定.pdf") and "gongwen" in roles("check/反馈/某单位-审核意见反馈单.pdf")
    assert "gongwen" in roles("announce/选拔公告.pdf") and "gongwen" not in roles("announce/照片要求.pdf")
    assert gongwen_findings(rendered.pdf, "decision/提请审议的请示.pdf") == []
    assert gongwen_findings(rendered.joint_pdf, "decision/表彰决定.pdf") == []   # 版记 alone on its page: fine
    bad = tmp_path / "bad.pdf"
    html_to_pdf("<style>@page { size: A4; margin: 37mm 26mm 35mm 28mm } p { margin: 0; font-size: 16pt }</style>"
                + "<p>正文第一行</p>" * 3 + "<p style='margin-left: -15mm'>伸出版心的一行</p>"
                + "<p style='break-before: page'>孤零零的一行</p>", bad, title="t", author="a",
                when=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    found = gongwen_findings(bad, "decision/表彰决定.pdf")
    assert [(f.code, f.page) for f in found] == [("PF_OUTSIDE_TEXT_AREA", 1), ("PF_SHORT_PAGE", 2)]
    assert "伸出版心" in found[0].message and "孤零零的一行" in found[1].message


def test_a_title_with_a_year_that_only_just_fits_goes_on_two_balanced_lines() -> None:
    """The 决定's 附件 title counts exactly 20 characters, but the stand-in 小标宋's digits are wider
    than half a character: on one line it wrapped and left “单” alone."""
    from pipeline.gongwen.layout import title_lines

    assert title_lines("大兴安岭地区2027年度“兴安技术能手”名单") == ("大兴安岭地区2027年度", "“兴安技术能手”名单")
    assert title_lines("兴安技术能手名单") == ("兴安技术能手名单",)
