"""Resident ID numbers, GB 11643-1999: 17 digits + ISO 7064 MOD 11-2 check character.

The check character and the birth date are python-stdnum's (`stdnum.cn.ric`); on top of it stay our
own rules and Chinese messages: the province code, a birth year from 1900 on, and the order of the
checks (a malformed number is ID_FORMAT even when its check character is also wrong). stdnum's
county lookup (`get_birth_place`) is not used: county codes change, and an old card keeps its old
code (a county abolished before, or created after, the holder's birth year).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

PROVINCE_CODES: frozenset[str] = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91",
})
"""Province-level codes of GB/T 2260 (incl. 71 台湾, 81/82 港澳, 83 台湾居民居住证, 91 外国人).
Only the first two digits are checked: county codes change and old ones stay valid on old cards."""

_PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits."""
    return ric.calc_check_digit(first17 + "0")


@dataclass(frozen=True)
class IdInfo:
    """What a well-formed ID number says."""

    birth: dt.date
    """Date of birth (digits 7–14)."""
    gender: str
    """'男' when the 17th digit is odd, else '女'."""


class IdProblem(Exception):
    """Why an ID number is not valid: `code` is ID_FORMAT or ID_CHECKSUM."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_id(number: str) -> IdInfo:
    """Validate an (already normalised, upper-case X) ID number; raise IdProblem when invalid."""
    if not _PATTERN.match(number):
        raise IdProblem("ID_FORMAT", f"身份证号码“{number}”应为18位（17位数字加1位数字或X），实为{len(number)}位")
    if number[:2] not in PROVINCE_CODES:
        raise IdProblem("ID_FORMAT", f"身份证号码“{number}”的前两位“{number[:2]}”不是有效的省级行政区划代码")
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        raise IdProblem("ID_FORMAT", f"身份证号码“{number}”中的出生日期“{number[6:14]}”不存在") from None
    if birth.year < 1900:
        raise IdProblem("ID_FORMAT", f"身份证号码“{number}”中的出生日期“{number[6:14]}”不合理")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdProblem("ID_CHECKSUM", f"身份证号码“{number}”的校验位应为“{expected}”，实为“{number[17]}”")
    return IdInfo(birth, "男" if int(number[16]) % 2 else "女")
