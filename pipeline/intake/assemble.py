"""Every unit's submission → the edition's roster.xlsx and candidates/, never undoing the office's edits.

What intake wrote is recorded in `<edition>/.intake/manifest.json` (owner-only: it holds ID numbers):
per person (身份证号码) the 编号, the unit, the roster row as written and each file's SHA-256.
On the next run a row or file that still equals the record is intake's to update; one that differs
was edited by the office and is kept, and if the unit sent something new for it the conflict is
reported (INTAKE_HAND_EDIT_KEPT). A row the office added is the office's; a person the office
deleted is not added again. 编号 are never reused: a person keeps theirs across runs, and a
withdrawn person's number stays reserved.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.errors import RosterError, StageError
from pipeline.core.safepath import UnsafePath, child, inside
from pipeline.intake import model
from pipeline.intake.gather import Nominee, Unit
from pipeline.intake.model import Change
from pipeline.rules import normalize
from pipeline.rules.roster import COLUMNS, read_cells

MANIFEST = Path(".intake") / "manifest.json"
"""Where intake records what it wrote, relative to the edition folder."""
MANIFEST_SCHEMA = 1
CODE_WIDTH = 3
"""编号 are numbers written with at least this many digits ('001')."""
_DATES = frozenset({"出生年月", "参加工作时间"})
_EXCEL_CELL_MAX = 32767

Row = dict[str, str]


def cell_text(column: str, value: object) -> str:
    """A roster cell as intake writes it and compares it (idempotent)."""
    if isinstance(value, dt.datetime | dt.date) and column in _DATES:
        return f"{value.year}.{value.month:02d}"
    if column == "身份证号码":
        return normalize.id_number(value)
    if isinstance(value, str):
        value, _ = normalize.strip_controls(value, multiline=column in ("个人简历", "简要事迹"))
    return normalize.cell(column, value)[:_EXCEL_CELL_MAX]


def _row(cells: dict[str, Any]) -> Row:
    return {col: cell_text(col, cells.get(col)) for col in COLUMNS}



@dataclass
class Outcome:
    """What one run did."""

    units: list[Unit]
    changes: list[Change] = field(default_factory=list)
    roster_written: bool = False
    people: int = 0
    """Rows in roster.xlsx after the run."""


def _person(code: str, name: str) -> str:
    return f"{code} {name}".strip()


class Assembler:
    """One run of intake over an edition folder."""

    def __init__(self, edition: Path, when: dt.datetime) -> None:
        self.edition = edition
        self.when = when
        self.roster_path = edition / "roster.xlsx"
        if (edition / "roster.csv").is_file():
            raise StageError("届次文件夹中已有名册 roster.csv，汇总申报材料会写出 roster.xlsx，两份名册无法并存",
                             hint="在 Excel/WPS 中把 roster.csv 另存为 roster.xlsx，再删除 roster.csv，然后重新运行 make intake",
                             file=str(edition / "roster.csv"))
        self.candidates = edition / "candidates"
        if self.candidates.exists() and not inside(edition, self.candidates):
            raise StageError("candidates 文件夹是指向届次文件夹以外的链接，汇总申报材料不会写入那里",
                             hint="把链接换成真正的 candidates 文件夹", file=str(self.candidates))
        self.manifest = self._load_manifest()
        self.people: dict[str, dict[str, Any]] = self.manifest["people"]
        self.rows, self.order = self._current_rows()
        self.dirty = not self.roster_path.exists()

    # ---- state -------------------------------------------------------------------------

    def _load_manifest(self) -> dict[str, Any]:
        path = self.edition / MANIFEST
        if not path.is_file():
            return {"schema": MANIFEST_SCHEMA, "people": {}}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StageError("汇总记录已损坏，无法判断哪些内容是办公室修改过的", file=str(path),
                             hint="从备份恢复该文件；或删除它（下次汇总会把名册中已有的行都当作办公室的内容保留）") from exc
        if not isinstance(data, dict) or data.get("schema") != MANIFEST_SCHEMA or not isinstance(data.get("people"), dict):
            raise StageError("汇总记录的格式不认识", file=str(path), hint="删除该文件后重新运行 make intake")
        return data

    def _current_rows(self) -> tuple[dict[str, Row], list[str]]:
        """The roster as it is now, by 编号 (rows without 编号 keyed by their row number)."""
        if not self.roster_path.is_file():
            return {}, []
        try:
            cells = read_cells(self.roster_path)
        except RosterError as exc:
            raise StageError(f"现有名册无法读取，汇总申报材料不会覆盖它：{exc.message}", hint=exc.hint,
                             file=str(self.roster_path)) from exc
        rows: dict[str, Row] = {}
        order: list[str] = []
        for number, raw in cells:
            row = _row(raw)
            key = row["编号"] or f"\x00第{number}行"
            rows[key] = row
            order.append(key)
        return rows, order

    def _next_code(self) -> str:
        taken = {str(p["编号"]) for p in self.people.values()} | set(self.rows)
        if self.candidates.is_dir():
            taken |= {p.name for p in self.candidates.iterdir()}
        numbers = [int(c) for c in taken if c.isdigit()]
        width = max([CODE_WIDTH, *(len(c) for c in taken if c.isdigit())])
        return str(max(numbers, default=0) + 1).zfill(width)

    # ---- the run -----------------------------------------------------------------------

    def run(self, units: list[Unit], all_units: set[str]) -> Outcome:
        """Assemble; `all_units` names every unit folder found (for units that disappeared)."""
        outcome = Outcome(units)
        chosen = self._dedupe(units)
        by_unit = {u.name: u for u in units}
        for nominee in chosen:
            self._take(nominee, by_unit[nominee.unit], outcome)
        sent = {n.key for n in chosen} | {n.key for u in units for n in u.nominees}
        for key, rec in self.people.items():
            if key in sent or rec.get("withdrawn"):
                continue
            unit = by_unit.get(rec["unit"])
            if unit is None:
                if rec["unit"] not in all_units:
                    outcome.changes.append(Change(rec["unit"], _person(rec["编号"], rec["name"]), "未变动",
                                                  "submissions/ 中已没有该单位，上次汇总的内容保留在名册中"))
                continue
            if unit.complete:
                self._withdraw(key, rec, unit, outcome)
        outcome.roster_written = self._write_roster()
        outcome.people = len(self.rows)
        self.manifest["people"] = self.people
        atomic.write_bytes(self.edition / MANIFEST,
                           (json.dumps(self.manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode(),
                           private=True)
        return outcome

    def _dedupe(self, units: list[Unit]) -> list[Nominee]:
        """One nominee per person: the unit intake took them from before, else the first unit (folder
        name order), else the first row. The others are DUPLICATE_PERSON, naming both units."""
        everyone = [(i, n) for i, u in enumerate(units) for n in u.nominees]
        everyone.sort(key=lambda p: (self.people.get(p[1].key, {}).get("unit") != p[1].unit, p[0], p[1].row))
        first: dict[str, Nominee] = {}
        chosen: list[Nominee] = []
        for _i, n in everyone:
            kept = first.get(n.key)
            if kept is None:
                first[n.key] = n
                chosen.append(n)
                continue
            unit = next(u for u in units if u.name == n.unit)
            where = f"“{kept.unit}”（名册第{kept.row}行）"
            if kept.unit == n.unit:
                where = f"本单位名册第{kept.row}行"
            unit.problem(model.DUPLICATE_PERSON,
                         f"{n.name}（身份证号码 {n.id_number}）已由{where}推荐，“{n.unit}”名册第{n.row}行重复推荐，"
                         f"只保留{where}的，本行和材料未汇总",
                         "同一人只能由一个单位推荐一次：请两个单位协商，由一方撤回；如应保留本单位的，"
                         f"请“{kept.unit}”撤回后重新运行 make intake", unit.roster, person=n.name)
        chosen.sort(key=lambda n: ([u.name for u in units].index(n.unit), n.row))
        return chosen

    def _take(self, nominee: Nominee, unit: Unit, outcome: Outcome) -> None:
        new = _row(nominee.cells)
        rec = self.people.get(nominee.key)
        if rec is None:
            office = next((k for k, r in self.rows.items() if nominee.id_number and r["身份证号码"] == nominee.id_number
                           and not k.startswith("\x00")), None)
            code = office or self._next_code()
            rec = {"编号": code, "unit": nominee.unit, "name": nominee.name, "row": None if office else {}, "files": {}}
            self.people[nominee.key] = rec
        code = rec["编号"]
        rec["unit"], rec["name"] = nominee.unit, nominee.name
        who = _person(code, nominee.name)
        new["编号"] = code
        current = self.rows.get(code)
        if current is None:
            if rec["row"] and not rec.get("withdrawn"):
                outcome.changes.append(Change(unit.name, who, "保留办公室修改", "办公室已从名册中删除此人，未重新加入"
                                              "（如需恢复，把该行加回 roster.xlsx）"))
                return
            self.rows[code] = new
            self.order.append(code)
            self.dirty = True
            kind = "重新报送" if rec.get("withdrawn") else "新增人选"
            rec["row"], rec["withdrawn"] = new, False
            outcome.changes.append(Change(unit.name, who, kind, f"{len(nominee.files)} 个文件"))
        elif rec["row"] and current == rec["row"]:
            if new != current:
                fields = [c for c in COLUMNS if new[c] != current[c]]
                self.rows[code] = new
                self.dirty = True
                rec["row"] = new
                outcome.changes.append(Change(unit.name, who, "名册行已更新", "、".join(fields)))
        elif new == current:
            rec["row"] = new  # the office made the same change as the unit: in step again
        else:
            fields = [c for c in COLUMNS if new[c] != current[c]]
            if rec["row"] is None or new != rec["row"]:
                unit.problem(model.HAND_EDIT_KEPT,
                             f"{who}在 roster.xlsx 中的行是办公室修改（或添加）的，单位报送的“{'、'.join(fields)}”与之不同，"
                             "保留办公室的内容", "核对两者：如应采用单位报送的内容，在 roster.xlsx 中改成单位报送的内容",
                             "roster.xlsx", "warning", who)
            outcome.changes.append(Change(unit.name, who, "保留办公室修改", f"名册行（{'、'.join(fields)}）"))
        self._files(nominee, unit, rec, who, outcome)

    def _folder(self, code: str) -> Path:
        return child(self.candidates, code)

    def _target(self, code: str, rel: str) -> Path:
        path = self._folder(code)
        for part in rel.split("/"):
            path = child(path, part)
        return path

    def _files(self, nominee: Nominee, unit: Unit, rec: dict[str, Any], who: str, outcome: Outcome) -> None:
        code = rec["编号"]
        files: dict[str, str] = rec["files"]
        new_person = not files and not self._folder(code).exists()
        for f in nominee.files:
            try:
                target = self._target(code, f.rel)
            except UnsafePath as exc:
                unit.problem(model.ZIP_UNSAFE_PATH, f"“{f.origin}”不能用作文件名：{exc.message}", exc.hint, f.origin, person=who)
                continue
            shown = target.relative_to(self.edition).as_posix()
            if not inside(self.edition, target):
                unit.problem(model.ZIP_SYMLINK, f"“{shown}”所在的文件夹是指向届次文件夹以外的链接，“{f.origin}”未写入",
                             "把届次文件夹中的该链接换成真正的文件夹", f.origin, person=who)
                continue
            old = files.get(f.rel)
            if not target.exists():
                if old is not None:
                    if old != f.sha256:
                        unit.problem(model.HAND_EDIT_KEPT, f"办公室已删除“{shown}”，单位又报送了新的内容（“{f.origin}”），未写入",
                                     f"如需采用单位的新文件，把它复制为 {shown}", f.origin, "warning", who)
                    outcome.changes.append(Change(unit.name, who, "保留办公室修改", f"{shown}（办公室已删除，未恢复）"))
                    continue
                atomic.copy_file(f.source, target)
                files[f.rel] = f.sha256
                if not new_person:
                    outcome.changes.append(Change(unit.name, who, "新增文件", shown))
                continue
            current = atomic.sha256_file(target)
            if current == f.sha256:
                files[f.rel] = f.sha256
            elif old is not None and current == old:
                atomic.copy_file(f.source, target)
                files[f.rel] = f.sha256
                outcome.changes.append(Change(unit.name, who, "文件已更新", shown))
            else:
                unit.problem(model.HAND_EDIT_KEPT, f"“{shown}”是办公室修改（或放入）的，与单位报送的“{f.origin}”不同，保留办公室的文件",
                             f"如应采用单位报送的文件，删除 {shown} 后重新运行 make intake", f.origin, "warning", who)
                outcome.changes.append(Change(unit.name, who, "保留办公室修改", shown))
        if unit.complete:
            sent = {f.rel for f in nominee.files}
            for rel in sorted(set(files) - sent):
                self._remove_file(code, rel, files, unit.name, who, outcome)

    def _remove_file(self, code: str, rel: str, files: dict[str, str], unit: str, who: str, outcome: Outcome) -> None:
        """A file intake wrote that the unit no longer sends: removed unless the office changed it."""
        target = self._target(code, rel)
        shown = target.relative_to(self.edition).as_posix()
        old = files.pop(rel)
        if target.is_file() and not target.is_symlink() and atomic.sha256_file(target) == old:
            target.unlink()
            for parent in target.parents:
                if parent == self.candidates or not parent.is_dir() or any(parent.iterdir()):
                    break
                parent.rmdir()
            outcome.changes.append(Change(unit, who, "文件已删除", f"{shown}（单位新报送的材料中没有）"))
        elif target.exists():
            outcome.changes.append(Change(unit, who, "保留办公室修改", f"{shown}（单位已不再报送，办公室改过，保留）"))

    def _withdraw(self, key: str, rec: dict[str, Any], unit: Unit, outcome: Outcome) -> None:
        """A person intake took from `unit` before, no longer in its submission."""
        code, who = rec["编号"], _person(rec["编号"], rec["name"])
        current = self.rows.get(code)
        if current is not None and rec["row"] and current == rec["row"]:
            del self.rows[code]
            self.order.remove(code)
            self.dirty = True
        elif current is not None:
            unit.problem(model.HAND_EDIT_KEPT, f"{who}已不在该单位新报送的名册中，但 roster.xlsx 中该行是办公室修改（或添加）的，保留",
                         "如确已撤回，在 roster.xlsx 中删除该行", "roster.xlsx", "warning", who)
        for rel in sorted(rec["files"]):
            self._remove_file(code, rel, rec["files"], unit.name, who, outcome)
        rec["withdrawn"] = True
        outcome.changes.append(Change(unit.name, who, "撤回", "该单位新报送的名册中已没有此人"))

    # ---- roster.xlsx ------------------------------------------------------------------

    def _write_roster(self) -> bool:
        if not self.dirty:
            return False
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        from pipeline.render import office

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "推荐人选"
        office.put_row(ws, 1, list(COLUMNS))
        for cell in ws[1]:
            cell.font = Font(bold=True)

        def order(key: str) -> tuple[int, int, str]:
            code = self.rows[key]["编号"]
            return code_sort_key(code) if code else (2, 0, key)

        for r, key in enumerate(sorted(self.order, key=order), start=2):
            row = self.rows[key]
            for c, col in enumerate(COLUMNS, start=1):
                office.put(ws, r, c, row[col] or None)
                if col in ("个人简历", "简要事迹"):
                    ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
        widths = {"编号": 8, "姓名": 10, "身份证号码": 21, "联系电话": 14, "工作单位及职务": 30, "推荐单位": 24,
                  "个人简历": 50, "简要事迹": 50}
        from openpyxl.utils import get_column_letter

        for c, col in enumerate(COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(c)].width = widths.get(col, 12)
        ws.freeze_panes = "C2"
        office.save_workbook(wb, self.roster_path, self.when, private=True)
        return True


def code_sort_key(code: str) -> tuple[int, int, str]:
    """编号 in number order ('2' before '10'), others after."""
    return (0, int(code), code) if re.fullmatch(r"[0-9]+", code) else (1, 0, code)
