"""Command line: `python -m pipeline --edition <folder> <command>` (the Makefile calls this).

Each command is a module exposing `main(ctx, args) -> ExitCode` and, optionally,
`add_arguments(parser)`; modules import their heavy libraries inside functions so that
start-up stays fast. `all` runs the document stages of a round in order.

User values reach it from make through the environment (XN_EDITION, XN_QR, XN_IMAGE), never
through a shell command line, so no quoting can break or be broken.

Exit status: 0 all done and clean; 1 done, but some nominee or document has errors (see the
report); 2 the run itself could not proceed (bad edition, unreadable roster, missing tool).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from pipeline.context import RunContext
from pipeline.edition import Edition, load_edition
from pipeline.errors import ExitCode, PipelineError, disk_full, is_disk_full

STAGES: dict[str, str] = {
    "announce": "pipeline.stages.announce",
    "intake": "pipeline.stages.intake",
    "check": "pipeline.stages.check",
    "packets": "pipeline.stages.packets",
    "shortlist": "pipeline.stages.shortlist",
    "scoresheets": "pipeline.stages.scoresheets",
    "results": "pipeline.stages.results",
    "publicity": "pipeline.stages.publicity",
    "decision": "pipeline.stages.decision",
    "certificates": "pipeline.stages.certificates",
}
"""The document stages of a round, in order; `all` runs them one after another."""

NEEDS: dict[str, tuple[str, ...]] = {
    "announce": (),
    "intake": (),
    "check": ("intake",),
    "packets": ("check",),
    "shortlist": ("check",),
    "scoresheets": ("shortlist",),
    "results": ("shortlist",),
    "publicity": ("results",),
    "decision": ("results",),
    "certificates": ("results",),
}
"""The stages whose output each stage reads: `all` skips a stage only when one of these failed."""

STAGE_TITLES: dict[str, str] = {
    "announce": "选拔公告和申报材料包", "intake": "汇总申报材料", "check": "审查", "packets": "申报材料",
    "shortlist": "初审名单", "scoresheets": "专家评分表",
    "results": "评审结果", "publicity": "公示和媒体宣传包", "decision": "请示和表彰决定",
    "certificates": "证书",
}
"""What each stage makes, as the office calls it."""

COMMANDS: dict[str, str] = {
    "verify": "pipeline.stages.verify",
    "keys": "pipeline.stages.keys",
    "registry": "pipeline.stages.registry",
    "bench": "pipeline.bench",
    "preflight": "pipeline.stages.preflight",
}
"""Other commands."""


def _module(name: str) -> ModuleType | None:
    """The command's module, or None when that part is not built yet."""
    dotted = STAGES.get(name) or COMMANDS[name]
    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError as exc:
        if exc.name == dotted:
            return None
        raise


def _all(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """Every stage in order. A stage that fails is reported and the run goes on with every later
    stage that does not read its output (a failed media kit never stops the certificates); the run
    ends with a summary of what failed and the worst exit status."""
    worst = ExitCode.ok
    failed: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for name in STAGES:
        module = _module(name)
        if module is None:
            continue
        title = f"{STAGE_TITLES[name]}（{name}）"
        blocked = [n for n in NEEDS[name] if n in failed or n in skipped]
        if blocked:
            skipped[name] = "、".join(STAGE_TITLES[n] for n in blocked)
            print(f"跳过{title}：它需要的{skipped[name]}没有完成。", file=sys.stderr)
            continue
        ctx.say(f"== {name} ==")
        try:
            worst = max(worst, module.main(ctx, args))
        except PipelineError as exc:
            if args.verbose:
                traceback.print_exc()
            failed[name] = str(exc)
            worst = max(worst, exc.exit_code, ExitCode.findings)
            print(f"错误：{title}未完成：{exc}", file=sys.stderr)
        except Exception as exc:  # an internal error in one stage: the stages that do not need it still run
            if args.verbose:
                traceback.print_exc()
            failed[name] = f"内部错误：{type(exc).__name__}: {exc}（加 -v 查看详细信息，并报告给技术人员）"
            worst = ExitCode.cannot_proceed
            print(f"错误：{title}未完成：{failed[name]}", file=sys.stderr)
    if failed or skipped:
        lines = ["", f"== 汇总：{len(failed)} 个阶段未完成，{len(skipped)} 个阶段因此跳过 =="]
        lines += [f"  未完成：{STAGE_TITLES[n]}（make {n}）—— {why}" for n, why in failed.items()]
        lines += [f"  已跳过：{STAGE_TITLES[n]}（make {n}）—— 需要先完成{why}" for n, why in skipped.items()]
        done = [STAGE_TITLES[n] for n in STAGES if n not in failed and n not in skipped and _module(n)]
        lines.append(f"  已完成：{'、'.join(done) or '无'}")
        lines.append("  改正上述问题后重新运行 make all（已完成且未改动的部分会沿用，不会重做）。")
        print("\n".join(lines), file=sys.stderr)
    return ExitCode(worst)


LIGHT_COMMANDS = frozenset({"verify", "keys", "registry"})
"""Commands that build no document: they skip checking the media kit's settings (a second of imports)."""


def load_checked(path: Path, command: str) -> Edition:
    """Edition folder and command in → the Edition, every setting the command may use checked.

    The media kit's extra [media] keys live in pipeline.media.settings, the certificates' page,
    QR code and blank-paper positions in pipeline.stages.certificates; they are checked here so
    that a wrong value stops `make check` at once, not the publicity or certificates stage hours later.
    """
    edition = load_edition(path)
    if command not in LIGHT_COMMANDS:
        from pipeline.announce.call import announce_settings
        from pipeline.lookup import lookup_options
        from pipeline.media.settings import media_settings
        from pipeline.packets.textlayer import text_layer_settings
        from pipeline.registry_report import report_settings
        from pipeline.stages.certificates import certificate_options
        from pipeline.stages.check_feedback import feedback_settings
        from pipeline.stages.decision import decision_settings

        media_settings(edition)
        certificate_options(edition)
        lookup_options(edition)
        report_settings(edition)
        decision_settings(edition)
        announce_settings(edition)
        feedback_settings(edition)
        text_layer_settings(edition)
    return edition


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="兴安技术能手材料处理流水线")
    parser.add_argument("--edition", type=Path, default=Path(os.environ.get("XN_EDITION") or "input/demo"),
                        help="届次文件夹（默认：环境变量 XN_EDITION，make 用它传 EDITION=；否则 input/demo）")
    parser.add_argument("-v", "--verbose", action="store_true", help="出错时显示详细的技术信息")
    parser.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="并行进程数（默认：CPU 核数）")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("all", help="依次运行全部阶段")
    for name in [*STAGES, *COMMANDS]:
        module = _module(name)
        doc = (module.__doc__ or "").strip().splitlines()[0] if module else "（尚未实现）"
        command = sub.add_parser(name, help=doc)
        if module is not None and hasattr(module, "add_arguments"):
            module.add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        ctx = RunContext(load_checked(args.edition, args.command), verbose=args.verbose, quiet=args.quiet, jobs=args.jobs)
        if args.command == "all":
            return int(_all(ctx, args))
        module = _module(args.command)
        if module is None:
            raise PipelineError(f"“{args.command}”尚未实现", hint="目前可用的命令见 make help")
        return int(module.main(ctx, args))
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
        if is_disk_full(exc):  # written outside pipeline.atomic: still a full disk, not a bug
            full = disk_full(getattr(exc, "filename", None) or "")
            print(f"错误：{full}", file=sys.stderr)
            return int(full.exit_code)
        print(f"内部错误：{type(exc).__name__}: {exc}（加 -v 查看详细信息，并报告给技术人员）", file=sys.stderr)
        return int(ExitCode.cannot_proceed)
