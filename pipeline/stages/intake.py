"""Assemble roster.xlsx and candidates/ from the units' submissions/; writes output/<edition>/intake/.

Stage `intake`: <edition>/submissions/<推荐单位>/ (a filled 推荐人选名册.xlsx and the nominees'
folders, as folders or ZIP files) → <edition>/roster.xlsx, <edition>/candidates/<编号>/ and
output/<edition>/intake/汇总报告.html|.xlsx. Without a submissions/ folder it says so and does
nothing (the office supplied the roster itself). See pipeline.intake for how.
"""

from __future__ import annotations

import argparse
import shutil

from pipeline.core.context import RunContext
from pipeline.core.errors import ExitCode, is_disk_full
from pipeline.core.safepath import inside
from pipeline.intake.assemble import Assembler
from pipeline.intake.gather import Unit, gather_unit
from pipeline.intake.model import UNREADABLE, ZIP_SYMLINK
from pipeline.intake.report import write_reports

NO_SUBMISSIONS = "没有 submissions/ 文件夹，不汇总：名册由办公室直接提供。"


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make intake`: exit 1 when a unit's submission has a problem that kept something out."""
    edition = ctx.edition.path
    submissions = edition / "submissions"
    if not submissions.is_dir():
        ctx.say(NO_SUBMISSIONS)
        return ExitCode.ok
    staging = ctx.work / "intake" / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    units: list[Unit] = []
    sources = sorted(p for p in submissions.iterdir() if not p.name.startswith(".")
                     and (p.is_dir() or p.suffix.lower() == ".zip"))
    for i, source in enumerate(sources):
        name = source.name if source.is_dir() else source.stem
        if source.is_symlink() or not inside(submissions, source):
            unit = Unit(name, complete=False)
            unit.problem(ZIP_SYMLINK, f"“{source.name}”是一个链接（快捷方式），未读取", "把单位的材料本身放进 submissions/",
                         source.name)
        else:
            ctx.say(f"读取 {name} 报送的材料")
            try:
                unit = gather_unit(name, source, staging / f"{i:03d}", submissions)
            except OSError as exc:  # one unreadable unit never stops the others
                if is_disk_full(exc):
                    raise
                unit = Unit(name, complete=False)
                unit.problem(UNREADABLE, f"该单位的材料无法读取（{type(exc).__name__}: {exc.strerror or exc}），未汇总",
                             "检查 submissions/ 中该单位文件夹的读取权限，或把材料重新复制进来", exc.filename or name)
        units.append(unit)
    outcome = Assembler(edition, ctx.source_date).run(units, {u.name for u in units})
    html, _xlsx = write_reports(ctx, outcome, ctx.output / "intake")
    shutil.rmtree(staging, ignore_errors=True)
    problems = [p for u in units for p in u.problems]
    errors = sum(p.severity == "error" for p in problems)
    ctx.say(f"汇总完成：{len(units)} 个单位，名册共 {outcome.people} 人，变动 {len(outcome.changes)} 项，"
            f"问题 {errors} 个、提示 {len(problems) - errors} 个。报告：{html}")
    for p in problems:
        if p.severity == "error":
            ctx.say(f"  【{p.unit}】{p.person + '：' if p.person else ''}{p.message}（处理办法：{p.hint}）")
    return ExitCode.findings if errors else ExitCode.ok
