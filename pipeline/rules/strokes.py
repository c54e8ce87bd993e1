"""姓氏笔画 order for public lists: stroke count, then strokes in writing order 横竖撇点折.

Every public list and numbering (公示, 特刊, 专栏, WeChat, TV, certificate numbers, 颁奖及补贴发放表)
follows this order, never the expert ranking. GB/T 22466 and the 《通用规范汉字笔顺规范》 sort
names character by character: fewer strokes first; with the same count, by the class of the first
stroke (横 1, 竖 2, 撇 3, 点 4, 折 5), then the second, and so on.

The stroke data is pipeline/data/stroke-order.tsv, generated from the npm packages cnchar and
cnchar-order (MIT) by tools/make_stroke_table.py: each character's strokes as cnchar's letters.
The letters fold into the five classes as the standard says: 提 is a 横, 竖钩 a 竖, 捺 a 点, every
stroke with a turn or hook a 折. A character the table does not know (rare characters outside
the 6,939 it covers) sorts after every known one, by code point, so the order stays total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TypeVar

TABLE = Path(__file__).resolve().parents[1] / "data" / "stroke-order.tsv"

CLASS_OF_LETTER = {
    "j": 1, "i": 1,  # 横, 提
    "f": 2, "g": 2,  # 竖, 竖钩
    "s": 3,  # 撇
    "k": 4, "d": 4, "l": 4,  # 点, 左点, 捺
}
"""cnchar stroke letter → class; every other letter (turns and hooks) is 折 (5)."""
ZHE = 5
UNKNOWN = 999
"""Stroke count given to a character the table does not know: after every known character."""

T = TypeVar("T")


@cache
def _table() -> dict[str, str]:
    """Character → its strokes as class digits, e.g. '石' → '13251'."""
    table: dict[str, str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, letters = line.split("\t")
            table[char] = "".join(str(CLASS_OF_LETTER.get(letter, ZHE)) for letter in letters)
    return table


def strokes(char: str) -> str | None:
    """The character's strokes as class digits 1–5 in writing order; None when unknown."""
    return _table().get(char)


def char_key(char: str) -> tuple[int, str, int]:
    """Sort key of one character: (stroke count, class digits, code point)."""
    digits = strokes(char)
    if digits is None:
        return (UNKNOWN, "", ord(char))
    return (len(digits), digits, ord(char))


def stroke_sort_key(name: str) -> tuple[tuple[int, str, int], ...]:
    """Sort key of a name in 姓氏笔画 order; separators such as '·' and spaces are skipped."""
    return tuple(char_key(ch) for ch in name if ch.isalnum())


def unknown_characters(name: str) -> list[str]:
    """Characters of the name that the stroke table does not know (they sort last)."""
    return [ch for ch in name if ch.isalnum() and strokes(ch) is None]


def in_stroke_order(items: Iterable[T], name: Callable[[T], str],
                    tiebreak: Callable[[T], str] = lambda _item: "") -> list[T]:
    """The items sorted by name in 姓氏笔画 order; equal names keep `tiebreak` order (e.g. 编号)."""
    return sorted(items, key=lambda item: (stroke_sort_key(name(item)), tiebreak(item)))
