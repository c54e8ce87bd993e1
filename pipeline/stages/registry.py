"""证书数据库（兴安技术能手数据库）：查询、撤销证书、登记传帮带活动、导出 Excel。

The registry of issued certificates: list, show, revoke, 传帮带, export.

Command `registry <action>`:
    list [--round 2027] [--status valid|expired|revoked]    certificates, one line each
    show <证书编号>                                           one certificate and its 传帮带 activities
    revoke <证书编号> --reason "…" [--date 2027-09-01]         revoke (the reason stays internal)
    activity --mentor <证书编号或姓名> --date 2027-10-12 --apprentices "张三,李四" --content "…"
    activities [--mentor <证书编号或姓名>]                      recorded 传帮带 activities
    export [--out file.xlsx] [--full-id]                    the whole registry as XLSX
    check                                                   integrity check of the database file
    template-import / template-activities                   blank XLSX templates (output/registry/)
    import <年度> <file.xlsx>                                an earlier round's awardees (all or nothing)
    import-activities <file.xlsx>                           a year's 传帮带 activities (all or nothing)
    terms [--year 2028]                                     terms and status 在期 / 期满 / 已撤销, who expires when
    report [--year 2028]                                    动态管理报告-<year>.pdf|.xlsx
    backup [--out file]                                     consistent copy (SQLite online backup) + .sha256
    restore <file> [--force]                                checksum and integrity checked, old file kept aside

make splits ARGS at spaces: a path with spaces goes in quotes inside ARGS, e.g.
make registry ARGS='import 2024 "input/往届 名单.xlsx"'.

The edition selects the registry: a demo edition uses its own state/demo-<edition>-registry.sqlite3 (or the
one of the edition named in [certificates] registry_edition), real ones state/registry.sqlite3. After a revocation the published revoked.json (signed) and lookup.json are refreshed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from pathlib import Path

from pipeline.core import model
from pipeline.core.context import RunContext
from pipeline.core.errors import ExitCode
from pipeline.registry.store import STATUS_TITLES, Registry, RegistryError, open_registry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the actions of the `registry` command."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="操作")

    def action(name: str, text: str) -> argparse.ArgumentParser:
        """One action, its text both in the list of actions and atop its own -h."""
        return sub.add_parser(name, help=text, description=text)

    p = action("list", "列出证书（可按届次、状态筛选）")
    p.add_argument("--round", metavar="年份", type=int, help="届次年份，如 2027")
    p.add_argument("--status", choices=sorted(STATUS_TITLES), help="valid 有效 / expired 已期满 / revoked 已撤销")
    p = action("show", "查看一张证书及其传帮带活动")
    p.add_argument("number", metavar="证书编号", help="证书编号")
    p = action("revoke", "撤销证书（须写明原因）")
    p.add_argument("number", metavar="证书编号", help="证书编号")
    p.add_argument("--reason", metavar="原因", required=True, help="撤销原因（仅存于数据库，不公布）")
    p.add_argument("--date", metavar="日期", type=_date, help="撤销日期（默认今天），如 2027-09-01")
    p = action("activity", "登记一次传帮带活动")
    p.add_argument("--mentor", metavar="师傅", required=True, help="师傅：证书编号或姓名")
    p.add_argument("--date", metavar="日期", required=True, type=_date, help="活动日期，如 2027-10-12")
    p.add_argument("--apprentices", metavar="徒弟", required=True, help="徒弟（学员）姓名，用逗号或顿号分隔")
    p.add_argument("--content", metavar="内容", required=True, help="活动内容")
    p = action("activities", "列出传帮带活动")
    p.add_argument("--mentor", metavar="师傅", help="只看某位师傅（证书编号或姓名）")
    p = action("export", "导出整个数据库为 Excel")
    p.add_argument("--out", metavar="文件", type=Path, help="输出文件（默认 output/<届次>/registry/兴安技术能手数据库.xlsx）")
    p.add_argument("--full-id", action="store_true", help="导出完整身份证号码（默认只显示前6位和后4位）")
    action("check", "检查数据库文件是否完好")
    p = action("template-import", "生成往届名单模板（Excel）")
    p.add_argument("--out", metavar="文件", type=Path, help="输出文件（默认 output/registry/往届名单模板.xlsx）")
    p = action("template-activities", "生成传帮带活动登记模板（Excel）")
    p.add_argument("--out", metavar="文件", type=Path, help="输出文件（默认 output/registry/传帮带活动登记模板.xlsx）")
    p = action("import", "导入往届获评名单（有任何问题则整份不导入）")
    p.add_argument("year", metavar="年份", type=int, help="届次年份，如 2024")
    p.add_argument("file", metavar="文件", type=Path, help="按往届名单模板填写的 .xlsx 文件")
    p = action("import-activities", "导入传帮带活动登记表（有任何问题则整份不导入）")
    p.add_argument("file", metavar="文件", type=Path, help="按传帮带活动登记模板填写的 .xlsx 文件")
    p = action("terms", "任期与状态（在期/期满/已撤销），谁何时期满")
    p.add_argument("--year", metavar="年份", type=int, help="只列任期在该年届满的，如 2028")
    p = action("report", "动态管理报告（PDF 和 Excel）")
    p.add_argument("--year", metavar="年份", type=int, help="统计年度（默认今年），如 2028")
    p = action("backup", "备份数据库（SQLite 在线备份，附 sha256 校验文件）")
    p.add_argument("--out", metavar="文件", type=Path, help="备份文件（默认 state/backups/<数据库名>-<时间>.sqlite3）")
    p = action("restore", "从备份恢复数据库（先核对校验和与完整性）")
    p.add_argument("file", metavar="文件", type=Path, help="备份文件（旁边须有同名 .sha256 校验文件）")
    p.add_argument("--force", action="store_true", help="当前数据库比备份新时也恢复（原文件另存到 state/backups/）")


def _date(text: str) -> dt.date:
    """'2027-09-01' (also 2027.9.1, 2027年9月1日, full-width digits) → date; argparse error otherwise."""
    from pipeline.registry.importer import parse_day

    day = parse_day(text.strip())
    if day is None:
        raise argparse.ArgumentTypeError(f"日期“{text}”无法识别，请写成 2027-09-01")
    return day


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make registry ARGS="…"`: run one registry action; exit 0 done, 1 refused (reason printed)."""
    from pipeline.certificates.settings import certificate_options

    options = certificate_options(ctx.edition)
    path = options.registry
    action = args.action
    today = model.today()
    if action in _OWN:
        return _OWN[action](ctx, args, path, today)
    with open_registry(path, create=False) as reg:
        if action == "list":
            return _list(reg, args.round, args.status, today)
        if action == "show":
            return _show(reg, args.number, today)
        if action == "revoke":
            cert = reg.revoke(args.number, args.reason, args.date or today)
            print(f"已撤销证书 {cert.number}（{cert.name}，{cert.round}年度），撤销日期 {cert.revoked_on}，原因：{cert.revoke_reason}")
            from pipeline.stages.verify import site_dir, write_published

            if site_dir(ctx).is_dir():
                from pipeline.core import signing

                signer = signing.load_signer(certificate_options(ctx.edition).demo)
                targets = write_published(ctx, signer, reg.revocations(), reg.certificates())
                print(f"已更新查验网站的撤销名单和查询索引：{'、'.join(str(t) for t in targets)}。"
                      "请把它们重新上传到查验网站，撤销才对公众生效（扫码和凭编号、姓名查询都会显示已撤销）。")
            else:
                print("提示：运行 make certificates 生成查验网站后，把整个 verify 文件夹上传到查验网站。")
            return ExitCode.ok
        if action == "activity":
            names = [n for n in re.split(r"[,，、;；\s]+", args.apprentices) if n]
            act = reg.record_activity(args.date, args.mentor, names, args.content)
            print(f"已登记传帮带活动：{act.date} 师傅 {act.mentor}（{'、'.join(act.mentor_numbers)}），"
                  f"徒弟 {'、'.join(act.apprentices)}：{act.content}")
            return ExitCode.ok
        if action == "activities":
            acts = reg.activities(args.mentor)
            for act in acts:
                print(f"{act.date}  {_pad(act.mentor, 10)} 徒弟：{'、'.join(act.apprentices) or '—'}（{act.apprentice_count}人）"
                      f"  内容：{act.content}" + (f"  {act.hours:g}学时" if act.hours else "")
                      + (f"  成果：{act.results}" if act.results else ""))
            print(f"共 {len(acts)} 次传帮带活动。")
            return ExitCode.ok
        if action == "export":
            from pipeline.registry.store import export_xlsx

            target = args.out or output_dir(ctx) / "兴安技术能手数据库.xlsx"
            export_xlsx(reg, target, ctx.source_date, today, full_id=args.full_id)
            print(f"已导出：{target}")
            return ExitCode.ok
        problems = reg.integrity()
        if problems:
            print("证书数据库有问题：\n  " + "\n  ".join(problems), file=sys.stderr)
            print("处理办法：从 state/backups/ 或其他备份恢复该文件", file=sys.stderr)
            return ExitCode.findings
        rounds = reg.rounds()
        print(f"证书数据库完好：{path}；{len(rounds)} 届，{len(reg.certificates())} 张证书。")
        return ExitCode.ok


def _list(reg: Registry, year: int | None, status: str | None, today: dt.date) -> ExitCode:
    certs = reg.certificates(year, status, today)
    print(f"{_pad('证书编号', 16)}{_pad('姓名', 12)}{_pad('届次', 6)}{_pad('任期', 24)}{_pad('状态', 8)}工作单位及职务")
    for c in certs:
        print(f"{_pad(c.number, 16)}{_pad(c.name, 12)}{_pad(str(c.round), 6)}"
              f"{_pad(f'{c.term_start}—{c.term_end}', 24)}{_pad(STATUS_TITLES[c.status(today)], 8)}{c.unit}")
    print(f"共 {len(certs)} 张证书。")
    return ExitCode.ok


def _show(reg: Registry, number: str, today: dt.date) -> ExitCode:
    c = reg.get(number)
    print(f"证书编号：{c.number}\n姓名：{c.name}（{c.gender}）\n届次：{c.round}年度（编号 {c.code}，名次 {c.rank}）\n"
          f"工作单位及职务：{c.unit}\n职业（工种）：{c.occupation}\n任期：{c.term_start} 至 {c.term_end}\n"
          f"登记日期：{c.issued}\n状态：{STATUS_TITLES[c.status(today)]}")
    if c.recommender or c.decision:
        print(f"推荐单位：{c.recommender or '—'}\n表彰文号：{c.decision or '—'}")
    if c.revoked_on is not None:
        print(f"撤销：{c.revoked_on}，原因：{c.revoke_reason}")
    others = [o for o in reg.certificates() if o.person_id == c.person_id and o.number != c.number]
    for o in others:
        print(f"同一人的其他证书：{o.number}（{o.round}年度，{STATUS_TITLES[o.status(today)]}）")
    try:
        acts = reg.activities(c.number)
    except RegistryError:
        acts = []
    for act in acts:
        print(f"传帮带：{act.date} 徒弟 {'、'.join(act.apprentices) or '—'}（{act.apprentice_count}人）：{act.content}"
              + (f"，{act.hours:g}学时" if act.hours else "") + (f"，成果：{act.results}" if act.results else ""))
    return ExitCode.ok


def output_dir(ctx: RunContext) -> Path:
    """Where the registry's lists and reports go: output/registry/, or output/<edition>/registry/ for a demo
    edition (its fictional people have their own registry too)."""
    from pipeline.certificates.settings import certificate_options

    if certificate_options(ctx.edition).demo:
        return ctx.output / "registry"
    return ctx.output.parent / "registry"


def _template(ctx: RunContext, args: argparse.Namespace, path: Path, today: dt.date) -> ExitCode:
    from pipeline.registry import importer as ri

    if args.action == "template-import":
        target = args.out or ctx.output.parent / "registry" / "往届名单模板.xlsx"
        ri.write_template(target, "往届名单", ri.PAST_COLUMNS, ri.PAST_INSTRUCTIONS, ctx.source_date)
        print(f"已生成往届名单模板：{target}\n填好后运行 make registry ARGS=\"import 2024 文件.xlsx\"")
    else:
        target = args.out or ctx.output.parent / "registry" / "传帮带活动登记模板.xlsx"
        ri.write_template(target, "传帮带活动", ri.ACTIVITY_COLUMNS, ri.ACTIVITY_INSTRUCTIONS, ctx.source_date)
        print(f"已生成传帮带活动登记模板：{target}\n填好后运行 make registry ARGS=\"import-activities 文件.xlsx\"")
    return ExitCode.ok


def _import(ctx: RunContext, args: argparse.Namespace, path: Path, today: dt.date) -> ExitCode:
    from pipeline.registry import importer as ri
    from pipeline.registry.store import Numbering

    if args.action == "import":
        if not 2000 <= args.year <= today.year:
            raise RegistryError(f"年度 {args.year} 不合理", hint=f"写往届的年份（2000 至 {today.year}），如 2024")
        awards, problems = ri.read_past(args.file, args.year, today)
        settings = ctx.edition.certificates
        with open_registry(path) as reg:
            result = reg.import_round(args.year, str(args.file), awards, Numbering(settings.number_prefix,
                                      settings.number_format), settings.term_years, today, problems)
        what = f"{args.year}年度兴安技术能手"
    else:
        rows, problems = ri.read_activities(args.file, today)
        with open_registry(path, create=False) as reg:
            result = reg.import_activities(str(args.file), rows, problems)
        what = "传帮带活动"
    for line in result.added:
        print(f"  已导入：{line}")
    for line in result.unchanged:
        print(f"  已在数据库中：{line}")
    print(f"{args.file}：导入{what} {len(result.added)} 条，已在数据库中 {len(result.unchanged)} 条（未改动）。"
          + ("" if args.action == "import-activities" or not result.added else
             "\n数据库已改动：可运行 make registry ARGS=\"backup\" 备份；任期与状态见 make registry ARGS=\"terms\"。"))
    return ExitCode.ok


def _terms(ctx: RunContext, args: argparse.Namespace, path: Path, today: dt.date) -> ExitCode:
    from pipeline.registry.report import terms

    with open_registry(path, create=False) as reg:
        rows = terms(reg, today, args.year)
    print(f"{_pad('证书编号', 16)}{_pad('姓名', 12)}{_pad('届次', 6)}{_pad('任期开始', 12)}{_pad('任期届满', 12)}状态")
    for c, status in rows:
        print(f"{_pad(c.number, 16)}{_pad(c.name, 12)}{_pad(str(c.round), 6)}{_pad(str(c.term_start), 12)}"
              f"{_pad(str(c.term_end), 12)}{status}")
    scope = f"任期在 {args.year} 年届满的" if args.year else "全部"
    counts = "，".join(f"{s} {sum(1 for _, t in rows if t == s)} 人" for s in ("在期", "期满", "已撤销"))
    print(f"{scope}证书共 {len(rows)} 张（截至 {today}：{counts}）。")
    return ExitCode.ok


def _report(ctx: RunContext, args: argparse.Namespace, path: Path, today: dt.date) -> ExitCode:
    from pipeline.registry import report as rr

    year = args.year or today.year
    if not 2000 <= year <= 2200:
        raise RegistryError(f"年度 {year} 不合理", hint="写四位年份，如 2028")
    settings = rr.report_settings(ctx.edition)
    with open_registry(path, create=False) as reg:
        report = rr.build(reg, year, today, settings)
    folder = output_dir(ctx)
    title = f"兴安技术能手动态管理报告（{year}年）"
    pages = rr.write_pdf(report, folder / f"动态管理报告-{year}.pdf", ctx.edition, ctx.source_date, title)
    rr.write_xlsx(report, folder / f"动态管理报告-{year}.xlsx", ctx.source_date, title)
    print(f"已生成动态管理报告：{folder / f'动态管理报告-{year}.pdf'}（{pages} 页）和同名 .xlsx；"
          f"{year} 年在期 {len(report.in_term)} 人，任期届满 {len(report.ending)} 人，优先推荐 {len(report.recommended)} 人。")
    return ExitCode.ok


def _backup(ctx: RunContext, args: argparse.Namespace, path: Path, today: dt.date) -> ExitCode:
    from pipeline.registry import store as registry

    now = dt.datetime.now()
    if args.action == "backup":
        target = args.out or registry.default_backup(path, now)
        with open_registry(path, create=False) as reg:
            digest = registry.backup(reg, target)
        print(f"已备份证书数据库：{target}\n校验文件：{target}{registry.CHECKSUM_SUFFIX}（sha256 {digest[:16]}…）\n"
              f"恢复：make registry ARGS=\"restore {target}\"")
        return ExitCode.ok
    aside = registry.restore(path, args.file, now, force=args.force)
    print(f"已从备份 {args.file} 恢复证书数据库 {path}（校验和、完整性均已核对）。"
          + (f"\n原数据库另存为 {aside}" if aside else ""))
    return ExitCode.ok


_OWN = {"template-import": _template, "template-activities": _template, "import": _import,
        "import-activities": _import, "terms": _terms, "report": _report, "backup": _backup, "restore": _backup}
"""Actions that open the registry themselves (or not at all)."""
