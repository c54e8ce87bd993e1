"""The font bytes cache (pipeline.render.fontpack.install_font_cache): WeasyPrint maps each font file once
per process, every Font gets the very bytes HarfBuzz holds, only the pages it uses come into memory, the
PDFs do not change, and another WeasyPrint version is left alone."""

from __future__ import annotations

import logging
import mmap
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.render import fontpack
from pipeline.render.fonts import use_project_fonts
from pipeline.render.weasy import weasyprint_errors

HTML = ('<p style="font-family: \'Noto Serif CJK SC\'">兴安技术能手公示</p>'
        '<p style="font-family: \'Noto Serif CJK SC\'; font-weight: bold">拟表彰人选</p>'
        '<p style="font-family: \'Noto Sans CJK SC\'; font-weight: bold">大兴安岭地区</p>')


def _write(html: str = HTML) -> bytes:
    from weasyprint import HTML as Html

    use_project_fonts()
    with weasyprint_errors("测试文档"):
        return bytes(Html(string=html).write_pdf())


def _fonts_seen(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every WeasyPrint Font that is cleaned (subset) from now on, with its bytes before subsetting."""
    from weasyprint.pdf import fonts as weasyprint_fonts

    seen: list[Any] = []
    original = weasyprint_fonts.Font.clean

    def clean(self: Any, *args: Any) -> None:
        seen.append((self, self.file_content))
        original(self, *args)

    monkeypatch.setattr(weasyprint_fonts.Font, "clean", clean)
    return seen


def test_each_font_file_is_read_once_and_every_font_gets_its_exact_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.pdf import fonts as weasyprint_fonts

    cache = fontpack.FontBytes()
    monkeypatch.setattr(fontpack, "FONT_BYTES", cache)
    seen = _fonts_seen(monkeypatch)
    first = _write()
    assert fontpack.install_font_cache()
    files = {key[0] for key in cache.faces}
    assert len(seen) == 3 and len(files) == 3, files  # Serif regular, Serif bold, Sans bold
    reads = cache.reads
    assert reads == 3 and cache.copies == 0  # mapped, not copied
    original_read = weasyprint_fonts.get_hb_object_data.xn_original
    for font, data in seen:
        assert isinstance(data, mmap.mmap)
        assert data[:] == original_read(font.hb_face)  # the bytes HarfBuzz holds, byte for byte
        assert any(data is cached for cached in cache.faces.values())
    seen.clear()
    second = _write()
    third = _write()
    assert cache.reads == reads  # the later documents read no font file
    assert len(seen) == 6
    assert second == third == first  # the same PDF, byte for byte
    for _, data in seen:
        assert any(data is cached for cached in cache.faces.values())


def test_faces_of_one_collection_share_one_copy() -> None:
    cache = fontpack.FontBytes()
    data = bytes(range(256)) * 4
    a = cache.get(("/f.ttc", 1024, 1, 0), lambda: bytes(bytearray(data)))
    b = cache.get(("/f.ttc", 1024, 1, 2), lambda: bytes(bytearray(data)))
    c = cache.get(("/g.ttc", 1024, 1, 0), lambda: bytes(bytearray(data)))
    assert a is b and a is not c and cache.reads == 3
    assert cache.get(("/f.ttc", 1024, 1, 2), lambda: pytest.fail("read again")) is a
    changed = cache.get(("/f.ttc", 1024, 2, 0), lambda: bytes(bytearray(data)))  # the file was replaced: read again
    assert changed is not a and cache.reads == 4


def test_a_file_that_is_not_harfbuzz_s_font_is_copied(tmp_path: Path) -> None:
    font = tmp_path / "f.ttf"
    font.write_bytes(bytes(range(256)) * 4)
    key = (str(font), 1024, font.stat().st_mtime_ns, 0)
    cache = fontpack.FontBytes()
    copy = bytes(reversed(range(256))) * 4
    got = cache.get(key, lambda: copy, lambda data: data[:] == copy)
    assert got is copy and cache.copies == 1 and cache.reads == 1
    mapped = fontpack.FontBytes().get(key, lambda: pytest.fail("copied"), lambda data: data[:4] == bytes(range(4)))
    assert isinstance(mapped, mmap.mmap) and mapped[:] == font.read_bytes()


MEMORY_PROBE = """
import re, sys
from weasyprint import HTML
from pipeline.render.fonts import use_project_fonts
from pipeline.render.weasy import weasyprint_errors
use_project_fonts()
with weasyprint_errors("测试文档"):
    for _ in range(2):
        HTML(string=sys.argv[1]).write_pdf()
held, name = {}, None
for line in open("/proc/self/smaps"):
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        parts = line.split(None, 5)
        name = parts[5].strip() if len(parts) > 5 else ""
    elif line.startswith("Rss:") and name.endswith((".ttc", ".otf", ".ttf")):
        held[name] = held.get(name, 0) + int(line.split()[1]) * 1024
print(max(held.values()) if held else 0, max(held, key=held.get) if held else "")
"""


def test_only_the_pages_a_document_uses_come_into_memory() -> None:
    """A font file is not read whole (19–27 MB per Noto CJK file, once by the copy and once more in
    HarfBuzz's own mapping, as before the mapping): the process holds a fraction of the largest one."""
    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, HTML], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    held, name = out.stdout.split(maxsplit=1)
    size = Path(name.strip()).stat().st_size
    assert int(held) < size / 2, (int(held), size, name)


def test_another_weasyprint_version_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint
    from weasyprint.pdf import fonts as weasyprint_fonts

    fontpack.install_font_cache()
    init = weasyprint_fonts.Font.__init__
    monkeypatch.setattr(weasyprint_fonts.Font, "__init__", init.xn_original)
    monkeypatch.setattr(weasyprint_fonts, "get_hb_object_data", weasyprint_fonts.get_hb_object_data.xn_original)
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    cache = fontpack.FontBytes()
    monkeypatch.setattr(fontpack, "FONT_BYTES", cache)
    assert not fontpack.install_font_cache()
    assert weasyprint_fonts.Font.__init__ is init.xn_original
    _write()
    assert weasyprint_fonts.Font.__init__ is init.xn_original and cache.reads == 0 and not cache.faces


def test_the_pinned_version_is_the_one_in_pyproject() -> None:
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"weasyprint=={fontpack.WEASYPRINT_VERSION}"' in text


def test_a_face_dated_before_1970_is_read_without_an_english_warning(tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    """AR PL UKai (the 楷体 stand-in) dates its 'head' table 0; fontTools warned on every quiet run."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    from pipeline.render.fonts import font_tables

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "a"])
    builder.setupCharacterMap({ord("a"): "a"})
    builder.setupGlyf({name: TTGlyphPen(None).glyph() for name in (".notdef", "a")})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "a": (600, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Old", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.setupHead(created=0, modified=0)
    file = tmp_path / "old.ttf"
    builder.save(str(file))
    caplog.set_level(logging.INFO)
    with font_tables(file) as font:
        assert font["head"].unitsPerEm == 1000
        assert font["hmtx"]["a"][0] == 600
    assert [r.getMessage() for r in caplog.records] == []


def test_a_face_s_metrics_are_read_from_the_cache_and_a_damaged_cache_is_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each packets worker and the print list measure text in the same CJK faces: the advances are
    decoded once per machine, then read from ~/.cache/xingan-nengshou/metrics."""
    from pipeline.render import fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    file = Path(subprocess.run(["fc-match", "--format", "%{file}", "Noto Serif CJK SC:lang=zh-cn"],
                               capture_output=True, text=True, check=True).stdout)
    fonts.face_metrics.cache_clear()
    try:
        first = fonts.face_metrics(file, 2)
        assert first.advances[ord("兴")] == first.units_per_em == 1000 and first.win is not None
        (cached,) = (tmp_path / "xingan-nengshou" / "metrics").iterdir()
        fonts.face_metrics.cache_clear()
        with monkeypatch.context() as patch:
            patch.setattr(fonts, "font_tables", lambda *_: pytest.fail("the font file was decoded again"))
            assert fonts.face_metrics(file, 2) == first
        cached.write_bytes(b"\x00damaged")
        fonts.face_metrics.cache_clear()
        assert fonts.face_metrics(file, 2) == first
        assert cached.stat().st_size > 100_000
    finally:
        fonts.face_metrics.cache_clear()
