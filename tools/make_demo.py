"""Generate the two shipped editions: the clean demo round and the mistakes example.

    .venv/bin/python tools/make_demo.py            (or: make demo-data)

Writes
  input/demo/                 a fictional, clean 2027 round of 44 nominees (edition.toml is kept)
  input/examples/mistakes/    one nominee per typical mistake, with expected.json

Everything is fictional and deterministic: every random choice comes from a generator seeded by
the edition, the nominee and the purpose, office files carry fixed dates, and nothing is
downloaded. Photos, ages, ID numbers and the generated texts are verified while writing; a
violation stops the run with a message instead of shipping a broken edition.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import random
import shutil
import sys
import unicodedata
from pathlib import Path
from typing import Any

import demo_files as files
import demo_photo as photos
import demo_scans as scans
import pikepdf
from demo_data import (
    BIRTH_FORMULA,
    CALENDAR_HOLIDAYS,
    CALENDAR_WORKDAYS,
    COLLEAGUE,
    CONTROL_CHAR,
    DEEDS_LINK,
    DEMO_NOMINEES,
    EXCLUSION,
    FORMULA_TEXT,
    HOSTILE_RESUME_LINE,
    HOSTILE_SUMMARY,
    LONG_NAME,
    MISTAKES,
    RARE_CHAR,
    SHARED_UNIT,
    Mistake,
)
from demo_text import (
    DEEDS_MAX,
    DEEDS_MIN,
    RECENT_FROM,
    REFERENCE,
    EvidenceItem,
    Person,
    build_person,
    count_chars,
    make_id,
)
from fontTools.ttLib import TTCollection, TTFont
from PIL import Image

from pipeline.core.model import ACHIEVEMENT_CATEGORIES, NOMINATION_SELF, YearMonth
from pipeline.core.safepath import code_problem, inside
from pipeline.rules.idcard import IdProblem, parse_id
from pipeline.rules.retirement import Category, far_enough, retirement
from pipeline.rules.roster import MAX_CHARS

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "input" / "demo"
MISTAKES_DIR = ROOT / "input" / "examples" / "mistakes"
FONT_DIR = Path("/usr/share/fonts")
SIZE_BUDGET = 25 * 1024 * 1024
"""input/demo must stay below this many bytes."""
BOMB_BYTES = 4 * 1024 * 1024
"""Spaces M30's 先进事迹.docx inflates by: ~8 KB more on disk, a ratio far above filelimits.MAX_ZIP_RATIO."""

COLUMNS: tuple[str, ...] = (
    "编号", "姓名", "性别", "出生年月", "籍贯", "民族", "政治面貌", "学历", "参加工作时间", "职称", "技术等级",
    "工作单位及职务", "职业（工种）", "身份证号码", "联系电话", "推荐单位", "申报方式", "退休年龄类别", "符合条件",
    "负面情形", "个人简历", "简要事迹",
)
"""Roster header (docs/input.md)."""
TEXT_COLUMNS = ("编号", "身份证号码", "联系电话", "出生年月", "参加工作时间", "符合条件")
WIDE_COLUMNS = {"工作单位及职务": 30.0, "职业（工种）": 16.0, "身份证号码": 21.0, "联系电话": 15.0,
                "推荐单位": 26.0, "个人简历": 60.0, "简要事迹": 60.0, "姓名": 10.0}

# Demo rows that exercise normalisation (all still clean).
DEMO_BIRTH_FORMATS = {"026": "chinese", "025": "dash", "035": "excel-date", "023": "number"}
DEMO_WORK_FORMATS = {"003": "chinese", "013": "dash"}
DEMO_FULLWIDTH_PHONE = "027"
DEMO_LOWER_X = "012"
DEMO_FULLWIDTH_COMMA = "007"
DEMO_PHOTO_FORMATS = {"005": "png", "017": "jpeg", "030": "png", "041": "jpeg"}
DEMO_DEEDS_FORMATS = {"008": "md", "019": "md", "027": "txt", "038": "txt"}
DEMO_REPORTS = ("016", "038")
"""Self-nominees who also hand in a three-page 技术成果报告 (PDF)."""
DEMO_TIF = "018"
DEMO_EXIF = "001"
DEMO_UNDATED = ("011", "大兴安岭地区优秀高技能人才荣誉证书")
"""A certificate whose file name has no date: the check reads the printed date (EVIDENCE_DATE_READ, info only)."""

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def rng_for(edition: str, code: str, purpose: str) -> random.Random:
    """The random generator of one purpose for one nominee (string seeds are stable across runs)."""
    return random.Random(f"{edition}/{code}/{purpose}")


# ---------------------------------------------------------------------------------------------
# Checks applied while generating.


class DemoError(RuntimeError):
    """A generated edition would not be what it claims to be."""


def retirement_ok(birth: dt.date, category: Category) -> bool:
    """True when the statutory retirement is at least 3 years after the reference date."""
    r = retirement(YearMonth(birth.year, birth.month), category)
    return far_enough(r.date(birth.day), REFERENCE, 3)


def retirement_verdicts(person: Person, category: str) -> dict[Category, bool]:
    """The age verdict for each category that may apply to the nominee."""
    if person.row.sex == "男":
        cats = [Category.male60]
    elif category:
        cats = [Category(category)]
    else:
        cats = [Category.female50, Category.female55]
    return {c: retirement_ok(person.birth, c) for c in cats}


def check_clean(person: Person, category: str) -> None:
    """Raise DemoError unless the nominee passes every rule of docs/codes.md."""
    label = f"{person.code} {person.name}"
    try:
        info = parse_id(person.id_number.upper())
    except IdProblem as exc:
        raise DemoError(f"{label}: {exc.message}") from None
    if info.birth != person.birth or info.gender != person.row.sex:
        raise DemoError(f"{label}: ID number disagrees with birth or sex")
    verdicts = retirement_verdicts(person, category)
    if not all(verdicts.values()):
        raise DemoError(f"{label}: too close to retirement or category needed: {verdicts}")
    if not person.conditions:
        raise DemoError(f"{label}: no condition")
    if len(person.summary) > 300:
        raise DemoError(f"{label}: 简要事迹 has {len(person.summary)} characters")
    n = count_chars("".join(person.deeds))
    if not DEEDS_MIN <= n <= DEEDS_MAX:
        raise DemoError(f"{label}: 先进事迹 has {n} characters")
    categories = [e.category for e in person.evidence]
    if "资格证书" not in categories:
        raise DemoError(f"{label}: no 资格证书")
    if person.row.mode == NOMINATION_SELF and "领先水平证明" not in categories:
        raise DemoError(f"{label}: self-nominee without 领先水平证明")
    if not 3 <= len(person.evidence) <= 8:
        raise DemoError(f"{label}: {len(person.evidence)} evidence files")
    for e in person.evidence:
        if e.category in ACHIEVEMENT_CATEGORIES and e.date < RECENT_FROM:
            raise DemoError(f"{label}: {e.filename} is older than {RECENT_FROM}")


def fonts_with(char: str) -> list[str]:
    """Installed font files whose cmap has `char`."""
    found = []
    for path in sorted(FONT_DIR.rglob("*")):
        suffix = path.suffix.lower()
        if suffix not in {".ttf", ".otf", ".ttc", ".otc"}:
            continue
        faces = TTCollection(path).fonts if suffix in {".ttc", ".otc"} else [TTFont(path)]
        if any(ord(char) in (face.getBestCmap() or {}) for face in faces):
            found.append(str(path))
    return found


# ---------------------------------------------------------------------------------------------
# Writing one nominee.


def format_month(ym: YearMonth, style: str) -> Any:
    """A month as people type it: '1978.05', '1978年5月', '1978-5', a date cell or a number."""
    if style == "chinese":
        return f"{ym.year}年{ym.month}月"
    if style == "dash":
        return f"{ym.year}-{ym.month}"
    if style == "excel-date":
        return dt.datetime(ym.year, ym.month, 1)
    if style == "number":
        if ym.month in {10, 11, 12} or ym.month % 10 == 0:
            raise DemoError(f"{ym} as a number would be ambiguous")
        return float(f"{ym.year}.{ym.month:02d}")
    return str(ym)


def roster_values(person: Person, *, birth_style: str = "", work_style: str = "") -> dict[str, Any]:
    """The roster cells of a nominee, before any deliberate mistake."""
    row = person.row
    return {
        "编号": person.code, "姓名": row.name, "性别": row.sex,
        "出生年月": format_month(YearMonth(person.birth.year, person.birth.month), birth_style),
        "籍贯": row.native, "民族": row.ethnicity, "政治面貌": row.politics, "学历": row.education,
        "参加工作时间": format_month(person.work_start, work_style), "职称": row.title,
        "技术等级": row.level, "工作单位及职务": f"{row.unit} {row.post}",
        "职业（工种）": person.trade.occupation, "身份证号码": person.id_number, "联系电话": person.phone,
        "推荐单位": row.recommender, "申报方式": row.mode, "退休年龄类别": row.category,
        "符合条件": person.conditions, "负面情形": "", "个人简历": person.resume, "简要事迹": person.summary,
    }


def assign_formats(person: Person, rng: random.Random) -> None:
    """File formats of the evidence: mostly JPEG, some PNG and PDF; reports are PDF."""
    for item in person.evidence:
        r = rng.random()
        if item.kind == "report":
            item.fmt = "pdf"
        elif item.kind == "letter":
            item.fmt = "pdf" if r < 0.45 else "jpg"
        else:
            item.fmt = "png" if r < 0.08 else "pdf" if r < 0.18 else "jpeg" if r < 0.22 else "jpg"


def write_deeds(folder: Path, person: Person, fmt: str, paragraphs: list[str] | None = None) -> None:
    """先进事迹.<fmt> in the nominee's folder."""
    paras = paragraphs if paragraphs is not None else person.deeds
    if fmt == "docx":
        data = files.deeds_docx(paras, author=person.row.recommender or person.name)
    elif fmt == "md":
        data = files.deeds_markdown(paras)
    else:
        data = files.deeds_text(paras)
    files.write_bytes(folder / f"先进事迹.{fmt}", data)


def write_evidence(folder: Path, person: Person, photo: Image.Image | None, edition: str,
                   truth: dict[str, list[str]], holders: dict[int, Person] | None = None) -> dict[str, bytes]:
    """Render every evidence item; return {relative path: bytes} as written.

    The text drawn on each page goes into `truth` under the path relative to the edition;
    `holders` prints another person on the item of that index (a colleague's certificate)."""
    written: dict[str, bytes] = {}
    for i, item in enumerate(person.evidence):
        rel = f"evidence/{item.category}/{item.filename}"
        if rel in written:
            raise DemoError(f"{person.code}: two evidence files named {rel}")
        drawn = (holders or {}).get(i, person)
        data, pages = scans.render_evidence_text(item, drawn, photo if drawn is person else None,
                                                 rng_for(edition, person.code, f"scan{i}"))
        files.write_bytes(folder / rel, data)
        written[rel] = data
        truth[f"candidates/{folder.name}/{rel}"] = pages
    return written


TRUTH = ".ocr-truth.json"
"""Ground truth of the evidence scans: {path in the edition: [text of page 1, …]}, lines joined by newlines."""


def write_truth(folder: Path, truth: dict[str, list[str]]) -> None:
    """<edition>/.ocr-truth.json, sorted by path (for OCR benchmarks and tests)."""
    text = json.dumps(dict(sorted(truth.items())), ensure_ascii=False, indent=1) + "\n"
    files.write_bytes(folder / TRUTH, text.encode("utf-8"))


def add_report(person: Person) -> None:
    """Give a nominee a three-page 技术成果报告 as proof of leading level."""
    person.evidence.append(EvidenceItem("领先水平证明", YearMonth(2027, 1), "技术成果报告", "report",
                                        person.row.unit, fmt="pdf"))
    while len(person.evidence) > 8:
        person.evidence.remove(next(e for e in reversed(person.evidence)
                                    if e.category in ACHIEVEMENT_CATEGORIES))


GENERATED = ("roster.xlsx", "calendar.toml", "candidates", "review/README.txt", "expected.json",
             "README.md", ".ocr-truth.json")
"""What this script writes in an edition folder; reset() removes only these, so files other
tools put there (e.g. review/ inputs from tools/make_demo_review.py, edition.toml) survive."""


def reset(folder: Path) -> None:
    """Remove the files a previous run of this script generated in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in GENERATED:
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def folder_size(folder: Path) -> int:
    """Bytes of all files below `folder`."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def write_roster(folder: Path, rows: list[dict[str, Any]]) -> None:
    """roster.xlsx from cell dictionaries (dates as date cells, numbers as numbers)."""
    formats: dict[tuple[int, int], str] = {}
    table = []
    for r, cells in enumerate(rows):
        values = [cells.get(c, "") for c in COLUMNS]
        for c, value in enumerate(values):
            if isinstance(value, dt.datetime):
                formats[(r, c)] = "yyyy.mm"
            elif isinstance(value, float):
                formats[(r, c)] = "0.00"
        table.append(values)
    files.write_bytes(folder / "roster.xlsx", files.roster_xlsx(
        COLUMNS, table, number_formats=formats, text_columns=TEXT_COLUMNS, wide_columns=WIDE_COLUMNS))


# ---------------------------------------------------------------------------------------------
# The demo edition.


def build_demo() -> dict[str, Any]:
    """Write input/demo (except edition.toml); return statistics for the summary."""
    edition = "demo"
    if not (DEMO / "edition.toml").is_file():
        raise DemoError(f"{DEMO / 'edition.toml'} is missing")
    reset(DEMO)
    people: list[Person] = []
    rows: list[dict[str, Any]] = []
    stats: dict[str, Any] = {"formats": {}, "pdf_pages": {}, "photos": []}
    truth: dict[str, list[str]] = {}
    for i, nominee in enumerate(DEMO_NOMINEES, 1):
        code = f"{i:03d}"
        person = build_person(code, nominee, rng_for(edition, code, "person"), want_x=code == DEMO_LOWER_X)
        if code in DEMO_REPORTS:
            add_report(person)
        assign_formats(person, rng_for(edition, code, "formats"))
        if code == DEMO_TIF:
            person.evidence[0].fmt = "tif"
        if code == DEMO_EXIF:
            next(e for e in person.evidence if e.kind in {"honour", "award"}).fmt = "jpg-exif"
        if code == DEMO_UNDATED[0]:
            next(e for e in person.evidence if e.title == DEMO_UNDATED[1]).undated = True
        check_clean(person, nominee.category)
        cells = roster_values(person, birth_style=DEMO_BIRTH_FORMATS.get(code, ""),
                              work_style=DEMO_WORK_FORMATS.get(code, ""))
        if code == DEMO_LOWER_X:
            cells["身份证号码"] = person.id_number.lower()
        if code == DEMO_FULLWIDTH_PHONE:
            cells["联系电话"] = person.phone.translate(FULLWIDTH)
        if code == DEMO_FULLWIDTH_COMMA:
            cells["符合条件"] = person.conditions.replace(",", "，")
        rows.append(cells)
        people.append(person)

        folder = DEMO / "candidates" / code
        fmt = DEMO_PHOTO_FORMATS.get(code, "jpg")
        photo = photos.make_photo(rng_for(edition, code, "photo"), f"{code} {person.name}",
                                  "PNG" if fmt == "png" else "JPEG")
        files.write_bytes(folder / f"照片.{fmt}", photo)
        photo_image = Image.open(io.BytesIO(photo))
        stats["photos"].append(code)
        write_deeds(folder, person, DEMO_DEEDS_FORMATS.get(code, "docx"))
        for rel, data in write_evidence(folder, person, photo_image, edition, truth).items():
            ext = rel.rsplit(".", 1)[1]
            stats["formats"][ext] = stats["formats"].get(ext, 0) + 1
            if ext == "pdf":
                with pikepdf.open(io.BytesIO(data)) as pdf:
                    stats["pdf_pages"][f"{code}/{rel}"] = len(pdf.pages)
            elif exif_orientation(data) == 6:
                stats["exif"] = f"{code}/{rel}"
    write_roster(DEMO, rows)
    write_truth(DEMO, truth)
    write_calendar(DEMO / "calendar.toml")
    files.write_bytes(DEMO / "review" / "README.txt", REVIEW_README.encode("utf-8"))

    self_count = sum(p.row.mode == NOMINATION_SELF for p in people)
    if self_count < 5:
        raise DemoError(f"only {self_count} self-nominees")
    if not any(n == 3 for n in stats["pdf_pages"].values()):
        raise DemoError("no three-page PDF in the demo")
    for ext in ("jpg", "png", "pdf", "tif"):
        if not stats["formats"].get(ext):
            raise DemoError(f"no .{ext} evidence in the demo")
    if "exif" not in stats:
        raise DemoError("no EXIF-rotated JPEG in the demo")
    size = folder_size(DEMO)
    if size > SIZE_BUDGET:
        raise DemoError(f"input/demo is {size / 2**20:.1f} MB, more than {SIZE_BUDGET / 2**20:.0f} MB")
    stats.update(nominees=len(people), self=self_count, size=size,
                 women=sum(p.row.sex == "女" for p in people))
    return stats


def exif_orientation(data: bytes) -> int:
    """The EXIF orientation tag of an image (1 when absent)."""
    with Image.open(io.BytesIO(data)) as im:
        return int(im.getexif().get(0x0112, 1))


REVIEW_README = """本文件夹用于存放后续阶段的输入材料（演示数据）：

1. 初审结果：领导小组办公室对申报材料进行核实后确定的提名人选（初审决定）；
2. 专家评审组交回的评分表（每位专家一份 XLSX，只填写评分单元格）。

请勿在此存放申报材料原件；申报材料放在 candidates/<编号>/ 下。
"""


def write_calendar(path: Path) -> None:
    """calendar.toml: the demo's 2027 holidays and adjusted working days."""
    holidays: list[dt.date] = []
    for _, first, last in CALENDAR_HOLIDAYS:
        day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        while day <= end:
            holidays.append(day)
            day += dt.timedelta(days=1)
    workdays = [dt.date.fromisoformat(d) for _, d in CALENDAR_WORKDAYS]
    for day in workdays:
        if day.weekday() < 5:
            raise DemoError(f"adjusted working day {day} is not a weekend day")
    lines = [
        "# 2027年节假日和调休上班日期（演示数据）",
        "# 本文件为演示数据，依据往年惯例拟定，并非官方安排。国务院办公厅关于2027年部分节假日安排的通知",
        "# 发布后，请按通知替换本文件内容；公示期“5个工作日”按此日历计算。",
        "# 格式：holidays 为放假日期（含周末），workdays 为调休上班的周末日期。",
        "",
        "[2027]",
        "holidays = [",
    ]
    for name, first, last in CALENDAR_HOLIDAYS:
        days = [d for d in holidays if first <= d.isoformat() <= last]
        lines.append(f"    {', '.join(d.isoformat() for d in days)},  # {name}")
    lines += ["]", "workdays = ["]
    for name, text in CALENDAR_WORKDAYS:
        weekday = "一二三四五六日"[dt.date.fromisoformat(text).weekday()]
        lines.append(f"    {text},  # {name}调休上班（星期{weekday}）")
    lines.append("]")
    files.write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# The mistakes edition.


def build_mistakes() -> dict[str, list[str]]:
    """Write input/examples/mistakes; return the expected findings."""
    edition = "mistakes"
    reset(MISTAKES_DIR)
    shutil.copyfile(DEMO / "edition.toml", MISTAKES_DIR / "edition.toml")
    if fonts := fonts_with(RARE_CHAR):
        raise DemoError(f"U+{ord(RARE_CHAR):X} is drawable by {fonts}: choose another rare character")
    rows: list[dict[str, Any]] = []
    expected: dict[str, list[str]] = {}
    first_duplicate: Person | None = None
    truth: dict[str, list[str]] = {}
    for m in MISTAKES:
        rng = rng_for(edition, m.code, "person")
        person = build_person(m.code, m.row, rng, want_x=m.key == "fullwidth")
        trim_evidence(person)
        if m.key == "duplicate":
            if first_duplicate is None:
                first_duplicate = person
            else:
                person.id_number = first_duplicate.id_number
        if m.key == "gender_mismatch":
            person.id_number = _id_with_other_sex(person, rng)
        cells = roster_values(person)
        apply_roster_mistake(m, person, cells, rng)
        apply_evidence_mistake(m, person)
        if m.key == "formula":
            cells["出生年月"] = files.Formula(BIRTH_FORMULA.format(row=len(rows) + 2))
        check_mistake_premise(m, person, cells)
        rows.append(cells)
        if code_problem(m.code) is None:  # an unsafe 编号 gets no folder: it would lie outside the edition
            write_mistake_candidate(m, person, MISTAKES_DIR / "candidates" / m.code, edition, truth)
        elif m.key != "unsafe_code":
            raise DemoError(f"{m.code}: 编号 is not a safe folder name")
        expected[m.code] = list(m.expected)
    write_roster(MISTAKES_DIR, rows)
    write_truth(MISTAKES_DIR, truth)
    files.write_bytes(MISTAKES_DIR / "expected.json",
                      (json.dumps(expected, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    files.write_bytes(MISTAKES_DIR / "README.md", mistakes_readme().encode("utf-8"))
    return expected


def trim_evidence(person: Person) -> None:
    """Keep the mistakes edition small: one 资格证书, up to two achievements, proof if self-nominated."""
    qual = next(e for e in person.evidence if e.category == "资格证书")
    achievements = [e for e in person.evidence if e.category in ACHIEVEMENT_CATEGORIES][:2]
    proof = [e for e in person.evidence if e.category == "领先水平证明"][:1]
    person.evidence = [qual, *achievements, *proof]
    for item in person.evidence:
        item.fmt = "jpg"


def _id_with_other_sex(person: Person, rng: random.Random) -> str:
    """A valid ID number for the nominee's birth date but the other sex."""
    other = "女" if person.row.sex == "男" else "男"
    return make_id(person.row.region, person.birth, other, rng)


def apply_roster_mistake(m: Mistake, person: Person, cells: dict[str, Any], rng: random.Random) -> None:
    """Change the roster cells as the mistake says."""
    if m.key == "fullwidth":
        cells["身份证号码"] = person.id_number.lower()
        cells["联系电话"] = make_fullwidth(person.phone)
        cells["出生年月"] = make_fullwidth(str(cells["出生年月"]))
    elif m.key == "hostile":
        cells["工作单位及职务"] = FORMULA_TEXT + cells["工作单位及职务"]
        cells["个人简历"] = f"{person.resume}\n{HOSTILE_RESUME_LINE}"
        cells["简要事迹"] = HOSTILE_SUMMARY + person.summary
    elif m.key == "no_unit":
        cells["工作单位及职务"] = ""
    elif m.key == "id_17":
        cells["身份证号码"] = person.id_number[:17]
    elif m.key == "id_checksum":
        last = person.id_number[17]
        wrong = "0" if last == "X" else str((int(last) + 3) % 10)
        cells["身份证号码"] = person.id_number[:17] + wrong
    elif m.key == "birth_mismatch":
        cells["出生年月"] = str(YearMonth(person.birth.year, person.birth.month).plus_months(3))
    elif m.key == "no_condition":
        cells["符合条件"] = ""
    elif m.key == "excluded":
        cells["负面情形"] = EXCLUSION
    elif m.key == "long_summary":
        text = person.summary
        extra = (f"{person.name}同志还积极参与单位的标准化建设和安全生产管理，牵头修订岗位作业指导书多项，"
                 f"组织开展技术比武和岗位练兵活动，带动班组成员共同进步；"
                 f"{person.ctx['ta']}热心公益，多次参加社区志愿服务，在职工群众中享有较高威望。")
        while len(text) < 340:
            text += extra
        cells["简要事迹"] = text[:352].rstrip("，；") + "。"
    elif m.key == "bad_phone":
        cells["联系电话"] = "12345"
    elif m.key == "long_name":
        cells["姓名"] = LONG_NAME
    elif m.key == "control_char":
        cells["工作单位及职务"] = f"{person.row.unit}{CONTROL_CHAR} {person.row.post}"
    elif m.key == "grade_claim":
        cells["技术等级"] = "高级技师"


SHARED_HONOUR = EvidenceItem(
    "荣誉证书", YearMonth(2025, 4), "大兴安岭地区工人先锋号荣誉证书", "honour", "大兴安岭地区总工会",
    honour="大兴安岭地区工人先锋号", extra={"number": "DXAL-GRXFH-2025-008", "team": f"{SHARED_UNIT}维修班"})
"""The team certificate M38 and M39 both file (it names the team, no person)."""


def apply_evidence_mistake(m: Mistake, person: Person) -> None:
    """Change the evidence items of an OCR mistake (issue 13); the drawn holder is changed in write_mistake_candidate."""
    achievements = [e for e in person.evidence if e.category in ACHIEVEMENT_CATEGORIES]
    if m.key == "misdated":
        person.evidence.append(EvidenceItem(
            "荣誉证书", YearMonth(2026, 5), "大兴安岭地区三八红旗手荣誉证书", "honour", "大兴安岭地区妇女联合会",
            honour="大兴安岭地区三八红旗手", extra={"number": "DXAL-SBHQS-2024-031"}, printed=YearMonth(2024, 5)))
    elif m.key == "undated":
        achievements[0].undated = True
    elif m.key == "kind_mismatch":
        qual = next(e for e in person.evidence if e.category == "资格证书")
        person.evidence.append(dataclasses.replace(
            qual, category="荣誉证书", date=YearMonth(2025, 9), extra={**qual.extra, "number": "S" + qual.extra.get("number", "").lstrip("S")[::-1]}))
    elif m.key == "shared_scan":
        person.evidence.append(dataclasses.replace(SHARED_HONOUR))
    elif m.key == "blank_scan":
        person.evidence.append(EvidenceItem("奖励证书", YearMonth(2025, 9), "全区职业技能竞赛获奖证书", "blank",
                                            "大兴安岭地区人力资源和社会保障局"))


def make_fullwidth(text: str) -> str:
    """ASCII digits → full-width digits."""
    return text.translate(FULLWIDTH)


def check_mistake_premise(m: Mistake, person: Person, cells: dict[str, Any]) -> None:
    """Make sure each mistake nominee has exactly the mistake it is meant to have."""
    label = f"{m.code} {person.name}"
    category = cells["退休年龄类别"]
    verdicts = retirement_verdicts(person, category)
    if m.expected == ("RETIREMENT_TOO_CLOSE",):
        if any(verdicts.values()):
            raise DemoError(f"{label}: should be too close to retirement: {verdicts}")
    elif m.expected == ("RETIREMENT_CATEGORY_NEEDED",):
        if len(set(verdicts.values())) != 2:
            raise DemoError(f"{label}: the verdict should depend on the category: {verdicts}")
    elif not all(verdicts.values()):
        raise DemoError(f"{label}: unintended retirement problem {verdicts}")
    if m.key == "long_summary" and len(cells["简要事迹"]) <= 300:
        raise DemoError(f"{label}: summary not too long")
    if m.key not in {"long_summary"} and len(cells["简要事迹"]) > 300:
        raise DemoError(f"{label}: summary too long")
    if m.key not in {"id_17", "id_checksum", "birth_mismatch", "gender_mismatch"}:
        number = unicodedata.normalize("NFKC", cells["身份证号码"]).upper()
        info = parse_id(number)
        if info.gender != person.row.sex or info.birth != person.birth:
            raise DemoError(f"{label}: unintended ID mismatch")
    if m.key == "gender_mismatch" and parse_id(person.id_number).gender == person.row.sex:
        raise DemoError(f"{label}: the ID should say the other sex")
    if m.key == "long_name" and len(cells["姓名"]) <= MAX_CHARS["姓名"]:
        raise DemoError(f"{label}: 姓名 not too long")
    if m.key == "formula" and cells["出生年月"] not in m.note:
        raise DemoError(f"{label}: the README note does not show the formula {cells['出生年月']}")
    if m.key == "unsafe_code" and code_problem(m.code) is None:
        raise DemoError(f"{label}: 编号 should not be a safe key")


def write_mistake_candidate(m: Mistake, person: Person, folder: Path, edition: str,
                            truth: dict[str, list[str]]) -> None:
    """Photo, deeds and evidence of a mistakes-edition nominee, with its file mistake."""
    rng = rng_for(edition, m.code, "photo")
    photo: bytes | None
    if m.key == "no_photo":
        photo = None
    elif m.key == "bad_photo":
        photo = "这不是照片，而是一份说明：照片稍后补交。\n".encode()
    elif m.key == "square_photo":
        photo = photos.make_square_photo(rng, m.code)
    elif m.key == "blue_photo":
        photo = photos.make_photo(rng, m.code, background=photos.BLUE)
    elif m.key == "faceless_photo":
        photo = photos.make_faceless(rng)
    else:
        photo = photos.make_photo(rng, m.code)
    photo_image = None
    if photo is not None:
        files.write_bytes(folder / "照片.jpg", photo)
        if m.key != "bad_photo":
            photo_image = Image.open(io.BytesIO(photo))

    if m.key == "short_deeds":
        paras, total = [], 0
        for p in person.deeds:
            if total >= 560:
                break
            paras.append(p)
            total += count_chars(p)
        write_deeds(folder, person, "docx", paras)
    elif m.key == "deeds_link":
        link = folder / "先进事迹.txt"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(DEEDS_LINK)
        if inside(MISTAKES_DIR, link) or not link.is_file():
            raise DemoError(f"{m.code}: {link} should lead to a file outside {MISTAKES_DIR}")
    elif m.key == "deeds_bomb":
        files.write_bytes(folder / "先进事迹.docx", files.inflated_docx(
            files.deeds_docx(person.deeds, author=person.row.recommender), BOMB_BYTES))
    elif m.key != "no_deeds":
        write_deeds(folder, person, "docx")

    if m.key == "no_qualification":
        person.evidence = [e for e in person.evidence if e.category != "资格证书"]
    elif m.key == "no_proof":
        person.evidence = [e for e in person.evidence if e.category != "领先水平证明"]
    elif m.key == "old_evidence":
        person.evidence.append(EvidenceItem(
            "荣誉证书", YearMonth(2019, 5), "大兴安岭地区先进工作者荣誉证书", "honour", "大兴安岭地区人民政府",
            honour="大兴安岭地区先进工作者", phrase="被评为“大兴安岭地区先进工作者”", extra={"number": "2019-0117"}))
    holders: dict[int, Person] = {}
    if m.key == "colleague":
        qual = next(i for i, e in enumerate(person.evidence) if e.category == "资格证书")
        birth = dt.date(1980, 11, 7)
        holders[qual] = dataclasses.replace(
            person, row=dataclasses.replace(person.row, name=COLLEAGUE), birth=birth,
            id_number=make_id(person.row.region, birth, "男", rng_for(edition, m.code, "colleague")))
    written = write_evidence(folder, person, photo_image, edition, truth, holders)
    if m.key == "shared_scan":
        rel = f"evidence/荣誉证书/{SHARED_HONOUR.filename}"
        first = MISTAKES_DIR / "candidates" / "M38" / rel
        if m.code == "M39":  # the very same scan as M38's (written first)
            files.write_bytes(folder / rel, first.read_bytes())
            truth[f"candidates/M39/{rel}"] = truth[f"candidates/M38/{rel}"]
    if m.key == "truncated":
        rel = next(r for r in written if "/荣誉证书/" in r or "/奖励证书/" in r or "/成果证书/" in r)
        files.write_bytes(folder / rel, written[rel][: len(written[rel]) * 2 // 5])


def mistakes_readme() -> str:
    """README.md of the mistakes edition (Chinese)."""
    lines = [
        "# 常见错误示例届次",
        "",
        "本届次为虚构数据，每位推荐人选只有一处典型错误（M01、M02 没有错误，用来检验规范化和特殊字符的处理）。",
        "`make check EDITION=input/examples/mistakes` 应对每位人选报告 `expected.json` 中列出的代码，且不报告其他代码。",
        "",
        "| 编号 | 姓名 | 错误 | 应报告的代码 |",
        "|---|---|---|---|",
    ]
    for m in MISTAKES:
        note = m.note.replace("|", "\\|").replace("<", "&lt;")
        lines.append(f"| {m.code} | {m.row.name} | {note} | {', '.join(m.expected) or '（无）'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: generate both editions (or one) and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("demo", "mistakes"), help="generate one edition only")
    args = parser.parse_args(argv)
    try:
        if args.only in (None, "demo"):
            stats = build_demo()
            print(f"input/demo: {stats['nominees']} nominees ({stats['women']} women, {stats['self']} self-nominated), "
                  f"{stats['size'] / 2**20:.1f} MB; evidence formats {stats['formats']}; "
                  f"all {len(stats['photos'])} photos verified")
        if args.only in (None, "mistakes"):
            expected = build_mistakes()
            print(f"input/examples/mistakes: {len(expected)} nominees, "
                  f"{folder_size(MISTAKES_DIR) / 2**20:.1f} MB")
    except (DemoError, photos.PhotoError) as exc:
        print(f"make_demo: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
