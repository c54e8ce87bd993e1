"""Stale results: a failed `make results` (初审, score sheets, 公示, media kit, packets) leaves nothing that
looks current, `certificates` never issues from results older than the score sheets, nor drops an
issued awardee silently, and says when the 公示 is older than the results it issues from.

The review round is the 10-nominee edition of test_scoring (5 experts, 5 selected, no PDF rendering);
certificates are issued without typesetting (numbers and the registry are what matters here).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.cli import main
from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.core.errors import DiskFullError, ExitCode, RenderError, disk_full
from pipeline.packets.job import PacketJob
from pipeline.packets.manifest import Manifest, OutputRecord
from pipeline.packets.worker import PacketOutcome
from pipeline.registry.store import open_registry, registry_path
from pipeline.review.problems import ReviewError
from pipeline.review.sheets import FIRST_ROW
from pipeline.stages import packets, publicity, results, shortlist
from pipeline.stages.awardees import awardees_path
from pipeline.stages.preflight import stale_notice
from pipeline.stages.results import build_results
from pipeline.stages.shortlist import preliminary_path
from tests.packet_fixtures import FakeCheck, add_nominee, make_candidate, nominee_for, write_edition
from tests.review_fixtures import CAL_2027, fill_preliminary, shortlist_edition, skip_pdfs
from tests.test_certificates import skip_rendering
from tests.test_scoring import EXPERTS, distinct, edit, returned, sheet_of


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunContext:
    """10 nominees, all shortlisted, sheets returned by all 5 experts; `certificates` sees the same check."""
    skip_pdfs(monkeypatch)
    skip_rendering(monkeypatch)
    ctx = shortlist_edition(tmp_path, monkeypatch, 10, 10)
    from pipeline.stages import shortlist

    check = shortlist.run_check(ctx)  # the fake check result the review stages see
    monkeypatch.setattr("pipeline.stages.check.run_check", lambda _ctx: check)
    returned(ctx, distinct)
    return ctx


def run(ctx: RunContext, *args: str) -> int:
    """`make <args>` on the edition."""
    return main(["--edition", str(ctx.edition.path), *args])


def outputs(ctx: RunContext) -> list[Path]:
    """awardees.json, 评审结果.pdf and 评审结果.xlsx."""
    folder = ctx.output / "results"
    return [awardees_path(ctx), folder / "评审结果.pdf", folder / "评审结果.xlsx"]


def issued(ctx: RunContext) -> dict[str, tuple[str, str]]:
    """编号 → (certificate number, status) in the edition's registry."""
    with open_registry(registry_path(True, ctx.edition.name)) as reg:
        return {c.code: (c.number, "revoked" if c.revoked_on else "valid") for c in reg.certificates()}


def test_a_failed_results_run_removes_the_old_results(ctx: RunContext, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    build_results(ctx)
    assert all(p.is_file() for p in outputs(ctx))
    edit(sheet_of(ctx, "王立军"), G5=150)  # a bad sheet
    assert run(ctx, "results") == 2
    err = capsys.readouterr().err
    assert "单元格 G5" in err and "已删除上次的" in err and "评审结果.pdf" in err
    assert [p for p in outputs(ctx) if p.exists()] == []

    edit(sheet_of(ctx, "王立军"), G5=90)
    build_results(ctx)
    edit(sheet_of(ctx, "王立军"), G5=60)

    def broken(*args: object, **kwargs: object) -> int:
        raise RenderError("排版引擎出错")

    monkeypatch.setattr(results, "html_to_pdf", broken)  # fails after the new awardees.json is written
    with pytest.raises(RenderError):
        build_results(ctx)
    assert [p for p in outputs(ctx) if p.exists()] == []
    with pytest.raises(ReviewError):  # a later run meets the bad sheet again: still nothing stale
        edit(sheet_of(ctx, "王立军"), G5="八十")
        build_results(ctx)
    assert [p for p in outputs(ctx) if p.exists()] == []


def test_certificates_refuse_results_older_than_the_score_sheets(ctx: RunContext,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ctx, "results") == 0
    edit(sheet_of(ctx, "陈淑华"), G6=60)  # a score corrected after `make results`
    capsys.readouterr()
    assert run(ctx, "certificates") == 2
    err = capsys.readouterr().err
    assert "评审结果已过期" in err and "评分表 review/scores/评分表-陈淑华.xlsx有改动" in err and "make results" in err
    assert not (ctx.output / "certificates").exists()
    assert not registry_path(True, ctx.edition.name).exists()

    (ctx.edition.review_dir / "scores" / "评分表-陈淑华.xlsx").unlink()  # a failed results run …
    assert run(ctx, "results") == 2
    assert run(ctx, "certificates") == 2  # … leaves nothing to issue from
    assert "还没有评审结果" in capsys.readouterr().err
    returned(ctx, distinct)
    assert run(ctx, "results") == 0
    assert run(ctx, "certificates") == 0
    assert sorted(issued(ctx)) == ["N01", "N02", "N03", "N04", "N05"]


def test_an_awardee_dropped_after_issuing_is_revoked_or_confirmed(ctx: RunContext, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ctx, "results") == 0
    assert run(ctx, "certificates") == 0
    before = issued(ctx)
    number = before["N05"][0]
    for expert in EXPERTS:  # the scores change: N06 rises to the top, N05 drops out
        edit(sheet_of(ctx, expert), **{f"{c}{FIRST_ROW + 5}": 100 for c in "GHI"})
    assert run(ctx, "results") == 0
    capsys.readouterr()
    assert run(ctx, "certificates") == 2
    err = capsys.readouterr().err
    name = next(n.candidate.name for n in results.build_results(ctx).check.nominees if n.candidate.code == "N05")
    assert f"{number}（N05 {name}）" in err and "已不在拟表彰人选名单" in err and "仍然有效" in err
    assert f"make registry EDITION={ctx.edition.path} ARGS=\"revoke {number} --reason" in err
    assert f'keep_valid = ["{number}"]' in err
    assert issued(ctx) == before  # no number for the newcomer while the question is open

    confirmed = tmp_path / "confirmed-state"
    shutil.copytree(registry_path(True, ctx.edition.name).parent, confirmed)

    # revoke, as the message says
    assert run(ctx, "registry", "revoke", number, "--reason", "评审结果复核后未入选") == 0
    assert run(ctx, "certificates") == 0
    after = issued(ctx)
    assert after["N05"] == (number, "revoked") and after["N06"][1] == "valid" and len(after) == 6

    # or confirm: the certificate stays valid because the office says so
    monkeypatch.setenv("XN_STATE", str(confirmed))
    toml = ctx.edition.path / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "[certificates]\n", f'[certificates]\nkeep_valid = ["{number}"]\n', 1), encoding="utf-8")
    assert run(ctx, "certificates") == 0
    kept = issued(ctx)
    assert kept["N05"] == (number, "valid") and kept["N06"][1] == "valid"


# ---- the 公示 and the media kit --------------------------------------------------------------------


def fake_media_kit(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The media kit writes one ZIP into output/<edition>/media/; append a reason to the list to make it fail."""
    failing: list[str] = []

    def kit(ctx: RunContext, check: object, awardees: object) -> ExitCode:
        if failing:
            raise RenderError(failing[-1])
        (ctx.output / "media").mkdir(parents=True, exist_ok=True)
        (ctx.output / "media" / "新媒体-图文稿.zip").write_bytes(b"PK")
        return ExitCode.ok

    monkeypatch.setattr(publicity, "_media_kit", kit)
    return failing


def notice_files(ctx: RunContext) -> list[Path]:
    """公示.pdf, .docx and .html."""
    return [ctx.output / "publicity" / name for name in ("公示.pdf", "公示.docx", "公示.html")]


def test_a_failed_publicity_run_removes_the_old_notice_and_media_kit(ctx: RunContext, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (ctx.edition.path / "calendar.toml").write_text(CAL_2027, encoding="utf-8")
    failing = fake_media_kit(monkeypatch)
    kit = ctx.output / "media" / "新媒体-图文稿.zip"
    assert run(ctx, "publicity") == 0
    assert all(p.is_file() for p in [*notice_files(ctx), kit])

    edit(sheet_of(ctx, "王立军"), G5=150)  # no results: no 公示, no media kit
    capsys.readouterr()
    assert run(ctx, "publicity") == 2
    err = capsys.readouterr().err
    assert "公示未能生成：已删除上次的 publicity/公示.pdf、publicity/公示.docx、publicity/公示.html" in err, err
    assert "媒体宣传稿件未能生成：已删除上次的 media/（整个文件夹）" in err and "单元格 G5" in err
    assert [p for p in [*notice_files(ctx), kit] if p.exists()] == []

    edit(sheet_of(ctx, "王立军"), G5=90)
    assert run(ctx, "publicity") == 0
    failing.append("特刊排版失败")  # the kit alone fails: the new 公示 stays, the old kit goes
    assert run(ctx, "publicity") == ExitCode.findings
    assert "特刊排版失败" in capsys.readouterr().err
    assert all(p.is_file() for p in notice_files(ctx)) and not (ctx.output / "media").exists()


def test_certificates_and_preflight_say_when_the_notice_is_older_than_the_results(
        ctx: RunContext, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    calendar = ctx.edition.path / "calendar.toml"
    calendar.write_text(CAL_2027, encoding="utf-8")
    fake_media_kit(monkeypatch)
    roster = SimpleNamespace(candidates=[n.candidate for n in shortlist.run_check(ctx).nominees])
    monkeypatch.setattr("pipeline.rules.roster.read_roster", lambda _path: roster)  # the roster the fake check read
    assert run(ctx, "publicity") == 0
    assert stale_notice(ctx) == []
    for expert in EXPERTS:  # the scores change after the 公示: N06 rises to the top, N05 drops out
        edit(sheet_of(ctx, expert), **{f"{c}{FIRST_ROW + 5}": 100 for c in "GHI"})
    assert run(ctx, "results") == 0
    assert run(ctx, "preflight") == ExitCode.findings
    report = json.loads((ctx.output / "preflight.json").read_text(encoding="utf-8"))
    stale = [f for f in report["findings"] if f["code"] == "PF_STALE_NOTICE"]
    assert [f["file"] for f in stale] == ["publicity/公示.pdf"] and "公示已过期" in stale[0]["message"]
    capsys.readouterr()
    assert run(ctx, "certificates") == 0  # issued from the current results, with a warning
    err = capsys.readouterr().err
    assert f"提示：公示已过期：{ctx.output / 'publicity'} 中的 公示.pdf、公示.docx、公示.html" in err, err
    assert "拟表彰人选（results/awardees.json 中的人选，及其在名册中的姓名、性别、工作单位及职务、职业）有改动" in err
    assert "make publicity" in err
    assert "N06" in issued(ctx) and "N05" not in issued(ctx)

    calendar.unlink()  # the 公示 cannot be made: it is removed, and certificates say there is none
    assert run(ctx, "publicity") == 2
    calendar.write_text(CAL_2027, encoding="utf-8")
    capsys.readouterr()
    assert run(ctx, "certificates") == 0
    assert f"提示：还没有生成公示（{notice_files(ctx)[0]}）" in capsys.readouterr().err

    assert run(ctx, "publicity") == 0
    capsys.readouterr()
    assert run(ctx, "certificates") == 0
    err = capsys.readouterr().err
    assert "公示已过期" not in err and "还没有生成公示" not in err and "可能已过期" not in err, err
    assert stale_notice(ctx) == []


# ---- 初审 and the blank score sheets ---------------------------------------------------------------


def test_a_failed_shortlist_or_scoresheets_run_removes_the_old_lists_and_sheets(
        ctx: RunContext, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ctx, "scoresheets") == 0
    lists = [ctx.output / "shortlist" / n for n in ("提名人选名单.pdf", "提名人选名单.xlsx", "shortlist.json")]
    sheets = sorted((ctx.output / "scoresheets").glob("评分表-*.xlsx"))
    assert all(p.is_file() for p in lists) and len(sheets) == len(EXPERTS)

    prelim = preliminary_path(ctx)
    answered = prelim.read_bytes()
    fill_preliminary(prelim, lambda code, status: "待定" if code == "N03" else None)  # not 通过 / 不通过
    capsys.readouterr()
    assert run(ctx, "scoresheets") == 2
    err = capsys.readouterr().err
    assert ("提名人选名单未能生成：已删除上次的 shortlist/提名人选名单.pdf、shortlist/提名人选名单.xlsx、"
            "shortlist/shortlist.json") in err, err
    assert "专家评分表未能生成：已删除上次的 scoresheets/评分表-" in err and "初审.xlsx" in err
    assert [p for p in [*lists, *sheets] if p.exists()] == []

    prelim.write_bytes(answered)
    assert run(ctx, "scoresheets") == 0
    toml = ctx.edition.path / "edition.toml"  # an expert named twice: the 初审 list stands, no sheet goes out
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('"王立军"', '"陈淑华"', 1), encoding="utf-8")
    capsys.readouterr()
    assert run(ctx, "scoresheets") == 2
    err = capsys.readouterr().err
    assert "重名：陈淑华" in err and "专家评分表未能生成" in err
    assert all(p.is_file() for p in lists) and not [p for p in sheets if p.exists()]


# ---- packets ---------------------------------------------------------------------------------------


def test_a_packets_run_that_stops_removes_the_old_packets_it_had_yet_to_rebuild(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A full disk (or Ctrl-C) at the second of three packets: the third nominee's old packet, made with
    other settings, must not stay in packets/ looking current, nor the print list; the first, just
    rebuilt, stays and is not made again."""
    edition = write_edition(tmp_path / "ed", print_dpi=300)
    people = [make_candidate("P001", "潘一"), make_candidate("P002", "潘二", row=3), make_candidate("P003", "潘三", row=4)]
    for c in people:
        add_nominee(edition, c, deeds_paragraphs=4)
    check = FakeCheck(tuple(nominee_for(edition, c) for c in people))
    full: list[str] = []

    def build(job: PacketJob, fonts: object) -> PacketOutcome:  # binding stands in: the stage is under test
        c = job.candidate
        if c.code in full:  # as the worker does on a full disk
            for path in job.paths.all():
                path.unlink(missing_ok=True)
            raise disk_full(job.paths.print_pdf)
        for path in job.paths.all():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(job.fingerprint.encode())
        records = tuple(OutputRecord(str(p), len(job.fingerprint), "") for p in job.paths.all())
        return PacketOutcome(c.code, c.name, Manifest(c.code, c.name, job.fingerprint, 1, 150, True, records), None, 0)

    monkeypatch.setattr(packets, "build_packet", build)
    first = packets.run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    old = {info.code: (info.print_pdf, info.email_pdf, info.docx) for info in first.packets}
    assert len(old) == 3 and all(p.is_file() for ps in old.values() for p in ps) and first.print_list is not None

    write_edition(tmp_path / "ed", print_dpi=200)  # every packet is to be rebuilt
    full.append("P002")
    capsys.readouterr()
    with pytest.raises(DiskFullError):
        packets.run_packets(RunContext(load_edition(edition), quiet=False, jobs=1), check)
    err = capsys.readouterr().err
    assert "申报材料未能生成：已删除上次的 packets/P003-潘三-申报材料.pdf、packets/email/P003-潘三-申报材料.pdf、" \
           "packets/docx/P003-潘三-申报审批表.docx、packets/打印清单.xlsx" in err, err
    assert [p for p in [*old["P002"], *old["P003"], first.print_list] if p.exists()] == []
    assert all(p.is_file() for p in old["P001"])

    full.clear()  # the next run makes the two that are missing, not the one already rebuilt
    again = packets.run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), check)
    assert [i.code for i in again.built] == ["P002", "P003"] and [i.code for i in again.unchanged] == ["P001"]
    assert again.print_list is not None and again.print_list.is_file()
