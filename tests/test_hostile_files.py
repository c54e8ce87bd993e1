"""Hostile nominee input (issue 11, points 1, 3 and 11): path traversal through 编号, links leading
outside the edition, and decompression bombs in DOCX, text and PDF files.

Every bomb is built small: the real limits are module constants of pipeline.core.filelimits, which
the tests lower; the check runs in-process (jobs=1) so the lowered limits apply.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from docx import Document

from pipeline.cli import main
from pipeline.core import filelimits
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.core.model import CheckResult, Nominee
from pipeline.core.safepath import CODE_HINT, UnsafePath, child, code_problem, inside, safe_name
from pipeline.rules.roster import read_roster
from pipeline.stages.check import run_check
from pipeline.stages.packets import run_packets
from tests.conftest import MISTAKES, make_id
from tests.photo_fixtures import make_id_photo, save_jpeg
from tests.roster_fixtures import row, write_csv
from tests.test_checks import DEEDS, jpeg

SECRET = "root:x:0:0:root:/root:/bin/bash"


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("photo") / "照片.jpg"
    return save_jpeg(make_id_photo(), path).read_bytes()


def add_files(folder: Path, photo: bytes, *, deeds: bool = True) -> Path:
    """A complete nominee folder: photo, deeds text, one 资格证书 scan."""
    (folder / "evidence" / "资格证书").mkdir(parents=True)
    (folder / "照片.jpg").write_bytes(photo)
    if deeds:
        (folder / "先进事迹.txt").write_text(DEEDS, encoding="utf-8")
    (folder / "evidence" / "资格证书" / "2015.06-高级技师证书.jpg").write_bytes(jpeg())
    return folder


def roster(edition: Path, *codes: str) -> None:
    write_csv(edition / "roster.csv",
              [row(编号=code, 姓名=f"甲{i}", 身份证号码=make_id(seq=f"{i + 10}")) for i, code in enumerate(codes)])


def check(edition: Path) -> CheckResult:
    return run_check(RunContext(load_edition(edition), quiet=True, jobs=1))


def by_code(result: CheckResult) -> dict[str, Nominee]:
    return {n.candidate.code: n for n in result.nominees}


def codes(nominee: Nominee) -> list[str]:
    return [f.code for f in nominee.findings]


# ---- 1. 编号 is a key, not a path ---------------------------------------------------------


@pytest.mark.parametrize("name", [
    "", ".", "..", "a/b", "/etc", "../x", "..\\x", "a\\b", "x\x00y", "x\ny", "C:x", " a", "a.",
    "CON", "con", "NUL.jpg", "aux.pdf", "COM1", "lpt9.png", "a" * 256, "名" * 90,
])
def test_child_refuses_every_name_that_is_not_one_plain_file_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafePath) as caught:
        child(tmp_path, name)
    assert caught.value.code == "CODE_FORMAT"
    assert "不能用作文件名" in caught.value.message and caught.value.hint == CODE_HINT


@pytest.mark.parametrize("name", ["001.jpg", "M01-张三-申报材料.pdf", "a" * 255, "CONSOLE.txt", "名" * 85])
def test_child_joins_plain_names_inside_the_folder(tmp_path: Path, name: str) -> None:
    assert child(tmp_path, name) == tmp_path / name
    assert child(tmp_path, name).parent == tmp_path


@pytest.mark.parametrize("value", ["..", "../../x/PWN", "a/b\\c", "\x00", "", " . ", "CON", "nul", "名" * 200,
                                   "C:\\Windows", "王建国\x7f"])
def test_safe_name_always_makes_a_name_child_accepts(tmp_path: Path, value: str) -> None:
    for suffix in ("", ".pdf", "-申报材料.pdf"):
        assert child(tmp_path, safe_name(value) + suffix).parent == tmp_path


@pytest.mark.parametrize(("code", "why"), [
    ("../../x/PWN", "含有路径分隔符“/”"), ("a/b", "含有路径分隔符“/”"), ("a\\b", "含有路径分隔符“\\”"),
    (".", "不是文件名"), ("..", "不是文件名"), ("x\x00y", "含有控制字符"), ("CON", "Windows 保留的设备名"),
    ("nul", "Windows 保留的设备名"), ("COM1", "Windows 保留的设备名"), ("A" * 33, "超过32个字符（实为33个）"),
    ("0 1", "含有不允许的字符“ ”"), ("A.01", "含有不允许的字符“.”"), ("-01", "不以字母、数字或汉字开头"),
    ("1" * 300, "超过32个字符"),
])
def test_code_problem_names_what_is_wrong_with_a_code(code: str, why: str) -> None:
    problem = code_problem(code)
    assert problem is not None
    message, hint = problem
    assert message.startswith("编号“") and why in message
    assert hint == CODE_HINT and "字母、数字、汉字" in hint


def deliberate(code: str) -> set[str]:
    """编号s of the mistakes edition whose one mistake is `code` (expected.json)."""
    expected: dict[str, list[str]] = json.loads((MISTAKES / "expected.json").read_text(encoding="utf-8"))
    return {nominee for nominee, codes in expected.items() if code in codes}


def test_every_code_of_the_shipped_editions_and_usual_shapes_is_accepted() -> None:
    shipped = [c.code for folder in (PROJECT_ROOT / "input").glob("**/edition.toml")
               for c in read_roster(folder.parent).candidates if c.code not in deliberate("CODE_FORMAT")]
    assert len(shipped) > 40
    for code in [*shipped, "TH-2027_01", "兴安01", "𫠝1", "A" * 32]:
        assert code_problem(code) is None, code


def test_traversal_codes_are_refused_and_nothing_is_read_or_written_outside(
        tmp_path: Path, tmp_edition: Path, photo: bytes) -> None:
    roster(tmp_edition, "A01", "../../x/PWN", "a/b")
    add_files(tmp_edition / "candidates" / "A01", photo)
    outside = add_files(tmp_path / "x" / "PWN", photo)  # where candidates/../../x/PWN leads
    (outside / "先进事迹.txt").write_text(SECRET + "\n" + DEEDS, encoding="utf-8")
    add_files(tmp_edition / "candidates" / "a" / "b", photo)
    before = sorted(p for p in tmp_path.rglob("*") if "output" not in p.relative_to(tmp_path).parts)

    assert main(["--edition", str(tmp_edition), "-q", "-j", "1", "check"]) == 1

    after = sorted(p for p in tmp_path.rglob("*") if "output" not in p.relative_to(tmp_path).parts)
    assert after == before, "nothing may be written outside output/"
    output = tmp_path / "output"
    assert not [p for p in output.rglob("*") if p.stem in ("PWN", "b")], "no file named after a bad 编号"
    report = json.loads((output / tmp_edition.name / "check" / "report.json").read_text(encoding="utf-8"))
    nominees = {n["编号"]: n for n in report["nominees"]}
    assert nominees["A01"]["status"] == "ok" and nominees["A01"]["photo"] == "photos/A01.jpg"
    for code in ("../../x/PWN", "a/b"):
        assert nominees[code]["status"] == "error" and nominees[code]["photo"] is None
        assert [f["code"] for f in nominees[code]["findings"]] == ["CODE_FORMAT"]
        finding = nominees[code]["findings"][0]
        assert finding["field"] == "编号" and finding["file"] == "roster.csv" and "路径分隔符" in finding["message"]
    assert SECRET not in "".join(p.read_text(errors="ignore") for p in output.rglob("*") if p.is_file())


def test_packets_skip_a_nominee_with_a_bad_code(tmp_edition: Path, photo: bytes) -> None:
    roster(tmp_edition, "../../x/PWN")
    ctx = RunContext(load_edition(tmp_edition), quiet=True, jobs=1)
    result = run_packets(ctx, run_check(ctx))
    assert [(s.code, s.errors) for s in result.skipped] == [("../../x/PWN", ("CODE_FORMAT",))]
    assert not result.packets and result.exit_code == 1


# ---- 3. links that leave the edition -------------------------------------------------------


def test_links_leading_outside_the_edition_are_refused(tmp_path: Path, tmp_edition: Path, photo: bytes) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET + "\n" + DEEDS, encoding="utf-8")
    outside_scan = tmp_path / "scan.jpg"
    outside_scan.write_bytes(jpeg())
    outside_photo = tmp_path / "photo.jpg"
    outside_photo.write_bytes(photo)
    roster(tmp_edition, "L01", "L02", "L03", "L04", "L05")
    cand = tmp_edition / "candidates"
    add_files(cand / "L01", photo, deeds=False)
    (cand / "L01" / "先进事迹.txt").symlink_to(secret)
    add_files(cand / "L02", photo)
    (cand / "L02" / "evidence" / "荣誉证书").mkdir()
    (cand / "L02" / "evidence" / "荣誉证书" / "2024.05-荣誉证书.jpg").symlink_to(outside_scan)
    (cand / "L03").mkdir()
    add_files(tmp_path / "elsewhere", photo)
    (cand / "L03").rmdir()
    (cand / "L03").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    add_files(cand / "L04", photo)
    (cand / "L04" / "照片.jpg").unlink()
    (cand / "L04" / "照片.jpg").symlink_to(outside_photo)
    # links that stay inside the edition are fine
    shared = tmp_edition / "shared"
    shared.mkdir()
    (shared / "事迹.txt").write_text(DEEDS, encoding="utf-8")
    add_files(cand / "L05", photo, deeds=False)
    (cand / "L05" / "先进事迹.txt").symlink_to(Path("../../shared/事迹.txt"))

    result = by_code(check(tmp_edition))

    l01 = result["L01"]
    assert codes(l01) == ["FILE_OUTSIDE_EDITION"], "no DEEDS_MISSING on top"
    finding = l01.findings[0]
    assert finding.file == "candidates/L01/先进事迹.txt" and str(secret) in finding.message
    assert "链接" in finding.message and "复制" in finding.hint
    assert l01.materials.deeds is None
    assert codes(result["L02"]) == ["FILE_OUTSIDE_EDITION"]
    assert result["L02"].findings[0].file == "candidates/L02/evidence/荣誉证书/2024.05-荣誉证书.jpg"
    assert [e.category for e in result["L02"].materials.evidence] == ["资格证书"]
    assert codes(result["L03"]) == ["FILE_OUTSIDE_EDITION"], "the folder once, nothing 'missing'"
    assert result["L03"].findings[0].file == "candidates/L03/"
    assert codes(result["L04"]) == ["FILE_OUTSIDE_EDITION"], "no PHOTO_MISSING on top"
    assert result["L04"].photo is None
    assert result["L05"].ok and result["L05"].findings == ()

    output = tmp_edition.parent / "output"
    assert SECRET not in "".join(p.read_text(errors="ignore") for p in output.rglob("*") if p.is_file())


def test_packets_never_bind_a_file_check_refused(tmp_path: Path, tmp_edition: Path, photo: bytes,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET + "\n" + DEEDS, encoding="utf-8")
    roster(tmp_edition, "L01", "B01")
    add_files(tmp_edition / "candidates" / "L01", photo, deeds=False)
    (tmp_edition / "candidates" / "L01" / "先进事迹.txt").symlink_to(secret)
    bomb = add_files(tmp_edition / "candidates" / "B01", photo)
    (bomb / "evidence" / "资格证书" / "2015.06-证书.pdf").write_bytes(pdf_with_content(b" " * (3 * filelimits.MB)))
    monkeypatch.setattr(filelimits, "MAX_PDF_STREAM_BYTES", filelimits.MB)

    ctx = RunContext(load_edition(tmp_edition), quiet=True, jobs=1)
    result = run_packets(ctx, run_check(ctx))
    assert [(s.code, s.errors) for s in result.skipped] == [("L01", ("FILE_OUTSIDE_EDITION",)),
                                                            ("B01", ("FILE_TOO_LARGE",))]
    assert not result.packets and not list((ctx.output / "packets").rglob("*.pdf"))


def test_inside_resolves_links_and_loops(tmp_path: Path) -> None:
    root = tmp_path / "ed"
    root.mkdir()
    (root / "loop").symlink_to(root / "loop")
    (root / "up").symlink_to(tmp_path)
    assert inside(root, root / "a.txt") and not inside(root, root / "up" / "x")
    assert not inside(root, root / "loop") and not inside(root, root / ".." / "x")


# ---- 11. decompression bombs ------------------------------------------------------------------


def docx_bytes(text: str = DEEDS, extra: dict[str, bytes] | None = None) -> bytes:
    """A real Word file with the deeds text, plus extra parts."""
    doc = Document()
    doc.add_paragraph("王建国同志先进事迹材料")
    doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    if not extra:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


def with_declared_size(data: bytes, member: str, size: int) -> bytes:
    """The ZIP with `member`'s uncompressed size rewritten in its local and central headers."""
    raw = bytearray(data)
    name = member.encode()
    for magic, field in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := raw.find(magic, start)) >= 0:
            name_at = at + (30 if magic == b"PK\x03\x04" else 46)
            if raw[name_at:name_at + len(name)] == name:
                raw[at + field:at + field + 4] = struct.pack("<I", size)
            start = at + 4
    return bytes(raw)


def deeds_edition(edition: Path, photo: bytes, deeds_name: str, deeds: bytes) -> None:
    roster(edition, "D01")
    folder = add_files(edition / "candidates" / "D01", photo, deeds=False)
    (folder / deeds_name).write_bytes(deeds)


def test_a_sound_word_file_passes(tmp_edition: Path, photo: bytes) -> None:
    deeds_edition(tmp_edition, photo, "先进事迹.docx", docx_bytes())
    assert check(tmp_edition).nominees[0].findings == ()


def test_a_docx_part_with_a_bomb_ratio_is_refused_without_inflating_it(tmp_edition: Path, photo: bytes) -> None:
    deeds_edition(tmp_edition, photo, "先进事迹.docx",
                  docx_bytes(extra={"word/media/image9.bin": bytes(2 * filelimits.MB)}))
    (finding,) = check(tmp_edition).nominees[0].findings
    assert finding.code == "FILE_TOO_LARGE" and finding.file == "candidates/D01/先进事迹.docx"
    assert "word/media/image9.bin" in finding.message and "压缩比" in finding.message
    assert finding.candidate_code == "D01" and "重新保存" in finding.hint


def test_a_docx_declaring_a_huge_part_is_refused_from_its_directory(tmp_edition: Path, photo: bytes) -> None:
    data = with_declared_size(docx_bytes(), "word/document.xml", 0xFFFF_FFF0)
    deeds_edition(tmp_edition, photo, "先进事迹.docx", data)
    (finding,) = check(tmp_edition).nominees[0].findings
    assert finding.code == "FILE_TOO_LARGE" and "word/document.xml" in finding.message
    assert "4,096 MB" in finding.message


def test_a_docx_part_inflating_beyond_its_declared_size_is_refused(tmp_edition: Path, photo: bytes) -> None:
    data = with_declared_size(docx_bytes(extra={"word/media/x.bin": b"0123456789" * 50_000}), "word/media/x.bin", 100)
    deeds_edition(tmp_edition, photo, "先进事迹.docx", data)
    (finding,) = check(tmp_edition).nominees[0].findings
    assert finding.code == "FILE_TOO_LARGE" and "超过声明" in finding.message


def test_the_docx_total_and_part_limits(tmp_edition: Path, photo: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    deeds_edition(tmp_edition, photo, "先进事迹.docx", docx_bytes(extra={"word/media/a.bin": b"x" * 200_000}))
    monkeypatch.setattr(filelimits, "MAX_ZIP_MEMBER_BYTES", 100_000)
    (finding,) = check(tmp_edition).nominees[0].findings
    assert finding.code == "FILE_TOO_LARGE" and "上限" in finding.message


def test_a_huge_text_deeds_file_is_refused_unread(tmp_edition: Path, photo: bytes,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    deeds_edition(tmp_edition, photo, "先进事迹.txt", DEEDS.encode() * 20)
    monkeypatch.setattr(filelimits, "MAX_TEXT_BYTES", 100_000)
    monkeypatch.setattr("pipeline.rules.materials.read_deeds", lambda path: pytest.fail("the file must not be read"))
    (finding,) = check(tmp_edition).nominees[0].findings
    assert finding.code == "FILE_TOO_LARGE" and "文本文件" in finding.message


def pdf_with_content(content: bytes, pages: int = 1) -> bytes:
    """A PDF whose pages draw `content` (Flate-compressed: a few KB for megabytes of spaces)."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        stream = pikepdf.Stream(pdf, zlib.compress(content, 9))
        stream.Filter = pikepdf.Name.FlateDecode
        pdf.pages[-1].Contents = pdf.make_indirect(stream)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def evidence_edition(edition: Path, photo: bytes, data: bytes) -> str:
    roster(edition, "P01")
    folder = add_files(edition / "candidates" / "P01", photo)
    (folder / "evidence" / "资格证书" / "2016.06-技师证书.pdf").write_bytes(data)
    return "candidates/P01/evidence/资格证书/2016.06-技师证书.pdf"


def test_a_pdf_stream_inflating_beyond_the_limit_is_refused(tmp_edition: Path, photo: bytes,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    data = pdf_with_content(b" " * (3 * filelimits.MB))
    assert len(data) < 20_000
    rel = evidence_edition(tmp_edition, photo, data)
    monkeypatch.setattr(filelimits, "MAX_PDF_STREAM_BYTES", filelimits.MB)
    (finding,) = check(tmp_edition).nominees[0].findings
    assert finding.code == "FILE_TOO_LARGE" and finding.file == rel
    assert "解压后超过 1 MB" in finding.message and "压缩炸弹" in finding.message
    assert "技师证书" in finding.message and "重新扫描" in finding.hint


def test_a_pdf_with_too_many_pages_is_refused(tmp_edition: Path, photo: bytes,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    evidence_edition(tmp_edition, photo, pdf_with_content(b"0 0 m 10 10 l S", pages=4))
    monkeypatch.setattr(filelimits, "MAX_PDF_PAGES", 3)
    (finding,) = check(tmp_edition).nominees[0].findings
    assert finding.code == "FILE_TOO_LARGE" and "4 页" in finding.message and "3 页" in finding.message


def test_a_sound_pdf_passes(tmp_edition: Path, photo: bytes) -> None:
    evidence_edition(tmp_edition, photo, pdf_with_content(b"0 0 m 10 10 l S\n" * 1000, pages=2))
    assert check(tmp_edition).nominees[0].findings == ()


def test_decoded_size_counts_through_every_filter() -> None:
    limit = 10 * filelimits.MB
    deflated = zlib.compress(b"a" * 5000)
    assert filelimits.decoded_size(deflated, ["/FlateDecode"], limit) == 5000
    hex_then_flate = deflated.hex().encode() + b">"
    assert filelimits.decoded_size(hex_then_flate, ["/ASCIIHexDecode", "/FlateDecode"], limit) == 5000
    a85 = b"<~" + base64.a85encode(deflated) + b"~>"
    assert filelimits.decoded_size(a85, ["/ASCII85Decode", "/FlateDecode"], limit) == 5000
    # PDF 32000-1 §7.4.4.2: '-----A---B' LZW-encoded
    assert filelimits.decoded_size(bytes.fromhex("800B6050220C0C8501"), ["/LZWDecode"], limit) == 10
    run_length = bytes([2]) + b"abc" + bytes([254]) + b"x" + bytes([128])
    assert filelimits.decoded_size(run_length, ["/RunLengthDecode"], limit) == 6
    assert filelimits.decoded_size(b"\xff\xd8jpeg", ["/DCTDecode"], limit) == 6
    assert filelimits.decoded_size(b"x", ["/LZWDecode", "/FlateDecode"], limit) is None
    bomb = zlib.compress(bytes(50 * filelimits.MB))
    size = filelimits.decoded_size(bomb, ["/FlateDecode"], filelimits.MB)
    assert size is not None and filelimits.MB < size <= 2 * filelimits.MB, "stops right after the limit"


def test_no_file_of_the_shipped_editions_is_refused() -> None:
    bombs = {MISTAKES / "candidates" / code for code in deliberate("FILE_TOO_LARGE")}
    assert bombs
    for path in sorted((PROJECT_ROOT / "input").rglob("*.docx")):
        assert (filelimits.zip_problem(path) is None) != (path.parent in bombs), path
    for path in sorted((PROJECT_ROOT / "input").rglob("*.pdf")):
        try:
            pdf = pikepdf.open(path)
        except pikepdf.PdfError:
            continue  # the deliberately broken scan of the mistakes edition
        with pdf:
            assert filelimits.pdf_problem(pdf) is None, path
