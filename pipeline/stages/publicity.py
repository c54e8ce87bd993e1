"""公示：生成拟表彰人选的公示（PDF、DOCX、网页）和媒体宣传材料。

The 公示 notice (PDF, DOCX, HTML) and the media kit.

Stage `publicity`: review results + awardee list + [publicity] + calendar → output/<edition>/publicity/
(公示.pdf in the GB/T 9704 layout, 公示.docx with the same layout for the signing leader to edit,
公示.html for the bureau's website), then the media kit (pipeline.media, when present).

The period is `working_days` (5) working days from [publicity] start (or the next working day),
counted on the official calendar (pipeline.workdays). The nominees' public fields are redacted
before rendering and every public file is read back after it is written (pipeline.privacy); a
surviving ID number, phone or address deletes the files and fails the stage.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import atomic, privacy
from pipeline.awardees import AwardeeList, load_awardees
from pipeline.context import RunContext
from pipeline.errors import ExitCode, RenderError, StageError
from pipeline.packets.docx_form import docx_measure
from pipeline.review.notice import (
    TABLE_HEADERS,
    Notice,
    NoticeRow,
    build_notice,
    docx_fonts,
    sealed_layout,
    signature_layout,
    table_layout,
    write_docx,
)
from pipeline.review.render import Manifest, fingerprint, font_context, html_to_pdf
from pipeline.stages.check import CheckResult
from pipeline.stages.results import ReviewResults, build_results
from pipeline.templating import render
from pipeline.workdays import Period, load_calendar, period_of


@dataclass(frozen=True)
class NoticeFiles:
    """The 公示 files."""

    pdf: Path
    """公示.pdf (print, GB/T 9704)."""
    docx: Path
    """公示.docx (editable, same layout)."""
    html: Path
    """公示.html (website)."""
    period: Period
    """The publicity period."""

    def all(self) -> tuple[Path, Path, Path]:
        """The three files."""
        return (self.pdf, self.docx, self.html)


def publicity_period(ctx: RunContext) -> Period:
    """[publicity] start and working_days on the official calendar → the period."""
    calendar = load_calendar(ctx.edition.path)
    return period_of(ctx.edition.publicity.start, ctx.edition.publicity.working_days, calendar)


def notice_rows(check: CheckResult, awardees: AwardeeList) -> tuple[NoticeRow, ...]:
    """The awardees in 姓氏笔画 order (排名不分先后: never the score ranking), public fields only."""
    chosen = awardees.public
    return tuple(NoticeRow(i, a.nominee.candidate.name, a.nominee.candidate.gender or "",
                           a.nominee.candidate.unit_and_post, a.nominee.candidate.occupation)
                 for i, a in enumerate(chosen, start=1))


def notice_html(notice: Notice, fonts: dict[str, Any]) -> str:
    """The 公示 as paged HTML for WeasyPrint: table fitted to its contents (units broken only between
    words), 署名 sealed or not."""
    return render("publicity/notice.html.j2", notice=notice, font=fonts, headers=TABLE_HEADERS,
                  table=table_layout(notice.rows), sign=signature_layout(notice.organ, notice.date),
                  seal=sealed_layout(notice.organ, notice.date) if notice.sealed else None)


def write_notice(ctx: RunContext, notice: Notice, folder: Path, known: privacy.Known) -> NoticeFiles:
    """The 公示 as PDF, DOCX and HTML (skipped when made from the same notice), privacy-scanned."""
    edition = ctx.edition
    files = NoticeFiles(folder / "公示.pdf", folder / "公示.docx", folder / "公示.html", notice.period)
    fonts = font_context(edition)
    manifest = Manifest(ctx, "publicity-notice")
    key = fingerprint(notice, fonts["key"], docx_fonts(edition), str(ctx.source_date), known)
    if manifest.current(key, files.all()):
        return files
    ctx.say(f"生成公示：{len(notice.rows)} 人，公示时间 {notice.period.chinese}")
    author = edition.publicity_organ
    html = notice_html(notice, fonts)
    html_to_pdf(html, files.pdf, title=notice.title, author=author, when=ctx.source_date)
    write_docx(notice, files.docx, docx_fonts(edition), author=author, when=ctx.source_date,
               measure=docx_measure(edition.fonts))
    atomic.write_text(files.html, render("publicity/web.html.j2", notice=notice))
    try:
        privacy.guard(files.all(), known, stage="make publicity")
    except RenderError:
        for p in files.all():
            p.unlink(missing_ok=True)
        manifest.forget()
        raise
    manifest.record(key)
    return files


def build_publicity_notice(ctx: RunContext, results: ReviewResults, awardees: AwardeeList) -> NoticeFiles:
    """Results and awardees → the 公示 files."""
    edition = ctx.edition
    if not awardees.awardees:
        raise StageError("评审结果中没有拟表彰人选，无法生成公示",
                         hint="检查 make results 的输出（评审结果.pdf）和提名人选名单", file=str(results.folder))
    period = publicity_period(ctx)
    if edition.publicity.date > period.start:
        ctx.say(f"提示：公示成文日期 {edition.publicity.date} 晚于公示开始日 {period.start}，请核对 edition.toml [publicity]。")
    known = privacy.Known.of(n.candidate for n in results.check.nominees)
    rows = notice_rows(results.check, AwardeeList(awardees.final, privacy.public_awardees(awardees.awardees, known, ctx.say)))
    notice = build_notice(edition, rows, period, nominated=len(results.check.nominees),
                          shortlisted=len(results.shortlist.nominees))
    return write_notice(ctx, notice, ctx.output / "publicity", known)


def _media_kit(ctx: RunContext, check: CheckResult, awardees: AwardeeList) -> ExitCode:
    """The media kit (pipeline.media), skipped while that part does not exist yet."""
    try:
        from pipeline.media import build_media_kit  # type: ignore[attr-defined, unused-ignore]
    except ModuleNotFoundError as exc:
        if exc.name != "pipeline.media":
            raise
        ctx.say("媒体宣传包：尚未实现，跳过。")
        return ExitCode.ok
    return ExitCode(build_media_kit(ctx, check, awardees))


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make publicity`: the 公示 and the media kit; exit 1 when some nominee or document has errors."""
    results = build_results(ctx)
    awardees = load_awardees(ctx, results.check)
    files = build_publicity_notice(ctx, results, awardees)
    ctx.say(f"公示：{files.pdf}（另有 .docx、.html），公示时间 {files.period.chinese}")
    code = ExitCode.findings if results.shortlist.blocked else ExitCode.ok
    return max(code, _media_kit(ctx, results.check, awardees))
