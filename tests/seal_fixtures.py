"""Measuring sealed documents (GB/T 9704-2012 §7.3.5.1) in their PDF: words and rules in mm, the
署名 block, and the seal space that must stay clear. Shared by the 公示, 提名人选名单, 评审结果 and
颁奖及补贴发放表 tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MM = 72 / 25.4
"""Points per millimetre."""
CHAR_MM = (16 - 0.21) / MM
"""One body character of the 署名 block (3号, 28 a line)."""
LINE_MM = 225 / 22
"""One body line (22 a page)."""
UNIT40 = "大兴安岭林业集团公司新林林业局翠岗林场森林管护站第三管护区 副站长兼安全员"
"""A 40-character 工作单位及职务."""
NAMES = ("乌云其其格", "阿依古丽·买买提", "欧阳建国", "上官秀兰", "王伟")
"""Long, dotted and compound-surname names next to a short one."""


@dataclass(frozen=True)
class Box:
    """A word or rule on a page, in mm from the top-left corner."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def page_boxes(page: Any, *, curves: bool = True) -> tuple[list[Box], list[Box]]:
    """A pdfplumber page → its words and its rules (lines, rects and, optionally, curves) in mm."""
    words = [Box(w["text"], w["x0"] / MM, w["x1"] / MM, w["top"] / MM, w["bottom"] / MM)
             for w in page.extract_words(keep_blank_chars=False, x_tolerance=1.5)]
    shapes = page.lines + page.rects + (page.curves if curves else [])
    rules = [Box("", e["x0"] / MM, e["x1"] / MM, e["top"] / MM, e["bottom"] / MM) for e in shapes]
    return words, rules


@dataclass(frozen=True)
class SealSpace:
    """The circle a seal presses: centred on the date, its centre half a line above the block's middle."""

    cx: float
    cy: float
    r: float
    intruders: list[Box]
    """Words (other than the 署名 and date) and rules inside the circle."""
    gap_above: float | None
    """Distance from the nearest text or rule above the circle to its top (None: nothing above)."""


def seal_space(words: list[Box], rules: list[Box], date: Box, organ: list[Box], diameter: float) -> SealSpace:
    """Where the seal of a sealed 署名 block goes, and what is in its way."""
    cx = (date.x0 + date.x1) / 2
    cy = (organ[0].top + date.bottom) / 2 - LINE_MM / 2  # organ and date sit below the seal's centre
    r = diameter / 2
    block = {id(b) for b in (date, *organ)}

    def hits(b: Box) -> bool:
        nx, ny = min(max(cx, b.x0), b.x1), min(max(cy, b.top), b.bottom)
        return (nx - cx) ** 2 + (ny - cy) ** 2 < r * r

    intruders = [b for b in words if id(b) not in block and hits(b)] + [b for b in rules if hits(b)]
    above = [b.bottom for b in [*words, *rules] if b.bottom <= cy - r + 0.01]
    return SealSpace(cx, cy, r, intruders, cy - r - max(above) if above else None)
