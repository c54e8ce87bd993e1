"""The editable 申报审批表 (DOCX): filled fields, hostile text, fonts, the photo — and how
LibreOffice renders it (the office opens it in Word or WPS; LibreOffice stands in here).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.packets.form import OPINIONS
from pipeline.stages.packets import PacketInfo, run_packets
from tests.packet_fixtures import FakeCheck, add_nominee, make_candidate, nominee_for, write_edition

HOSTILE = "{{ 7*7 }}<script>alert(1)</script>A&B"
EMU_PER_MM = 36000


@pytest.fixture(scope="module")
def packet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PacketInfo]:
    """One nominee with hostile text in the roster row."""
    root = tmp_path_factory.mktemp("docx")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(root / "output"))
        edition = write_edition(root)
        c = make_candidate("F001", "陈表", unit_and_post=f"{HOSTILE} 车间", resume=f"2001.01 {HOSTILE}\n2005.05 第二行",
                           summary="事迹 & <b>要点</b> {% raw %}")
        add_nominee(edition, c, evidence=(("资格证书", "2019.06-证书.jpg", "jpeg"),), deeds_paragraphs=3)
        result = run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), FakeCheck((nominee_for(edition, c),)))
        assert not result.failures
        yield result.built[0]


def docx_text(path: Path) -> str:
    """All paragraph text of a DOCX, tables included."""
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_fields_and_hostile_text_are_filled_in_literally(packet: PacketInfo) -> None:
    text = docx_text(packet.docx)
    for value in ("陈表", "男", "1978.05", "黑龙江省呼玛县", "汉族", "中共党员", "大专", "1998.07", "工程师",
                  "高级技师（钳工）", "232721197805120019", "13904570123", "第二行"):
        assert value in text, value
    assert HOSTILE in text
    assert "事迹 & <b>要点</b> {% raw %}" in text
    assert "49" not in text
    for title, _ in OPINIONS:
        assert title in text


def test_template_tags_are_all_consumed(packet: PacketInfo) -> None:
    with zipfile.ZipFile(packet.docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "{%p" not in xml and "{{ name" not in xml and "resume_lines" not in xml
    assert "&lt;script&gt;" in xml  # escaped once, not cut at '<'


def test_east_asian_fonts_are_set_on_every_run(packet: PacketInfo) -> None:
    with zipfile.ZipFile(packet.docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体"} <= set(re.findall(r'w:eastAsia="([^"]+)"', xml))
    runs = re.findall(r"<w:r>.*?</w:r>", xml, flags=re.DOTALL)
    with_text = [r for r in runs if re.search(r"<w:t[ >][^<]+</w:t>", r)]
    assert with_text and all('w:eastAsia="' in r for r in with_text)


def test_photo_is_an_inline_image_of_35_by_49_mm(packet: PacketInfo) -> None:
    with zipfile.ZipFile(packet.docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 1
    [(cx, cy)] = re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', xml)
    assert int(cx) == 35 * EMU_PER_MM and int(cy) == 49 * EMU_PER_MM


def test_template_is_reproducible_from_its_script(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_form_template", PROJECT_ROOT / "tools" / "make_form_template.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == (PROJECT_ROOT / "templates" / "packet" / "申报审批表.docx").read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_name_opinion_boxes_and_photo(packet: PacketInfo, tmp_path: Path) -> None:
    source = tmp_path / "form.docx"
    shutil.copy(packet.docx, source)
    profile = tmp_path / "lo-profile"
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120)
    pdf = tmp_path / "form.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "陈表" in flat
    for title, _ in OPINIONS:
        assert re.sub(r"\s+", "", title) in flat, title
    images = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in images.splitlines()[2:] if line.strip()]
    assert [(r[3], r[4]) for r in rows] == [("413", "579")]
