"""提名人选名单 (PDF) as the leading group receives it: the 署名 and 成文日期 of a sealed document
placed per GB/T 9704-2012 §7.3.5.1 — the date right-aligned four characters from the right edge
of the 版心, the organ centred above it, a seal space of 45 mm pressing both whose top is within
one line of the table, on the page of the last rows and clear of every other text and rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from pipeline.stages.shortlist import build_shortlist
from tests.review_fixtures import TRADES, shortlist_edition
from tests.seal_fixtures import CHAR_MM, LINE_MM, Box, page_boxes, seal_space

TEXT_RIGHT_MM = 210 - 26
"""Right edge of the 版心 (GB/T 9704: 订口 28 mm, 版心 156 mm)."""
SEAL_MM = 45.0
COUNTS = (3, 8, 9, 40)
"""Rows: the block on the table's page; at the foot of the first page; pushed to page 2; 40 rows."""


@dataclass(frozen=True)
class LastPage:
    """The page that holds the 成文日期."""

    words: list[Box]
    rules: list[Box]
    pages: int
    date: str
    organ: str
    texts: list[str]
    """Every word of the document (all pages)."""
    smallest: float
    """The smallest glyph of the document, in points."""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, LastPage]]:
    import pdfplumber

    out: dict[int, LastPage] = {}
    for count in COUNTS:
        root = tmp_path_factory.mktemp(f"shortlist{count}")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("XN_OUTPUT", str(root / "out"))
            mp.setenv("XN_STATE", str(root / "state"))
            ctx = shortlist_edition(root, mp, count, count)
            shortlist = build_shortlist(ctx)
        date = ctx.edition.phases["preliminary"].end
        with pdfplumber.open(shortlist.folder / "提名人选名单.pdf") as pdf:
            texts = [w["text"] for page in pdf.pages for w in page.extract_words()]
            smallest = min(c["size"] for page in pdf.pages for c in page.chars)
            for page in pdf.pages:
                words, rules = page_boxes(page, curves=False)
                if any(w.text == f"{date.year}年{date.month}月{date.day}日" for w in words):
                    out[count] = LastPage(words, rules, len(pdf.pages), f"{date.year}年{date.month}月{date.day}日",
                                          ctx.edition.office.name, texts, smallest)
        assert count in out, "no 成文日期 found"
    yield out


def _block(page: LastPage) -> tuple[Box, list[Box]]:
    """The date and the organ lines above it (the last words before the date that make up the organ)."""
    [date] = [w for w in page.words if w.text == page.date]
    organ: list[Box] = []
    above = sorted((w for w in page.words if w.bottom <= date.top + 0.1), key=lambda w: w.top, reverse=True)
    text = ""
    for w in above:
        if not page.organ.endswith(w.text + text):
            break
        organ.insert(0, w)
        text = w.text + text
        if text == page.organ:
            break
    assert text == page.organ, f"署名 not found above the date: {text!r}"
    return date, organ


@pytest.mark.parametrize("count", COUNTS)
def test_date_four_characters_from_the_right_and_organ_centred_over_it(rendered: dict[int, LastPage],
                                                                       count: int) -> None:
    date, organ = _block(rendered[count])
    assert date.x1 == pytest.approx(TEXT_RIGHT_MM - 4 * CHAR_MM, abs=1.0)
    centre = (date.x0 + date.x1) / 2
    for line in organ:
        assert (line.x0 + line.x1) / 2 == pytest.approx(centre, abs=1.0), line.text
        assert line.x1 <= TEXT_RIGHT_MM + 0.5
    assert date.top - organ[-1].bottom < LINE_MM  # consecutive lines


@pytest.mark.parametrize("count", COUNTS)
def test_seal_space_of_45_mm_is_clear_and_on_the_page(rendered: dict[int, LastPage], count: int) -> None:
    page = rendered[count]
    date, organ = _block(page)
    seal = seal_space(page.words, page.rules, date, organ, SEAL_MM)
    assert not seal.intruders, seal.intruders
    assert seal.cx - seal.r >= 28 - 0.5 and seal.cx + seal.r <= TEXT_RIGHT_MM + 0.5  # inside the 版心
    assert seal.cy + seal.r <= 297 - 35 + 0.5  # above the foot of the 版心 (the folio is below)
    assert seal.gap_above is not None and seal.gap_above <= LINE_MM + 0.5  # top within one line of the text


@pytest.mark.parametrize("count", COUNTS)
def test_signature_never_stands_on_a_page_without_rows(rendered: dict[int, LastPage], count: int) -> None:
    page = rendered[count]
    numbers = [w for w in page.words if w.text.isdigit() and w.x0 < 40]
    assert len(numbers) >= min(count, 2)
    assert page.pages <= (1 if count <= 8 else 3)


def test_forty_rows_at_the_largest_size_that_saves_pages(rendered: dict[int, LastPage]) -> None:
    """40 rows on about two pages, 职业 and 技术等级 never wrapped, nothing below 9 pt; a short
    list keeps 五号 (10.5 pt)."""
    page = rendered[40]
    assert page.pages <= 3
    assert page.smallest >= 9 - 0.05
    for value in (*TRADES, "技师"):
        assert value in page.texts, f"“{value}” is broken across lines"
    assert rendered[3].smallest >= 10.5 - 0.05
