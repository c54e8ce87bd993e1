"""Evidence checks on what was read (issue 13 §2), with hand-built Readings: fast, no OCR engine."""

from __future__ import annotations

import io
from pathlib import Path

import img2pdf
import pikepdf
import pytest
from PIL import Image, ImageDraw

from pipeline.core.model import Candidate, Evidence, Materials, Severity, YearMonth
from pipeline.ocr import Line, Page, Reading
from pipeline.ocr import evidence_text as et
from tests.conftest import make_id, replace

SINCE = YearMonth(2022, 3)
JUNE_2022 = YearMonth(2022, 6)
ID = make_id()  # 232700198001151211-ish, the `candidate` fixture's


def reading(path: Path, *pages: list[str]) -> Reading:
    """A Reading whose pages hold the given lines, 60 px apart."""
    built = []
    for n, texts in enumerate(pages, 1):
        lines = tuple(Line(t, (100.0, 100.0 + 60 * i, 900.0, 140.0 + 60 * i), 0.95) for i, t in enumerate(texts))
        built.append(Page(n, 1240, 1754, 150, lines, "ocr"))
    return Reading(path, "0" * 64, tuple(built))


def evidence(category: str, name: str, date: YearMonth | None = JUNE_2022) -> Evidence:
    rel = f"candidates/T01/evidence/{category}/{name}"
    return Evidence(category, name.rsplit(".", 1)[0], date, Path("/ed") / rel, rel)


def run(c: Candidate, *pairs: tuple[Evidence, list[str]]) -> list:
    m = Materials(Path("/ed/candidates/T01"), None, None, tuple(e for e, _ in pairs))
    readings = {e.path: reading(e.path, lines) for e, lines in pairs}
    return et.check_readings(c, m, readings, SINCE)


def codes(findings: list) -> list[str]:
    return sorted(f.code for f in findings)


QUAL = ["职业技能等级证书", "姓名：王建国 身份证号：" + ID[:14] + "xxxx", "职业：电工 等级：高级技师",
        "发证日期：2022年06月15日"]


def test_clean_certificate_has_no_findings(candidate: Candidate) -> None:
    assert run(candidate, (evidence("资格证书", "2022.06-高级技师.jpg"), QUAL)) == []


def test_colleague_name_is_a_holder_mismatch_quoting_the_position(candidate: Candidate) -> None:
    lines = ["职业技能等级证书", "姓名：张三 身份证号：23270019800101xxxx", "职业：电工 等级：高级技师",
             "发证日期：2022年06月15日"]
    found = run(candidate, (evidence("资格证书", "2022.06-高级技师.jpg"), lines))
    assert codes(found) == ["EVIDENCE_HOLDER_MISMATCH"]
    f = found[0]
    assert f.severity is Severity.error and "张三" in f.message and "第1页 (100, 160)" in f.message
    assert "T01 王建国" in f.message and f.file.endswith("2022.06-高级技师.jpg") and f.hint
    assert f.data["page"] == 1 and f.data["box"] == [100.0, 160.0, 900.0, 200.0]


def test_ocr_noise_in_name_and_id_is_tolerated(candidate: Candidate) -> None:
    c = replace(candidate, name="王己明")
    noisy_id = ID[:3] + "O" + ID[4:10] + "l" + ID[11:]
    lines = ["荣誉证书", "授予 王已明 同志", f"身份证号 {noisy_id}", "二〇二二年六月"]
    assert run(c, (evidence("荣誉证书", "2022.06-先进个人.jpg"), lines)) == []


def test_other_id_number_is_a_mismatch(candidate: Candidate) -> None:
    other = make_id(birth="19750309", region="230100")
    found = run(candidate, (evidence("资格证书", "2022.06-证书.jpg"), ["职业资格证书", f"公民身份号码 {other}",
                                                                       "等级：高级技师"]))
    assert codes(found) == ["EVIDENCE_HOLDER_MISMATCH"]
    assert other not in found[0].message  # never print an ID number in full


def test_no_name_and_free_text_are_not_mismatches(candidate: Candidate) -> None:
    lines = ["荣誉证书", "对该同志在2022年度工作中的突出表现予以表彰", "大兴安岭地区人力资源和社会保障局",
             "塔河林业局工会委员会", "2022年6月"]
    assert run(candidate, (evidence("荣誉证书", "2022.06-表彰.jpg"), lines)) == []


def test_misdated_file_name(candidate: Candidate) -> None:
    lines = ["荣誉证书", "授予王建国同志“先进工作者”称号", "发证日期：2019.05"]
    found = run(candidate, (evidence("荣誉证书", "2024.05-先进工作者.jpg", YearMonth(2024, 5)), lines))
    assert codes(found) == ["EVIDENCE_DATE_MISMATCH"]
    assert "2019年5月" in found[0].message and "2024年5月" in found[0].message
    assert found[0].severity is Severity.warning


def test_birth_dates_and_validity_ranges_are_not_the_issue_date(candidate: Candidate) -> None:
    lines = ["职业资格证书", "姓名：王建国 出生日期：1980年01月", "有效期：2022年06月至2027年06月",
             "等级：高级技师", "2022年6月"]
    assert run(candidate, (evidence("资格证书", "2022.06-证书.jpg"), lines)) == []


def test_date_formats() -> None:
    for text, expected in [("二〇二四年五月", YearMonth(2024, 5)), ("2024年5月", YearMonth(2024, 5)),
                           ("2024.05", YearMonth(2024, 5)), ("2024-05-03", YearMonth(2024, 5)),
                           ("二O二一年十二月", YearMonth(2021, 12)), ("2O23年O6月15曰", YearMonth(2023, 6))]:
        found = et.issue_date(reading(Path("x.jpg"), ["荣誉证书", text]))
        assert found is not None and found[0] == expected, text


def test_date_read_when_file_name_has_none_and_old_draws_evidence_old(candidate: Candidate) -> None:
    lines = ["荣誉证书", "授予王建国同志", "二〇一九年五月"]
    found = run(candidate, (evidence("荣誉证书", "先进个人.jpg", None), lines))
    assert codes(found) == ["EVIDENCE_DATE_READ", "EVIDENCE_OLD"]
    info = next(f for f in found if f.code == "EVIDENCE_DATE_READ")
    assert info.severity is Severity.info and "2019年5月" in info.message
    recent = run(candidate, (evidence("荣誉证书", "先进个人.jpg", None), ["荣誉证书", "2023年5月"]))
    assert codes(recent) == ["EVIDENCE_DATE_READ"]


def test_qualification_filed_as_honour(candidate: Candidate) -> None:
    found = run(candidate, (evidence("荣誉证书", "2022.06-证书.jpg"), QUAL))
    assert codes(found) == ["EVIDENCE_KIND_MISMATCH"]
    assert "职业技能等级证书" in found[0].message and "资格证书" in found[0].hint


def test_honour_mentioning_a_grade_is_not_a_kind_mismatch(candidate: Candidate) -> None:
    lines = ["荣誉证书", "授予王建国同志“首席技师”荣誉称号", "2022年6月"]
    assert run(candidate, (evidence("荣誉证书", "2022.06-首席技师.jpg"), lines)) == []


def test_blank_page(candidate: Candidate) -> None:
    e = evidence("资格证书", "2022.06-证书.pdf")
    m = Materials(Path("/ed/candidates/T01"), None, None, (e,))
    r = reading(e.path, QUAL, [], ["·", "一"])
    found = et.check_readings(candidate, m, {e.path: r}, SINCE)
    assert codes(found) == ["EVIDENCE_NO_TEXT", "EVIDENCE_NO_TEXT"]
    assert "第2页" in found[0].message and found[1].data["page"] == 3


def test_grade_claimed_above_certificates(candidate: Candidate) -> None:
    lines = ["职业技能等级证书", "姓名：王建国", "职业：电工 等级：技师", "发证日期：2022年06月15日"]
    found = run(candidate, (evidence("资格证书", "2022.06-技师.jpg"), lines))
    assert codes(found) == ["EVIDENCE_GRADE_MISMATCH"]
    assert "高级技师" in found[0].message and "“技师”" in found[0].message
    assert run(replace(candidate, skill_level="技师"), (evidence("资格证书", "2022.06-技师.jpg"), lines)) == []


def test_name_distance() -> None:
    assert et.confusion_distance("王己明", "王已明") == 0
    assert not et.names_differ("王建", "王建国")  # a dropped character
    assert et.names_differ("张伟", "张三")
    assert et.names_differ("李四光", "王建国")


def _scan(path: Path, text_shift: int = 0) -> Path:
    image = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40 + text_shift, 40, 360, 80), fill="black")
    draw.ellipse((150, 120, 250, 220), outline="red", width=8)
    image.save(path, quality=70 if path.suffix == ".jpg" else None)
    return path


def test_duplicates_by_perceptual_hash(tmp_path: Path, candidate: Candidate) -> None:
    a = _scan(tmp_path / "a.png")
    b = tmp_path / "b.jpg"
    Image.open(a).convert("RGB").resize((380, 285)).save(b, quality=60)  # re-saved and rescaled
    other = tmp_path / "c.png"
    image = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(image).rectangle((200, 150, 380, 290), fill="black")
    image.save(other)
    c2 = replace(candidate, code="T02", name="李四")
    e1 = Evidence("荣誉证书", "a", None, a, "candidates/T01/evidence/荣誉证书/a.png")
    e2 = Evidence("荣誉证书", "b", None, b, "candidates/T02/evidence/荣誉证书/b.jpg")
    e3 = Evidence("荣誉证书", "c", None, other, "candidates/T02/evidence/荣誉证书/c.png")
    hashes = {e.rel: et.perceptual_hash(e.path) or "" for e in (e1, e2, e3)}
    found = et.find_duplicates([(candidate, e1), (c2, e2), (c2, e3)], hashes)
    assert sorted((f.candidate_code, f.code) for f in found) == [("T01", "EVIDENCE_DUPLICATE"),
                                                                 ("T02", "EVIDENCE_DUPLICATE")]
    t01 = next(f for f in found if f.candidate_code == "T01")
    assert "T02 李四" in t01.message and e2.rel in t01.message and t01.severity is Severity.error
    assert et.perceptual_hash(tmp_path / "x.pdf") is None  # missing
    (tmp_path / "y.pdf").write_bytes(b"%PDF-1.7\n not a pdf")
    assert et.perceptual_hash(tmp_path / "y.pdf") is None  # broken


def _scanned_pdf(path: Path, image: Image.Image, dpi: int, quality: int) -> Path:
    """A scan saved as PDF: one JPEG page (img2pdf, lossless wrapping of the JPEG)."""
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="JPEG", quality=quality, dpi=(dpi, dpi))
    path.write_bytes(img2pdf.convert(buf.getvalue()))
    return path


def test_a_scanned_pdf_filed_twice_is_a_duplicate(tmp_path: Path, candidate: Candidate) -> None:
    scan = Image.open(_scan(tmp_path / "scan.png")).resize((1200, 900))
    first = _scanned_pdf(tmp_path / "a.pdf", scan, 150, 90)
    # the same scan re-saved: rescaled, re-compressed, written by another program (pikepdf, object streams)
    resaved = _scanned_pdf(tmp_path / "tmp.pdf", scan.resize((900, 675)), 200, 55)
    with pikepdf.open(resaved) as pdf:
        pdf.save(tmp_path / "b.pdf", object_stream_mode=pikepdf.ObjectStreamMode.generate)
    second = tmp_path / "b.pdf"
    other = Image.new("RGB", (1200, 900), "white")
    ImageDraw.Draw(other).rectangle((600, 450, 1140, 870), fill="black")
    third = _scanned_pdf(tmp_path / "c.pdf", other, 150, 90)
    assert first.read_bytes() != second.read_bytes()
    c2 = replace(candidate, code="T02", name="李四")
    e1 = Evidence("荣誉证书", "a", None, first, "candidates/T01/evidence/荣誉证书/a.pdf")
    e2 = Evidence("荣誉证书", "b", None, second, "candidates/T02/evidence/荣誉证书/b.pdf")
    e3 = Evidence("荣誉证书", "c", None, third, "candidates/T02/evidence/荣誉证书/c.pdf")
    e4 = Evidence("荣誉证书", "d", None, tmp_path / "scan.png", "candidates/T02/evidence/荣誉证书/scan.png")
    hashes = {e.rel: et.perceptual_hash(e.path) for e in (e1, e2, e3, e4)}
    assert all(hashes.values())
    found = et.find_duplicates([(candidate, e1), (c2, e2), (c2, e3)], {k: v or "" for k, v in hashes.items()})
    assert sorted((f.candidate_code, f.code, f.file) for f in found) == [
        ("T01", "EVIDENCE_DUPLICATE", e1.rel), ("T02", "EVIDENCE_DUPLICATE", e2.rel)]
    assert e2.rel in next(f for f in found if f.candidate_code == "T01").message
    # the same scan filed once as an image and once as a PDF of it
    found = et.find_duplicates([(candidate, e1), (c2, e4)], {k: v or "" for k, v in hashes.items()})
    assert sorted(f.file for f in found) == [e1.rel, e4.rel]


def test_name_run_into_the_next_field(candidate: Candidate) -> None:
    lines = ["职业资格证书", "姓名王建国性别男", "等级：高级技师", "2022年6月"]
    assert run(candidate, (evidence("资格证书", "2022.06-证书.jpg"), lines)) == []
    found = run(candidate, (evidence("资格证书", "2022.06-证书.jpg"), ["姓名李四光性别男"]))
    assert codes(found) == ["EVIDENCE_HOLDER_MISMATCH"] and "李四光" in found[0].message


def test_label_inside_a_sentence_is_not_a_name(candidate: Candidate) -> None:
    lines = ["职业资格证书", "本证书是持证人具备相应职业技能水平的证明", "本证在全国范围内有效，持证人应按规定参加复审。",
             "等级：高级技师", "2022年6月"]
    assert run(candidate, (evidence("资格证书", "2022.06-证书.jpg"), lines)) == []


def test_same_form_different_text_is_not_a_duplicate(candidate: Candidate) -> None:
    e1 = Evidence("资格证书", "a", None, Path("/a.jpg"), "candidates/T01/evidence/资格证书/a.jpg")
    e2 = Evidence("资格证书", "b", None, Path("/b.jpg"), "candidates/T02/evidence/资格证书/b.jpg")
    c2 = replace(candidate, code="T02", name="李四")
    hashes = {e1.rel: "ff00ff00ff00ff00", e2.rel: "ff00ff00ff00ff01"}
    texts = {e1.rel: "职业资格证书 姓名：王建国 等级：高级技师", e2.rel: "职业资格证书 姓名：李四 等级：高级工"}
    assert et.find_duplicates([(candidate, e1), (c2, e2)], hashes, texts) == []
    texts[e1.rel] *= 3
    texts[e2.rel] = texts[e1.rel].replace("王建国", "王建固", 1)
    assert len(et.find_duplicates([(candidate, e1), (c2, e2)], hashes, texts)) == 2


def test_a_rare_character_printed_as_a_box_is_not_another_name(candidate: Candidate) -> None:
    c = replace(candidate, name="张\U0002B81D")
    lines = ["获奖证书", "张口同志：", "在2022年全区职业技能竞赛中荣获第一名。", "二〇二二年六月"]
    assert run(c, (evidence("奖励证书", "2022.06-获奖证书.jpg"), lines)) == []
    assert et.names_differ("李口", "张\U0002B81D")


def test_a_spaced_label_read_as_two_boxes_still_names_the_holder(candidate: Candidate) -> None:
    """“姓　　名：张三” read as “姓” and “名：张三” side by side on one row (M34's certificate): the row is
    joined and the colleague's name is found; lines on other rows are not joined to it."""
    path = Path("/ed/candidates/T01/evidence/资格证书/2022.06-高级技师.jpg")
    lines = (Line("职业技能等级证书", (300.0, 40.0, 900.0, 90.0), 0.99),
             Line("姓", (100.0, 160.0, 140.0, 200.0), 0.99),
             Line("名：张三", (220.0, 158.0, 420.0, 202.0), 0.98),
             Line("等级：高级技师", (100.0, 260.0, 500.0, 300.0), 0.99),
             Line("发证日期：2022年06月15日", (100.0, 320.0, 700.0, 360.0), 0.99))
    read = Reading(path, "0" * 64, (Page(1, 1240, 1754, 150, lines, "ocr"),))
    assert [(h.value, h.box) for h in et.read_names(read)] == [("张三", (100.0, 158.0, 420.0, 202.0))]
    m = Materials(Path("/ed/candidates/T01"), None, None, (evidence("资格证书", "2022.06-高级技师.jpg"),))
    found = et.check_readings(candidate, m, {path: read}, SINCE)
    assert codes(found) == ["EVIDENCE_HOLDER_MISMATCH"] and "张三" in found[0].message


@pytest.mark.parametrize("name", ["孟克吉日嘎拉", "阿依古丽·买买提"])
def test_a_long_or_dotted_name_is_read_whole_and_is_the_holder(candidate: Candidate, name: str) -> None:
    """The stress edition's names (six characters; a 维吾尔族 name with its ·): read whole from “姓名：…”, not
    cut to four characters and so taken for another person's (EVIDENCE_HOLDER_MISMATCH in make demo)."""
    nominee = replace(candidate, name=name)
    e = evidence("资格证书", "2022.06-职业技能等级证书（技师）.jpg")
    assert [h.value for h in et.read_names(reading(e.path, [f"姓名：{name}"]))] == [name]
    assert "EVIDENCE_HOLDER_MISMATCH" not in codes(run(nominee, (e, [f"姓名：{name}", "发证日期：2022年06月15日"])))
    assert "EVIDENCE_HOLDER_MISMATCH" in codes(run(nominee, (e, ["姓名：王建国", "发证日期：2022年06月15日"])))
    assert not et.names_differ("王立峰汉族", "王立峰")  # a field read on past the name
