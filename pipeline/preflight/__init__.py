"""Preflight of a round's output: what a printer, a layout editor and the office would reject.

    inspect(folder, expectations) → PreflightReport      every file under output/<edition>/
    expectations(ctx)             → Expectations         names and fields as the documents print them
    write_report(report, folder)  → preflight.json, preflight.txt

Checks by file (codes and fixes: pipeline.preflight.findings):

    every PDF                        fonts embedded                      (pdf.font_findings)
    packets/*-申报材料.pdf            portrait pages (e-mail copies too); print masters: names and
                                     short fields on the cover and the 申报审批表 unbroken,
                                     nothing within 25 mm of the bound edge, no page of the
                                     先进事迹材料 with only 1–2 lines (pdf, lines)
    shortlist/, publicity/, results/ names, 技术等级 and 职业 unbroken     (lines)
    GB/T 9704 documents: announce/选拔公告.pdf, decision/, check/反馈/
                                     text inside the 版心 (the 红头 and page numbers where the
                                     standard puts them), no page of 1–2 lines but the 版记's,
                                     names and short fields unbroken (gongwen_findings, lines)
    certificates/, media/ PDFs       names unbroken                      (lines)
    media/**/特刊*.pdf                no RGB, text pure K, image ink ≤ 240 %, output intent
                                                                         (pdf.colour_findings)
    every XLSX (and review/初审.xlsx) row heights, clipped text, page set-up, printed size,
                                     header; names, 技术等级, 职业 fit their cell (xlsx)
    public lists and numberings      姓氏笔画 order, never the ranking    (order)
    every DOCX, printed by LibreOffice  the checks of its folder's PDFs but fonts (LibreOffice
                                     substitutes): packets/docx/ names and short fields unbroken,
                                     portrait, binding margin, as many pages as the packet's
                                     申报审批表; publicity/ as the lists (docx)

Per-file results are cached by content hash under output/<edition>/.work/preflight/, so an
unchanged round is re-checked in a moment.

May import the other feature packages, pipeline.ocr, pipeline.rules, pipeline.render and pipeline.core; never pipeline.stages.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core import atomic
from pipeline.core.atomic import sha256_file
from pipeline.preflight import docx as docx_print
from pipeline.preflight import lines as text_lines
from pipeline.preflight import order as public_order
from pipeline.preflight import pdf as pdf_checks
from pipeline.preflight.findings import CODES, PreflightFinding

if TYPE_CHECKING:
    from pipeline.core.context import RunContext

__all__ = ["CODES", "Expectations", "NomineeText", "PreflightFinding", "PreflightReport", "expectations",
           "inspect", "write_report"]

VERSION = "1"
"""Part of the cache key, with a hash of this package's code."""
REPORT_JSON = "preflight.json"
REPORT_TXT = "preflight.txt"


@dataclass(frozen=True)
class NomineeText:
    """What the documents print for one nominee."""

    code: str
    """编号."""
    name: str
    """姓名 as printed."""
    fields: tuple[tuple[str, str], ...]
    """(label, value) of the short fields of the 申报审批表 (性别 … 联系电话)."""
    recommender: str
    """推荐单位 (on the packet cover)."""
    list_fields: tuple[tuple[str, str], ...]
    """(label, value) of the short fields of the public lists (技术等级, 职业)."""


@dataclass(frozen=True)
class Expectations:
    """Everything the checks compare the documents with."""

    nominees: tuple[NomineeText, ...] = ()
    """Every nominee of the roster."""
    ranking: tuple[str, ...] = ()
    """Names of the proposed awardees in rank order (results/awardees.json)."""
    ink_limit: float = 240.0
    """Total ink limit of print images, percent ([media] ink_limit_percent)."""

    def fingerprint(self) -> str:
        """A hash of the expectations (part of the cache key)."""
        blob = json.dumps([[n.code, n.name, n.fields, n.recommender, n.list_fields] for n in self.nominees]
                          + [list(self.ranking), self.ink_limit], ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def by_code(self, code: str) -> NomineeText | None:
        """The nominee with this 编号."""
        return next((n for n in self.nominees if n.code == code), None)


@dataclass(frozen=True)
class PreflightReport:
    """The result of one preflight."""

    files: tuple[str, ...]
    """Every file inspected, relative to output/<edition>/."""
    findings: tuple[PreflightFinding, ...]
    """Every finding, by file then page or cell."""
    notes: tuple[str, ...] = ()
    """What could not be checked and why (Chinese)."""
    by_code: dict[str, int] = field(default_factory=dict)
    """Findings per code."""

    def to_json(self, edition: str = "") -> dict[str, Any]:
        """The report as preflight.json holds it."""
        return {
            "schema": 1,
            "edition": edition,
            "summary": {"files": len(self.files), "findings": len(self.findings), "by_code": self.by_code},
            "notes": list(self.notes),
            "findings": [f.to_json() for f in self.findings],
            "files": list(self.files),
        }


def expectations(ctx: RunContext) -> Expectations:
    """Names and short fields from the roster (as the 申报审批表 prints them), ranking from results/."""
    from pipeline.core.errors import PipelineError
    from pipeline.packets.form import form_fields
    from pipeline.rules.roster import read_roster

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about fixed document dates
            roster = read_roster(ctx.edition.path)
    except PipelineError:
        return Expectations()
    labels = (("gender", "性别"), ("birth", "出生年月"), ("native_place", "籍贯"), ("ethnicity", "民族"),
              ("political_status", "政治面貌"), ("education", "学历"), ("work_start", "参加工作时间"),
              ("professional_title", "职称"), ("skill_level", "技术等级"), ("id_number", "身份证号码"),
              ("phone", "联系电话"))
    nominees = []
    for c in roster.candidates:
        printed = form_fields(c)
        fields = tuple((label, str(printed.get(key, "") or "")) for key, label in labels)
        list_fields = (("技术等级", c.skill_level), ("职业", c.occupation))
        nominees.append(NomineeText(c.code, c.name, fields, c.recommender, list_fields))
    ranking: list[str] = []
    path = ctx.output / "results" / "awardees.json"
    if path.is_file():
        by_code = {n.code: n.name for n in nominees}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            ranking = [by_code[a["编号"]] for a in data.get("awardees", []) if a.get("编号") in by_code]
        except (ValueError, KeyError, TypeError):
            ranking = []
    try:
        ink_limit = float(ctx.edition.raw.get("media", {}).get("ink_limit_percent", 240))
    except (TypeError, ValueError):
        ink_limit = 240.0
    return Expectations(tuple(nominees), tuple(ranking), ink_limit)


# ---------------------------------------------------------------------------------------------
# Which checks apply to which file


def roles(rel: str) -> tuple[str, ...]:
    """The checks a file gets, from its place in output/<edition>/."""
    out: list[str] = []
    name = rel.rsplit("/", 1)[-1]
    if rel.endswith(".pdf"):
        out.append("fonts")
        if rel.startswith("packets/") and name.endswith("-申报材料.pdf"):
            out.append("portrait")
            if not rel.startswith("packets/email/"):  # the e-mail copy has the same text and layout
                out += ["packet-text", "binding"]
        elif rel.startswith(("shortlist/", "publicity/", "results/")):
            out.append("list-text")
        elif gongwen_file(rel):
            out += ["gongwen", "list-text"]
        elif rel.startswith(("certificates/", "media/")):
            out.append("names")
        if rel.startswith("media/") and "特刊" in name:
            out.append("print-colour")
    elif rel.endswith(".xlsx"):
        out.append("sheet")
    elif rel.endswith(".docx"):  # printed by LibreOffice first; its fonts are substitutes, not checked
        if rel.startswith("packets/"):
            out += ["docx", "portrait", "form-text", "binding"]
            if name.endswith("-申报审批表.docx"):
                out.append("form-pages")
        elif rel.startswith(("shortlist/", "publicity/", "results/")) or gongwen_file(rel):
            out += ["docx", "list-text"]
        elif rel.startswith(("certificates/", "media/")):
            out += ["docx", "names"]
    return tuple(out)


GONGWEN_FOLDERS = ("decision/", "check/反馈/")
"""Folders whose documents are all GB/T 9704 公文 (pipeline.gongwen); in announce/ only the 选拔公告."""


def gongwen_file(rel: str) -> bool:
    """A GB/T 9704 document of the round (选拔公告, 审核意见反馈单, 请示, 表彰决定)."""
    return rel.startswith(GONGWEN_FOLDERS) or rel.rsplit(".", 1)[0] == "announce/选拔公告"


def packet_for(folder: Path, rel: str) -> Path | None:
    """The bound packet (packets/<编号>-<姓名>-申报材料.pdf) of a DOCX form in packets/docx/."""
    code = rel.rsplit("/", 1)[-1].split("-", 1)[0]
    packets = folder / "packets"
    if not packets.is_dir():
        return None
    return next((p for p in sorted(packets.iterdir())
                 if p.name.startswith(f"{code}-") and p.name.endswith("-申报材料.pdf")), None)


def outline_section(pdf: Any, name: str) -> tuple[int, int] | None:
    """(first, last) 1-based pages of the top-level outline entry whose title names `name`
    (up to the page before the next entry); None when the outline has no such entry."""
    import pikepdf

    starts: list[tuple[int, str]] = []
    try:
        with pdf.open_outline() as outline:
            for item in outline.root:
                dest = item.destination
                if isinstance(dest, pikepdf.Array) and len(dest):
                    starts.append((pdf.pages.index(pikepdf.Page(dest[0])) + 1, item.title))
    except (pikepdf.PdfError, ValueError, TypeError, KeyError):
        starts = []
    starts.sort()
    for i, (page, title) in enumerate(starts):
        if name in title:
            end = starts[i + 1][0] - 1 if i + 1 < len(starts) else len(pdf.pages)
            return page, max(page, end)
    return None


def _packet_form_pages(pdf: Any) -> tuple[int, int]:
    """(first, last) 1-based pages of the 申报审批表 from the outline; (2, 6) when unknown."""
    return outline_section(pdf, "申报审批表") or (2, min(6, len(pdf.pages)))


SHORT_PAGE_LINES = 3
"""A page of running text holds at least this many lines (issue 10 §2: no near-empty pages)."""
_FOLIO = re.compile(r"^[—–-]*\d+[—–-]*$")


def short_page_findings(path: Path, rel: str, section: tuple[int, int], what: str) -> list[PreflightFinding]:
    """PF_SHORT_PAGE for every page of a section of running text with text on fewer than 3 lines
    (the folio "— n —" does not count; a blank page, put in so a section starts on an odd page,
    has no text at all and is left alone)."""
    first, last = section
    findings = []
    for number, glyphs in sorted(text_lines.page_glyphs(path, first, last).items()):
        lines = [row for row in text_lines.rows(glyphs) if not _FOLIO.match(row)]
        if 0 < len(lines) < SHORT_PAGE_LINES:
            shown = " / ".join(lines)
            findings.append(PreflightFinding(
                "PF_SHORT_PAGE", rel, f"第{number}页（{what}）只有{len(lines)}行文字：{shown}", page=number,
                data={"section": what, "lines": lines}))
    return findings


TEXT_AREA_MM = (28.0, 37.0, 184.0, 262.0)
"""The GB/T 9704 版心 (left, top, right, bottom) on A4, in mm from the top-left corner."""
TEXT_AREA_SLACK_MM = 1.0
"""Glyph boxes (font ascent and descent) may reach this far past the 版心's edges."""
MARK_TOP_MM = 31.0
"""On page 1 the 发文机关标志 starts 35 mm down, its glyph box about 3 mm higher."""
_BANJI = re.compile(r"^(抄送：|.*\d{4}年\d{1,2}月\d{1,2}日印发$)")


def gongwen_findings(path: Path, rel: str) -> list[PreflightFinding]:
    """A GB/T 9704 document: PF_OUTSIDE_TEXT_AREA for text outside the 版心 (the page numbers under
    it and, on page 1, the 红头 35 mm down are where the standard puts them), PF_SHORT_PAGE for a
    page with text on only 1–2 lines (an orphaned line, a 署名 without text), except a page that
    holds only the 版记 (GB/T 9704 7.4: it may stand alone on the last even page)."""
    mm = 72 / 25.4
    left, top, right, bottom = TEXT_AREA_MM
    slack = TEXT_AREA_SLACK_MM
    findings: list[PreflightFinding] = []
    for number, glyphs in sorted(text_lines.page_glyphs(path).items()):
        rows = text_lines.rows(glyphs)
        lines = [row for row in rows if not _FOLIO.match(row)]
        if 0 < len(lines) < SHORT_PAGE_LINES and not all(_BANJI.match(x) for x in lines):
            findings.append(PreflightFinding(
                "PF_SHORT_PAGE", rel, f"第{number}页只有{len(lines)}行文字：{' / '.join(lines)}", page=number,
                data={"section": "公文", "lines": lines}))
        ceiling = MARK_TOP_MM if number == 1 else top - slack
        outside = [g for g in glyphs
                   if not (g.y0 / mm > bottom and g.ch in "—–-0123456789")     # the page number
                   and (g.x0 / mm < left - slack or g.x1 / mm > right + slack
                        or g.y0 / mm < ceiling or g.y1 / mm > bottom + slack)]
        if outside:
            g = outside[0]
            line = "".join(x.ch for x in sorted(glyphs, key=lambda x: x.x0) if abs(x.cy - g.cy) < g.height / 2)
            shown = "".join(x.ch for x in outside[:20])
            findings.append(PreflightFinding(
                "PF_OUTSIDE_TEXT_AREA", rel,
                f"第{number}页“{line[:40]}”一行在版心之外（距左 {g.x0 / mm:.1f}、距顶 {g.y0 / mm:.1f} 毫米，超出的是“{shown}”）",
                page=number, data={"box_mm": [round(v / mm, 1) for v in (g.x0, g.y0, g.x1, g.y1)],
                                   "text": shown}))
    return findings


def _text_findings(rel: str, pages: dict[int, list[text_lines.Glyph]], values: Sequence[tuple[str, str]],
                   names: Sequence[str]) -> list[PreflightFinding]:
    findings = []
    for label, value, occ in text_lines.broken_values(pages, [("姓名", n) for n in names]):
        findings.append(PreflightFinding(
            "PF_NAME_BROKEN", rel, f"第{occ.page}页姓名“{value}”被拆成两行：{' / '.join(occ.lines)}",
            page=occ.page, data={"field": label, "value": value, "lines": list(occ.lines)}))
    for label, value, occ in text_lines.broken_values(pages, values):
        if len(occ.lines) == 2 and occ.lines[1][:1] in "（(":
            continue  # a long value set before its bracket, as the lists do (office.outlier_pieces)
        findings.append(PreflightFinding(
            "PF_FIELD_BROKEN", rel, f"第{occ.page}页“{label}”一栏的“{value}”被拆成两行：{' / '.join(occ.lines)}",
            page=occ.page, data={"field": label, "value": value, "lines": list(occ.lines)}))
    return findings


def _list_values(expect: Expectations) -> list[tuple[str, str]]:
    """(label, value) of the short fields the public lists print (技术等级, 职业)."""
    return sorted({v for n in expect.nominees for v in n.list_fields if v[1]})


def inspect_docx(folder: Path, path: Path, rel: str, printed: Path, expect: Expectations) -> list[PreflightFinding]:
    """The checks that apply to a DOCX, run on `printed`, the PDF LibreOffice printed from it;
    page numbers are the printed ones (fonts are LibreOffice's stand-ins: not checked)."""
    import pikepdf

    wanted = roles(rel)
    findings: list[PreflightFinding] = []
    try:
        pdf = pikepdf.open(printed)
    except (pikepdf.PdfError, OSError) as exc:
        return [PreflightFinding("PF_FILE_UNREADABLE", rel, f"LibreOffice 打印出的 PDF 无法打开：{exc}")]
    with pdf:
        count = len(pdf.pages)
        if "portrait" in wanted:
            findings += pdf_checks.landscape_findings(pdf, rel)
    if "binding" in wanted:
        findings += pdf_checks.binding_findings(printed, rel)
    pages = text_lines.page_glyphs(printed)
    names = [n.name for n in expect.nominees]
    if "form-text" in wanted:
        nominee = expect.by_code(rel.rsplit("/", 1)[-1].split("-", 1)[0])
        if nominee is not None:
            findings += _text_findings(rel, pages, nominee.fields, [nominee.name])
    elif "list-text" in wanted:
        findings += _text_findings(rel, pages, _list_values(expect), names)
    elif "names" in wanted:
        findings += _text_findings(rel, pages, [], names)
    findings = [replace(f, message=f"用 LibreOffice 打印时，{f.message}") for f in findings]
    packet = packet_for(folder, rel) if "form-pages" in wanted else None
    if packet is not None:
        expected = docx_print.form_pages(packet)
        if expected is not None and expected != count:
            packet_rel = packet.relative_to(folder).as_posix()
            findings.append(PreflightFinding(
                "PF_DOCX_PAGES", rel, f"用 LibreOffice 打印为 {count} 页，{packet_rel} 中的申报审批表为 {expected} 页",
                data={"docx_pages": count, "pdf_pages": expected, "pdf": packet_rel}))
    return findings


def inspect_file(path: Path, rel: str, expect: Expectations) -> list[PreflightFinding]:
    """Every check that applies to one file."""
    import pikepdf

    wanted = roles(rel)
    findings: list[PreflightFinding] = []
    if not wanted:
        return findings
    if "sheet" in wanted:
        from pipeline.preflight.xlsx import workbook_findings

        unbreakable = {"".join(v.split()): label for n in expect.nominees
                       for label, v in n.list_fields if len(v) >= 2}
        unbreakable.update({"".join(n.name.split()): "姓名" for n in expect.nominees})
        try:
            return workbook_findings(path, rel, unbreakable)
        except (OSError, ValueError, KeyError) as exc:
            return [PreflightFinding("PF_FILE_UNREADABLE", rel, f"表格无法打开：{type(exc).__name__}: {exc}")]
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        return [PreflightFinding("PF_FILE_UNREADABLE", rel, f"PDF 无法打开：{exc}")]
    with pdf:
        if "fonts" in wanted:
            findings += pdf_checks.font_findings(pdf, rel)
        if "portrait" in wanted:
            findings += pdf_checks.landscape_findings(pdf, rel)
        if "print-colour" in wanted:
            findings += pdf_checks.colour_findings(pdf, rel, expect.ink_limit)
        form_pages = _packet_form_pages(pdf) if "packet-text" in wanted else (0, 0)
        deeds_pages = outline_section(pdf, "先进事迹材料") if "packet-text" in wanted else None
    if "binding" in wanted:
        findings += pdf_checks.binding_findings(path, rel)
    if deeds_pages is not None:
        findings += short_page_findings(path, rel, deeds_pages, "先进事迹材料")
    if "gongwen" in wanted:
        findings += gongwen_findings(path, rel)
    names = [n.name for n in expect.nominees]
    if "packet-text" in wanted:
        code = rel.rsplit("/", 1)[-1].split("-", 1)[0]
        nominee = expect.by_code(code)
        if nominee is not None:
            first, last = form_pages
            pages = text_lines.page_glyphs(path, 1, last)
            cover = {1: pages.get(1, [])}
            form = {p: g for p, g in pages.items() if first <= p <= last}
            findings += _text_findings(rel, cover, [("推荐单位", nominee.recommender)], [nominee.name])
            findings += _text_findings(rel, form, nominee.fields, [nominee.name])
    elif "list-text" in wanted:
        pages = text_lines.page_glyphs(path)
        findings += _text_findings(rel, pages, _list_values(expect), names)
    elif "names" in wanted:
        pages = text_lines.page_glyphs(path)
        findings += _text_findings(rel, pages, [], names)
    return findings


# ---------------------------------------------------------------------------------------------
# Public order


def public_lists(folder: Path, expect: Expectations) -> list[public_order.PublicList]:
    """The awardees as each public document and numbering shows them."""
    awardees = list(expect.ranking)
    known = {"".join(n.split()) for n in awardees}
    if not known:
        return []
    lists: list[public_order.PublicList] = []

    def add(rel: str, what: str, names: Sequence[str]) -> None:
        if names:
            lists.append(public_order.PublicList(rel, what, tuple(names)))

    for rel in ("publicity/公示.pdf",):
        path = folder / rel
        if path.is_file():
            text = _pdf_text(path, layout=False)
            add(rel, "公示名单的顺序", public_order.names_in_text(text, awardees))
    if (folder / "publicity/公示.html").is_file():
        add("publicity/公示.html", "网页版公示名单的顺序",
            public_order.names_in_text(public_order.html_text(folder / "publicity/公示.html"), awardees))
    if (folder / "publicity/公示.docx").is_file():
        add("publicity/公示.docx", "Word 版公示名单的顺序",
            public_order.names_in_text(_docx_text(folder / "publicity/公示.docx"), awardees))
    for path in sorted((folder / "media").glob("**/特刊*.pdf")):
        add(path.relative_to(folder).as_posix(), "特刊中人物的顺序（从左到右、从上到下）",
            special_page_order(path, awardees))
    numbered_dirs = [("media/newspaper/专栏", "专栏稿编号"), ("media/newspaper/照片", "特刊照片编号"),
                     ("media/tv/字幕", "电视字幕编号"), ("media/tv/口播稿", "口播稿编号"),
                     ("certificates/证书", "证书编号")]
    for rel, what in numbered_dirs:
        if (folder / rel).is_dir():
            add(rel, what, public_order.numbered_names(sorted((folder / rel).iterdir()), known))
    newmedia = folder / "media/newmedia"
    if newmedia.is_dir():
        articles = []
        for path in sorted(newmedia.glob("a[0-9]*.html")):
            number = int(re.sub(r"\D", "", path.stem) or 0)
            shown = public_order.names_in_text(public_order.html_text(path), awardees)
            if shown:
                articles.append((number, shown[0]))
        add("media/newmedia", "新媒体图文编号", [n for _, n in sorted(articles)])
        if (newmedia / "index.html").is_file():
            add("media/newmedia/index.html", "新媒体索引页的顺序",
                public_order.names_in_text(public_order.html_text(newmedia / "index.html"), awardees))
    sheet = folder / "certificates/颁奖及补贴发放表.xlsx"
    if sheet.is_file():
        with contextlib.suppress(OSError, ValueError, KeyError):
            add(sheet.relative_to(folder).as_posix(), "颁奖及补贴发放表的顺序", public_order.xlsx_names(sheet, known))
    return lists


ROW_BAND_PT = 142.0
"""Name headings whose tops differ by less than this (50 mm) stand in one row of cards: a name
beside its photo or dropped under it (a card is taller than that, its photo at least 30 mm wide)."""


def special_page_order(path: Path, names: Sequence[str]) -> list[str]:
    """The awardees in the order a reader meets their cards: page, row, then left to right.

    Each name is found at its heading: an occurrence that stands alone on its line (the cards also
    quote names in running text), the largest if several; headings whose tops are within
    ROW_BAND_PT are one row, whatever their size.
    """
    pages = text_lines.page_glyphs(path)
    heads: list[tuple[int, float, float, str]] = []
    for name in names:
        target = "".join(name.split())
        best: tuple[bool, float, int, text_lines.Glyph] | None = None
        for number, glyphs in pages.items():
            for first in glyphs:
                if first.ch != target[0]:
                    continue
                alone = text_lines.heading_at(glyphs, first, target)
                if alone is None:
                    continue
                rank = (alone, first.height)
                if best is None or rank > best[:2]:
                    best = (alone, first.height, number, first)
        if best is not None:
            heads.append((best[2], best[3].y0, best[3].x0, name))
    ordered: list[str] = []
    for page in sorted({h[0] for h in heads}):
        band: list[tuple[float, float, str]] = []
        for _, y0, x0, name in sorted((h for h in heads if h[0] == page), key=lambda h: h[1]):
            if band and y0 - band[0][0] > ROW_BAND_PT:
                ordered += [n for _, _, n in sorted(band, key=lambda b: b[1])]
                band = []
            band.append((y0, x0, name))
        ordered += [n for _, _, n in sorted(band, key=lambda b: b[1])]
    return ordered


def _pdf_text(path: Path, *, layout: bool) -> str:
    command = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    try:
        return subprocess.run(command, check=True, capture_output=True).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.CalledProcessError):
        return ""


def _docx_text(path: Path) -> str:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""
    return re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n"))


# ---------------------------------------------------------------------------------------------
# The whole folder


def _code_fingerprint() -> str:
    """A hash of the preflight's own code: a changed check recomputes every cached result."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def output_files(folder: Path) -> list[Path]:
    """Every file under output/<edition>/ except work folders and the preflight's own reports."""
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if rel.as_posix() in (REPORT_JSON, REPORT_TXT):
            continue
        files.append(path)
    return files


def inspect(folder: Path, expect: Expectations, *, extra: Sequence[tuple[Path, str]] = (),
            cache_dir: Path | None = None, order_key: public_order.SortKey | None | bool = True,
            workers: int = 2, progress: Callable[[str], None] | None = None,
            found: Sequence[PreflightFinding] = ()) -> PreflightReport:
    """Inspect every file under `folder` (plus `extra` (path, label) pairs); nothing is written.

    `found`: findings made elsewhere (a stale 公示, from the stage stamps), reported with the rest.

    order_key=True looks up pipeline.rules.strokes; None checks only that public lists are not in
    rank order; a callable is used as the stroke sort key.
    """
    jobs = [(p, p.relative_to(folder).as_posix()) for p in output_files(folder)] + list(extra)
    cache: dict[str, Any] = {}
    cache_file = cache_dir / "cache.json" if cache_dir else None
    if cache_file is not None and cache_file.is_file():
        try:
            cache = json.loads(cache_file.read_text(encoding="utf-8"))
        except ValueError:
            cache = {}
    stamp = f"{VERSION}:{_code_fingerprint()}:{expect.fingerprint()}"
    used: dict[str, Any] = {}
    todo = [j for j in jobs if roles(j[1])]
    if progress:
        progress(f"印前检查：{len(jobs)} 个文件，其中 {len(todo)} 个要检查（未改动的沿用上次结果）……")
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        digests = dict(zip((rel for _, rel in todo), pool.map(lambda job: sha256_file(job[0]), todo), strict=True))

    def cache_key(rel: str) -> str:
        key = f"{rel}:{digests[rel]}"
        if "form-pages" in roles(rel):  # the DOCX form is compared with its packet's page count
            packet = packet_for(folder, rel)
            if packet is not None:
                key += ":" + (digests.get(packet.relative_to(folder).as_posix()) or sha256_file(packet))
        return f"{key}:{stamp}"

    keys = {rel: cache_key(rel) for _, rel in todo}
    notes: list[str] = []
    documents = [(path, rel) for path, rel in todo if "docx" in roles(rel)]
    printed: dict[Path, Path | str] = {}

    def run(job: tuple[Path, str]) -> list[PreflightFinding]:
        path, rel = job
        if not roles(rel):
            return []
        key = keys[rel]
        if key in cache:
            used[key] = cache[key]
            return [PreflightFinding.from_json(f) for f in cache[key]]
        try:
            if "docx" in roles(rel):
                pdf = printed.get(path)
                if pdf is None:  # LibreOffice is not installed (said once in the notes)
                    return []
                if isinstance(pdf, str):  # not cached: the next run tries again
                    return [PreflightFinding("PF_FILE_UNREADABLE", rel, f"{pdf}，无法检查它打印出来的样子")]
                found = inspect_docx(folder, path, rel, pdf, expect)
            else:
                found = inspect_file(path, rel, expect)
        except (OSError, ValueError, RuntimeError, KeyError, subprocess.CalledProcessError) as exc:
            found = [PreflightFinding("PF_FILE_UNREADABLE", rel, f"检查时出错：{type(exc).__name__}: {exc}")]
        used[key] = [f.to_json() for f in found]
        return found

    with contextlib.ExitStack() as stack:
        unprinted = [(path, digests[rel]) for path, rel in documents if keys[rel] not in cache]
        if unprinted and docx_print.libreoffice() is None:
            notes.append(docx_print.MISSING_NOTE.format(count=len(unprinted)))
        elif unprinted:
            work = cache_dir if cache_dir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
            if progress:
                progress(f"印前检查：用 LibreOffice 打印 {len(unprinted)} 个 Word 文件（.docx）……")
            printed = docx_print.print_docx(unprinted, work / "docx", work / "libreoffice")
        if cache_dir is not None:
            docx_print.prune(cache_dir / "docx", {digests[rel] for _, rel in documents})
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(run, jobs))
    findings = [*found, *(f for fs in results for f in fs)]

    key: public_order.SortKey | None
    if order_key is True:
        key = public_order.stroke_key()
        if key is None:
            notes.append("尚未提供姓氏笔画排序（pipeline.rules.strokes），公开名单只检查了“不按评分排名排列”")
    elif order_key is False:
        key = None
    else:
        key = order_key  # type: ignore[assignment]
    findings += public_order.order_findings(public_lists(folder, expect), expect.ranking, key)
    if not expect.nominees:
        notes.append("未能读取名册，没有检查姓名和短字段是否断行")
    if cache_file is not None:
        atomic.write_text(cache_file, json.dumps(used, ensure_ascii=False, sort_keys=True))
    by_code: dict[str, int] = {}
    for f in findings:
        by_code[f.code] = by_code.get(f.code, 0) + 1
    return PreflightReport(tuple(rel for _, rel in jobs), tuple(findings), tuple(notes), dict(sorted(by_code.items())))


def summary_text(report: PreflightReport, edition: str = "", limit: int = 0) -> str:
    """The Chinese summary: counts by code, then every finding with its fix."""
    lines = [f"印前检查（{edition}）：检查了 {len(report.files)} 个文件，"
             + (f"发现 {len(report.findings)} 个问题。" if report.findings else "没有发现问题。")]
    for code, count in report.by_code.items():
        lines.append(f"  {code}（{CODES[code][0]}）：{count} 处")
    for note in report.notes:
        lines.append(f"  注意：{note}")
    shown = report.findings if not limit else report.findings[:limit]
    if shown:
        lines.append("")
    for f in shown:
        where = f"（{f.where}）" if f.where and f.where not in f.message else ""
        lines.append(f"[{f.code}] {f.file}{where}：{f.message}。处理办法：{f.hint}")
    if limit and len(report.findings) > limit:
        lines.append(f"……另有 {len(report.findings) - limit} 个问题，见 preflight.txt")
    return "\n".join(lines) + "\n"


def write_report(report: PreflightReport, folder: Path, edition: str = "") -> tuple[Path, Path]:
    """preflight.json and preflight.txt in output/<edition>/."""
    json_path, txt_path = folder / REPORT_JSON, folder / REPORT_TXT
    atomic.write_text(json_path, json.dumps(report.to_json(edition), ensure_ascii=False, indent=2) + "\n")
    atomic.write_text(txt_path, summary_text(report, edition))
    return json_path, txt_path
