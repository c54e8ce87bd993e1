"""The newspaper special page (特刊): awardees → colour / grey-scale print PDFs and proof PNGs.

The page is a grid of absolutely positioned frames (WeasyPrint cannot break columns inside
fixed boxes): a masthead banner that bleeds off the top, the introduction, then one card per
awardee — photo, name, unit and trade, the profile from 简要事迹. `plan_pages` picks the grid
(columns × rows, rows balanced so the page is filled evenly) and the largest profile size that
fits, from an estimate of the CJK line breaks; the laid-out document is then measured and a
page whose text would pass its card is set one size smaller, while a card left short takes more
先进事迹 and then a little more leading, so every card of a row ends at the row's foot. A long
name (a Latin name, 阿依古丽·买买提) steps down beside the photo, then wraps between its words,
or goes above the photo; it is never cut. More awardees than fit one page
continue on the next, balanced over the pages.

Print geometry: TrimBox = the page size, BleedBox = TrimBox + bleed, MediaBox = BleedBox + a
slug with crop marks and a slug line. Photos are printed no larger than their pixels allow at
min_dpi, unless the edition fixes photo_width_mm (then a too-small photo is named in a warning).
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

from pipeline.core.errors import RenderError
from pipeline.media.entries import MediaEntry
from pipeline.media.palette import FontInfo, grey_jpeg, name_width_mm, press_palette
from pipeline.media.prepress import PressProfile, cmyk_jpeg, write_press_pdf
from pipeline.media.render import layout, measure, overflows, release
from pipeline.media.settings import MediaKitSettings
from pipeline.media.text import (
    display_len,
    excerpt_units,
    fit_name,
    is_heading,
    name_em,
    name_spans,
    word_spans,
)
from pipeline.render.templating import render
from pipeline.render.weasy import image_url

PT = 25.4 / 72
"""Millimetres per point."""
SLUG_MM = 10.0
"""Slug outside the bleed, for crop marks and the slug line."""
LADDER_STEP = 0.5
"""Profile sizes tried, in points, from font_max_pt down to font_min_pt."""


@dataclass(frozen=True)
class Frame:
    """A positioned rectangle on the page, in mm from the trimmed page's top-left corner."""

    ident: str
    """HTML id."""
    x: float
    """Left."""
    y: float
    """Top."""
    w: float
    """Width."""
    h: float
    """Height."""

    def css(self) -> str:
        """Inline CSS placing the frame."""
        return f"left:{self.x:.2f}mm;top:{self.y:.2f}mm;width:{self.w:.2f}mm;height:{self.h:.2f}mm"


@dataclass(frozen=True)
class Card:
    """One awardee's card on a page."""

    entry: MediaEntry
    """The awardee."""
    frame: Frame
    """Where the card goes."""
    photo_mm: tuple[float, float]
    """Printed photo width and height."""
    pad_top_mm: float
    """Extra space above the content (centres short content in a tall card)."""
    extra: tuple[str, ...] = ()
    """Paragraphs of the 先进事迹 set after the profile where the card has room (each whole, or cut after
    an excerpt unit: fill_extra)."""
    text_columns: int = 1
    """Columns the card's text is set in (newspaper measures of at most about 24 characters)."""
    leading: float = 1.62
    """Line height of the card's text (em): opened a little so the text reaches the card's foot."""


@dataclass(frozen=True)
class PagePlan:
    """One special page."""

    number: int
    """1-based page number."""
    total: int
    """Number of pages of the special."""
    font_pt: float
    """Body text size (the same on every page of the special)."""
    cards: tuple[Card, ...]
    """The awardees of this page."""
    columns: int
    """Cards in the widest row."""


@dataclass(frozen=True)
class Geometry:
    """The fixed parts of a page: where the grid goes."""

    grid: Frame
    """The area the cards share."""
    gutter: float
    """Space between cards."""
    scale: float
    """Text area width / 350 mm: sizes of the fixed parts grow with the page."""


@dataclass(frozen=True)
class SpecialPage:
    """What build_special_page wrote."""

    colour_pdf: Path
    """特刊-彩色.pdf."""
    grey_pdf: Path | None
    """特刊-黑白.pdf (None when greyscale = false)."""
    proofs: tuple[Path, ...]
    """特刊-校样-第N版.png, one per page."""
    pages: tuple[PagePlan, ...]
    """The layout."""
    warnings: tuple[str, ...]
    """Problems an editor must know (photos below min_dpi)."""
    pdfx: Path | None
    """特刊-PDFX.pdf when produced."""
    pdfx_note: str
    """Why there is (or is not) a PDF/X variant."""


# ---- estimating text height --------------------------------------------------------------

def _em_widths(text: str) -> list[float]:
    """Text → width of every character in em (CJK 1, others 0.55)."""
    return [1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text]


def _flow(text: str, size_mm: float, line_mm: float, y: float, indent_em: float,
          width_at: Any) -> float:
    """Simulate line breaking: returns y below the last line (mm)."""
    widths = _em_widths(text)
    if not widths:
        return y
    pos = indent_em
    lines = 1
    for w in widths:
        avail = width_at(y) / size_mm - 0.6  # slack for punctuation that may not start a line
        if pos + w > avail and pos > 0:
            y += line_mm
            lines += 1
            pos = 0.0
        pos += w
    return y + line_mm


MAX_MEASURE_CHARS = 24
"""Newspaper columns hold at most about this many characters a line."""
COLUMN_GAP_EM = 1.5
"""Gap between columns (cards and 编者按)."""


def columns_for(width_mm: float, size_mm: float, max_chars: float = MAX_MEASURE_CHARS) -> int:
    """A text width → how many columns keep each line to about max_chars characters."""
    gap = COLUMN_GAP_EM * size_mm
    return max(1, math.ceil((width_mm + gap) / (max_chars * size_mm + gap) - 0.05))


def text_columns(inner_w: float, font_pt: float) -> int:
    """Card text width → how many columns the card's text takes (newspaper measures)."""
    return columns_for(inner_w, font_pt * PT)


NAME_EM = 1.9
"""The name beside the photo is set at this many times the card's text size …"""
NAME_FLOOR_EM = 1.4
"""… stepping down to this on one line (a name of several words; a name without spaces steps down to
NAME_SMALLEST_EM on one line); a name still too long wraps between its words …"""
NAME_SMALLEST_EM = 1.0
"""… at a size no smaller than the card's text."""


def beside_mm(inner_w: float, photo_w: float, font_pt: float) -> float:
    """The width beside a card's photo (mm), where the name goes: photo, its frame and a 1 em gap taken off."""
    return inner_w - photo_w - 0.7 - font_pt * PT - 0.5


@dataclass(frozen=True)
class CardName:
    """A card's name as set."""

    size: float
    """Type size (pt)."""
    lines: tuple[str, ...]
    """Its lines (text.fit_name)."""
    above: bool
    """Set across the card above the photo: a word of it is too long to stand beside the photo."""


def name_heading(name: str, inner_w: float, photo_w: float, font_pt: float,
                 width_mm: Callable[[str, float], float] | None = None) -> CardName:
    """A card's name → its size (pt) and lines beside the photo, or across the card above the photo
    when a word of it does not fit beside it: never cut, never wider than its room.

    `width_mm` measures with the face itself (palette.name_width_mm) when the page is set; without
    it (planning) an estimate that errs wide gives the lines, so the set name is never taller.
    """
    top, smallest = font_pt * NAME_EM, font_pt * NAME_SMALLEST_EM
    sizes = [top - i * LADDER_STEP for i in range(int((top - smallest) / LADDER_STEP) + 1)]
    measure = width_mm or (lambda text, size: name_em(text) * size * PT)
    # A name without spaces (阿依古丽·买买提) is one word to its reader: it steps down to the text size
    # on one line, and rather than wrap at its "·" it goes above the photo, across the card; a Latin
    # name wraps between its words below NAME_FLOOR_EM.
    one_word = not any(ch.isspace() for ch in name.strip())
    floor_em = NAME_SMALLEST_EM if one_word else NAME_FLOOR_EM
    fit = fit_name(name, beside_mm(inner_w, photo_w, font_pt), sizes, font_pt * floor_em, measure)
    if not fit.broken and (len(fit.lines) == 1 or not one_word):
        return CardName(fit.size, fit.lines, False)
    floor = [size for size in sizes if size <= font_pt * NAME_FLOOR_EM + 1e-6]  # no larger than its neighbours
    fit = fit_name(name, inner_w - 0.5, floor, floor[0], measure, max_lines=2)
    return CardName(fit.size, fit.lines, True)


def _head_mm(entry: MediaEntry, inner_w: float, font_pt: float, photo: tuple[float, float]) -> float:
    """Height (mm) of the card's head: photo, the name beside it, unit and 职业 under it (full width)."""
    f = font_pt * PT
    float_w = photo[0] + 0.7 + f + 0.5
    float_bottom = photo[1] + 0.7 + 0.5 * f

    def width_at(y: float) -> float:
        """Height in the card → line width there (narrower beside the photo)."""
        return inner_w - float_w if y < float_bottom else inner_w

    name = name_heading(entry.name, inner_w, photo[0], font_pt)
    y = (len(name.lines) * 1.25 + 0.25) * name.size * PT
    if name.above:  # the photo (and the unit under it) below the name
        float_bottom += y
    y = max(y, float_bottom)  # unit and 职业 clear the photo
    y = _flow(entry.unit, f, f * 1.4, y, 0, lambda y_: width_at(y_) - 2 * f)  # words: ragged right
    y = _flow("职业（工种）：" + entry.occupation, 0.95 * f, 0.95 * f * 1.4, y, 0, lambda y_: width_at(y_) - 2 * f)
    return max(y + 0.4 * f, float_bottom)


def card_content_mm(entry: MediaEntry, inner_w: float, font_pt: float, photo: tuple[float, float],
                    extra: tuple[str, ...] = ()) -> float:
    """Estimated content height (mm) of a card at font_pt: its head, then its text in balanced columns."""
    f = font_pt * PT
    cols = text_columns(inner_w, font_pt)
    col_w = (inner_w - (cols - 1) * COLUMN_GAP_EM * f) / cols
    y = 0.0
    for p in (entry.profile, *extra):
        y = _flow(p, f, f * 1.62, y, 2, lambda _y: col_w)
    body = y if cols == 1 else y / cols + 2 * f * 1.62
    return _head_mm(entry, inner_w, font_pt, photo) + body


def drop_last_unit(extra: tuple[str, ...]) -> tuple[str, ...]:
    """A card's 先进事迹 paragraphs → the same less their last excerpt unit (text.excerpt_units)."""
    if not extra:
        return extra
    kept = "".join(excerpt_units(extra[-1])[:-1])
    return extra[:-1] + ((kept,) if kept else ())


def deeds_pool(entry: MediaEntry) -> tuple[str, ...]:
    """The 先进事迹 paragraphs a card may add after the profile (body paragraphs, no headings or titles)."""
    return tuple(p for p in entry.deeds if not is_heading(p) and len(p) >= 40)


def fill_extra(entry: MediaEntry, inner_w: float, font_pt: float, photo: tuple[float, float],
               extra: tuple[str, ...], limit_mm: float) -> tuple[str, ...]:
    """A card's 先进事迹 paragraphs → more of them while the estimated content stays within limit_mm.

    Reading on from where `extra` stops, each paragraph of the pool is taken whole or by as many of
    its opening excerpt units (text.excerpt_units: whole sentences, a quotation with the sentence
    that names its speaker, never a short opening sentence alone) as fit; a paragraph whose first
    unit does not fit is passed over, so a shorter one further on can still close the gap. The
    order of the text is kept.
    """
    pool = [excerpt_units(p) for p in deeds_pool(entry)]
    taken = [0] * len(pool)  # units taken from each pool paragraph
    at = 0
    for para in extra:
        while at < len(pool) and not "".join(pool[at]).startswith(para):
            at += 1
        if at == len(pool):
            return extra  # not from this pool: leave it as it is
        taken[at] = next((k for k in range(len(pool[at]), 0, -1) if "".join(pool[at][:k]) == para), 0)
        at += 1

    def chosen() -> tuple[str, ...]:
        """The selection as paragraphs."""
        return tuple("".join(units[:k]) for units, k in zip(pool, taken, strict=True) if k)

    best = extra
    line = font_pt * PT * 1.62
    used = card_content_mm(entry, inner_w, font_pt, photo, extra)
    for i in range(max(at - 1, 0), len(pool)):
        if limit_mm - used < line:
            break  # not a line left
        while taken[i] < len(pool[i]):
            taken[i] += 1
            height = card_content_mm(entry, inner_w, font_pt, photo, chosen())
            if height > limit_mm:
                taken[i] -= 1
                break
            best, used = chosen(), height
    return best


# ---- planning ------------------------------------------------------------------------------

CARD_PAD_MM = 3.0
CARD_TOP_RULE_MM = 1.2


def geometry(s: MediaKitSettings, first: bool, intro: str) -> Geometry:
    """Where the cards go on a first page (masthead and introduction) or on a continuation page."""
    page_w, page_h = s.page_mm
    area_w, area_h = s.text_area_mm
    x0, y0 = (page_w - area_w) / 2, (page_h - area_h) / 2
    scale = area_w / 350
    footer = 8 * scale
    if first:
        top = y0 + masthead_mm(s) + 4 * scale + intro_height_mm(s, intro) + 4 * scale
    else:
        top = y0 + 0.07 * area_h + 5 * scale
    return Geometry(Frame("grid", x0, top, area_w, y0 + area_h - footer - top), 4 * scale, scale)


def intro_columns(s: MediaKitSettings) -> int:
    """Columns of the 编者按 (newspaper measures of at most about 24 characters)."""
    return columns_for(s.text_area_mm[0], intro_pt(s) * PT)


def intro_height_mm(s: MediaKitSettings, intro: str) -> float:
    """Height of the introduction block (mm): the '编者按' label and the text at intro_pt, line-height 1.7,
    in intro_columns balanced columns."""
    size = intro_pt(s) * PT
    cols = intro_columns(s)
    col_w = (s.text_area_mm[0] - (cols - 1) * COLUMN_GAP_EM * size) / cols
    per_line = max(1.0, col_w / size - 1.0)
    lines = math.ceil((display_len(intro) + 4) / per_line) or 1
    per_column = math.ceil(lines / cols) + (1 if cols > 1 else 0)
    return round(per_column * size * 1.7 + 1, 2)


def masthead_mm(s: MediaKitSettings) -> float:
    """Height of the masthead inside the text area, 报眉 included (mm)."""
    return 0.15 * s.text_area_mm[1]


def folio_mm(s: MediaKitSettings) -> float:
    """Height of the 报眉 (date, paper, editors, 版次 over a double rule) at the top of the text area (mm)."""
    return 9 * s.text_area_mm[0] / 350


def intro_pt(s: MediaKitSettings) -> float:
    """Size of the introduction text (pt)."""
    return 13 * s.text_area_mm[0] / 350


def _rows(n: int, columns: int) -> list[int]:
    """n cards, at most `columns` a row → cards per row, balanced (first rows one more)."""
    rows = math.ceil(n / columns)
    base, extra = divmod(n, rows)
    return [base + 1 if i < extra else base for i in range(rows)]


def _photo_native_mm(entry: MediaEntry, min_dpi: int) -> tuple[float, float]:
    """An awardee → the photo's largest print size (mm) at min_dpi."""
    with Image.open(entry.photo) as im:
        w, h = im.size
    return w * 25.4 / min_dpi, h * 25.4 / min_dpi


PHOTO_SCALES = (1.0, 0.82, 0.68)
"""Photo sizes tried (fractions of the largest that suits a card) before the text gets smaller."""
MIN_PHOTO_MM = 30.0
"""No portrait prints narrower: a face must be recognisable on newsprint."""
MAX_LADDER = 1.5
"""Few awardees may set the profile up to this many times font_max_pt (a lead-paragraph size)."""


def _arrange(entries: tuple[MediaEntry, ...], geo: Geometry, columns: int, s: MediaKitSettings,
             font_pt: float, photo_scale: float = 1.0) -> tuple[Card, ...] | None:
    """Cards for `entries` in rows of at most `columns` at size font_pt; None when one does not fit."""
    grid, gap = geo.grid, geo.gutter
    rows = _rows(len(entries), columns)
    row_h = (grid.h - gap * (len(rows) - 1)) / len(rows)
    cards: list[Card] = []
    index = 0
    inner_h = row_h - 2 * CARD_PAD_MM - CARD_TOP_RULE_MM
    for r, count in enumerate(rows):
        col_w = (grid.w - gap * (count - 1)) / count
        inner_w = col_w - 2 * CARD_PAD_MM
        for c in range(count):
            entry = entries[index]
            index += 1
            native_w, native_h = _photo_native_mm(entry, s.min_dpi)
            aspect = native_h / native_w
            if s.photo_width_mm:
                pw = s.photo_width_mm
            else:
                pw = max(MIN_PHOTO_MM, min(native_w, photo_scale * min(0.4 * inner_w, 0.62 * inner_h / aspect)))
            photo = (round(pw, 2), round(pw * aspect, 2))
            if photo[0] > 0.6 * inner_w or photo[1] > inner_h:
                return None
            if card_content_mm(entry, inner_w, font_pt, photo) > inner_h * 0.97:
                return None
            frame = Frame(f"card-{entry.seq:02d}", grid.x + c * (col_w + gap), grid.y + r * (row_h + gap),
                          col_w, row_h)
            cards.append(Card(entry, frame, photo, 0.0, (), text_columns(inner_w, font_pt)))
    # every card fits: fill them with 先进事迹 (centre what stays short)
    out = []
    for card in cards:
        inner_w = card.frame.w - 2 * CARD_PAD_MM
        extra: tuple[str, ...] = ()
        if font_pt <= s.font_max_pt:
            extra = fill_extra(card.entry, inner_w, font_pt, card.photo_mm, (), inner_h * 0.95)
        need = card_content_mm(card.entry, inner_w, font_pt, card.photo_mm, extra)
        pad = (inner_h - need) / 2 if need < inner_h * 0.5 else 0.0
        out.append(replace(card, pad_top_mm=round(pad, 2), extra=extra))
    return tuple(out)


REF_CARD_MM2 = 100 * 110
"""A card of about this area (scaled with the page) sets text at font_max_pt; fewer, larger
cards may set it up to twice as large, so a page with few awardees is still filled."""


def _ladder(s: MediaKitSettings, count: int, geo: Geometry, deeds: bool = False) -> list[float]:
    """Profile sizes to try, largest first (no larger than font_max_pt when 先进事迹 text can fill the cards)."""
    room = geo.grid.w * geo.grid.h / (count * REF_CARD_MM2 * geo.scale ** 2)
    grow = 1.0 if deeds else min(MAX_LADDER, max(1.0, math.sqrt(room)))
    top = math.floor(s.font_max_pt * grow / LADDER_STEP) * LADDER_STEP
    steps = int((top - s.font_min_pt) / LADDER_STEP + 1e-6)
    return [round(top - i * LADDER_STEP, 2) for i in range(steps + 1)]


def _best(entries: tuple[MediaEntry, ...], geo: Geometry, s: MediaKitSettings,
          below: float | None = None) -> tuple[float, int, tuple[Card, ...]] | None:
    """The largest size (below `below`, if given), then the largest photos, and the grid they fit in.

    None when nothing fits even at font_min_pt.
    """
    best: tuple[float, float, int, tuple[Card, ...]] | None = None
    for columns in range(1, min(s.columns, len(entries)) + 1):
        for size in _ladder(s, len(entries), geo, any(deeds_pool(e) for e in entries)):
            if below is not None and size >= below - 1e-6:
                continue
            if best is not None and size < best[0]:
                break
            found = False
            for photo_scale in PHOTO_SCALES:
                if best is not None and (size, photo_scale) <= best[:2]:
                    break
                cards = _arrange(entries, geo, columns, s, size, photo_scale)
                if cards is not None:
                    best = (size, photo_scale, columns, cards)
                    found = True
                    break
            if found:
                break
    return None if best is None else (best[0], best[2], best[3])


def _split(entries: tuple[MediaEntry, ...], pages: int) -> list[tuple[MediaEntry, ...]]:
    """Entries and a page count → the entries of each page, balanced."""
    base, extra = divmod(len(entries), pages)
    out, start = [], 0
    for i in range(pages):
        count = base + (1 if i < extra else 0)
        out.append(entries[start:start + count])
        start += count
    return out


def plan_pages(entries: tuple[MediaEntry, ...], s: MediaKitSettings, intro: str) -> tuple[PagePlan, ...]:
    """Awardees → the pages of the special, balanced, each with its grid and profile size."""
    if not entries:
        raise RenderError("没有拟表彰人选，无法制作特刊", hint="先运行 make results")
    first_geo, next_geo = geometry(s, True, intro), geometry(s, False, intro)
    pages = max(1, math.ceil(len(entries) / s.per_page))
    while True:
        chunks = _split(entries, pages)
        plans: list[PagePlan] = []
        for number, chunk in enumerate(chunks, start=1):
            found = _best(chunk, first_geo if number == 1 else next_geo, s)
            if found is None:
                break
            size, columns, cards = found
            plans.append(PagePlan(number, pages, size, cards, columns))
        else:
            return same_size(tuple(plans), s, intro)
        if pages >= len(entries):
            worst = max(entries, key=lambda e: len(e.profile))
            raise RenderError(
                f"{worst.name}的简介在最小字号 {s.font_min_pt:g} 磅下也排不进一个栏位",
                hint="缩短简要事迹，或在 edition.toml [media] 中调小 font_min_pt / 调大版心 text_area_mm",
                candidate=worst.candidate.label)
        pages += 1


def same_size(plans: tuple[PagePlan, ...], s: MediaKitSettings, intro: str) -> tuple[PagePlan, ...]:
    """Pages at different body sizes → every page at the smallest: one body size for the whole special."""
    while True:
        size = min(p.font_pt for p in plans)
        if all(abs(p.font_pt - size) < 1e-6 for p in plans):
            return plans
        out = []
        for p in plans:
            if p.font_pt > size + 1e-6:
                found = _best(tuple(c.entry for c in p.cards), geometry(s, p.number == 1, intro), s,
                              below=size + LADDER_STEP / 2)
                if found is None:
                    raise RenderError(f"特刊第{p.number}版的文字在最小字号下仍超出栏位",
                                      hint="在 edition.toml [media] 中调小 font_min_pt 或 per_page")
                p = replace(p, font_pt=found[0], cards=found[2], columns=found[1])
            out.append(p)
        plans = tuple(out)


def _trim(plan: PagePlan, bad: set[str], s: MediaKitSettings, intro: str) -> PagePlan:
    """A page whose cards `bad` overflow → those cards one 先进事迹 excerpt unit shorter, or the page one size smaller."""
    if all(c.extra for c in plan.cards if c.frame.ident in bad):
        cards = tuple(replace(c, extra=drop_last_unit(c.extra)) if c.frame.ident in bad else c for c in plan.cards)
        return replace(plan, cards=cards)
    return _shrink(plan, s, intro)


def _shrink(plan: PagePlan, s: MediaKitSettings, intro: str) -> PagePlan:
    """The same page one step smaller (after the laid-out text was found to overflow)."""
    geo = geometry(s, plan.number == 1, intro)
    entries = tuple(c.entry for c in plan.cards)
    found = _best(entries, geo, s, below=plan.font_pt)
    if found is None:
        raise RenderError(
            f"特刊第{plan.number}版的文字在最小字号下仍超出栏位",
            hint="在 edition.toml [media] 中调小 font_min_pt 或 per_page")
    size, columns, cards = found
    return replace(plan, font_pt=size, cards=cards, columns=columns)


# ---- rendering -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PageText:
    """The fixed words of the special page."""

    title: str
    """'兴安技术能手风采'."""
    year: str
    """'2027年度'."""
    subtitle: str
    """'大兴安岭地区2027年度“兴安技术能手”拟表彰人选巡礼'."""
    intro: str
    """The introduction."""
    dateline: str
    """'大兴安岭日报 · 特刊 · 2027年5月8日'."""
    footer: str
    """Source line at the foot of the page."""
    status: str
    """'拟表彰' or ''."""
    date: str = ""
    """'2027年5月10日　星期一' for the 报眉."""


def page_html(plans: tuple[PagePlan, ...], s: MediaKitSettings, text: PageText, fonts: FontInfo,
              colours: dict[str, str], photos: dict[int, str], created: str, variant: str) -> str:
    """The special page's HTML (all pages) for one colour variant."""
    page_w, page_h = s.page_mm
    area_w, area_h = s.text_area_mm
    x0, y0 = (page_w - area_w) / 2, (page_h - area_h) / 2
    return render(
        "media/special_page.html.j2",
        plans=plans, s=s, text=text, fonts_css=fonts.css, stacks=fonts.stacks, weights=fonts.weights,
        colours=colours, folio_h=folio_mm(s),
        photos=photos, created=created, x0=x0, y0=y0, area_w=area_w, area_h=area_h,
        masthead=masthead_mm(s), intro_pt=intro_pt(s), intro_h=intro_height_mm(s, text.intro), scale=area_w / 350,
        intro_cols=intro_columns(s), words=word_spans, name_spans=name_spans,
        name_heading=functools.partial(name_heading, width_mm=name_width_mm(fonts)),
        bleed=s.bleed_mm, slug=SLUG_MM, outer=s.bleed_mm + SLUG_MM, variant=variant,
        pt=PT, card_pad=CARD_PAD_MM, card_rule=CARD_TOP_RULE_MM,
    )


def _render_checked(plans: tuple[PagePlan, ...], make_html: Any, base: Path, label: str,
                    s: MediaKitSettings, intro: str) -> tuple[tuple[PagePlan, ...], Any]:
    """Lay out; while a card overflows, take a sentence of 先进事迹 out or set its page one size smaller;
    once nothing overflows, fill cards with room left by more sentences (at most twice), then open the
    leading of those still short of their foot. → (final plans, document)."""
    grown = 0
    stretched: tuple[PagePlan, ...] | None = None
    crowded: list[str] = []
    for _ in range(24):
        document = None
        release()  # the page laid out before (WeasyPrint's boxes are reference cycles)
        document = layout(make_html(plans), base, label)
        if fixed := overflows(document, "frame-"):
            raise RenderError(f"{label}：{fixed[0].frame} 的文字超出预留位置",
                              hint="缩短 edition.toml [media] intro（导语），或联系技术人员")
        over = overflows(document, "card-")
        if over and stretched is not None:
            # the opened leading did not fit those cards: undo it there, keep it elsewhere
            bad = {o.frame for o in over}
            before = {c.frame.ident: c.leading for p in stretched for c in p.cards}
            plans = tuple(replace(p, cards=tuple(replace(c, leading=before[c.frame.ident]) if c.frame.ident in bad else c
                                                 for c in p.cards)) for p in plans)
            document = layout(make_html(plans), base, label)
            if overflows(document, "card-"):
                return stretched, layout(make_html(stretched), base, label)
            return plans, document
        if over:
            bad = {o.frame for o in over}
            crowded = [c.entry.candidate.label for p in plans for c in p.cards if c.frame.ident in bad]
            plans = same_size(tuple(_trim(p, bad, s, intro) if any(c.frame.ident in bad for c in p.cards) else p
                                    for p in plans), s, intro)
            continue
        if stretched is not None:
            return plans, document
        room = {o.frame: -o.bottom_mm for o in measure(document, "card-")}
        if grown < 2:
            grown += 1
            bigger = tuple(_grow(p, room) for p in plans)
            if bigger != plans:
                plans = bigger
                continue
        # nothing more to add: open the leading of the cards still short of their foot
        stretched, plans = plans, tuple(_stretch(p, room) for p in plans)
        if plans == stretched:
            return plans, document
    raise RenderError(f"{label}：文字超出栏位，无法自动排下", candidate="、".join(crowded),
                      hint="缩短这些人选的简要事迹，或在 edition.toml [media] 中调小 font_min_pt")


MAX_STRETCH = 1.15
"""The card text's leading may open up to this factor to close the gap under it."""


STRETCH_GAP_MM = 1.5
"""The opened leading aims the card's last line this far above the card's foot."""


def _stretch(plan: PagePlan, room: dict[str, float]) -> PagePlan:
    """Cards with room left under their text → their text's leading opened (at most MAX_STRETCH) so the
    text ends at the card's foot: the lines stay as they are, so the text grows with the leading."""
    cards = []
    for c in plan.cards:
        free = room.get(c.frame.ident, 0.0) - STRETCH_GAP_MM
        inner_w = c.frame.w - 2 * CARD_PAD_MM
        content_h = c.frame.h - CARD_TOP_RULE_MM - CARD_PAD_MM
        text_h = content_h - room.get(c.frame.ident, 0.0) - c.pad_top_mm - _head_mm(c.entry, inner_w, plan.font_pt,
                                                                                    c.photo_mm)
        if free <= 0.5 or c.pad_top_mm or text_h <= 0:
            cards.append(c)
            continue
        factor = min(MAX_STRETCH, (text_h + free) / text_h)
        cards.append(replace(c, leading=round(c.leading * factor, 3)))
    return replace(plan, cards=tuple(cards))


def _grow(plan: PagePlan, room: dict[str, float]) -> PagePlan:
    """Cards with room left under their text → as many more 先进事迹 sentences as probably fill it."""
    cards = []
    for c in plan.cards:
        free = room.get(c.frame.ident, 0.0) - 1.0
        f = plan.font_pt * PT
        if free < f * 1.62 or c.pad_top_mm:
            cards.append(c)
            continue
        inner_w = c.frame.w - 2 * CARD_PAD_MM
        base = card_content_mm(c.entry, inner_w, plan.font_pt, c.photo_mm, c.extra)
        cards.append(replace(c, extra=fill_extra(c.entry, inner_w, plan.font_pt, c.photo_mm, c.extra,
                                                 base + free)))
    return replace(plan, cards=tuple(cards))


def dpi_warnings(plans: tuple[PagePlan, ...], min_dpi: int) -> list[str]:
    """Photos printed below min_dpi → one Chinese warning each, naming the awardee and file."""
    out = []
    for plan in plans:
        for card in plan.cards:
            with Image.open(card.entry.photo) as im:
                px = im.size[0]
            dpi = px / (card.photo_mm[0] / 25.4)
            if dpi < min_dpi - 0.5:
                out.append(f"{card.entry.name}（{card.entry.candidate.code}）的照片 {card.entry.photo.name} "
                           f"在特刊上印 {card.photo_mm[0]:.1f} 毫米宽，只有 {dpi:.0f} dpi，低于 {min_dpi} dpi")
    return out


def proof_png(pdf: bytes, page: int, s: MediaKitSettings, *, trim: bool = True) -> bytes:
    """One page of a PDF → a low-resolution PNG (pipeline.render.raster), cut to the trimmed page when `trim`."""
    from pipeline.render.raster import RasterError
    from pipeline.render.raster import page as rendered

    dpi = s.proof_dpi
    try:
        im = rendered(pdf, page, dpi=dpi)
    except RasterError as exc:
        raise RenderError(f"无法生成校样图：{exc}", hint="这是本程序生成的 PDF，请把 -v 的输出报告维护人员") from exc
    if trim:
        off = round((s.bleed_mm + SLUG_MM) / 25.4 * dpi)
        w = round(s.page_mm[0] / 25.4 * dpi)
        h = round(s.page_mm[1] / 25.4 * dpi)
        im = im.crop((off, off, off + w, off + h))
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def build_pages(entries: tuple[MediaEntry, ...], s: MediaKitSettings, text: PageText, fonts: FontInfo,
                created: str, work: Path, profile: PressProfile) -> tuple[tuple[PagePlan, ...], bytes, bytes | None, Any]:
    """Awardees → (final plans, colour PDF/X, black-only PDF/X or None, the laid-out colour document)."""
    plans = plan_pages(entries, s, text.intro)
    uris: dict[tuple[str, int, float], str] = {}

    def photos(p: tuple[PagePlan, ...], variant: str) -> dict[int, str]:
        """Plans → each card's photo (CMYK, or grey for the black edition) at its printed size, made once."""
        found = {}
        for card in (c for plan in p for c in plan.cards):
            key = (variant, card.entry.seq, card.photo_mm[0])
            if key not in uris:
                if variant == "grey":
                    made = grey_jpeg(card.entry.photo, work / "grey", width_mm=card.photo_mm[0], min_dpi=s.min_dpi)
                else:
                    made = cmyk_jpeg(card.entry.photo, work / "cmyk", profile, s.ink_limit_percent,
                                     width_mm=card.photo_mm[0], min_dpi=s.min_dpi)
                uris[key] = image_url(made)
            found[card.entry.seq] = uris[key]
        return found

    colours = press_palette(False, profile, s.ink_limit_percent)

    def colour_html(p: tuple[PagePlan, ...]) -> str:
        """Plans → the colour edition's HTML."""
        return page_html(p, s, text, fonts, colours, photos(p, "cmyk"), created, "彩色")

    plans, document = _render_checked(plans, colour_html, work, "特刊（彩色）", s, text.intro)
    colour = write_press_pdf(document, "特刊（彩色）", profile, s.pdfx, bleed_mm=s.bleed_mm)
    grey: bytes | None = None
    if s.greyscale:
        grey_doc = layout(page_html(plans, s, text, fonts, press_palette(True, profile, s.ink_limit_percent),
                                    photos(plans, "grey"), created, "黑白"), work, "特刊（黑白）")
        if overflows(grey_doc, "card-"):
            raise RenderError("特刊（黑白）排版与彩色版不一致，文字超出栏位", hint="请联系技术人员")
        grey = write_press_pdf(grey_doc, "特刊（黑白）", profile, s.pdfx, bleed_mm=s.bleed_mm)
        del grey_doc
        release()
    return plans, colour, grey, document
