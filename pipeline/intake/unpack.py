"""One ZIP from a unit → its members in a staging folder, each path, link and size checked first.

The whole ZIP is refused when it is encrypted, damaged, or over the size and compression-ratio
limits (pipeline.core.filelimits.zip_problem inflates every member, counting only, before anything is
written). A member whose path would leave its folder ('/x', 'C:x', '../x') or that is a link is
skipped with a problem; the others are extracted. Names are decoded as the maker meant them
(pipeline.intake.names.member_name) and cleaned (clean_name).
"""

from __future__ import annotations

import re
import shutil
import zipfile
import zlib
from pathlib import Path

from pipeline.core import filelimits
from pipeline.core.safepath import UnsafePath, child, inside
from pipeline.intake import model
from pipeline.intake.model import Problem
from pipeline.intake.names import clean_name, member_name

MAX_MEMBER_BYTES = filelimits.MAX_ZIP_MEMBER_BYTES
"""Largest file in a submission ZIP once extracted (a scan is a few MB)."""
MAX_TOTAL_BYTES = 4 * filelimits.MAX_ZIP_TOTAL_BYTES
"""All files of one submission ZIP together, extracted (a unit of 15 nominees with scans is ~100 MB)."""
IGNORED = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", "__MACOSX"})
"""Names that systems leave behind; never reported, never copied."""

_REPACK = "请该单位把材料重新打包（Windows：选中文件夹→右键→“发送到→压缩(zipped)文件夹”，不设密码）后重新报送"


def ignored(name: str) -> bool:
    """True for system clutter (.DS_Store, Thumbs.db, __MACOSX, Office's '~$' lock files, dot files)."""
    return name in IGNORED or name.startswith((".", "~$"))


def _is_link(info: zipfile.ZipInfo) -> bool:
    return (info.external_attr >> 16) & 0o170000 == 0o120000


def extract(zip_path: Path, dest: Path, unit: str, shown: str) -> tuple[bool, list[Problem]]:
    """Extract `zip_path` into `dest` (created); (whether the ZIP was read at all, problems).

    `shown` is how messages name the ZIP (its path under the unit's folder).
    """
    problems: list[Problem] = []

    def problem(code: str, message: str, hint: str, file: str = shown, severity: str = "error") -> None:
        problems.append(Problem(unit, code, severity, file, message, hint))

    refusal = filelimits.zip_problem(zip_path, max_member=MAX_MEMBER_BYTES, max_total=MAX_TOTAL_BYTES,
                                     what=" ZIP 压缩文件")
    if refusal is not None:
        if refusal.code:
            problem(model.ZIP_TOO_LARGE, f"压缩文件“{shown}”未解压：{refusal.message}",
                    "核对该压缩文件的内容（照片和扫描件每个不超过 "
                    f"{MAX_MEMBER_BYTES >> 20} MB）；" + _REPACK)
        elif "密码" in refusal.message:
            problem(model.ZIP_ENCRYPTED, f"压缩文件“{shown}”设置了密码，无法打开", _REPACK)
        else:
            problem(model.ZIP_DAMAGED, f"压缩文件“{shown}”无法打开：{refusal.message}", _REPACK)
        return False, problems
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            name = member_name(info).replace("\\", "/")
            where = f"{shown}：{name}"
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                problem(model.ZIP_UNSAFE_PATH, f"压缩文件“{shown}”中的“{name}”指向届次文件夹以外（路径含“..”或以“/”、盘符开头），未解压",
                        "压缩文件中只应有推荐人选名册和各人的材料文件夹；" + _REPACK, where)
                continue
            if any(ignored(p) for p in parts):
                continue
            if _is_link(info):
                problem(model.ZIP_SYMLINK, f"压缩文件“{shown}”中的“{name}”是一个链接（快捷方式），不是文件，未解压",
                        "把链接换成它所指的文件本身；" + _REPACK, where)
                continue
            if info.is_dir() or not parts:
                continue
            try:
                target = dest
                for part in parts:
                    target = child(target, clean_name(part))
            except UnsafePath as exc:
                problem(model.ZIP_UNSAFE_PATH, f"压缩文件“{shown}”中的“{name}”不能用作文件名：{exc.message}",
                        "把该文件改成普通的名字；" + _REPACK, where)
                continue
            if not inside(dest, target):
                problem(model.ZIP_UNSAFE_PATH, f"压缩文件“{shown}”中的“{name}”指向届次文件夹以外，未解压", _REPACK, where)
                continue
            if target.exists():
                problem(model.NAME_CLASH, f"压缩文件“{shown}”中有两个文件整理后同名“{'/'.join(target.relative_to(dest).parts)}”，"
                        f"只取第一个，“{name}”未解压", "把其中一个改名后重新报送", where, "warning")
                continue
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
            except (zipfile.BadZipFile, zlib.error, RuntimeError, OSError, EOFError) as exc:
                target.unlink(missing_ok=True)
                problem(model.ZIP_DAMAGED, f"压缩文件“{shown}”中的“{name}”已损坏，未解压（{type(exc).__name__}）", _REPACK, where)
    return True, problems
