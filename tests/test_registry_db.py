"""The 兴安技术能手数据库 (§四(四), §四(五)2): earlier rounds and 传帮带 imported from XLSX (strict, all or
nothing, idempotent), terms, the 动态管理报告 and backup/restore — through `make registry ARGS="…"`'s command."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from pipeline import cli
from pipeline.core import atomic, model
from pipeline.core.edition import PROJECT_ROOT
from pipeline.registry import store as registry
from pipeline.registry.importer import ACTIVITY_COLUMNS, PAST_COLUMNS
from tests.conftest import make_id

DEMO = PROJECT_ROOT / "input" / "demo"
PAST = DEMO / "registry" / "2024年度兴安技术能手名单.xlsx"
ACTS = DEMO / "registry" / "2025年度传帮带活动登记表.xlsx"
TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty state and output folders; today fixed."""
    monkeypatch.setenv("XN_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("XN_OUTPUT", str(tmp_path / "out"))
    monkeypatch.setattr(model, "today", lambda: TODAY)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """`make registry ARGS="…"` in this process → (exit code, stdout + stderr)."""
    code = cli.main(["--edition", str(DEMO), "-q", "registry", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def db_path() -> Path:
    """The demo edition's registry file."""
    from pipeline.certificates.settings import certificate_options
    from pipeline.core.edition import load_edition

    return certificate_options(load_edition(DEMO)).registry


def counts() -> tuple[int, int, int, int]:
    """(rounds, certificates, activities, events) in the registry."""
    with sqlite3.connect(db_path()) as db:
        return tuple(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
                     for t in ("rounds", "certificates", "activities", "events"))


def write_sheet(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    """An import file: header row, then rows."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


PAST_HEADERS = [c.name for c in PAST_COLUMNS]
ACT_HEADERS = [c.name for c in ACTIVITY_COLUMNS]


def past_row(name: str, id_number: str, sex: str = "男", unit: str = "示例公司 技师", day: object = "2023-05-10",
             number: str = "") -> list[Any]:
    """One row of an earlier round's list."""
    return ["", name, sex, id_number, unit, "电工", "示例局", "兴人才〔2023〕3号", day, number]


# ---- templates ------------------------------------------------------------------------------------


def test_templates_have_columns_validation_input_messages_and_a_marked_example(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "template-import")[0] == 0
    assert run(capsys, "template-activities")[0] == 0
    past = load_workbook(env / "out" / "registry" / "往届名单模板.xlsx")
    ws = past.worksheets[0]
    assert [c.value for c in ws[1]][:10] == ["序号", "姓名", "性别", "身份证号码", "工作单位及职务", "职业（工种）",
                                             "推荐单位", "表彰文号", "表彰日期", "证书编号"]
    assert ws["A2"].value == "示例"
    rules = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert rules["C2"].formula1 == '"男,女"' and rules["D2"].type == "textLength"
    assert "任期三年" in rules["I2"].prompt and rules["I2"].type == "date"
    assert "填写说明" in past.sheetnames
    acts = load_workbook(env / "out" / "registry" / "传帮带活动登记模板.xlsx").worksheets[0]
    assert [c.value for c in acts[1]][:4] == ["序号", "证书编号", "姓名", "日期"]
    assert acts["A2"].value == "示例"


# ---- importing an earlier round --------------------------------------------------------------------


def test_demo_round_imports_once_and_again_changes_nothing(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "import", "2024", str(PAST))
    assert code == 0, out
    assert "导入2024年度兴安技术能手 6 条" in out
    with registry.open_registry(db_path(), create=False) as reg:
        certs = reg.certificates(2024)
    assert [c.number for c in certs] == [f"XATN-2024-{i:03d}" for i in range(1, 7)]
    assert {(c.term_start, c.term_end) for c in certs} == {(dt.date(2024, 6, 18), dt.date(2027, 6, 17))}
    assert certs[0].decision == "兴人才〔2024〕7号" and certs[0].recommender == "地区示范能源局"
    before = counts()
    code, out = run(capsys, "import", "2024", str(PAST))
    assert code == 0 and "已在数据库中 6 条" in out and "赵振华：已登记为 2024 年度兴安技术能手" in out
    assert counts() == before


def test_import_with_errors_writes_nothing_and_lists_every_row(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = make_id("19800115", seq="41")
    bad_check = make_id("19800115", seq="42")[:-1] + ("0" if make_id("19800115", seq="42")[-1] != "0" else "1")
    path = write_sheet(env / "2023.xlsx", PAST_HEADERS, [
        past_row("甲一", good),
        past_row("乙二", bad_check),
        past_row("丙三", make_id("19810203", seq="43"), sex="女"),        # the ID says male
        past_row("丁四", make_id("19820304", seq="44"), day="2023-13-40"),
        past_row("戊五", good),                                           # same person twice
        past_row("己六", make_id("19830405", seq="45"), unit=""),
        ["示例", "示例人", "男", "1", "", "", "", "", "", ""],               # the template's example: skipped
    ])
    code, out = run(capsys, "import", "2023", str(path))
    assert code == 1
    assert "整份文件未导入" in out
    for expected in ("第3行（乙二）“身份证号码”", "校验位应为", "第4行（丙三）“性别”（填的是“女”）", "第5行（丁四）“表彰日期”（填的是“2023-13-40”）",
                     "第6行（戊五）“身份证号码”", "与第2行重复", "第7行（己六）“工作单位及职务”：未填写"):
        assert expected in out, expected
    assert "示例人" not in out
    assert not db_path().exists() or counts()[1] == 0


def test_import_reports_a_person_already_registered_with_other_data(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "import", "2024", str(PAST))[0] == 0
    before = counts()
    wb = load_workbook(PAST)
    ws = wb.worksheets[0]
    ws["E3"] = "另一家公司 工人"          # 赵振华's unit
    changed = env / "changed.xlsx"
    wb.save(changed)
    code, out = run(capsys, "import", "2024", str(changed))
    assert code == 1
    assert "赵振华已登记为 2024 年度兴安技术能手（证书编号 XATN-2024-001）" in out
    assert "工作单位及职务“大兴安岭示范电力公司 高级技师”（本表“另一家公司 工人”）" in out
    assert counts() == before
    clash = write_sheet(env / "2023.xlsx", PAST_HEADERS, [
        past_row("新人", make_id("19900101", seq="47"), number="XATN-2024-002"),   # a number someone else has
        past_row("新人二", make_id("19900101", seq="48"))])
    code, out = run(capsys, "import", "2023", str(clash))
    assert code == 1
    assert "第2行（新人）“证书编号”（填的是“XATN-2024-002”）：该编号已是 2024 年度“钱秀梅”的证书编号" in out
    assert counts() == before


# ---- terms and 传帮带 --------------------------------------------------------------------------------


def test_terms_show_in_term_expired_and_revoked(env: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(capsys, "import", "2024", str(PAST))[0] == 0
    assert run(capsys, "revoke", "XATN-2024-006", "--reason", "测试", "--date", "2025-01-05")[0] == 0
    code, out = run(capsys, "terms")
    assert code == 0 and "XATN-2024-001   赵振华      2024  2024-06-18  2027-06-17  在期" in out
    assert "XATN-2024-006   吴桂兰      2024  2024-06-18  2027-06-17  已撤销" in out
    monkeypatch.setattr(model, "today", lambda: dt.date(2027, 7, 1))
    code, out = run(capsys, "terms", "--year", "2027")
    assert "赵振华      2024  2024-06-18  2027-06-17  期满" in out
    assert "任期在 2027 年届满的证书共 6 张（截至 2027-07-01：在期 0 人，期满 5 人，已撤销 1 人）" in out
    assert "共 0 张" in run(capsys, "terms", "--year", "2030")[1]


def test_activities_import_is_strict_all_or_nothing_and_idempotent(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "import", "2024", str(PAST))[0] == 0
    bad = write_sheet(env / "bad.xlsx", ACT_HEADERS, [
        ["", "XATN-2024-001", "赵振华", "2025-03-01", "带电作业", 2, "张三、李四", 8, ""],     # fine
        ["", "XATN-2099-001", "赵振华", "2025-03-01", "带电作业", 1, "", 8, ""],             # unknown number
        ["", "XATN-2024-002", "赵振华", "2025-03-01", "制剂", 1, "", 8, ""],                 # not 钱秀梅
        ["", "XATN-2024-003", "孙立新", "2025-03-01", "课程", 3, "甲、乙", 8, ""],            # 3 ≠ 2 names
        ["", "XATN-2024-003", "孙立新", "2024-01-01", "课程", 3, "", 8, ""],                 # before the term
        ["", "XATN-2024-003", "孙立新", "2025-04-01", "课程", "", "", "", ""],               # nothing to count
    ])
    code, out = run(capsys, "import-activities", str(bad))
    assert code == 1 and "整份文件未导入" in out
    for expected in ("第3行（赵振华）“证书编号”（填的是“XATN-2099-001”）：数据库中没有这个证书编号",
                     "第4行（赵振华）“姓名”（填的是“赵振华”）：证书 XATN-2024-002 的持有人是“钱秀梅”",
                     "第5行（孙立新）“带徒人数”（填的是“3”）：与所列徒弟（学员）姓名的个数（2人）不符",
                     "第6行（孙立新）“日期”（填的是“2024-01-01”）：早于孙立新的任期开始日 2024-06-18",
                     "第7行（孙立新）“带徒人数”：带徒人数、徒弟（学员）姓名、学时都未填写"):
        assert expected in out, expected
    assert counts()[2] == 0
    code, out = run(capsys, "import-activities", str(ACTS))
    assert code == 0 and "导入传帮带活动 6 条" in out
    code, out = run(capsys, "import-activities", str(ACTS))
    assert code == 0 and "导入传帮带活动 0 条，已在数据库中 6 条" in out
    with registry.open_registry(db_path(), create=False) as reg:
        acts = reg.activities("XATN-2024-005")
    assert [(a.apprentice_count, a.hours) for a in acts] == [(3, 60.0), (50, 4.0)]
    assert acts[0].apprentices == ("马建军", "高志远", "陈国庆") and acts[0].results == "3人取得焊工技师证书"


# ---- the report -------------------------------------------------------------------------------------


def test_report_pdf_and_xlsx_show_terms_totals_and_the_recommendation_list(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "import", "2024", str(PAST))[0] == 0
    assert run(capsys, "import-activities", str(ACTS))[0] == 0
    assert run(capsys, "revoke", "XATN-2024-001", "--reason", "测试", "--date", "2025-12-01")[0] == 0
    code, out = run(capsys, "report", "--year", "2025")
    assert code == 0, out
    folder = env / "out" / "demo" / "registry"
    text = subprocess.run(["pdftotext", "-layout", str(folder / "动态管理报告-2025.pdf"), "-"],
                          capture_output=True, check=True, text=True).stdout
    assert "兴安技术能手动态管理报告（2025年）" in text and "龙江技术能手、龙江工匠优先推荐人选" in text
    assert "232701********3519" in text  # 周德胜, masked
    with sqlite3.connect(db_path()) as db:
        ids = [r[0] for r in db.execute("SELECT id_number FROM persons")]
    assert ids and not any(i in text for i in ids)
    wb = load_workbook(folder / "动态管理报告-2025.xlsx")
    assert wb.sheetnames == ["在期人员", "任期届满", "传帮带（个人）", "传帮带（单位）", "优先推荐名单"]
    ws = wb["优先推荐名单"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4) if r[0].value is not None]
    names = [r[1] for r in rows]
    assert names == ["周德胜", "钱秀梅", "孙立新"]  # most hours first; 赵振华 revoked, the others without 传帮带
    assert rows[0][3] == "232701********3519" and rows[0][5] == "XATN-2024-005"
    assert rows[0][10:13] == [2, 53, 64]
    person = {r[1].value: [c.value for c in r] for r in wb["传帮带（个人）"].iter_rows(min_row=4) if r[1].value}
    assert person["赵振华"][4:7] == [2, 37, 24]
    status = {r[1].value: r[9].value for r in wb["在期人员"].iter_rows(min_row=4) if r[1].value}
    assert status["赵振华"] == "已撤销" and status["周德胜"] == "在期"


# ---- backup and restore -----------------------------------------------------------------------------


def test_backup_while_another_connection_writes_then_restore_round_trip(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "import", "2024", str(PAST))[0] == 0
    path = db_path()
    stop = threading.Event()

    def writer() -> None:  # pairs of events in one transaction each: a consistent copy holds an even count
        with sqlite3.connect(path, timeout=30, isolation_level=None) as db:
            db.execute("PRAGMA synchronous = OFF")
            while not stop.is_set():
                time.sleep(0.002)
                db.execute("BEGIN IMMEDIATE")
                for _ in range(2):
                    db.execute("INSERT INTO events(at, kind, detail) VALUES ('2026-01-01T00:00:00Z', 'test', 'x')")
                db.execute("COMMIT")

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        backups = []
        for i in range(2):
            target = env / f"b{i}.sqlite3"
            code, out = run(capsys, "backup", "--out", str(target))
            assert code == 0, out
            backups.append(target)
    finally:
        stop.set()
        thread.join()
    for target in backups:
        with sqlite3.connect(target) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("SELECT COUNT(*) FROM events WHERE kind = 'test'").fetchone()[0] % 2 == 0
        assert Path(f"{target}.sha256").read_text().split() == [atomic.sha256_file(target), target.name]
    good = backups[-1]
    # a newer registry is kept unless --force
    assert run(capsys, "revoke", "XATN-2024-002", "--reason", "测试", "--date", "2026-02-01")[0] == 0
    code, out = run(capsys, "restore", str(good))
    assert code == 1 and "当前证书数据库比备份新" in out and "--force" in out
    # a damaged checksum is refused
    broken = env / "broken.sqlite3"
    broken.write_bytes(good.read_bytes())
    Path(f"{broken}.sha256").write_text("0" * 64 + "  broken.sqlite3\n")
    code, out = run(capsys, "restore", str(broken), "--force")
    assert code == 1 and "校验和不符" in out
    code, out = run(capsys, "restore", str(good), "--force")
    assert code == 0, out
    aside = list((path.parent / "backups").glob("*恢复前*.sqlite3"))
    assert len(aside) == 1
    with registry.open_registry(path, create=False) as reg:
        assert reg.get("XATN-2024-002").revoked_on is None
        assert reg.integrity() == []
    with registry.open_registry(aside[0], create=False) as old:
        assert old.get("XATN-2024-002").revoked_on == dt.date(2026, 2, 1)


def test_a_round_issued_by_the_pipeline_is_not_imported(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entry = registry.IssueEntry(make_id("19800115", seq="51"), "本届人", "男", "001", "单位", "电工", 1)
    with registry.open_registry(db_path()) as reg:
        reg.issue(2025, "2025年度", "demo", [entry], registry.Numbering("XATN", "{prefix}-{year}-{seq:03d}"),
                  (dt.date(2025, 5, 20), dt.date(2028, 5, 19)), TODAY)
    path = write_sheet(env / "2025.xlsx", PAST_HEADERS, [past_row("甲一", make_id("19800115", seq="52"), day="2025-05-20")])
    code, out = run(capsys, "import", "2025", str(path))
    assert code == 1 and "2025 年度的证书是本程序颁发的（届次文件夹“demo”），不能再从表格导入" in out
    assert counts()[1] == 1


def test_recommendation_settings_are_range_checked() -> None:
    import dataclasses

    from pipeline.core.edition import load_edition
    from pipeline.core.errors import EditionConfigError
    from pipeline.registry.report import report_settings

    edition = load_edition(DEMO)
    assert report_settings(edition).recommend_min_activities == 1
    bad = dataclasses.replace(edition, raw={**edition.raw, "registry": {"recommend_min_activities": -1}})
    with pytest.raises(EditionConfigError, match="recommend_min_activities"):
        report_settings(bad)
    hours = dataclasses.replace(edition, raw={**edition.raw, "registry": {"recommend_min_hours": 20}})
    assert report_settings(hours).recommend_min_hours == 20
