"""The record of objections to the 公示: `<edition>/review/公示异议.xlsx`.

One row per objection received during the 公示 (notice §四(三)6): 收到日期, 反映人 (“匿名” when
anonymous), 涉及人选编号 and 姓名, 反映内容, 核查结论 (不成立 / 成立 / 核查中) and 核查情况. The
office keeps it by hand; `make decision` reads it and issues the 表彰决定 only when every objection
has been checked and none that was upheld concerns a person still on the list. No file, or a file
with no rows, means no objection was received.

Reading tolerates what people do in Excel (re-sorted rows, blank rows, '1' for '001', full-width
characters, the 编号 or the 姓名 alone); every problem names the file, row and cell and the fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.render import office
from pipeline.review.decisions import _choice, _letter, _styled_sheet, clean, match_code, read_table
from pipeline.review.problems import Problem

OBJECTION_FILE = "公示异议.xlsx"
OBJECTION_SHEET = "公示异议"
UNFOUNDED, UPHELD, CHECKING = "不成立", "成立", "核查中"
CONCLUSIONS = (UNFOUNDED, UPHELD, CHECKING)
COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 6), ("收到日期", 12), ("反映人", 12), ("涉及人选编号", 10), ("涉及人选姓名", 12),
    ("反映内容", 40), ("核查结论", 10), ("核查情况", 36),
)
"""The record's columns: header text and width."""
BLANK_ROWS = 20
"""Rows with the 核查结论 drop-down in a blank record."""


@dataclass(frozen=True)
class Objection:
    """One objection as recorded."""

    row: int
    """Row number in the sheet."""
    received: str
    """收到日期 as written (a date cell as 2027-05-11)."""
    reporter: str
    """反映人 (“匿名” when anonymous)."""
    code: str
    """The roster 编号 of the person concerned ('' when it could not be identified)."""
    name: str
    """The person's name (from the roster when identified)."""
    content: str
    """反映内容."""
    conclusion: str
    """核查结论: 不成立, 成立, 核查中 or '' (not yet checked)."""

    @property
    def label(self) -> str:
        """'N01 王建国' for messages."""
        return f"{self.code} {self.name}".strip()


def objection_path(review_dir: Path) -> Path:
    """<edition>/review/公示异议.xlsx."""
    return review_dir / OBJECTION_FILE


def write_objection_sheet(target: Path, title: str, rows: Sequence[Sequence[Any]], when: dt.datetime) -> None:
    """公示异议.xlsx: rows are (收到日期, 反映人, 编号, 姓名, 反映内容, 核查结论, 核查情况); none = a blank record."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = OBJECTION_SHEET
    note = ("公示期间收到的异议，每件一行：反映人匿名的填“匿名”；涉及人选填编号和姓名（见公示名单和评审结果）。"
            f"核查后在“核查结论”填写“{UNFOUNDED}”或“{UPHELD}”（黄色单元格），未核查完的填“{CHECKING}”。"
            "有未核查完的异议，或核查成立的异议涉及的人选仍在名单中，make decision 不生成表彰决定。")
    body = [[i, *r] for i, r in enumerate(rows, start=1)]
    _styled_sheet(ws, f"{title}公示异议登记表", note, COLUMNS, body)
    last = 3 + max(len(rows), BLANK_ROWS)
    _choice(ws, _letter(7), 4, last, CONCLUSIONS, f"核查后填写“{UNFOUNDED}”或“{UPHELD}”，未核查完的填“{CHECKING}”")
    office.save_workbook(wb, target, when)


def _text(value: Any) -> str:
    """A cell as display text: a date as 2027-05-11, other values stripped."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def read_objections(path: Path, rel: str, names: Mapping[str, str], listed: Sequence[str]
                    ) -> tuple[tuple[Objection, ...], list[Problem]]:
    """公示异议.xlsx → the objections and every problem that stops the 表彰决定.

    `names`: roster 编号 → 姓名 of every nominee; `listed`: 编号 of the persons still on the list.
    Problems: OBJECTION_PERSON (the person cannot be identified), OBJECTION_OPEN (no conclusion yet),
    OBJECTION_VALUE (a conclusion that is not one of 不成立 / 成立 / 核查中), OBJECTION_UPHELD (an upheld
    objection about a person still on the list); and SHEET_UNREADABLE / SHEET_HEADER_MISSING.
    """
    if not path.is_file():
        return (), []
    table, problems = read_table(path, rel, ("涉及人选姓名", "核查结论"), OBJECTION_SHEET)
    if table is None:
        return (), problems
    sheet = table.sheet
    cols = table.columns
    where = {k: _letter(cols[k]) if k in cols else "" for k in ("涉及人选编号", "涉及人选姓名", "核查结论")}
    codes = list(names)
    out: list[Objection] = []
    for r, values in table.rows:
        raw_code, raw_name = clean(values.get("涉及人选编号")), clean(values.get("涉及人选姓名"))
        received = _text(values.get("收到日期"))
        when = f"（{received} 收到，第 {r} 行）" if received else f"（第 {r} 行）"
        code = match_code(raw_code, codes) if raw_code else None
        person_problem = ""
        if raw_code and code is None:
            person_problem = f"涉及人选编号“{raw_code}”不在名册中"
        elif code is not None and raw_name and clean(names[code]) != raw_name:
            person_problem = f"编号 {code} 在名册中是{names[code]}，而涉及人选姓名填的是“{raw_name}”"
        elif code is None:
            same = [c for c in codes if clean(names[c]) == raw_name]
            if len(same) == 1:
                code = same[0]
            elif not same:
                person_problem = f"涉及人选“{raw_name or '（未填写）'}”不在名册中"
            else:
                person_problem = f"名册中有 {len(same)} 人名叫{raw_name}（{'、'.join(same)}），无法确定是哪一位"
        name = names[code] if code is not None else raw_name
        objection = Objection(r, received, _text(values.get("反映人")), code or "", name,
                              _text(values.get("反映内容")), clean(values.get("核查结论")))
        out.append(objection)
        if person_problem:
            problems.append(Problem(
                "OBJECTION_PERSON", rel, sheet, f"{where['涉及人选编号'] or where['涉及人选姓名']}{r}",
                f"第 {r} 行的异议{f'（{received} 收到）' if received else ''}：{person_problem}",
                "按公示名单填写正确的涉及人选编号和姓名，再运行 make decision"))
            continue
        conclusion = objection.conclusion
        cell = f"{where['核查结论']}{r}"
        if conclusion in ("", CHECKING):
            state = "尚未核查完毕" if conclusion else "还没有核查结论"
            problems.append(Problem(
                "OBJECTION_OPEN", rel, sheet, cell,
                f"关于 {objection.label} 的异议{when}{state}，不能印发表彰决定",
                f"核查后在“核查结论”填写“{UNFOUNDED}”或“{UPHELD}”，再运行 make decision"))
        elif conclusion not in CONCLUSIONS:
            problems.append(Problem(
                "OBJECTION_VALUE", rel, sheet, cell,
                f"关于 {objection.label} 的异议{when}的核查结论“{conclusion}”无法识别",
                f"只能填写“{UNFOUNDED}”“{UPHELD}”或“{CHECKING}”"))
        elif conclusion == UPHELD and objection.code in listed:
            problems.append(Problem(
                "OBJECTION_UPHELD", rel, sheet, cell,
                f"关于 {objection.label} 的异议{when}核查成立，但{objection.name}仍在拟表彰人选名单中",
                f"按领导小组的决定在 review/ 中取消 {objection.label} 的拟表彰资格，重新运行 make results 和 "
                "make publicity（名单变化后应重新公示），再运行 make decision"))
    return tuple(out), problems
