"""Reading rosters: formats, encodings, layout variations, broken files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.core.errors import RosterError
from pipeline.core.model import YearMonth
from pipeline.rules.roster import read_roster
from tests.conftest import make_id
from tests.roster_fixtures import HEADER, row, write_csv, write_xlsx


def codes(folder: Path) -> list[str]:
    return sorted(f.code for f in read_roster(folder).findings)


def test_xlsx_roster_is_read_and_normalised(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", [
        row(),
        row(编号="T02", 姓名="李　秀 兰", 性别="女", 出生年月=dt.datetime(1985, 3, 1),
            身份证号码=make_id("19850301", male=False)[:17] + "x" if make_id("19850301", male=False).endswith("X")
            else make_id("19850301", male=False), 联系电话="１３９０４５７０００２", 符合条件="２、８",
            参加工作时间=2003.1, 个人简历="2003.10—至今 漠河市\n2019年获龙江技术能手"),
    ], title_row="2027年兴安技术能手推荐人选名册")
    roster = read_roster(tmp_edition)
    assert roster.findings == ()
    first, second = roster.candidates
    assert first.birth == YearMonth(1980, 1) and first.conditions == (1, 5) and first.row == 3
    assert second.name == "李 秀 兰"
    assert second.birth == YearMonth(1985, 3)
    assert second.phone == "13904570002"
    assert second.conditions == (2, 8)
    assert second.work_start == YearMonth(2003, 10)
    assert second.resume.splitlines() == ["2003.10—至今 漠河市", "2019年获龙江技术能手"]


def test_lower_case_x_in_id_number_is_upper_cased(tmp_edition: Path) -> None:
    number = next(make_id(f"198503{d:02d}", male=False) for d in range(1, 29)
                  if make_id(f"198503{d:02d}", male=False).endswith("X"))
    write_xlsx(tmp_edition / "roster.xlsx", [row(性别="女", 出生年月="1985.03", 身份证号码=number.lower())])
    roster = read_roster(tmp_edition)
    assert roster.candidates[0].id_number == number


def test_dot_one_birth_month_follows_the_id_number(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", [
        row(出生年月=1980.1, 身份证号码=make_id("19800115")),
        row(编号="T02", 出生年月=1980.1, 身份证号码=make_id("19801015", seq="34")),
    ])
    first, second = read_roster(tmp_edition).candidates
    assert first.birth == YearMonth(1980, 1)
    assert second.birth == YearMonth(1980, 10)


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gb18030", False), ("gbk", False)])
def test_csv_encodings_are_detected(tmp_edition: Path, encoding: str, bom: bool) -> None:
    write_csv(tmp_edition / "roster.csv", [row(姓名="欧阳鑫垚", 籍贯="黑龙江呼玛")], encoding=encoding, bom=bom)
    c = read_roster(tmp_edition).candidates[0]
    assert (c.name, c.native_place) == ("欧阳鑫垚", "黑龙江呼玛")


def test_utf16_tab_separated_unicode_text(tmp_edition: Path) -> None:
    path = write_csv(tmp_edition / "roster.csv", [row()], encoding="utf-16", delimiter="\t")
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert read_roster(tmp_edition).candidates[0].name == "王建国"


def test_semicolons_under_a_title_row_with_commas_in_cells(tmp_edition: Path) -> None:
    # The delimiter is the one that splits the top rows into known column names: csv.Sniffer gives up
    # on this file ("Could not determine delimiter"), which is why roster._delimiter stays.
    path = write_csv(tmp_edition / "roster.csv", [row(工作单位及职务="塔河林业局, 电工班长", 简要事迹="获奖3项, 带徒28名")],
                     delimiter=";")
    path.write_bytes("兴安技术能手推荐人选名册（塔河林业局，2027年）\r\n".encode() + path.read_bytes())
    c = read_roster(tmp_edition).candidates[0]
    assert (c.name, c.unit_and_post, c.summary) == ("王建国", "塔河林业局, 电工班长", "获奖3项, 带徒28名")


def test_columns_in_any_order_and_extra_columns(tmp_edition: Path) -> None:
    header = ["备注", *reversed(HEADER)]
    write_xlsx(tmp_edition / "roster.xlsx", [row(备注="x")], header=header)
    roster = read_roster(tmp_edition)
    assert roster.candidates[0].name == "王建国" and roster.findings == ()


def test_empty_rows_are_skipped(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", [row(), {}, row(编号="T02", 身份证号码=make_id(seq="34"))])
    assert [c.code for c in read_roster(tmp_edition).candidates] == ["T01", "T02"]


def test_missing_column(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", [row()], header=[h for h in HEADER if h != "身份证号码"])
    with pytest.raises(RosterError) as exc:
        read_roster(tmp_edition)
    assert exc.value.code == "ROSTER_MISSING_COLUMN"
    assert "身份证号码" in exc.value.message


def test_optional_column_may_be_absent(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", [row()], header=[h for h in HEADER if h != "退休年龄类别"])
    assert read_roster(tmp_edition).findings == ()


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("roster.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "密码"),
        ("roster.xlsx", "编号,姓名\n".encode(), "不是 Excel"),
        ("roster.xlsx", b"PK\x03\x04broken", "损坏"),
        ("roster.csv", b"\x81\x30\xff\xfe\x00\x00\x00garbage\x00", "二进制"),
        ("roster.csv", b"a,b,c\n1,2,3\n", "表头"),
    ],
)
def test_unreadable_rosters(tmp_edition: Path, name: str, content: bytes, why: str) -> None:
    (tmp_edition / name).write_bytes(content)
    with pytest.raises(RosterError) as exc:
        read_roster(tmp_edition)
    assert exc.value.code == "ROSTER_UNREADABLE"
    assert why in exc.value.message


def test_no_roster_at_all(tmp_edition: Path) -> None:
    with pytest.raises(RosterError, match="roster"):
        read_roster(tmp_edition)


def test_row_level_findings(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", [
        row(工作单位及职务=""),
        row(编号="T02", 身份证号码=make_id(seq="34"), 性别="未知", 出生年月="去年", 申报方式="推荐吧",
            符合条件="1,9"),
        row(编号="T03", 身份证号码=make_id(seq="56"), 退休年龄类别="女55"),
    ])
    found = {(f.candidate_code, f.code, f.field) for f in read_roster(tmp_edition).findings}
    assert ("T01", "FIELD_REQUIRED", "工作单位及职务") in found
    assert {("T02", "FIELD_FORMAT", fld) for fld in ("性别", "出生年月", "申报方式", "符合条件")} <= found
    # 女55 for a man is caught as well
    assert ("T03", "FIELD_FORMAT", "退休年龄类别") in found


def test_duplicates_by_id_and_by_code(tmp_edition: Path) -> None:
    write_xlsx(tmp_edition / "roster.xlsx", [
        row(), row(编号="T02"),  # same ID number
        row(编号="T03", 身份证号码=make_id(seq="56")), row(编号="T03", 身份证号码=make_id(seq="78")),
    ])
    dup = sorted((f.candidate_code, f.field) for f in read_roster(tmp_edition).findings
                 if f.code == "DUPLICATE_CANDIDATE")
    assert dup == [("T01", "身份证号码"), ("T02", "身份证号码"), ("T03", "编号"), ("T03", "编号")]


def test_input_is_never_modified(tmp_edition: Path) -> None:
    path = write_xlsx(tmp_edition / "roster.xlsx", [row()])
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_roster(tmp_edition)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
