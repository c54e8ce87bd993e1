"""ID numbers, the 2025 retirement rule and normalisation of typed values."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.core.model import YearMonth
from pipeline.rules import normalize
from pipeline.rules.idcard import IdProblem, check_character, parse_id
from pipeline.rules.retirement import Category, far_enough, retirement
from tests.conftest import make_id

# ---- GB 11643-1999 ------------------------------------------------------------------------


def test_known_id_numbers_are_valid() -> None:
    assert parse_id("11010519491231002X").birth == dt.date(1949, 12, 31)
    assert parse_id("11010519491231002X").gender == "女"
    info = parse_id(make_id("19800115", male=True))
    assert (info.birth, info.gender) == (dt.date(1980, 1, 15), "男")


def test_check_character_is_mod_11_2() -> None:
    assert check_character("11010519491231002") == "X"
    assert check_character("23270019800115121") == make_id("19800115")[-1]


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("2327001980011512", "ID_FORMAT"),  # 16 characters
        ("23270019800115121X9", "ID_FORMAT"),  # 19
        ("2327001980011512A1", "ID_FORMAT"),  # letter inside
        (make_id("19800230"), "ID_FORMAT"),  # 30 February
        (make_id("18990101"), "ID_FORMAT"),
        ("99" + make_id()[2:], "ID_FORMAT"),  # no province 99
        (make_id()[:17] + ("0" if make_id()[17] != "0" else "1"), "ID_CHECKSUM"),
    ],
)
def test_bad_id_numbers(number: str, code: str) -> None:
    with pytest.raises(IdProblem) as exc:
        parse_id(number)
    assert exc.value.code == code


def test_historical_county_codes_are_accepted() -> None:
    # 232700 大兴安岭地区 itself; 232761-ish and retired county codes must not be rejected
    for region in ("232700", "232721", "232799", "230000"):
        parse_id(make_id(region=region))


# ---- retirement: the vectors of the issue ---------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "category", "age", "month"),
    [
        ((1965, 1), Category.male60, "60岁1个月", (2025, 2)),
        ((1976, 8), Category.male60, "62岁11个月", None),
        ((1976, 9), Category.male60, "63岁", None),
        ((1990, 1), Category.male60, "63岁", None),
        ((1971, 4), Category.female55, "55岁4个月", (2026, 8)),
        ((1975, 3), Category.female50, "50岁2个月", (2025, 5)),
        ((1984, 10), Category.female50, "54岁11个月", None),
        ((1984, 11), Category.female50, "55岁", None),
        ((1964, 12), Category.male60, "60岁", (2024, 12)),  # original month before 2025-01: no delay
        ((1974, 12), Category.female50, "50岁", (2024, 12)),
    ],
)
def test_retirement_vectors(birth: tuple[int, int], category: Category, age: str,
                            month: tuple[int, int] | None) -> None:
    r = retirement(YearMonth(*birth), category)
    assert r.age_text == age
    if month:
        assert r.month == YearMonth(*month)


def test_three_years_includes_exactly_three_years() -> None:
    ref = dt.date(2027, 3, 19)
    assert far_enough(dt.date(2030, 3, 19), ref, 3)
    assert not far_enough(dt.date(2030, 3, 18), ref, 3)
    assert far_enough(dt.date(2032, 2, 29), dt.date(2029, 2, 28), 3)


def test_retirement_day_is_the_birthday_clamped_to_the_month() -> None:
    r = retirement(YearMonth(1971, 4), Category.female55)  # retires 2026-08
    assert [r.date(d) for d in (1, 31)] == [dt.date(2026, 8, 1), dt.date(2026, 8, 31)]
    feb = retirement(YearMonth(1964, 2), Category.male60)  # 2024-02, before the reform
    assert (feb.date(31), feb.date(29)) == (dt.date(2024, 2, 29), dt.date(2024, 2, 29))
    assert retirement(YearMonth(1965, 2), Category.male60).date(30) == dt.date(2025, 3, 30)  # 60岁1个月


# ---- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["1978.05", "1978.5", "1978-5", "1978/05", "1978年5月", "1978年5月3日", "１９７８．０５", "19780503",
     "197805", 1978.05, 1978.5, dt.datetime(1978, 5, 1), dt.date(1978, 5, 31), 28611, " 1978 . 05 "],
)
def test_every_typed_date_form_means_may_1978(value: object) -> None:
    assert normalize.year_month(value) == YearMonth(1978, 5)


def test_excel_serial_dates_are_read_as_excel_shows_them() -> None:
    # openpyxl's from_excel, with Excel's phantom 29 February 1900: serial 1 is 1900-01-01, 61 is 1 March
    assert [normalize.excel_day(n) for n in (1, 59, 61, 28611, 45000)] == [
        dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(1978, 5, 1), dt.date(2023, 3, 15)]
    assert normalize.year_month(1) == YearMonth(1900, 1)
    assert normalize.year_month(28611.75) == YearMonth(1978, 5)  # a time of day does not move the day


def test_ambiguous_dot_one_offers_october_then_january() -> None:
    assert normalize.year_month_options(1978.1) == [YearMonth(1978, 10), YearMonth(1978, 1)]
    assert normalize.year_month(1978.12) == YearMonth(1978, 12)


@pytest.mark.parametrize("value", ["abc", "1978", 1978, "1978.13", "", None, "78.5"])
def test_unreadable_dates(value: object) -> None:
    assert normalize.year_month(value) is None


def test_text_normalisation_keeps_chinese_punctuation() -> None:
    assert normalize.text("  ＡＢＣ１２３，你好。 ") == "ABC123，你好。"
    assert normalize.text("第一行 \r\n\r\n  第二行  \n") == "第一行\n\n第二行"
    assert normalize.text(13904570001.0) == "13904570001"


def test_id_and_phone_normalisation() -> None:
    assert normalize.id_number(" 232700 19800115 121x ") == "23270019800115121X"
    assert normalize.phone("１３９ ０４５７ ０００１") == "13904570001"


def test_conditions() -> None:
    assert normalize.conditions("1,5") == ((1, 5), [])
    assert normalize.conditions("1、5，3") == ((1, 3, 5), [])
    assert normalize.conditions(5.0) == ((5,), [])
    assert normalize.conditions("条件2和第6条") == ((2, 6), [])
    assert normalize.conditions("9") == ((), ["9"])
    assert normalize.conditions("") == ((), [])
