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

from pipeline import model
from pipeline.context import RunContext
from pipeline.errors import ExitCode
from pipeline.registry import STATUS_TITLES, Registry, RegistryError, open_registry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the actions of the `registry` command."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="操作")
    p = sub.add_parser("list", help="列出证书（可按届次、状态筛选）")
    p.add_argument("--round", type=int, help="届次年份，如 2027")
    p.add_argument("--status", choices=sorted(STATUS_TITLES), help="valid 有效 / expired 已期满 / revoked 已撤销")
    p = sub.add_parser("show", help="查看一张证书及其传帮带活动")
    p.add_argument("number", help="证书编号")
    p = sub.add_parser("revoke", help="撤销证书（须写明原因）")
    p.add_argument("number", help="证书编号")
    p.add_argument("--reason", required=True, help="撤销原因（仅存于数据库，不公布）")
    p.add_argument("--date", type=_date, help="撤销日期（默认今天），如 2027-09-01")
    p = sub.add_parser("activity", help="登记一次传帮带活动")
    p.add_argument("--mentor", required=True, help="师傅：证书编号或姓名")
    p.add_argument("--date", required=True, type=_date, help="活动日期，如 2027-10-12")
    p.add_argument("--apprentices", required=True, help="徒弟（学员）姓名，用逗号或顿号分隔")
    p.add_argument("--content", required=True, help="活动内容")
    p = sub.add_parser("activities", help="列出传帮带活动")
    p.add_argument("--mentor", help="只看某位师傅（证书编号或姓名）")
    p = sub.add_parser("export", help="导出整个数据库为 Excel")
    p.add_argument("--out", type=Path, help="输出文件（默认 output/<届次>/registry/兴安技术能手数据库.xlsx）")
    p.add_argument("--full-id", action="store_true", help="导出完整身份证号码（默认只显示前6位和后4位）")
    sub.add_parser("check", help="检查数据库文件是否完好")


def _date(text: str) -> dt.date:
    """'2027-09-01' (also 2027.9.1, 2027年9月1日, full-width digits) → date; argparse error otherwise."""
    text = unicodedata.normalize("NFKC", text).strip()
    m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?", text)
    try:
        if m is None:
            raise ValueError(text)
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无法识别，请写成 2027-09-01") from None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make registry ARGS="…"`: run one registry action; exit 0 done, 1 refused (reason printed)."""
    from pipeline.stages.certificates import certificate_options

    path = certificate_options(ctx.edition).registry
    action = args.action
    today = model.today()
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
                from pipeline import signing

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
                print(f"{act.date}  {_pad(act.mentor, 10)} 徒弟：{'、'.join(act.apprentices)}  内容：{act.content}")
            print(f"共 {len(acts)} 次传帮带活动。")
            return ExitCode.ok
        if action == "export":
            from pipeline.registry import export_xlsx

            target = args.out or ctx.output / "registry" / "兴安技术能手数据库.xlsx"
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
        print(f"传帮带：{act.date} 徒弟 {'、'.join(act.apprentices)}：{act.content}")
    return ExitCode.ok
