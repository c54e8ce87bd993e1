"""Media-kit settings: `[media]` of edition.toml → `MediaKitSettings`, every key with a default.

The keys beyond `newspaper`, `tv`, `page_size` and `bleed_mm` (which pipeline.core.edition already
types) are read here from `edition.raw["media"]`, so an edition.toml without them still works:

    page_width_mm, page_height_mm   trimmed page size; default from page_size (对开 390 × 540, 四开 270 × 390)
    text_area_mm = [w, h]           版心 of the special page, centred (对开 350 × 490, 四开 240 × 350)
    columns                         at most this many awardee columns on the special page (对开 5, 四开 4)
    per_page                        at most this many awardees on one special page (对开 20, 四开 10)
    font_min_pt, font_max_pt        profile text size range the page is fitted in (8, 15)
    photo_width_mm                  printed photo width; 0 = as large as the photo allows at min_dpi
    min_dpi                         images below this effective resolution are reported (300)
    proof_dpi                       resolution of the proof PNG (30)
    greyscale                       also write a grey-scale special page (true)
    pdfx_profile                    the printer's CMYK output profile (ICC); "" = the Artifex CMYK profile of Debian's ghostscript
    pdfx                            PDF/X flavour of the print files: "PDF/X-1a" (default) or "PDF/X-4"
    ink_limit_percent               total ink limit of images and colours, C+M+Y+K (240 for newsprint)
    page_number                     版次 of the first special page, printed in the 报眉 (1)
    editor, art_editor              责任编辑 and 美术编辑 in the 报眉 ("××" placeholders)
    intro                           introduction text of the special page ("" = generated)
    slot_mm = [w, h]                the 专栏 slot (default: half the 版心, 对开 350 × 245)
    feature_columns                 text columns of a 专栏 feature (对开 4, 四开 3)
    headline                        专栏 headline template, placeholders {姓名} {职业} {单位} {年度} {荣誉}
    byline                          专栏 byline placeholder ("本报记者 ××")
    title_safe_percent              TV title-safe margin on each side, % of width/height (5: EBU R 95)
    broadcast_chars                 target length of the 口播稿 (150)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.core.edition import Edition
from pipeline.core.errors import EditionConfigError

PAGE_SIZES: dict[str, tuple[float, float]] = {"对开": (390.0, 540.0), "四开": (270.0, 390.0)}
"""Trimmed newspaper page sizes (mm), width × height."""

_PRESETS: dict[str, dict[str, Any]] = {
    "对开": {"text_area_mm": [350, 490], "columns": 5, "per_page": 20, "feature_columns": 4},
    "四开": {"text_area_mm": [240, 350], "columns": 4, "per_page": 10, "feature_columns": 3},
}

HEADLINE_FIELDS = ("姓名", "职业", "单位", "年度", "荣誉")
"""Placeholders the headline template may use."""


@dataclass(frozen=True)
class MediaKitSettings:
    """Everything the media kit reads from edition.toml, typed and defaulted."""

    newspaper: str
    """Newspaper name (大兴安岭日报)."""
    tv: str
    """TV station name (大兴安岭广播电视台)."""
    page_size: str
    """对开 or 四开 (or 自定义 when width and height are given)."""
    page_mm: tuple[float, float]
    """Trimmed page width and height."""
    bleed_mm: float
    """Bleed on every side (3)."""
    text_area_mm: tuple[float, float]
    """版心 width and height, centred on the page."""
    columns: int
    """Most awardee columns on the special page."""
    per_page: int
    """Most awardees on one special page."""
    font_min_pt: float
    """Smallest profile text size before a page spills onto the next."""
    font_max_pt: float
    """Largest profile text size."""
    photo_width_mm: float
    """Printed photo width; 0 = automatic (never below min_dpi)."""
    min_dpi: int
    """Least effective image resolution for print."""
    proof_dpi: int
    """Proof PNG resolution."""
    greyscale: bool
    """Write the grey-scale variant too."""
    pdfx_profile: str
    """The printer's CMYK ICC profile, '' for the shipped default."""
    pdfx: str
    """PDF/X flavour: 'PDF/X-1a' or 'PDF/X-4'."""
    ink_limit_percent: float
    """Most total ink (C+M+Y+K, percent) in images and colours."""
    page_number: int
    """版次 of the first special page."""
    editor: str
    """责任编辑 in the 报眉."""
    art_editor: str
    """美术编辑 in the 报眉."""
    intro: str
    """Introduction of the special page, '' = generated."""
    slot_mm: tuple[float, float]
    """专栏 slot width and height."""
    feature_columns: int
    """Text columns of a 专栏 feature."""
    headline: str
    """专栏 headline template."""
    byline: str
    """专栏 byline placeholder."""
    title_safe_percent: float
    """TV title-safe margin per side, % of the frame."""
    broadcast_chars: int
    """Target length of the 口播稿."""


class _Media:
    """Typed access to the [media] table, with errors naming the file, the key and the allowed range."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data, self.source = data, source

    def bad(self, key: str, value: object, want: str) -> EditionConfigError:
        """Key, value, what it should be → EditionConfigError naming them and the file."""
        return EditionConfigError(
            f"设置项 [media] {key} 的值 {value!r} 不正确，应为{want}",
            hint=f"修改 {self.source} 中的 [media] {key}", file=self.source)

    def number(self, key: str, default: float, low: float, high: float, unit: str) -> float:
        """A [media] key → its number within [low, high] (default when absent)."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.bad(key, value, f" {low:g} 到 {high:g} 之间的数（{unit}）")
        return float(value)

    def integer(self, key: str, default: int, low: int, high: int, unit: str) -> int:
        """A [media] key → its integer within [low, high] (default when absent)."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.bad(key, value, f" {low} 到 {high} 之间的整数（{unit}）")
        return value

    def pair(self, key: str, default: list[float], low: float, high: float) -> tuple[float, float]:
        """A [media] key → its [width, height] in mm, each within [low, high] (default when absent)."""
        value = self.data.get(key, default)
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) and low <= v <= high
                           for v in value)):
            raise self.bad(key, value, f"两个 {low:g} 到 {high:g} 之间的数 [宽, 高]（毫米）")
        return float(value[0]), float(value[1])

    def text(self, key: str, default: str) -> str:
        """A [media] key → its text (default when absent)."""
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self.bad(key, value, "文字")
        return value

    def choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        """A [media] key → one of `allowed` (default when absent)."""
        value = self.data.get(key, default)
        if value not in allowed:
            raise self.bad(key, value, "“" + "”或“".join(allowed) + "”")
        return str(value)

    def headline(self, template: str) -> str:
        """A headline template → itself when it only uses known placeholders."""
        import string

        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as exc:
            raise self.bad("headline", template, f"标题模板（花括号不成对：{exc}）") from None
        if any(f not in HEADLINE_FIELDS for f in fields):
            raise self.bad("headline", template,
                           "标题模板，只能使用 " + "、".join("{" + f + "}" for f in HEADLINE_FIELDS))
        return template


def media_settings(edition: Edition) -> MediaKitSettings:
    """edition.toml [media] → MediaKitSettings (defaults for every key the table lacks)."""
    source = str(edition.path / "edition.toml")
    data = edition.raw.get("media", {})
    if not isinstance(data, dict):
        raise EditionConfigError("[media] 应为一个表", hint=f"检查 {source}", file=source)
    m = _Media(data, source)
    size = edition.media.page_size
    if "page_width_mm" in data or "page_height_mm" in data:
        page = (m.number("page_width_mm", 0, 100, 2000, "毫米"), m.number("page_height_mm", 0, 100, 2000, "毫米"))
        preset = _PRESETS["四开" if page[0] * page[1] < 300 * 450 else "对开"]
    elif size in PAGE_SIZES:
        page = PAGE_SIZES[size]
        preset = _PRESETS[size]
    else:
        raise m.bad("page_size", size, "“对开”或“四开”（或另给 page_width_mm 和 page_height_mm）")
    area = m.pair("text_area_mm", preset["text_area_mm"], 50, 2000)
    if area[0] > page[0] or area[1] > page[1]:
        raise m.bad("text_area_mm", list(area), f"不大于版面 {page[0]:g} × {page[1]:g} 毫米的尺寸")
    font_min = m.number("font_min_pt", 8, 5, 30, "磅")
    font_max = m.number("font_max_pt", 15, 5, 30, "磅")
    if font_min > font_max:
        raise m.bad("font_min_pt", font_min, f" 5 到 {font_max:g} 之间的数（磅，不大于 font_max_pt）")
    return MediaKitSettings(
        newspaper=edition.media.newspaper,
        tv=edition.media.tv,
        page_size=size,
        page_mm=page,
        bleed_mm=edition.media.bleed_mm,
        text_area_mm=area,
        columns=m.integer("columns", preset["columns"], 1, 12, "栏"),
        per_page=m.integer("per_page", preset["per_page"], 1, 60, "人"),
        font_min_pt=font_min,
        font_max_pt=font_max,
        photo_width_mm=m.number("photo_width_mm", 0, 0, 200, "毫米，0 = 自动"),
        min_dpi=m.integer("min_dpi", 300, 72, 1200, "dpi"),
        proof_dpi=m.integer("proof_dpi", 30, 10, 300, "dpi"),
        greyscale=bool(data.get("greyscale", True)),
        pdfx_profile=m.text("pdfx_profile", ""),
        pdfx=m.choice("pdfx", "PDF/X-1a", ("PDF/X-1a", "PDF/X-4")),
        ink_limit_percent=m.number("ink_limit_percent", 240, 100, 400, "百分数，新闻纸一般为 240"),
        page_number=m.integer("page_number", 1, 1, 999, "版次"),
        editor=m.text("editor", "××"),
        art_editor=m.text("art_editor", "××"),
        intro=m.text("intro", ""),
        slot_mm=m.pair("slot_mm", [area[0], round(area[1] / 2, 1)], 20, 2000),
        feature_columns=m.integer("feature_columns", preset["feature_columns"], 1, 12, "栏"),
        headline=m.headline(m.text("headline", "{姓名}：{职业}的匠心")),
        byline=m.text("byline", "本报记者 ××"),
        title_safe_percent=m.number("title_safe_percent", 5, 0, 29, "百分比"),
        broadcast_chars=m.integer("broadcast_chars", 150, 20, 2000, "字"),
    )
