"""Seal spaces where a document is sealed: the 颁奖及补贴发放表 PDF and the 评审结果 PDF.

Both end with the 署名 and 成文日期 of a sealed document per GB/T 9704-2012 §7.3.5.1 (the date
right-aligned four characters from the right, the organ centred over it, a 45 mm seal pressing
both, its top within one line of the text above), on the page of the last table rows. Each is
rendered through the stage's own function with 1, 10 and 20 rows of the longest realistic names
and units, and measured with pdfplumber in millimetres.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.review.notice import SEAL_SPACE_MM, sealed_layout
from pipeline.review.render import html_to_pdf
from pipeline.rules.workdays import cn_date
from tests.review_fixtures import DEMO
from tests.seal_fixtures import CHAR_MM, LINE_MM, NAMES, UNIT40, Box, page_boxes, seal_space

COUNTS = (1, 10, 20)
WHEN = dt.datetime(2027, 5, 20, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Doc:
    """One rendered document, as the office prints it."""

    pages: list[tuple[list[Box], list[Box]]]
    """Words and rules (lines, rects, curves) of each page."""
    content: tuple[float, float, float]
    """Left edge, right edge and foot of the page's content box, in mm."""
    organ: str
    """The 署名."""
    date: str
    """The 成文日期."""
    last_row: str
    """A word only the last table row holds."""
    rows: list[str]
    """A word per table row (序号 or 编号), in order."""
    keep: list[str]
    """Values that must stay on one line (names, amounts, scores, 合计)."""


def _read(pdf: Path) -> list[tuple[list[Box], list[Box]]]:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return [page_boxes(page) for page in doc.pages]


def _subsidy(ctx: RunContext, count: int, target: Path) -> Doc:
    from pipeline.certificates import settings as certificate_settings
    from pipeline.render.fonts import resolve_fonts
    from pipeline.stages import certificates

    edition = ctx.edition
    rows = [{"序号": i + 1, "姓名": NAMES[i % len(NAMES)], "单位": UNIT40, "证书编号": f"XATN-2027-{i + 1:03d}",
             "金额": 100000.0} for i in range(count)]
    common = certificates._common(ctx, certificate_settings.certificate_options(edition), resolve_fonts(edition.fonts))
    target.write_bytes(certificates.subsidy_pdf(ctx, common, rows, 100000.0))
    total = f"{100000 * count:,.2f}"
    return Doc(_read(target), (16, 210 - 16, 297 - 18), edition.office.bureau,
               cn_date(edition.certificates.issue_date), f"XATN-2027-{count:03d}",
               [f"XATN-2027-{i + 1:03d}" for i in range(count)], [*NAMES[:count], "100,000.00", total, "合计"])


def _results(ctx: RunContext, count: int, target: Path) -> Doc:
    from pipeline.stages import results

    edition = ctx.edition
    criteria, experts = edition.review.criteria, tuple(edition.review.experts)
    rows: list[dict[str, Any]] = [
        {"place": i + 1, "code": f"N{i + 1:02d}", "name": NAMES[i % len(NAMES)], "unit": UNIT40,
         "means": ["91.25"] * len(criteria), "experts": [("90.12", e != 1) for e in range(len(experts))],
         "total": "100.00" if i == 0 else "89.87", "selected": i < 5,
         "status": "入选（领导小组决定）" if i == 4 else ("入选" if i < 5 else "未入选")} for i in range(count)]
    fake = SimpleNamespace(criteria=criteria, experts=experts, outcome=SimpleNamespace(selected=set(range(5))))
    html = results.render_results_html(ctx, fake, rows, "专家评审组 5 名专家对提名人选分别评分。",  # type: ignore[arg-type]
                                       ["评分表（孙海燕）的工作表保护被取消，内容核对无误。"])
    html_to_pdf(html, target, title="评审结果", author=edition.office.name, when=WHEN)
    return Doc(_read(target), (15, 297 - 15, 210 - 16), edition.office.name,
               cn_date(edition.phases["expert_review"].end), f"N{count:02d}",
               [f"N{i + 1:02d}" for i in range(count)],
               [*NAMES[:count], "100.00", *(("89.87", "未入选", "入选") if count > 5 else ())])


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, int], Doc]]:
    folder = tmp_path_factory.mktemp("seals")
    ctx = RunContext(load_edition(DEMO), quiet=True)
    out = {}
    for count in COUNTS:
        out["发放表", count] = _subsidy(ctx, count, folder / f"颁奖及补贴发放表-{count}.pdf")
        out["评审结果", count] = _results(ctx, count, folder / f"评审结果-{count}.pdf")
    yield out


CASES = [(kind, count) for kind in ("发放表", "评审结果") for count in COUNTS]


def _block(doc: Doc) -> tuple[int, Box, list[Box]]:
    """The page index, the date and the 署名 lines (top to bottom) of the signature block."""
    found = [(i, w) for i, (words, _) in enumerate(doc.pages) for w in words if w.text == doc.date]
    assert found, f"no 成文日期 {doc.date}"
    index, date = found[-1]
    words = doc.pages[index][0]
    organ = sorted((w for w in words if w.text in doc.organ and w.bottom <= date.top + 0.5
                    and w.top > date.top - 4 * LINE_MM and w.x1 > date.x0 - 20), key=lambda w: w.top)
    assert "".join(w.text for w in organ) == doc.organ, organ
    return index, date, organ


@pytest.mark.parametrize(("kind", "count"), CASES)
def test_date_four_characters_from_the_right_and_organ_centred_over_it(docs: dict[tuple[str, int], Doc],
                                                                       kind: str, count: int) -> None:
    doc = docs[kind, count]
    _, date, organ = _block(doc)
    right = doc.content[1]
    assert date.x1 == pytest.approx(right - 4 * CHAR_MM, abs=1.0)
    centre = (date.x0 + date.x1) / 2
    assert [w.text for w in organ] == list(sealed_layout(doc.organ, doc.date).organ_lines)
    for line in organ:
        assert (line.x0 + line.x1) / 2 == pytest.approx(centre, abs=1.0), line.text
    assert date.top - organ[-1].bottom < LINE_MM  # consecutive lines


@pytest.mark.parametrize(("kind", "count"), CASES)
def test_a_45_mm_seal_space_is_clear_and_on_the_page_of_the_last_rows(docs: dict[tuple[str, int], Doc],
                                                                      kind: str, count: int) -> None:
    doc = docs[kind, count]
    index, date, organ = _block(doc)
    words, rules = doc.pages[index]
    seal = seal_space(words, rules, date, organ, SEAL_SPACE_MM)
    assert not seal.intruders, seal.intruders
    left, right, foot = doc.content
    assert seal.cx - seal.r >= left and seal.cx + seal.r <= right, "the seal stays inside the type area"
    assert seal.cy + seal.r <= foot + 0.5, "the seal space ends above the foot of the page"
    assert seal.gap_above is not None and seal.gap_above <= LINE_MM + 0.5, "the seal's top within one line of the text"
    # The last rows are on the page of the seal: never a signature block alone on a page, and no
    # table page with fewer than three rows.
    texts = [w.text for w in words]
    assert doc.last_row in texts
    assert sum(t in texts for t in doc.rows) >= min(count, 3)


@pytest.mark.parametrize(("kind", "count"), CASES)
def test_names_amounts_and_scores_never_wrap(docs: dict[tuple[str, int], Doc], kind: str, count: int) -> None:
    doc = docs[kind, count]
    texts = {w.text for words, _ in doc.pages for w in words}
    for value in doc.keep:
        assert value in texts, f"“{value}” is broken across lines"
    last_row = max(i for i, (words, _) in enumerate(doc.pages) if any(w.text == doc.last_row for w in words))
    assert last_row == len(doc.pages) - 1, "nothing but the signature follows the last rows"
