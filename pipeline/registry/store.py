"""The registry of issued certificates: the 兴安技术能手数据库 of the notice's §四(五)2 (SQLite).

One database per project checkout, kept outside output/ so `make clean` never touches it:

    state/registry.sqlite3                   real rounds (2024, 2027, 2030 …), awardees across rounds
    state/demo-<edition>-registry.sqlite3    one per demo edition, so fictional people never enter the
                                             real one and each demo edition numbers from 001

($XN_STATE moves the folder, for tests.) Tables (schema version in PRAGMA user_version,
upgraded by MIGRATIONS in order; the file is backed up before an upgrade):

    rounds        year, title, edition folder
    persons       one row per person, linked across rounds by ID number (stored, never published)
    awardees      a person's award in one round: 编号, name, unit, rank
    certificates  number (assigned once, never changed or reused), term, valid/revoked + reason, date
    activities    传帮带 activities: date, mentor (a person), apprentices and their count, content, hours,
                  results; rows imported from XLSX carry a fingerprint (the same row never twice)
    events        what happened when (issue, import, revoke, term change, activity, restore)

Earlier rounds (before this program) are imported from the office's spreadsheet (`import_round`,
rounds.edition = IMPORTED_EDITION), 传帮带 from the yearly sheet (`import_activities`); both check
everything first and write all rows or none (pipeline.registry.importer reads the files).
`backup` copies the open database with SQLite's online backup API and writes a sha256 file beside
it; `restore` checks both, keeps a newer registry unless forced, and moves the old file aside.

'expired' is not stored: a valid certificate whose term ended before today is expired.

Every write is one transaction (BEGIN IMMEDIATE): a killed run leaves the database as it was
before the transaction, and a second writer waits up to the busy timeout, then fails with
RegistryBusyError. A full disk fails with RegistryDiskFullError naming the file and SQLite's own
error (a ROLLBACK after SQLite already rolled back never replaces it); a registry that could not
be created is removed again.

A round belongs to the edition folder that first issued it: another edition of the same year is
refused (RegistryClashError) unless it names that edition in [certificates] registry_edition
(pipeline.stages.certificates), so two editions never rename each other's people or number past
the quota.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.atomic import make_private, sha256_file
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import ExitCode, PipelineError, listed

MIGRATIONS: tuple[str, ...] = (
    # 1: rounds, persons, awardees, certificates
    """
    CREATE TABLE rounds (
        year      INTEGER PRIMARY KEY,
        title     TEXT NOT NULL,
        edition   TEXT NOT NULL,
        created   TEXT NOT NULL
    );
    CREATE TABLE persons (
        id        INTEGER PRIMARY KEY,
        id_number TEXT NOT NULL UNIQUE CHECK (length(id_number) = 18),
        name      TEXT NOT NULL,
        gender    TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE awardees (
        id         INTEGER PRIMARY KEY,
        person_id  INTEGER NOT NULL REFERENCES persons(id),
        round      INTEGER NOT NULL REFERENCES rounds(year),
        code       TEXT NOT NULL,
        name       TEXT NOT NULL,
        unit       TEXT NOT NULL,
        occupation TEXT NOT NULL DEFAULT '',
        rank       INTEGER NOT NULL DEFAULT 0,
        UNIQUE (person_id, round)
    );
    CREATE TABLE certificates (
        number        TEXT PRIMARY KEY,
        awardee_id    INTEGER NOT NULL UNIQUE REFERENCES awardees(id),
        round         INTEGER NOT NULL REFERENCES rounds(year),
        seq           INTEGER NOT NULL CHECK (seq > 0),
        term_start    TEXT NOT NULL,
        term_end      TEXT NOT NULL CHECK (term_end > term_start),
        issued        TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
        revoked_on    TEXT,
        revoke_reason TEXT,
        UNIQUE (round, seq),
        CHECK ((status = 'revoked') = (revoked_on IS NOT NULL AND revoke_reason IS NOT NULL))
    );
    CREATE INDEX certificates_round ON certificates(round);
    """,
    # 2: the notice's follow-up (传帮带) and an event log
    """
    CREATE TABLE activities (
        id          INTEGER PRIMARY KEY,
        date        TEXT NOT NULL,
        mentor_id   INTEGER NOT NULL REFERENCES persons(id),
        apprentices TEXT NOT NULL,
        content     TEXT NOT NULL CHECK (content <> ''),
        recorded    TEXT NOT NULL
    );
    CREATE INDEX activities_mentor ON activities(mentor_id);
    CREATE TABLE events (
        id     INTEGER PRIMARY KEY,
        at     TEXT NOT NULL,
        kind   TEXT NOT NULL,
        number TEXT,
        detail TEXT NOT NULL
    );
    """,
    # 3: the 兴安技术能手数据库 of §四(五)2: 推荐单位 and 表彰文号 of each award (earlier rounds are imported
    # from the office's spreadsheet), and the 传帮带 details the yearly XLSX brings (an import's rows carry
    # a fingerprint, so that importing the same file again adds nothing)
    """
    ALTER TABLE awardees ADD COLUMN recommender TEXT NOT NULL DEFAULT '';
    ALTER TABLE awardees ADD COLUMN decision TEXT NOT NULL DEFAULT '';
    ALTER TABLE activities ADD COLUMN apprentice_count INTEGER NOT NULL DEFAULT 0 CHECK (apprentice_count >= 0);
    ALTER TABLE activities ADD COLUMN hours REAL NOT NULL DEFAULT 0 CHECK (hours >= 0);
    ALTER TABLE activities ADD COLUMN results TEXT NOT NULL DEFAULT '';
    ALTER TABLE activities ADD COLUMN fingerprint TEXT;
    CREATE UNIQUE INDEX activities_fingerprint ON activities(fingerprint);
    UPDATE activities SET apprentice_count = json_array_length(apprentices);
    """,
)
"""Schema upgrades; the database's user_version is how many have been applied."""
SCHEMA_VERSION = len(MIGRATIONS)

STATUS_TITLES: dict[str, str] = {"valid": "有效", "expired": "已期满", "revoked": "已撤销"}
"""Status → Chinese, for lists and exports."""


class RegistryError(PipelineError):
    """The registry refuses a request (unknown number, revoked twice, bad number format …)."""

    exit_code = ExitCode.findings


class RegistryUnusableError(RegistryError):
    """The registry file is missing, damaged, newer than this program, or locked: nothing can be done."""

    exit_code = ExitCode.cannot_proceed


class RegistryBusyError(RegistryUnusableError):
    """Another process holds the registry's write lock longer than the busy timeout."""


class RegistryDiskFullError(RegistryUnusableError):
    """The disk holding the registry is full: nothing was written."""


class RegistryImportError(RegistryError):
    """An import file has problems: nothing of it was written; `problems` lists every one."""

    def __init__(self, file: str, problems: Sequence[Problem], what: str) -> None:
        super().__init__(listed(f"{what}有 {len(problems)} 处问题，整份文件未导入（数据库保持原样）：",
                                [(p.what, p.hint) for p in problems]),
                         hint="逐条改正上列各处（行号为 Excel 中的行号），保存后重新导入；已导入过的行再次导入不会重复",
                         file=file)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Problem:
    """One problem of an import file: row, column, the value as written, what is wrong, the fix."""

    row: int
    """Row number as Excel shows it (0: the file as a whole)."""
    column: str
    """Column header."""
    value: str
    """The cell as written ('' when empty)."""
    message: str
    """What is wrong."""
    hint: str
    """How to fix it."""
    who: str = ""
    """The row's 姓名, when it has one."""

    @property
    def what(self) -> str:
        """'第3行（张三）“出生年月”（填的是“去年”）：<message>' — the problem without its fix."""
        where = (f"第{self.row}行" + (f"（{self.who}）" if self.who else "")) if self.row else "整个文件"
        shown = f"（填的是“{self.value}”）" if self.value else ""
        return f"{where}“{self.column}”{shown}：{self.message}"

    def __str__(self) -> str:
        return f"{self.what}；处理办法：{self.hint}"


class RegistryClashError(RegistryError):
    """Another edition folder already issued this round into the registry."""

    exit_code = ExitCode.cannot_proceed


def state_dir() -> Path:
    """state/ under the project root, or $XN_STATE."""
    return Path(os.environ.get("XN_STATE", PROJECT_ROOT / "state"))


def registry_path(demo: bool, edition: str) -> Path:
    """Demo flag and edition folder name in → the registry file (the real one, or the edition's own demo one)."""
    if not demo:
        return state_dir() / "registry.sqlite3"
    slug = re.sub(r"[^\w.-]+", "_", edition).strip("._") or "edition"
    return state_dir() / f"demo-{slug}-registry.sqlite3"


def busy_timeout() -> float:
    """Seconds a writer waits for another (env XN_REGISTRY_TIMEOUT, default 30)."""
    return float(os.environ.get("XN_REGISTRY_TIMEOUT", "30"))


@dataclass(frozen=True)
class IssueEntry:
    """One awardee to register (input of Registry.issue)."""

    id_number: str
    """身份证号码: the link across rounds; stored, never published."""
    name: str
    """姓名."""
    gender: str
    """性别."""
    code: str
    """编号 in this round."""
    unit: str
    """工作单位及职务."""
    occupation: str
    """职业（工种）."""
    rank: int
    """Rank in the round's results."""
    recommender: str = ""
    """推荐单位."""


@dataclass(frozen=True)
class Numbering:
    """How certificate numbers are made."""

    prefix: str
    """e.g. XATN."""
    format: str
    """e.g. '{prefix}-{year}-{seq:03d}'."""

    def number(self, year: int, seq: int) -> str:
        """Round and sequence in → the certificate number."""
        return self.format.format(prefix=self.prefix, year=year, seq=seq)

    def validate(self, year: int) -> None:
        """ValueError unless the format makes distinct numbers from {prefix}, {year} and {seq}."""
        try:
            first, second = self.number(year, 1), self.number(year, 2)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"证书编号格式“{self.format}”无法使用：{exc}") from None
        if first == second:
            raise ValueError(f"证书编号格式“{self.format}”不含序号 {{seq}}，无法区分证书")


@dataclass(frozen=True)
class Certificate:
    """One certificate as the registry knows it."""

    number: str
    """Certificate number."""
    round: int
    """Round (year)."""
    seq: int
    """Sequence within the round."""
    code: str
    """编号 in the round."""
    name: str
    """Name as last issued."""
    gender: str
    """性别."""
    unit: str
    """工作单位及职务."""
    occupation: str
    """职业（工种）."""
    rank: int
    """Rank in the round."""
    term_start: dt.date
    """First day of the term."""
    term_end: dt.date
    """Last day of the term."""
    issued: dt.date
    """Date the number was assigned."""
    revoked_on: dt.date | None
    """Date of revocation, or None."""
    revoke_reason: str
    """Why it was revoked ('' when valid); internal, not published."""
    person_id: int
    """Link to the person across rounds."""
    recommender: str = ""
    """推荐单位 ('' when the round did not record it)."""
    decision: str = ""
    """表彰文号 of an imported round ('' for rounds issued here: see the round's 表彰决定)."""

    def status(self, today: dt.date) -> str:
        """Today in → 'valid', 'expired' or 'revoked'."""
        if self.revoked_on is not None:
            return "revoked"
        return "expired" if today > self.term_end else "valid"


@dataclass(frozen=True)
class Activity:
    """One recorded 传帮带 activity."""

    id: int
    """Row id."""
    date: dt.date
    """When it took place."""
    mentor: str
    """The mentor's name."""
    mentor_numbers: tuple[str, ...]
    """The mentor's certificate numbers."""
    apprentices: tuple[str, ...]
    """Names of the apprentices."""
    content: str
    """What was taught (课程、培训或带徒项目)."""
    apprentice_count: int = 0
    """带徒（培训）人数: the names' count, or more when a course had unnamed trainees."""
    hours: float = 0.0
    """学时."""
    results: str = ""
    """成果."""
    mentor_id: int = 0
    """The mentor's person id."""


IMPORTED_EDITION = "（往届名单导入）"
"""rounds.edition of a round loaded from the office's spreadsheet (`Registry.import_round`)."""


@dataclass(frozen=True)
class PastAward:
    """One row of an earlier round's list of awardees (input of Registry.import_round)."""

    row: int
    """Row in the file."""
    entry: IssueEntry
    """The person and award (code: the row's 序号 or its position)."""
    decision: str
    """表彰文号."""
    decided: dt.date
    """表彰日期: the first day of the term."""
    number: str
    """证书编号 as written, or '' to have one assigned."""


@dataclass(frozen=True)
class ActivityRow:
    """One row of the yearly 传帮带 sheet (input of Registry.import_activities)."""

    row: int
    """Row in the file."""
    number: str
    """证书编号 of the mentor."""
    name: str
    """姓名 as written (checked against the certificate)."""
    date: dt.date
    """日期."""
    content: str
    """活动内容（课程/培训）."""
    apprentices: tuple[str, ...]
    """徒弟（学员）姓名."""
    count: int
    """带徒人数."""
    hours: float
    """学时."""
    results: str
    """成果."""

    def fingerprint(self, person_id: int) -> str:
        """The same activity of the same person → the same text (importing a file twice adds nothing)."""
        key = [person_id, self.date.isoformat(), self.content, sorted(self.apprentices), self.count, self.hours,
               self.results]
        return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    added: tuple[str, ...]
    """One line per row written."""
    unchanged: tuple[str, ...]
    """One line per row already in the database (nothing written for it)."""


@dataclass(frozen=True)
class IssueResult:
    """What Registry.issue did."""

    certificates: tuple[Certificate, ...]
    """One per entry, in entry order."""
    new: tuple[str, ...]
    """Numbers assigned in this run."""
    changed: tuple[str, ...]
    """Numbers whose name, unit or term changed in this run."""


_SELECT = """
    SELECT c.number, c.round, c.seq, a.code, a.name, p.gender, a.unit, a.occupation, a.rank,
           c.term_start, c.term_end, c.issued, c.revoked_on, COALESCE(c.revoke_reason, ''), p.id,
           a.recommender, a.decision
    FROM certificates c JOIN awardees a ON a.id = c.awardee_id JOIN persons p ON p.id = a.person_id
"""


def _certificate(row: sqlite3.Row | tuple[object, ...]) -> Certificate:
    r = tuple(row)
    return Certificate(
        number=str(r[0]), round=int(str(r[1])), seq=int(str(r[2])), code=str(r[3]), name=str(r[4]),
        gender=str(r[5]), unit=str(r[6]), occupation=str(r[7]), rank=int(str(r[8])),
        term_start=dt.date.fromisoformat(str(r[9])), term_end=dt.date.fromisoformat(str(r[10])),
        issued=dt.date.fromisoformat(str(r[11])),
        revoked_on=dt.date.fromisoformat(str(r[12])) if r[12] else None,
        revoke_reason=str(r[13]), person_id=int(str(r[14])), recommender=str(r[15]), decision=str(r[16]))


def _fault_pause(done: int) -> None:
    """Test seam: with XN_FAULT_ISSUE_PAUSE=N, stop for a minute after the N-th new certificate."""
    at = os.environ.get("XN_FAULT_ISSUE_PAUSE")
    if at and done == int(at):
        marker = os.environ.get("XN_FAULT_MARKER")
        if marker:
            Path(marker).write_text("paused", encoding="utf-8")
        time.sleep(60)


class Registry:
    """An open registry database; use as a context manager (`with open_registry(path) as reg:`)."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.db = connection

    # ---- transactions ------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE … COMMIT, rolled back on any error (the first error is raised)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _unwritable(self.path, exc) from exc
        try:
            yield self.db
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            _rollback(self.db)
            raise _unwritable(self.path, exc) from exc
        except BaseException:
            _rollback(self.db)
            raise

    def _log(self, kind: str, number: str | None, detail: str) -> None:
        self.db.execute("INSERT INTO events(at, kind, number, detail) VALUES (?, ?, ?, ?)",
                        (_now(), kind, number, detail))

    # ---- issuing -------------------------------------------------------------------------------

    def issue(self, year: int, title: str, edition: str, entries: Sequence[IssueEntry],
              numbering: Numbering, term: tuple[dt.date, dt.date], today: dt.date) -> IssueResult:
        """Awardees of a round in → their certificates; new numbers only for people without one.

        A person keeps the number of their first certificate of this round whatever the order
        of the entries, and a new awardee gets the round's highest sequence + 1, so numbers
        are never changed or reused. All in one transaction.
        """
        try:
            numbering.validate(year)
        except ValueError as exc:
            raise RegistryError(str(exc), hint="修改 edition.toml 中 [certificates] number_format，"
                                "须含 {seq}，如 \"{prefix}-{year}-{seq:03d}\"") from None
        seen: set[str] = set()
        for entry in entries:
            if len(entry.id_number) != 18:
                raise RegistryError("身份证号码不完整，无法登记证书", candidate=f"{entry.code} {entry.name}",
                                    hint="在名册中填写正确的 18 位身份证号码，再运行 make check")
            if entry.id_number in seen:
                raise RegistryError("同一身份证号码出现两次", candidate=f"{entry.code} {entry.name}",
                                    hint="名册中有重复的人选，见 make check 的 DUPLICATE_CANDIDATE")
            seen.add(entry.id_number)
        start, end = (d.isoformat() for d in term)
        new: list[str] = []
        changed: list[str] = []
        numbers: list[str] = []
        with self.write() as db:
            self._claim_round(year, edition)
            db.execute("INSERT INTO rounds(year, title, edition, created) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(year) DO UPDATE SET title = excluded.title WHERE title <> excluded.title",
                       (year, title, edition, today.isoformat()))
            for entry in entries:
                row = db.execute("SELECT id, name, gender FROM persons WHERE id_number = ?",
                                 (entry.id_number,)).fetchone()
                if row is None:
                    person = db.execute("INSERT INTO persons(id_number, name, gender) VALUES (?, ?, ?)",
                                        (entry.id_number, entry.name, entry.gender)).lastrowid
                else:
                    person = row[0]
                    if (row[1], row[2]) != (entry.name, entry.gender):
                        db.execute("UPDATE persons SET name = ?, gender = ? WHERE id = ?",
                                   (entry.name, entry.gender, person))
                row = db.execute("SELECT id, code, name, unit, occupation, rank, recommender FROM awardees "
                                 "WHERE person_id = ? AND round = ?", (person, year)).fetchone()
                values = (entry.code, entry.name, entry.unit, entry.occupation, entry.rank, entry.recommender)
                if row is None:
                    awardee = db.execute(
                        "INSERT INTO awardees(person_id, round, code, name, unit, occupation, rank, recommender) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (person, year, *values)).lastrowid
                    cert = None
                else:
                    awardee = row[0]
                    if tuple(row[1:]) != values:
                        db.execute("UPDATE awardees SET code = ?, name = ?, unit = ?, occupation = ?, rank = ?, "
                                   "recommender = ? WHERE id = ?", (*values, awardee))
                    cert = db.execute("SELECT number, term_start, term_end, status FROM certificates "
                                      "WHERE awardee_id = ?", (awardee,)).fetchone()
                    if cert is not None and row[2] != entry.name:
                        changed.append(cert[0])
                        self._log("rename", cert[0], f"{row[2]} → {entry.name}")
                if cert is None:
                    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM certificates WHERE round = ?",
                                     (year,)).fetchone()[0]
                    number = numbering.number(year, seq)
                    clash = db.execute("SELECT round FROM certificates WHERE number = ?", (number,)).fetchone()
                    if clash is not None:
                        raise RegistryError(
                            f"证书编号 {number} 已被 {clash[0]} 年度的证书使用",
                            hint="证书编号格式须含年份 {year}，修改 edition.toml 中 [certificates] number_format")
                    db.execute("INSERT INTO certificates(number, awardee_id, round, seq, term_start, term_end, issued) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)", (number, awardee, year, seq, start, end, today.isoformat()))
                    self._log("issue", number, f"{entry.code} {entry.name}")
                    new.append(number)
                    _fault_pause(len(new))
                else:
                    number = cert[0]
                    if (cert[1], cert[2]) != (start, end) and cert[3] == "valid":
                        db.execute("UPDATE certificates SET term_start = ?, term_end = ? WHERE number = ?",
                                   (start, end, number))
                        self._log("term", number, f"{cert[1]}—{cert[2]} → {start}—{end}")
                        changed.append(number)
                numbers.append(number)
        by_number = {c.number: c for c in self.certificates(year=year)}
        return IssueResult(tuple(by_number[n] for n in numbers), tuple(new), tuple(dict.fromkeys(changed)))

    def _claim_round(self, year: int, edition: str) -> None:
        """RegistryClashError when another edition folder already issued this round into the registry."""
        row = self.db.execute("SELECT edition, (SELECT COUNT(*) FROM certificates WHERE round = ?) FROM rounds "
                              "WHERE year = ?", (year, year)).fetchone()
        if row is None or row[0] == edition:
            return
        raise RegistryClashError(
            f"证书数据库中 {year} 年度已由届次文件夹“{row[0]}”登记了 {row[1]} 张证书，"
            f"届次文件夹“{edition}”不能再登记同一年度：两个届次会互相改名、重复编号。一个年度只属于一个届次文件夹",
            hint=f"如果“{edition}”就是该届次（文件夹改了名或是它的正式副本），在届次文件夹“{edition}”的 edition.toml 的 "
                 f"[certificates] 中写 registry_edition = \"{row[0]}\"，明确与它共用该年度的证书编号；"
                 "如果只是试验或演示，把 [certificates] demo 设为 true（使用单独的演示数据库）或改用另一个年度",
            file=str(self.path))

    def dropped(self, year: int, edition: str, id_numbers: Sequence[str]) -> list[Certificate]:
        """Valid certificates of the edition's round whose holder is not among id_numbers (dropped from
        the awardees); RegistryClashError when another edition folder issued the round."""
        self._claim_round(year, edition)
        keep = set(id_numbers)
        return [c for c in self.certificates(year=year)
                if c.revoked_on is None and self.id_number(c.person_id) not in keep]

    # ---- queries ---------------------------------------------------------------------------------

    def certificates(self, year: int | None = None, status: str | None = None,
                     today: dt.date | None = None) -> list[Certificate]:
        """Optional round and status filter in → certificates, by round then sequence."""
        sql, args = _SELECT, []
        if year is not None:
            sql += " WHERE c.round = ?"
            args.append(year)
        rows = [_certificate(r) for r in self.db.execute(sql + " ORDER BY c.round, c.seq", args)]
        if status is not None:
            day = today or dt.date.today()
            rows = [c for c in rows if c.status(day) == status]
        return rows

    def get(self, number: str) -> Certificate:
        """Certificate number in → the certificate; RegistryError when unknown."""
        row = self.db.execute(_SELECT + " WHERE c.number = ?", (number.strip(),)).fetchone()
        if row is None:
            raise RegistryError(f"证书数据库中没有编号为 {number} 的证书",
                                hint="用 make registry ARGS=\"list\" 查看全部证书编号", file=str(self.path))
        return _certificate(row)

    def rounds(self) -> list[tuple[int, str, str]]:
        """→ (year, title, edition) of every round."""
        return [(int(r[0]), str(r[1]), str(r[2]))
                for r in self.db.execute("SELECT year, title, edition FROM rounds ORDER BY year")]

    def revocations(self) -> dict[str, dt.date]:
        """→ every revoked certificate number and its revocation date (the published list)."""
        return {str(r[0]): dt.date.fromisoformat(str(r[1])) for r in self.db.execute(
            "SELECT number, revoked_on FROM certificates WHERE status = 'revoked' ORDER BY number")}

    # ---- changes ---------------------------------------------------------------------------------

    def revoke(self, number: str, reason: str, on: dt.date) -> Certificate:
        """Certificate number, reason and date in → the revoked certificate."""
        reason = reason.strip()
        if not reason:
            raise RegistryError("撤销证书必须写明原因", hint="加上 --reason \"撤销原因\"")
        with self.write() as db:
            cert = self.get(number)
            if cert.revoked_on is not None:
                raise RegistryError(f"证书 {cert.number}（{cert.name}）已于 {cert.revoked_on} 撤销，不能重复撤销",
                                    hint="用 make registry ARGS=\"show 编号\" 查看")
            db.execute("UPDATE certificates SET status = 'revoked', revoked_on = ?, revoke_reason = ? "
                       "WHERE number = ?", (on.isoformat(), reason, cert.number))
            self._log("revoke", cert.number, reason)
        return self.get(cert.number)

    def find_person(self, who: str) -> tuple[int, str]:
        """A certificate number or a name in → (person id, name); RegistryError when none or several."""
        who = who.strip()
        row = self.db.execute(_SELECT + " WHERE c.number = ?", (who,)).fetchone()
        if row is not None:
            cert = _certificate(row)
            return cert.person_id, cert.name
        rows = self.db.execute("SELECT DISTINCT p.id, p.name FROM persons p JOIN awardees a ON a.person_id = p.id "
                               "WHERE a.name = ? OR p.name = ?", (who, who)).fetchall()
        if not rows:
            raise RegistryError(f"证书数据库中没有“{who}”", hint="写证书编号或“兴安技术能手”的姓名")
        if len(rows) > 1:
            raise RegistryError(f"有 {len(rows)} 位“兴安技术能手”叫“{who}”", hint="请改用证书编号指明是哪一位")
        return int(rows[0][0]), str(rows[0][1])

    def record_activity(self, on: dt.date, mentor: str, apprentices: Sequence[str], content: str) -> Activity:
        """Date, mentor (number or name), apprentices and content in → the recorded 传帮带 activity."""
        names = tuple(a.strip() for a in apprentices if a.strip())
        if not names:
            raise RegistryError("传帮带活动须写明徒弟（学员）姓名", hint="加上 --apprentices \"张三,李四\"")
        if not content.strip():
            raise RegistryError("传帮带活动须写明内容", hint="加上 --content \"活动内容\"")
        with self.write() as db:
            person, name = self.find_person(mentor)
            row_id = db.execute("INSERT INTO activities(date, mentor_id, apprentices, content, recorded, "
                                "apprentice_count) VALUES (?, ?, ?, ?, ?, ?)",
                                (on.isoformat(), person, json.dumps(names, ensure_ascii=False),
                                 content.strip(), _now(), len(names))).lastrowid
            self._log("activity", None, f"{on} {name}: {content.strip()[:60]}")
        assert row_id is not None
        return next(a for a in self.activities() if a.id == row_id)

    def activities(self, mentor: str | None = None) -> list[Activity]:
        """Optional mentor (number or name) in → recorded 传帮带 activities by date."""
        sql = ("SELECT t.id, t.date, p.name, t.apprentices, t.content, "
               "(SELECT group_concat(c.number, ',') FROM certificates c JOIN awardees a ON a.id = c.awardee_id "
               " WHERE a.person_id = p.id), t.apprentice_count, t.hours, t.results, p.id "
               "FROM activities t JOIN persons p ON p.id = t.mentor_id")
        args: list[object] = []
        if mentor is not None:
            sql += " WHERE p.id = ?"
            args.append(self.find_person(mentor)[0])
        out = []
        for r in self.db.execute(sql + " ORDER BY t.date, t.id", args):
            out.append(Activity(int(r[0]), dt.date.fromisoformat(r[1]), str(r[2]),
                                tuple(sorted(str(r[5] or "").split(","))) if r[5] else (),
                                tuple(json.loads(r[3])), str(r[4]), int(r[6]), float(r[7]), str(r[8]), int(r[9])))
        return out

    def integrity(self) -> list[str]:
        """→ problems SQLite finds in the file (empty when sound)."""
        problems = [str(r[0]) for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {tuple(r)}" for r in self.db.execute("PRAGMA foreign_key_check")]
        return problems

    # ---- imports ---------------------------------------------------------------------------------

    def import_round(self, year: int, file: str, awards: Sequence[PastAward], numbering: Numbering,
                     term_years: int, today: dt.date, problems: Sequence[Problem] = ()) -> ImportResult:
        """An earlier round's awardees (already checked row by row) in → registered, all or nothing.

        A person already registered for the year with the same data is reported and left alone (so
        the same file imports twice without change); with other data, or a name that differs from the
        person's other awards, or a 证书编号 another certificate has, nothing is written
        (RegistryImportError listing every row, with the `problems` the reader found). A year issued
        by this program is refused.
        """
        from pipeline.core.signing import term_of

        problems = list(problems)
        added: list[str] = []
        unchanged: list[str] = []
        with self.write() as db:
            owner = db.execute("SELECT edition FROM rounds WHERE year = ?", (year,)).fetchone()
            if owner is not None and owner[0] != IMPORTED_EDITION:
                raise RegistryError(
                    f"{year} 年度的证书是本程序颁发的（届次文件夹“{owner[0]}”），不能再从表格导入",
                    hint="导入只用于本程序启用前的往届（如 2024 年度）；核对命令中的年度", file=file)
            if owner is None:
                db.execute("INSERT INTO rounds(year, title, edition, created) VALUES (?, ?, ?, ?)",
                           (year, f"{year}年度", IMPORTED_EDITION, today.isoformat()))
            planned: set[str] = {a.number for a in awards if a.number}
            for award in awards:
                e = award.entry
                start, end = (d.isoformat() for d in term_of(award.decided, term_years))
                person = db.execute("SELECT id, name FROM persons WHERE id_number = ?", (e.id_number,)).fetchone()
                if person is not None and person[1] != e.name:
                    problems.append(Problem(award.row, "姓名", e.name,
                                            f"数据库中这个身份证号码登记的姓名是“{person[1]}”",
                                            "核对姓名和身份证号码；如此人确已改名，请联系技术人员更新数据库"))
                    continue
                if person is not None:
                    old = db.execute(_SELECT + " WHERE a.person_id = ? AND a.round = ?", (person[0], year)).fetchone()
                    if old is not None:
                        cert = _certificate(old)
                        ours = {"姓名": cert.name, "性别": cert.gender, "工作单位及职务": cert.unit,
                                "职业（工种）": cert.occupation, "推荐单位": cert.recommender, "表彰文号": cert.decision,
                                "表彰日期": cert.term_start.isoformat(), "证书编号": cert.number}
                        theirs = {"姓名": e.name, "性别": e.gender, "工作单位及职务": e.unit, "职业（工种）": e.occupation,
                                  "推荐单位": e.recommender, "表彰文号": award.decision,
                                  "表彰日期": start, "证书编号": award.number or cert.number}
                        differ = [f"{k}“{ours[k]}”（本表“{theirs[k]}”）" for k in ours if ours[k] != theirs[k]]
                        if differ:
                            problems.append(Problem(award.row, "身份证号码", mask_id(e.id_number),
                                                    f"{e.name}已登记为 {year} 年度兴安技术能手（证书编号 {cert.number}），"
                                                    f"但数据库中的{'、'.join(differ)}与本表不同",
                                                    "核对本表这一行：以数据库为准时改成与数据库一致；数据库有误时请联系技术人员"
                                                    "（导入不改动已登记的记录）"))
                        else:
                            unchanged.append(f"第{award.row}行 {e.name}：已登记为 {year} 年度兴安技术能手"
                                             f"（证书编号 {cert.number}），未改动")
                        continue
                number = award.number
                if number:
                    clash = db.execute(_SELECT + " WHERE c.number = ?", (number,)).fetchone()
                    if clash is not None:
                        other = _certificate(clash)
                        problems.append(Problem(award.row, "证书编号", number,
                                                f"该编号已是 {other.round} 年度“{other.name}”的证书编号",
                                                "核对证书编号（每张证书的编号唯一）；不知道编号时留空，由程序编号"))
                        continue
                if problems:
                    continue  # nothing will be written: do not number further
                seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM certificates WHERE round = ?",
                                 (year,)).fetchone()[0]
                while not number:
                    candidate = numbering.number(year, seq)
                    taken = db.execute("SELECT 1 FROM certificates WHERE number = ?", (candidate,)).fetchone()
                    if taken is None and candidate not in planned:
                        number = candidate
                    else:
                        seq += 1
                if person is None:
                    person_id = db.execute("INSERT INTO persons(id_number, name, gender) VALUES (?, ?, ?)",
                                           (e.id_number, e.name, e.gender)).lastrowid
                else:
                    person_id = person[0]
                awardee = db.execute(
                    "INSERT INTO awardees(person_id, round, code, name, unit, occupation, rank, recommender, decision) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (person_id, year, e.code, e.name, e.unit, e.occupation, e.rank, e.recommender,
                     award.decision)).lastrowid
                db.execute("INSERT INTO certificates(number, awardee_id, round, seq, term_start, term_end, issued) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", (number, awardee, year, seq, start, end, today.isoformat()))
                self._log("import", number, f"{file} 第{award.row}行 {e.name}")
                added.append(f"第{award.row}行 {e.name}：证书编号 {number}，任期 {start} 至 {end}")
            if problems:
                raise RegistryImportError(file, _named(problems, {a.row: a.entry.name for a in awards}),
                                          f"往届名单 {Path(file).name} ")
        return ImportResult(tuple(added), tuple(unchanged))

    def import_activities(self, file: str, rows: Sequence[ActivityRow], problems: Sequence[Problem] = ()) -> ImportResult:
        """传帮带 rows (already checked cell by cell) in → attached to their mentors, all or nothing.

        Each row names a certificate whose holder must have the row's name, and lies within or after
        that certificate's term start; a row already imported (same person, date, content, people,
        hours and results) is reported and skipped; the same activity twice in the file is refused.
        `problems` are the reader's: with any, nothing is written.
        """
        problems = list(problems)
        added: list[str] = []
        unchanged: list[str] = []
        seen: dict[str, int] = {}
        with self.write() as db:
            for r in rows:
                found = db.execute(_SELECT + " WHERE c.number = ?", (r.number,)).fetchone()
                if found is None:
                    problems.append(Problem(r.row, "证书编号", r.number, "数据库中没有这个证书编号",
                                            "核对证书编号（见证书或 make registry ARGS=\"list\"）；"
                                            "往届的获评者先用 import 导入往届名单"))
                    continue
                cert = _certificate(found)
                if cert.name != r.name:
                    problems.append(Problem(r.row, "姓名", r.name, f"证书 {cert.number} 的持有人是“{cert.name}”",
                                            "核对证书编号和姓名，二者须属于同一位兴安技术能手"))
                    continue
                if r.date < cert.term_start:
                    problems.append(Problem(r.row, "日期", r.date.isoformat(),
                                            f"早于{cert.name}的任期开始日 {cert.term_start}（证书 {cert.number}）",
                                            "只登记获评后的传帮带活动；核对日期"))
                    continue
                key = r.fingerprint(cert.person_id)
                if key in seen:
                    problems.append(Problem(r.row, "活动内容", r.content,
                                            f"与第{seen[key]}行完全相同（同一人、同一天、同一内容）",
                                            "删除重复的一行；如确是两次活动，在“活动内容”中注明场次"))
                    continue
                seen[key] = r.row
                if db.execute("SELECT 1 FROM activities WHERE fingerprint = ?", (key,)).fetchone():
                    unchanged.append(f"第{r.row}行 {r.name} {r.date} {r.content}：已登记过，跳过")
                    continue
                if problems:
                    continue
                db.execute("INSERT INTO activities(date, mentor_id, apprentices, content, recorded, apprentice_count, "
                           "hours, results, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (r.date.isoformat(), cert.person_id, json.dumps(r.apprentices, ensure_ascii=False),
                            r.content, _now(), r.count, r.hours, r.results, key))
                self._log("activity", cert.number, f"{file} 第{r.row}行 {r.date} {r.content[:60]}")
                added.append(f"第{r.row}行 {r.name} {r.date} {r.content}")
            if problems:
                raise RegistryImportError(file, _named(problems, {r.row: r.name for r in rows}),
                                          f"传帮带活动表 {Path(file).name} ")
        return ImportResult(tuple(added), tuple(unchanged))

    def id_number(self, person_id: int) -> str:
        """Person id in → their ID number (for internal exports only)."""
        return str(self.db.execute("SELECT id_number FROM persons WHERE id = ?", (person_id,)).fetchone()[0])


def _named(problems: Sequence[Problem], names: dict[int, str]) -> list[Problem]:
    """Problems in row order, each naming its row's person where known."""
    import dataclasses

    return sorted((p if p.who or p.row not in names else dataclasses.replace(p, who=names[p.row]) for p in problems),
                  key=lambda p: p.row)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already done so itself (it does on a full
    disk); a failing ROLLBACK ("cannot rollback - no transaction is active") never replaces the
    error that caused it."""
    if db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")


def _disk_full(exc: BaseException) -> bool:
    """True for SQLite's SQLITE_FULL ("database or disk is full") and the system's ENOSPC."""
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc)


def _unwritable(path: Path, exc: sqlite3.Error | OSError) -> RegistryError:
    """A write that failed → the Chinese reason: disk full, busy, or SQLite's own words."""
    if _disk_full(exc):
        return RegistryDiskFullError(
            f"磁盘空间不足，证书数据库无法写入（{exc}）；本次的改动没有写入，数据库保持原样",
            hint=f"清理 {path.parent} 所在磁盘的空间（或把 XN_STATE 指向空间充足的文件夹）后重新运行",
            file=str(path))
    if "locked" in str(exc) or "busy" in str(exc):
        return RegistryBusyError(
            f"证书数据库正被另一个程序使用，等待 {busy_timeout():.0f} 秒后仍未释放",
            hint="等另一个 make certificates 或 make registry 命令运行结束后再试；"
                 "若确实没有其他命令在运行，重新启动电脑后再试", file=str(path))
    return RegistryUnusableError(f"证书数据库无法写入：{exc}", hint="检查磁盘空间和 state/ 文件夹的写权限",
                                 file=str(path))


def _migrate(path: Path, db: sqlite3.Connection) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise RegistryUnusableError(f"证书数据库的版本（{version}）比本程序新（{SCHEMA_VERSION}）",
                            hint="请更新本程序（git pull）后再运行；不要用旧版程序修改它", file=str(path))
    if version == SCHEMA_VERSION:
        return
    if version > 0:  # keep a copy of the old file before changing its structure
        backup = path.parent / "backups" / f"{path.stem}-v{version}-{time.strftime('%Y%m%d%H%M%S')}.sqlite3"
        try:
            backup.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(backup)) as copy:
                make_private(backup)
                db.backup(copy)
        except (sqlite3.Error, OSError) as exc:
            backup.unlink(missing_ok=True)  # never leave half a backup that looks like one
            raise _unwritable(backup, exc) from exc
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise _unwritable(path, exc) from exc
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])  # another process may have done it
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {number + 1}")
        db.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        _rollback(db)
        raise _unwritable(path, exc) from exc
    except BaseException:
        _rollback(db)
        raise


@contextlib.contextmanager
def open_registry(path: Path, create: bool = True) -> Iterator[Registry]:
    """Registry file in → an open, up-to-date Registry; RegistryUnusableError when missing (create=False) or damaged."""
    new_dirs: list[Path] = []
    if not path.exists():
        if not create:
            raise RegistryUnusableError("证书数据库还不存在", file=str(path),
                                        hint="先运行 make certificates 颁发证书（会自动建立数据库）")
        new_dirs = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _remove_new(None, new_dirs)
            if _disk_full(exc):
                raise _unwritable(path, exc) from exc
            raise RegistryUnusableError(f"无法建立证书数据库所在的文件夹：{exc}", file=str(path),
                                        hint="检查 state/ 文件夹的位置和写权限（或 XN_STATE）") from exc
    created = not path.exists()
    try:
        db = sqlite3.connect(path, timeout=busy_timeout(), isolation_level=None)
        make_private(path)  # personal data: owner-only; SQLite gives its journal files the same mode
    except sqlite3.Error as exc:
        raise RegistryUnusableError(f"无法打开证书数据库：{exc}", hint="检查 state/ 文件夹是否存在、是否有写权限",
                                    file=str(path)) from None
    try:
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = FULL")
            _migrate(path, db)
        except RegistryError:
            if created:
                db.close()
                _remove_new(path, new_dirs)
            raise
        except sqlite3.DatabaseError as exc:
            if created:
                db.close()
                _remove_new(path, new_dirs)
            if isinstance(exc, sqlite3.OperationalError):
                raise _unwritable(path, exc) from exc
            raise RegistryUnusableError(
                f"证书数据库文件已损坏：{exc}", file=str(path),
                hint="从 state/backups/ 或其他备份恢复该文件；切勿删除它（已发证书的编号记录在里面）") from None
        yield Registry(path, db)
    finally:
        db.close()


def _remove_new(path: Path | None, new_dirs: Sequence[Path]) -> None:
    """Remove a registry file this run created but could not set up (only while it is still empty), its
    journal, and the folders made for it: a failed first run leaves nothing behind."""
    if path is not None:
        with contextlib.suppress(OSError):
            if path.stat().st_size == 0:
                path.unlink()
                Path(f"{path}-journal").unlink(missing_ok=True)
    for folder in new_dirs:  # innermost first
        with contextlib.suppress(OSError):
            folder.rmdir()


# ---- export -------------------------------------------------------------------------------------


def mask_id(id_number: str) -> str:
    """An ID number in → first 6 and last 4 characters, the rest as '*'."""
    return id_number[:6] + "*" * 8 + id_number[-4:] if len(id_number) == 18 else "*" * len(id_number)


def export_xlsx(reg: Registry, target: Path, when: dt.datetime, today: dt.date, full_id: bool = False) -> None:
    """Open registry in → an XLSX of rounds, certificates, persons and 传帮带 activities (IDs masked unless full_id)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from pipeline.render.office import put_row, save_workbook

    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, headers: list[str], widths: list[int], rows: list[list[object]], first: bool = False) -> None:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = title
        for cell in put_row(ws, 1, headers):
            cell.font = bold
            cell.alignment = Alignment(horizontal="center", vertical="center")
        for r, row in enumerate(rows, start=2):
            put_row(ws, r, row)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = width
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = ws.dimensions

    certs = reg.certificates()
    sheet("证书", ["证书编号", "届次", "序号", "编号", "姓名", "性别", "工作单位及职务", "职业（工种）", "名次",
                   "任期开始", "任期结束", "登记日期", "状态", "撤销日期", "撤销原因", "推荐单位", "表彰文号"],
          [17, 7, 6, 8, 10, 6, 34, 14, 6, 12, 12, 12, 8, 12, 24, 24, 20],
          [[c.number, c.round, c.seq, c.code, c.name, c.gender, c.unit, c.occupation, c.rank,
            c.term_start.isoformat(), c.term_end.isoformat(), c.issued.isoformat(), STATUS_TITLES[c.status(today)],
            c.revoked_on.isoformat() if c.revoked_on else "", c.revoke_reason, c.recommender, c.decision]
           for c in certs], first=True)
    persons: dict[int, list[Certificate]] = {}
    for c in certs:
        persons.setdefault(c.person_id, []).append(c)
    sheet("人员", ["姓名", "性别", "身份证号码", "获评届次", "证书编号", "当前状态"], [10, 6, 22, 16, 34, 10],
          [[cs[-1].name, cs[-1].gender,
            reg.id_number(pid) if full_id else mask_id(reg.id_number(pid)),
            "、".join(str(c.round) for c in cs), "、".join(c.number for c in cs),
            STATUS_TITLES[cs[-1].status(today)]] for pid, cs in sorted(persons.items(), key=lambda kv: kv[1][0].number)])
    sheet("传帮带活动", ["日期", "师傅", "师傅证书编号", "徒弟（学员）", "活动内容", "带徒人数", "学时", "成果"],
          [12, 10, 30, 30, 50, 9, 7, 40],
          [[a.date.isoformat(), a.mentor, "、".join(a.mentor_numbers), "、".join(a.apprentices), a.content,
            a.apprentice_count, a.hours, a.results] for a in reg.activities()])
    sheet("届次", ["年度", "名称", "届次文件夹"], [8, 50, 20], [[y, t, e] for y, t, e in reg.rounds()])
    save_workbook(wb, target, when, private=full_id)


# ---- backup and restore -------------------------------------------------------------------------

CHECKSUM_SUFFIX = ".sha256"
"""The checksum file beside a backup: `<sha256>  <file name>` (the format of sha256sum)."""



def default_backup(path: Path, when: dt.datetime) -> Path:
    """Registry file in → state/backups/<name>-<YYYYmmdd-HHMMSS>.sqlite3 beside it."""
    return path.parent / "backups" / f"{path.stem}-{when.strftime('%Y%m%d-%H%M%S')}.sqlite3"


def backup(reg: Registry, target: Path) -> str:
    """Open registry in → a consistent copy at `target` made with SQLite's online backup API (other
    processes may keep writing: the copy is one committed state), plus `<target>.sha256`; → the checksum."""
    from pipeline.core.atomic import atomic_path

    if target.exists():
        raise RegistryError(f"备份文件 {target} 已存在，不会覆盖", hint="换一个文件名（--out），或不写 --out 用带时间的默认名",
                            file=str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target, private=True) as tmp:
            with contextlib.closing(sqlite3.connect(tmp)) as copy:
                reg.db.backup(copy)
                problems = [str(r[0]) for r in copy.execute("PRAGMA integrity_check") if r[0] != "ok"]
            if problems:
                raise RegistryError(f"备份副本未通过完整性检查：{'；'.join(problems)[:300]}", file=str(target),
                                    hint="先运行 make registry ARGS=\"check\" 检查数据库本身")
            digest = sha256_file(tmp)
        with atomic_path(target.with_name(target.name + CHECKSUM_SUFFIX)) as tmp_sum:
            tmp_sum.write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    except sqlite3.Error as exc:
        raise _unwritable(target, exc) from exc
    except OSError as exc:
        raise _unwritable(target, exc) from exc
    return digest


def _newest_event(db: sqlite3.Connection) -> tuple[str, int]:
    """→ (time, id) of the registry's newest event: how new its content is (ids break ties within a second)."""
    row = db.execute("SELECT at, id FROM events ORDER BY at DESC, id DESC LIMIT 1").fetchone()
    return (str(row[0]), int(row[1])) if row else ("", 0)


def verify_backup(source: Path) -> tuple[int, tuple[str, int]]:
    """A backup file in → (schema version, newest event) once its checksum file matches and SQLite
    finds it sound; RegistryError saying what is wrong otherwise."""
    if not source.is_file():
        raise RegistryError(f"找不到备份文件 {source}", hint="写出备份文件的完整路径（默认在 state/backups/ 中）",
                            file=str(source))
    checksum = source.with_name(source.name + CHECKSUM_SUFFIX)
    if not checksum.is_file():
        raise RegistryError(f"备份文件旁边没有校验文件 {checksum.name}，无法确认备份完好", file=str(source),
                            hint="把备份时一起生成的 .sha256 文件放在备份文件旁边；没有它就不恢复")
    words = checksum.read_text(encoding="utf-8", errors="replace").split()
    expected = words[0].lower() if words else ""
    actual = sha256_file(source)
    if expected != actual:
        raise RegistryError(f"备份文件的校验和不符（应为 {expected[:16]}…，实为 {actual[:16]}…）：备份已损坏或被改动，"
                            "不能用它恢复", file=str(source), hint="改用另一份备份（state/backups/ 中有按时间命名的备份）")
    try:
        with contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as db:
            problems = [str(r[0]) for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            tables = {str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            newest = _newest_event(db) if "events" in tables else ("", 0)
    except sqlite3.DatabaseError as exc:
        raise RegistryError(f"备份文件不是可用的证书数据库：{exc}", file=str(source),
                            hint="改用另一份备份") from None
    if problems or "certificates" not in tables:
        raise RegistryError(f"备份文件未通过完整性检查：{'；'.join(problems)[:300] or '缺少证书表'}", file=str(source),
                            hint="改用另一份备份")
    if version > SCHEMA_VERSION:
        raise RegistryError(f"备份的数据库版本（{version}）比本程序新（{SCHEMA_VERSION}）", file=str(source),
                            hint="请更新本程序（git pull）后再恢复")
    return version, newest


def restore(path: Path, source: Path, when: dt.datetime, force: bool = False) -> Path | None:
    """Backup file in → it replaces the registry at `path` (checksum and integrity verified first); a
    registry with changes newer than the backup is kept unless `force`. The old file (and any journal)
    is moved to state/backups/<name>-恢复前-<time>.sqlite3; → that path (None when there was no registry)."""
    version, newest = verify_backup(source)
    aside: Path | None = None
    if path.exists():
        try:
            with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                                    timeout=busy_timeout())) as live:
                current = _newest_event(live)
        except sqlite3.DatabaseError:
            current = ("", 0)  # a damaged registry: that is what restoring is for
        if current > newest and not force:
            raise RegistryError(
                f"当前证书数据库比备份新：数据库最后一次改动在 {current[0]}（第 {current[1]} 条记录），"
                f"备份中最后一次改动在 {newest[0] or '（无记录）'}（第 {newest[1]} 条记录）；"
                "恢复会丢掉其间的改动（新颁发、撤销、导入的记录）", file=str(path),
                hint="确认要丢掉这些改动时加 --force（原文件会另存到 state/backups/）；否则改用更新的备份")
        aside = path.parent / "backups" / f"{path.stem}-恢复前-{when.strftime('%Y%m%d-%H%M%S')}.sqlite3"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.restore-{os.getpid()}")
        with contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src, \
                contextlib.closing(sqlite3.connect(tmp)) as copy:
            src.backup(copy)
        make_private(tmp)
        if aside is not None:
            aside.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(path, timeout=busy_timeout(), isolation_level=None)) as live:
                live.execute("BEGIN EXCLUSIVE")  # waits for (or refuses) another process using the registry
                path.replace(aside)
                journal = Path(f"{path}-journal")
                if journal.exists():
                    journal.replace(Path(f"{aside}-journal"))
                live.execute("ROLLBACK")
        tmp.replace(path)
    except sqlite3.OperationalError as exc:
        path.with_name(f".{path.name}.restore-{os.getpid()}").unlink(missing_ok=True)
        raise _unwritable(path, exc) from exc
    except OSError as exc:
        raise _unwritable(path, exc) from exc
    with open_registry(path, create=False) as reg, reg.write():
        reg._log("restore", None, f"从备份 {source.name}（版本 {version}）恢复" + (f"，原文件另存为 {aside.name}" if aside else ""))
    return aside
