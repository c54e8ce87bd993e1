"""What intake reports: problems with a unit's submission, and changes to the edition."""

from __future__ import annotations

from dataclasses import dataclass

ZIP_UNSAFE_PATH = "INTAKE_ZIP_UNSAFE_PATH"
"""A ZIP member whose path would leave its folder (absolute, a drive, '..'): not extracted."""
ZIP_SYMLINK = "INTAKE_SYMLINK"
"""A link (in a ZIP or a folder): not followed, not copied."""
ZIP_TOO_LARGE = "INTAKE_ZIP_TOO_LARGE"
"""A ZIP over the size or compression-ratio limits (a “zip bomb”), or a file over the size limit."""
ZIP_ENCRYPTED = "INTAKE_ZIP_ENCRYPTED"
"""A ZIP with a password: not opened."""
ZIP_DAMAGED = "INTAKE_ZIP_DAMAGED"
"""A ZIP that cannot be read."""
ROSTER_MISSING = "INTAKE_ROSTER_MISSING"
"""No 推荐人选名册 in the unit's folder: nothing of the unit is taken."""
ROSTER_UNREADABLE = "INTAKE_ROSTER_UNREADABLE"
"""The unit's 名册 cannot be read (the message of pipeline.rules.roster says why)."""
FOLDER_UNMATCHED = "INTAKE_FOLDER_UNMATCHED"
"""A nominee's folder that matches no row of the unit's 名册 (or several)."""
MATERIALS_MISSING = "INTAKE_MATERIALS_MISSING"
"""A row of the 名册 with no folder of materials."""
DUPLICATE_PERSON = "INTAKE_DUPLICATE_PERSON"
"""The same 身份证号码 sent twice (by two units, or twice by one): the first is kept."""
DUPLICATE_FILE = "INTAKE_DUPLICATE_FILE"
"""The same file (same content) sent twice: one copy is kept."""
NAME_CLASH = "INTAKE_NAME_CLASH"
"""Two different files of one nominee under the same name: the first is kept."""
HAND_EDIT_KEPT = "INTAKE_HAND_EDIT_KEPT"
"""The office changed a row or file intake wrote, and the unit sent something else: the office's version is kept."""
STRAY_FILE = "INTAKE_STRAY_FILE"
"""A file in the unit's folder that is neither the 名册 nor in a nominee's folder: not used."""
UNREADABLE = "INTAKE_UNREADABLE"
"""A unit's folder that could not be read (permissions, a disk error): nothing of the unit is taken."""
UNIT_MISMATCH = "INTAKE_UNIT_MISMATCH"
"""A row whose 推荐单位 differs from the unit's folder name."""


@dataclass(frozen=True)
class Problem:
    """One problem with a unit's submission."""

    unit: str
    """The 推荐单位 (its folder name under submissions/)."""
    code: str
    """One of the INTAKE_* codes above."""
    severity: str
    """'error' (something was not taken) or 'warning'."""
    file: str
    """The file or folder concerned, as the unit named it (inside a ZIP: 'x.zip：a/b.jpg')."""
    message: str
    """What is wrong, in Chinese."""
    hint: str
    """What to do, in Chinese."""
    person: str = ""
    """编号 姓名 (or 姓名) of the nominee concerned, when there is one."""


@dataclass(frozen=True)
class Change:
    """One change intake made to the edition (or did not make, to keep the office's edit)."""

    unit: str
    """The 推荐单位."""
    person: str
    """编号 姓名."""
    kind: str
    """新增人选 / 名册行已更新 / 新增文件 / 文件已更新 / 文件已删除 / 撤回 / 保留办公室修改 …"""
    detail: str
    """Which fields or which file, in Chinese."""
