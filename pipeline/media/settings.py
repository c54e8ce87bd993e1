"""Media-kit settings: `[media]` of edition.toml → `MediaKitSettings`, every key with a default.

The keys beyond `newspaper`, `tv`, `page_size` and `bleed_mm` (which pipeline.edition already
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

from pipeline.edition import Edition
from pipeline.errors import EditionConfigError

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


def _bad(key: str, value: object, want: str) -> EditionConfigError:
    """Key, value, what it should be → EditionConfigError naming them."""
    return EditionConfigError(
        f"设置项 [media] {key} 的值 {value!r} 不正确，应为{want}",
        hint=f"修改 edition.toml 中的 [media] {key}", file="edition.toml")


def _number(data: dict[str, Any], key: str, default: float, *, positive: bool = True) -> float:
    """A [media] key → its number (default when absent); error when not a number."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (positive and value == 0):
        raise _bad(key, value, "正数" if positive else "非负数")
    return float(value)


def _integer(data: dict[str, Any], key: str, default: int) -> int:
    """A [media] key → its positive integer (default when absent)."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _bad(key, value, "正整数")
    return value


def _pair(data: dict[str, Any], key: str, default: list[float]) -> tuple[float, float]:
    """A [media] key → its [width, height] in mm (default when absent)."""
    value = data.get(key, default)
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in value)):
        raise _bad(key, value, "两个正数 [宽, 高]（毫米）")
    return float(value[0]), float(value[1])


def _text(data: dict[str, Any], key: str, default: str) -> str:
    """A [media] key → its text (default when absent)."""
    value = data.get(key, default)
    if not isinstance(value, str):
        raise _bad(key, value, "文字")
    return value


def _choice(data: dict[str, Any], key: str, default: str, allowed: tuple[str, ...]) -> str:
    """A [media] key → one of `allowed` (default when absent)."""
    value = data.get(key, default)
    if value not in allowed:
        raise _bad(key, value, "“" + "”或“".join(allowed) + "”")
    return str(value)


def _ink_limit(data: dict[str, Any]) -> float:
    """[media] ink_limit_percent → the total ink limit (240 % for newsprint by default)."""
    value = _number(data, "ink_limit_percent", 240)
    if not 100 <= value <= 400:
        raise _bad("ink_limit_percent", value, "100 到 400 之间的百分数（新闻纸一般为 240）")
    return value


def check_headline(template: str) -> str:
    """A headline template → itself when it only uses known placeholders, else EditionConfigError."""
    import string

    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise _bad("headline", template, f"标题模板（花括号不成对：{exc}）") from None
    unknown = [f for f in fields if f not in HEADLINE_FIELDS]
    if unknown:
        raise _bad("headline", template, "标题模板，只能使用 " + "、".join("{" + f + "}" for f in HEADLINE_FIELDS))
    return template


def media_settings(edition: Edition) -> MediaKitSettings:
    """edition.toml [media] → MediaKitSettings (defaults for every key the table lacks)."""
    data = edition.raw.get("media", {})
    if not isinstance(data, dict):
        raise EditionConfigError("[media] 应为一个表", hint="检查 edition.toml", file="edition.toml")
    size = edition.media.page_size
    if "page_width_mm" in data or "page_height_mm" in data:
        page = (_number(data, "page_width_mm", 0), _number(data, "page_height_mm", 0))
        preset = _PRESETS["四开" if page[0] * page[1] < 300 * 450 else "对开"]
    elif size in PAGE_SIZES:
        page = PAGE_SIZES[size]
        preset = _PRESETS[size]
    else:
        raise _bad("page_size", size, "“对开”或“四开”（或另给 page_width_mm 和 page_height_mm）")
    area = _pair(data, "text_area_mm", preset["text_area_mm"])
    if area[0] > page[0] or area[1] > page[1]:
        raise _bad("text_area_mm", list(area), f"不大于版面 {page[0]:g} × {page[1]:g} 毫米的尺寸")
    bleed = edition.media.bleed_mm
    font_min = _number(data, "font_min_pt", 8)
    font_max = _number(data, "font_max_pt", 15)
    if font_min > font_max:
        raise _bad("font_min_pt", font_min, "不大于 font_max_pt 的字号")
    slot = _pair(data, "slot_mm", [area[0], round(area[1] / 2, 1)])
    safe = _number(data, "title_safe_percent", 5, positive=False)
    if safe >= 30:
        raise _bad("title_safe_percent", safe, "小于 30 的百分比")
    return MediaKitSettings(
        newspaper=edition.media.newspaper,
        tv=edition.media.tv,
        page_size=size,
        page_mm=page,
        bleed_mm=bleed,
        text_area_mm=area,
        columns=_integer(data, "columns", preset["columns"]),
        per_page=_integer(data, "per_page", preset["per_page"]),
        font_min_pt=font_min,
        font_max_pt=font_max,
        photo_width_mm=_number(data, "photo_width_mm", 0, positive=False),
        min_dpi=_integer(data, "min_dpi", 300),
        proof_dpi=_integer(data, "proof_dpi", 30),
        greyscale=bool(data.get("greyscale", True)),
        pdfx_profile=_text(data, "pdfx_profile", ""),
        pdfx=_choice(data, "pdfx", "PDF/X-1a", ("PDF/X-1a", "PDF/X-4")),
        ink_limit_percent=_ink_limit(data),
        page_number=_integer(data, "page_number", 1),
        editor=_text(data, "editor", "××"),
        art_editor=_text(data, "art_editor", "××"),
        intro=_text(data, "intro", ""),
        slot_mm=slot,
        feature_columns=_integer(data, "feature_columns", preset["feature_columns"]),
        headline=check_headline(_text(data, "headline", "{姓名}：{职业}的匠心")),
        byline=_text(data, "byline", "本报记者 ××"),
        title_safe_percent=safe,
        broadcast_chars=_integer(data, "broadcast_chars", 150),
    )
