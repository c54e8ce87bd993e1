"""Cover, 目录, 申报审批表, 先进事迹材料 and the evidence placeholder sheets as one HTML
document (templates/packet/packet.html.j2 + packet.css), rendered by WeasyPrint.

`FrontRenderer` is made once per worker process: it holds WeasyPrint's font
configuration and the parsed stylesheet, so each packet pays only for its own layout.
WeasyPrint reports missing images and CSS it ignores through its logger only; every such
message fails the document (RenderError), so nothing is silently left out.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from pipeline.core.edition import PROJECT_ROOT, Edition
from pipeline.core.errors import RenderError
from pipeline.core.model import Candidate, YearMonth
from pipeline.packets.evidence import Rect, Sheet
from pipeline.packets.fit import (
    PT_PER_MM,
    GridCell,
    Measure,
    fit_grid,
    fit_size,
    wrapped_lines,
)
from pipeline.packets.job import PacketJob
from pipeline.render.fonts import FontSet, use_project_fonts
from pipeline.render.weasy import url_fetcher, weasyprint_errors
from pipeline.render.wordbreak import break_lines, well_broken
from pipeline.rules.materials import DeedsUnreadable, read_deeds

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "packet"
HTML_TEMPLATE = "packet/packet.html.j2"
OVERLAY_TEMPLATE = "packet/overlay.html.j2"
OVERLAY_CSS = "".join(f"@page {name}:right {{ @bottom-right {{ content: none; }} }}\n"
                      f"@page {name}:left {{ @bottom-left {{ content: none; }} }}\n" for name in ("", "sheet"))
"""An overlay's pages carry no folio (the packet's page has its own)."""
STYLESHEET = TEMPLATE_DIR / "packet.css"
PX_TO_PT = 0.75
"""WeasyPrint lays out in CSS pixels (1/96 in); PDF points are 1/72 in."""

NOTES: tuple[str, ...] = (
    "本表供大兴安岭地区“兴安技术能手”申报使用，填写内容应经本单位审核认可。",
    "一律用A4打印，内容要具体、真实、字迹清楚。",
    "如填写内容较多，可另加附页。",
    "此表需候选人所在单位加盖骑缝章。",
    "表格中涉及证明人或证明材料的，请填写证明人的姓名或附证明材料的复印件。",
)
"""注意事项 of the attachment, verbatim."""

SIGN_UNIT = "主要负责人签字（公章）："
OPINIONS: tuple[tuple[str, str], ...] = (
    ("推荐单位或基层行业协会意见", SIGN_UNIT),
    ("个人自荐", "自荐人签字："),
    ("县（市）、区工会或行业协会推荐意见", SIGN_UNIT),
    ("地区“兴安技术能手”选树工作领导小组办公室审核意见", SIGN_UNIT),
    ("专家评审意见", SIGN_UNIT),
    ("地区“兴安技术能手”选树工作领导小组审核意见", SIGN_UNIT),
    ("地区人才工作小组审核意见", SIGN_UNIT),
)
"""The seven opinion boxes of the attachment, in order, with the signature line of each."""

CATEGORY_LABELS: dict[str, str] = {
    "资格证书": "职业资格证书",
    "成果证书": "技术成果证书",
    "奖励证书": "奖励证书",
    "荣誉证书": "荣誉证书",
    "领先水平证明": "领先水平证明材料",
    "其他": "其他材料",
}
"""Section titles of the evidence categories in the packet."""

SECTION_FORM = "申报审批表"
SECTION_DEEDS = "先进事迹材料"
_NUMERALS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (section numbers up to 99)."""
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def chinese_year_month(ym: YearMonth) -> str:
    """YearMonth → '二〇二七年三月', as dates are written on a cover."""
    year = "".join(_NUMERALS[int(d)] for d in str(ym.year))
    return f"{year}年{chinese_number(ym.month)}月"


def cover_month(edition: Edition) -> YearMonth:
    """The month on the cover: [packets] date, else the end of 组织申报, else the reference date."""
    raw = edition.raw.get("packets", {}).get("date")
    if raw is not None and hasattr(raw, "year") and hasattr(raw, "month"):
        return YearMonth(raw.year, raw.month)
    apply = edition.phases.get("apply")
    day = apply.end if apply else edition.round.reference_date
    return YearMonth(day.year, day.month)


def work_unit(unit_and_post: str) -> str:
    """'工作单位及职务' → the unit alone when a space separates the post ('单位 职务'), else all."""
    text = unit_and_post.strip()
    head, sep, _ = text.rpartition(" ")
    return head.strip() if sep and head.strip() else text


def cover_title_size(unit: str) -> str:
    """Length of the unit name → the CSS size class of the cover title ('', 'long', 'xlong')."""
    if len(unit) <= 17:
        return ""
    return "long" if len(unit) <= 21 else "xlong"


def split_lines(text: str) -> list[str]:
    """Multi-line roster text → its non-empty lines."""
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def skill_with_occupation(skill: str, occupation: str) -> str:
    """技术等级 as printed: the occupation is added when the level does not name it."""
    if occupation and occupation not in skill:
        return f"{skill}（{occupation}）" if skill else occupation
    return skill


def original_title(stem: str, title: str) -> str:
    """The title as the file name spells it: the roster side may have NFKC-normalised it
    ('(技师)'), the packet keeps the name's full-width punctuation ('（技师）')."""
    stem = unicodedata.normalize("NFC", stem).strip()
    for start in range(len(stem)):
        tail = stem[start:].strip()
        if tail and unicodedata.normalize("NFKC", tail) == unicodedata.normalize("NFKC", title):
            return tail
    return title


_HEADING_1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING_2 = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")


def deeds_paragraph(text: str) -> dict[str, str]:
    """A deeds paragraph → {'level': 'h1'|'h2'|'', 'head': heading words, 'rest': the text after}.

    GB/T 9704-2012 §7.3.3: 一级标题 "一、" in 黑体, 二级标题 "（一）" in 楷体; a heading that runs on
    into its paragraph ends at its first full stop, the text after it stays 仿宋.
    """
    level = "h1" if _HEADING_1.match(text) else "h2" if _HEADING_2.match(text) else ""
    if not level:
        return {"level": "", "head": "", "rest": text}
    stop = text.find("。")
    if 0 <= stop < len(text) - 1:
        return {"level": level, "head": text[:stop + 1], "rest": text[stop + 1:]}
    return {"level": level, "head": text, "rest": ""}


@dataclass(frozen=True)
class EvidenceItem:
    """One evidence file with its sheets, as the template and the contents need it."""

    category: str
    """资格证书 … 其他."""
    caption: str
    """'高级技师职业资格证书（2019年6月）'."""
    target: str
    """HTML id of its first sheet."""
    sheets: tuple[tuple[int, Sheet], ...]
    """(sheet number in the packet, sheet)."""


def group_evidence(job: PacketJob, sheets: Sequence[tuple[Sheet, ...]]) -> list[EvidenceItem]:
    """Evidence files and their probed sheets → items numbered through the packet."""
    items: list[EvidenceItem] = []
    n = 0
    for i, (ev, file_sheets) in enumerate(zip(job.evidence, sheets, strict=True)):
        caption = original_title(ev.path.stem, ev.title) + (
            f"（{ev.date.year}年{ev.date.month}月）" if ev.date else "")
        numbered = []
        for sheet in file_sheets:
            n += 1
            numbered.append((n, sheet))
        items.append(EvidenceItem(ev.category, caption, f"item-{i + 1}", tuple(numbered)))
    return items


def build_context(job: PacketJob, items: Sequence[EvidenceItem], photo_url: str | None) -> dict[str, Any]:
    """A packet job + its evidence items → the template context (plain values, escaped later)."""
    c = job.candidate
    edition = job.edition
    if job.deeds is None:
        raise RenderError("缺少先进事迹材料", hint="在候选人文件夹中放入 先进事迹.docx（或 .txt/.md）",
                          candidate=c.label, code="DEEDS_MISSING")
    try:
        deeds = read_deeds(job.deeds)
    except DeedsUnreadable as exc:
        raise RenderError(f"先进事迹材料无法读取：{exc}", hint="用 Word 另存为 .docx 后替换",
                          candidate=c.label, file=str(job.deeds), code="DEEDS_MISSING") from exc

    sections: list[tuple[str, str]] = [(SECTION_FORM, "form"), (SECTION_DEEDS, "deeds")]
    groups: list[dict[str, Any]] = []
    toc: list[dict[str, Any]] = []
    for label, target in sections:
        toc.append({"level": 1, "label": f"{chinese_number(len(toc) + 1)}、{label}", "target": target})
    number = len(sections)
    for category in dict.fromkeys(item.category for item in items):
        members = [item for item in items if item.category == category]
        number += 1
        label = CATEGORY_LABELS.get(category, category)
        toc.append({"level": 1, "label": f"{chinese_number(number)}、{label}", "target": members[0].target})
        group_items = []
        for k, item in enumerate(members, start=1):
            pages = len(item.sheets)
            suffix = f"（共{pages}页）" if pages > 1 else ""
            # The same words and numbering in the contents, the bookmark and the running head.
            toc.append({"level": 2, "label": f"{k}．{item.caption}{suffix}", "target": item.target})
            group_items.append({
                "target": item.target,
                "caption": f"{k}．{item.caption}",
                "bookmark": f"{k}．{item.caption}{suffix}",
                "first_in_group": k == 1,
                "sheets": [{"n": n, "landscape": sheet.landscape} for n, sheet in item.sheets],
            })
        groups.append({"label": f"{chinese_number(number)}、{label}", "members": group_items})

    region = edition.round.region
    return {
        "meta": {
            "title": f"{c.recommender}申报兴安技术能手选树材料（{c.name}）",
            "author": c.recommender,
            "subject": edition.round.title,
            "keywords": f"兴安技术能手, {c.code}, {c.name}",
            "created": job.source_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "cover": {
            "size": cover_title_size(c.recommender),
            "unit": c.recommender,
            "name": c.name,
            "nomination": c.nomination,
            "round_title": edition.round.title,
            "date": chinese_year_month(cover_month(edition)),
        },
        "toc": toc,
        "form": {
            "section": f"{chinese_number(1)}、{SECTION_FORM}",
            "heading_region": region,
            **form_fields(c),
            "bureau": edition.office.bureau,
            "notes": NOTES,
            "photo_url": photo_url,
            "opinions": [{"title": t, "signer": s} for t, s in OPINIONS],
        },
        "deeds": {
            "section": f"{chinese_number(2)}、{SECTION_DEEDS}",
            "title": deeds.title or f"{c.name}同志先进事迹材料",
            "paragraphs": [deeds_paragraph(para) for para in deeds.paragraphs],
        },
        "evidence": groups,
        "imprint": {"on": edition.packets.imprint, "unit": c.recommender},
    }


@dataclass(frozen=True)
class RenderedFront:
    """The WeasyPrint part of a packet."""

    pdf: bytes
    """The PDF: every page, evidence sheets still without their scans."""
    pages: int
    """Page count."""
    scan_boxes: dict[int, tuple[int, Rect]]
    """Sheet number → (page index, the .scan box in PDF points)."""
    overlays: tuple[Overlay, ...] = ()
    """Parts rendered once per worker to lay over pages of this PDF (the imprint, the 注意事项)."""


@dataclass(frozen=True)
class Overlay:
    """A part rendered once per worker and content (FrontRenderer.overlay), to lay over some pages."""

    pdf: bytes
    """Its PDF: page 1 for a right-hand (odd) page, page 2 for a left-hand (even) page — or, `per_page`, its
    page i for the packet's page i."""
    pages: tuple[int, ...]
    """Indices of the packet's pages it goes on."""
    per_page: bool = False
    """Each page gets the overlay's page of the same index (the folios), not the one of its side."""


def form_fields(c: Candidate) -> dict[str, object]:
    """A candidate → the 申报审批表 fields as printed, shared by the PDF and the DOCX form."""
    return {
        "name": c.name,
        "unit": work_unit(c.unit_and_post),
        "gender": c.gender or "",
        "birth": str(c.birth) if c.birth else "",
        "native_place": c.native_place,
        "ethnicity": c.ethnicity,
        "political_status": c.political_status,
        "education": c.education,
        "work_start": str(c.work_start) if c.work_start else "",
        "professional_title": c.professional_title,
        "skill_level": skill_with_occupation(c.skill_level, c.occupation),
        "unit_and_post": c.unit_and_post,
        "id_number": c.id_number,
        "phone": c.phone,
        "resume_lines": split_lines(c.resume),
        "summary_lines": split_lines(c.summary),
    }


FORM_COLUMNS_MM: tuple[float, ...] = (26, 24, 16, 18, 23, 23, 40)
"""Default column widths of the 申报审批表 (170 mm); fit_form() rebalances them when a field needs it."""
FORM_SIZE_PT = 12.0
LABEL_PAD_MM = 3.3
"""Horizontal padding + borders of a label cell (packet.css: table.form th)."""
VALUE_PAD_MM = 2.3
"""Horizontal padding + borders of a value cell (packet.css: table.form td.v)."""
PHOTO_COLUMN_MM = 36.5
"""The photo (35 mm) and a hair on each side."""
ID_TRACKING_PT = 0.5
"""Letter spacing of the ID number (packet.css: td.id)."""
COVER_FIELD_MM = 113.0
"""Width of a value on the cover (packet.css: .cover-facts td, less its padding)."""
COVER_SIZE_PT = 16.0
COVER_TITLE_MM = 165.0
"""Width of the cover title (packet.css: .cover-title, 30 mm from the bound edge, 15 mm from the cut)."""
COVER_TITLE_PT: dict[str, float] = {"": 26.0, "long": 22.0, "xlong": 18.0}
"""Size of the cover title by cover_title_size() class (packet.css: .cover-title)."""
WHO_FIELD_MM = 84.0
"""Width of 姓名 and 单位 on the form's title page (packet.css: .form-who td, less its padding)."""
RESUME_BOX_MM = (6.5, 136.0 - 7.6)
"""The 个人简历 cell less its padding (packet.css td.long) and the hint line: (width less, height)."""
RESUME_LINE_MM = FORM_SIZE_PT * 1.45 / PT_PER_MM + 0.5
"""One résumé line (12 pt × 1.45) plus the paragraph gap (packet.css: td.long p)."""
ANNEX_NOTE = "（未尽事项见附页“个人简历（续）”）"
OPINION_TITLE_PAD_MM = 4.5
"""Padding and borders of an opinion box's title cell (packet.css: table.form tr.opinion th)."""
DEEDS_TEXT_MM = 156.0
"""Width of the 先进事迹材料 text (GB/T 9704 版心, packet.css @page deeds)."""
DEEDS_SIZE_PT = 16.0
DEEDS_TRACKING_PT = -0.21
DEEDS_INDENT_PT = 31.58
"""Size, letter spacing and first-line indent of the 事迹 text (packet.css section.deeds p)."""
DEEDS_MIN_LINES = 3
"""No page of the 先进事迹材料 holds fewer lines (packet.css: orphans, widows)."""
ANNEX_TEXT_MM = 170.0 - 8.0 - 1.0
"""Width of the text in the 附页's résumé cell (packet.css: table.form.annex td.long, less its padding)."""
UNIT_FIELD_PAD_MM = 6.5
"""Horizontal padding + borders of a long-text cell (packet.css: table.form td.long and td.v)."""
IMPRINT_UNIT_LABEL = "推荐单位（盖章）："
IMPRINT_TEXT_MM = 172.0 - 53.0 - 1.0
"""Width of the imprint text beside the seal space (packet.css: .scan width less .imprint-text right)."""
IMPRINT_SIZE_PT = 14.0


def grid_cells(fields: dict[str, object]) -> list[GridCell]:
    """The cells of the form's fixed-column rows: labels, the photo and the short fields."""
    def label(key: str, cols: tuple[int, ...], text: str) -> GridCell:
        return GridCell(key, cols, text, fixed=True)

    def value(key: str, cols: tuple[int, ...], tracking: float = 0.0) -> GridCell:
        return GridCell(key, cols, str(fields[key]), tracking=tracking)

    em = "\u2003"
    return [
        label("l_name", (0,), f"姓{em}{em}名"), value("name", (1,)), label("l_gender", (2,), "性别"),
        value("gender", (3,)), label("l_birth", (4,), "出生年月"), value("birth", (5,)),
        GridCell("photo", (6,), "", fixed=True, min_mm=PHOTO_COLUMN_MM),
        label("l_native", (0,), f"籍{em}{em}贯"), value("native_place", (1,)), label("l_eth", (2,), "民族"),
        value("ethnicity", (3,)), label("l_pol", (4,), "政治面貌"), value("political_status", (5,)),
        label("l_edu", (0,), f"学{em}{em}历"), value("education", (1,)), label("l_work", (2, 3), "参加工作时间"),
        value("work_start", (4, 5)),
        label("l_title", (0,), f"职{em}{em}称"), value("professional_title", (1,)),
        label("l_skill", (2, 3), "技术等级"), value("skill_level", (4, 5, 6)),
        label("l_unit", (0,), "工作单位"),
        label("l_id", (0,), "身份证号码"), value("id_number", (1, 2, 3), ID_TRACKING_PT),
        label("l_phone", (4,), "联系电话"), value("phone", (5, 6)),
    ]


TOC_TEXT_MM = 170.0
"""Width of the contents' lines (packet.css: A4 less the 28 mm bound and 12 mm cut margins)."""
TOC_SIZE_PT = {1: 16.0, 2: 14.0}
"""Type size of a contents line by level (packet.css ul.toc: 三号, its entries 四号)."""
TOC_INDENT_EM = {1: 0.0, 2: 2.0}
"""Indent of a contents line by level, in ems of its size (packet.css li.toc-2)."""
TOC_DOT = "."
"""The leader: full stops side by side, as CSS leader(dotted) sets them."""
TOC_GAP_EM = 0.15
"""At least this much white between an entry's words and its first dot, and between its last dot and the page number."""


def toc_lines(label: str, level: int, digits: int, body: Measure) -> dict[str, Any]:
    """A contents entry → its lines and the dots that lead from its last line to the page number,
    counted in advance: one text run instead of WeasyPrint's leader(), which lays out and draws every
    dot as a box of its own.

    An entry that fits one line with its dots and number is that line; one that fills a line alone
    leaves its dots and number to the next line (as leader() did); a longer one is broken between
    words. Everything on the last line is counted at its exact advance: the dots end where the box of
    the page number begins (`number` points: `digits` of the widest figure, the number right-aligned
    in it), and what is left of a dot's width widens the white before the first dot (`lead`, points),
    so the numbers stand flush right."""
    size = TOC_SIZE_PT[level]

    def exact(text: str) -> float:
        return body.advance(text, size)

    line_pt = TOC_TEXT_MM * PT_PER_MM - TOC_INDENT_EM[level] * size
    number_pt = digits * max(exact(d) for d in "0123456789")  # proportional figures: room for the widest
    room_pt = line_pt - number_pt - 2 * TOC_GAP_EM * size
    lines = break_lines(label, line_pt / PT_PER_MM, size, body, at_spaces=False) or [label]
    if exact(lines[-1]) > room_pt - exact(TOC_DOT * 3):
        lines.append("")
    free = room_pt - exact(lines[-1])
    dots = max(0, math.floor(free / exact(TOC_DOT)))
    lead = TOC_GAP_EM * size + free - dots * exact(TOC_DOT)
    return {"lines": lines[:-1], "last": lines[-1], "dots": TOC_DOT * dots, "lead": round(lead, 2),
            "number": round(number_pt, 2)}


def fit_form(context: dict[str, Any], body: Measure, kai: Measure | None = None,
             title: Measure | None = None, digits: dict[str, int] | None = None) -> dict[str, Any]:
    """Template context + the body (and 楷体) font's widths → how each field is set: column widths,
    type sizes that keep every short field on one line, and the line breaks of the long ones; the
    contents' lines for page numbers of `digits` digits by target (else 2)."""
    digits = digits or {}
    form = context["form"]
    grid = fit_grid(grid_cells(form), FORM_COLUMNS_MM, body, base=FORM_SIZE_PT,
                    pad_mm=VALUE_PAD_MM, label_pad_mm=LABEL_PAD_MM)
    unit_width = sum(grid.widths[1:]) - UNIT_FIELD_PAD_MM
    cover = context["cover"]
    # The unit on the cover: one line if a slightly smaller size allows (down to 小二), else
    # broken between words.
    base = COVER_TITLE_PT[cover["size"]]
    title_pt = fit_size(cover["unit"], COVER_TITLE_MM, title or body, base=base, floor=min(base, 18.0))
    resume_width = sum(grid.widths[1:]) - RESUME_BOX_MM[0]
    resume, annex = split_resume(list(form["resume_lines"]), resume_width, body)
    # The opinion boxes' titles in the narrow first column: broken between words, the largest
    # size from 12 pt down to the 9 pt floor at which no title leaves a character alone (the
    # column may have given width to a long 籍贯).
    title_width = grid.widths[0] - OPINION_TITLE_PAD_MM
    for opinion_pt in (12.0, 11.5, 11.0, 10.5, 10.0, 9.5, 9.0):
        opinion_lines = {t: break_lines(t, title_width, opinion_pt, body, at_spaces=False) for t, _ in OPINIONS}
        if all(well_broken(lines, t) for t, lines in opinion_lines.items()):
            break
    return {
        "opinion_pt": opinion_pt,
        "opinion_lines": opinion_lines,
        "deeds_keep": deeds_keep([p["head"] + p["rest"] for p in context["deeds"]["paragraphs"]], body),
        "resume": [resume_entry(line, resume_width, body) for line in resume],
        "resume_annex": [resume_entry(line, ANNEX_TEXT_MM, body) for line in annex],
        "annex_note": ANNEX_NOTE if annex else "",
        "cols": grid.widths,
        "size": grid.sizes,
        # A short field too long for one line even at 9 pt in the widest columns (preflight
        # reports it): its lines, broken between words, rather than across the next cell's rule.
        "lines": {cell.key: break_lines(cell.text, sum(grid.widths[i] for i in cell.cols) - VALUE_PAD_MM,
                                        grid.sizes[cell.key], body)
                  for cell in grid_cells(form) if cell.key in grid.overflow},
        "unit_and_post": break_lines(str(form["unit_and_post"]), unit_width, FORM_SIZE_PT, body),
        "cover_title_pt": title_pt,
        "cover_title": break_lines(cover["unit"], COVER_TITLE_MM, title_pt, title or body),
        "cover_name": fit_size(cover["name"], COVER_FIELD_MM, body, base=COVER_SIZE_PT),
        "cover_unit": fit_size(cover["unit"], COVER_FIELD_MM, body, base=COVER_SIZE_PT),
        "who_name": fit_size(str(form["name"]), WHO_FIELD_MM, body, base=COVER_SIZE_PT),
        "who_unit": break_lines(str(form["unit"]), WHO_FIELD_MM, COVER_SIZE_PT, body),
        "toc": [dict(entry, **toc_lines(entry["label"], entry["level"], digits.get(entry["target"], 2), body))
                for entry in context["toc"]],
        "imprint_unit": break_lines(IMPRINT_UNIT_LABEL + str(context["imprint"]["unit"]), IMPRINT_TEXT_MM,
                                    IMPRINT_SIZE_PT, kai or body),
    }


def deeds_lines(text: str, body: Measure) -> int:
    """Lines a 事迹 paragraph takes at 28 characters a line, counted without the line-breaking
    rules that can only push characters down: never more lines than are printed."""
    width = DEEDS_INDENT_PT + sum(body.em(ch) * DEEDS_SIZE_PT + DEEDS_TRACKING_PT for ch in text)
    return max(1, math.ceil(width / (DEEDS_TEXT_MM * PT_PER_MM) - 1e-6))


def deeds_keep(paragraphs: Sequence[str], body: Measure) -> int:
    """How many paragraphs at the end of the 事迹 go onto its last page together so that it holds
    at least 3 lines: 1 when the last paragraph has 3 lines or more (packet.css gives it
    widows: 3), else the last ones up to 3 lines (the first of them .before-last, the others
    .keep-last)."""
    total = 0
    for count, text in enumerate(reversed(paragraphs), start=1):
        total += deeds_lines(text, body)
        if total >= DEEDS_MIN_LINES:
            return count
    return max(1, len(paragraphs))


def resume_entry(line: str, width_mm: float, body: Measure) -> list[str]:
    """One résumé entry → its printed lines: broken between words, never one character alone
    ('总工会）' moves down whole, not '会）')."""
    return break_lines(line, width_mm, FORM_SIZE_PT, body, at_spaces=False)


def split_resume(lines: list[str], width_mm: float, body: Measure) -> tuple[list[str], list[str]]:
    """Résumé lines → (those that fill its cell on the form's first table page, the rest for the
    附页 "个人简历（续）"); the rest is empty when everything fits (注意事项3: 可另加附页)."""
    room = RESUME_BOX_MM[1]
    heights = [len(resume_entry(line, width_mm, body)) * RESUME_LINE_MM for line in lines]
    if sum(heights) <= room:
        return lines, []
    room -= RESUME_LINE_MM * wrapped_lines(ANNEX_NOTE, width_mm, FORM_SIZE_PT, body)
    used = 0.0
    for i, h in enumerate(heights):
        if used + h > room:
            return lines[:i], lines[i:]
        used += h
    return lines, []


FOLIO_PAGES = 16
"""The folio PDFs of a worker grow by this many pages at a time."""


def folio_pages(document: Any) -> dict[str, tuple[int, ...]]:
    """A laid-out packet → the indices of the pages that carry a folio, by page kind (the @page name:
    '', 'deeds', 'sheet'): every page but the first (the cover) and the blank ones that put a section
    on an odd page. Reads WeasyPrint's page type of each page (WeasyPrint is pinned, pyproject.toml)."""
    kinds: dict[str, list[int]] = {}
    for index, page in enumerate(document.pages):
        page_type = page._page_box.page_type
        if index == 0 or page_type.blank:
            continue
        kinds.setdefault(page_type.name or "", []).append(index)
    return {kind: tuple(indices) for kind, indices in kinds.items()}


class FrontRenderer:
    """WeasyPrint with one font configuration and one parsed stylesheet (one per process)."""

    def __init__(self, fonts: FontSet) -> None:
        """Font set in → a renderer ready for any number of packets."""
        use_project_fonts(fonts.fontconfig_file)
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        from pipeline.render.templating import environment

        self.fonts = fonts
        self._weasyprint = weasyprint
        self.font_config = FontConfiguration()
        self.fetcher = url_fetcher()
        css_text = fonts.css() + STYLESHEET.read_text(encoding="utf-8")
        with weasyprint_errors("样式表"):
            self.stylesheet = weasyprint.CSS(
                string=css_text, base_url=str(TEMPLATE_DIR), font_config=self.font_config,
                url_fetcher=self.fetcher)
        self.template = environment().get_template(HTML_TEMPLATE)
        self.overlay_template = environment().get_template(OVERLAY_TEMPLATE)
        with weasyprint_errors("样式表"):
            self.overlay_stylesheet = weasyprint.CSS(string=OVERLAY_CSS, font_config=self.font_config)
        self._overlays: dict[tuple[str, bool], bytes] = {}
        self._folios: dict[tuple[str, bool], tuple[int, bytes]] = {}
        """(page kind, compact fonts) → (pages, the PDF of their folios): FrontRenderer.folios."""
        self._digits: dict[str, int] = {"form": 1, "deeds": 1}
        """Digits of the page numbers of the contents' first entries in the last packet (evidence: 2)."""
        body = fonts.roles["body"]
        self.body = Measure([body.face, *(f.face for f in fonts.fallback)])
        self.kai = Measure([fonts.roles["kai"].face, *(f.face for f in fonts.fallback)])
        self.title = Measure([fonts.roles["title"].face, *(f.face for f in fonts.fallback)])

    def render(self, context: dict[str, Any], candidate: str = "", *, compact_fonts: bool = True) -> RenderedFront:
        """Template context → the laid-out PDF and where each evidence sheet's scan goes.

        With `compact_fonts` its CJK CFF fonts are subset for the Binder's compact_cid_fonts() (the
        PDF is not for a viewer before that); the subsetting changes nothing else in the process."""
        from pipeline.render.fontpack import cff_subsetting

        digits = {entry["target"]: self._digits.get(entry["target"], 2) for entry in context["toc"]}
        with weasyprint_errors("申报材料", candidate=candidate):
            for _ in range(3):  # the contents' dots are counted for the digits of each page number: check them
                fit = fit_form(context, self.body, self.kai, self.title, digits)
                html = self._weasyprint.HTML(string=self.template.render(**context, fit=fit), base_url=str(TEMPLATE_DIR),
                                             url_fetcher=self.fetcher)
                document = html.render(font_config=self.font_config,
                                       stylesheets=[self.stylesheet, self.overlay_stylesheet])  # folios: self.folios
                found: dict[str, int] = {}
                for index, page in enumerate(document.pages):  # a section's anchor is on each of its pages: the first
                    for anchor in page.anchors:
                        if anchor in digits:
                            found.setdefault(anchor, len(str(index + 1)))
                if all(digits[target] == n for target, n in found.items()):
                    break
                digits.update(found)
                self._digits.update((t, found[t]) for t in ("form", "deeds") if t in found)  # the next packet's guess
            boxes: dict[int, tuple[int, Rect]] = {}
            notes: list[int] = []
            for index, page in enumerate(document.pages):
                if "form-notes" in page.anchors:
                    notes.append(index)
                for anchor, (x1, y1, x2, y2) in page.anchors.items():
                    if anchor.startswith("scan-"):
                        n = int(anchor[5:])
                        if n in boxes:
                            raise RenderError(f"证明材料第 {n} 页排版跨页", candidate=candidate)
                        boxes[n] = (index, Rect(x1 * PX_TO_PT, (page.height - y2) * PX_TO_PT,
                                                (x2 - x1) * PX_TO_PT, (y2 - y1) * PX_TO_PT))
            # Uncompressed: the binder compresses once, after swapping in the compact fonts.
            with cff_subsetting() if compact_fonts else nullcontext():
                pdf = document.write_pdf(pdf_identifier=b"xingan-nengshou-packet", uncompressed_pdf=True)
        overlays = [Overlay(self.overlay("notes", candidate, compact_fonts, notes=NOTES), tuple(notes))]
        for kind, indices in folio_pages(document).items():
            overlays.append(Overlay(self.folios(kind, max(indices) + 1, candidate, compact_fonts), indices, per_page=True))
        if context["imprint"]["on"]:
            sheets = tuple(sorted(index for index, _ in boxes.values()))
            overlays.append(Overlay(self.overlay("imprint", candidate, compact_fonts, unit_lines=fit["imprint_unit"]),
                                    sheets))
        return RenderedFront(pdf, len(document.pages), boxes, tuple(overlays))

    def folios(self, kind: str, count: int, candidate: str, compact_fonts: bool) -> bytes:
        """The folios "— n —" of the pages of one kind ('' for the 申报审批表's, 'deeds', 'sheet': the
        margins, and so the folio's place, differ) → a PDF whose page n carries the folio of page n,
        rendered once per worker with the packet's own margin boxes and extended when a packet is
        longer: laying out a folio in every packet's every page cost about a tenth of its layout."""
        made, cached = self._folios.get((kind, compact_fonts), (0, b""))
        if made < count:
            made = FOLIO_PAGES * math.ceil(count / FOLIO_PAGES)
            cached = self._part_pdf(self.overlay_template.render(part="folio", kind=kind, pages=made), candidate,
                                    compact_fonts, [self.stylesheet], made, f"页码排版有误（应为 {made} 页）")
            self._folios[(kind, compact_fonts)] = (made, cached)
        return cached

    def overlay(self, part: str, candidate: str, compact_fonts: bool, **values: Any) -> bytes:
        """A part that is the same on many pages ('imprint' with its 推荐单位 lines, 'notes') → its PDF
        (overlay.html.j2: page 1 for a right-hand page, page 2 for a left-hand one), rendered once per
        worker and content — not once per page and nominee; the binder lays it over the pages."""
        html_text = self.overlay_template.render(part=part, **values)
        cached = self._overlays.get((html_text, compact_fonts))
        if cached is None:
            what = "“经核对与原件一致”印章" if part == "imprint" else "申报审批表的注意事项"
            cached = self._part_pdf(html_text, candidate, compact_fonts, [self.stylesheet, self.overlay_stylesheet],
                                    2, f"{what}排版超出一页")
            self._overlays[(html_text, compact_fonts)] = cached
        return cached

    def _part_pdf(self, html_text: str, candidate: str, compact_fonts: bool, stylesheets: list[Any], pages: int,
                  mistake: str) -> bytes:
        """An overlay.html.j2 part → its PDF (compact CFF subsets with `compact_fonts`), which must have
        `pages` pages, else RenderError(`mistake`)."""
        from pipeline.render.fontpack import cff_subsetting

        with weasyprint_errors("申报材料", candidate=candidate):
            html = self._weasyprint.HTML(string=html_text, base_url=str(TEMPLATE_DIR), url_fetcher=self.fetcher)
            document = html.render(font_config=self.font_config, stylesheets=stylesheets)
            if len(document.pages) != pages:
                raise RenderError(mistake, candidate=candidate)
            with cff_subsetting() if compact_fonts else nullcontext():
                return bytes(document.write_pdf(pdf_identifier=b"xingan-nengshou-overlay", uncompressed_pdf=True))
