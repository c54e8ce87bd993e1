"""Normalising what people type into spreadsheets: width, spaces, dates, ID numbers.

Normalise, don't reject: full-width digits, '1978年5月', '1978-5', an Excel date cell and
a number 1978.5 that Excel made of '1978.05' all mean May 1978.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from pipeline.core.model import YearMonth

_SPACES = re.compile(r"[ \t\u3000\u00a0]+")


def text(value: object) -> str:
    """A cell as clean text: NFKC (full-width → half-width), trimmed, inner runs of spaces folded.

    Line breaks are kept (个人简历 is multi-line) but normalised to '\\n' and trimmed per line.
    Chinese punctuation (，。：) is left alone: NFKC would turn '，' into ','.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = str(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", _nfkc_keep_cjk_punct(line)).strip() for line in raw.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


NARRATIVE = frozenset({"姓名", "籍贯", "工作单位及职务", "职业（工种）", "推荐单位", "负面情形", "个人简历", "简要事迹",
                       "职称", "技术等级", "民族", "政治面貌", "学历"})
"""Roster columns whose text is the nominee's own words: never NFKC-folded (it would turn
'２２年' into '22年' and '℃' into '°C', and a comma-like mark into ',')."""


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028\u2029"
                       "\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
"""Invisible characters no roster cell needs: C0 and C1 controls except tab, line feed and carriage
return, DEL, zero-width space, word joiner, byte-order mark, the Unicode line and paragraph separators,
and the bidirectional marks, embeddings, overrides and isolates (they can reorder a printed name)."""

_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
"""Controls that spreadsheets and Python's str.splitlines treat as line breaks."""


def strip_controls(value: str, *, multiline: bool) -> tuple[str, tuple[str, ...]]:
    """`value` without invisible control characters (`_CONTROLS`), and those found ('U+0001', …).

    A control that works as a line break (vertical tab, form feed, NEL, U+2028/U+2029) becomes '\\n'
    in a multi-line cell and a space elsewhere, so words stay apart; the others are removed. In a
    single-line cell an ordinary line break (Alt+Enter in Excel) becomes a space too, silently.
    Regular expressions only, so a cell of megabytes takes well under a second.
    """
    found: tuple[str, ...] = ()
    if _CONTROLS.search(value):
        found = tuple(f"U+{ord(ch):04X}" for ch in sorted(set(_CONTROLS.findall(value))))
        value = _CONTROLS.sub("", _BREAKS.sub("\n" if multiline else " ", value))
    if not multiline and ("\n" in value or "\r" in value):
        value = value.replace("\r", " ").replace("\n", " ")
    return value, found


def cell(column: str, value: object) -> str:
    """A roster cell as clean text: codes, numbers and dates NFKC-folded (`text`), narrative
    columns (`NARRATIVE`) only trimmed and their runs of spaces folded (`plain`)."""
    return plain(value) if column in NARRATIVE else text(value)


def plain(value: object) -> str:
    """Narrative text: trimmed per line, runs of spaces folded, blank edge lines dropped; no NFKC."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = str(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in raw.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


_KEEP = frozenset("，。：；！？（）【】「」『』《》〈〉、“”‘’—…～·")
"""Full-width punctuation that belongs in Chinese text and must survive normalisation."""


def _nfkc_keep_cjk_punct(s: str) -> str:
    return "".join(ch if ch in _KEEP else unicodedata.normalize("NFKC", ch) for ch in s)


def id_number(value: object) -> str:
    """An ID number: NFKC, no spaces or dashes, lower-case x → X. Excel floats made integers."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s\-]", "", s).upper()


def phone(value: object) -> str:
    """A phone number: NFKC, spaces removed; dashes kept for landlines."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or "")))


_YM = re.compile(r"^(\d{4})\s*(?:[.\-/年]\s*(\d{1,2})\s*(?:月)?(?:\s*[.\-/]?\s*\d{1,2}\s*日?)?)?$")


def excel_day(serial: int) -> dt.date:
    """The day of an Excel serial date number (1900 date system, its phantom 29 February 1900 included),
    as openpyxl reads it."""
    from openpyxl.utils.datetime import from_excel

    day: dt.datetime = from_excel(serial)
    return day.date()


def year_month(value: object) -> YearMonth | None:
    """Parse a year-month from any usual form; None when it cannot be read.

    Accepts datetime/date cells, '1978.05', '1978.5', '1978-5', '1978/05', '1978年5月',
    '1978年5月3日', '19780503', '197805', numbers 1978.05 / 1978.5, and Excel serial dates.
    '1978.1' is ambiguous (January, or October whose trailing zero Excel dropped); this
    returns October, the reading of a number cell — see `year_month_options`.
    """
    options = year_month_options(value)
    return options[0] if options else None


def year_month_options(value: object) -> list[YearMonth]:
    """Every reading of a year-month, the likeliest first ([] when unreadable).

    Only 'YYYY.1' has two readings: October (Excel turns a typed 1978.10 into 1978.1) and
    January; the roster reader picks the one the ID number confirms.
    """
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, dt.datetime | dt.date):
        return [YearMonth(value.year, value.month)]
    if isinstance(value, int | float):
        number = float(value)
        if not (1900 <= number < 2100) and 1 <= number < 80000:  # an unformatted Excel serial date
            day = excel_day(int(number))
            return [YearMonth(day.year, day.month)]
        s = repr(number) if not number.is_integer() else str(int(number))
    else:
        s = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d{6}|\d{8}", s):
        return _some(_valid(int(s[:4]), int(s[4:6])))
    if re.fullmatch(r"\d{4}\.1", s):
        return [YearMonth(int(s[:4]), 10), YearMonth(int(s[:4]), 1)]
    m = _YM.match(s)
    if not m or m.group(2) is None:
        return []
    return _some(_valid(int(m.group(1)), int(m.group(2))))


def _some(ym: YearMonth | None) -> list[YearMonth]:
    return [ym] if ym else []


def _valid(year: int, month: int) -> YearMonth | None:
    if 1900 <= year <= 2100 and 1 <= month <= 12:
        return YearMonth(year, month)
    return None


def conditions(value: object) -> tuple[tuple[int, ...], list[str]]:
    """'1,5' / '1、5' / '1 5' / '条件1和5' / 5 → ((1, 5), []); unknown parts are returned as the second item."""
    if value is None:
        return (), []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = unicodedata.normalize("NFKC", str(value))
    found: list[int] = []
    bad: list[str] = []
    for part in re.split(r"[,，、;；\s和及]+", s):
        part = part.strip().removeprefix("第").removeprefix("条件").removesuffix("条").removesuffix("项")
        if not part:
            continue
        if part.isdigit() and 1 <= int(part) <= 8:
            found.append(int(part))
        else:
            bad.append(part)
    return tuple(sorted(set(found))), bad


def count_chars(s: str) -> int:
    """Characters as Chinese offices count them: every non-whitespace character."""
    return sum(1 for ch in s if not ch.isspace())
