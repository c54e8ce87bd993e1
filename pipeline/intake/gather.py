"""One unit's folder under submissions/ → its 名册 rows and each nominee's files.

A unit sends folders, ZIPs (one for the unit, or one per nominee), or both. Every ZIP is
extracted into a staging folder (pipeline.intake.unpack; a ZIP inside a ZIP once more), and
the unit's files are seen as one tree of cleaned names. In that tree:

- the 名册 is the spreadsheet (.xlsx/.csv) outside the nominees' folders, preferably named “…名册…”;
- a nominee's folder is the shallowest folder holding 照片.*, a …事迹… text, evidence/ or a
  category folder (资格证书/ …); a category folder directly in it goes under evidence/;
- each nominee's folder is matched to a 名册 row by 身份证号码 or 姓名 in its name ('01-王志刚').

Links are never followed. Nothing under submissions/ is written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.errors import RosterError
from pipeline.core.model import EVIDENCE_CATEGORIES
from pipeline.core.safepath import UnsafePath, child
from pipeline.intake import model, unpack
from pipeline.intake.model import Problem
from pipeline.intake.names import clean_name, person_key
from pipeline.rules import normalize
from pipeline.rules.roster import EXAMPLE_CODE, read_cells

MAX_ZIP_DEPTH = 2
"""A ZIP inside a unit's ZIP (one per nominee) is opened; a ZIP inside that is not."""
_IMAGES = frozenset({".jpg", ".jpeg", ".png"})
_TEXTS = frozenset({".docx", ".md", ".txt", ".doc"})
_SHEETS = frozenset({".xlsx", ".csv", ".xls"})


@dataclass(frozen=True)
class SubmittedFile:
    """One file of a nominee, where it will go and where it comes from."""

    rel: str
    """Its place under candidates/<编号>/ ('照片.jpg', 'evidence/资格证书/2012.06-….jpg')."""
    source: Path
    """The file to copy (under submissions/ or the staging folder)."""
    sha256: str
    """Content hash."""
    origin: str
    """How the unit named it (for messages)."""


@dataclass
class Nominee:
    """One row of a unit's 名册 and the files sent with it."""

    unit: str
    row: int
    cells: dict[str, Any]
    name: str
    id_number: str
    files: list[SubmittedFile] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Who this is: the 身份证号码, or unit and 姓名 when it is missing."""
        return self.id_number or f"{self.unit}|{self.name}"


@dataclass
class Unit:
    """What one unit sent."""

    name: str
    received: list[str] = field(default_factory=list)
    roster: str = ""
    nominees: list[Nominee] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    complete: bool = True
    """False when a ZIP or the 名册 could not be read: nothing of the unit is withdrawn or deleted."""
    files: int = 0

    def problem(self, code: str, message: str, hint: str, file: str = "", severity: str = "error",
                person: str = "") -> None:
        self.problems.append(Problem(self.name, code, severity, file, message, hint, person))


Entry = tuple[tuple[str, ...], Path, str]
"""(cleaned path parts in the unit's tree, the file, how the unit named it)."""



def _named(shown: str, *parts: str) -> str:
    """How the unit named a file: 'unit/a/b.jpg', or inside a ZIP 'unit/x.zip：a/b.jpg'."""
    return shown + "/".join(parts) if shown.endswith("：") else "/".join((shown, *parts))


def _walk(unit: Unit, root: Path, prefix: tuple[str, ...], shown: str, staging: Path, depth: int,
          entries: list[Entry]) -> None:
    """Every file under `root` (never following a link) into `entries`; ZIPs extracted and walked."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        rel = here.relative_to(root).parts
        dirs[:] = sorted(d for d in dirs if not unpack.ignored(d))
        for d in list(dirs):
            if (here / d).is_symlink():
                dirs.remove(d)
                unit.problem(model.ZIP_SYMLINK, f"“{_named(shown, *rel, d)}”是一个链接（快捷方式），不是文件夹，未读取",
                             "把链接换成它所指的文件夹本身", _named(shown, *rel, d))
        for f in sorted(files):
            path = here / f
            named = _named(shown, *rel, f)
            if unpack.ignored(f):
                continue
            if path.is_symlink():
                unit.problem(model.ZIP_SYMLINK, f"“{named}”是一个链接（快捷方式），不是文件，未读取",
                             "把链接换成它所指的文件本身", named)
                continue
            parts = (*prefix, *(clean_name(p) for p in rel), clean_name(f))
            if path.suffix.lower() == ".zip":
                if depth >= MAX_ZIP_DEPTH:
                    unit.problem(model.ZIP_DAMAGED, f"“{named}”是压缩文件中的压缩文件中的压缩文件，未解压",
                                 "把材料直接放进文件夹后再打包，不要层层压缩", named)
                    continue
                stem = clean_name(path.stem)
                dest = staging / f"{len(list(staging.iterdir())) if staging.exists() else 0:03d}-{stem}"
                read, problems = unpack.extract(path, dest, unit.name, named)
                unit.problems += problems
                if not read:
                    unit.complete = False
                    continue
                unit.received.append(named)
                _walk(unit, dest, (*parts[:-1], stem), named + "：", staging, depth + 1, entries)
                continue
            if path.stat().st_size > unpack.MAX_MEMBER_BYTES:
                unit.problem(model.ZIP_TOO_LARGE, f"“{named}”有 {path.stat().st_size >> 20} MB，超过每个文件 "
                             f"{unpack.MAX_MEMBER_BYTES >> 20} MB 的上限，未读取",
                             "扫描件用 300 dpi 重新扫描或另存为较小的 JPEG/PDF 后重新报送", named)
                continue
            if depth == 0 and f"{shown}/" not in unit.received:
                unit.received.insert(0, f"{shown}/")
            entries.append((parts, path, named))


def _marker(name: str) -> str:
    """'照片.jpg' → 'photo', '王志刚先进事迹.docx' → 'deeds', else ''."""
    stem, ext = Path(name).stem, Path(name).suffix
    if ext.lower() in _IMAGES and stem.startswith("照片"):
        return "photo"
    if ext.lower() in _TEXTS and "事迹" in stem:
        return "deeds"
    return ""


def _nominee_folders(entries: list[Entry]) -> set[tuple[str, ...]]:
    """The shallowest folders that look like one nominee's (see the module docstring)."""
    marked: set[tuple[str, ...]] = set()
    for parts, _path, _named in entries:
        for k in range(len(parts)):
            prefix, nxt, rest = parts[:k], parts[k], parts[k + 1:]
            if (not rest and _marker(nxt)) or (rest and (nxt == "evidence" or (
                    nxt in EVIDENCE_CATEGORIES and (not prefix or prefix[-1] != "evidence")))):
                marked.add(prefix)
    if len(marked) > 1:
        marked.discard(())
    return {m for m in marked if not any(m[:k] in marked for k in range(len(m)))}


def _place(rest: tuple[str, ...]) -> str:
    """A file's path inside a nominee's folder → its place under candidates/<编号>/."""
    if rest[0] in EVIDENCE_CATEGORIES:
        rest = ("evidence", *rest)
    if len(rest) == 1:
        ext = Path(rest[0]).suffix
        kind = _marker(rest[0])
        if kind == "photo":
            return "照片" + ext.lower()
        if kind == "deeds" and ext.lower() != ".doc":
            return "先进事迹" + ext.lower()
    return "/".join(rest)


def _example(cells: dict[str, Any]) -> bool:
    """True for the template's example row."""
    marks = [normalize.text(cells.get(c)) for c in ("编号", "姓名")]
    return any(EXAMPLE_CODE in m for m in marks) or any(
        re.sub(r"[（）()【】\[\]\s]", "", normalize.text(v)) == EXAMPLE_CODE for v in cells.values())


def gather_unit(name: str, source: Path, staging: Path, submissions: Path) -> Unit:
    """Read one unit (a folder, or a ZIP directly in submissions/); never raises for bad input."""
    unit = Unit(name)
    entries: list[Entry] = []
    shown = source.relative_to(submissions).as_posix()
    if source.is_dir():
        _walk(unit, source, (), shown, staging, 0, entries)
    else:
        tmp = staging / "unit"
        read, problems = unpack.extract(source, tmp, name, shown)
        unit.problems += problems
        if read:
            unit.received.append(shown)
            _walk(unit, tmp, (), shown + "：", staging, 1, entries)
        else:
            unit.complete = False
    folders = _nominee_folders(entries)
    loose = [e for e in entries if not any(e[0][:len(f)] == f for f in folders)]
    rows = _read_roster(unit, loose)
    matched = _match(unit, folders, rows)
    for parts, path, named in entries:
        folder = next((f for f in folders if parts[:len(f)] == f), None)
        if folder is None:
            if Path(named).suffix.lower() not in _SHEETS:
                unit.problem(model.STRAY_FILE, f"“{named}”不在任何推荐人选的材料文件夹中，未汇总",
                             "每位推荐人选的材料放在以其姓名命名的文件夹中（见申报材料包中的《材料清单与目录结构》）",
                             named, "warning")
            continue
        nominee = matched.get(folder)
        if nominee is None:
            continue
        rel = _place(parts[len(folder):])
        try:
            for part in rel.split("/"):
                child(Path("candidates"), part)  # UnsafePath for a part that is no plain name
        except UnsafePath as exc:
            unit.problem(model.ZIP_UNSAFE_PATH, f"“{named}”不能用作文件名：{exc.message}", "把文件改成普通的名字",
                         named, person=nominee.name)
            continue
        nominee.files.append(SubmittedFile(rel, path, atomic.sha256_file(path), named))
    for nominee in unit.nominees:
        _dedupe(unit, nominee)
        unit.files += len(nominee.files)
        if not nominee.folders:
            unit.problem(model.MATERIALS_MISSING, f"名册第{nominee.row}行的{nominee.name}没有材料文件夹（照片、先进事迹和证明材料）",
                         f"请该单位补报{nominee.name}的材料：一个以姓名命名的文件夹或压缩文件",
                         unit.roster, "warning", nominee.name)
    return unit


def _read_roster(unit: Unit, loose: list[Entry]) -> list[tuple[int, dict[str, Any]]]:
    sheets = [e for e in loose if Path(e[0][-1]).suffix.lower() in _SHEETS]
    if not sheets:
        if not unit.complete:  # the 名册 may be in the ZIP that could not be read: that problem is reported
            return []
        unit.problem(model.ROSTER_MISSING, "没有收到推荐人选名册（推荐人选名册.xlsx），该单位的材料未汇总",
                     "请该单位用申报材料包中的《推荐人选名册.xlsx》填写后一并报送", unit.received[0] if unit.received else "")
        unit.complete = False
        return []
    named = [e for e in sheets if "名册" in e[0][-1]] or sheets
    if len(named) > 1:
        unit.problem(model.STRAY_FILE, f"收到{len(named)}份名册（{'、'.join(e[2] for e in named)}），只读取“{named[0][2]}”",
                     "请该单位只报送一份推荐人选名册", named[1][2], "warning")
    parts, path, shown = named[0]
    unit.roster = shown
    if path.suffix.lower() == ".xls":
        unit.problem(model.ROSTER_UNREADABLE, f"名册“{shown}”是旧版 .xls 格式，无法读取，该单位的材料未汇总",
                     "在 Excel/WPS 中打开，“另存为” Excel 工作簿（.xlsx）后重新报送", shown)
        unit.complete = False
        return []
    try:
        rows = read_cells(path)
    except RosterError as exc:
        unit.problem(model.ROSTER_UNREADABLE, f"名册“{shown}”无法读取：{exc.message}，该单位的材料未汇总",
                     exc.hint, shown)
        unit.complete = False
        return []
    rows = [(n, cells) for n, cells in rows if not _example(cells)]
    for number, cells in rows:
        nominee = Nominee(unit.name, number, cells, normalize.cell("姓名", cells.get("姓名")),
                          normalize.id_number(cells.get("身份证号码")))
        recommender = normalize.cell("推荐单位", cells.get("推荐单位"))
        if not recommender:
            nominee.cells["推荐单位"] = unit.name
        elif person_key(recommender) != person_key(unit.name):
            unit.problem(model.UNIT_MISMATCH, f"名册第{number}行的推荐单位“{recommender}”与报送单位（文件夹名）“{unit.name}”不同",
                         "核对推荐单位；名册按所填的推荐单位汇总", shown, "warning", nominee.name)
        unit.nominees.append(nominee)
    return rows


def _match(unit: Unit, folders: set[tuple[str, ...]], rows: list[tuple[int, dict[str, Any]]]) -> dict[tuple[str, ...], Nominee]:
    """Each nominee folder → the 名册 row it belongs to."""
    matched: dict[tuple[str, ...], Nominee] = {}
    for folder in sorted(folders):
        label = folder[-1] if folder else ""
        upper = label.upper()
        by_id = [n for n in unit.nominees if n.id_number and n.id_number in upper]
        key = person_key(label)
        exact = [n for n in unit.nominees if person_key(n.name) and person_key(n.name) == key]
        within = [n for n in unit.nominees if person_key(n.name) and person_key(n.name) in key]
        code = [n for n in unit.nominees if normalize.text(n.cells.get("编号")) and normalize.text(n.cells.get("编号")) == label]
        for found in (by_id, exact, within, code):
            if len(found) == 1:
                matched[folder] = found[0]
                found[0].folders.append("/".join(folder))
                break
        else:
            if not folder and len(unit.nominees) == 1:
                matched[folder] = unit.nominees[0]
                unit.nominees[0].folders.append("（单位文件夹）")
                continue
            if not unit.nominees:
                continue
            why = "对应名册中的多个人" if any(len(f) > 1 for f in (by_id, exact, within)) else "在名册中找不到对应的人"
            unit.problem(model.FOLDER_UNMATCHED, f"材料文件夹“{'/'.join(folder) or '（单位文件夹）'}”{why}，其中的材料未汇总",
                         "材料文件夹以推荐人选的姓名命名（同名时加身份证号码后四位以外的区分，如“王伟-身份证号码”），"
                         "并与名册中的姓名一致", "/".join(folder))
    return matched


def _dedupe(unit: Unit, nominee: Nominee) -> None:
    """One copy of each content (the one outside 其他/, else the first the unit named); one file per place."""
    by_hash: dict[str, list[SubmittedFile]] = {}
    by_place: dict[str, SubmittedFile] = {}
    kept: list[SubmittedFile] = []
    for f in sorted(nominee.files, key=lambda f: (f.rel.startswith("evidence/其他/"), f.origin)):
        same = by_hash.setdefault(f.sha256, [])
        same.append(f)
        if len(same) > 1:
            continue
        if f.rel in by_place:
            unit.problem(model.NAME_CLASH, f"{nominee.name}有两个内容不同的文件都整理为“{f.rel}”：“{by_place[f.rel].origin}”"
                         f"和“{f.origin}”，只取前一个", "把其中一个改名后重新报送", f.origin, "warning", nominee.name)
            continue
        by_place[f.rel] = f
        kept.append(f)
    for same in by_hash.values():
        if len(same) > 1:
            unit.problem(model.DUPLICATE_FILE, f"{nominee.name}的同一个文件报送了{len(same)}次："
                         f"{'、'.join('“' + s.origin + '”' for s in same)}，只汇总一份（{same[0].rel}）",
                         "无需处理；如其中一份本应是另一份材料，请该单位补报", same[1].origin, "warning", nominee.name)
    nominee.files = kept
