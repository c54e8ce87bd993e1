"""What the office meets at the command line: Chinese help and errors, the version, the exit status
of `make <stage>` (run through real make), the first `make shortlist` as a next step, one fix per problem."""

from __future__ import annotations

import argparse
import ast
import gettext
import importlib.metadata
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from pipeline.cli import ARGPARSE_ZH, COMMAND_HELP, STAGES, chosen_command, main
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import PipelineError
from pipeline.review.problems import Problem, ReviewError
from tests.test_check_stage import good_photo, small_edition  # noqa: F401  (fixtures)

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = ("usage:", "positional arguments", "options:", "show this help", "error:", "invalid choice",
           "the following arguments", "unrecognized arguments", "expected one argument", "invalid int value")


def english_in(text: str) -> list[str]:
    return [words for words in ENGLISH if words in text]


# ---- python -m pipeline: help, errors, version --------------------------------------------------


def test_help_is_chinese_and_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：python -m pipeline ") and "显示本帮助并退出" in out and "显示版本号并退出" in out
    assert english_in(out) == []
    for name, text in COMMAND_HELP.items():
        assert re.search(rf"^    {name} +{re.escape(text[:10])}", out, re.M), name
    assert "\n参数：\n" in out and "\n选项：\n" in out and not re.search(r"^\S+:$", out, re.M)  # the Chinese colon
    assert main(["check", "-h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：python -m pipeline check [-h]") and COMMAND_HELP["check"] in out
    assert english_in(out) == []
    assert main(["registry", "revoke", "-h"]) == 0
    out = capsys.readouterr().out
    assert "\n参数：\n  证书编号" in out and "\n选项：\n" in out and "--reason 原因" in out


def test_a_command_imports_only_its_own_module() -> None:
    """`make packets` does not pay for importing every other stage (about a second); its own options are
    there, and help on the whole command line still lists every command with its own options."""
    code = ("import sys\n"
            "from pipeline.cli import build_parser, chosen_command, chinese_argparse\n"
            "argv = ['--edition', 'input/demo', '-q', 'registry', 'revoke', 'X-1', '--reason', '错发']\n"
            "with chinese_argparse():\n"
            "    args = build_parser(only=chosen_command(argv)).parse_args(argv)\n"
            "print(args.reason, sorted(m for m in sys.modules if m.startswith('pipeline.stages.')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=PROJECT_ROOT).stdout
    assert out.split(" ", 1) == ["错发", "['pipeline.stages.registry']\n"], out
    assert chosen_command(["--edition", "check", "packets", "--force"]) == "packets"
    assert chosen_command(["packets", "-h"]) is None and chosen_command(["nope"]) is None


@pytest.mark.parametrize(("argv", "said"), [
    (["nope"], "错误：参数 命令：没有“nope”这一项（可选：'all', 'announce',"),
    ([], "错误：缺少必需的参数：命令"),
    (["-j", "x", "check"], "错误：参数 -j/--jobs：“x”不是有效的值"),
    (["check", "--what"], "错误：不认识的参数：--what"),
    (["--edition"], "错误：参数 --edition：后面须跟一个值"),
    (["registry", "revoke", "X-1"], "错误：缺少必需的参数：--reason"),
])
def test_command_line_mistakes_are_explained_in_chinese(argv: list[str], said: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：python -m pipeline") and said in err, err
    assert err.rstrip().splitlines()[-1].startswith("处理办法：运行 python -m pipeline"), err
    assert english_in(err) == [], err


def test_argparse_is_chinese_only_inside_the_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    main(["-h"])
    capsys.readouterr()
    assert argparse._ is gettext.gettext  # type: ignore[attr-defined]  # pytest's own parser stays English
    assert "usage:" in argparse.ArgumentParser(prog="x").format_usage()


def test_every_argparse_message_a_user_can_meet_has_chinese() -> None:
    """The msgids of the installed argparse: a Python upgrade that adds or rewords one fails here."""
    import argparse as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    msgids = {arg.value for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext")
              for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    developer_only = {m for m in msgids if re.search(
        r"not defined|invalid argument for positionals|must be optional|not callable|cannot merge|"
        r"invalid option string|dest= is required|conflict|cannot have multiple|with mode", m)}
    assert msgids - developer_only - set(ARGPARSE_ZH) == set()
    for english, chinese in ARGPARSE_ZH.items():
        assert CJK.search(chinese), english
        assert set(re.findall(r"%\((\w+)\)", chinese)) <= set(re.findall(r"%\((\w+)\)", english)), english
        assert re.findall(r"%[sr]", chinese) == re.findall(r"%[sr]", english) or "%(" in english, english


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"python -m pipeline {importlib.metadata.version('xingan-nengshou')}\n"


# ---- one fix per problem ------------------------------------------------------------------------


def test_each_problem_has_its_own_fix_on_its_own_line() -> None:
    problems = [Problem("PRELIMINARY_EMPTY", "review/初审.xlsx", "初审", f"I{r}", "“初审结果”未填写",
                        "填写“通过”或“不通过”") for r in (5, 6)]
    text = str(ReviewError("初审表 review/初审.xlsx 有 2 处问题，无法确定提名人选：", problems,
                           hint="按每条的处理办法修改后重新运行 make shortlist"))
    assert "）（处理办法" not in text
    assert text.splitlines() == [
        "初审表 review/初审.xlsx 有 2 处问题，无法确定提名人选：",
        "  1. 文件 review/初审.xlsx，工作表“初审”，单元格 I5：“初审结果”未填写",
        "     处理办法：填写“通过”或“不通过”",
        "  2. 文件 review/初审.xlsx，工作表“初审”，单元格 I6：“初审结果”未填写",
        "     处理办法：填写“通过”或“不通过”",
        "处理办法：按每条的处理办法修改后重新运行 make shortlist",
    ]
    assert str(PipelineError("名册是空的", hint="填好名册", file="roster.csv")) == "文件 roster.csv：名册是空的（处理办法：填好名册）"


# ---- through make -------------------------------------------------------------------------------


def make(*args: str, output: Path) -> subprocess.CompletedProcess[str]:
    """Real make on the project's Makefile with output in a temporary folder; setup is never remade (-o)."""
    venv = Path(sys.executable).parent.parent
    env = {**os.environ, "XN_OUTPUT": str(output), "XN_STATE": str(output / "state"), "XN_KEYS": str(output / "keys")}
    return subprocess.run(["make", "--no-print-directory", "-o", f"{venv}/.setup-done", f"VENV={venv}", *args],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)


def last_line(text: str) -> str:
    return text.rstrip().splitlines()[-1]


def test_make_help_is_chinese() -> None:
    done = subprocess.run(["make", "--no-print-directory", "help"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0
    targets = [line for line in done.stdout.splitlines() if line.startswith("  make ")]
    assert len(targets) >= 20
    for line in targets:
        name, _, text = line.removeprefix("  make ").partition(" ")
        assert CJK.search(text) and not re.search(r"\b[a-z]{4,} [a-z]{4,}\b", text.replace("make", "")), line
    said = {line.split()[1]: line.split(maxsplit=2)[2] for line in targets}
    for name in [*STAGES, "preflight", "bench", "keys"]:  # one text per command: make help and -h agree
        assert said[name] == COMMAND_HELP[name], name


@pytest.mark.slow
def test_make_check_with_findings_exits_0_and_says_so_last(small_edition: Path, tmp_path: Path) -> None:  # noqa: F811
    done = make("check", f"EDITION={small_edition}", output=tmp_path / "out")
    assert done.returncode == 0, done.stderr
    report = tmp_path / "out" / small_edition.name / "check" / "report.html"
    assert last_line(done.stderr) == f"审查完成：3 人中 1 人不合格，共 1 条错误、0 条提示，见 {report}"
    # python -m pipeline keeps 1 for scripts
    py = subprocess.run([sys.executable, "-m", "pipeline", "--edition", str(small_edition), "check"], cwd=PROJECT_ROOT,
                        env={**os.environ, "XN_OUTPUT": str(tmp_path / "out")}, capture_output=True, text=True)
    assert py.returncode == 1 and last_line(py.stderr) == last_line(done.stderr)


@pytest.mark.slow
def test_make_check_that_cannot_run_exits_2(small_edition: Path, tmp_path: Path) -> None:  # noqa: F811
    (small_edition / "roster.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    done = make("check", f"EDITION={small_edition}", output=tmp_path / "out")
    assert done.returncode == 2
    assert "错误：" in done.stderr and "处理办法" in done.stderr and "Traceback" not in done.stderr
    done = make("check", f"EDITION={tmp_path / 'nowhere'}", output=tmp_path / "out")
    assert done.returncode == 2 and "错误：" in done.stderr


@pytest.mark.slow
def test_first_make_shortlist_is_a_next_step_not_an_error(small_edition: Path, tmp_path: Path) -> None:  # noqa: F811
    done = make("shortlist", f"EDITION={small_edition}", output=tmp_path / "out")
    assert done.returncode == 0, done.stderr
    form = small_edition / "review" / "初审.xlsx"
    assert form.is_file()
    assert "错误：" not in done.stderr
    lines = done.stderr.rstrip().splitlines()
    assert lines[-2] == "下一步：已生成初审表 review/初审.xlsx（共 3 人，含审查结果），等办公室填写“初审结果”。"
    assert lines[-1] == (f"  打开 {form}，在“初审结果”一栏逐人填写“通过”或“不通过”（通过人数最多 40 人），"
                         "保存后再运行 make shortlist。")
    # a later stage that needs the 初审 cannot run yet: that is an error (2), with the same next step
    done = make("scoresheets", f"EDITION={small_edition}", output=tmp_path / "out")
    assert done.returncode == 2
    assert "错误：专家评分表还不能生成。下一步：已更新初审表" in done.stderr


def test_make_all_waits_for_the_office_without_failing(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`make all` on a round whose 初审 is not filled in: the stages before it run, the ones after it wait,
    nothing failed (exit 0) and the last lines are the office's next step."""
    from pipeline import cli
    from pipeline.core.errors import ExitCode, OfficeActionNeeded

    def shortlist(ctx: object, args: object) -> ExitCode:
        raise OfficeActionNeeded("已生成初审表 review/初审.xlsx（共 3 人，含审查结果），等办公室填写“初审结果”",
                                 step="打开 初审.xlsx 填写后保存，再运行 make shortlist", stage="shortlist")

    ran: list[str] = []

    def module(name: str) -> types.SimpleNamespace:
        if name == "shortlist":
            return types.SimpleNamespace(main=shortlist)
        return types.SimpleNamespace(main=lambda ctx, args: ran.append(name) or ExitCode.ok)

    monkeypatch.setattr(cli, "_module", module)
    ctx = types.SimpleNamespace(say=lambda message: None)
    assert cli._all(ctx, argparse.Namespace(verbose=False)) == ExitCode.ok  # type: ignore[arg-type]
    assert ran == ["announce", "intake", "check", "packets"]
    err = capsys.readouterr().err
    assert "错误：" not in err and "跳过专家评分表（scoresheets）：它需要的初审名单没有完成。" in err
    assert err.rstrip().splitlines()[-2:] == [
        "下一步：已生成初审表 review/初审.xlsx（共 3 人，含审查结果），等办公室填写“初审结果”。",
        "  打开 初审.xlsx 填写后保存，再运行 make shortlist。"]


def test_a_tie_at_the_cut_off_is_the_leading_groups_next_step() -> None:
    from pipeline.core.errors import OfficeActionNeeded
    from pipeline.review.problems import TieError

    tie = TieError("专家评审总分并列，跨越入选线", ("N05", "N06"), hint="已生成 review/决定.xlsx：请填写后重新运行 make results",
                   file="review/决定.xlsx")
    assert isinstance(tie, OfficeActionNeeded) and tie.stage == "results" and tie.code == "SCORE_TIE"
    assert tie.next_step == "下一步：专家评审总分并列，跨越入选线。\n  已生成 review/决定.xlsx：请填写后重新运行 make results。"
