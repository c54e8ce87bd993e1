"""Command line: `python -m pipeline --edition <folder> <command>` (the Makefile calls this).

Each command is a module exposing `main(ctx, args) -> ExitCode` and, optionally,
`add_arguments(parser)`, and `CONCLUDES = True` when its main ends by printing what it found (else
a stage that returns ExitCode.findings gets a last line from here). Modules import their heavy
libraries inside functions so that start-up stays fast. `all` runs the document stages of a round in order.

User values reach it from make through the environment (XN_EDITION, XN_QR, XN_IMAGE), never
through a shell command line, so no quoting can break or be broken.

Exit status: 0 all done and clean; 1 done, but some nominee or document has errors (see the
report); 2 the run itself could not proceed (bad edition, unreadable roster, missing tool, a wrong
command line). A form written for the office to fill in (初审.xlsx) is the next step, not an error:
the command that wrote it ends with a 下一步 line and exit status 0. The Makefile turns 1 into 0 for
`make <stage>` (the stage ran to its end; its last line says what it found): see README, 退出码.

Everything argparse says itself (usage, headings, -h, its errors) is in Chinese: `chinese_argparse`
gives argparse's gettext look-ups a catalogue while the parser is built and used.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import re
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from pipeline.core.context import RunContext
from pipeline.core.edition import Edition, load_edition
from pipeline.core.errors import (
    ExitCode,
    OfficeActionNeeded,
    PipelineError,
    disk_full,
    is_disk_full,
)

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

COMMAND_TITLES: dict[str, str] = {**STAGE_TITLES, "verify": "查验证书", "keys": "签名密钥", "registry": "证书数据库",
                                  "bench": "性能测试", "preflight": "印前检查"}
"""Every command as the office calls it."""

COMMAND_HELP: dict[str, str] = {
    "all": "依次运行全部阶段",
    "announce": "选拔公告（PDF、DOCX、网页、微信文章）和给推荐单位的申报材料包",
    "intake": "把各推荐单位交回的 submissions/ 汇总成名册和材料文件夹，写出汇总报告",
    "check": "逐人审查推荐材料和照片，写出审查报告和审核意见反馈单",
    "packets": "每人一份装订好的申报材料（PDF）和可编辑的申报审批表（DOCX）",
    "shortlist": "初审：首次运行生成初审表，办公室填好后生成提名人选名单（2∶1，至多40人）",
    "scoresheets": "每位专家一份空白评分表（Excel）",
    "results": "汇总交回的评分表，排名，确定拟表彰人选",
    "publicity": "公示（PDF、DOCX、网页）和媒体宣传包",
    "decision": "提请审议的请示和表彰决定（公示期满、无未了结异议后）",
    "certificates": "证书、补贴发放表、证书数据库登记、查验网页",
    "verify": "查验证书：二维码内容、证书图片或 PDF，或证书编号和姓名",
    "keys": "生成证书签名密钥（只生成一次，绝不覆盖）",
    "registry": "兴安技术能手数据库：查询、撤销、传帮带、往届导入、报告、备份与恢复",
    "bench": "性能测试：逐阶段计时演示届次和规模测试届次（不是测试用例）",
    "preflight": "印前检查：逐个检查输出文件（字体、颜色、断行、版面、表格打印、顺序）",
}
"""What each command does, as `python -m pipeline --help` lists it (the Makefile's `make help` says the same)."""

ARGPARSE_ZH: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "错误：%(message)s\n处理办法：运行 %(prog)s -h 查看用法（或 make help 查看全部命令）\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "须给出以下参数之一：%s",
    "unrecognized arguments: %s": "不认识的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有“%(value)s”这一项（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "“%(value)s”不是有效的值",
    "expected one argument": "后面须跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少跟一个值",
    "expected %s argument": "后面须跟 %s 个值",
    "expected %s arguments": "后面须跟 %s 个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "ignored explicit argument %r": "不接受值 %r",
    "unexpected option string: %s": "多余的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有“%(parser_name)s”这个命令（可选：%(choices)s）",
}
"""argparse's own words (the msgids of the standard library's argparse that a user can meet) in Chinese.
The rest of its msgids are mistakes in building a parser, which only a developer meets."""


def _zh(message: str) -> str:
    """argparse's gettext look-up: the Chinese text, or the English one when there is none."""
    return ARGPARSE_ZH.get(message, message)


def _nzh(singular: str, plural: str, n: int) -> str:
    """argparse's ngettext look-up."""
    return _zh(singular if n == 1 else plural)


@contextmanager
def chinese_argparse() -> Iterator[None]:
    """While the parser is built and used, argparse looks its words up in ARGPARSE_ZH.

    argparse takes them from gettext (`_` and `ngettext`), and Python ships no Chinese catalogue; a
    catalogue for the global gettext domain would change every other program's words in the process
    too (pytest's own parser, for one), so the two look-ups are swapped only inside this block.
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _zh, _nzh  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def version() -> str:
    """The installed package's version (package metadata)."""
    try:
        return importlib.metadata.version("xingan-nengshou")
    except importlib.metadata.PackageNotFoundError:
        return "未安装（在项目文件夹中直接运行）"


def _module(name: str) -> ModuleType | None:
    """The command's module, or None when that part is not built yet."""
    dotted = STAGES.get(name) or COMMANDS[name]
    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError as exc:
        if exc.name == dotted:
            return None
        raise


def _finish(name: str, module: ModuleType, code: ExitCode) -> ExitCode:
    """A stage's exit status; when it ran to the end with problems, a last line that says so."""
    if code == ExitCode.findings and not getattr(module, "CONCLUDES", False):
        print(f"{COMMAND_TITLES[name]}（make {name}）已完成，但有需要处理的问题，见上文。", file=sys.stderr)
    return ExitCode(code)


def _all(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """Every stage in order. A stage that fails is reported and the run goes on with every later
    stage that does not read its output (a failed media kit never stops the certificates); the run
    ends with a summary of what failed and the worst exit status."""
    worst = ExitCode.ok
    failed: dict[str, str] = {}
    skipped: dict[str, str] = {}
    waiting: dict[str, OfficeActionNeeded] = {}
    for name in STAGES:
        module = _module(name)
        if module is None:
            continue
        title = f"{STAGE_TITLES[name]}（{name}）"
        blocked = [n for n in NEEDS[name] if n in failed or n in skipped or n in waiting]
        if blocked:
            skipped[name] = "、".join(STAGE_TITLES[n] for n in blocked)
            print(f"跳过{title}：它需要的{skipped[name]}没有完成。", file=sys.stderr)
            continue
        ctx.say(f"== {name} ==")
        try:
            worst = max(worst, _finish(name, module, module.main(ctx, args)))
        except OfficeActionNeeded as exc:  # the office fills in a form first: the round waits, nothing failed
            waiting[name] = exc
            print(f"{title}等办公室填写：{exc.message}。", file=sys.stderr)
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
    if failed:
        lines = ["", f"== 汇总：{len(failed)} 个阶段未完成，{len(skipped)} 个阶段因此跳过 =="]
        lines += [f"  未完成：{STAGE_TITLES[n]}（make {n}）—— {why}" for n, why in failed.items()]
        lines += [f"  已跳过：{STAGE_TITLES[n]}（make {n}）—— 需要先完成{why}" for n, why in skipped.items()]
        done = [STAGE_TITLES[n] for n in STAGES if n not in {**failed, **skipped, **waiting} and _module(n)]
        lines.append(f"  已完成：{'、'.join(done) or '无'}")
        lines.append("  改正上述问题后重新运行 make all（已完成且未改动的部分会沿用，不会重做）。")
        print("\n".join(lines), file=sys.stderr)
    elif skipped:
        print(f"\n== {'、'.join(STAGE_TITLES[n] for n in waiting)}等办公室填写；其后的 {len(skipped)} 个阶段在填写后运行 ==",
              file=sys.stderr)
    elif worst == ExitCode.findings:
        print("\n== 全部阶段已完成，但有需要处理的问题，见上文各阶段 ==", file=sys.stderr)
    for action in waiting.values():  # the last lines: what the office does next
        print(action.next_step, file=sys.stderr)
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
        from pipeline.certificates.settings import certificate_options
        from pipeline.media.settings import media_settings
        from pipeline.packets.textlayer import text_layer_settings
        from pipeline.registry.lookup import lookup_options
        from pipeline.registry.report import report_settings
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


_HEADING = re.compile(r"^( {0,8}[^\s:]+):$", re.M)
"""A heading line of argparse's help ("选项:"): argparse puts an ASCII colon after every heading."""


class ChineseParser(argparse.ArgumentParser):
    """argparse's parser with the Chinese colon after its help's headings ("选项：", not "选项:");
    its subparsers are of the same class (argparse makes them with the parent's class)."""

    def format_help(self) -> str:
        """The help text, its headings ending in "："."""
        return _HEADING.sub(r"\1：", super().format_help())


class _Unsure(Exception):
    """The light parser cannot tell the command: the full parser reads the line again and explains."""


class _LightParser(ChineseParser):
    """A parser that raises instead of printing and exiting (finding the command only)."""

    def error(self, message: str) -> NoReturn:
        """A wrong command line: left to the full parser."""
        raise _Unsure(message)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command a command line names, found without importing any command's module; None when
    the line asks for help or the version, or is wrong (then every module is needed to explain it)."""
    if any(arg in ("-h", "--help", "--version") for arg in argv):
        return None
    try:
        args, _ = build_parser(only="", parser_class=_LightParser).parse_known_args(argv)
    except _Unsure:
        return None
    return str(args.command)


def build_parser(only: str | None = None,
                 parser_class: type[argparse.ArgumentParser] = ChineseParser) -> argparse.ArgumentParser:
    """The argument parser (build and use it inside `chinese_argparse()`). With `only`, the other
    commands' modules are not imported: their own options are missing, their help line is there.
    Importing every stage costs about a second, which each `make <stage>` would otherwise pay."""
    parser = parser_class(prog="python -m pipeline", description="兴安技术能手材料处理流水线",
                          epilog="通常用 make 运行：make help 列出全部命令。")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}", help="显示版本号并退出")
    parser.add_argument("--edition", type=Path, default=Path(os.environ.get("XN_EDITION") or "input/demo"),
                        metavar="文件夹",
                        help="届次文件夹（默认：环境变量 XN_EDITION，make 用它传 EDITION=；否则 input/demo）")
    parser.add_argument("-v", "--verbose", action="store_true", help="出错时显示详细的技术信息")
    parser.add_argument("-q", "--quiet", action="store_true", help="不显示进度")
    parser.add_argument("-j", "--jobs", type=int, default=0, metavar="N", help="并行进程数（默认：CPU 核数）")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    sub.add_parser("all", help=COMMAND_HELP["all"], description=COMMAND_HELP["all"])
    for name in [*STAGES, *COMMANDS]:
        if only is not None and name != only:
            sub.add_parser(name, help=COMMAND_HELP[name], description=COMMAND_HELP[name])
            continue
        module = _module(name)
        text = COMMAND_HELP[name] if module else "（尚未实现）"
        command = sub.add_parser(name, help=text, description=text)
        if module is not None and hasattr(module, "add_arguments"):
            module.add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    with chinese_argparse():
        try:
            args = build_parser(only=chosen_command(argv)).parse_args(argv)
        except SystemExit as exc:  # -h, --version (0) or a wrong command line (2), already explained
            return exc.code if isinstance(exc.code, int) else ExitCode.cannot_proceed
    try:
        ctx = RunContext(load_checked(args.edition, args.command), verbose=args.verbose, quiet=args.quiet, jobs=args.jobs)
        if args.command == "all":
            return int(_all(ctx, args))
        module = _module(args.command)
        if module is None:
            raise PipelineError(f"“{args.command}”尚未实现", hint="目前可用的命令见 make help")
        return int(_finish(args.command, module, module.main(ctx, args)))
    except OfficeActionNeeded as exc:
        if exc.stage == args.command:
            print(exc.next_step, file=sys.stderr)
            return int(ExitCode.ok)
        print(f"错误：{COMMAND_TITLES.get(args.command, args.command)}还不能生成。{exc.next_step}", file=sys.stderr)
        return int(ExitCode.cannot_proceed)
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
        if is_disk_full(exc):  # written outside pipeline.core.atomic: still a full disk, not a bug
            full = disk_full(getattr(exc, "filename", None) or "")
            print(f"错误：{full}", file=sys.stderr)
            return int(full.exit_code)
        print(f"内部错误：{type(exc).__name__}: {exc}（加 -v 查看详细信息，并报告给技术人员）", file=sys.stderr)
        return int(ExitCode.cannot_proceed)
