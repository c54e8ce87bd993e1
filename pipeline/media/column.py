"""The column series (专栏): one feature per awardee, sized for a slot of the page.

A feature is one PDF page of exactly the slot's size: kicker, headline (edition template),
sub-headline with the unit, byline placeholder across the top; the photo with a name card in
a strip on the left; the 先进事迹 text in balanced columns with a drop cap. Text that does not
fit is cut after the last whole paragraph that does (after the last whole sentence when not
even the first paragraph fits), and the editor is told what was left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

from pipeline.core.errors import RenderError
from pipeline.media.entries import MediaEntry
from pipeline.media.palette import FontInfo, name_width_mm, press_palette
from pipeline.media.prepress import PressProfile, cmyk_jpeg, write_press_pdf
from pipeline.media.render import content_bottom_mm, layout, overflows
from pipeline.media.settings import MediaKitSettings
from pipeline.media.text import (
    NameFit,
    display_len,
    fit_name,
    headline,
    is_heading,
    name_spans,
    sentences,
    word_spans,
)
from pipeline.render.templating import render
from pipeline.render.weasy import image_url

PT = 25.4 / 72


@dataclass(frozen=True)
class FeatureLayout:
    """Sizes of one feature (mm and pt), all derived from the slot."""

    width: float
    """Slot width (mm)."""
    height: float
    """Slot height (mm)."""
    header_mm: float
    """Height of the headline block."""
    strip_mm: float
    """Width of the photo strip on the left."""
    photo_mm: tuple[float, float]
    """Printed photo size."""
    gap_mm: float
    """Column gap."""
    body_pt: float
    """Body text size."""
    headline_pt: float
    """Headline size."""
    columns: int
    """Body text columns."""
    leading: float = 1.6
    """Body line height (em); raised with the size to fill the slot when the text is short."""


FILL_LEADING = 0.3
"""How much the leading may grow (em) so that the columns reach the foot of the slot."""
FILL_PT = 1.0
"""How much the body size may grow (pt) for the same purpose."""


@dataclass(frozen=True)
class Feature:
    """One finished feature."""

    entry: MediaEntry
    """The awardee."""
    pdf: bytes
    """The slot-sized PDF."""
    headline: str
    """The headline as printed."""
    paragraphs_set: int
    """How many paragraphs were set (whole)."""
    paragraphs_total: int
    """How many the text has."""
    chars_set: int
    """Characters set."""
    chars_total: int
    """Characters of the whole text."""
    note: str
    """Note to the editor ('' when the whole text was set)."""


def feature_layout(s: MediaKitSettings, entry: MediaEntry, title: str, header_extra: float = 0.0) -> FeatureLayout:
    """The slot → FeatureLayout (header tall enough for the headline as estimated, plus header_extra)."""
    w, h = s.slot_mm
    k = min(w / 350, h / 245)
    body_pt = round(min(11.0, max(9.0, 10.0 * k)), 1)
    head_pt = round(max(18.0, 30.0 * k), 1)
    head_lines = max(1, math.ceil(display_len(title) * head_pt * PT / (w * 0.96)))
    header = (9 * k * PT * 1.6) + head_lines * head_pt * PT * 1.25 + 14 * k * PT * 1.5 + 10 * k * PT * 1.6 + 9 * k + header_extra
    with Image.open(entry.photo) as im:
        px_w, px_h = im.size
    gap = 4.0 * k
    strip = max(30.0, min(w / (s.feature_columns + 1) - gap, px_w * 25.4 / s.min_dpi + 2))
    photo_w = min(px_w * 25.4 / s.min_dpi, strip)
    return FeatureLayout(w, h, round(header, 2), round(strip, 2), (round(photo_w, 2), round(photo_w * px_h / px_w, 2)),
                         round(gap, 2), body_pt, head_pt, s.feature_columns)


def _estimate_fit(paragraphs: list[str], fl: FeatureLayout) -> int:
    """How many leading paragraphs probably fit the body area."""
    body_w = fl.width - fl.strip_mm - fl.gap_mm
    col_w = (body_w - fl.gap_mm * (fl.columns - 1)) / fl.columns
    size = fl.body_pt * PT
    per_line = max(1, int(col_w / size - 0.6))
    lines = int((fl.height - fl.header_mm - 2) / (size * 1.6)) * fl.columns
    used = 3  # the drop cap takes about three lines' worth of width in the first column
    for i, p in enumerate(paragraphs):
        used += math.ceil((display_len(p) + 2) / per_line) + (1 if is_heading(p) else 0)
        if used > lines:
            return i
    return len(paragraphs)


def strip_name(name: str, fl: FeatureLayout, fonts: FontInfo) -> NameFit:
    """The name on the photo strip's name card → its size (pt) and lines: from 1.5 times the card's
    text (0.9 × body) down to 1.1 times on one line, then wrapped between words; never cut."""
    base = fl.body_pt * 0.9
    top = base * 1.5
    sizes = [round(top - i * 0.25, 2) for i in range(int((top - base) / 0.25) + 1)]
    return fit_name(name, fl.strip_mm - 0.5, sizes, base * 1.1, name_width_mm(fonts))


def _html(entry: MediaEntry, fl: FeatureLayout, title: str, paragraphs: list[str], s: MediaKitSettings,
          fonts: FontInfo, kicker: str, caption: str, created: str, photo_uri: str, colours: dict[str, str]) -> str:
    """The feature's HTML."""
    return render(
        "media/column.html.j2", e=entry, fl=fl, title=title, paragraphs=paragraphs, s=s,
        fonts_css=fonts.css, stacks=fonts.stacks, weights=fonts.weights, colours=colours,
        kicker=kicker, caption=caption, created=created, photo=photo_uri, is_heading=is_heading, words=word_spans,
        name=strip_name(entry.name, fl, fonts), name_spans=name_spans,
        subtitle=f"——记{entry.unit.replace(' ', '')}{entry.name}" if entry.name not in entry.unit
        else f"——记{entry.unit.replace(' ', '')}",
    )


def _fill_slot(doc: Any, fl: FeatureLayout, paras: list[str], attempt: Any, fits: Any) -> Any:
    """A feature whose balanced columns stop short of the slot's foot → the same text with more
    leading (and a little more size) so the columns end at the foot, as an editor would set it."""
    line = fl.body_pt * PT * fl.leading
    bottom = content_bottom_mm(doc, "body")
    if bottom is None or fl.height - bottom < 1.5 * line:
        return doc
    lo, hi, best = 0.0, 1.0, doc
    for _ in range(3):
        mid = (lo + hi) / 2
        trial = attempt(paras, replace(fl, leading=round(fl.leading + FILL_LEADING * mid, 3),
                                       body_pt=round(fl.body_pt + FILL_PT * mid, 2)))
        low = content_bottom_mm(trial, "body")
        if fits(trial) and low is not None and low <= fl.height - 0.5:
            lo, best = mid, trial
        else:
            hi = mid
    return best


def build_feature(entry: MediaEntry, s: MediaKitSettings, fonts: FontInfo, *, year: int, honour: str,
                  final: bool, created: str, work: Path, profile: PressProfile) -> Feature:
    """One awardee → the 专栏 feature PDF/X, text cut at a paragraph boundary when it does not fit."""
    title = headline(s.headline, entry.candidate, year, honour)
    source = list(entry.deeds) or [entry.profile]
    kicker = "兴安技术能手风采" + ("" if final else " · 拟表彰人选")
    caption = f"{year}年度“{honour}”" + ("" if final else "拟表彰人选")
    colours = press_palette(False, profile, s.ink_limit_percent)
    label = f"专栏稿 {entry.stem}"
    extra = 0.0
    fl = feature_layout(s, entry, title)
    photo_uri = image_url(cmyk_jpeg(entry.photo, work / "cmyk", profile, s.ink_limit_percent,
                                   width_mm=fl.photo_mm[0], min_dpi=s.min_dpi))

    def attempt(paras: list[str], sizes: FeatureLayout | None = None) -> Any:
        """Paragraphs → the laid-out feature with them (at `sizes`, default the current layout)."""
        return layout(_html(entry, sizes or fl, title, paras, s, fonts, kicker, caption, created, photo_uri, colours),
                      work, label)

    def fits(doc: Any) -> bool:
        """A laid-out feature → True when it is one page and the photo strip does not overflow."""
        return len(doc.pages) == 1 and not overflows(doc, "strip")

    # the header must hold the headline as actually set (checked on the first real attempt)
    count = max(1, min(len(source), _estimate_fit(source, fl)))
    for _ in range(4):
        doc = attempt(source[:count])
        over = overflows(doc, "hdr")
        if not over:
            break
        extra += max(o.bottom_mm for o in over) + 1
        fl = feature_layout(s, entry, title, extra)
        count = max(1, min(len(source), _estimate_fit(source, fl)))
    else:
        raise RenderError("专栏标题过长，排不下", hint="在 edition.toml [media] headline 中缩短标题模板",
                          candidate=entry.candidate.label)

    if fits(doc):
        while count < len(source):
            bigger = attempt(source[:count + 1])
            if not fits(bigger):
                break
            count, doc = count + 1, bigger
    else:
        while count > 1:
            count -= 1
            doc = attempt(source[:count])
            if fits(doc):
                break
    paras = source[:count]
    if not fits(doc):
        # not even the first paragraph fits: set its leading whole sentences
        parts = sentences(source[0])
        keep = len(parts)
        while keep > 1:
            keep -= 1
            paras = ["".join(parts[:keep])]
            doc = attempt(paras)
            if fits(doc):
                break
        if not fits(doc):
            raise RenderError("专栏版面太小，连一句话也排不下", hint="在 edition.toml [media] 中调大 slot_mm",
                              candidate=entry.candidate.label)
    doc = _fill_slot(doc, fl, paras, attempt, fits)
    set_chars = sum(len(p) for p in paras)
    total_chars = sum(len(p) for p in source)
    note = ""
    if set_chars < total_chars:
        if paras[-1] == source[len(paras) - 1]:
            note = (f"{entry.stem}：原文 {len(source)} 段 {total_chars} 字，版面排入前 {len(paras)} 段 {set_chars} 字，"
                    f"其后 {len(source) - len(paras)} 段未排入（在段落结尾处截断）。全文见 {entry.stem}-全文.txt")
        else:
            note = (f"{entry.stem}：原文第一段即超出版面，只排入该段前 {set_chars} 字（在句末截断），"
                    f"其余未排入。全文见 {entry.stem}-全文.txt")
    pdf = write_press_pdf(doc, label, profile, s.pdfx)
    return Feature(entry, pdf, title, len(paras), len(source), set_chars, total_chars, note)
