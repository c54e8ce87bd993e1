"""Command line: `python -m pipeline --edition <folder> <command>` (the Makefile calls this).

Exit status: 0 all done and clean; 1 done, but some nominee or document has errors (see the
report); 2 the run itself could not proceed (bad edition, unreadable roster, missing tool).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.context import RunContext
from pipeline.edition import load_edition
from pipeline.errors import ExitCode, PipelineError


def _check(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    from pipeline.stages.check import run_check

    result = run_check(ctx)
    return ExitCode.findings if result.has_errors else ExitCode.ok


def _packets(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    from pipeline.stages.check import run_check
    from pipeline.stages.packets import run_packets

    check = run_check(ctx)
    result = run_packets(ctx, check)
    return ExitCode.findings if (check.has_errors or not result.ok) else ExitCode.ok


STAGES: dict[str, Callable[[RunContext, argparse.Namespace], ExitCode]] = {
    "check": _check,
    "packets": _packets,
}
"""Stages in the order of a round; `all` runs them one after another."""

PLANNED = ("shortlist", "scoresheets", "results", "publicity", "certificates", "verify", "bench")


def _all(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    worst = ExitCode.ok
    for name, stage in STAGES.items():
        ctx.say(f"== {name} ==")
        worst = max(worst, stage(ctx, args))
    return ExitCode(worst)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="兴安技术能手材料处理流水线")
    parser.add_argument("--edition", type=Path, default=Path("input/demo"), help="届次文件夹（默认 input/demo）")
    parser.add_argument("-v", "--verbose", action="store_true", help="出错时显示详细的技术信息")
    parser.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="并行进程数（默认：CPU 核数）")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in [*STAGES, "all", *PLANNED]:
        sub.add_parser(name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command in PLANNED:
            raise PipelineError(f"“{args.command}”尚未实现", hint="请关注项目进展；目前可用 make check、make packets")
        ctx = RunContext(load_edition(args.edition), verbose=args.verbose, quiet=args.quiet, jobs=args.jobs)
        command = _all if args.command == "all" else STAGES[args.command]
        return int(command(ctx, args))
    except PipelineError as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"错误：{exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("已中断。已完成的文件保留，下次运行会补齐未完成的部分。", file=sys.stderr)
        return 130
    except Exception as exc:  # the one handler for everything unexpected
        if args.verbose:
            traceback.print_exc()
        print(f"内部错误：{type(exc).__name__}: {exc}（加 -v 查看详细信息，并报告给技术人员）", file=sys.stderr)
        return int(ExitCode.cannot_proceed)
