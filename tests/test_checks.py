"""Every non-photo rule (docs/codes.md) on one nominee at a time."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from pipeline.core.edition import Edition
from pipeline.core.model import Candidate, Severity, YearMonth
from pipeline.render.fonts import resolve_fonts
from pipeline.rules.checks import check_nominee, inspect_deeds, inspect_evidence, iter_checked_files
from pipeline.rules.materials import parse_evidence_name, scan_materials
from tests.conftest import make_id, replace

DEEDS = "我是一名电工。" * 300  # 2100 characters


def jpeg(size: tuple[int, int] = (200, 280)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (240, 240, 230)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def pdf(pages: int = 1, password: str = "") -> bytes:
    doc = pikepdf.new()
    for _ in range(pages):
        doc.add_blank_page(page_size=(595, 842))
    buffer = io.BytesIO()
    if password:
        doc.save(buffer, encryption=pikepdf.Encryption(owner=password, user=password))
    else:
        doc.save(buffer)
    return buffer.getvalue()


def nominee_folder(edition_dir: Path, c: Candidate, *, deeds: str | None = DEEDS,
                   evidence: dict[str, bytes] | None = None) -> Path:
    """candidates/<code>/ with deeds and evidence ({'资格证书/2020.01-电工证.jpg': bytes})."""
    folder = edition_dir / "candidates" / c.code
    folder.mkdir(parents=True)
    if deeds is not None:
        (folder / "先进事迹.txt").write_text("王建国同志先进事迹材料\n" + deeds, encoding="utf-8")
    if evidence is None:
        evidence = {"资格证书/2015.06-高级技师证书.jpg": jpeg()}
    for rel, data in evidence.items():
        path = folder / "evidence" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def run(edition: Edition, edition_dir: Path, c: Candidate) -> list[tuple[str, Severity]]:
    m = scan_materials(edition_dir, c.code)
    verdicts = {}
    for rel, path, kind in iter_checked_files(c, m):
        verdicts[rel] = inspect_deeds(path) if kind == "deeds" else inspect_evidence(path)
    findings = check_nominee(c, m, edition, resolve_fonts(edition.fonts), "roster.xlsx", verdicts)
    for f in findings:
        assert f.message and f.hint, f
        assert f.candidate_code == c.code and f.candidate_name == c.name
    return sorted((f.code, f.severity) for f in findings)


def codes(edition: Edition, edition_dir: Path, c: Candidate, **folder: object) -> list[str]:
    nominee_folder(edition_dir, c, **folder)  # type: ignore[arg-type]
    return [code for code, _ in run(edition, edition_dir, c)]


def test_clean_nominee_has_no_findings(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    assert codes(edition, tmp_edition, candidate) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"id_number": make_id()[:17]}, "ID_FORMAT"),
        ({"id_number": make_id()[:17] + ("1" if make_id()[17] != "1" else "2")}, "ID_CHECKSUM"),
        ({"birth": YearMonth(1981, 1)}, "ID_BIRTH_MISMATCH"),
        ({"gender": "女", "retirement_category": "女55"}, "ID_GENDER_MISMATCH"),
        ({"conditions": ()}, "CONDITION_NONE"),
        ({"exclusion": "受到刑事处罚"}, "EXCLUDED"),
        ({"summary": "好" * 301}, "SUMMARY_TOO_LONG"),
        ({"phone": "12345"}, "PHONE_FORMAT"),
        ({"name": "王\U0002B81D"}, "GLYPH_MISSING"),
        ({"unit_and_post": "塔河\U0002B81D林场"}, "GLYPH_MISSING"),
    ],
)
def test_each_rule(edition: Edition, tmp_edition: Path, candidate: Candidate, changes: dict[str, object],
                   code: str) -> None:
    assert codes(edition, tmp_edition, replace(candidate, **changes)) == [code]


def test_summary_of_exactly_300_characters_passes(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    assert codes(edition, tmp_edition, replace(candidate, summary="好" * 300)) == []


@pytest.mark.parametrize("phone", ["13904570001", "0457-2756328", "04572756328", "2756328", "0451-86661234-801",
                                   "+8613904570001", "+86 139 0457 0001", "16937476525", "(0457)2756328",
                                   "010-62345678"])
def test_good_phone_numbers(edition: Edition, tmp_edition: Path, candidate: Candidate, phone: str) -> None:
    assert codes(edition, tmp_edition, replace(candidate, phone=phone)) == []


@pytest.mark.parametrize("phone", [
    "0457-27563281",  # 0457 numbers have 7 digits (phonenumbers knows each area code's length)
    "0123-2756328",  # no such area code
    "0457-1756328",  # no local number starts with 0 or 1
    "400-123-4567",  # a company's hotline, not a person's phone
    "+85291234567",  # not a mainland number
    "13904570001-12",  # a mobile has no extension
])
def test_phone_numbers_phonenumbers_refuses(edition: Edition, tmp_edition: Path, candidate: Candidate,
                                            phone: str) -> None:
    c = replace(candidate, phone=phone)
    nominee_folder(tmp_edition, c)
    m = scan_materials(tmp_edition, c.code)
    verdicts = {rel: inspect_deeds(path) if kind == "deeds" else inspect_evidence(path)
                for rel, path, kind in iter_checked_files(c, m)}
    findings = check_nominee(c, m, edition, resolve_fonts(edition.fonts), "roster.xlsx", verdicts)
    assert [(f.code, f.severity, f.message) for f in findings] == [
        ("PHONE_FORMAT", Severity.warning, f"联系电话“{phone}”不像手机号码（11位）或固定电话（区号-号码）")]


# ---- retirement ---------------------------------------------------------------------------


def born(c: Candidate, yyyymmdd: str, male: bool, category: str | None = None) -> Candidate:
    return replace(c, birth=YearMonth(int(yyyymmdd[:4]), int(yyyymmdd[4:6])), gender="男" if male else "女",
                   id_number=make_id(yyyymmdd, male=male), retirement_category=category)


def test_man_too_close_to_retirement(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    # born 1967-06: 60 + 10 months → 2028-04, well within 3 years of 2027-03-19
    assert codes(edition, tmp_edition, born(candidate, "19670615", True)) == ["RETIREMENT_TOO_CLOSE"]


def test_exactly_three_years_is_enough(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    # man born 1969-02-19: original 2029-02, 49 months after 2025-01 → +13 months → retires 2030-03-19
    assert codes(edition, tmp_edition, born(candidate, "19690219", True)) == []
    other = replace(born(candidate, "19690220", True), code="T02")
    assert codes(edition, tmp_edition, other) == []
    earlier = replace(born(candidate, "19690218", True), code="T03")
    assert codes(edition, tmp_edition, earlier) == ["RETIREMENT_TOO_CLOSE"]


def test_woman_whose_verdict_depends_on_her_category(edition: Edition, tmp_edition: Path,
                                                     candidate: Candidate) -> None:
    woman = born(candidate, "19760510", False)
    assert codes(edition, tmp_edition, woman) == ["RETIREMENT_CATEGORY_NEEDED"]
    stated55 = replace(woman, code="T02", retirement_category="女55")
    assert codes(edition, tmp_edition, stated55) == []
    stated50 = replace(woman, code="T03", retirement_category="女50")
    assert codes(edition, tmp_edition, stated50) == ["RETIREMENT_TOO_CLOSE"]


def test_woman_with_the_same_verdict_either_way(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    assert codes(edition, tmp_edition, born(candidate, "19880301", False)) == []
    old = replace(born(candidate, "19700301", False), code="T02")
    assert codes(edition, tmp_edition, old) == ["RETIREMENT_TOO_CLOSE"]


# ---- deeds and materials ------------------------------------------------------------------


def test_deeds_missing(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    assert codes(edition, tmp_edition, candidate, deeds=None) == ["DEEDS_MISSING"]


def test_deeds_too_short_is_a_warning(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    nominee_folder(tmp_edition, candidate, deeds="短。" * 300)
    assert run(edition, tmp_edition, candidate) == [("DEEDS_LENGTH", Severity.warning)]


def test_deeds_as_docx(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    from docx import Document

    folder = nominee_folder(tmp_edition, candidate, deeds=None)
    doc = Document()
    doc.add_paragraph("王建国同志先进事迹材料")
    for _ in range(10):
        doc.add_paragraph("我是一名电工。" * 30)
    doc.save(str(folder / "先进事迹.docx"))
    assert run(edition, tmp_edition, candidate) == []


def test_broken_docx_deeds(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    folder = nominee_folder(tmp_edition, candidate, deeds=None)
    (folder / "先进事迹.docx").write_bytes(b"not a zip")
    assert run(edition, tmp_edition, candidate) == [("DEEDS_MISSING", Severity.error)]


def test_gb18030_txt_deeds(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    folder = nominee_folder(tmp_edition, candidate, deeds=None)
    (folder / "先进事迹.txt").write_bytes(DEEDS.encode("gb18030"))
    assert run(edition, tmp_edition, candidate) == []


def test_material_missing(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    assert codes(edition, tmp_edition, candidate, evidence={"荣誉证书/2024.01-先进个人.jpg": jpeg()}) == [
        "MATERIAL_MISSING"]


def test_self_nominee_needs_proof(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    self_nominee = replace(candidate, nomination="个人自荐")
    assert codes(edition, tmp_edition, self_nominee) == ["SELF_NOMINEE_PROOF_MISSING"]
    with_proof = replace(self_nominee, code="T02")
    evidence = {"资格证书/2015.06-技师证.jpg": jpeg(), "领先水平证明/2024.03-专家证明.pdf": pdf()}
    assert codes(edition, tmp_edition, with_proof, evidence=evidence) == []


def test_old_achievement_is_a_warning(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    evidence = {"资格证书/2005.06-技师证.jpg": jpeg(),  # old qualification: fine
                "荣誉证书/2019.05-先进个人.jpg": jpeg(),  # older than 4 years before 2027-03
                "奖励证书/2023.03-技能竞赛二等奖.jpg": jpeg(),  # 2023.03 is exactly 4 years: fine
                "成果证书/2023.02-技术革新.jpg": jpeg()}
    nominee_folder(tmp_edition, candidate, evidence=evidence)
    findings = run(edition, tmp_edition, candidate)
    assert findings == [("EVIDENCE_OLD", Severity.warning), ("EVIDENCE_OLD", Severity.warning)]


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("2024.01-证书.jpg", jpeg()[:400], "截断"),
        ("2024.01-证书.jpg", b"", "空"),
        ("2024.01-证书.pdf", jpeg(), "JPEG"),
        ("2024.01-证书.jpg", pdf(), "PDF"),
        ("2024.01-证书.pdf", pdf(password="secret"), "加密"),
        ("2024.01-证书.pdf", b"%PDF-1.7\n garbage", "损坏"),
        ("2024.01-证书.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "损坏"),
        ("2024.01-证书.tif", b"hello", "不是可识别"),
    ],
    # Fixed ids, not made from the bytes: the encrypted PDF differs in every process (random /ID and
    # salt), and pytest-xdist's workers must collect the same ids.
    ids=["truncated-jpeg", "empty", "jpeg-named-pdf", "pdf-named-jpg", "encrypted-pdf", "broken-pdf",
         "broken-png", "unknown-tif"],
)
def test_unreadable_evidence(edition: Edition, tmp_edition: Path, candidate: Candidate, name: str, data: bytes,
                             why: str) -> None:
    evidence = {"资格证书/2015.06-技师证.jpg": jpeg(), f"荣誉证书/{name}": data}
    nominee_folder(tmp_edition, candidate, evidence=evidence)
    m = scan_materials(tmp_edition, candidate.code)
    verdict = inspect_evidence(next(e.path for e in m.evidence if e.category == "荣誉证书"))
    assert why in verdict.problem
    assert [c for c, _ in run(edition, tmp_edition, candidate)] == ["EVIDENCE_UNREADABLE"]


def test_multi_page_pdf_and_tiff_are_fine(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf(pages=3))
    assert inspect_evidence(tmp_path / "a.pdf").pages == 3
    frames = [Image.new("L", (100, 140), 200), Image.new("L", (100, 140), 100)]
    frames[0].save(tmp_path / "b.tif", save_all=True, append_images=frames[1:])
    assert inspect_evidence(tmp_path / "b.tif").pages == 2


def test_misplaced_files_are_warned(edition: Edition, tmp_edition: Path, candidate: Candidate) -> None:
    evidence = {"资格证书/2015.06-技师证.jpg": jpeg(), "证书/2024.01-奖状.jpg": jpeg(),
                "荣誉证书/2024.01-奖状.docx": b"PK"}
    nominee_folder(tmp_edition, candidate, evidence=evidence)
    assert run(edition, tmp_edition, candidate) == [("MATERIAL_MISPLACED", Severity.warning)] * 2


def test_evidence_names() -> None:
    assert parse_evidence_name("2023.06-龙江技术能手") == (YearMonth(2023, 6), "龙江技术能手")
    assert parse_evidence_name("2023年6月 龙江技术能手") == (YearMonth(2023, 6), "龙江技术能手")
    assert parse_evidence_name("202306_龙江技术能手") == (YearMonth(2023, 6), "龙江技术能手")
    assert parse_evidence_name("龙江技术能手") == (None, "龙江技术能手")


def test_evidence_order_follows_the_notice(tmp_edition: Path, candidate: Candidate) -> None:
    evidence = {"其他/2024.01-a.jpg": jpeg(), "荣誉证书/2024.02-b.jpg": jpeg(), "资格证书/2015.06-c.jpg": jpeg(),
                "领先水平证明/2024.03-d.pdf": pdf(), "成果证书/2023.06-e.jpg": jpeg(), "奖励证书/2024.01-f.jpg": jpeg()}
    nominee_folder(tmp_edition, candidate, evidence=evidence)
    m = scan_materials(tmp_edition, candidate.code)
    assert [e.category for e in m.evidence] == ["资格证书", "成果证书", "奖励证书", "荣誉证书", "领先水平证明", "其他"]


def test_a_truncated_scan_is_refused_even_after_weasyprint_was_imported(tmp_path: Path) -> None:
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process on import; `make all`
    imports it (the 公告) before the check, which then let a truncated certificate scan pass."""
    import io

    import weasyprint  # noqa: F401  (the import is the point)
    from PIL import Image, ImageFile

    from pipeline.rules.checks import _inspect_image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buffer, "JPEG")
    scan = tmp_path / "2024.05-荣誉证书.jpg"
    scan.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES
    assert _inspect_image(scan).problem == "文件不完整（被截断）"
