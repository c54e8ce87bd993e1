"""Units and occupations never broken inside a word: the 公示 (PDF and DOCX), 提名人选名单, 评审结果
and 颁奖及补贴发放表 PDFs.

Each document is rendered through its own template with the stress edition's longest units
("大兴安岭地区塔河县北药种植示范基地…", "…医疗护理员兼科室…") and short ones whose last word has
one character; the lines of every 工作单位及职务 cell are read back with pdfplumber (cell boxes
from the table's rules) and checked: every line break falls between two jieba words (or at a
space), and no line holds one character alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.core.context import RunContext
from pipeline.core.edition import Edition, load_edition
from pipeline.render.templating import nowrap_words
from pipeline.render.wordbreak import runs, words
from pipeline.review.render import font_context, html_to_pdf
from tests.review_fixtures import DEMO

UNITS = (
    "大兴安岭地区塔河县北药种植示范基地中药材种苗繁育中心 种植技术主管兼质量检测员",
    "大兴安岭地区人民医院护理部重症医学科护理单元 医疗护理员兼科室护理质量控制员",
    "大兴安岭林业集团公司新林林业局宏图林场营林生产技术组 营林技术员兼苗圃生产负责人",
    "大兴安岭地区加格达奇区暖心家政服务有限公司母婴护理培训中心 高级育婴员兼培训主管",
    "大兴安岭地区加格达奇区供热公司第三热源厂锅炉运行车间 运行班长兼锅炉安全管理员",
    "大兴安岭林业集团公司松岭林业局森林病虫害防治检疫站测报科 防治员兼有害生物监测员",
    "呼玛县白银纳鄂伦春族乡桦树皮制作技艺传习所 传承人",
    "塔河林业局专业森林消防大队 中队长",
    "加格达奇区供热公司第三热源厂 运行班长",
    "大兴安岭北药种植专业合作社（加格达奇） 技术员",
)
OCCUPATIONS = ("中药材种植员", "医疗护理员", "营林工", "育婴员", "锅炉运行值班员", "林业有害生物防治员",
               "桦树皮制作技艺（民间传统工艺）", "森林消防员", "锅炉运行值班员", "中药材种植员")
NAMES = ("乌云其其格", "阿依古丽·买买提", "欧阳建国", "上官秀兰", "王伟", "司马俊杰", "诸葛明远", "巴特尔那顺",
         "李娜", "皇甫建华")
WHEN = dt.datetime(2027, 5, 20, tzinfo=dt.UTC)


def boundaries(text: str) -> set[int]:
    """Positions in the text without spaces where jieba puts a word boundary (or a space was)."""
    out, pos = {0}, 0
    for word in words(text):
        pos += len(word.replace(" ", ""))
        out.add(pos)
    return out


def cell_lines(pdf: Path, head: str = "工作单位及职务") -> list[list[str]]:
    """The lines of every cell in the column headed `head`, in reading order, from every page."""
    import pdfplumber

    cells: list[list[str]] = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            for table in page.find_tables():
                rows = table.rows
                header = next((i for i, cell in enumerate(rows[0].cells) if cell and head in
                               (page.crop(cell).extract_text() or "").replace("\n", "")), None)
                if header is None:
                    continue
                for row in rows[1:]:
                    box = row.cells[header] if header < len(row.cells) else None
                    if box is None:
                        continue
                    text = page.crop(box).extract_text() or ""
                    lines = [line.replace(" ", "") for line in text.split("\n") if line.strip()]
                    if lines and head not in "".join(lines):
                        cells.append(lines)
    return cells


def assert_broken_between_words(cells: list[list[str]], units: list[str]) -> None:
    """Each cell holds its unit; its line breaks are word boundaries; no line of one character."""
    assert len(cells) == len(units), (len(cells), len(units))
    for lines, unit in zip(cells, units, strict=True):
        assert "".join(lines) == unit.replace(" ", ""), (lines, unit)
        cuts, pos = boundaries(unit), 0
        for line in lines[:-1]:
            pos += len(line)
            assert pos in cuts, f"broken inside a word: {' / '.join(lines)}"
        assert all(len(line) >= 2 for line in lines), f"a character alone on a line: {' / '.join(lines)}"


@pytest.fixture(scope="module")
def demo() -> Edition:
    return load_edition(DEMO)


@pytest.fixture(scope="module")
def pdfs(demo: Edition, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, list[str]]]]:
    """The four documents with the units above, rendered through their stages' templates."""
    from pipeline.certificates import settings as certificate_settings
    from pipeline.render.fonts import resolve_fonts
    from pipeline.render.templating import render
    from pipeline.review.notice import NoticeRow, build_notice
    from pipeline.rules.workdays import Period, cn_date
    from pipeline.stages import certificates, results, shortlist
    from pipeline.stages.publicity import notice_html

    folder = tmp_path_factory.mktemp("words")
    ctx = RunContext(demo, quiet=True)
    units = list(UNITS) * 2
    out: dict[str, tuple[Path, list[str]]] = {}

    days = tuple(dt.date(2027, 5, d) for d in range(10, 15))
    rows = tuple(NoticeRow(i + 1, NAMES[i % 10], "女", u, OCCUPATIONS[i % 10]) for i, u in enumerate(units))
    item = build_notice(demo, rows, Period(days[0], days[-1], days), nominated=44, shortlisted=40)
    html_to_pdf(notice_html(item, font_context(demo)), folder / "公示.pdf", title="公示", author="x", when=WHEN)
    out["公示"] = (folder / "公示.pdf", units)

    # The stress edition's shortlist: its longest occupation is 林业有害生物防治员 (with the 15-character
    # 桦树皮制作技艺（民间传统工艺） as well, the unit column keeps 4 characters: see pdf_columns).
    list_rows = [{"序号": str(i + 1), "编号": f"{i + 1:03d}", "姓名": NAMES[i % 10], "性别": "男",
                  "工作单位及职务": u, "职业（工种）": OCCUPATIONS[i % 6], "技术等级": "高级技师"}
                 for i, u in enumerate(units)]
    date = cn_date(dt.date(2027, 4, 20))
    html = render("review/shortlist.html.j2", edition=demo, rows=list_rows, font=font_context(demo),
                  title_lines=("大兴安岭地区2027年度", "“兴安技术能手”提名人选名单"), total=44, count=len(units),
                  select=10, limit=40, organ=demo.office.name, date=date,
                  seal=shortlist.sealed_layout(demo.office.name, date), size=10.5,
                  cols=shortlist.pdf_columns(ctx, list_rows, 10.5))
    html_to_pdf(html, folder / "提名人选名单.pdf", title="提名人选名单", author="x", when=WHEN)
    out["提名人选名单"] = (folder / "提名人选名单.pdf", units)

    criteria, experts = demo.review.criteria, tuple(demo.review.experts)
    result_rows: list[dict[str, Any]] = [
        {"place": i + 1, "code": f"N{i + 1:02d}", "name": NAMES[i % 10], "unit": u,
         "means": ["91.25"] * len(criteria), "experts": [("90.12", True) for _ in experts],
         "total": "89.87", "selected": i < 5, "status": "入选" if i < 5 else "未入选"} for i, u in enumerate(units)]
    fake = SimpleNamespace(criteria=criteria, experts=experts, outcome=SimpleNamespace(selected=set(range(5))))
    html = results.render_results_html(ctx, fake, result_rows, "专家评审组对提名人选分别评分。", [])  # type: ignore[arg-type]
    html_to_pdf(html, folder / "评审结果.pdf", title="评审结果", author="x", when=WHEN)
    out["评审结果"] = (folder / "评审结果.pdf", units)

    sub_rows = [{"序号": i + 1, "姓名": NAMES[i % 10], "单位": u, "证书编号": f"XATN-2027-{i + 1:03d}",
                 "金额": 100000.0} for i, u in enumerate(units)]
    common = certificates._common(ctx, certificate_settings.certificate_options(demo), resolve_fonts(demo.fonts))
    (folder / "颁奖及补贴发放表.pdf").write_bytes(certificates.subsidy_pdf(ctx, common, sub_rows, 100000.0))
    out["颁奖及补贴发放表"] = (folder / "颁奖及补贴发放表.pdf", units)
    yield out


@pytest.mark.parametrize("kind", ["公示", "提名人选名单", "评审结果", "颁奖及补贴发放表"])
def test_units_break_only_between_words(pdfs: dict[str, tuple[Path, list[str]]], kind: str) -> None:
    pdf, units = pdfs[kind]
    assert_broken_between_words(cell_lines(pdf), units)


def test_notice_docx_units_break_only_between_words(demo: Edition, tmp_path: Path) -> None:
    """The DOCX cell holds the unit's lines joined by line breaks, each no wider than the cell."""
    from docx import Document

    from pipeline.packets.docx_form import docx_measure
    from pipeline.review.notice import (
        CELL_PAD_MM,
        NoticeRow,
        build_notice,
        docx_fonts,
        table_layout,
        write_docx,
    )
    from pipeline.rules.workdays import Period

    days = tuple(dt.date(2027, 5, d) for d in range(10, 15))
    rows = tuple(NoticeRow(i + 1, NAMES[i % 10], "男", u, OCCUPATIONS[i % 10]) for i, u in enumerate(UNITS))
    item = build_notice(demo, rows, Period(days[0], days[-1], days), nominated=44, shortlisted=40)
    measure = docx_measure(demo.fonts)
    write_docx(item, tmp_path / "公示.docx", docx_fonts(demo), author="x", when=WHEN, measure=measure)
    fit = table_layout(rows)
    width = fit.widths_mm[3] - 2 * CELL_PAD_MM
    table = Document(str(tmp_path / "公示.docx")).tables[0]
    cells = []
    for row in table.rows[1:]:
        lines = row.cells[3].text.split("\n")
        cells.append([line.replace(" ", "") for line in lines])
        for line in lines:
            assert measure.width(line, fit.size_pt) / (72 / 25.4) <= width, line
    assert_broken_between_words(cells, list(UNITS))
    assert any(len(lines) > 1 for lines in cells)


def test_runs_glue_single_characters() -> None:
    for text in UNITS:
        groups = runs(text)
        assert "".join(groups) == text
        assert all(len(g) >= 2 or g.isspace() for g in groups), groups
    assert runs("加格达奇区供热公司第三热源厂 运行班长")[:5] == ["加格达奇区", "供热", "公司", "第三", "热源厂"]
    assert runs("大兴安岭北药种植专业合作社（加格达奇） 技术员")[:2] == ["大兴安岭", "北药"]
    assert "（加格达奇）" in runs("大兴安岭北药种植专业合作社（加格达奇） 技术员")
    assert runs("某单位 长") == ["某单位 长"]
    html = str(nowrap_words("A&B<x> 工程师"))
    assert "&lt;x&gt;" in html and "<x>" not in html
    assert re.findall(r'<span style="white-space:nowrap">([^<]*)</span>', html) == ["A&amp;B&lt;x&gt;", "工程师"]


class EmWidth:
    """Every character one em wide (the rules, not the fonts, are under test)."""

    def width(self, text: str, size: float, tracking: float = 0.0) -> float:
        return len(text) * (size + tracking)


def test_one_set_of_rules_for_every_line() -> None:
    """The PDF's and the DOCX's résumé, 简要事迹 (prose) and units break alike: "第01车间", a date
    range and "第十三期" whole, the name dot never ends a line, no line of one character, a
    space kept where a line does not break at it."""
    from pipeline.render.wordbreak import break_lines, weight

    text = "2017.09—2018.03 阿依古丽·买买提在第01车间组织技能比武集训第十三期，节约100,000.00元 班长"
    for by_words in (True, False):
        for chars in range(15, 40):  # from the narrowest line that holds the date range
            lines = break_lines(text, chars * 12 / (72 / 25.4), 12, EmWidth(), by_words=by_words, at_spaces=False)
            assert "".join(lines).replace(" ", "") == text.replace(" ", ""), (chars, lines)
            for whole in ("第01车间", "2017.09—2018.03", "第十三期", "100,000.00元"):
                assert any(whole in line for line in lines), (chars, whole, lines)
            assert not any(line.endswith("·") or line.startswith("·") for line in lines), lines
            assert all(weight(line) >= 2 for line in lines), (chars, lines)
            assert all(len(line) <= chars for line in lines), (chars, lines)


def test_jieba_s_dictionary_comes_from_the_project_cache_and_a_broken_cache_is_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The prefix dictionary is loaded from ~/.cache/xingan-nengshou/jieba (one marshal string, a third of
    jieba's own load time); the words are jieba's own, and a damaged cache file is replaced, not trusted."""
    import jieba

    from pipeline.render import wordbreak

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = "大兴安岭林业集团公司新林林业局宏图林场营林生产技术组营林技术员"
    own = jieba.Tokenizer()
    own.initialize()
    expected = [w for w in own.cut(text, HMM=False) if w]
    wordbreak._segmenter.cache_clear()
    try:
        assert words(text) == expected
        (cached,) = (tmp_path / "xingan-nengshou" / "jieba").iterdir()
        assert cached.stat().st_size > 1_000_000
        wordbreak._segmenter.cache_clear()
        with monkeypatch.context() as patch:  # from the cache, or this fails
            patch.setattr(jieba.Tokenizer, "initialize", lambda *_: pytest.fail("jieba's own cache read"))
            assert wordbreak._segmenter().FREQ == own.FREQ  # type: ignore[attr-defined]
        cached.write_bytes(b"\x00damaged")
        wordbreak._segmenter.cache_clear()
        assert words(text) == expected
        assert cached.stat().st_size > 1_000_000
    finally:
        wordbreak._segmenter.cache_clear()
