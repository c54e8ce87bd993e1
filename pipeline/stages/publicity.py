"""公示：生成拟表彰人选的公示（PDF、DOCX、网页）和媒体宣传材料。

The 公示 notice (PDF, DOCX, HTML) and the media kit.

Stage `publicity`: review results + awardee list + [publicity] + calendar → output/<edition>/publicity/
(公示.pdf in the GB/T 9704 layout, 公示.docx with the same layout for the signing leader to edit,
公示.html for the bureau's website), then the media kit (pipeline.media).

The period is `working_days` (5) working days from [publicity] start (or the next working day),
counted on the official calendar (pipeline.rules.workdays). The nominees' public fields are redacted
before rendering and every public file is read back after it is written (pipeline.rules.privacy); a
surviving ID number, phone or address deletes the files and fails the stage.

A failed run removes what it would have replaced (pipeline.core.stamps.replacing): the old 公示 files and
the media kit when the 公示 cannot be made, the media kit alone when only the kit fails. A stamp
records the awardees and settings the 公示 was made from, so `certificates` can tell when the
公示 is older than the current results (`notice_staleness`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.errors import ExitCode, StageError
from pipeline.core.model import Candidate, CheckResult
from pipeline.core.stamps import changes, read_stamp, replacing, write_stamp
from pipeline.packets.docx_form import docx_measure
from pipeline.render.templating import render
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
from pipeline.review.render import Manifest, file_hash, fingerprint, font_context, html_to_pdf
from pipeline.rules import privacy
from pipeline.rules.awardees import AwardeeList
from pipeline.rules.workdays import CALENDAR_FILE, Period, load_calendar, period_of
from pipeline.stages.awardees import awardees_path, load_awardees
from pipeline.stages.results import ReviewResults, build_results


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


STAMP = "publicity"
"""The stage stamp (pipeline.core.stamps) that vouches for the 公示 files."""


NOTICE_FILES = ("公示.pdf", "公示.docx", "公示.html")
"""The 公示 files in output/<edition>/publicity/."""


def notice_paths(ctx: RunContext) -> list[Path]:
    """output/<edition>/publicity/公示.pdf, .docx and .html."""
    return [ctx.output / "publicity" / name for name in NOTICE_FILES]


def notice_inputs(ctx: RunContext, awardees: Iterable[Candidate]) -> dict[str, str]:
    """What the 公示 is made from, as it is now: label → hash (see pipeline.core.stamps).

    The awardees by 编号 with the roster fields the 公示 prints (a changed score alone changes nothing
    printed), and the settings and calendar that reach it.
    """
    people = sorted((c.code, c.name, c.gender or "", c.unit_and_post, c.occupation) for c in awardees)
    raw = ctx.edition.raw
    settings = [raw.get(k) for k in ("round", "office", "organs", "publicity")]
    return {
        f"拟表彰人选（{awardees_path(ctx).relative_to(ctx.output).as_posix()} 中的人选，及其在名册中的姓名、性别、"
        "工作单位及职务、职业）": hashlib.sha256(json.dumps(people, ensure_ascii=False).encode()).hexdigest(),
        "edition.toml 中的 [round]、[office]、[organs]、[publicity] 设置":
            hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest(),
        f"工作日历 {CALENDAR_FILE}": file_hash(ctx.edition.path / CALENDAR_FILE),
    }


def notice_staleness(ctx: RunContext, awardees: Iterable[Candidate]) -> str | None:
    """A Chinese warning, naming the files and the fix, when the 公示 was not made from these awardees
    (those of the current results, as the roster has them) and settings; None when it was."""
    files = notice_paths(ctx)
    folder = files[0].parent
    names = "、".join(p.name for p in files)
    fix = "请运行 make publicity 重新生成公示（名单有变化的，应重新公示）"
    stamp = read_stamp(ctx, STAMP)
    if stamp is None:
        if any(p.is_file() for p in files):
            return (f"公示（{folder} 中的 {names}）可能已过期：上次运行 make publicity 没有成功完成，"
                    f"无法确认它是按当前评审结果生成的。{fix}")
        return f"还没有生成公示（{files[0]}）：拟表彰人选应先公示、再颁发证书。{fix}"
    changed = changes(stamp.inputs, notice_inputs(ctx, awardees))
    if changed:
        return (f"公示已过期：{folder} 中的 {names} 是 {stamp.when} 按当时的评审结果生成的，此后"
                f"{'；'.join(changed)}。{fix}")
    return None


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
    pdf, docx, web = (folder / name for name in NOTICE_FILES)
    files = NoticeFiles(pdf, docx, web, notice.period)
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
    privacy.guard(files.all(), known, stage="make publicity")  # on failure build_publicity_notice removes the files
    manifest.record(key)
    return files


def build_publicity_notice(ctx: RunContext, results: ReviewResults, awardees: AwardeeList) -> NoticeFiles:
    """Results and awardees → the 公示 files, stamped with what they were made from; any failure removes them."""
    with replacing(ctx, "公示", notice_paths(ctx), stage=STAMP):
        files = _build_notice(ctx, results, awardees)
    write_stamp(ctx, STAMP, notice_inputs(ctx, (a.nominee.candidate for a in awardees.awardees)))
    return files


def _build_notice(ctx: RunContext, results: ReviewResults, awardees: AwardeeList) -> NoticeFiles:
    """Results and awardees → the 公示 files (the body of build_publicity_notice)."""
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
    """The media kit (pipeline.media)."""
    from pipeline.media.build import build_media_kit

    return ExitCode(build_media_kit(ctx, check, awardees))


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make publicity`: the 公示 and the media kit; exit 1 when some nominee or document has errors.

    A failure removes the old media kit as well as the 公示 it would have replaced (results that
    cannot be made, a 公示 that cannot be made); a failure of the kit alone leaves the new 公示.
    """
    with replacing(ctx, "媒体宣传稿件", [ctx.output / "media"]):
        with replacing(ctx, "公示", notice_paths(ctx), stage=STAMP):
            results = build_results(ctx)
            awardees = load_awardees(ctx, results.check)
            files = build_publicity_notice(ctx, results, awardees)
        ctx.say(f"公示：{files.pdf}（另有 .docx、.html），公示时间 {files.period.chinese}")
        code = ExitCode.findings if results.shortlist.blocked else ExitCode.ok
        return max(code, _media_kit(ctx, results.check, awardees))
