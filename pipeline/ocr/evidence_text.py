"""Checks on what was read from the evidence scans (issue 13 §2).

Given a nominee, their materials and the `Reading`s of their evidence files (pipeline.ocr), report:
EVIDENCE_HOLDER_MISMATCH, EVIDENCE_DATE_MISMATCH, EVIDENCE_DATE_READ (with EVIDENCE_OLD from the
read date), EVIDENCE_KIND_MISMATCH, EVIDENCE_NO_TEXT and EVIDENCE_GRADE_MISMATCH; across nominees
EVIDENCE_DUPLICATE from perceptual hashes. Every message quotes what was read and where
(“第1页 (x, y)”); the page and box go into Finding.data for the check report.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from pipeline.core.model import (
    ACHIEVEMENT_CATEGORIES,
    Candidate,
    Evidence,
    Finding,
    Materials,
    Severity,
    YearMonth,
)
from pipeline.ocr import Line, Page, Reading

if TYPE_CHECKING:
    from PIL import Image

# ---- OCR look-alikes ---------------------------------------------------------------------

_CONFUSABLE: tuple[str, ...] = ("己已巳", "日曰", "0OoD〇", "1lIi|", "2Z", "5S", "8B", "土士", "未末",
                                "人入", "干千于", "王玉", "大太", "贝见", "刀力", "天夭", "晴睛", "伟纬")
_CLASS: dict[str, int] = {ch: i for i, group in enumerate(_CONFUSABLE) for ch in group}

_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "D": "0", "〇": "0", "l": "1", "I": "1", "i": "1", "|": "1",
                            "Z": "2", "S": "5", "B": "8", "x": "X", "＊": "*"})


def _same(a: str, b: str) -> bool:
    return a == b or (a in _CLASS and _CLASS.get(a) == _CLASS.get(b))


def confusion_distance(a: str, b: str) -> int:
    """Edit distance where a substitution between OCR look-alikes (己/已, 日/曰, 0/O, 1/l …) is free."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (0 if _same(ca, cb) else 1)))
        prev = cur
    return prev[-1]


def names_differ(read: str, nominee: str) -> bool:
    """True when a name read from a certificate is clearly another person's, tolerating OCR noise and a
    field read on past the name.
    A character of the nominee's name outside the Basic Multilingual Plane (a rare character, e.g.
    𫠝) matches whatever was read in its place: few fonts have it, so the certificate often prints
    a box or a stand-in character there, and OCR reads that."""
    if len(read) > len(nominee) >= 2:
        # a field read on past the name (“王立峰汉族”, no label after it): its first characters are the name
        read = read[:len(nominee)]
    if len(read) == len(nominee) and any(ord(ch) > 0xFFFF for ch in nominee):
        read = "".join(n if ord(n) > 0xFFFF else r for r, n in zip(read, nominee, strict=True))
    d = confusion_distance(read, nominee)
    if d == 0:
        return False
    if len(nominee) <= 2 and len(read) == len(nominee):
        return True
    return d >= 2


def ids_differ(read: str, nominee: str) -> bool:
    """True when an ID number read (possibly masked with x/*) is clearly not the nominee's: at least
    3 of the positions legible on both sides differ (one or two misread digits are tolerated)."""
    read = read.translate(_DIGIT_FIX).upper()
    nominee = nominee.upper()
    if len(read) != 18 or len(nominee) != 18:
        return False
    known = [(a, b) for a, b in zip(read, nominee, strict=True) if a.isdigit() and b.isdigit()]
    if len(known) < 8:
        return False
    return sum(1 for a, b in known if a != b) >= 3


# ---- what can be read ---------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One value read from a reading, with where it was found."""

    value: str
    """The value as interpreted (a name, an ID number, '2024.05', a grade)."""
    quote: str
    """The line of text it was read from, as read."""
    page: int
    box: tuple[float, float, float, float]

    @property
    def where(self) -> str:
        """'第1页 (x, y)' for messages."""
        return f"第{self.page}页 ({self.box[0]:.0f}, {self.box[1]:.0f})"

    def data(self) -> dict[str, object]:
        """Page and box for Finding.data."""
        return {"page": self.page, "box": [round(v, 1) for v in self.box], "read": self.quote}


def _lines(reading: Reading) -> Iterable[tuple[Page, Line]]:
    for page in reading.pages:
        for line in page.lines:
            yield page, line


_NOT_NAME = ("同志", "单位", "公司", "集团", "委员会", "协会", "学会", "政府", "人民", "局", "厅", "部", "院", "校",
             "中心", "证书", "荣誉", "称号", "性别", "身份", "职业", "等级", "工种", "编号", "日期")
_CJK = "\u4e00-\u9fff"
_NAME_PATTERNS = (
    re.compile(rf"(?<![{_CJK}])(?:姓\s*名\s*[:：]?|(?:持\s*证\s*人|获\s*奖\s*人|获奖者|申请人)\s*[:：\s])"
               rf"\s*([{_CJK}·]{{2,8}})"),
    re.compile(rf"授予\s*([{_CJK}·]{{2,4}}?)\s*同\s*志"),
    re.compile(rf"^\s*([{_CJK}·]{{2,4}}?)\s*同\s*志\s*[:：,，]"),
)
_NAME_STOP = re.compile("(性|身份|职业|工种|等级|出生|编号|证号|同志|民族|单位|男|女)")


def _rows(reading: Reading) -> Iterable[tuple[Page, Line]]:
    """Lines that sit side by side on one row, joined left to right into one line (box: their union).
    A spaced-out label (“姓　　名：王立峰”) is often read as two boxes, “姓” and “名：王立峰”."""
    for page in reading.pages:
        lines = sorted(page.lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2)
        row: list[Line] = []
        for line in [*lines, None]:
            if row and line is not None:
                last = row[-1]
                height = max(last.box[3] - last.box[1], line.box[3] - line.box[1], 1.0)
                if abs((line.box[1] + line.box[3]) / 2 - (last.box[1] + last.box[3]) / 2) < height / 2:
                    row.append(line)
                    continue
            if len(row) > 1:
                row.sort(key=lambda ln: ln.box[0])
                if all(b.box[0] - a.box[2] < 4 * (a.box[3] - a.box[1]) for a, b in itertools.pairwise(row)):
                    box = (min(ln.box[0] for ln in row), min(ln.box[1] for ln in row),
                           max(ln.box[2] for ln in row), max(ln.box[3] for ln in row))
                    yield page, Line("".join(ln.text for ln in row), box, min(ln.score for ln in row))
            row = [line] if line is not None else []


def read_names(reading: Reading) -> list[Hit]:
    """Persons' names printed in labelled fields (姓名：…, 持证人：…, 授予…同志, “…同志：”), also when
    the label's characters were read as boxes of their own on the same row.
    Free text such as “对该同志” or the issuer's name is never taken for a person's name."""
    hits: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    for page, line in itertools.chain(_lines(reading), _rows(reading)):
        for pattern in _NAME_PATTERNS:
            for m in pattern.finditer(line.text):
                name = _NAME_STOP.split(m.group(1))[0]  # whole: 孟克吉日嘎拉, 阿依古丽·买买提 (names_differ
                # compares a field read on past the name by its first characters)
                if len(name) < 2 or name in ("该", "该同") or name.startswith(("该", "本", "你", "贵")):
                    continue
                if any(word in name for word in _NOT_NAME) or (name, page.number) in seen:
                    continue
                seen.add((name, page.number))
                hits.append(Hit(name, line.text, page.number, line.box))
    return hits


_ID = re.compile(r"(?<![0-9A-Za-z])([0-9OoDlI|]{6}[0-9OoDlI|xX*＊]{11}[0-9xX*＊])(?![0-9A-Za-z])")


def read_ids(reading: Reading) -> list[Hit]:
    """18-character 身份证号码 read anywhere (masked digits x/* allowed; look-alikes normalised)."""
    hits: list[Hit] = []
    for page, line in _lines(reading):
        for m in _ID.finditer(line.text.replace(" ", "")):
            value = m.group(1).translate(_DIGIT_FIX).upper()
            if sum(ch.isdigit() for ch in value) >= 8:
                hits.append(Hit(value, line.text, page.number, line.box))
    return hits


_CN_DIGITS = {"〇": 0, "零": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_D = "[0-9OoDlI|]"
_DATE_PATTERNS = (
    re.compile(rf"((?:19|2[0O]){_D}{{2}})\s*年\s*({_D}{{1,2}})\s*月"),
    re.compile(rf"(?<![0-9])((?:19|2[0O]){_D}{{2}})\s*[.．\-/－]\s*({_D}{{1,2}})(?![0-9])"),
    re.compile("([一二〇零Oo][〇零一二三四五六七八九Oo]{3})\\s*年\\s*(十[一二]?|[一二三四五六七八九]|元)\\s*月"),
)
_ISSUE_LABEL = re.compile("(发证|颁发|签发|批准|授予|核发|发放|颁证)\\s*(日期|时间|年月)")
_NOT_ISSUE = re.compile("(出生|生日|有效期|有效日期|至|截止|到期|—|~|～)")


def _cn_number(text: str) -> int | None:
    if text == "元":
        return 1
    if text.startswith("十"):
        return 10 + (_CN_DIGITS.get(text[1:], 0) if len(text) > 1 else 0)
    value = 0
    for ch in text:
        if ch not in _CN_DIGITS:
            return None
        value = value * 10 + _CN_DIGITS[ch]
    return value


def _parse(year: str, month: str) -> YearMonth | None:
    y = int(year.translate(_DIGIT_FIX)) if year.translate(_DIGIT_FIX).isdigit() else _cn_number(year)
    mo = int(month.translate(_DIGIT_FIX)) if month.translate(_DIGIT_FIX).isdigit() else _cn_number(month)
    if y is None or mo is None or not 1900 <= y <= 2100 or not 1 <= mo <= 12:
        return None
    return YearMonth(y, mo)


def read_dates(reading: Reading) -> list[tuple[Hit, bool]]:
    """Every date read, with True when it is labelled as the issue date (发证日期 …). Dates on a line
    about birth or validity (出生, 有效期, 至 …) are left out."""
    out: list[tuple[Hit, bool]] = []
    for page, line in _lines(reading):
        text = line.text
        labelled = bool(_ISSUE_LABEL.search(text))
        if _NOT_ISSUE.search(text) and not labelled:
            continue
        for pattern in _DATE_PATTERNS:
            for m in pattern.finditer(text):
                ym = _parse(m.group(1), m.group(2))
                if ym is not None:
                    out.append((Hit(str(ym), text, page.number, line.box), labelled))
    return out


def issue_date(reading: Reading) -> tuple[YearMonth, Hit] | None:
    """The certificate's issue month: the labelled issue date if any, otherwise the latest date read."""
    dates = read_dates(reading)
    if not dates:
        return None
    labelled = [h for h, is_issue in dates if is_issue]
    pool = labelled or [h for h, _ in dates]
    best = max(pool, key=lambda h: (h.value, -h.page))
    year, month = best.value.split(".")
    return YearMonth(int(year), int(month)), best


GRADES: tuple[tuple[str, int], ...] = (
    ("首席技师", 7), ("特级技师", 6), ("高级技师", 5), ("一级", 5), ("技师", 4), ("二级", 4),
    ("高级工", 3), ("三级", 3), ("中级工", 2), ("中级", 2), ("四级", 2), ("初级工", 1), ("初级", 1),
    ("五级", 1))
"""Skill grades (职业资格 / 职业技能等级) and their rank; longest names first."""
_GRADE = re.compile("|".join(name for name, _ in GRADES))
_RANK = dict(GRADES)


def grade_rank(text: str) -> tuple[int, str] | None:
    """The highest grade named in `text` and its rank (技师 = 4, 高级技师 = 5 …)."""
    found = [(_RANK[m.group(0)], m.group(0)) for m in _GRADE.finditer(text)]
    return max(found) if found else None


def read_grade(reading: Reading) -> Hit | None:
    """The highest grade printed on a certificate, preferring a line labelled 等级/级别."""
    best: tuple[int, Hit] | None = None
    for page, line in _lines(reading):
        found = grade_rank(line.text)
        if found and (best is None or found[0] > best[0]):
            best = (found[0], Hit(found[1], line.text, page.number, line.box))
    return best[1] if best else None


_SKILL_KIND = re.compile("(职业资格证书|职业技能等级证书|技能等级证书|职业资格|技术等级证书)")
_HONOUR_KIND = re.compile("(荣誉证书|荣誉称号|授予.{0,20}称号|表彰|先进个人|劳动模范|奖状)")


def _first(reading: Reading, pattern: re.Pattern[str]) -> Hit | None:
    for page, line in _lines(reading):
        m = pattern.search(line.text)
        if m:
            return Hit(m.group(0), line.text, page.number, line.box)
    return None


_READABLE = re.compile(rf"[{_CJK}0-9A-Za-z]")
MIN_PAGE_CHARS = 4
"""A page with fewer readable characters than this counts as having no text."""


# ---- the checks --------------------------------------------------------------------------


class _Out:
    def __init__(self, c: Candidate) -> None:
        self.c = c
        self.items: list[Finding] = []

    def __call__(self, code: str, severity: Severity, message: str, hint: str, e: Evidence,
                 hit: Hit | None = None, **data: object) -> None:
        extra: dict[str, object] = dict(hit.data()) if hit else {}
        extra.update(data)
        self.items.append(Finding(code, severity, f"{self.c.label}：{message}", hint, self.c.code, self.c.name,
                                  file=e.rel, data=extra))


def check_readings(c: Candidate, m: Materials, readings: Mapping[Path, Reading], since: YearMonth,
                   years: int = 4) -> list[Finding]:
    """The §2 checks of one nominee's evidence against what was read from it (all but duplicates).
    `readings` maps an evidence file's absolute path to its Reading; files without one are skipped.
    `since` is pipeline.rules.checks.evidence_since(edition), `years` the edition's evidence_years."""
    out = _Out(c)
    best_grade: tuple[int, Hit, Evidence] | None = None
    for e in m.evidence:
        reading = readings.get(e.path)
        if reading is None:
            continue
        _no_text(e, reading, out)
        _holder(c, e, reading, out)
        _date(e, reading, since, years, out)
        _kind(e, reading, out)
        if e.category == "资格证书":
            hit = read_grade(reading)
            if hit is not None:
                rank = _RANK[hit.value]
                if best_grade is None or rank > best_grade[0]:
                    best_grade = (rank, hit, e)
    claimed = grade_rank(c.skill_level)
    if claimed and best_grade and claimed[0] > best_grade[0]:
        _, hit, e = best_grade
        out("EVIDENCE_GRADE_MISMATCH", Severity.warning,
            f"花名册技术等级为“{c.skill_level}”，但资格证书上读到的最高等级是“{hit.value}”"
            f"（“{e.rel}”{hit.where}：“{hit.quote}”）",
            "补交与花名册等级相符的职业资格证书（或职业技能等级证书），或把花名册的技术等级改为证书上的等级",
            e, hit, claimed=c.skill_level, shown=hit.value)
    return out.items


def _no_text(e: Evidence, reading: Reading, out: _Out) -> None:
    if reading.pages and all(page.source == "text" for page in reading.pages):
        return
    for page in reading.pages:
        if len(_READABLE.findall(page.text)) < MIN_PAGE_CHARS:
            out("EVIDENCE_NO_TEXT", Severity.warning,
                f"证明材料“{e.rel}”第{page.number}页没有读到任何文字（空白、倒置或过暗的扫描？）",
                "检查这一页：空白页请删除，倒置的请旋转后重新保存，过暗或模糊的请重新扫描", e,
                page=page.number, box=[0, 0, page.width, page.height], read=page.text)


def _holder(c: Candidate, e: Evidence, reading: Reading, out: _Out) -> None:
    hint = "确认这份证书是本人的：放错了请换成本人的证书；确是本人（如曾用名）请在备注中说明"
    if c.name:
        names = read_names(reading)
        if names and not any(not names_differ(h.value, c.name) for h in names):
            hit = names[0]
            out("EVIDENCE_HOLDER_MISMATCH", Severity.error,
                f"证明材料“{e.rel}”上的姓名是“{hit.value}”，不是本人“{c.name}”（{hit.where}读到：“{hit.quote}”）",
                hint, e, hit, name=hit.value)
            return
    if len(c.id_number) == 18:
        ids = read_ids(reading)
        if ids and not any(not ids_differ(h.value, c.id_number) for h in ids):
            hit = ids[0]
            masked = hit.value[:6] + "********" + hit.value[14:]
            out("EVIDENCE_HOLDER_MISMATCH", Severity.error,
                f"证明材料“{e.rel}”上的身份证号码（{masked}）与本人不符（{hit.where}）",
                hint, e, hit, read="（身份证号码不显示）")


def _date(e: Evidence, reading: Reading, since: YearMonth, years: int, out: _Out) -> None:
    found = issue_date(reading)
    if found is None:
        return
    printed, hit = found
    if e.date is not None:
        if printed != e.date:
            out("EVIDENCE_DATE_MISMATCH", Severity.warning,
                f"证明材料“{e.rel}”文件名的日期是{e.date.chinese}，证书上印的是{printed.chinese}"
                f"（{hit.where}读到：“{hit.quote}”）",
                f"核对原件：文件名开头应是发证年月，如“{printed}-{e.title}”；确有出入请以原件为准改名", e, hit,
                named=str(e.date), printed=str(printed))
        return
    out("EVIDENCE_DATE_READ", Severity.info,
        f"证明材料“{e.rel}”的文件名没有日期，按证书上读到的{printed.chinese}判断（{hit.where}读到：“{hit.quote}”）",
        f"请核对；可把文件改名为“{printed}-{e.title}”", e, hit, printed=str(printed))
    if e.category in ACHIEVEMENT_CATEGORIES and printed < since:
        out("EVIDENCE_OLD", Severity.warning,
            f"“{e.title}”证书上的日期是{printed.chinese}（{hit.where}读到），早于近{years}年（{since.chinese}以后）",
            "通知要求提交近4年的主要技术成果、奖励、荣誉证书；如确需保留，可移到“其他”类", e, hit,
            printed=str(printed))


def _kind(e: Evidence, reading: Reading, out: _Out) -> None:
    skill = _first(reading, _SKILL_KIND)
    honour = _first(reading, _HONOUR_KIND)
    if e.category in ACHIEVEMENT_CATEGORIES and skill and not honour:
        out("EVIDENCE_KIND_MISMATCH", Severity.warning,
            f"证明材料“{e.rel}”放在“{e.category}”下，但证书上写的是“{skill.value}”（{skill.where}读到：“{skill.quote}”）",
            "职业资格证书、职业技能等级证书请放入 evidence/资格证书/ 文件夹", e, skill, kind="资格证书")
    elif e.category == "资格证书" and honour and not skill and not _first(reading, _GRADE):
        out("EVIDENCE_KIND_MISMATCH", Severity.warning,
            f"证明材料“{e.rel}”放在“资格证书”下，但证书上写的是“{honour.value}”（{honour.where}读到：“{honour.quote}”）",
            "荣誉证书请放入 evidence/荣誉证书/ 文件夹，奖励证书放入 evidence/奖励证书/", e, honour, kind="荣誉证书")


# ---- duplicates --------------------------------------------------------------------------

DUPLICATE_DISTANCE = 6
"""Hamming distance (of 64-bit perceptual hashes) up to which two scans count as the same."""


HASH_SIDE = 512
"""Longer side, in pixels, to which a PDF page is rendered for its perceptual hash (pHash looks at 32 × 32)."""


def perceptual_hash(path: Path) -> str | None:
    """64-bit perceptual hash (ImageHash pHash, hex) of an evidence file's first page: an image's
    first frame, or a PDF's first page rendered by PDFium as the OCR engine renders a scan (so a
    scan filed twice as PDF, re-saved or re-compressed, is caught too). None for files that cannot
    be opened."""
    import imagehash
    from PIL import Image

    try:
        if path.suffix.lower() == ".pdf":
            return str(imagehash.phash(_render_first_page(path)))
        with Image.open(path) as image:
            image.draft("L", (256, 256))
            return str(imagehash.phash(image.convert("L")))
    except (OSError, ValueError, IndexError, RuntimeError):  # RuntimeError: raster.RasterError; IndexError: no page
        return None


def _render_first_page(path: Path) -> Image.Image:
    """A PDF's first page, grey, HASH_SIDE pixels on its longer side."""
    from pipeline.render import raster

    return raster.page(path, 1, fit=HASH_SIDE, grey=True)


def _same_text(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    a, b = re.sub(r"\s", "", a), re.sub(r"\s", "", b)
    if not a and not b:
        return False  # two blank pages look alike but are not “the same scan”
    # the Indel similarity 2·LCS / (len a + len b) (difflib's ratio, in C++): thousands of pairs a check
    return bool(fuzz.ratio(a, b, score_cutoff=97))


def find_duplicates(items: Sequence[tuple[Candidate, Evidence]], hashes: Mapping[str, str],
                    texts: Mapping[str, str] | None = None) -> list[Finding]:
    """EVIDENCE_DUPLICATE for every pair of evidence files whose perceptual hashes (`hashes` maps an
    evidence rel path to its hex pHash) are within DUPLICATE_DISTANCE and, when `texts` (rel → text
    read) knows both, whose texts are the same to within OCR noise (certificates printed on one form
    look alike to a perceptual hash): each side names the other."""
    texts = texts or {}
    hashed = [(c, e, int(hashes[e.rel], 16)) for c, e in items if hashes.get(e.rel)]
    out: list[Finding] = []
    for i, (c1, e1, h1) in enumerate(hashed):
        for c2, e2, h2 in hashed[i + 1:]:
            if (h1 ^ h2).bit_count() > DUPLICATE_DISTANCE or not _same_text(texts.get(e1.rel), texts.get(e2.rel)):
                continue
            for c, e, oc, oe in ((c1, e1, c2, e2), (c2, e2, c1, e1)):
                who = "本人另一份材料" if c.code == oc.code else f"{oc.label}的材料"
                out.append(Finding(
                    "EVIDENCE_DUPLICATE", Severity.error,
                    f"{c.label}：证明材料“{e.rel}”与{who}“{oe.rel}”是同一份扫描件",
                    "每份证书只提交一次，且只能是本人的：删除重复或放错的文件，换成本人的证书扫描件",
                    c.code, c.name, file=e.rel, data={"other": oe.rel, "other_candidate": oc.code}))
    return out
