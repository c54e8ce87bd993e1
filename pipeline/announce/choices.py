"""The values the roster template offers in its drop-down lists, each from one place.

性别, 申报方式 and 退休年龄类别 come from the roster reader and the retirement rule (the values
they accept); 民族 (the 56 of GB/T 3304), 政治面貌 and 学历, which the reader takes as free text,
from pipeline/data/roster-choices.toml.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from pipeline.rules.retirement import Category
from pipeline.rules.roster import GENDERS, NOMINATIONS

CHOICES_FILE = Path(__file__).resolve().parent.parent / "data" / "roster-choices.toml"

STRICT: frozenset[str] = frozenset({"性别", "申报方式", "退休年龄类别"})
"""Columns whose list is all the reader accepts (other text is FIELD_FORMAT): Excel refuses other
values there. In the others, another value (a 学历 not listed) is allowed after a warning."""


@functools.cache
def choices() -> dict[str, tuple[str, ...]]:
    """Roster column → the values of its drop-down list, in the order offered."""
    data = tomllib.loads(CHOICES_FILE.read_text(encoding="utf-8"))
    return {
        "性别": GENDERS,
        "民族": tuple(data["民族"]),
        "政治面貌": tuple(data["政治面貌"]),
        "学历": tuple(data["学历"]),
        "申报方式": NOMINATIONS,
        "退休年龄类别": tuple(c.value for c in Category),
    }
