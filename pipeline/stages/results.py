"""汇总评分：核对交回的评分表，计算平均分并排名，确定拟表彰人选，生成评审结果。

Expert review results: returned score sheets → ranking, selection, 评审结果 and the awardee list.

Stage `results`: shortlist + `<edition>/review/scores/*.xlsx` (+ `review/决定.xlsx` after a tie)
→ output/<edition>/results/ (评审结果.pdf, 评审结果.xlsx, awardees.json — the list the
publicity, media and certificate stages read, see pipeline.stages.awardees).

Every returned sheet is verified (pipeline.review.sheets): each problem names file, sheet
and cell, and all of them are reported at once. Scores are aggregated per criterion (mean of
the experts; with drop_extremes and ≥ 5 experts without the highest and lowest total), ranked,
and at most min(quota, shortlist ÷ ratio) are selected. Equal totals across the cut-off stop
the stage and ask the leading group for a decision in review/决定.xlsx.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.core.context import RunContext
from pipeline.core.edition import Criterion
from pipeline.core.errors import ExitCode, StageError
from pipeline.core.model import CheckResult
from pipeline.core.stamps import changes, read_stamp, replacing, write_stamp
from pipeline.render import office
from pipeline.render.wordbreak import char_width
from pipeline.review import decisions
from pipeline.review.notice import sealed_layout
from pipeline.review.problems import Problem, TieError, raise_errors
from pipeline.review.render import Manifest, file_hash, fingerprint, font_context, html_to_pdf
from pipeline.review.scoring import (
    DROP_MIN_EXPERTS,
    Outcome,
    Scored,
    aggregate,
    find_tie,
    ranked,
    resolve_tie,
    select,
    total_text,
)
from pipeline.review.sheets import ExpertSheet, list_returned, read_score_sheet, sheet_filename
from pipeline.rules.workdays import cn_date
from pipeline.stages.awardees import awardees_path, save_awardees
from pipeline.stages.scoresheets import check_experts
from pipeline.stages.shortlist import Shortlist, build_shortlist


@dataclass(frozen=True)
class ReviewResults:
    """The outcome of the expert review."""

    shortlist: Shortlist
    """The shortlist the experts scored."""
    experts: tuple[str, ...]
    """The experts, in edition order."""
    criteria: tuple[Criterion, ...]
    """The scoring criteria."""
    scored: dict[str, Scored]
    """编号 → aggregated scores."""
    outcome: Outcome
    """Ranking and selection."""
    warnings: tuple[Problem, ...]
    """Problems that did not stop the stage (e.g. a sheet whose protection was removed)."""
    folder: Path
    """output/<edition>/results/."""

    @property
    def check(self) -> CheckResult:
        """The check result underneath."""
        return self.shortlist.check

    @property
    def selected(self) -> tuple[Scored, ...]:
        """The selected, in rank order."""
        return tuple(s for s in self.outcome.order if s.code in self.outcome.selected)


def scores_dir(ctx: RunContext) -> Path:
    """<edition>/review/scores/."""
    return ctx.edition.review_dir / "scores"


def read_returned(ctx: RunContext, shortlist: Shortlist) -> tuple[list[ExpertSheet], list[Problem]]:
    """Every returned sheet in review/scores/ → verified sheets and all problems, by file/sheet/cell."""
    edition = ctx.edition
    experts = check_experts(ctx)
    folder = scores_dir(ctx)
    xlsx, others = list_returned(folder)
    problems: list[Problem] = []
    for other in others:
        problems.append(Problem("SHEET_FORMAT", f"review/scores/{other.name}", "", "",
                                f"评分表是 {other.suffix} 格式，无法核对", "用 Excel 或 WPS 打开后另存为 .xlsx，再删除原文件"))
    sheets: list[ExpertSheet] = []
    owner: dict[str, str] = {}
    claimed: set[str] = set()
    for path in xlsx:
        rel = f"review/scores/{path.name}"
        read = read_score_sheet(path, rel, year=edition.round.year, experts=experts,
                                criteria=edition.review.criteria, shortlist=shortlist.names)
        problems += read.problems
        if read.expert:
            claimed.add(read.expert)
        sheet = read.sheet
        if sheet is None:
            continue
        if sheet.expert in owner:
            problems.append(Problem(
                "SHEET_DUPLICATE_EXPERT", rel, "评分表", "A2",
                f"专家 {sheet.expert} 的评分表有两份：{owner[sheet.expert]} 和 {rel}",
                "只保留一份（专家最终确认的那份），另一份移出 review/scores/"))
            continue
        owner[sheet.expert] = rel
        sheets.append(sheet)
    for expert in experts:
        if expert not in claimed:
            problems.append(Problem(
                "SHEET_EXPERT_MISSING", f"review/scores/{sheet_filename(expert)}", "", "",
                f"专家 {expert} 的评分表还没有交回（review/scores/ 中没有）",
                f"把专家填好的评分表放入 {folder}；如该专家不参加评审，从 edition.toml 的 [review] experts 中删去"
                "并重新生成评分表"))
    order = {e: i for i, e in enumerate(experts)}
    sheets.sort(key=lambda s: order[s.expert])
    return sheets, problems


STAMP = "results"
"""The stage stamp (pipeline.core.stamps) that vouches for awardees.json and 评审结果."""


def results_outputs(ctx: RunContext) -> list[Path]:
    """What `make results` replaces: the awardee list, 评审结果.pdf and 评审结果.xlsx."""
    folder = ctx.output / "results"
    return [awardees_path(ctx), folder / "评审结果.pdf", folder / "评审结果.xlsx"]


def results_inputs(ctx: RunContext, check: CheckResult) -> dict[str, str]:
    """What the awardee list is made from, as it is now: label → hash (see pipeline.core.stamps)."""
    review = ctx.edition.review_dir
    settings = json.dumps([ctx.edition.raw.get("round"), ctx.edition.raw.get("review")], sort_keys=True, default=str)
    nominees = json.dumps([(n.candidate.code, n.candidate.name, n.ok) for n in check.nominees], ensure_ascii=False)
    inputs = {
        "edition.toml 中的 [round] 和 [review] 设置": hashlib.sha256(settings.encode()).hexdigest(),
        "名册中的推荐人选（编号、姓名或审查结果）": hashlib.sha256(nominees.encode()).hexdigest(),
        f"初审结果 review/{decisions.PRELIMINARY_FILE}": file_hash(review / decisions.PRELIMINARY_FILE),
        "拟表彰人选名单 results/awardees.json": file_hash(awardees_path(ctx)),
    }
    xlsx, others = list_returned(scores_dir(ctx))
    for path in sorted([*xlsx, *others]):
        inputs[f"评分表 review/scores/{path.name}"] = file_hash(path)
    decision = review / decisions.DECISION_FILE
    if decision.is_file():
        inputs[f"并列人选决定表 review/{decisions.DECISION_FILE}"] = file_hash(decision)
    return inputs


def require_current_results(ctx: RunContext, check: CheckResult) -> None:
    """StageError unless the last `make results` succeeded and nothing it was made from changed since."""
    path = awardees_path(ctx)
    stamp = read_stamp(ctx, STAMP)
    if stamp is None:
        if path.is_file():
            raise StageError("评审结果不可用：上次 make results 没有成功完成（失败或被中断），拟表彰人选名单可能已过期",
                             hint="先运行 make results，成功后再运行本命令", file=str(path))
        raise StageError("还没有评审结果（拟表彰人选名单）", hint="先运行 make results", file=str(path))
    changed = changes(stamp.inputs, results_inputs(ctx, check))
    if changed:
        raise StageError(
            f"评审结果已过期：上次运行 make results（{stamp.when}）之后，{'；'.join(changed)}",
            hint="请先运行 make results（名单有变化时再运行 make publicity 更新公示），然后重新运行本命令",
            file=str(path))


def build_results(ctx: RunContext, shortlist: Shortlist | None = None) -> ReviewResults:
    """Shortlist + returned score sheets (+ 决定.xlsx) → ReviewResults, with every output up to date.

    The stamp is removed first and written last; any failure removes the awardee list and 评审结果
    (pipeline.core.stamps.replacing), so nobody reads or issues from stale ones.
    """
    with replacing(ctx, "评审结果", results_outputs(ctx), stage=STAMP):
        shortlist = shortlist if shortlist is not None else build_shortlist(ctx)
        results = _build(ctx, shortlist)
    write_stamp(ctx, STAMP, results_inputs(ctx, results.check))
    return results


def _build(ctx: RunContext, shortlist: Shortlist) -> ReviewResults:
    """Shortlist + sheets → ReviewResults (the body of build_results)."""
    edition = ctx.edition
    sheets, problems = read_returned(ctx, shortlist)
    raise_errors("交回的评分表有 {n} 处问题，无法汇总：", problems,
                 hint=f"按每条的处理办法处理后重新运行 make results（评分表在 {scores_dir(ctx)}）")
    warnings = tuple(p for p in problems if p.warning)
    for w in warnings:
        ctx.say(f"提示：{w}")

    weights = [Fraction(repr(c.weight)) for c in edition.review.criteria]
    experts = tuple(s.expert for s in sheets)
    scored = {code: aggregate(code, [s.scores[code] for s in sheets], weights, edition.review.drop_extremes)
              for code in shortlist.codes}
    items = ranked(list(scored.values()), shortlist.codes)
    k = shortlist.select
    tie = find_tie(items, k)
    decision_path = edition.review_dir / decisions.DECISION_FILE
    decision_rel = f"review/{decisions.DECISION_FILE}"
    chosen: tuple[str, ...] | None = None
    names = shortlist.names
    if tie is not None:
        units = {n.candidate.code: n.candidate.unit_and_post for n in shortlist.nominees}
        who = "、".join(f"{c} {names[c]}" for c in tie.codes)
        if not decision_path.exists() or not decisions.is_filled(decision_path, "决定", "说明"):
            rows = [(i, c, names[c], units[c], total_text(tie.total)) for i, c in enumerate(tie.codes, start=1)]
            decisions.write_decision(decision_path, edition.round.title, tie.slots, rows, ctx.source_date)
            raise TieError(
                f"专家评审总分并列，跨越入选线：{who} 的总分均为 {total_text(tie.total)}（并列第 {tie.above + 1} 名），"
                f"但只剩 {tie.slots} 个名额（本届选拔 {k} 人）。不能按名单顺序或随机决定，须由领导小组研究决定",
                tie.codes,
                hint=f"已生成 {decision_path}：请在“决定”列为其中 {tie.slots} 人填写“入选”、其余填写“不入选”，"
                     "保存后重新运行 make results",
                file=str(decision_path))
        found, decision_problems = decisions.read_decision(decision_path, decision_rel, shortlist.codes)
        chosen, more = resolve_tie(tie, found, decision_rel, decisions.DECISION_SHEET)
        raise_errors(f"并列人选决定表 {decision_rel} 有 {{n}} 处问题：", decision_problems + more,
                     hint=f"修改 {decision_path} 后重新运行 make results")
        ctx.say(f"按领导小组决定（{decision_rel}）处理并列：" + "、".join(
            f"{c} {names[c]}{'入选' if chosen and c in chosen else '不入选'}" for c in tie.codes))
    elif decision_path.exists():
        ctx.say(f"提示：{decision_rel} 未使用（目前没有跨越入选线的并列）。")
    outcome = select(items, k, chosen, tie)
    results = ReviewResults(shortlist, experts, edition.review.criteria, scored, outcome, warnings,
                            ctx.output / "results")
    save_awardees(ctx, [(s.code, float(s.total)) for s in results.selected])
    _write_outputs(ctx, results, [file_hash(decision_path) if tie else ""])
    return results


# ---- documents -----------------------------------------------------------------------------------

def _num(value: Fraction) -> str:
    """A score → '87.33'."""
    return f"{float(value):.2f}"


def _table(results: ReviewResults) -> list[dict[str, Any]]:
    """The rows of 评审结果, in final order."""
    by_code = {n.candidate.code: n.candidate for n in results.shortlist.nominees}
    rows = []
    for place, s in zip(results.outcome.places, results.outcome.order, strict=True):
        c = by_code[s.code]
        status = "入选" if s.code in results.outcome.selected else "未入选"
        if s.code in results.outcome.decided:
            status += "（领导小组决定）"
        rows.append({
            "place": place, "code": s.code, "name": c.name, "unit": c.unit_and_post,
            "means": [_num(m) for m in s.means],
            "experts": [(_num(t), kept) for t, kept in zip(s.expert_totals, s.kept, strict=True)],
            "total": _num(s.total), "selected": s.code in results.outcome.selected, "status": status,
        })
    return rows


def _method(results: ReviewResults, ctx: RunContext) -> str:
    """Results → the sentence explaining how the ranking was made."""
    n = len(results.experts)
    crit = "、".join(f"{c.name}（{c.weight * 100:g}%）" for c in results.criteria)
    drop = ctx.edition.review.drop_extremes and n >= DROP_MIN_EXPERTS
    how = "去掉一个最高分和一个最低分后取平均" if drop else "取全部专家的平均"
    return (f"专家评审组 {n} 名专家对 {len(results.shortlist.nominees)} 名提名人选的{crit}分别评分；"
            f"每名候选人按各专家的加权合计{how}，得出各项平均分和总分，按总分从高到低排序。"
            f"候选人数与选拔人数按{ctx.edition.round.shortlist_ratio}：1比例确定，本届选拔 "
            f"{len(results.outcome.selected)} 人。")


def _write_outputs(ctx: RunContext, results: ReviewResults, extra: list[str]) -> None:
    """Results → 评审结果.pdf and .xlsx, unless made from the same data already."""
    edition = ctx.edition
    rows = _table(results)
    _, pdf, xlsx = results_outputs(ctx)
    manifest = Manifest(ctx, "results")
    method = _method(results, ctx)
    warnings = [str(w) for w in results.warnings]
    key = fingerprint(rows, results.experts, method, warnings, extra, edition.raw, str(ctx.source_date))
    if manifest.current(key, [pdf, xlsx]):
        return
    ctx.say(f"生成评审结果：{len(rows)} 人，入选 {len(results.outcome.selected)} 人")
    title = f"{edition.round.title}专家评审结果"
    html = render_results_html(ctx, results, rows, method, warnings)
    html_to_pdf(html, pdf, title=title, author=edition.office.name, when=ctx.source_date)
    _write_xlsx(ctx, results, rows, xlsx, title, method)
    manifest.record(key)


RESULTS_WIDTH_MM = 297 - 30
"""Width of the 评审结果 table: A4 landscape less 15 mm margins."""
RESULTS_FIXED_MM = 9 + 11
"""名次 and 编号 columns."""
RESULTS_UNIT_MM = 56
"""The 工作单位及职务 column keeps at least this width; it takes what the other columns leave."""
RESULTS_SCORE_MM = 13.5
"""A score column when there is room: '100.00' in 10.5 pt bold on one line (wider for longer heads)."""


def render_results_html(ctx: RunContext, results: ReviewResults, rows: list[dict[str, Any]], method: str,
                        warnings: list[str]) -> str:
    """The HTML of 评审结果.pdf.

    Names, scores and results never wrap: their columns take their longest value and the unit the
    rest. The leading group's office signs under GB/T 9704 7.3.5.1, dated the last day of the
    expert review (the documents' creation date when edition.toml has no [phases] expert_review):
    the date four characters from the right, the office centred over it, a 45 mm seal space
    pressing both (`sealed_layout`), kept with the last rows.
    """
    from pipeline.render.templating import render

    edition = ctx.edition
    phase = edition.phases.get("expert_review")
    date = cn_date(phase.end if phase else ctx.source_date.date())
    name_mm = _fit_mm([r["name"] for r in rows], 17)
    words = [r["status"].partition("（") for r in rows]   # '入选（领导小组决定）' may break before its bracket
    status_mm = max(_fit_mm([w for w, _, _ in words], 22), _fit_mm([b + why for _, b, why in words], 0, size=9))
    scores = len(results.criteria) + len(results.experts) + 1
    room = RESULTS_WIDTH_MM - RESULTS_FIXED_MM - name_mm - status_mm - RESULTS_UNIT_MM
    heads = _fit_mm([c.name for c in results.criteria] + list(results.experts), RESULTS_SCORE_MM, size=9)
    score_mm = round(min(heads, room / scores), 1)
    return render("review/results.html.j2", edition=edition, rows=rows, experts=results.experts,
                  criteria=results.criteria, method=method, warnings=warnings, font=font_context(edition),
                  selected=len(results.outcome.selected), date=date, seal=sealed_layout(edition.office.name, date),
                  name_mm=name_mm, status_mm=status_mm, score_mm=score_mm)


def _fit_mm(values: list[str], least: float, *, size: float = 10.5) -> float:
    """Width in mm of a 评审结果 column whose values never wrap (type size in pt; padding and slack included)."""
    em = size * 25.4 / 72
    return round(max([least, *(char_width(v) * em + 2.6 for v in values)]), 1)


def _write_xlsx(ctx: RunContext, results: ReviewResults, rows: list[dict[str, Any]], target: Path,
                title: str, method: str) -> None:
    """Results → 评审结果.xlsx (dropped scores struck through, selected rows shaded)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "评审结果"
    headers: list[tuple[str, float]] = [("名次", 6), ("编号", 8), ("姓名", 10), ("工作单位及职务", 32)]
    headers += [(f"{c.name}\n平均分", 10) for c in results.criteria]
    headers += [(f"{e}\n加权合计", 10) for e in results.experts]
    headers += [("总分", 10), ("结果", 18)]
    note = method + "带删除线的分数按规定未计入。"
    _, border = office.list_heading(ws, title, headers, note=note, note_size=10.5, note_height=40, header_size=10.5)
    ws.row_dimensions[3].height = 32
    selected_fill = PatternFill("solid", fgColor="E2EFDA")
    for r, row in enumerate(rows, start=4):
        values: list[tuple[Any, bool]] = [(row["place"], True), (row["code"], True), (row["name"], True),
                                          (row["unit"], True)]
        values += [(float(m), True) for m in row["means"]]
        values += [(float(t), kept) for t, kept in row["experts"]]
        values += [(float(row["total"]), True), (row["status"], True)]
        for col, (value, kept) in enumerate(values, start=1):
            cell = office.put(ws, r, col, value)
            cell.font = Font(name="仿宋", size=10.5, strike=not kept, color=None if kept else "808080")
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="left" if col == 4 else "center")
            if isinstance(value, float):
                cell.number_format = "0.00"
            if row["selected"]:
                cell.fill = selected_fill
    office.print_setup(ws, title_rows="3:3", freeze="E4")
    ws.oddHeader.right.text = "内部资料　注意保存"  # the ranking is internal (as the PDF's running head)
    ws.oddHeader.right.font = "黑体,常规"
    ws.oddHeader.right.size = 10
    office.save_workbook(wb, target, ctx.source_date)


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make results`: exit 1 when nominees with check errors had to be left out."""
    results = build_results(ctx)
    ctx.say(f"评审结果：入选 {len(results.outcome.selected)} 人 → {results.folder / '评审结果.pdf'}；"
            f"拟表彰人选名单 {awardees_path(ctx)}")
    return ExitCode.findings if results.shortlist.blocked else ExitCode.ok
