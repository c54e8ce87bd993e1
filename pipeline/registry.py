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
    activities    传帮带 activities: date, mentor (a person), apprentices, content
    events        what happened when (issue, revoke, term change, activity)

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
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.atomic import make_private
from pipeline.edition import PROJECT_ROOT
from pipeline.errors import ExitCode, PipelineError

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

    def id_number(self, person_id: int) -> str:
        """Person id in → their ID number (for internal exports only)."""
        return str(self.db.execute("SELECT id_number FROM persons WHERE id = ?", (person_id,)).fetchone()[0])


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

    from pipeline.office import put_row, save_workbook

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
                   "任期开始", "任期结束", "登记日期", "状态", "撤销日期", "撤销原因"],
          [17, 7, 6, 8, 10, 6, 34, 14, 6, 12, 12, 12, 8, 12, 24],
          [[c.number, c.round, c.seq, c.code, c.name, c.gender, c.unit, c.occupation, c.rank,
            c.term_start.isoformat(), c.term_end.isoformat(), c.issued.isoformat(), STATUS_TITLES[c.status(today)],
            c.revoked_on.isoformat() if c.revoked_on else "", c.revoke_reason] for c in certs], first=True)
    persons: dict[int, list[Certificate]] = {}
    for c in certs:
        persons.setdefault(c.person_id, []).append(c)
    sheet("人员", ["姓名", "性别", "身份证号码", "获评届次", "证书编号", "当前状态"], [10, 6, 22, 16, 34, 10],
          [[cs[-1].name, cs[-1].gender,
            reg.id_number(pid) if full_id else mask_id(reg.id_number(pid)),
            "、".join(str(c.round) for c in cs), "、".join(c.number for c in cs),
            STATUS_TITLES[cs[-1].status(today)]] for pid, cs in sorted(persons.items(), key=lambda kv: kv[1][0].number)])
    sheet("传帮带活动", ["日期", "师傅", "师傅证书编号", "徒弟（学员）", "活动内容"], [12, 10, 30, 30, 50],
          [[a.date.isoformat(), a.mentor, "、".join(a.mentor_numbers), "、".join(a.apprentices), a.content]
           for a in reg.activities()])
    sheet("届次", ["年度", "名称", "届次文件夹"], [8, 50, 20], [[y, t, e] for y, t, e in reg.rounds()])
    save_workbook(wb, target, when, private=full_id)
