"""动态管理 of the 兴安技术能手数据库 (§四(四), §四(五)2): terms, 传帮带 totals, the 优先推荐 list.

    terms(reg, today)            every certificate with its term and status 在期 / 期满 / 已撤销
    build(reg, year, …)          the year's report data
    write_pdf / write_xlsx       动态管理报告-<year>.pdf|.xlsx (ID numbers masked)

A term is `[certificates] term_years` long and starts on the 表彰决定 date: for rounds issued here the
certificate's term start (the issue date, which is the decision date), for imported rounds the
表彰日期 of the office's list.

The 优先推荐 rule for 龙江技术能手 / 龙江工匠 (§四(四)) is printed in the report itself: not revoked;
in term on some day of the year (in term, or the term ended within the year); at least
`[registry] recommend_min_activities` 传帮带 activities with at least `recommend_min_hours` hours
recorded since the term began.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.edition import Edition, section
from pipeline.registry.store import Activity, Certificate, Registry, mask_id

TERM_TITLES: dict[str, str] = {"valid": "在期", "expired": "期满", "revoked": "已撤销"}
"""Certificate.status → the word of the notice's 动态管理."""


@dataclass(frozen=True)
class ReportSettings:
    """[registry] of edition.toml."""

    recommend_min_activities: int
    """传帮带 activities since the term began needed for the 优先推荐 list."""
    recommend_min_hours: float
    """传帮带 hours since the term began needed for the 优先推荐 list."""


def report_settings(edition: Edition) -> ReportSettings:
    """Edition in → its [registry] settings (defaults: 1 activity, 0 hours); EditionConfigError when out of range."""
    s = section(edition, "registry", edition.raw.get("registry"),
                {"recommend_min_activities": 1, "recommend_min_hours": 0})
    return ReportSettings(s.integer("recommend_min_activities", 0, 100, "（次）"),
                          s.number("recommend_min_hours", 0, 10_000, "（学时）"))


@dataclass
class Person:
    """One honouree in the year's report (their latest certificate that overlaps the year)."""

    cert: Certificate
    masked_id: str
    status: str
    """在期 / 期满 / 已撤销 on the report's reference day."""
    unit_key: str
    """推荐单位 when known, else 工作单位及职务: the unit of the per-unit totals."""
    year_acts: list[Activity] = field(default_factory=list)
    term_acts: list[Activity] = field(default_factory=list)

    @staticmethod
    def _sum(acts: Sequence[Activity]) -> tuple[int, int, float]:
        return len(acts), sum(a.apprentice_count for a in acts), round(sum(a.hours for a in acts), 2)

    @property
    def year_totals(self) -> tuple[int, int, float]:
        """(activities, apprentices, hours) within the year."""
        return self._sum(self.year_acts)

    @property
    def term_totals(self) -> tuple[int, int, float]:
        """(activities, apprentices, hours) since the term began."""
        return self._sum(self.term_acts)

    @property
    def honour(self) -> str:
        """e.g. 2024年度兴安技术能手."""
        return f"{self.cert.round}年度兴安技术能手"

    @property
    def results(self) -> str:
        """The 成果 recorded since the term began, joined."""
        return "；".join(dict.fromkeys(a.results for a in self.term_acts if a.results))


@dataclass(frozen=True)
class UnitTotal:
    """传帮带 of one unit within the year."""

    unit: str
    people: int
    activities: int
    apprentices: int
    hours: float


@dataclass(frozen=True)
class Report:
    """The year's 动态管理 report."""

    year: int
    reference: dt.date
    """Status day: 31 December of the year, or today when that is earlier."""
    in_term: list[Person]
    """Honourees whose term overlaps the year and who were not revoked before it (status on the reference day)."""
    ending: list[Person]
    """Terms ending within the year (not revoked)."""
    units: list[UnitTotal]
    recommended: list[Person]
    rule: str
    """The 优先推荐 rule in words."""


def status_on(cert: Certificate, day: dt.date) -> str:
    """Certificate and day → 在期 / 期满 / 已撤销."""
    if cert.revoked_on is not None and cert.revoked_on <= day:
        return TERM_TITLES["revoked"]
    return TERM_TITLES["expired" if day > cert.term_end else "valid"]


def terms(reg: Registry, today: dt.date, year: int | None = None) -> list[tuple[Certificate, str]]:
    """Every certificate (or those whose term ends in `year`) with its status today, by term end."""
    certs = [c for c in reg.certificates() if year is None or c.term_end.year == year]
    return [(c, status_on(c, today)) for c in sorted(certs, key=lambda c: (c.term_end, c.number))]


def build(reg: Registry, year: int, today: dt.date, settings: ReportSettings) -> Report:
    """Registry, year, today and settings in → the year's report."""
    from pipeline.rules.strokes import stroke_sort_key

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    reference = min(last, today) if today >= first else last
    latest: dict[int, Certificate] = {}
    for c in reg.certificates():
        if c.term_start <= last and c.term_end >= first and (c.revoked_on is None or c.revoked_on >= first):
            latest[c.person_id] = c  # certificates come by round: the newest one wins
    acts = reg.activities()
    people: list[Person] = []
    for pid, cert in latest.items():
        mine = [a for a in acts if a.mentor_id == pid]
        people.append(Person(cert, mask_id(reg.id_number(pid)), status_on(cert, reference),
                             cert.recommender or cert.unit,
                             [a for a in mine if a.date.year == year],
                             [a for a in mine if a.date >= cert.term_start]))
    people.sort(key=lambda p: (p.cert.round, stroke_sort_key(p.cert.name), p.cert.number))
    ending = [p for p in people if p.cert.term_end.year == year and p.cert.revoked_on is None]
    ending.sort(key=lambda p: (p.cert.term_end, stroke_sort_key(p.cert.name)))
    by_unit: dict[str, list[Person]] = {}
    for p in people:
        by_unit.setdefault(p.unit_key, []).append(p)
    units = [UnitTotal(unit, len(ps), sum(p.year_totals[0] for p in ps), sum(p.year_totals[1] for p in ps),
                       round(sum(p.year_totals[2] for p in ps), 2)) for unit, ps in by_unit.items()]
    units.sort(key=lambda u: (-u.hours, -u.activities, u.unit))
    need, hours = settings.recommend_min_activities, settings.recommend_min_hours
    recommended = [p for p in people if p.cert.revoked_on is None
                   and p.term_totals[0] >= need and p.term_totals[2] >= hours]
    recommended.sort(key=lambda p: (-p.term_totals[2], -p.term_totals[0], stroke_sort_key(p.cert.name)))
    hours_text = f"、合计不少于{hours:g}学时" if hours else ""
    rule = (f"证书未撤销；{year}年内处于任期（在期，或任期在{year}年内届满）；任期开始以来登记了不少于{need}次"
            f"传帮带活动{hours_text}。按任期内传帮带学时、次数从多到少排列。")
    return Report(year, reference, people, ending, units, recommended, rule)


def write_pdf(report: Report, target: Path, edition: Edition, when: dt.datetime, title: str) -> int:
    """The report as an A4 landscape PDF (WeasyPrint, the project's fonts); → its page count."""
    from pipeline.render.templating import render
    from pipeline.review.render import font_context, html_to_pdf

    html = render("registry/report.html.j2", r=report, title=title, font=font_context(edition),
                  office=edition.office.name, generated=f"{when:%Y-%m-%d}")
    return html_to_pdf(html, target, title=title, author=edition.office.name, when=when)


def write_xlsx(report: Report, target: Path, when: dt.datetime, title: str) -> None:
    """The report as a workbook: 在期人员, 任期届满, 传帮带（个人）, 传帮带（单位）, 优先推荐名单."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from pipeline.render.office import list_heading, print_setup, put_row, save_workbook

    wb = Workbook()
    first = True

    def sheet(name: str, columns: list[tuple[str, float]], rows: list[list[object]], note: str, keep: Sequence[int]) -> None:
        nonlocal first
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        ws.title = name
        body, border = list_heading(ws, f"{title}：{name}", columns, note=note)
        for r, values in enumerate(rows, start=body):
            for cell in put_row(ws, r, values):
                cell.border = border
                cell.font = Font(name="仿宋", size=11)
                cell.alignment = Alignment(wrap_text=True, vertical="center")
        if not rows:
            put_row(ws, body, ["（无）"])
        print_setup(ws, title_rows=f"1:{body - 1}", freeze=f"A{body}", keep_whole=keep)

    def term(p: Person) -> str:
        return f"{p.cert.term_start}\n至{p.cert.term_end}"

    ref = f"状态截至 {report.reference}。身份证号码只显示前6位和后4位。"
    sheet("在期人员", [("序号", 6), ("姓名", 10), ("性别", 6), ("身份证号码", 22), ("荣誉", 22), ("证书编号", 17),
                        ("工作单位及职务", 30), ("推荐单位", 24), ("任期", 14), ("状态", 8)],
          [[i, p.cert.name, p.cert.gender, p.masked_id, p.honour, p.cert.number, p.cert.unit, p.cert.recommender,
            term(p), p.status] for i, p in enumerate(report.in_term, 1)],
          f"{report.year}年内处于任期的兴安技术能手。{ref}", (1, 2, 3, 4, 6, 9, 10))
    sheet("任期届满", [("序号", 6), ("姓名", 10), ("证书编号", 17), ("荣誉", 22), ("工作单位及职务", 30), ("任期届满日", 13),
                       ("状态", 8)],
          [[i, p.cert.name, p.cert.number, p.honour, p.cert.unit, p.cert.term_end.isoformat(), p.status]
           for i, p in enumerate(report.ending, 1)],
          f"任期在{report.year}年内届满的兴安技术能手（已撤销的不列）。", (1, 2, 3, 6, 7))
    sheet("传帮带（个人）", [("序号", 6), ("姓名", 10), ("证书编号", 17), ("推荐单位", 24), ("本年次数", 9), ("本年带徒人数", 9),
                             ("本年学时", 9), ("任期内次数", 9), ("任期内带徒人数", 9), ("任期内学时", 9)],
          [[i, p.cert.name, p.cert.number, p.unit_key, *p.year_totals, *p.term_totals]
           for i, p in enumerate(report.in_term, 1)],
          f"{report.year}年内和任期开始以来登记的传帮带活动。", (1, 2, 3, 5, 6, 7, 8, 9, 10))
    sheet("传帮带（单位）", [("序号", 6), ("推荐单位", 34), ("在期人数", 9), ("本年次数", 9), ("本年带徒人数", 9), ("本年学时", 9)],
          [[i, u.unit, u.people, u.activities, u.apprentices, u.hours] for i, u in enumerate(report.units, 1)],
          f"按推荐单位（未登记推荐单位的按工作单位）合计{report.year}年的传帮带活动。", (1, 3, 4, 5, 6))
    sheet("优先推荐名单", [("序号", 6), ("姓名", 10), ("性别", 6), ("身份证号码", 22), ("获评年度", 10), ("证书编号", 17),
                           ("工作单位及职务", 28), ("职业（工种）", 12), ("任期", 14), ("状态", 8), ("传帮带次数", 9),
                           ("带徒人数", 9), ("学时", 9), ("成果", 36)],
          [[i, p.cert.name, p.cert.gender, p.masked_id, f"{p.cert.round}年度", p.cert.number, p.cert.unit, p.cert.occupation,
            term(p), p.status, *p.term_totals, p.results] for i, p in enumerate(report.recommended, 1)],
          f"龙江技术能手、龙江工匠评选的优先推荐人选（§四(四)），荣誉均为“兴安技术能手”。规则：{report.rule}",
          (1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13))
    save_workbook(wb, target, when)
