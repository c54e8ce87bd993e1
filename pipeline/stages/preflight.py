"""印前检查：逐个检查输出文件（字体、颜色、断行、版面、表格打印），写出 preflight.json。

Command `preflight`: output/<edition>/ → output/<edition>/preflight.json and preflight.txt
(the Chinese summary, also printed). Inspects what the earlier stages left there; it never
builds anything. Exit 0 when there is no finding, 1 when there are findings, 2 when there is
no output to inspect.
"""

from __future__ import annotations

import argparse

from pipeline.context import RunContext
from pipeline.errors import ExitCode, StageError

CONSOLE_LIMIT = 30
"""At most this many findings on the console; preflight.txt has them all."""


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
                     workers=ctx.workers, progress=ctx.say)
    json_path, txt_path = write_report(report, folder, ctx.edition.name)
    print(summary_text(report, ctx.edition.name, limit=CONSOLE_LIMIT), end="")
    print(f"报告：{json_path}、{txt_path}")
    return ExitCode.findings if report.findings else ExitCode.ok
