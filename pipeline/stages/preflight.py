"""印前检查：逐个检查输出文件（字体、颜色、断行、版面、表格打印），写出 preflight.json。

Command `preflight`: output/<edition>/ → output/<edition>/preflight.json and preflight.txt
(the Chinese summary, also printed). Inspects what the earlier stages left there; it never
builds anything. Exit 0 when there is no finding, 1 when there are findings, 2 when there is
no output to inspect.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from pipeline.core.context import RunContext
from pipeline.core.errors import ExitCode, StageError

if TYPE_CHECKING:
    from pipeline.preflight.findings import PreflightFinding

CONSOLE_LIMIT = 30
"""At most this many findings on the console; preflight.txt has them all."""


def stale_notice(ctx: RunContext) -> list[PreflightFinding]:
    """PF_STALE_NOTICE on 公示.pdf when the 公示 was not made from the awardees of results/awardees.json
    (with their roster fields) and the settings as they are now (pipeline.core.stamps); nothing without a 公示."""
    from pipeline.core.errors import PipelineError
    from pipeline.preflight.findings import PreflightFinding
    from pipeline.rules.roster import read_roster
    from pipeline.stages.awardees import awardees_path
    from pipeline.stages.publicity import notice_paths, notice_staleness

    pdf = notice_paths(ctx)[0]
    if not pdf.is_file():
        return []
    try:
        by_code = {c.code: c for c in read_roster(ctx.edition.path).candidates}
    except PipelineError:
        return []  # no roster to compare with: `make check` says why
    try:
        codes = [str(a["编号"]) for a in json.loads(awardees_path(ctx).read_text(encoding="utf-8"))["awardees"]]
    except (OSError, ValueError, KeyError, TypeError):
        codes = []  # no current results: the 公示 shows people no result supports
    stale = notice_staleness(ctx, [by_code[c] for c in codes if c in by_code])
    return [PreflightFinding("PF_STALE_NOTICE", pdf.relative_to(ctx.output).as_posix(), stale)] if stale else []


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make preflight`: inspect output/<edition>/, write the reports, print the summary."""
    from pipeline.preflight import expectations, inspect, summary_text, write_report

    folder = ctx.output
    if not folder.is_dir():
        raise StageError(f"还没有输出文件：{folder}", hint="先运行 make demo 或各阶段的命令，再做印前检查")
    extra = []
    prelim = ctx.edition.review_dir / "初审.xlsx"
    if prelim.is_file():
        extra.append((prelim, f"{ctx.edition.path.name}/review/初审.xlsx"))
    report = inspect(folder, expectations(ctx), extra=extra, cache_dir=ctx.work / "preflight",
                     workers=ctx.workers, progress=ctx.say, found=stale_notice(ctx))
    json_path, txt_path = write_report(report, folder, ctx.edition.name)
    print(summary_text(report, ctx.edition.name, limit=CONSOLE_LIMIT), end="")
    print(f"报告：{json_path}、{txt_path}")
    return ExitCode.findings if report.findings else ExitCode.ok
