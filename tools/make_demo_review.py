"""Write the demo round's review inputs: review/初审.xlsx, five filled expert score sheets, review/公示异议.xlsx.

    .venv/bin/python tools/make_demo_review.py [--edition input/demo]

Run after the demo roster exists (tools/make_demo.py). Everything is deterministic: the same
roster gives byte-identical files. The 初审 passes 40 of the 44 nominees (the four left out are
chosen by a hash of their 编号, with a remark); the score sheets are made by the pipeline's own
generator (pipeline.stages.scoresheets) and filled with scores derived from hashes, re-salted
until no two totals tie at the cut-off, so `make demo` runs through without a person in the loop.
The 公示异议 record shows the format with one objection about the best-ranked nominee, checked and
found 不成立, so `make decision` issues the 表彰决定.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.core.context import RunContext  # noqa: E402
from pipeline.core.edition import PROJECT_ROOT, load_edition  # noqa: E402
from pipeline.core.model import CheckResult  # noqa: E402
from pipeline.render import office  # noqa: E402
from pipeline.review import decisions  # noqa: E402
from pipeline.review.objections import UNFOUNDED, objection_path, write_objection_sheet  # noqa: E402
from pipeline.review.scoring import aggregate, find_tie, ranked  # noqa: E402
from pipeline.review.sheets import FIRST_ROW, FIRST_SCORE_COL, build_workbook, sheet_filename  # noqa: E402
from pipeline.stages.check import run_check
from pipeline.stages.scoresheets import sheet_specs  # noqa: E402
from pipeline.stages.shortlist import build_shortlist, preliminary_path, write_preliminary_sheet  # noqa: E402

NOT_PASSED_REMARK = "经综合比较，本届未列入提名人选"


def _h(*parts: object) -> int:
    """Parts → a stable integer hash (the demo's only source of variation)."""
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def write_preliminary(ctx: RunContext, passed: int) -> CheckResult:
    """初审.xlsx with the first `passed` clean nominees (by hash order) marked 通过."""
    from openpyxl import load_workbook

    check = run_check(ctx)
    clean = [n.candidate.code for n in check.nominees if n.ok]
    if len(clean) < len(check.nominees):
        print(f"注意：{len(check.nominees) - len(clean)} 人审查有错误，初审表中标为不通过", file=sys.stderr)
    keep = set(sorted(clean, key=lambda c: _h("prelim", c))[:passed])
    path = preliminary_path(ctx)
    path.unlink(missing_ok=True)
    write_preliminary_sheet(ctx, check, path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for r in range(4, ws.max_row + 1):
        code = ws.cell(r, 2).value
        if code is None:
            continue
        if str(code) in keep:
            ws.cell(r, 9).value = decisions.PASS
        else:
            ws.cell(r, 9).value = decisions.FAIL
            ws.cell(r, 10).value = NOT_PASSED_REMARK if str(code) in clean else "审查有错误"
    # the remarks are typed in after the pipeline wrote the sheet: fit the rows again, as the office
    # would (Excel's 自动调整行高), so the printed 初审 passes the preflight
    office.fit_sheet(ws, body_row=int(str(ws.print_title_rows).split(":")[-1].lstrip("$")) + 1)
    office.save_workbook(wb, path, ctx.source_date)
    return check


def demo_scores(expert: str, code: str, criterion: int, salt: int) -> int:
    """A plausible integer score: the nominee's level, the expert's severity, a little noise."""
    level = 72 + _h(salt, "level", code) % 20          # 72 … 91
    severity = _h(salt, "expert", expert) % 7 - 3      # −3 … +3
    leaning = _h(salt, "crit", code, criterion) % 7 - 3
    noise = _h(salt, "noise", expert, code, criterion) % 9 - 4
    return max(60, min(99, level + severity + leaning + noise))


def write_sheets(ctx: RunContext) -> tuple[int, str]:
    """The filled score sheets in review/scores/; returns the salt that avoided a tie at the cut-off and
    the 编号 ranked first."""
    shortlist = build_shortlist(ctx)
    specs = sheet_specs(ctx, shortlist)
    weights = [Fraction(repr(c.weight)) for c in ctx.edition.review.criteria]
    ncrit = len(weights)
    for salt in range(1000):
        table = {code: [[Fraction(demo_scores(s.expert, code, j, salt)) for j in range(ncrit)] for s in specs]
                 for code in shortlist.codes}
        scored = [aggregate(code, rows, weights, ctx.edition.review.drop_extremes) for code, rows in table.items()]
        items = ranked(scored, shortlist.codes)
        if find_tie(items, shortlist.select) is None:
            break
    else:
        raise SystemExit("找不到没有并列的演示分数")
    folder = ctx.edition.review_dir / "scores"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    for i, spec in enumerate(specs):
        wb = build_workbook(spec)
        ws = wb["评分表"]
        for r, row in enumerate(spec.rows, start=FIRST_ROW):
            assert ws.cell(r, 2).value == row.code
            for j in range(ncrit):
                ws.cell(r, FIRST_SCORE_COL + j).value = demo_scores(spec.expert, row.code, j, salt)
        office.save_workbook(wb, folder / sheet_filename(spec.expert), ctx.source_date)
        print(f"  {folder / sheet_filename(spec.expert)}（专家 {i + 1}/{len(specs)}）")
    return salt, items[0].code


def write_objections(ctx: RunContext, check: CheckResult, code: str) -> None:
    """review/公示异议.xlsx with one objection about `code`, checked and found 不成立."""
    name = next(n.candidate.name for n in check.nominees if n.candidate.code == code)
    row = ("2027-05-12", "匿名", code, name, f"反映{name}同志申报材料中的技术成果系班组集体完成，并非本人独立取得。",
           UNFOUNDED, "经向推荐单位和班组核实，该成果由本人主持完成，并有成果证书和单位证明，反映情况不属实。")
    write_objection_sheet(objection_path(ctx.edition.review_dir), ctx.edition.round.title, [row], ctx.source_date)


def main() -> int:
    """Write the demo's 初审.xlsx and filled score sheets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--edition", type=Path, default=PROJECT_ROOT / "input" / "demo")
    parser.add_argument("--passed", type=int, default=40, help="how many pass the 初审 (default 40)")
    args = parser.parse_args()
    ctx = RunContext(load_edition(args.edition), quiet=True)
    (ctx.edition.review_dir / decisions.DECISION_FILE).unlink(missing_ok=True)
    check = write_preliminary(ctx, args.passed)
    print(f"初审表：{preliminary_path(ctx)}")
    salt, first = write_sheets(ctx)
    print(f"评分表已填写（salt={salt}，入选线上无并列）")
    write_objections(ctx, check, first)
    print(f"公示异议登记表：{objection_path(ctx.edition.review_dir)}")
    return 0


if __name__ == "__main__":
    from pipeline.core.errors import PipelineError

    try:
        raise SystemExit(main())
    except PipelineError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        raise SystemExit(int(exc.exit_code)) from None
