"""Feedback to the 推荐单位 after the check: one letter (函) per unit and an overview for the office.

Part of stage `check`: output/<edition>/check/反馈/
    <推荐单位>-审核意见反馈单.pdf|.docx   GB/T 9704 letter to the unit: every problem of each of its
                                         nominees with the fix (the check report's own message and
                                         hint), the resubmission deadline and the office's contact; a
                                         unit with nothing to fix gets a short confirmation of receipt
    反馈汇总.pdf|.xlsx                    for the office: which units have something to fix, how much,
                                         by when (the XLSX also lists every problem)

Letters are `pipeline.gongwen.Document`s rendered by pipeline.gongwen.render. A letter is rendered
again only when its content changed (the content hashes are the stage stamp 'check-feedback',
pipeline.core.stamps); letters of units no longer in the roster are removed. ID numbers in finding texts
are masked (pipeline.rules.privacy), since the letters leave the office.

Settings: [feedback] in edition.toml (`feedback_settings`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core import stamps
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, Edition, section
from pipeline.core.errors import EditionConfigError, PipelineError
from pipeline.core.model import Finding, Nominee, Severity
from pipeline.core.safepath import child, safe_name
from pipeline.core.workers import process_pool
from pipeline.gongwen import Block, Document, Heading, Para, Table
from pipeline.render import office
from pipeline.render.fonts import FontSet, resolve_fonts
from pipeline.rules import privacy
from pipeline.rules.workdays import cn_date, load_calendar
from pipeline.stages.check_report import CODE_TITLES, SEVERITY_TITLES

if TYPE_CHECKING:
    from openpyxl.styles.borders import Border
    from openpyxl.worksheet.worksheet import Worksheet


FOLDER = "反馈"
"""Sub-folder of output/<edition>/check/."""
LETTER_SUFFIX = "-审核意见反馈单"
"""File stem of a letter: <推荐单位>-审核意见反馈单."""
OVERVIEW = "反馈汇总"
"""File stem of the office's overview."""
STAMP = "check-feedback"
"""Stage stamp: label of each letter → hash of its content."""
NO_UNIT = "（未填写推荐单位）"
"""How nominees without 推荐单位 are listed in the overview (they get no letter)."""


# ---- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackSettings:
    """[feedback] of edition.toml."""

    resubmit_by: dt.date
    """Units send corrected materials by this day."""
    date: dt.date
    """成文日期 of the letters."""


def _next_workday(edition: Edition, day: dt.date) -> dt.date:
    """`day` or the next working day (calendar.toml / chinesecalendar; Monday–Friday for an unknown year)."""
    calendar = load_calendar(edition.path)
    try:
        return calendar.first_workday(day)
    except EditionConfigError:  # a year neither calendar knows: weekends only
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return day


def feedback_settings(edition: Edition) -> FeedbackSettings:
    """Edition in → its [feedback] settings; EditionConfigError naming the key when one is wrong.

    resubmit_by defaults to the end of [phases] recommend (择优推荐: the units have until then to send
    checked materials to the office, §四(三)3–4), else the start of preliminary; date (成文日期)
    defaults to the first working day after [phases] apply (申报截止: the office checks what came in).
    """
    defaults: dict[str, object] = {}
    if "recommend" in edition.phases:
        defaults["resubmit_by"] = edition.phases["recommend"].end
    elif "preliminary" in edition.phases:
        defaults["resubmit_by"] = edition.phases["preliminary"].start
    if "apply" in edition.phases:
        defaults["date"] = _next_workday(edition, edition.phases["apply"].end + dt.timedelta(days=1))
    else:
        defaults["date"] = edition.round.reference_date
    s = section(edition, "feedback", edition.raw.get("feedback"), defaults)
    resubmit_by, date = s.day("resubmit_by"), s.day("date")
    year = edition.round.year
    for key, value in (("resubmit_by", resubmit_by), ("date", date)):
        if not year - 1 <= value.year <= year + 1:
            raise s._bad(key, f"{year - 1}年至{year + 1}年之间的日期（本届是{year}年度）")
    if date > resubmit_by:
        raise EditionConfigError(
            f"[feedback] 的成文日期 date（{date}）晚于重新报送截止日 resubmit_by（{resubmit_by}）",
            hint=f"修改 {edition.path / 'edition.toml'} 的 [feedback]：date 应不晚于 resubmit_by",
            file=str(edition.path / "edition.toml"))
    return FeedbackSettings(resubmit_by, date)


# ---- units -----------------------------------------------------------------------------------


def unit_key(name: str) -> str:
    """The identity of a 推荐单位: NFKC, without any white space (full- and half-width spellings agree)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


@dataclass(frozen=True)
class Unit:
    """One 推荐单位 and its nominees."""

    name: str
    """As most of its rows spell it (white space removed)."""
    stem: str
    """File stem of its letter: '<safe name>-审核意见反馈单'."""
    nominees: tuple[Nominee, ...]
    """Its nominees in roster order."""

    @property
    def errors(self) -> int:
        return sum(1 for n in self.nominees for f in n.findings if f.severity is Severity.error)

    @property
    def warnings(self) -> int:
        return sum(1 for n in self.nominees for f in n.findings if f.severity is Severity.warning)

    @property
    def to_fix(self) -> tuple[Nominee, ...]:
        """Nominees with an error."""
        return tuple(n for n in self.nominees if not n.ok)

    @property
    def with_findings(self) -> tuple[Nominee, ...]:
        """Nominees with anything to fix or to check."""
        return tuple(n for n in self.nominees if n.findings)


def group_units(nominees: Iterable[Nominee]) -> tuple[tuple[Unit, ...], tuple[Nominee, ...]]:
    """Nominees → (units in order of first appearance, nominees without 推荐单位)."""
    groups: dict[str, list[Nominee]] = {}
    spellings: dict[str, Counter[str]] = {}
    orphans: list[Nominee] = []
    for n in nominees:
        key = unit_key(n.candidate.recommender)
        if not key:
            orphans.append(n)
            continue
        groups.setdefault(key, []).append(n)
        spellings.setdefault(key, Counter())[re.sub(r"\s+", "", n.candidate.recommender)] += 1
    units: list[Unit] = []
    stems: set[str] = set()
    for key, members in groups.items():
        name = spellings[key].most_common(1)[0][0]
        base = safe_name(name)
        stem, i = f"{base}{LETTER_SUFFIX}", 2
        while stem.casefold() in stems:  # two names that differ only in characters a file name cannot hold
            stem, i = f"{base}-{i}{LETTER_SUFFIX}", i + 1
        stems.add(stem.casefold())
        units.append(Unit(name, stem, tuple(members)))
    return tuple(units), tuple(orphans)


# ---- texts -----------------------------------------------------------------------------------


def masked(text: str, known: privacy.Known) -> str:
    """`text` with every ID number (the nominees' own, in any spelling, and any ID-shaped number) masked."""
    hits = [h for h in privacy.find(text, known) if h.kind == privacy.ID]
    for hit in reversed(hits):
        text = text[:hit.start] + hit.masked + text[hit.end:]
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；" else text + "。"


def problem_text(f: Finding, known: privacy.Known) -> str:
    """'身份证号码校验位错误（错误，ID_CHECKSUM）：<message>' — the report's title, code and message."""
    where = f"（{f.file}）" if f.file and f.file not in f.message and not f.file.startswith("roster.") else ""
    return (f"{CODE_TITLES.get(f.code, f.code)}（{SEVERITY_TITLES[str(f.severity)]}，{f.code}）："
            f"{_sentence(masked(f.message, known) + where)}")


def fix_text(f: Finding, known: privacy.Known) -> str:
    """'改正方法：<hint>' — the report's 处理办法."""
    return f"改正方法：{_sentence(masked(f.hint, known))}"


def _round_name(edition: Edition) -> str:
    return f"{edition.round.year}年度“{edition.round.honour}”"


def _basis(edition: Edition) -> str:
    """'《…实施方案》（大署人社联〔2027〕2号）' from [round] basis_title and basis_number."""
    inner = re.search(r"《(.+?)》", edition.round.basis_title)
    title = f"《{inner.group(1)}》" if inner else f"《{edition.round.basis_title}》"
    return title + (f"（{edition.round.basis_number}）" if edition.round.basis_number else "")


def _names(nominees: Sequence[Nominee]) -> str:
    return "、".join(n.candidate.label for n in nominees)


_CN_NUMBERS = "一二三四五六七八九十"


def _cn(i: int) -> str:
    """1 → 一 … 20 → 二十 (heading numbers)."""
    if i <= 10:
        return _CN_NUMBERS[i - 1]
    tens, ones = divmod(i, 10)
    return (_CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (_CN_NUMBERS[ones - 1] if ones else "")


def _contact(edition: Edition) -> str:
    o = edition.office
    parts = [f"联系人：{o.contact}" if o.contact else "", f"电话：{o.phone}" if o.phone else "",
             f"地址：{o.address}" if o.address else ""]
    return "（" + "，".join(p for p in parts if p) + "）" if any(parts) else ""


def letter(edition: Edition, settings: FeedbackSettings, unit: Unit, known: privacy.Known) -> Document:
    """The 函 to one 推荐单位: its nominees' problems and fixes, or the confirmation of receipt."""
    count = len(unit.nominees)
    deadline = cn_date(settings.resubmit_by)
    title = f"关于{_round_name(edition)}推荐人选申报材料审核意见的函"
    basis = f"按照{_basis(edition)}的要求，我办对你单位报送的{_round_name(edition)}推荐人选申报材料进行了审核。"
    body: list[Block] = []
    if not unit.with_findings:
        body += [Para(f"{basis}收到{count}名人选的申报材料（{_names(unit.nominees)}），经审核未发现问题，"
                      "无需重新报送。"),
                 Para("我办将按程序组织初审，请你单位妥善保管申报材料原件，以备核对。"),
                 Para("特此函告。")]
    else:
        clean = [n for n in unit.nominees if not n.findings]
        parts = []
        if unit.to_fix:
            parts.append(f"{len(unit.to_fix)}名人选的材料有须改正的错误（共{unit.errors}处）")
        if unit.warnings:
            parts.append(f"提示{unit.warnings}处，请核实")
        if clean:
            parts.append(f"{_names(clean)}共{len(clean)}名人选未发现问题")
        summary = f"收到{count}名人选的申报材料，其中" + "；".join(parts) + "。具体意见如下："
        body += [Para(basis + summary, keep_with_next=True),
                 Heading("一、审核发现的问题和改正方法")]
        for i, n in enumerate(unit.with_findings, start=1):
            errors = sum(1 for f in n.findings if f.severity is Severity.error)
            warnings = sum(1 for f in n.findings if f.severity is Severity.warning)
            infos = sum(1 for f in n.findings if f.severity is Severity.info)
            counts = "，".join(x for x in (f"错误{errors}处" if errors else "",
                                           f"提示{warnings}处" if warnings else "",
                                           f"说明{infos}处" if infos else "") if x)
            body.append(Heading(f"（{_cn(i)}）{n.candidate.label}（{counts}）", level=2))
            for j, f in enumerate(n.findings, start=1):
                body += [Para(f"{j}.{problem_text(f, known)}", keep_with_next=True), Para(fix_text(f, known))]
        body.append(Heading("二、重新报送要求"))
        if unit.to_fix:
            body.append(Para(f"请你单位按照上述改正方法，督促有关人选改正，于{deadline}前将改正后的推荐人选名册和"
                             f"申报材料报送我办。标为“错误”的问题未改正的，该人选不能进入初审；标为“提示”的问题请逐项"
                             f"核实，确属无误的可不修改，并在报送时说明。"))
        else:
            body.append(Para(f"上述问题均为“提示”，不影响推荐。请你单位逐项核实，需要修改的，于{deadline}前将修改后的"
                             f"材料报送我办；确属无误的可不修改。"))
        body.append(Para("特此函告。"))
    return Document(
        title=title,
        body=tuple(body),
        organs=(edition.office.name,),
        date=settings.date,
        addressee=f"{unit.name}：",
        note=_contact(edition),
        meta={"subject": f"{unit.name} 审核意见反馈单", "author": edition.office.name},
    )


OVERVIEW_HEADERS = ("序号", "推荐单位", "人选", "须改正", "错误", "提示", "反馈意见")


def by_urgency(units: Sequence[Unit]) -> list[Unit]:
    """Units with errors first, then those with warnings only, then the clean ones (roster order within)."""
    return sorted(units, key=lambda u: (not u.to_fix, not u.warnings))


def _verdict(unit: Unit, *, short: bool = False) -> str:
    if unit.to_fix:
        return "须改正" if short else "须改正后重新报送"
    return "请核实提示" if unit.warnings else "未发现问题"


def overview(edition: Edition, settings: FeedbackSettings, units: Sequence[Unit], orphans: Sequence[Nominee],
             roster_findings: Sequence[Finding]) -> Document:
    """反馈汇总: for the office, which units have something to fix, how much, and by when."""
    to_fix = [u for u in units if u.to_fix]
    to_check = [u for u in units if not u.to_fix and u.warnings]
    people = sum(len(u.nominees) for u in units) + len(orphans)
    body: list[Block] = []
    if roster_findings:
        body.append(Para("名册本身有问题，以下反馈单可能不完整：" + "；".join(
            _sentence(f.message) + "处理办法：" + _sentence(f.hint) for f in roster_findings)))
    if not units:
        lead = "没有可以审核的推荐人选，未发出反馈单。"
    else:
        lead = f"共收到{len(units)}个推荐单位{people}名人选的申报材料。经审核，"
        clauses = []
        if to_fix:
            clauses.append(f"{len(to_fix)}个单位的{sum(len(u.to_fix) for u in to_fix)}名人选有须改正的错误，"
                           f"应于{cn_date(settings.resubmit_by)}前重新报送")
        if to_check:
            clauses.append(f"{len(to_check)}个单位只有提示，请其核实")
        clean = len(units) - len(to_fix) - len(to_check)
        if clean:
            clauses.append(f"{clean}个单位未发现问题")
        lead += "；".join(clauses) + "。"
    body.append(Para(lead, keep_with_next=True))
    units = by_urgency(units)
    rows = tuple((str(i), u.name, str(len(u.nominees)), str(len(u.to_fix)), str(u.errors), str(u.warnings),
                  _verdict(u, short=True)) for i, u in enumerate(units, start=1))
    total = ("", "合计", str(sum(len(u.nominees) for u in units)), str(sum(len(u.to_fix) for u in units)),
             str(sum(u.errors for u in units)), str(sum(u.warnings for u in units)), "")
    if units:
        body.append(Table(OVERVIEW_HEADERS, (*rows, total), keep=(True, False, True, True, True, True, False)))
    if orphans:
        body.append(Para(f"另有{len(orphans)}名人选未填写推荐单位，无法发出反馈单，请办公室直接联系："
                         f"{_names(orphans)}。"))
    return Document(
        title=f"{_round_name(edition)}推荐人选申报材料审核意见反馈汇总",
        body=tuple(body),
        organs=(edition.office.name,),
        date=settings.date,
        sealed=False,
        meta={"subject": "审核意见反馈汇总", "author": edition.office.name},
    )


DETAIL_COLUMNS: tuple[tuple[str, float], ...] = (
    ("推荐单位", 16), ("编号", 7), ("姓名", 8), ("类别", 6), ("代码", 14), ("问题", 34), ("改正方法", 34),
)
SUMMARY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 5), ("推荐单位", 28), ("人选", 6), ("须改正", 7), ("错误", 6), ("提示", 6), ("反馈意见", 16),
    ("重新报送截止", 14), ("反馈单", 36),
)


def write_overview_xlsx(ctx: RunContext, target: Path, settings: FeedbackSettings, units: Sequence[Unit],
                        orphans: Sequence[Nominee], known: privacy.Known) -> None:
    """反馈汇总.xlsx: one row per unit, then every problem with its fix on a second sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "反馈汇总"
    first, border = office.list_heading(ws, f"{_round_name(ctx.edition)}审核意见反馈汇总", SUMMARY_COLUMNS)
    rows: list[list[object]] = [
        [i, u.name, len(u.nominees), len(u.to_fix), u.errors, u.warnings, _verdict(u),
         cn_date(settings.resubmit_by) if u.to_fix or u.warnings else "", f"{u.stem}.pdf"]
        for i, u in enumerate(by_urgency(units), start=1)]
    if orphans:
        rows.append(["", NO_UNIT, len(orphans), sum(1 for n in orphans if not n.ok),
                     sum(1 for n in orphans for f in n.findings if f.severity is Severity.error),
                     sum(1 for n in orphans for f in n.findings if f.severity is Severity.warning),
                     "无法发出反馈单，请直接联系", "", ""])
    _fill(ws, first, rows, border, wrap=(2, 7, 9))
    office.print_setup(ws, title_rows=f"{first - 1}:{first - 1}", freeze=f"A{first}", keep_whole=(1, 3, 4, 5, 6, 8))
    detail = wb.create_sheet("问题明细")
    first, border = office.list_heading(detail, "审核发现的问题和改正方法", DETAIL_COLUMNS)
    lines: list[list[object]] = []
    for name, members in [*((u.name, u.nominees) for u in units), (NO_UNIT, tuple(orphans))]:
        for n in members:
            for f in n.findings:
                lines.append([name, n.candidate.code, _short(n.candidate.name), SEVERITY_TITLES[str(f.severity)], f.code,
                              masked(f.message, known), masked(f.hint, known)])
    _fill(detail, first, lines, border, wrap=(1, 6, 7))
    office.print_setup(detail, title_rows=f"{first - 1}:{first - 1}", freeze=f"A{first}", keep_whole=(2, 3, 4, 5))
    office.save_workbook(wb, target, ctx.source_date)


def _short(name: str) -> str:
    """A name for a list column: an overlong one (FIELD_TOO_LONG, pasted text) cut at 10 characters."""
    return name if len(name) <= 10 else name[:10] + "…"


def _fill(ws: Worksheet, first: int, rows: list[list[object]], border: Border, *, wrap: tuple[int, ...]) -> None:
    """Data rows from `first` on: 仿宋 10, bordered; the `wrap` columns left-aligned and wrapping."""
    from openpyxl.styles import Alignment, Font

    for r, values in enumerate(rows, start=first):
        for col, value in enumerate(values, start=1):
            cell = office.put(ws, r, col, value)
            cell.font = Font(name="仿宋", size=10)
            cell.alignment = Alignment(vertical="center", wrap_text=col in wrap,
                                       horizontal="left" if col in wrap else "center")
            cell.border = border


# ---- writing ---------------------------------------------------------------------------------


def printable(doc: Document, fonts: FontSet) -> Document:
    """`doc` with every character no configured font can draw written as 〔U+2B81D〕 (GLYPH_MISSING
    names such a character; the letter must still say which nominee and what to fix)."""

    def fix(text: str) -> str:
        for ch in fonts.missing(text):
            text = text.replace(ch, f"〔U+{ord(ch):04X}〕")
        return text

    def block(b: Block) -> Block:
        if isinstance(b, Table):
            return replace(b, headers=tuple(map(fix, b.headers)), caption=fix(b.caption),
                           rows=tuple(tuple(map(fix, r)) for r in b.rows))
        return replace(b, text=fix(b.text))

    return replace(doc, title=fix(doc.title), addressee=fix(doc.addressee), note=fix(doc.note),
                   body=tuple(map(block, doc.body)))



def _code_version() -> str:
    digest = hashlib.sha256()
    for rel in ("pipeline/gongwen/render.py", "pipeline/gongwen/__init__.py", "pipeline/stages/check_feedback.py"):
        path = PROJECT_ROOT / rel
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _content_hash(doc: Document, extra: str) -> str:
    return hashlib.sha256(f"{_code_version()}|{extra}|{doc!r}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class _Job:
    """One document to render (picklable: it goes to a worker process)."""

    ctx: RunContext
    doc: Document
    folder: Path
    stem: str
    label: str
    """Its key in the stamp."""
    what: str
    """For messages: '<推荐单位>的审核意见反馈单'."""
    pdf_only: bool = False

    @property
    def files(self) -> list[Path]:
        return [child(self.folder, f"{self.stem}{ext}") for ext in ((".pdf",) if self.pdf_only else (".pdf", ".docx"))]


def _render(job: _Job) -> str:
    """Worker: one letter as PDF and DOCX (the overview: PDF only); returns its label."""
    from pipeline.gongwen import render

    if job.pdf_only:
        render.write_pdf(job.ctx, job.doc, job.files[0])
    else:
        render.write_all(job.ctx, job.doc, job.folder, job.stem)
    return job.label


def write_feedback(ctx: RunContext, nominees: Sequence[Nominee], roster_findings: Sequence[Finding]) -> Path:
    """Write (or keep) every unit's letter and the overview in output/<edition>/check/反馈/; returns the folder.

    A document is rendered again only when its content (or the renderer) changed since the stamp was
    written, or a file of it is missing; files of units no longer in the roster are removed.
    """
    folder = ctx.output / "check" / FOLDER
    settings = feedback_settings(ctx.edition)
    known = privacy.Known.of(n.candidate for n in nominees)
    units, orphans = group_units(nominees)
    fonts = resolve_fonts(ctx.edition.fonts)
    jobs = [_Job(ctx, printable(letter(ctx.edition, settings, u, known), fonts), folder, u.stem,
                 f"反馈单 {u.stem}", f"{u.name}的审核意见反馈单") for u in units]
    summary = printable(overview(ctx.edition, settings, units, orphans, roster_findings), fonts)
    jobs.append(_Job(ctx, summary, folder, OVERVIEW, OVERVIEW, "审核意见反馈汇总", pdf_only=True))
    detail = repr([(u.name, [(n.candidate.label, n.findings) for n in u.nominees]) for u in units]) + repr(orphans)
    hashes = {j.label: _content_hash(j.doc, repr(ctx.edition.fonts) + (detail if j.pdf_only else "")) for j in jobs}

    before = stamps.read_stamp(ctx, STAMP)
    recorded = before.inputs if before else {}
    stamps.clear_stamp(ctx, STAMP)
    keep = {p.name for j in jobs for p in j.files} | {f"{OVERVIEW}.xlsx"}
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name not in keep and not path.name.startswith("."):
                path.unlink()  # a unit no longer in the roster (or renamed): its old letter goes
    todo = [j for j in jobs if recorded.get(j.label) != hashes[j.label] or not all(p.is_file() for p in j.files)]
    xlsx = folder / f"{OVERVIEW}.xlsx"
    if todo:
        letters = sum(1 for j in todo if not j.pdf_only)
        ctx.say(f"审核意见反馈单：{letters} 份需要生成（其余 {len(units) - letters} 份未变，沿用）")
        for label in _render_all(ctx, todo):
            hashes.pop(label)
    if OVERVIEW in hashes and (recorded.get(OVERVIEW) != hashes[OVERVIEW] or not xlsx.is_file()):
        write_overview_xlsx(ctx, xlsx, settings, units, orphans, known)
    stamps.write_stamp(ctx, STAMP, hashes)
    to_fix = [u.name for u in by_urgency(units) if u.to_fix]
    ctx.say(f"审核意见反馈单：{len(units)} 个推荐单位，{len(to_fix)} 个须改正后于{cn_date(settings.resubmit_by)}前"
            f"重新报送{'（' + '、'.join(to_fix) + '）' if to_fix else ''}。见 {folder}")
    return folder


def _render_all(ctx: RunContext, jobs: list[_Job]) -> list[str]:
    """Render the documents (in worker processes when there are several); returns the labels that failed."""
    from pipeline.gongwen import render  # noqa: F401  (loaded once here: forked workers start with it)

    failed: list[str] = []
    if len(jobs) < 3 or ctx.workers == 1:
        for job in jobs:
            try:
                _render(job)
            except PipelineError as exc:
                failed.append(_failed(ctx, job, exc))
        return failed
    with process_pool(min(ctx.workers, len(jobs))) as pool:
        futures = [(job, pool.submit(_render, job)) for job in jobs]
        for job, future in futures:
            try:
                future.result()
            except PipelineError as exc:
                failed.append(_failed(ctx, job, exc))
    return failed


def _failed(ctx: RunContext, job: _Job, exc: PipelineError) -> str:
    """A document could not be made: its old files go (never left looking current), the others go on."""
    stamps.remove_outputs(ctx, job.what, job.files + ([job.folder / f"{OVERVIEW}.xlsx"] if job.pdf_only else []))
    ctx.say(f"  原因：{exc}")
    return job.label
