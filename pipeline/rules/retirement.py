"""Statutory retirement date under the 2025 gradual rule.

全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (in force 2025-01-01):
- men (original age 60) and women whose original age is 55: one month later for every
  four months, up to 63 and 58 (a delay of at most 36 months);
- women whose original age is 50: one month later for every two months, up to 55
  (at most 60 months);
- a person whose original retirement month is before 2025-01 is not delayed.

The month counting follows the official table: the first four (or two) original months from
2025-01 are delayed one month, the next four (two) months two months, and so on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from pipeline.core.model import YearMonth

REFORM_START = YearMonth(2025, 1)
"""First original retirement month that is delayed."""


class Category(StrEnum):
    """Original statutory retirement age category."""

    male60 = "男60"
    female55 = "女55"
    female50 = "女50"


@dataclass(frozen=True)
class _Rule:
    original_years: int
    months_per_step: int
    max_delay_months: int


RULES: dict[Category, _Rule] = {
    Category.male60: _Rule(60, 4, 36),
    Category.female55: _Rule(55, 4, 36),
    Category.female50: _Rule(50, 2, 60),
}


@dataclass(frozen=True)
class Retirement:
    """The statutory retirement of one person."""

    category: Category
    """Original age category."""
    age_years: int
    """Statutory age, whole years."""
    age_months: int
    """Statutory age, remaining months (0–11)."""
    month: YearMonth
    """Month in which the person reaches the statutory age."""

    @property
    def age_text(self) -> str:
        """'60岁1个月' as shown in messages."""
        return f"{self.age_years}岁" + (f"{self.age_months}个月" if self.age_months else "")

    def date(self, birth_day: int = 1) -> dt.date:
        """The day the statutory age is reached (the birthday in that month; clamped to its length)."""
        day: dt.date = dt.date(self.month.year, self.month.month, 1) + relativedelta(day=birth_day)
        return day


def retirement(birth: YearMonth, category: Category) -> Retirement:
    """Statutory retirement for someone born in `birth` with the original age `category`."""
    rule = RULES[category]
    original = birth.plus_months(12 * rule.original_years)
    elapsed = REFORM_START.months_until(original)
    delay = 0 if elapsed < 0 else min(elapsed // rule.months_per_step + 1, rule.max_delay_months)
    total = 12 * rule.original_years + delay
    return Retirement(category, total // 12, total % 12, birth.plus_months(total))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 Feb → 28 Feb)."""
    later: dt.date = day + relativedelta(years=years)
    return later


def far_enough(retire_on: dt.date, reference: dt.date, years: int) -> bool:
    """True when retirement is at least `years` after the reference date ('3年以上' includes 3 years)."""
    return retire_on >= add_years(reference, years)
