"""专家评分表：为 edition.toml 中的每位专家生成一份受保护的空白评分表（XLSX）。

Blank expert score sheets: one protected XLSX per expert named in edition.toml.

Stage `scoresheets`: shortlist + [review] experts and criteria → output/<edition>/scoresheets/
评分表-<专家>.xlsx. Each sheet lists the shortlisted nominees (编号, 姓名, 工作单位及职务,
职业（工种）, a one-line summary), the criteria with their maximums and weights, score cells with
data validation (the only unlocked cells), a formula for the weighted total, and A4 landscape
print set-up with the round and expert in the header and a signature line. The office sends
them out; the experts' filled copies go into `<edition>/review/scores/` for `make results`.
"""

from __future__ import annotations

import argparse
from contextlib import AbstractContextManager
from pathlib import Path

from pipeline.core.context import RunContext
from pipeline.core.errors import EditionConfigError, ExitCode
from pipeline.core.safepath import child
from pipeline.core.stamps import replacing
from pipeline.review.render import Manifest, fingerprint
from pipeline.review.sheets import SheetRow, SheetSpec, one_line, sheet_filename, write_score_sheet
from pipeline.rules.workdays import cn_date
from pipeline.stages.shortlist import Shortlist, build_shortlist


def check_experts(ctx: RunContext) -> tuple[str, ...]:
    """The experts of edition.toml; EditionConfigError when none or one twice."""
    experts = tuple(e.strip() for e in ctx.edition.review.experts)
    source = str(ctx.edition.path / "edition.toml")
    if not experts or not all(experts):
        raise EditionConfigError("edition.toml 的 [review] experts 中没有专家姓名（或有空名字）",
                                 hint='填写专家名单，如 experts = ["王立军", "陈淑华", …]', file=source)
    twice = sorted({e for e in experts if experts.count(e) > 1})
    if twice:
        raise EditionConfigError(f"edition.toml 的 [review] experts 中有重名：{'、'.join(twice)}",
                                 hint="同名专家请加以区分，如“王立军（林业）”", file=source)
    return experts


def sheet_specs(ctx: RunContext, shortlist: Shortlist) -> list[SheetSpec]:
    """One SheetSpec per expert of the edition, listing the shortlist."""
    edition = ctx.edition
    phase = edition.phases.get("expert_review")
    period = f"{cn_date(phase.start)}至{cn_date(phase.end)}" if phase else ""
    rows = tuple(SheetRow(n.candidate.code, n.candidate.name, n.candidate.unit_and_post,
                          n.candidate.occupation, one_line(n.candidate.summary))
                 for n in shortlist.nominees)
    return [SheetSpec(edition.round.title, edition.round.year, edition.name, expert,
                      edition.review.criteria, rows, period)
            for expert in check_experts(ctx)]


def replacing_sheets(ctx: RunContext) -> AbstractContextManager[None]:
    """A block that rebuilds the blank sheets: if it fails, every old 评分表-*.xlsx is removed (pipeline.core.stamps)."""
    folder = ctx.output / "scoresheets"
    return replacing(ctx, "专家评分表", lambda: sorted(folder.glob("评分表-*.xlsx")))


def build_scoresheets(ctx: RunContext, shortlist: Shortlist | None = None) -> list[Path]:
    """Shortlist → the blank score sheets (unchanged ones are not rewritten).

    Any failure (初审, experts or a sheet that cannot be written) removes every old blank sheet
    (pipeline.core.stamps.replacing): none goes out listing an outdated shortlist or expert.
    """
    folder = ctx.output / "scoresheets"
    with replacing_sheets(ctx):
        shortlist = shortlist if shortlist is not None else build_shortlist(ctx)
        paths = []
        for spec in sheet_specs(ctx, shortlist):
            target = child(folder, sheet_filename(spec.expert))
            manifest = Manifest(ctx, f"scoresheet-{target.stem}")
            key = fingerprint(spec, str(ctx.source_date))
            if not manifest.current(key, [target]):
                write_score_sheet(spec, target, ctx.source_date)
                manifest.record(key)
            paths.append(target)
    keep = {p.name for p in paths}
    for stale in folder.glob("评分表-*.xlsx"):
        if stale.name not in keep:
            stale.unlink()
    return paths


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make scoresheets`: exit 1 when nominees with check errors had to be left out."""
    with replacing_sheets(ctx):
        shortlist = build_shortlist(ctx)
        paths = build_scoresheets(ctx, shortlist)
    ctx.say(f"专家评分表：{len(paths)} 份，每份 {len(shortlist.nominees)} 人 → {ctx.output / 'scoresheets'}")
    ctx.say(f"专家填好后，请把评分表放入 {ctx.edition.review_dir / 'scores'}，再运行 make results")
    return ExitCode.findings if shortlist.blocked else ExitCode.ok
