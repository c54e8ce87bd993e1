"""Build a submissions/ copy of an edition: what the units would send for `make intake`.

    .venv/bin/python tools/make_submissions.py input/demo /tmp/round
    make intake EDITION=/tmp/round

`<dest>` gets the edition's edition.toml (and calendar.toml), no roster.xlsx and no candidates/,
and `submissions/<推荐单位>/` for every 推荐单位 of the roster: a filled 推荐人选名册.xlsx (编号
left empty, as units leave it; the template's example row marked “示例” on top) and one folder per
nominee named by 姓名. Made the way units really send it:

- the largest unit sends one ZIP made like Windows' “发送到→压缩(zipped)文件夹”: names in GBK,
  no UTF-8 flag, MS-DOS attributes, the unit's folder inside;
- the second largest sends one ZIP per nominee (names in UTF-8) beside its 名册;
- the third names its nominees' folders “01-姓名”, puts the category folders (资格证书/ …) directly
  in them without evidence/, and writes some file names with full-width digits and stray spaces.

Everything is deterministic. `make intake` on the copy gives the same people and files as the edition.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.core.safepath import safe_name  # noqa: E402
from pipeline.render import office  # noqa: E402
from pipeline.rules import normalize
from pipeline.rules.roster import COLUMNS, find_roster, read_cells  # noqa: E402

ROSTER_NAME = "推荐人选名册.xlsx"
WHEN = dt.datetime(2027, 2, 20, 9, 30, tzinfo=dt.UTC)
_STAMP = (2027, 2, 20, 9, 30, 0)


class _WindowsName(zipfile.ZipInfo):
    """A member as Windows' compressed folders write it: the name in GBK without the UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's own name)
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _windows_zip(folder: Path, target: Path) -> None:
    """`folder` (with its own name as the top folder) → a ZIP made like Windows makes it."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in [folder, *sorted(folder.rglob("*"))]:
            name = path.relative_to(folder.parent).as_posix() + ("/" if path.is_dir() else "")
            info = _WindowsName(name, date_time=_STAMP)
            info.create_system = 0
            info.external_attr = 0x10 if path.is_dir() else 0x20
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, b"" if path.is_dir() else path.read_bytes())


def _utf8_zip(folder: Path, target: Path) -> None:
    """`folder`'s content (no top folder) → an ordinary ZIP with UTF-8 names."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.writestr(zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=_STAMP),
                                 path.read_bytes(), zipfile.ZIP_DEFLATED)


def _write_roster(rows: list[dict[str, object]], target: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "推荐人选名册"
    office.put_row(ws, 1, list(COLUMNS))
    example: dict[str, object] = {col: "" for col in COLUMNS}
    example |= {"编号": "示例", "姓名": "张三（示例）", "性别": "男"}
    for r, row in enumerate([example, *rows], start=2):
        office.put_row(ws, r, [row.get(col) for col in COLUMNS])
    office.save_workbook(wb, target, WHEN)


def _noisy(name: str) -> str:
    """'2025.03-成果证书.jpg' → '２０２５．０３ - 成果证书 .jpg' (what people type on a Chinese keyboard)."""
    stem, dot, ext = name.rpartition(".")
    wide = stem.translate({ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789."})
    return f"{wide.replace('-', ' - ', 1)} .{ext}" if dot else name


def _copy_candidate(source: Path, target: Path, *, flat: bool = False, noisy: bool = False) -> None:
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        parts = path.relative_to(source).parts
        if flat and parts[0] == "evidence":
            parts = parts[1:]
        if noisy and len(parts) > 1:
            parts = (*parts[:-1], _noisy(parts[-1]))
        dest = target.joinpath(*parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def _units(edition: Path) -> Iterator[tuple[str, list[dict[str, object]]]]:
    """(推荐单位, its rows) with the largest units first."""
    groups: dict[str, list[dict[str, object]]] = {}
    for _number, cells in read_cells(find_roster(edition)):
        groups.setdefault(normalize.cell("推荐单位", cells.get("推荐单位")), []).append(cells)
    yield from sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def make_submissions(edition: Path, dest: Path) -> Path:
    """Write `dest` (see the module docstring); returns dest/submissions."""
    submissions = dest / "submissions"
    if submissions.exists() or (dest / "roster.xlsx").exists():
        raise SystemExit(f"{dest} 中已有 submissions/ 或 roster.xlsx，不覆盖：请指定一个新的文件夹")
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("edition.toml", "calendar.toml"):
        if (edition / name).is_file():
            shutil.copyfile(edition / name, dest / name)
    work = dest / ".make_submissions"
    for index, (unit, rows) in enumerate(_units(edition)):
        folder = submissions / safe_name(unit)
        build = work / safe_name(unit) if index < 2 else folder
        build.mkdir(parents=True)
        _write_roster([{**row, "编号": None} for row in rows], build / ROSTER_NAME)
        for n, row in enumerate(rows, start=1):
            name = safe_name(normalize.cell("姓名", row.get("姓名")))
            label = f"{n:02d}-{name}" if index == 2 else name
            _copy_candidate(edition / "candidates" / safe_name(str(row.get("编号"))), build / label,
                            flat=index == 2, noisy=index == 2 and n == 1)
        if index == 0:
            folder.mkdir(parents=True)
            _windows_zip(build, folder / f"{safe_name(unit)}.zip")
        elif index == 1:
            folder.mkdir(parents=True)
            shutil.copyfile(build / ROSTER_NAME, folder / ROSTER_NAME)
            for person in sorted(p for p in build.iterdir() if p.is_dir()):
                _utf8_zip(person, folder / f"{person.name}.zip")
    shutil.rmtree(work, ignore_errors=True)
    return submissions


def main() -> None:
    parser = argparse.ArgumentParser(description="Build a submissions/ copy of an edition for make intake")
    parser.add_argument("edition", type=Path, help="届次文件夹（如 input/demo）")
    parser.add_argument("dest", type=Path, help="新届次文件夹（不存在或为空）")
    args = parser.parse_args()
    submissions = make_submissions(args.edition, args.dest)
    print(f"已生成 {submissions}；运行 make intake EDITION={args.dest}")


if __name__ == "__main__":
    main()
