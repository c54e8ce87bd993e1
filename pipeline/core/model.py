"""The typed, immutable model the pipeline works on.

The roster reader (pipeline.rules.roster) turns raw cells into `Candidate`s; the material scanner
(pipeline.rules.materials) finds each nominee's files; checks produce `Finding`s. Nothing
downstream of pipeline.rules.roster touches raw spreadsheet cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple


class YearMonth(NamedTuple):
    """A month of a year, as 出生年月 and 参加工作时间 are given."""

    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year}.{self.month:02d}"

    @property
    def chinese(self) -> str:
        """'1978年5月' as printed in documents."""
        return f"{self.year}年{self.month}月"

    def plus_months(self, months: int) -> YearMonth:
        """The month `months` later."""
        index = self.year * 12 + (self.month - 1) + months
        return YearMonth(index // 12, index % 12 + 1)

    def months_until(self, other: YearMonth) -> int:
        """Whole months from self to other (negative when other is earlier)."""
        return (other.year - self.year) * 12 + (other.month - self.month)


class Severity(StrEnum):
    """How bad a finding is: errors stop the nominee in later stages, warnings do not; info only
    tells the office what was assumed (it never changes a nominee's status)."""

    error = "error"
    warning = "warning"
    info = "info"


@dataclass(frozen=True)
class Finding:
    """One fact the check stage reports about a nominee (or about the roster itself)."""

    code: str
    """Stable code listed in docs/codes.md, e.g. ID_CHECKSUM; tests and later stages rely on it."""
    severity: Severity
    """error, warning or info."""
    message: str
    """What is wrong, in Chinese, naming the values involved."""
    hint: str
    """How to fix it, in Chinese."""
    candidate_code: str = ""
    """编号 of the nominee, empty for a finding about the roster file."""
    candidate_name: str = ""
    """姓名 of the nominee."""
    field: str = ""
    """The roster column concerned, if any."""
    file: str = ""
    """The file concerned, relative to the edition folder, if any."""
    row: int = 0
    """Row number in the roster (1 = header row), 0 when not about a row."""
    data: dict[str, Any] = dc_field(default_factory=dict, compare=False, hash=False)
    """Extra machine-readable details (measured figures, boxes) for reports."""

    def to_json(self) -> dict[str, Any]:
        """The finding as it appears in report.json."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": str(self.severity),
            "candidate": {"编号": self.candidate_code, "姓名": self.candidate_name},
            "field": self.field,
            "file": self.file,
            "row": self.row,
            "message": self.message,
            "hint": self.hint,
        }
        if self.data:
            out["data"] = self.data
        return out


NOMINATION_UNIT = "单位推荐"
NOMINATION_SELF = "个人自荐"

EVIDENCE_CATEGORIES: tuple[str, ...] = ("资格证书", "成果证书", "奖励证书", "荣誉证书", "领先水平证明", "其他")
"""Evidence categories in the order the packet binds them (notice §四(三)2 (3)(4)(6))."""

ACHIEVEMENT_CATEGORIES: frozenset[str] = frozenset({"成果证书", "奖励证书", "荣誉证书"})
"""Categories the 'last 4 years' rule of 材料(3) applies to."""


@dataclass(frozen=True)
class Candidate:
    """One nominee, as read from one roster row and normalised.

    Text fields are NFKC-normalised and trimmed; a field that could not be parsed is None
    and the reader has already reported it.
    """

    code: str
    """编号: the folder name under candidates/."""
    name: str
    """姓名."""
    gender: str | None
    """性别: '男' or '女'."""
    birth: YearMonth | None
    """出生年月."""
    native_place: str
    """籍贯."""
    ethnicity: str
    """民族."""
    political_status: str
    """政治面貌."""
    education: str
    """学历."""
    work_start: YearMonth | None
    """参加工作时间."""
    professional_title: str
    """职称."""
    skill_level: str
    """技术等级."""
    unit_and_post: str
    """工作单位及职务."""
    occupation: str
    """职业（工种）."""
    id_number: str
    """身份证号码, upper-case X. Never printed in a public document."""
    phone: str
    """联系电话. Never printed in a public document."""
    recommender: str
    """推荐单位 (for 个人自荐: the office where the application was handed in)."""
    nomination: str
    """申报方式: 单位推荐 or 个人自荐."""
    retirement_category: str | None
    """退休年龄类别: '男60', '女55', '女50' or None when not given."""
    conditions: tuple[int, ...]
    """符合条件: which of conditions 1–8 of §四(二) are claimed."""
    exclusion: str
    """负面情形: empty, or the exclusion that applies."""
    resume: str
    """个人简历, lines separated by '\\n'."""
    summary: str
    """简要事迹 (≤ 300 characters)."""
    row: int
    """Row number in the roster (header = 1)."""

    @property
    def label(self) -> str:
        """'编号 姓名' for messages."""
        return f"{self.code} {self.name}".strip()


@dataclass(frozen=True)
class Evidence:
    """One evidence file of a nominee."""

    category: str
    """One of EVIDENCE_CATEGORIES."""
    title: str
    """The file name without its date prefix and extension."""
    date: YearMonth | None
    """Date from the file name prefix ('2023.06-…'), if any."""
    path: Path
    """Absolute path of the file."""
    rel: str
    """Path relative to the edition folder, for messages."""


@dataclass(frozen=True)
class RefusedFile:
    """A nominee's file the pipeline never opens: a link that leads outside the edition folder."""

    rel: str
    """Its path relative to the edition folder (a folder ends in '/')."""
    role: str
    """'photo', 'deeds', 'evidence' or 'folder'."""
    target: str
    """Where the link leads, for the message."""
    category: str = ""
    """The evidence category, for evidence."""


@dataclass(frozen=True)
class Materials:
    """The files found in candidates/<编号>/ for one nominee."""

    folder: Path
    """candidates/<编号>/ (may not exist)."""
    photo: Path | None
    """照片.jpg/.jpeg/.png, if present."""
    deeds: Path | None
    """先进事迹.docx/.md/.txt, if present."""
    evidence: tuple[Evidence, ...]
    """Evidence files, sorted by category order, then date, then title."""
    stray: tuple[str, ...] = ()
    """Files in unexpected places (reported, not used)."""
    refused: tuple[RefusedFile, ...] = ()
    """Links leading outside the edition folder (reported, never opened; not in the fields above)."""


def today() -> dt.date:
    """Today's date; a seam for tests."""
    return dt.date.today()


@dataclass(frozen=True)
class Nominee:
    """One nominee after the checks."""

    candidate: Candidate
    """The roster row, normalised."""
    materials: Materials
    """The nominee's files."""
    findings: tuple[Finding, ...]
    """Every finding about this nominee, errors first."""
    photo: Path | None
    """The normalised photo (output/<edition>/check/photos/<编号>.jpg), None when not usable."""

    @property
    def ok(self) -> bool:
        """True when no finding is an error (warnings allowed)."""
        return not any(f.severity is Severity.error for f in self.findings)

    @property
    def status(self) -> str:
        """'error', 'warning' or 'ok'."""
        if not self.ok:
            return "error"
        return "warning" if any(f.severity is not Severity.info for f in self.findings) else "ok"


@dataclass(frozen=True)
class CheckResult:
    """What the check stage found."""

    nominees: tuple[Nominee, ...]
    """Every nominee in roster order."""
    roster_findings: tuple[Finding, ...]
    """Findings about the roster file itself (ROSTER_*)."""
    report: Path
    """output/<edition>/check/report.json."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        """All findings, roster first."""
        return self.roster_findings + tuple(f for n in self.nominees for f in n.findings)

    @property
    def has_errors(self) -> bool:
        """True when any finding is an error."""
        return any(f.severity is Severity.error for f in self.findings)
