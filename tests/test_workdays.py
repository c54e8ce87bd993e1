"""The 公示 period: 5 working days on China's official calendar (holidays and 调休)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.core.errors import EditionConfigError
from pipeline.rules.workdays import (
    WorkdayCalendar,
    cn_date,
    load_calendar,
    parse_calendar,
    period_of,
)
from tests.review_fixtures import CAL_2027

D = dt.date.fromisoformat


@pytest.mark.parametrize(("start", "end"), [
    ("2025-09-26", "2025-10-09"),   # National Day + Mid-Autumn; Sunday 9-28 is a working day
    ("2026-02-12", "2026-02-25"),   # Spring Festival; Saturday 2-14 is a working day
    ("2026-04-30", "2026-05-09"),   # Labour Day; ends on a Saturday working day
    ("2025-12-30", "2026-01-06"),   # across the year end; Sunday 2026-01-04 is a working day
    ("2026-02-16", "2026-02-28"),   # starts on a holiday: day 1 is the next working day (2-24)
])
def test_vectors(start: str, end: str) -> None:
    period = period_of(D(start), 5, load_calendar(Path("/nonexistent")))
    assert period.end == D(end)
    assert len(period.days) == 5 and period.days[-1] == period.end


def test_start_on_holiday_moves_to_next_working_day() -> None:
    period = period_of(D("2026-02-16"), 5, load_calendar(Path("/nonexistent")))
    assert period.start == D("2026-02-24")
    assert period.days == (D("2026-02-24"), D("2026-02-25"), D("2026-02-26"), D("2026-02-27"), D("2026-02-28"))


def test_start_on_working_day_is_day_one() -> None:
    assert period_of(D("2026-04-30"), 5, load_calendar(Path("/nonexistent"))).start == D("2026-04-30")


def test_unknown_year_names_the_file_to_fill(tmp_path: Path) -> None:
    with pytest.raises(EditionConfigError) as err:
        period_of(D("2027-05-10"), 5, load_calendar(tmp_path))
    text = str(err.value)
    assert "2027" in text and str(tmp_path / "calendar.toml") in text and "holidays" in text
    assert err.value.code == "CALENDAR_YEAR_UNKNOWN"


def test_never_guesses_weekdays_for_unknown_year_midway(tmp_path: Path) -> None:
    """A period running from a known year into an unknown one fails instead of counting weekdays."""
    (tmp_path / "calendar.toml").write_text(CAL_2027, encoding="utf-8")
    with pytest.raises(EditionConfigError, match="2028"):
        period_of(D("2027-12-29"), 5, load_calendar(tmp_path))


def test_calendar_toml_for_2027(tmp_path: Path) -> None:
    (tmp_path / "calendar.toml").write_text(CAL_2027, encoding="utf-8")
    calendar = load_calendar(tmp_path)
    assert period_of(D("2027-05-10"), 5, calendar).end == D("2027-05-14")
    # Labour Day 2027: 5-1…5-5 off, Saturday 5-8 worked.
    assert period_of(D("2027-04-29"), 5, calendar).days == (
        D("2027-04-29"), D("2027-04-30"), D("2027-05-06"), D("2027-05-07"), D("2027-05-08"))
    assert not calendar.is_workday(D("2027-10-04")) and calendar.is_workday(D("2027-10-09"))


def test_the_demo_calendar_is_valid() -> None:
    from tests.review_fixtures import DEMO

    if not (DEMO / "calendar.toml").is_file():
        pytest.skip("the demo edition has no calendar.toml yet")
    calendar = load_calendar(DEMO)
    assert any(entry.year == 2027 for entry in calendar.years)
    assert period_of(D("2027-05-10"), 5, calendar).end >= D("2027-05-14")


@pytest.mark.parametrize(("text", "needle"), [
    ('[2027]\nholidays = ["2027-01-01"]\n', "日期列表"),
    ("[2027]\nholidays = [2028-01-01]\n", "不属于 2027 年"),
    ("[2027]\nholidays = []\n", "没有放假日期"),
    ("[2027]\nholidays = [2027-01-01]\nworkdays = [2027-01-01]\n", "既是放假日又是调休上班日"),
    ("[2027]\nholidays = [2027-01-01]\nworkdays = [2027-02-10]\n", "本来就是工作日"),
    ("[2027]\nholiday = [2027-01-01]\n", "不认识的项"),
    ("[x2027]\nholidays = [2027-01-01]\n", "不是年份表"),
    ("[2027\n", "格式错误"),
])
def test_bad_calendar_files(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "calendar.toml").write_text(text, encoding="utf-8")
    with pytest.raises(EditionConfigError, match=needle) as err:
        load_calendar(tmp_path)
    assert "calendar.toml" in str(err.value)


def test_calendar_disagreeing_with_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "calendar.toml").write_text("[2026]\nholidays = [2026-01-01]\n", encoding="utf-8")
    with pytest.raises(EditionConfigError, match="与内置日历不一致"):
        load_calendar(tmp_path)


def test_the_bundled_calendar_wins_and_toml_fills_the_rest() -> None:
    """A seam: a bundled calendar that knows only 2026 and a toml year for 2027."""
    def builtin(day: dt.date) -> bool | None:
        return day.weekday() < 5 if day.year == 2026 else None

    calendar = parse_calendar(Path("calendar.toml"), {"2027": {"holidays": [D("2027-01-01")]}}, builtin)
    assert period_of(D("2026-12-30"), 3, calendar).days == (D("2026-12-30"), D("2026-12-31"), D("2027-01-04"))
    assert WorkdayCalendar((), None, builtin).is_workday(D("2026-06-01"))


def test_working_days_must_be_positive() -> None:
    with pytest.raises(EditionConfigError, match="working_days"):
        period_of(D("2026-04-30"), 0, load_calendar(Path("/nonexistent")))


def test_chinese_dates() -> None:
    assert cn_date(D("2027-05-08")) == "2027年5月8日"
    period = period_of(D("2025-12-30"), 5, load_calendar(Path("/nonexistent")))
    assert period.chinese == "2025年12月30日至2026年1月6日"
