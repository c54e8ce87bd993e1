"""The nomination checks, codes in docs/codes.md (the photo checks live in pipeline.rules.photo).

Each rule is a small function of one nominee that yields Findings; `check_nominee` runs them
all. Expensive file inspections (decoding every scan, reading the deeds) are separate
functions of one file so the check stage can cache their verdicts by content hash.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import filelimits
from pipeline.core.edition import Edition
from pipeline.core.model import (
    ACHIEVEMENT_CATEGORIES,
    NOMINATION_SELF,
    Candidate,
    Finding,
    Materials,
    RefusedFile,
    Severity,
    YearMonth,
)
from pipeline.render.fonts import FontSet
from pipeline.rules import normalize, phones
from pipeline.rules.idcard import IdProblem, parse_id
from pipeline.rules.materials import DeedsUnreadable, read_deeds
from pipeline.rules.retirement import Category, far_enough, retirement

MAX_SCAN_PIXELS = filelimits.MAX_PDF_IMAGE_PIXELS
"""Scans above 200 megapixels are refused as likely decompression bombs: an A3 page scanned at
600 dpi is 70 MP, so real scans stay far below this."""

PRINTED_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "姓名"), ("native_place", "籍贯"), ("ethnicity", "民族"), ("political_status", "政治面貌"),
    ("education", "学历"), ("professional_title", "职称"), ("skill_level", "技术等级"),
    ("unit_and_post", "工作单位及职务"), ("occupation", "职业（工种）"), ("recommender", "推荐单位"),
    ("resume", "个人简历"), ("summary", "简要事迹"),
)
"""Roster fields that appear in printed documents (the GLYPH_MISSING check covers them)."""


@dataclass(frozen=True)
class FileVerdict:
    """What inspecting one file found (cached by content hash)."""

    problem: str = ""
    """Why the file is unusable, in Chinese; empty when fine."""
    chars: int = 0
    """For a deeds file: its length in characters."""
    text: str = ""
    """For a deeds file: its text (for the glyph check)."""
    pages: int = 0
    """For evidence: number of pages/frames."""
    code: str = ""
    """The finding code when it is not the usual 'unreadable' one (FILE_TOO_LARGE)."""


# ---- file inspections (cacheable) -------------------------------------------------------

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"%PDF-", "PDF"),
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"GIF8", "GIF"), (b"BM", "BMP"),
    (b"PK\x03\x04", "ZIP/Office"), (b"\xd0\xcf\x11\xe0", "旧版 Office"), (b"RIFF", "WEBP"),
)
_EXPECTED = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".pdf": "PDF", ".tif": "TIFF", ".tiff": "TIFF"}


def sniff(head: bytes) -> str:
    """The real type of a file from its first bytes ('' when unknown)."""
    if head[4:12] in (b"ftypheic", b"ftypmif1", b"ftypheix"):
        return "HEIC"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return ""


def inspect_evidence(path: Path) -> FileVerdict:
    """Decode a scan fully (or open every PDF page) to prove it is usable; a verdict, never an exception."""
    try:
        size = path.stat().st_size
        if size == 0:
            return FileVerdict("文件是空的（0 字节）")
        with path.open("rb") as fh:
            head = fh.read(16)
        expected = _EXPECTED.get(path.suffix.lower(), "")
        actual = sniff(head.lstrip(b"\x00\t\r\n ") if expected == "PDF" else head)
        if actual != expected:
            what = f"实际是 {actual} 文件" if actual else "内容不是可识别的图片或 PDF"
            return FileVerdict(f"扩展名是 {path.suffix}，但{what}")
        if expected == "PDF":
            return _inspect_pdf(path)
        return _inspect_image(path)
    except OSError as exc:
        return FileVerdict(f"无法读取文件（{exc.strerror or type(exc).__name__}）")


def _inspect_image(path: Path) -> FileVerdict:
    """Decoded with truncated images refused: WeasyPrint, once imported (the 公告 in `make all`, the
    feedback letters), sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process."""
    from PIL import Image, UnidentifiedImageError

    from pipeline.rules.photo import strict_decoding

    try:
        with strict_decoding(), Image.open(path) as img:
            w, h = img.size
            if w * h > MAX_SCAN_PIXELS:
                return FileVerdict(f"图片过大（{w}×{h} 像素），可能是损坏或恶意文件")
            frames = 0
            while True:
                if img.format == "JPEG":
                    img.draft("RGB", (max(1, w // 8), max(1, h // 8)))
                img.load()
                frames += 1
                try:
                    img.seek(frames)
                except EOFError:
                    break
            return FileVerdict(pages=frames)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return FileVerdict("图片像素数超出安全上限，可能是损坏或恶意文件")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        reason = "文件不完整（被截断）" if "truncated" in str(exc).lower() else f"图片已损坏（{exc}）"
        return FileVerdict(reason)


def _inspect_pdf(path: Path) -> FileVerdict:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if not len(pdf.pages):
                return FileVerdict("PDF 中没有页面")
            refusal = filelimits.pdf_problem(pdf)
            if refusal:
                return FileVerdict(refusal.message, code=refusal.code)
            for page in pdf.pages:
                _ = page.mediabox
            return FileVerdict(pages=len(pdf.pages))
    except pikepdf.PasswordError:
        return FileVerdict("PDF 已加密（设置了密码），无法装订")
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        return FileVerdict(f"PDF 已损坏（{type(exc).__name__}）")


def inspect_deeds(path: Path) -> FileVerdict:
    """Read the 先进事迹 file (within pipeline.core.filelimits): its length and text, or why it cannot be read."""
    try:
        refusal = (filelimits.zip_problem(path) if path.suffix.lower() == ".docx"
                   else filelimits.text_problem(path))
        if refusal:
            return FileVerdict(refusal.message, code=refusal.code)
        deeds = read_deeds(path)
    except DeedsUnreadable as exc:
        return FileVerdict(str(exc))
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return FileVerdict(f"无法读取（{type(exc).__name__}）")
    body = deeds.body
    return FileVerdict(chars=normalize.count_chars(body), text=deeds.title + "\n" + body)


# ---- rules on one nominee ---------------------------------------------------------------


class _Reporter:
    def __init__(self, c: Candidate, roster_file: str) -> None:
        self.c = c
        self.roster_file = roster_file
        self.items: list[Finding] = []

    def __call__(self, code: str, message: str, hint: str, *, field: str = "", file: str = "",
                 severity: Severity = Severity.error, **data: object) -> None:
        self.items.append(Finding(code, severity, message, hint, self.c.code, self.c.name, field,
                                  file or (self.roster_file if field else ""), self.c.row if field else 0,
                                  dict(data)))


def check_nominee(c: Candidate, m: Materials, edition: Edition, fonts: FontSet, roster_file: str,
                  verdicts: dict[str, FileVerdict]) -> list[Finding]:
    """Every non-photo rule for one nominee; `verdicts` maps a file's rel path to its inspection."""
    report = _Reporter(c, roster_file)
    _identity(c, report)
    _retirement(c, edition, report)
    _conditions(c, report)
    _summary(c, edition, report)
    _deeds(c, m, edition, verdicts, report)
    _evidence(c, m, edition, verdicts, report)
    _phone(c, report)
    _glyphs(c, m, fonts, verdicts, report)
    for refused in m.refused:
        _outside(refused, report)
    for rel in m.stray:
        report("MATERIAL_MISPLACED", f"文件“{rel}”不在规定位置，不会装订进申报材料",
               "证明材料放入 evidence/<类别>/ 下（类别：资格证书、成果证书、奖励证书、荣誉证书、领先水平证明、其他），"
               "格式为 jpg、png、tif 或 pdf", file=rel, severity=Severity.warning)
    return report.items


FILE_OUTSIDE_EDITION = "FILE_OUTSIDE_EDITION"


def _outside(refused: RefusedFile, report: _Reporter) -> None:
    what = "文件夹" if refused.role == "folder" else "文件"
    report(FILE_OUTSIDE_EDITION,
           f"{what}“{refused.rel}”是指向届次文件夹以外（{refused.target}）的链接，出于安全不会读取，也不会装订",
           f"把{what}本身（而不是链接或快捷方式）复制到届次文件夹中的这个位置，替换该链接后重新运行",
           file=refused.rel)


def withheld(c: Candidate, m: Materials, role: str) -> bool:
    """True when the nominee's photo or deeds (role 'photo', 'deeds') was refused as a link leading
    outside the edition, or the folder holding it (role 'evidence': the nominee's folder or its
    evidence/ folder) was: FILE_OUTSIDE_EDITION already says so, a 'missing' finding would mislead."""
    base = f"candidates/{c.code}/"
    if role == "evidence":
        return any(r.rel in (base, base + "evidence/") for r in m.refused)
    return any(r.role == role or r.rel == base for r in m.refused)


def _identity(c: Candidate, report: _Reporter) -> None:
    if not c.id_number:
        return
    try:
        info = parse_id(c.id_number)
    except IdProblem as problem:
        report(problem.code, problem.message, "核对身份证原件，重新填写18位身份证号码", field="身份证号码")
        return
    if c.birth and (c.birth.year, c.birth.month) != (info.birth.year, info.birth.month):
        report("ID_BIRTH_MISMATCH",
               f"出生年月填的是{c.birth.chinese}，身份证号码显示为{info.birth.year}年{info.birth.month}月",
               "核对身份证，改正“出生年月”或“身份证号码”", field="出生年月")
    if c.gender and c.gender != info.gender:
        report("ID_GENDER_MISMATCH", f"性别填的是“{c.gender}”，身份证号码（第17位）显示为“{info.gender}”",
               "核对身份证，改正“性别”或“身份证号码”", field="性别")


def _birth_day(c: Candidate) -> tuple[YearMonth | None, int]:
    """Birth month and day: the ID number's date when valid and consistent, else 出生年月 and day 1."""
    try:
        info = parse_id(c.id_number)
        if c.birth is None or (c.birth.year, c.birth.month) == (info.birth.year, info.birth.month):
            return YearMonth(info.birth.year, info.birth.month), info.birth.day
    except IdProblem:
        pass
    return c.birth, 1


def _retirement(c: Candidate, edition: Edition, report: _Reporter) -> None:
    birth, day = _birth_day(c)
    if birth is None or c.gender is None:
        return
    ref = edition.round.reference_date
    years = edition.checks.min_years_to_retirement
    if c.retirement_category:
        categories = [Category(c.retirement_category)]
    elif c.gender == "男":
        categories = [Category.male60]
    else:
        categories = [Category.female55, Category.female50]
    outcomes = {cat: retirement(birth, cat) for cat in categories}
    verdicts = {cat: far_enough(r.date(day), ref, years) for cat, r in outcomes.items()}
    if len(set(verdicts.values())) > 1:
        r55, r50 = outcomes[Category.female55], outcomes[Category.female50]
        report("RETIREMENT_CATEGORY_NEEDED",
               f"按原法定退休年龄55岁计，将于{r55.month.chinese}（{r55.age_text}）退休，符合“距法定退休年龄{years}年以上”；"
               f"按50岁计，将于{r50.month.chinese}（{r50.age_text}）退休，不符合。结论取决于原退休年龄",
               "由单位核实其岗位，在“退休年龄类别”填写“女55”（干部岗位）或“女50”（工人岗位）", field="退休年龄类别")
        return
    if not next(iter(verdicts.values())):
        cat = categories[-1] if len(categories) > 1 else categories[0]
        r = outcomes[cat]
        report("RETIREMENT_TOO_CLOSE",
               f"按渐进式延迟退休规定，法定退休年龄为{r.age_text}，将于{r.date(day):%Y年%m月%d日}退休，"
               f"距基准日{ref:%Y年%m月%d日}不足{years}年（选拔条件：距法定退休年龄{years}年以上）",
               "不符合选拔条件，请从推荐名单中撤下；如出生日期填错，请核对身份证后改正",
               field="出生年月", retirement=str(r.month), age=r.age_text)


def _conditions(c: Candidate, report: _Reporter) -> None:
    if not c.conditions:
        report("CONDITION_NONE", "未填写所符合的选拔条件（通知第四部分（二）条件1至8）",
               "在“符合条件”填写符合的条件序号，如“1,5”；一条都不符合的不能推荐", field="符合条件")
    if c.exclusion:
        report("EXCLUDED", f"存在不得参评的情形：“{c.exclusion}”",
               "有受到刑事处罚、侵犯知识产权或其他严重违法违纪情形的，不得参加评选；如填写有误，请清空“负面情形”",
               field="负面情形")


def _summary(c: Candidate, edition: Edition, report: _Reporter) -> None:
    limit = edition.checks.summary_max_chars
    n = normalize.count_chars(c.summary)
    if n > limit:
        report("SUMMARY_TOO_LONG", f"简要事迹有{n}字，超过{limit}字的限制",
               f"把简要事迹压缩到{limit}字以内（详细内容写入先进事迹材料）", field="简要事迹", chars=n)


def _deeds(c: Candidate, m: Materials, edition: Edition, verdicts: dict[str, FileVerdict],
           report: _Reporter) -> None:
    folder = f"candidates/{c.code}/"
    if m.deeds is None and withheld(c, m, "deeds"):
        return
    if m.deeds is None:
        report("DEEDS_MISSING", "缺少先进事迹材料（约2000字）",
               f"把先进事迹材料保存为 {folder}先进事迹.docx（也可为 .md 或 .txt）", file=folder)
        return
    rel = f"{folder}{m.deeds.name}"
    verdict = verdicts[rel]
    if verdict.code:
        report(verdict.code, f"先进事迹材料不能使用：{verdict.problem}",
               "用 Word/WPS 打开该文件，删去异常内容后重新保存为 .docx（或另存为 UTF-8 文本 .txt），替换后重新运行",
               file=rel)
        return
    if verdict.problem:
        report("DEEDS_MISSING", f"先进事迹材料无法读取：{verdict.problem}",
               "用 Word/WPS 重新保存为 .docx，或另存为 UTF-8 文本 .txt", file=rel)
        return
    s = edition.checks
    if not s.deeds_min_chars <= verdict.chars <= s.deeds_max_chars:
        report("DEEDS_LENGTH", f"先进事迹材料有{verdict.chars}字，与要求的“{s.deeds_target_chars}字左右”相差较大",
               f"调整到{s.deeds_min_chars}至{s.deeds_max_chars}字之间", file=rel,
               severity=Severity.warning, chars=verdict.chars)


def evidence_since(edition: Edition) -> YearMonth:
    """The oldest month of “近N年” ([checks] evidence_years before the reference date): achievement
    certificates from before it draw EVIDENCE_OLD; the 选拔公告 prints the same month."""
    ref = edition.round.reference_date
    return YearMonth(ref.year - edition.checks.evidence_years, ref.month)


def _evidence(c: Candidate, m: Materials, edition: Edition, verdicts: dict[str, FileVerdict],
              report: _Reporter) -> None:
    folder = f"candidates/{c.code}/evidence/"
    categories = {e.category for e in m.evidence} | {r.category for r in m.refused if r.category}
    if "资格证书" not in categories and not withheld(c, m, "evidence"):
        report("MATERIAL_MISSING", "缺少职业资格证书（或职业技能等级证书）扫描件（通知要求的材料3）",
               f"把证书扫描件放入 {folder}资格证书/ 文件夹", file=folder + "资格证书/")
    if c.nomination == NOMINATION_SELF and "领先水平证明" not in categories and not withheld(c, m, "evidence"):
        report("SELF_NOMINEE_PROOF_MISSING", "个人自荐者须提供在本行业处于领先水平的证明材料（通知要求的材料4）",
               f"把获奖证书、专家证明或成果材料放入 {folder}领先水平证明/ 文件夹", file=folder + "领先水平证明/")
    oldest = evidence_since(edition)
    for e in m.evidence:
        verdict = verdicts[e.rel]
        problem = verdict.problem
        if verdict.code:
            report(verdict.code, f"证明材料“{e.title}”不能使用：{problem}",
                   "这个文件超出了安全上限：重新扫描或从原件重新导出（PDF 每份不超过"
                   f"{filelimits.MAX_PDF_PAGES}页，可拆成几个文件），替换后重新运行", file=e.rel)
        elif problem:
            report("EVIDENCE_UNREADABLE", f"证明材料“{e.title}”无法使用：{problem}",
                   "重新扫描或从原件重新导出（PDF 不要设置密码），替换该文件", file=e.rel)
        elif e.category in ACHIEVEMENT_CATEGORIES and e.date and e.date < oldest:
            report("EVIDENCE_OLD",
                   f"“{e.title}”取得于{e.date.chinese}，早于近{edition.checks.evidence_years}年（{oldest.chinese}以后）",
                   "通知要求提交近4年的主要技术成果、奖励、荣誉证书；如确需保留，可移到“其他”类",
                   file=e.rel, severity=Severity.warning)


def _phone(c: Candidate, report: _Reporter) -> None:
    if c.phone and not phones.valid(c.phone):
        report("PHONE_FORMAT", f"联系电话“{c.phone}”不像手机号码（11位）或固定电话（区号-号码）",
               "填写11位手机号码，或“0457-2756328”形式的固定电话", field="联系电话", severity=Severity.warning)


def _glyphs(c: Candidate, m: Materials, fonts: FontSet, verdicts: dict[str, FileVerdict],
            report: _Reporter) -> None:
    texts: list[tuple[str, str, str]] = [(label, getattr(c, attr), "") for attr, label in PRINTED_FIELDS]
    if m.deeds is not None:
        rel = f"candidates/{c.code}/{m.deeds.name}"
        texts.append(("先进事迹材料", verdicts[rel].text, rel))
    texts += [("证明材料标题", e.title, e.rel) for e in m.evidence]
    for label, value, file in texts:
        missing = fonts.missing(value)
        if missing:
            chars = "、".join(f"“{ch}”(U+{ord(ch):04X})" for ch in missing)
            report("GLYPH_MISSING", f"{label}中的 {chars} 没有任何已配置的字体能够显示，打印出来会是空白方框",
                   "安装收录该字的字体（如 Debian 的 fonts-hanazono 或 fonts-babelstone-han，或把字体文件放入 "
                   "assets/fonts/），并在 edition.toml 的 [fonts] fallback 中列出；确认无误后再生成文档",
                   field="" if file else label, file=file, chars=[f"U+{ord(ch):04X}" for ch in missing])


def iter_checked_files(c: Candidate, m: Materials) -> Iterator[tuple[str, Path, str]]:
    """(rel, path, kind) of every file the checks inspect: kind 'deeds' or 'evidence'."""
    if m.deeds is not None:
        yield f"candidates/{c.code}/{m.deeds.name}", m.deeds, "deeds"
    for e in m.evidence:
        yield e.rel, e.path, "evidence"
