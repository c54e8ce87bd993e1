"""Stale results: a failed `make results` leaves nothing that looks current, and `certificates` never
issues from results older than the score sheets, nor drops an issued awardee silently.

The review round is the 10-nominee edition of test_scoring (5 experts, 5 selected, no PDF rendering);
certificates are issued without typesetting (numbers and the registry are what matters here).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.awardees import awardees_path
from pipeline.cli import main
from pipeline.context import RunContext
from pipeline.errors import RenderError
from pipeline.registry import open_registry, registry_path
from pipeline.review.problems import ReviewError
from pipeline.review.sheets import FIRST_ROW
from pipeline.stages import results
from pipeline.stages.results import build_results
from tests.review_fixtures import shortlist_edition, skip_pdfs
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
