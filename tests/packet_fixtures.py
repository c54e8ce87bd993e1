"""Fixtures for the packets tests, made in code (no binary test data in the repository).

An edition folder with a few nominees: synthetic red-background photos, deeds texts,
evidence scans drawn with Pillow (JPEG, PNG, TIFF) and PDFs written with pikepdf.
Nominee/CheckResult stand-ins have the shape of pipeline.stages.check's classes, so
the packets stage is tested without running the checks.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image, ImageDraw

from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.core.model import Candidate, Finding, Materials, Severity, YearMonth
from pipeline.rules.materials import scan_materials

EDITION_TOML = """\
[round]
year = 2027
title = "大兴安岭地区2027年度“兴安技术能手”选树"
reference_date = 2027-03-19
basis_title = "关于印发《大兴安岭地区2027年度选树“兴安技术能手”实施方案》的通知"
basis_number = "大署人社联〔2027〕2号"

[phases]
apply = [2027-02-19, 2027-03-19]

[office]
name = "大兴安岭地区“兴安技术能手”选树工作领导小组办公室"
bureau = "大兴安岭地区人力资源和社会保障局"
department = "大兴安岭地区人力资源和社会保障局职业能力建设科"
contact = "马卉"
phone = "0457-2756328"

[organs]
issuing = ["大兴安岭地区人力资源和社会保障局", "大兴安岭地区总工会"]
publicity = "大兴安岭地区“兴安技术能手”选树工作领导小组办公室"

[publicity]
start = 2027-05-10

[certificates]
verify_base_url = "https://example.invalid/verify/"

[packets]
print_dpi = {print_dpi}
email_budget_mb = {email_budget_mb}
imprint = {imprint}
copies = 5
"""

RESUME = (
    "1998.07—2003.12 大兴安岭林业集团加格达奇林业局机修厂 钳工\n"
    "2004.01—2012.06 大兴安岭林业集团加格达奇林业局机修厂 钳工班长\n"
    "2012.07至今 大兴安岭林业集团加格达奇林业局机修厂 技术主管\n"
    "2019年6月 被黑龙江省人力资源和社会保障厅授予“龙江技术能手”称号\n"
    "2022年5月 在大兴安岭地区职业技能大赛钳工项目中获第一名"
)
SUMMARY = (
    "该同志扎根林区机修一线二十余年，练就了精湛的钳工技艺，先后完成技术革新12项，"
    "为企业节约维修费用300余万元，带出徒弟20余人，其中8人取得高级工以上职业资格。"
)
DEEDS_PARAGRAPH = (
    "二十多年来，他始终坚守在机修生产一线，以“干一行、爱一行、钻一行、精一行”的工匠精神，"
    "刻苦钻研钳工技术，解决了一个又一个设备维修中的疑难问题，成为单位公认的技术骨干。"
)


def write_edition(root: Path, *, imprint: bool = True, email_budget_mb: float = 10, print_dpi: int = 300) -> Path:
    """A fresh edition folder `root/edition` with edition.toml and no nominees yet."""
    edition = root / "edition"
    (edition / "candidates").mkdir(parents=True, exist_ok=True)
    text = EDITION_TOML.format(print_dpi=print_dpi, email_budget_mb=email_budget_mb,
                               imprint="true" if imprint else "false")
    (edition / "edition.toml").write_text(text, encoding="utf-8")
    return edition


def make_photo(path: Path, size: tuple[int, int] = (413, 579)) -> Path:
    """A 2-inch photo stand-in: red background, a head and shoulders, 300 dpi JPEG."""
    w, h = size
    img = Image.new("RGB", size, (200, 16, 30))
    draw = ImageDraw.Draw(img)
    draw.ellipse((w * 0.3, h * 0.18, w * 0.7, h * 0.58), fill=(236, 200, 170))
    draw.rectangle((w * 0.12, h * 0.7, w * 0.88, h), fill=(30, 40, 70))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=90, dpi=(300, 300))
    return path


def scan_image(size: tuple[int, int], label: str = "", seed: int = 1) -> Image.Image:
    """A certificate-like scan: a frame, a title bar, lines of 'text', an asymmetric marker."""
    w, h = size
    img = Image.new("RGB", size, (250, 248, 240))
    draw = ImageDraw.Draw(img)
    m = max(4, min(w, h) // 20)
    draw.rectangle((m, m, w - m, h - m), outline=(150, 30, 30), width=max(2, m // 4))
    draw.rectangle((w * 0.2, h * 0.08, w * 0.8, h * 0.14), fill=(180, 40, 40))
    for i in range(14):
        y = h * 0.22 + i * h * 0.045
        length = 0.35 + ((i * 7 + seed * 13) % 10) / 25
        draw.rectangle((w * 0.12, y, w * (0.12 + length), y + h * 0.012), fill=(40, 40, 40))
    # marker in the top-left corner: tells which way up the scan is shown
    draw.rectangle((m * 2, m * 2, m * 2 + w // 6, m * 2 + h // 10), fill=(20, 90, 200))
    if label:
        draw.text((w * 0.2, h * 0.9), label, fill=(0, 0, 0))
    return img


def make_jpeg_scan(path: Path, size: tuple[int, int] = (1240, 1754), *, orientation: int = 1,
                   dpi: int = 150, label: str = "", quality: int = 80, grain: bool = False) -> Path:
    """A JPEG scan; with orientation ≠ 1 the pixels are stored turned and EXIF says how to show them.

    grain: add paper grain (fixed-seed noise) so the JPEG is as large as a real scan.
    """
    img = scan_image(size, label)
    if grain:
        import numpy as np

        noise = np.random.default_rng(7).integers(-18, 18, (size[1], size[0], 1), dtype=np.int16)
        img = Image.fromarray(np.clip(np.asarray(img, dtype=np.int16) + noise, 0, 255).astype(np.uint8))
    stored = img
    if orientation != 1:
        inverse = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
                   4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
                   6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
                   8: Image.Transpose.ROTATE_270}
        stored = img.transpose(inverse[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    path.parent.mkdir(parents=True, exist_ok=True)
    stored.save(path, "JPEG", quality=quality, dpi=(dpi, dpi), exif=exif.tobytes())
    return path


def make_png_scan(path: Path, size: tuple[int, int] = (900, 1270), *, alpha: bool = False) -> Path:
    """A PNG scan (optionally with an alpha channel)."""
    img = scan_image(size, "PNG", seed=3)
    out = img.convert("RGBA") if alpha else img
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(path, "PNG")
    return path


def make_tiff_scan(path: Path, frames: int = 2, size: tuple[int, int] = (800, 1130)) -> Path:
    """A multi-page TIFF (one frame per page)."""
    images = [scan_image(size, f"TIFF {i + 1}", seed=i).convert("L") for i in range(frames)]
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, "TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate")
    return path


def make_pdf_evidence(path: Path, pages: int = 2, size: tuple[float, float] = (612, 792),
                      *, encrypt: bool = False) -> Path:
    """A PDF with `pages` pages of the given size (points), each with a frame and a page mark."""
    import pikepdf

    pdf = pikepdf.new()
    w, h = size
    for i in range(pages):
        content = (
            f"q 0.6 0 0 RG 6 w 20 20 {w - 40} {h - 40} re S Q "
            f"q 0 0 0.7 rg 40 {h - 120} {w / 3} 60 re f Q "
            f"q 0.2 g 40 {h / 2 - 10 * i} {w - 80} 14 re f Q"
        ).encode()
        page = pdf.add_blank_page(page_size=(w, h))
        page.Contents = pdf.make_stream(content)
    path.parent.mkdir(parents=True, exist_ok=True)
    if encrypt:
        pdf.save(path, encryption=pikepdf.Encryption(owner="owner", user="secret"))
    else:
        pdf.save(path, deterministic_id=True)
    return path


def make_deeds(path: Path, paragraphs: int = 14, *, title: str = "张建国同志先进事迹材料",
               extra: Sequence[str] = ()) -> Path:
    """A 先进事迹 text file: a title line and repeated paragraphs (~2000 characters)."""
    lines = [title, *([DEEDS_PARAGRAPH] * paragraphs), *extra]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_candidate(code: str, name: str, row: int = 2, **overrides: object) -> Candidate:
    """A complete, valid roster row."""
    base = Candidate(
        code=code, name=name, gender="男", birth=YearMonth(1978, 5), native_place="黑龙江省呼玛县",
        ethnicity="汉族", political_status="中共党员", education="大专", work_start=YearMonth(1998, 7),
        professional_title="工程师", skill_level="高级技师", unit_and_post="加格达奇林业局机修厂 技术主管",
        occupation="钳工", id_number="232721197805120019", phone="13904570123",
        recommender="大兴安岭地区加格达奇区人力资源和社会保障局", nomination="单位推荐",
        retirement_category="男60", conditions=(1, 5), exclusion="", resume=RESUME, summary=SUMMARY, row=row,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FakeNominee:
    """Stand-in for pipeline.core.model.Nominee."""

    candidate: Candidate
    materials: Materials
    findings: tuple[Finding, ...] = ()
    photo: Path | None = None

    @property
    def ok(self) -> bool:
        """No error findings."""
        return not any(f.severity is Severity.error for f in self.findings)


@dataclass(frozen=True)
class FakeCheck:
    """Stand-in for pipeline.core.model.CheckResult."""

    nominees: tuple[FakeNominee, ...]
    roster_findings: tuple[Finding, ...] = field(default=())


def add_nominee(edition: Path, candidate: Candidate, *, evidence: Sequence[tuple[str, str, str]] = (),
                deeds_paragraphs: int = 14) -> Path:
    """Create candidates/<编号>/ with photo, deeds and evidence [(category, file name, kind)].

    kind: 'jpeg', 'jpeg-big' (400 dpi A4, needs downsampling), 'jpeg-a4' (300 dpi A4, goes in
    as it is), 'jpeg-grain' (300 dpi A4 with paper grain: a large file), 'jpeg-rot6' (EXIF 6),
    'jpeg-land' (landscape), 'png', 'png-alpha', 'tiff2' (2 frames), 'pdf-letter' (2 pages,
    US Letter), 'pdf-a3-land', 'pdf-encrypted'.
    """
    folder = edition / "candidates" / candidate.code
    make_photo(folder / "照片.jpg")
    make_deeds(folder / "先进事迹.txt", deeds_paragraphs, title=f"{candidate.name}同志先进事迹材料")
    for category, filename, kind in evidence:
        path = folder / "evidence" / category / filename
        if kind == "jpeg":
            make_jpeg_scan(path, label=filename)
        elif kind == "jpeg-big":
            make_jpeg_scan(path, (3307, 4677), dpi=400, label=filename, quality=70)
        elif kind == "jpeg-a4":
            make_jpeg_scan(path, (2480, 3508), dpi=300, label=filename, quality=70)
        elif kind == "jpeg-grain":
            make_jpeg_scan(path, (2480, 3508), dpi=300, label=filename, quality=85, grain=True)
        elif kind == "jpeg-rot6":
            make_jpeg_scan(path, orientation=6, label=filename)
        elif kind == "jpeg-land":
            make_jpeg_scan(path, (1754, 1240), label=filename)
        elif kind == "png":
            make_png_scan(path)
        elif kind == "png-alpha":
            make_png_scan(path, alpha=True)
        elif kind == "tiff2":
            make_tiff_scan(path)
        elif kind == "pdf-letter":
            make_pdf_evidence(path)
        elif kind == "pdf-a3-land":
            make_pdf_evidence(path, 1, (1190.55, 841.89))
        elif kind == "pdf-encrypted":
            make_pdf_evidence(path, 1, encrypt=True)
        else:
            raise ValueError(kind)
    return folder


def nominee_for(edition: Path, candidate: Candidate, findings: tuple[Finding, ...] = ()) -> FakeNominee:
    """The checked-nominee stand-in for a candidate whose folder exists."""
    materials = scan_materials(edition, candidate.code)
    return FakeNominee(candidate, materials, findings, materials.photo)


def context(edition: Path, *, jobs: int = 1) -> RunContext:
    """A quiet run context for the edition (set XN_OUTPUT first to keep output in tmp)."""
    return RunContext(load_edition(edition), quiet=True, jobs=jobs)


def error_finding(candidate: Candidate, code: str = "ID_CHECKSUM") -> Finding:
    """An error finding about a candidate."""
    return Finding(code, Severity.error, "错误", "修正", candidate.code, candidate.name)


STANDARD_EVIDENCE: tuple[tuple[str, str, str], ...] = (
    ("资格证书", "2019.06-高级技师职业资格证书.jpg", "jpeg"),
    ("成果证书", "2023.05-液压系统改造技术成果.pdf", "pdf-letter"),
    ("奖励证书", "2022.05-地区职业技能大赛一等奖.jpg", "jpeg-rot6"),
    ("荣誉证书", "2019.06-龙江技术能手.jpg", "jpeg-land"),
    ("其他", "2024.03-徒弟名单.png", "png"),
)
"""One file per category plus odd kinds: the packet most tests look at."""


def utc(year: int, month: int, day: int) -> dt.datetime:
    """A UTC datetime."""
    return dt.datetime(year, month, day, tzinfo=dt.UTC)


def png_bytes(img: Image.Image) -> bytes:
    """Pillow image → PNG bytes."""
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


# ---- the stress nominee (issue 10 §2): the worst realistic fields ---------------------------

STRESS_RESUME = "\n".join(
    f"{1985 + i // 3}.{i % 12 + 1:02d}—{1985 + (i + 1) // 3}.{(i + 1) % 12 + 1:02d} "
    f"大兴安岭林业集团公司加格达奇林业局机修厂第{i:02d}车间 钳工" for i in range(1, 61))
"""A 60-line 个人简历."""
STRESS_UNIT = "大兴安岭林业集团公司加格达奇林业局机修厂液压设备维修车间 党支部书记兼车间主任"
"""A 40-character 工作单位及职务 (the post after a space)."""
STRESS_RECOMMENDER = "大兴安岭地区加格达奇区人力资源和社会保障局"
STRESS_EVIDENCE: tuple[tuple[str, str, str], ...] = (
    ("资格证书", "2019.06-高级技师（技师）职业资格证书.jpg", "jpeg"),
    ("荣誉证书", "2019.06-龙江技术能手（横版）.jpg", "jpeg-land"),
    ("荣誉证书", "2020.06-地区劳动模范（横版）.jpg", "jpeg-land"),
    ("其他", "2023.08-A3横版图纸.pdf", "pdf-a3-land"),
)
"""Full-width punctuation in file names; landscape scans on an odd and an even page."""
STRESS_DEEDS_EXTRA: tuple[str, ...] = (
    "一、立足岗位，精益求精",
    "（一）刻苦钻研技术。他把每一次设备故障都当作学习的机会。",
    DEEDS_PARAGRAPH,
)
"""GB/T 9704 headings in the 先进事迹材料: 一级 (黑体) and 二级 (楷体, running on into its text)."""


def stress_candidate(code: str = "S001", name: str = "阿依古丽·买买提", row: int = 2,
                     **overrides: object) -> Candidate:
    """A nominee with a long name, 籍贯 内蒙古自治区呼伦贝尔市, a 40-character unit and a 60-line 简历."""
    fields: dict[str, object] = dict(
        native_place="内蒙古自治区呼伦贝尔市", ethnicity="鄂温克族", education="大学本科",
        professional_title="高级工程师", unit_and_post=STRESS_UNIT, recommender=STRESS_RECOMMENDER,
        resume=STRESS_RESUME)
    fields.update(overrides)
    return make_candidate(code, name, row, **fields)


def add_stress_nominee(edition: Path, candidate: Candidate,
                       evidence: Sequence[tuple[str, str, str]] = STRESS_EVIDENCE) -> Path:
    """The stress nominee's folder: photo, deeds with headings, the stress evidence."""
    folder = add_nominee(edition, candidate, evidence=evidence, deeds_paragraphs=9)
    make_deeds(folder / "先进事迹.txt", 9, title=f"{candidate.name}同志先进事迹材料", extra=STRESS_DEEDS_EXTRA)
    return folder


def write_simple_nominees(edition: Path, rows: Sequence[dict[str, object]]) -> None:
    """roster.csv of these rows, and for each a photo, the test deeds and one 资格证书 scan."""
    from tests.photo_fixtures import make_id_photo, save_jpeg
    from tests.roster_fixtures import write_csv
    from tests.test_checks import DEEDS

    write_csv(edition / "roster.csv", list(rows))
    photo = make_id_photo()
    for r in rows:
        folder = edition / "candidates" / str(r["编号"])
        folder.mkdir(parents=True)
        save_jpeg(photo, folder / "照片.jpg")
        (folder / "先进事迹.txt").write_text(DEEDS, encoding="utf-8")
        make_jpeg_scan(folder / "evidence" / "资格证书" / "2019.06-高级技师证书.jpg")
