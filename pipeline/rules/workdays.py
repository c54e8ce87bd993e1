"""China's official working-day calendar: `<edition>/calendar.toml` + chinesecalendar → `WorkdayCalendar`.

The 公示 lasts "5个工作日" (notice §四(三)6). Working days are counted on the official calendar
the State Council publishes every year: public holidays are off even on weekdays, and some
weekends are adjusted working days (调休). The bundled chinesecalendar package knows the years
up to the one it was released for and raises NotImplementedError for later years; the edition's
calendar.toml supplies those:

    [2027]
    holidays = [2027-01-01, 2027-02-06, …]   # 放假日期
    workdays = [2027-02-20, …]                # 调休上班的周末

A year that neither knows is an error naming the file to fill — never a weekday-only guess.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.errors import EditionConfigError

CALENDAR_FILE = "calendar.toml"


@dataclass(frozen=True)
class YearDays:
    """One year of calendar.toml."""

    year: int
    """The year."""
    holidays: frozenset[dt.date]
    """放假日期: days off (weekdays among them are not working days)."""
    workdays: frozenset[dt.date]
    """调休上班日: weekend days that are working days."""


def _builtin_is_workday(day: dt.date) -> bool | None:
    """chinesecalendar's answer for a day, or None when it does not know the year."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class WorkdayCalendar:
    """Working days on China's official calendar: chinesecalendar first, then calendar.toml."""

    years: tuple[YearDays, ...] = ()
    """Years given by calendar.toml, for the years the bundled calendar does not know."""
    source: Path | None = None
    """The calendar.toml these came from (or would come from), for messages."""
    builtin: Callable[[dt.date], bool | None] = field(default=_builtin_is_workday, compare=False)
    """The bundled calendar: True/False, or None for a year it does not know (a seam for tests)."""

    def _year(self, year: int) -> YearDays | None:
        """The calendar.toml entry of a year, if any."""
        for entry in self.years:
            if entry.year == year:
                return entry
        return None

    def is_workday(self, day: dt.date) -> bool:
        """True when `day` is a working day; EditionConfigError when no calendar knows its year."""
        known = self.builtin(day)
        if known is not None:
            return known
        entry = self._year(day.year)
        if entry is None:
            where = str(self.source) if self.source else CALENDAR_FILE
            raise EditionConfigError(
                f"不知道 {day.year} 年的法定节假日和调休安排：内置日历（chinesecalendar）没有收录这一年，"
                f"{CALENDAR_FILE} 中也没有 [{day.year}]，无法计算工作日",
                hint=f"按国务院办公厅关于 {day.year} 年部分节假日安排的通知，在 {where} 中补上 [{day.year}] 的 "
                "holidays = [放假日期…] 和 workdays = [调休上班的周末…]（格式见 input/demo/calendar.toml）",
                file=where,
                code="CALENDAR_YEAR_UNKNOWN",
            )
        if day in entry.holidays:
            return False
        if day in entry.workdays:
            return True
        return day.weekday() < 5

    def first_workday(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, otherwise the next working day."""
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def working_days(self, start: dt.date, count: int) -> tuple[dt.date, ...]:
        """The first `count` working days on or after `start`."""
        days: list[dt.date] = []
        day = start
        while len(days) < count:
            if self.is_workday(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return tuple(days)


@dataclass(frozen=True)
class Period:
    """A period of working days, such as the 公示."""

    start: dt.date
    """First day (a working day)."""
    end: dt.date
    """Last day (a working day)."""
    days: tuple[dt.date, ...]
    """Every working day of the period, in order."""

    @property
    def chinese(self) -> str:
        """'2027年5月10日至2027年5月14日' (full year, no leading zeros)."""
        return f"{cn_date(self.start)}至{cn_date(self.end)}"


def cn_date(day: dt.date) -> str:
    """'2027年5月8日': full year, month and day without leading zeros (GB/T 9704 成文日期)."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_of(start: dt.date, working_days: int, calendar: WorkdayCalendar) -> Period:
    """The period of `working_days` working days beginning on `start` (or the next working day)."""
    if working_days < 1:
        raise EditionConfigError(
            f"公示期的工作日数应至少为 1，现为 {working_days}",
            hint="修改 edition.toml 的 [publicity] working_days（通知规定为 5）",
            file="edition.toml",
        )
    days = calendar.working_days(calendar.first_workday(start), working_days)
    return Period(days[0], days[-1], days)


def _dates(source: Path, year: int, key: str, value: object) -> frozenset[dt.date]:
    """A calendar.toml value → a set of dates of that year; EditionConfigError when wrong."""
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, dt.date) and not isinstance(v, dt.datetime)
                                              for v in value):
        raise EditionConfigError(
            f"{CALENDAR_FILE} 中 [{year}] {key} 应为日期列表，如 [{year}-01-01, {year}-10-01]",
            hint=f"修改 {source} 的 [{year}] {key}（日期不加引号）",
            file=str(source),
        )
    wrong = [d for d in value if d.year != year]
    if wrong:
        raise EditionConfigError(
            f"{CALENDAR_FILE} 中 [{year}] {key} 含有不属于 {year} 年的日期：{'、'.join(map(str, wrong))}",
            hint=f"把这些日期移到对应年份的表里（修改 {source}）",
            file=str(source),
        )
    return frozenset(value)


def parse_calendar(source: Path, data: Mapping[str, object],
                   builtin: Callable[[dt.date], bool | None] = _builtin_is_workday) -> WorkdayCalendar:
    """calendar.toml content → WorkdayCalendar; EditionConfigError naming the year and key when wrong."""
    years: list[YearDays] = []
    for key, table in sorted(data.items()):
        if not key.isdigit() or not isinstance(table, dict):
            raise EditionConfigError(
                f"{CALENDAR_FILE} 中的“{key}”不是年份表，应写作 [2027]",
                hint=f"修改 {source}：每年一个表 [年份]，内含 holidays 和 workdays",
                file=str(source),
            )
        year = int(key)
        unknown = set(table) - {"holidays", "workdays"}
        if unknown:
            raise EditionConfigError(
                f"{CALENDAR_FILE} 中 [{year}] 有不认识的项：{'、'.join(sorted(unknown))}",
                hint=f"[{year}] 只写 holidays（放假日期）和 workdays（调休上班的周末）",
                file=str(source),
            )
        holidays = _dates(source, year, "holidays", table.get("holidays"))
        workdays = _dates(source, year, "workdays", table.get("workdays"))
        if not holidays:
            raise EditionConfigError(
                f"{CALENDAR_FILE} 中 [{year}] 没有放假日期（holidays）",
                hint=f"按国务院办公厅关于 {year} 年部分节假日安排的通知填写 holidays；不能只按周末推算",
                file=str(source),
            )
        both = holidays & workdays
        if both:
            raise EditionConfigError(
                f"{CALENDAR_FILE} 中 [{year}] 的日期既是放假日又是调休上班日：{'、'.join(sorted(map(str, both)))}",
                hint=f"修改 {source}，每个日期只能出现在一个列表中",
                file=str(source),
            )
        weekdays = sorted(d for d in workdays if d.weekday() < 5)
        if weekdays:
            raise EditionConfigError(
                f"{CALENDAR_FILE} 中 [{year}] workdays 只应列调休上班的周六、周日，"
                f"但 {'、'.join(map(str, weekdays))} 本来就是工作日",
                hint=f"修改 {source}：把放假的工作日写进 holidays，把调休上班的周末写进 workdays",
                file=str(source),
            )
        entry = YearDays(year, holidays, workdays)
        _agree_with_builtin(source, entry, builtin)
        years.append(entry)
    return WorkdayCalendar(tuple(years), source, builtin)


def _agree_with_builtin(source: Path, entry: YearDays, builtin: Callable[[dt.date], bool | None]) -> None:
    """A year both calendars know must agree; the bundled calendar is used for it."""
    day = dt.date(entry.year, 1, 1)
    disagree: list[str] = []
    while day.year == entry.year:
        known = builtin(day)
        if known is None:
            return
        mine = False if day in entry.holidays else True if day in entry.workdays else day.weekday() < 5
        if known != mine:
            disagree.append(f"{day}（内置日历：{'工作日' if known else '休息日'}）")
        day += dt.timedelta(days=1)
    if disagree:
        raise EditionConfigError(
            f"{CALENDAR_FILE} 中 [{entry.year}] 与内置日历不一致：{'、'.join(disagree[:5])}"
            + ("等" if len(disagree) > 5 else ""),
            hint=f"内置日历已收录 {entry.year} 年，可删除 {source} 中的 [{entry.year}]，或按国务院通知更正",
            file=str(source),
        )


def load_calendar(edition_dir: Path,
                  builtin: Callable[[dt.date], bool | None] = _builtin_is_workday) -> WorkdayCalendar:
    """`<edition>/calendar.toml` (optional) → WorkdayCalendar backed by chinesecalendar."""
    source = edition_dir / CALENDAR_FILE
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return WorkdayCalendar((), source, builtin)
    except (OSError, UnicodeDecodeError) as exc:
        raise EditionConfigError(
            f"无法读取 {CALENDAR_FILE}：{exc}", hint="用 UTF-8 编码保存该文件", file=str(source)
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EditionConfigError(
            f"{CALENDAR_FILE} 格式错误：{exc}",
            hint="按 TOML 格式修正：[2027] 下写 holidays = [2027-01-01, …]，日期不加引号",
            file=str(source),
        ) from None
    return parse_calendar(source, data, builtin)


def dates_in(days: Iterable[dt.date]) -> str:
    """'2027-05-10、2027-05-11' for messages."""
    return "、".join(d.isoformat() for d in days)
