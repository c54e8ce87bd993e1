"""The registry (兴安技术能手数据库): migrations, stable numbers, revocation, 传帮带, export, concurrency, crashes."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import ExitCode
from pipeline.registry import store as registry
from pipeline.registry.store import (
    IssueEntry,
    Numbering,
    RegistryBusyError,
    RegistryError,
    open_registry,
)
from tests.conftest import make_id

NUMBERING = Numbering("XATN", "{prefix}-{year}-{seq:03d}")
TERM_2027 = (dt.date(2027, 5, 20), dt.date(2030, 5, 19))
TODAY = dt.date(2027, 5, 20)


def entry(i: int, name: str = "", rank: int = 0) -> IssueEntry:
    """The i-th test person (stable ID number per i)."""
    return IssueEntry(make_id("19800115", seq=f"{i:02d}"), name or f"人员{i}", "男", f"{i:03d}",
                      f"单位{i}", "电工", rank or i)


def issue(path: Path, people: list[IssueEntry], year: int = 2027,
          numbering: Numbering = NUMBERING) -> registry.IssueResult:
    """Issue a round's certificates into the registry at path."""
    term = (dt.date(year, 5, 20), dt.date(year + 3, 5, 19))
    with open_registry(path) as reg:
        return reg.issue(year, f"{year}年度", "ed", people, numbering, term, TODAY)


def numbers(result: registry.IssueResult) -> dict[str, str]:
    """Name → number."""
    return {c.name: c.number for c in result.certificates}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where a fresh registry goes."""
    return tmp_path / "state" / "registry.sqlite3"


# ---- schema ------------------------------------------------------------------------------------


def test_fresh_database_has_every_table_and_the_current_version(db: Path) -> None:
    with open_registry(db) as reg:
        tables = {r[0] for r in reg.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = reg.db.execute("PRAGMA user_version").fetchone()[0]
    assert {"rounds", "persons", "awardees", "certificates", "activities", "events"} <= tables
    assert version == registry.SCHEMA_VERSION == len(registry.MIGRATIONS)


def test_migration_from_version_1_keeps_data_and_backs_up(db: Path) -> None:
    db.parent.mkdir(parents=True)
    old = sqlite3.connect(db)
    old.executescript(registry.MIGRATIONS[0] + "PRAGMA user_version = 1;")
    old.execute("INSERT INTO rounds VALUES (2024, '2024年度', 'old', '2024-05-20')")
    old.execute("INSERT INTO persons(id, id_number, name) VALUES (1, ?, '老张')", (entry(1).id_number,))
    old.execute("INSERT INTO awardees(id, person_id, round, code, name, unit) VALUES (1, 1, 2024, '001', '老张', '单位')")
    old.execute("INSERT INTO certificates(number, awardee_id, round, seq, term_start, term_end, issued) "
                "VALUES ('XATN-2024-001', 1, 2024, 1, '2024-05-20', '2027-05-19', '2024-05-20')")
    old.commit()
    old.close()
    with open_registry(db) as reg:
        assert reg.db.execute("PRAGMA user_version").fetchone()[0] == registry.SCHEMA_VERSION
        assert [c.number for c in reg.certificates()] == ["XATN-2024-001"]
        assert reg.activities() == []
    backups = list((db.parent / "backups").glob("registry-v1-*.sqlite3"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1


def test_newer_or_damaged_database_is_refused_with_a_hint(db: Path) -> None:
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as newer:
        newer.execute(f"PRAGMA user_version = {registry.SCHEMA_VERSION + 1}")
    with pytest.raises(RegistryError, match="比本程序新"), open_registry(db):
        pass
    db.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(RegistryError, match="损坏") as info, open_registry(db):
        pass
    assert "备份" in info.value.hint


def test_missing_registry_is_not_created_for_reading(db: Path) -> None:
    with pytest.raises(RegistryError, match="还不存在"), open_registry(db, create=False):
        pass
    assert not db.exists()


# ---- numbers -------------------------------------------------------------------------------------


def test_numbers_are_assigned_once_in_rank_order_and_never_change(db: Path) -> None:
    first = issue(db, [entry(1), entry(2), entry(3)])
    assert numbers(first) == {"人员1": "XATN-2027-001", "人员2": "XATN-2027-002", "人员3": "XATN-2027-003"}
    assert first.new == ("XATN-2027-001", "XATN-2027-002", "XATN-2027-003")
    again = issue(db, [entry(3), entry(1), entry(2)])  # rebuilt, re-ordered
    assert numbers(again) == numbers(first) and again.new == ()
    later = issue(db, [entry(3), entry(4), entry(1), entry(2)])  # someone added later
    assert numbers(later)["人员4"] == "XATN-2027-004"
    # someone leaves: the number is not freed; the next newcomer never gets it; the returner gets theirs
    assert numbers(issue(db, [entry(1), entry(3), entry(4), entry(5)]))["人员5"] == "XATN-2027-005"
    assert numbers(issue(db, [entry(2)]))["人员2"] == "XATN-2027-002"
    with open_registry(db) as reg:
        assert [c.number for c in reg.certificates()] == [f"XATN-2027-{n:03d}" for n in range(1, 6)]


def test_renamed_awardee_keeps_number_linked_by_id_number(db: Path) -> None:
    issue(db, [entry(1, "王建国")])
    result = issue(db, [entry(1, "王建囯")])
    assert numbers(result) == {"王建囯": "XATN-2027-001"} and result.changed == ("XATN-2027-001",)


def test_rounds_are_linked_by_id_number_and_numbered_separately(db: Path) -> None:
    issue(db, [entry(1), entry(2)], year=2024)
    result = issue(db, [entry(2), entry(3)], year=2027)
    assert numbers(result) == {"人员2": "XATN-2027-001", "人员3": "XATN-2027-002"}
    with open_registry(db) as reg:
        certs = reg.certificates()
        assert [(c.round, c.number) for c in certs] == [(2024, "XATN-2024-001"), (2024, "XATN-2024-002"),
                                                       (2027, "XATN-2027-001"), (2027, "XATN-2027-002")]
        twice = [c for c in certs if c.name == "人员2"]
        assert len({c.person_id for c in twice}) == 1
        assert reg.db.execute("SELECT COUNT(*) FROM persons").fetchone()[0] == 3
        assert [c.number for c in reg.certificates(2024, "expired", dt.date(2027, 6, 1))] == \
               ["XATN-2024-001", "XATN-2024-002"]


def test_custom_and_broken_number_formats(db: Path) -> None:
    result = issue(db, [entry(1)], numbering=Numbering("XA", "兴安能手〔{year}〕{seq}号"))
    assert numbers(result) == {"人员1": "兴安能手〔2027〕1号"}
    with pytest.raises(RegistryError, match="不含序号"):
        issue(db, [entry(2)], numbering=Numbering("XA", "{prefix}-{year}"))
    with pytest.raises(RegistryError, match="无法使用"):
        issue(db, [entry(2)], numbering=Numbering("XA", "{prefix}-{month}-{seq}"))
    issue(db, [entry(3)], year=2030, numbering=Numbering("XA", "{prefix}-{seq:03d}"))
    with pytest.raises(RegistryError, match="已被"):  # a format without the year collides across rounds
        issue(db, [entry(4)], year=2033, numbering=Numbering("XA", "{prefix}-{seq:03d}"))


def test_incomplete_or_duplicate_id_numbers_are_refused(db: Path) -> None:
    short = IssueEntry("2327", "甲", "男", "001", "单位", "", 1)
    with pytest.raises(RegistryError, match="身份证号码不完整"):
        issue(db, [short])
    with pytest.raises(RegistryError, match="出现两次"):
        issue(db, [entry(1), entry(1, "又一个")])
    with open_registry(db) as reg:
        assert reg.certificates() == []


# ---- revoke, expire, 传帮带, export ----------------------------------------------------------------------


def test_revoke_with_reason_and_date(db: Path) -> None:
    issue(db, [entry(1), entry(2)])
    with open_registry(db) as reg:
        with pytest.raises(RegistryError, match="原因"):
            reg.revoke("XATN-2027-001", "  ", TODAY)
        cert = reg.revoke("XATN-2027-001", "提供虚假材料", dt.date(2027, 9, 1))
        assert cert.status(TODAY) == "revoked" and cert.revoke_reason == "提供虚假材料"
        with pytest.raises(RegistryError, match="不能重复撤销"):
            reg.revoke("XATN-2027-001", "再次", TODAY)
        with pytest.raises(RegistryError, match="没有编号"):
            reg.revoke("XATN-2027-999", "无", TODAY)
        assert reg.revocations() == {"XATN-2027-001": dt.date(2027, 9, 1)}
        assert [c.number for c in reg.certificates(status="valid", today=TODAY)] == ["XATN-2027-002"]
        assert reg.get("XATN-2027-002").status(dt.date(2030, 5, 20)) == "expired"
    # a revoked certificate keeps its number when the round is rebuilt
    assert numbers(issue(db, [entry(2), entry(1)]))["人员1"] == "XATN-2027-001"


def test_activities_by_number_or_name(db: Path) -> None:
    issue(db, [entry(1, "王建国"), entry(2, "李秀兰")])
    with open_registry(db) as reg:
        act = reg.record_activity(dt.date(2027, 10, 12), "XATN-2027-001", ["张三", "李四"], "高压带电作业示范")
        assert act.mentor == "王建国" and act.apprentices == ("张三", "李四")
        reg.record_activity(dt.date(2027, 11, 2), "李秀兰", ["王五"], "焊接工艺讲解")
        assert [a.mentor for a in reg.activities()] == ["王建国", "李秀兰"]
        assert [a.content for a in reg.activities("王建国")] == ["高压带电作业示范"]
        with pytest.raises(RegistryError, match="没有"):
            reg.record_activity(TODAY, "无名氏", ["甲"], "内容")
        with pytest.raises(RegistryError, match="徒弟"):
            reg.record_activity(TODAY, "王建国", [" "], "内容")
    issue(db, [entry(3, "王建国")], year=2030)  # a namesake in a later round
    with open_registry(db) as reg, pytest.raises(RegistryError, match="证书编号"):
        reg.record_activity(TODAY, "王建国", ["甲"], "内容")


def test_export_xlsx_masks_id_numbers(db: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    issue(db, [entry(1, "王建国"), entry(2, "李秀兰")])
    with open_registry(db) as reg:
        reg.revoke("XATN-2027-002", "调离", TODAY)
        reg.record_activity(dt.date(2027, 10, 12), "王建国", ["张三"], "示范")
        target = tmp_path / "db.xlsx"
        when = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        registry.export_xlsx(reg, target, when, TODAY)
        wb = load_workbook(target)
        assert wb.sheetnames == ["证书", "人员", "传帮带活动", "届次"]
        certs = list(wb["证书"].iter_rows(values_only=True))
        assert certs[1][:5] == ("XATN-2027-001", 2027, 1, "001", "王建国")
        assert certs[2][12:15] == ("已撤销", "2027-05-20", "调离")
        persons = list(wb["人员"].iter_rows(values_only=True))
        assert persons[1][2] == registry.mask_id(entry(1).id_number) and "*" in str(persons[1][2])
        all_text = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row)
        assert entry(1).id_number not in all_text
        full = tmp_path / "full.xlsx"
        registry.export_xlsx(reg, full, when, TODAY, full_id=True)
        assert list(load_workbook(full)["人员"].iter_rows(values_only=True))[1][2] == entry(1).id_number


def test_registry_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main
    from tests.test_certificates import make_edition

    monkeypatch.setenv("XN_STATE", str(tmp_path / "state"))
    edition = str(make_edition(tmp_path / "ed", "demo = false"))
    assert main(["--edition", edition, "registry", "list"]) == 2
    assert "还不存在" in capsys.readouterr().err
    issue(registry.registry_path(False, "ed"), [entry(1, "王建国"), entry(2, "李秀兰")])
    assert main(["--edition", edition, "registry", "list", "--round", "2027"]) == 0
    out = capsys.readouterr().out
    assert "XATN-2027-001   王建国" in out and "共 2 张证书" in out
    assert main(["--edition", edition, "registry", "revoke", "XATN-2027-002", "--reason", "调离",
                 "--date", "2027年9月1日"]) == 0
    assert "已撤销证书 XATN-2027-002" in capsys.readouterr().out
    assert main(["--edition", edition, "registry", "revoke", "XATN-2027-002", "--reason", "again"]) == 1
    assert "不能重复撤销" in capsys.readouterr().err
    assert main(["--edition", edition, "registry", "list", "--status", "revoked"]) == 0
    assert "共 1 张证书" in capsys.readouterr().out
    assert main(["--edition", edition, "registry", "activity", "--mentor", "XATN-2027-001", "--date",
                 "2027-10-12", "--apprentices", "张三、李四", "--content", "带电作业示范"]) == 0
    assert main(["--edition", edition, "registry", "activities"]) == 0
    assert "徒弟：张三、李四" in capsys.readouterr().out
    assert main(["--edition", edition, "registry", "show", "XATN-2027-001"]) == 0
    assert "传帮带：2027-10-12" in capsys.readouterr().out
    out_file = tmp_path / "x.xlsx"
    assert main(["--edition", edition, "registry", "export", "--out", str(out_file)]) == 0
    assert out_file.is_file()
    assert main(["--edition", edition, "registry", "check"]) == 0
    assert "完好" in capsys.readouterr().out


# ---- concurrency and crashes --------------------------------------------------------------------


ISSUE_SCRIPT = textwrap.dedent("""
    import sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from pipeline.stages.certificates import issue_certificates
    from tests.test_certificates import context, make_awardees
    from pathlib import Path
    edition = Path({edition!r})
    issue_certificates(context(edition), make_awardees(edition, {names!r}))
""")


def _start_paused_issue(tmp_path: Path, edition: Path, names: list[str], pause_after: int) -> subprocess.Popen[bytes]:
    """A `make certificates` run in a child process that stops inside its registry transaction."""
    marker = tmp_path / "paused"
    env = dict(os.environ, XN_FAULT_ISSUE_PAUSE=str(pause_after), XN_FAULT_MARKER=str(marker))
    script = ISSUE_SCRIPT.format(root=str(PROJECT_ROOT), tests=str(PROJECT_ROOT / "tests"), edition=str(edition),
                                 names=names)
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "child ended")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError("child never reached the pause")
        time.sleep(0.05)
    return proc


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.slow
def test_killed_mid_issue_leaves_the_registry_consistent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.stages.certificates import issue_certificates
    from tests.test_certificates import NAMES, context, make_awardees, make_edition

    for name in ("state", "keys", "output"):
        monkeypatch.setenv(f"XN_{name.upper()}", str(tmp_path / name))
    monkeypatch.setenv("XN_REGISTRY_TIMEOUT", "0.5")
    edition = make_edition(tmp_path / "ed", "demo = true", "[certificates.blank]\nenabled = false")
    db = registry.registry_path(True, edition.name)
    issue(db, [])  # the registry exists; now two earlier certificates:
    first = issue_certificates(context(edition), make_awardees(edition, NAMES[:2]))
    assert [i.record.number for i in first.issued] == ["XATN-2027-001", "XATN-2027-002"]

    proc = _start_paused_issue(tmp_path, edition, list(NAMES), pause_after=2)  # 2 of 3 new ones written
    try:
        # a second writer meanwhile waits, then fails clearly
        with pytest.raises(RegistryBusyError, match="正被另一个程序使用") as info:
            issue(db, [entry(9)])
        assert "make certificates" in info.value.hint
        with open_registry(db) as reg:  # readers are not blocked and see only committed data
            assert len(reg.certificates()) == 2
    finally:
        _kill(proc)

    with open_registry(db) as reg:
        assert reg.integrity() == []
        assert [c.number for c in reg.certificates()] == ["XATN-2027-001", "XATN-2027-002"]
        assert reg.db.execute("SELECT COUNT(*) FROM awardees").fetchone()[0] == 2
        assert reg.db.execute("SELECT COUNT(*) FROM persons").fetchone()[0] == 2
    again = issue_certificates(context(edition), make_awardees(edition, NAMES))
    assert [i.record.number for i in again.issued] == [f"XATN-2027-{n:03d}" for n in range(1, 6)]
    with open_registry(db) as reg:
        assert reg.integrity() == []


def test_each_demo_edition_numbers_from_001_in_its_own_registry(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Two demo editions in one $XN_STATE (demo and stress) both start at 001; the real registry stays untouched."""
    from pipeline.stages.certificates import issue_certificates
    from tests.test_certificates import NAMES, context, make_awardees, make_edition

    monkeypatch.setenv("XN_STATE", str(tmp_path / "state"))
    numbers_by_edition = {}
    for name, people in (("demo", NAMES[:2]), ("stress", NAMES[2:4])):
        edition = make_edition(tmp_path / name, "demo = true", "[certificates.blank]\nenabled = false")
        result = issue_certificates(context(edition), make_awardees(edition, people))
        numbers_by_edition[name] = [i.record.number for i in result.issued]
    assert numbers_by_edition == {"demo": ["XATN-2027-001", "XATN-2027-002"],
                                  "stress": ["XATN-2027-001", "XATN-2027-002"]}
    assert sorted(p.name for p in (tmp_path / "state").glob("*.sqlite3")) == [
        "demo-demo-registry.sqlite3", "demo-stress-registry.sqlite3"]
    assert not registry.registry_path(False, "demo").exists()


# ---- one round, one edition folder ----------------------------------------------------------------


def test_another_edition_of_the_same_year_is_refused(db: Path) -> None:
    """A second edition folder of 2027 neither renames the first one's people nor numbers past the quota."""
    issue(db, [entry(1, "王建国")])  # edition folder "ed"
    with open_registry(db) as reg, pytest.raises(RegistryError) as info:
        reg.issue(2027, "2027年度", "ed-copy", [entry(1, "王建囯"), entry(2)], NUMBERING, TERM_2027, TODAY)
    assert info.value.exit_code == ExitCode.cannot_proceed
    assert "“ed”" in str(info.value) and "“ed-copy”" in str(info.value) and str(db) in str(info.value)
    assert 'registry_edition = "ed"' in info.value.hint
    with open_registry(db) as reg:
        assert [(c.number, c.name) for c in reg.certificates()] == [("XATN-2027-001", "王建国")]
        assert reg.rounds() == [(2027, "2027年度", "ed")]
        assert reg.db.execute("SELECT name FROM persons").fetchall() == [("王建国",)]


def test_an_edition_shares_a_round_only_when_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Two real editions of 2027 share state/registry.sqlite3: the copy is refused until it names the first."""
    from pipeline.certificates.settings import certificate_options
    from pipeline.cli import main
    from pipeline.core.edition import load_edition
    from pipeline.stages.certificates import issue_certificates
    from tests.test_certificates import NAMES, context, make_awardees, make_edition, skip_rendering

    for name in ("state", "keys", "output"):
        monkeypatch.setenv(f"XN_{name.upper()}", str(tmp_path / name))
    skip_rendering(monkeypatch)
    no_blank = "[certificates.blank]\nenabled = false"
    first = make_edition(tmp_path / "2027", "demo = false", no_blank)
    assert main(["--edition", str(first), "-q", "keys"]) == 0
    issue_certificates(context(first), make_awardees(first, NAMES[:1]))
    copy = make_edition(tmp_path / "2027-copy", "demo = false", no_blank)
    people = make_awardees(copy, ["王建囯", NAMES[1]])  # the first one's 王建国 (same ID), renamed, and a newcomer
    with pytest.raises(RegistryError) as info:
        issue_certificates(context(copy), people)
    assert info.value.exit_code == ExitCode.cannot_proceed and "“2027”" in str(info.value)
    db = registry.registry_path(False, "2027")
    with open_registry(db) as reg:
        assert [(c.number, c.name) for c in reg.certificates()] == [("XATN-2027-001", NAMES[0])]

    linked = make_edition(copy, 'demo = false\nregistry_edition = "2027"', no_blank)
    result = issue_certificates(context(linked), people)
    assert [i.record.number for i in result.issued] == ["XATN-2027-001", "XATN-2027-002"]
    with open_registry(db) as reg:
        assert reg.rounds() == [(2027, "大兴安岭地区2027年度“兴安技术能手”选树", "2027")]

    demo_copy = make_edition(tmp_path / "demo-copy", 'demo = true\nregistry_edition = "demo"', no_blank)
    assert certificate_options(load_edition(demo_copy)).registry == registry.registry_path(True, "demo")
    capsys.readouterr()
    assert main(["--edition", str(demo_copy), "registry", "list"]) == 2  # the linked demo registry, not its own
    assert str(registry.registry_path(True, "demo")) in capsys.readouterr().err


# ---- a full disk ------------------------------------------------------------------------------------


def _disk_full_after(monkeypatch: pytest.MonkeyPatch, pages: int | None) -> None:
    """Every new connection may grow the file to `pages` pages (None: its present size), then SQLite
    fails with SQLITE_FULL "database or disk is full" exactly as on a full disk (and rolls back itself)."""
    connect = sqlite3.connect

    def limited(*args: object, **kwargs: object) -> sqlite3.Connection:
        db = connect(*args, **kwargs)  # type: ignore[arg-type]
        size = pages if pages is not None else db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {max(1, size)}")
        return db

    monkeypatch.setattr(sqlite3, "connect", limited)


def test_new_registry_on_a_full_disk_says_so_and_leaves_nothing(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _disk_full_after(monkeypatch, 1)
    with pytest.raises(RegistryError) as info, open_registry(db):
        pass
    message = str(info.value)
    assert "磁盘空间不足" in message and str(db) in message and "database or disk is full" in message
    assert "损坏" not in message and info.value.exit_code == ExitCode.cannot_proceed
    assert not db.exists() and not db.parent.exists()


def test_revoke_on_a_full_disk_keeps_sqlites_first_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main
    from tests.test_certificates import make_edition

    monkeypatch.setenv("XN_STATE", str(tmp_path / "state"))
    edition = str(make_edition(tmp_path / "ed", "demo = false"))
    db = registry.registry_path(False, "ed")
    issue(db, [entry(1, "王建国"), entry(2, "李秀兰")])
    before = db.read_bytes()
    _disk_full_after(monkeypatch, None)
    assert main(["--edition", edition, "registry", "revoke", "XATN-2027-001", "--reason", "调离" * 3000]) == 2
    err = capsys.readouterr().err
    assert "磁盘空间不足" in err and str(db) in err and "database or disk is full" in err
    assert "cannot rollback" not in err and "内部错误" not in err
    assert db.read_bytes() == before and not Path(f"{db}-journal").exists()


FULL_DISK_SCRIPT = textwrap.dedent("""
    import json, os, subprocess, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from pathlib import Path
    mnt = Path({mnt!r})
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], check=True)
    os.environ["XN_STATE"] = str(mnt / "state")
    from pipeline.registry import store as registry
    from pipeline.cli import main
    from test_registry import entry, issue
    db = registry.registry_path(False, "ed")
    issue(db, [entry(1, "王建国"), entry(2, "李秀兰")])
    fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, bytes(512))
    except OSError:
        os.close(fd)
    before = db.read_bytes()
    rc = main(["--edition", {edition!r}, "registry", "revoke", "XATN-2027-001", "--reason", "调离" * 3000])
    out = {{"revoke": rc, "unchanged": db.read_bytes() == before}}
    new = mnt / "other" / "registry.sqlite3"
    try:
        with registry.open_registry(new):
            out["new"] = "created"
    except registry.RegistryError as exc:
        out["new"], out["new_exit"] = str(exc), int(exc.exit_code)
    out["left"] = sorted(p.name for p in mnt.iterdir())
    print(json.dumps(out, ensure_ascii=False))
""")


@pytest.mark.slow
def test_a_really_full_disk(tmp_path: Path) -> None:
    """The same on a real full file system: a 256 KB tmpfs in a private mount namespace (needs root)."""
    from tests.test_certificates import make_edition

    if os.geteuid() != 0 or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs root and unshare to mount a small tmpfs")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    edition = make_edition(tmp_path / "ed", "demo = false")
    script = FULL_DISK_SCRIPT.format(root=str(PROJECT_ROOT), tests=str(PROJECT_ROOT / "tests"), mnt=str(mnt),
                                     edition=str(edition))
    proc = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c", script],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["revoke"] == 2 and out["unchanged"]
    assert "磁盘空间不足" in proc.stderr and "database or disk is full" in proc.stderr
    assert "cannot rollback" not in proc.stderr
    assert "磁盘空间不足" in out["new"] and "损坏" not in out["new"] and out["new_exit"] == 2
    assert out["left"] == ["filler", "state"]  # no half-made registry, no folder made for it
