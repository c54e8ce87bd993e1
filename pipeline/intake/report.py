"""output/<edition>/intake/汇总报告.html and .xlsx: per unit what was received and what is wrong, and the changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.intake.assemble import Outcome
from pipeline.render import office
from pipeline.render.templating import render

SEVERITY = {"error": "问题", "warning": "提示"}


def _received(name: str, received: list[str]) -> list[str]:
    """What a unit sent, named inside its folder: '文件夹', 'x.zip', 'x.zip：y.zip'."""
    shown = [r.removeprefix(f"{name}/") or "文件夹" for r in received]
    return shown or ["（未能读取）"]


def _units(outcome: Outcome) -> list[dict[str, Any]]:
    return [{"name": u.name, "received": _received(u.name, u.received), "nominees": len(u.nominees), "files": u.files,
             "errors": sum(p.severity == "error" for p in u.problems),
             "warnings": sum(p.severity == "warning" for p in u.problems), "problems": u.problems}
            for u in outcome.units]


def write_reports(ctx: RunContext, outcome: Outcome, folder: Path) -> tuple[Path, Path]:
    """Both reports into `folder`; their paths."""
    units = _units(outcome)
    problems = [p for u in outcome.units for p in u.problems]
    html = render("intake/report.html.j2", edition=ctx.edition, units=units, problems=problems,
                  changes=outcome.changes, people=outcome.people, roster_written=outcome.roster_written,
                  errors=sum(p.severity == "error" for p in problems),
                  warnings=sum(p.severity == "warning" for p in problems),
                  generated=f"{ctx.source_date.year}年{ctx.source_date.month}月{ctx.source_date.day}日")
    html_path, xlsx_path = folder / "汇总报告.html", folder / "汇总报告.xlsx"
    atomic.write_text(html_path, html)

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "各单位"
    title = ctx.edition.round.title
    first, border = office.list_heading(ws, f"{title}申报材料汇总", (("推荐单位", 24), ("收到", 30), ("推荐人选", 9),
                                                                        ("文件", 7), ("问题", 7), ("提示", 7)))
    for r, u in enumerate(units, start=first):
        for cell in office.put_row(ws, r, [u["name"], "、".join(u["received"]), u["nominees"], u["files"],
                                           u["errors"], u["warnings"]]):
            cell.border = border
    office.print_setup(ws, title_rows=f"{first - 1}:{first - 1}", freeze=f"A{first}")

    ws = wb.create_sheet("问题")
    first, border = office.list_heading(ws, f"{title}申报材料问题", (("推荐单位", 20), ("人选", 12), ("文件", 24),
                                                                      ("类别", 6), ("问题", 40), ("处理办法", 36), ("代码", 14)))
    for r, p in enumerate(problems, start=first):
        for cell in office.put_row(ws, r, [p.unit, p.person, p.file, SEVERITY.get(p.severity, p.severity), p.message,
                                           p.hint, p.code]):
            cell.border = border
    office.print_setup(ws, title_rows=f"{first - 1}:{first - 1}", freeze=f"A{first}")

    ws = wb.create_sheet("变动")
    first, border = office.list_heading(ws, f"{title}本次汇总的变动", (("推荐单位", 20), ("人选", 12), ("变动", 14),
                                                                        ("内容", 50)))
    for r, c in enumerate(outcome.changes, start=first):
        for cell in office.put_row(ws, r, [c.unit, c.person, c.kind, c.detail]):
            cell.border = border
    office.print_setup(ws, title_rows=f"{first - 1}:{first - 1}", freeze=f"A{first}")
    office.save_workbook(wb, xlsx_path, ctx.source_date)
    return html_path, xlsx_path
