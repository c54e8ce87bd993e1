"""请示和表彰决定：提请地区人才工作小组审议的请示，以及公示期满无异议后的表彰决定（PDF、DOCX）。

The request for approval (notice §四(三)6) and the commendation decision (§四(四)).

Stage `decision`: review results + awardee list + [decision] + review/公示异议.xlsx + calendar
→ output/<edition>/decision/:

- 提请审议的请示.pdf|.docx — the 上行文 to the 地区人才工作小组 after the expert review: what was done,
  the request to approve, “妥否，请批示。”, the list attached (姓氏笔画 order). Made whenever the
  results are.
- 公示异议登记表（空白）.xlsx — the objection record to copy to review/公示异议.xlsx.
- 表彰决定.pdf|.docx — the decision with 红头, 发文字号, the awardees in 姓氏笔画 order, the 3-year
  term from its 成文日期 and the 待遇, 抄送 and 印发 in the 版记. Made only when the 公示 (made from the
  current list) ended before the decision's 成文日期 and every objection recorded in
  review/公示异议.xlsx was checked with none upheld against a person still on the list
  (pipeline.review.objections). Otherwise the stage says why and when it may be issued, removes an
  older 表彰决定 (pipeline.core.stamps), and exits 1; the 请示 is still made.

Both are `pipeline.gongwen.Document`s rendered by pipeline.gongwen.render; the 表彰决定 is public
and read back for personal data (pipeline.rules.privacy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.context import RunContext
from pipeline.core.edition import Edition, section
from pipeline.core.errors import EditionConfigError, ExitCode, StageError
from pipeline.core.signing import term_of
from pipeline.core.stamps import clear_stamp, remove_outputs, replacing, write_stamp
from pipeline.gongwen import Attachment, Document, Para, Table
from pipeline.review.notice import TABLE_HEADERS, approving_body, review_process, round_year
from pipeline.review.objections import (
    OBJECTION_FILE,
    objection_path,
    read_objections,
    write_objection_sheet,
)
from pipeline.review.render import Manifest, file_hash, fingerprint
from pipeline.rules import privacy
from pipeline.rules.awardees import Awardee, AwardeeList
from pipeline.rules.workdays import CALENDAR_FILE, Period, cn_date, load_calendar

REQUEST_STEM = "提请审议的请示"
DECISION_STEM = "表彰决定"
BLANK_RECORD = "公示异议登记表（空白）.xlsx"
"""The blank objection record written beside the documents, to copy to review/公示异议.xlsx."""
STAMP = "decision"
"""The stage stamp (pipeline.core.stamps) that vouches for the 表彰决定."""
APPROVER = "地区人才工作小组"
"""The body the 请示 goes to (notice §四(三)6: 提请地区人才工作小组会审议)."""


@dataclass(frozen=True)
class DecisionSettings:
    """[decision] in edition.toml, defaults filled in."""

    number: str
    """发文字号 of the 表彰决定, e.g. 大署人社发〔2027〕15号 ('' = left for the office to fill in)."""
    date: dt.date
    """成文日期 of the 表彰决定 (default [certificates] issue_date): the 3-year term starts on it."""
    mark: str
    """发文机关标志 (红头) of the 表彰决定 (default: the first issuing organ + 文件)."""
    to: str
    """主送机关 of the 表彰决定, with its colon."""
    copy_to: tuple[str, ...]
    """抄送机关 in the 版记."""
    printed_by: str
    """印发机关 in the 版记 (default: the bureau's 办公室)."""
    printed_on: dt.date
    """印发日期 in the 版记 (default: the 成文日期)."""
    request_number: str
    """发文字号 of the 请示."""
    request_date: dt.date
    """成文日期 of the 请示 (default: the day after the expert review ends)."""
    signer: str
    """签发人 of the 请示."""


def decision_settings(edition: Edition) -> DecisionSettings:
    """Edition in → its [decision] settings; EditionConfigError naming the key and the fix when one is wrong.

    Refuses a 请示 dated after the 表彰决定, a 印发日期 before the 成文日期, and a [certificates]
    issue_date before the 表彰决定 (the certificates state a term that starts on the decision's date).
    """
    review = edition.phases.get("expert_review")
    request_default = review.end + dt.timedelta(days=1) if review else edition.publicity.date
    bureau = edition.office.bureau
    first = edition.issuing_organs[0] if edition.issuing_organs else bureau
    s = section(edition, "decision", edition.raw.get("decision"), {
        "number": "", "date": edition.certificates.issue_date, "mark": f"{first}文件",
        "to": "各县（市、区）人力资源和社会保障局、总工会，地直各有关单位：", "copy_to": [],
        "printed_by": f"{bureau}办公室", "request_number": "", "request_date": request_default, "signer": ""})
    date = s.day("date")
    printed_on = s.day("printed_on") if "printed_on" in s.data else date
    request_date = s.day("request_date")
    source = edition.path / "edition.toml"
    if request_date > date:
        raise EditionConfigError(
            f"[decision] 请示的成文日期 request_date（{request_date}）晚于表彰决定的成文日期 date（{date}）",
            hint=f"请示应在专家评审之后、公示之前报送：修改 {source} 的 [decision] request_date 或 date", file=str(source))
    if printed_on < date:
        raise EditionConfigError(
            f"[decision] 印发日期 printed_on（{printed_on}）早于表彰决定的成文日期 date（{date}）",
            hint=f"修改 {source} 的 [decision] printed_on（不写则与成文日期相同）", file=str(source))
    if edition.certificates.issue_date < date:
        raise EditionConfigError(
            f"[certificates] 证书颁发日期 issue_date（{edition.certificates.issue_date}）早于表彰决定的成文日期"
            f" [decision] date（{date}）：任期自表彰决定印发之日起计算，证书不能早于表彰决定",
            hint=f"修改 {source} 的 [certificates] issue_date 或 [decision] date", file=str(source))
    to = s.text("to").strip()
    if to and not to.endswith(("：", ":")):
        to += "："
    return DecisionSettings(
        number=s.text("number").strip(), date=date, mark=s.text("mark").strip(), to=to,
        copy_to=tuple(t.strip() for t in s.texts("copy_to") if t.strip()), printed_by=s.text("printed_by").strip(),
        printed_on=printed_on, request_number=s.text("request_number").strip(), request_date=request_date,
        signer=s.text("signer").strip())


# ---- the documents -----------------------------------------------------------------------------

LIST_KEEP = (True, True, True, False, True)
"""序号, 姓名, 性别 and 职业（工种） never wrap; the unit wraps between words."""


def _contact(edition: Edition) -> str:
    """'（联系人：马卉，电话：0457-2756328）'."""
    return f"（联系人：{edition.office.contact}，电话：{edition.office.phone}）"


def _people(awardees: tuple[Awardee, ...]) -> tuple[Awardee, ...]:
    """The awardees in 姓氏笔画 order (AwardeeList.public)."""
    return AwardeeList(False, awardees).public


def build_request(edition: Edition, awardees: tuple[Awardee, ...], *, nominated: int, shortlisted: int) -> Document:
    """The 请示 to the 地区人才工作小组: process, request, “妥否，请批示。”, the list attached."""
    settings = decision_settings(edition)
    year = round_year(edition)
    people = _people(awardees)
    listing = f"{year}拟表彰人选名单"
    days = edition.publicity.working_days
    body = (
        Para(review_process(edition, nominated=nominated, shortlisted=shortlisted)
             + f"按综合得分择优确定{len(people)}名同志为{year}拟表彰人选（名单见附件）。"),
        Para(f"根据实施方案，经专家评选确定的“{edition.round.honour}”候选人员名单，须提请{APPROVER}会审议通过后，"
             f"在媒体进行公示，公示期为{days}个工作日。现将拟表彰人选名单报上，提请审议。审议通过后，"
             f"我们将在媒体进行公示；公示期满无异议的，以{'、'.join(edition.issuing_organs)}名义印发表彰决定。"),
        Para("妥否，请批示。"),
    )
    rows = tuple((str(i), a.nominee.candidate.name, a.nominee.candidate.gender or "",
                  a.nominee.candidate.unit_and_post, a.nominee.candidate.occupation)
                 for i, a in enumerate(people, start=1))
    return Document(
        title=f"关于提请审议{year}拟表彰人选的请示",
        body=body,
        organs=(edition.office.bureau,),
        date=settings.request_date,
        mark=f"{edition.office.bureau}文件",
        number=settings.request_number,
        signer=settings.signer,
        addressee=f"{APPROVER}：",
        attachment_notes=(listing,),
        note=_contact(edition),
        attachments=(Attachment(listing, (Table(TABLE_HEADERS, rows, LIST_KEEP, "（按姓氏笔画排序）"),)),),
        meta={"author": edition.office.bureau, "subject": listing},
    )


def _money(yuan: float) -> str:
    """5000.0 → '5000元'; 2500.5 → '2500.50元'."""
    return f"{int(yuan)}元" if float(yuan).is_integer() else f"{yuan:.2f}元"


def build_decision(edition: Edition, awardees: tuple[Awardee, ...], period: Period, *, nominated: int,
                   shortlisted: int) -> Document:
    """The 表彰决定: what was done and on what basis, who is commended, term and 待遇, the call to learn
    from them; the names (姓氏笔画 order) with their units attached; 版记 with 抄送 and 印发."""
    settings = decision_settings(edition)
    r = edition.round
    year = round_year(edition)
    people = _people(awardees)
    organs = "、".join(edition.issuing_organs)
    approved_by = approving_body(edition)
    approval = f"经{approved_by}审议通过，" if approved_by else ""
    first = people[0].nominee.candidate.name if people else ""
    who = f"{first}同志" if len(people) == 1 else f"{first}等{len(people)}名同志"
    start, end = term_of(settings.date, edition.certificates.term_years)
    subsidy = edition.certificates.subsidy_yuan
    pay = f"，每人发放补贴{_money(subsidy)}" if subsidy > 0 else ""
    listing = f"{year}名单"
    body = (
        Para("为进一步发挥高技能人才对我区经济社会发展的促进作用，健全高技能人才激励机制，"
             + review_process(edition, nominated=nominated, shortlisted=shortlisted)
             + f"{approval}并于{period.chinese}在媒体进行公示，公示期满无异议。"),
        Para(f"为表彰先进、树立典型，{organs}决定授予{who}{year}称号（名单见附件）。"),
        Para(f"“{r.honour}”任期{edition.certificates.term_years}年，自本决定印发之日起计算"
             f"（{cn_date(start)}至{cn_date(end)}）。任期内按照《新时代兴安人才振兴30条》相关规定兑现待遇{pay}；"
             "优先推荐参选“龙江技术能手”“龙江工匠”“龙江大工匠”等荣誉称号。"),
        Para("希望受到表彰的同志珍惜荣誉、再接再厉，积极开展“传帮带”活动，在传承技艺、培养人才、攻坚克难中"
             "充分发挥示范引领作用。全区广大职工要以受表彰的同志为榜样，大力弘扬劳模精神、劳动精神、工匠精神，"
             "爱岗敬业、执着专注、精益求精、追求卓越，为兴安全面振兴发展建功立业。"),
    )
    rows = tuple((str(i), a.nominee.candidate.name, a.nominee.candidate.unit_and_post)
                 for i, a in enumerate(people, start=1))
    table = Table(("序号", "姓名", "工作单位及职务"), rows, (True, True, False), "（按姓氏笔画排序）")
    return Document(
        title=f"关于表彰{year}的决定",
        body=body,
        organs=edition.issuing_organs,
        date=settings.date,
        mark=settings.mark,
        number=settings.number,
        addressee=settings.to,
        attachment_notes=(listing,),
        attachments=(Attachment(listing, (table,)),),
        copy_to=settings.copy_to,
        printed_by=settings.printed_by,
        printed_on=settings.printed_on,
        public=False,
        meta={"author": organs, "subject": f"关于表彰{year}的决定"},
    )


# ---- the gate ----------------------------------------------------------------------------------


def earliest_date(ctx: RunContext, period: Period) -> dt.date:
    """The first working day after the 公示 ends: the earliest 成文日期 a 表彰决定 may carry."""
    return load_calendar(ctx.edition.path).first_workday(period.end + dt.timedelta(days=1))


def blockers(ctx: RunContext, awardees: tuple[Awardee, ...], period: Period, names: Mapping[str, str]) -> list[str]:
    """Why the 表彰决定 may not be issued yet, one Chinese sentence each naming the fix; [] when it may.

    `names`: 编号 → 姓名 of every nominee of the round (objections may name any of them).
    """
    from pipeline.stages.publicity import notice_staleness

    edition = ctx.edition
    settings = decision_settings(edition)
    out: list[str] = []
    if settings.date <= period.end:
        out.append(
            f"公示期为{period.chinese}，表彰决定的成文日期{cn_date(settings.date)}（edition.toml [decision] date"
            f"{'' if 'date' in edition.raw.get('decision', {}) else '，未设置时取 [certificates] issue_date'}）"
            f"不在公示期满之后。表彰决定最早可于{cn_date(earliest_date(ctx, period))}印发："
            f"公示期满、异议核查完毕后，把 [decision] date 改为该日或以后（[certificates] issue_date 不早于它），"
            "再运行 make decision")
    stale = notice_staleness(ctx, (a.nominee.candidate for a in awardees))
    if stale:
        out.append(stale + "；公示期满后再运行 make decision")
    path = objection_path(edition.review_dir)
    listed = tuple(a.nominee.candidate.code for a in awardees)
    _, problems = read_objections(path, f"review/{path.name}", names, listed)
    out += [str(p) for p in problems if not p.warning]
    return out


def decision_inputs(ctx: RunContext, awardees: tuple[Awardee, ...]) -> dict[str, str]:
    """What the 表彰决定 is made from: label → hash (see pipeline.core.stamps)."""
    people = sorted((a.nominee.candidate.code, a.nominee.candidate.name, a.nominee.candidate.unit_and_post)
                    for a in awardees)
    raw = ctx.edition.raw
    settings = [raw.get(k) for k in ("round", "office", "organs", "publicity", "certificates", "decision")]
    path = objection_path(ctx.edition.review_dir)
    return {
        "拟表彰人选（评审结果中的人选及其姓名、工作单位及职务）":
            hashlib.sha256(json.dumps(people, ensure_ascii=False).encode()).hexdigest(),
        "edition.toml 中的 [round]、[office]、[organs]、[publicity]、[certificates]、[decision] 设置":
            hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest(),
        f"公示异议登记 review/{path.name}": file_hash(path),
        f"工作日历 {CALENDAR_FILE}": file_hash(ctx.edition.path / CALENDAR_FILE),
    }


# ---- writing -----------------------------------------------------------------------------------


def folder(ctx: RunContext) -> Path:
    """output/<edition>/decision/."""
    return ctx.output / "decision"


def request_paths(ctx: RunContext) -> list[Path]:
    """提请审议的请示.pdf and .docx."""
    return [folder(ctx) / f"{REQUEST_STEM}.{ext}" for ext in ("pdf", "docx")]


def decision_paths(ctx: RunContext) -> list[Path]:
    """表彰决定.pdf and .docx."""
    return [folder(ctx) / f"{DECISION_STEM}.{ext}" for ext in ("pdf", "docx")]


def write_document(ctx: RunContext, doc: Document, stem: str, known: privacy.Known) -> tuple[Path, ...]:
    """The document as PDF and DOCX in output/<edition>/decision/ (skipped when made from the same
    document), read back for personal data."""
    from pipeline.gongwen.render import write_all

    paths = [folder(ctx) / f"{stem}.{ext}" for ext in ("pdf", "docx")]
    manifest = Manifest(ctx, f"decision-{stem}")
    key = fingerprint(doc, str(ctx.source_date), known)
    if manifest.current(key, paths):
        return tuple(paths)
    manifest.forget()
    written = write_all(ctx, doc, folder(ctx), stem)
    privacy.guard(written, known, stage="make decision")
    manifest.record(key)
    return written


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make decision`: the 请示 always, the 表彰决定 once the 公示 ended without an open or upheld
    objection; exit 1 (with the reasons and the earliest date) when the 表彰决定 may not be issued yet."""
    from pipeline.stages.awardees import load_awardees
    from pipeline.stages.publicity import publicity_period
    from pipeline.stages.results import build_results

    decision_settings(ctx.edition)
    with replacing(ctx, "表彰决定", decision_paths(ctx), stage=STAMP):
        with replacing(ctx, "提请审议的请示", request_paths(ctx)):
            results = build_results(ctx)
            awardees = load_awardees(ctx, results.check)
            if not awardees.awardees:
                raise StageError("评审结果中没有拟表彰人选，无法生成请示和表彰决定",
                                 hint="检查 make results 的输出（评审结果.pdf）和提名人选名单", file=str(results.folder))
            known = privacy.Known.of(n.candidate for n in results.check.nominees)
            public = privacy.public_awardees(awardees.awardees, known, ctx.say)
            counts = {"nominated": len(results.check.nominees), "shortlisted": len(results.shortlist.nominees)}
            request = write_document(ctx, build_request(ctx.edition, public, **counts), REQUEST_STEM, known)
        ctx.say(f"请示：{request[0]}（另有 .docx）")
        blank = folder(ctx) / BLANK_RECORD
        write_objection_sheet(blank, ctx.edition.round.title, [], ctx.source_date)
        if not objection_path(ctx.edition.review_dir).is_file():
            ctx.say(f"未登记公示异议（review/{OBJECTION_FILE} 不存在）：公示期间收到异议的，复制 {blank} "
                    f"到 {ctx.edition.review_dir / OBJECTION_FILE} 逐件登记并填写核查结论")
        period = publicity_period(ctx)
        names = {n.candidate.code: n.candidate.name for n in results.check.nominees}
        reasons = blockers(ctx, awardees.awardees, period, names)
        if reasons:
            remove_outputs(ctx, "表彰决定", decision_paths(ctx))
            Manifest(ctx, f"decision-{DECISION_STEM}").forget()
            clear_stamp(ctx, STAMP)
            lines = [f"暂不能印发表彰决定（{len(reasons)} 个原因）："]
            lines += [f"  {i}. {why}" for i, why in enumerate(reasons, start=1)]
            print("\n".join(lines), file=sys.stderr)
            return ExitCode.findings
        doc = build_decision(ctx.edition, public, period, **counts)
        files = write_document(ctx, doc, DECISION_STEM, known)
    write_stamp(ctx, STAMP, decision_inputs(ctx, awardees.awardees))
    ctx.say(f"表彰决定：{files[0]}（另有 .docx），成文日期 {cn_date(doc.date)}")
    return ExitCode.ok
