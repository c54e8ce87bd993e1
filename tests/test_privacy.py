"""Privacy: no ID number, nominee phone or address in any public output; the scanner itself."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from pipeline.rules.privacy import scan_bytes, scan_file, scan_text, scan_tree
from tests.conftest import make_id
from tests.review_fixtures import Round, whole_round

ID = make_id("19800115")
ID_X = "11010519491231002X"
MOBILE = "13904571234"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Round:
    return whole_round(tmp_path_factory)


# ---- the scanner -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    f"身份证号码：{ID}", f"身份证{ID_X}号", ID_X.lower(), " ".join(ID), "２３２７００１９８００１１５１２１５",
    "110105491231002",                                    # old 15-digit number
    "12345619991399123X",                                 # impossible date, still 17 digits + X
    f"电话{MOBILE}", "139-0457-1234", "139 0457 1234", "+86 139 0457 1234", "+8613904571234",
    "１３９０４５７１２３４",
])
def test_finds_what_looks_like_an_id_or_mobile(text: str) -> None:
    assert scan_text(text), text


@pytest.mark.parametrize("text", [
    "联系电话：0457-2756328", "电话：2756328", "2027年5月10日至2027年5月14日", "20270510", "编号 001 序号 12",
    "XATN-2027-001", "大署人社联〔2027〕2号", "补贴 5000 元", "12345678901234567890123",   # too long for either
    "eyJhbGciOiJFZERTQSJ9.eyJuIjoiWEFUTi0yMDI3LTAwMSJ9.c2lnMTM5MDQ1NzEyMzRhYmM",   # a signed QR payload
    "https://rsj.dxal.example.cn/xatn/verify/#p=abc13904571234def",
])
def test_leaves_ordinary_numbers_alone(text: str) -> None:
    assert scan_text(text) == [], text


def test_known_values_catch_a_landline() -> None:
    assert scan_text("联系电话 0457 212 3456", known=["0457-2123456"]) == ["0457-2123456"]
    assert scan_text("联系电话 0457-2756328", known=["0457-2123456"]) == []


def test_each_number_is_reported_once() -> None:
    assert scan_text(f"{MOBILE} 又 {MOBILE} 及 139 0457 1234") == [MOBILE]


def _pdf(text: str) -> bytes:
    from weasyprint import HTML

    from pipeline.render.fonts import use_project_fonts

    use_project_fonts()
    return HTML(string=f'<p style="font-family: \'Noto Serif CJK SC\'">{text}</p>').write_pdf()  # type: ignore[no-any-return]


def _docx(text: str, where: str) -> bytes:
    doc = Document()
    if where == "footer":
        doc.sections[0].footer.paragraphs[0].text = text
    elif where == "table":
        doc.add_table(rows=1, cols=1).rows[0].cells[0].text = text
    else:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _xlsx(value: object) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["C7"] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_scan_file_reads_every_public_format(tmp_path: Path) -> None:
    samples = {
        "a.pdf": _pdf(f"联系电话：{MOBILE}"),
        "b.docx": _docx(f"身份证：{ID}", "body"),
        "c.docx": _docx(MOBILE, "footer"),
        "d.docx": _docx(ID_X, "table"),
        "e.xlsx": _xlsx(13904571234),                       # a phone typed as a number
        "f.xlsx": _xlsx(ID),
        "g.html": f'<p data-x="{MOBILE}">公示</p>'.encode(),  # hidden in an attribute
        "h.txt": f"{ID}\n".encode(),
        "i.json": json.dumps({"phone": MOBILE}).encode(),
    }
    for name, data in samples.items():
        (tmp_path / name).write_bytes(data)
        assert scan_file(tmp_path / name), name
    kit = io.BytesIO()
    with zipfile.ZipFile(kit, "w") as archive:
        archive.writestr("kit/article.html", f"<p>{MOBILE}</p>")
        archive.writestr("kit/page.docx", samples["b.docx"])
        archive.writestr("kit/caption.png", b"\x89PNG")
    hits = scan_bytes("kit.zip", kit.getvalue())
    assert hits == [f"kit/article.html: {MOBILE}", f"kit/page.docx: {ID}"]
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "ok.pdf").write_bytes(_pdf("联系电话：0457-2756328"))
    (clean / "ok.docx").write_bytes(_docx("2027年5月8日", "body"))
    assert scan_tree(clean) == {}
    assert set(scan_tree(tmp_path)) == {tmp_path / n for n in samples}


@pytest.mark.parametrize("page", [
    '<p title="&#49;3904571234">公示</p>',                 # a character reference inside an attribute
    "<p>139&#48;457&#x31;234</p>",                        # character references in the text
    "<p>139<b>0457</b><i>1234</i></p>",                   # digit groups split by tags
    "<!-- 13904571234 --><p>公示</p>",                     # a comment
])
def test_html_is_read_by_its_parser(page: str) -> None:
    assert scan_bytes("page.html", page.encode()) != [], page


def test_html_attributes_side_by_side_are_not_one_number() -> None:
    page = '<svg width="1440" height="1440" viewBox="0 0 720 1440"><rect x="13" y="904" width="5712"/></svg><p>公示</p>'
    assert scan_bytes("page.html", page.encode()) == []


def test_unknown_formats_are_refused(tmp_path: Path) -> None:
    (tmp_path / "x.odt").write_bytes(b"PK")
    with pytest.raises(ValueError, match="x.odt"):
        scan_file(tmp_path / "x.odt")


# ---- every public output of a round ----------------------------------------------------------

def test_no_id_or_phone_in_any_output_of_the_round(built: Round) -> None:
    """Extract the text of every file the review stages wrote (public and internal) and scan it."""
    known = [v for n in built.check.nominees for v in (n.candidate.id_number, n.candidate.phone)]
    assert len(known) == 88 and all(scan_text(v) for v in known), "the fixture has real-looking numbers"
    scanned = [p for p in built.output.rglob("*") if p.is_file() and p.suffix in {".pdf", ".docx", ".html", ".xlsx", ".json"}]
    public = {p.name for p in scanned if p.parent.name == "publicity"}
    assert {"公示.pdf", "公示.docx", "公示.html"} <= public
    assert len(scanned) >= 14
    assert scan_tree(built.output, known) == {}

