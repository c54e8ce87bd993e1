"""Compact the CJK fonts in a packet or a print file, keeping every glyph a page draws; share font bytes.

WeasyPrint subsets fonts but keeps glyph ids ("retain GIDs"), so a CFF-based CJK font such
as Noto Serif CJK (≈ 63 000 glyphs, the Simplified Chinese forms at the end) still carries
63 000 entries of metrics, charset and charstring offsets: ≈ 150–200 KB per font for a few
dozen characters — more than a packet's scans. Two steps make it ≈ 5–60 KB:

1. inside `cff_subsetting()` (packets and the media kit's print files are written there)
   WeasyPrint's subsetting is hooked: a CID-keyed CFF font whose charset is the identity
   (glyph i has CID i, as in Noto and Source Han CJK) is subset to its used glyphs *without*
   retaining glyph ids, in one HarfBuzz pass (faster than WeasyPrint's two);
2. `compact_cid_fonts()` (per PDF, pikepdf) unwraps such fonts to the bare CFF program
   (FontFile3 /CIDFontType0C), the classic embedding of CJK subsets.

Why the text stays the same: WeasyPrint writes glyph ids as CIDs (Identity-H), and a
CIDFontType0 with a CID-keyed CFF program finds the glyph for a CID through the CFF charset
(ISO 32000-2, 9.7.4.2). HarfBuzz keeps each glyph's CID in the charset when it renumbers
glyphs, so with an identity source every CID still finds the same outline; widths (/W)
and text extraction (/ToUnicode) are keyed by CID and untouched. Each step checks the
charset before it changes anything and otherwise leaves the font as WeasyPrint made it.
The tests render packets both ways and compare the pixels.

Only a PDF that goes through step 2 may be written with step 1: until it is unwrapped, a
renumbered font sits in an OpenType wrapper, where viewers (poppler, pdfium) take the CID as
the glyph id and draw blanks or wrong glyphs. So the hook, installed once per process, acts only
inside `cff_subsetting()` (a context variable: this thread, this block); every other WeasyPrint
PDF of the process — 公示, 表彰决定, 证书 rendered after packets in `make all` — keeps
WeasyPrint's own subsetting whoever made a packet renderer before it.

TrueType fonts (CIDFontType2), which WeasyPrint subsets keeping glyph ids (a 20 000-glyph loca
and hmtx for 70 glyphs: ≈ 7 KB compressed), are renumbered to their used glyphs by
`compact_truetype()`, with a /CIDToGIDMap stream from each CID to its new glyph.

One program per face: a packet is one WeasyPrint document plus parts rendered once per worker
and laid over its pages (the evidence imprint), each with its own subset of the same face.
The hook remembers which font file every subset it wrote came from (`remember_origin`), and
`compact_cid_fonts(pdf, faces)` gives all fonts of one face one program, subset from that file
to the union of their glyphs (CIDs stay: CFF keeps them in its charset, TrueType keeps glyph
ids), so no font program is embedded twice.

The font bytes cache (`install_font_cache()`, installed by every WeasyPrint caller through
pipeline.render.weasy): WeasyPrint's `Font.__init__` copies the whole font file out of HarfBuzz
(19–27 MB for a Noto CJK collection) for every font of every document it writes. The hook gives
every Font of a font file and face (path, size and modification time, face index) the same
read-only memory mapping of that file instead, for the life of the process: the bytes are never
changed in place (subsetting replaces `file_content`), the faces of one collection share one
mapping, and only the pages a subset really reads come into memory — not the whole file twice
(HarfBuzz's own mapping, fully read by the copy, and the copy). A file that is not byte for byte
what HarfBuzz holds (its length, first and last 64 KiB) is copied as before. It adapts WeasyPrint
internals, so it is installed only for the pinned WeasyPrint (WEASYPRINT_VERSION); with another
version WeasyPrint is left as it is.
"""

from __future__ import annotations

import functools
import hashlib
import mmap
import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import pikepdf

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode, void *user_data, void *destroy);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
"""
_MEMORY_MODE_READONLY = 1
_FLAGS = 0x01 | 0x04 | 0x200
"""HB_SUBSET_FLAGS_NO_HINTING | DESUBROUTINIZE | NO_LAYOUT_CLOSURE (glyph ids are not retained)."""
_RETAIN_GIDS = 0x02
_SETS_DROP_TABLE_TAG = 3
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
"""Tables a PDF does not need (WeasyPrint drops the same). Dropping GSUB also stops HarfBuzz
before 7.2 (no NO_LAYOUT_CLOSURE) from adding substitute glyphs nobody asked for."""


def _libraries(cdef: str, first: str, second: str) -> tuple[Any, Any, Any] | None:
    """(ffi, the two shared libraries) with these C declarations, or None when they are not there."""
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(cdef)
        return ffi, ffi.dlopen(first), ffi.dlopen(second)
    except (ImportError, OSError, AttributeError):
        return None


@functools.cache
def _harfbuzz() -> tuple[Any, Any, Any] | None:
    """(ffi, libharfbuzz, libharfbuzz-subset), or None when the libraries are not there."""
    return _libraries(_CDEF, "libharfbuzz.so.0", "libharfbuzz-subset.so.0")


def subset_glyphs(font: bytes | mmap.mmap, glyphs: set[int], index: int = 0, *, retain_gids: bool = False) -> bytes | None:
    """OpenType font (or collection + face index) + glyph ids to keep → the renumbered subset (glyph ids
    kept with `retain_gids`, as WeasyPrint keeps them for TrueType).

    None when HarfBuzz-subset is not available or fails.
    """
    libs = _harfbuzz()
    if libs is None:
        return None
    ffi, hb, hbs = libs
    buffer = ffi.from_buffer(font)
    blob = hb.hb_blob_create(buffer, len(buffer), _MEMORY_MODE_READONLY, ffi.NULL, ffi.NULL)
    face = hb.hb_face_create(blob, index)
    plan = hbs.hb_subset_input_create_or_fail()
    try:
        if plan == ffi.NULL:
            return None
        wanted = hbs.hb_subset_input_glyph_set(plan)
        for glyph in sorted(glyphs):
            hb.hb_set_add(wanted, glyph)
        hbs.hb_subset_input_set_flags(plan, _FLAGS | (_RETAIN_GIDS if retain_gids else 0))
        drop = hbs.hb_subset_input_set(plan, _SETS_DROP_TABLE_TAG)
        for tag in _DROP_TABLES:
            hb.hb_set_add(drop, struct.unpack(">I", tag)[0])
        result = hbs.hb_subset_or_fail(face, plan)
        if result == ffi.NULL:
            return None
        out_blob = hb.hb_face_reference_blob(result)
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(hb.hb_blob_get_data(out_blob, length), length[0]))
        hb.hb_blob_destroy(out_blob)
        hb.hb_face_destroy(result)
        return data or None
    finally:
        if plan != ffi.NULL:
            hbs.hb_subset_input_destroy(plan)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def sfnt_table(font: bytes, tag: bytes) -> bytes | None:
    """One table of an OpenType font (a copy of its bytes), None when absent or malformed."""
    view = face_table(font, tag)
    return bytes(view) if view is not None else None


def glyph_count(font: bytes) -> int:
    """numGlyphs of an OpenType font (its maxp table), 0 when unreadable."""
    maxp = sfnt_table(font, b"maxp")
    return struct.unpack_from(">H", maxp, 4)[0] if maxp and len(maxp) >= 6 else 0


def compact_cff(font: bytes, cids: set[int]) -> bytes | None:
    """An embedded OpenType CFF font + the CIDs a PDF uses → its bare CFF program, if already compact.

    Only a font the subsetting hook below made (a few glyphs, a charset that lists every
    used CID) is unwrapped; a font with retained glyph ids is left alone (None).
    """
    if glyph_count(font) > 4 * len(cids) + 64:
        return None
    cff = sfnt_table(font, b"CFF ")
    charset = cff_charset_cids(cff) if cff else None
    if cff is None or charset is None or not cids <= set(charset) or charset != sorted(set(charset)):
        return None
    return cff


WEASYPRINT_VERSION = "70.0"
"""The WeasyPrint whose internals the font bytes cache adapts (pyproject.toml pins it)."""

_FC_CDEF = """
typedef struct _FcPattern FcPattern;
typedef void PangoFcFont;
FcPattern *pango_fc_font_get_pattern(PangoFcFont *font);
int FcPatternGetString(const FcPattern *p, const char *object, int n, unsigned char **s);
int FcPatternGetInteger(const FcPattern *p, const char *object, int n, int *i);
"""

FontKey = tuple[str, int, int, int]
"""(font file, its size, its modification time in ns, face index)."""


@functools.cache
def _fontconfig() -> tuple[Any, Any, Any] | None:
    """(ffi, libpangoft2, libfontconfig), or None when the libraries are not there."""
    return _libraries(_FC_CDEF, "libpangoft2-1.0.so.0", "libfontconfig.so.1")


def font_file_key(pango_font: Any) -> FontKey | None:
    """A Pango (fontconfig) font as WeasyPrint holds it → (file, size, mtime, face index); None when unknown."""
    libs = _fontconfig()
    if libs is None:
        return None
    from weasyprint.text.ffi import ffi as weasy_ffi

    ffi, pangoft2, fontconfig = libs
    pattern = pangoft2.pango_fc_font_get_pattern(ffi.cast("PangoFcFont *", int(weasy_ffi.cast("uintptr_t", pango_font))))
    if pattern == ffi.NULL:
        return None
    name = ffi.new("unsigned char **")
    index = ffi.new("int *")
    if fontconfig.FcPatternGetString(pattern, b"file", 0, name) != 0 or name[0] == ffi.NULL:
        return None
    if fontconfig.FcPatternGetInteger(pattern, b"index", 0, index) != 0:
        index[0] = 0
    path = os.fsdecode(ffi.string(name[0]))
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return path, stat.st_size, stat.st_mtime_ns, index[0]


FontData = bytes | mmap.mmap
"""A whole font file: a read-only mapping of it, or a copy."""
_CHECKED = 65536
"""Bytes compared at each end of a font file before its mapping stands for HarfBuzz's bytes."""


class FontBytes:
    """The font bytes cache: (file, face) → the whole font file WeasyPrint's Font reads out of HarfBuzz,
    one read-only mapping (or, failing that, one copy) per file."""

    def __init__(self) -> None:
        """An empty cache."""
        self.faces: dict[FontKey, FontData] = {}
        self.maps: dict[tuple[str, int, int], mmap.mmap] = {}
        self.reads = 0
        """How many faces were looked up in a font file (a cache miss): mapped, or copied out of HarfBuzz."""
        self.copies = 0
        """How many of them were copied (the file could not be mapped, or was not what HarfBuzz holds)."""
        self.lock = threading.Lock()

    def get(self, key: FontKey, read: Any, same: Any = None) -> Any:
        """The cached bytes of `key`; else the file mapped when `same(mapping)` says it is HarfBuzz's
        font, else `read()` kept (sharing the object with another face of the same file)."""
        with self.lock:
            found = self.faces.get(key)
        if found is not None:
            return found
        data: Any = self._mapped(key) if same is not None else None
        if data is None or not same(data):
            data = read()
            if not isinstance(data, bytes):
                return data
            with self.lock:
                self.copies += 1
                for (path, size, mtime, _), other in self.faces.items():
                    if (path, size, mtime) == key[:3] and isinstance(other, bytes) and other == data:
                        data = other  # a collection's faces share the whole file: keep one copy
                        break
        with self.lock:
            self.reads += 1
            self.faces[key] = data
        return data

    def _mapped(self, key: FontKey) -> mmap.mmap | None:
        """The font file of `key` mapped read-only (one mapping per file), None when it cannot be (or is
        no longer the size the key says). Installed fonts are replaced, not rewritten in place."""
        path, size, mtime, _ = key
        with self.lock:
            found = self.maps.get((path, size, mtime))
        if found is not None:
            return found
        try:
            with Path(path).open("rb") as f:
                if os.fstat(f.fileno()).st_size != size or size == 0:
                    return None
                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        with self.lock:
            return self.maps.setdefault((path, size, mtime), mapped)

    def clear(self) -> None:
        """Forget every font (a mapping still held by a Font stays valid until that Font is gone)."""
        with self.lock:
            self.faces.clear()
            self.maps.clear()


def same_as_harfbuzz(hb_face: Any, data: FontData) -> bool:
    """True when `data` has the length of the blob HarfBuzz holds for `hb_face` and the same first and last
    64 KiB (the blob of a font file Pango opened is that file)."""
    from weasyprint.text.ffi import ffi, harfbuzz

    blob = harfbuzz.hb_face_reference_blob(hb_face)
    try:
        length = ffi.new("unsigned int *")
        pointer = harfbuzz.hb_blob_get_data(blob, length)
        n = int(length[0])
        if pointer == ffi.NULL or n != len(data) or n == 0:
            return False
        k = min(n, _CHECKED)
        return bool(ffi.buffer(pointer, k)[:] == data[:k] and ffi.buffer(pointer + n - k, k)[:] == data[n - k:])
    finally:
        harfbuzz.hb_blob_destroy(blob)


FONT_BYTES = FontBytes()
"""The process's font bytes cache (install_font_cache)."""
_PENDING: threading.local = threading.local()
"""The font file of the WeasyPrint Font being made in this thread (its key), while Font.__init__ runs."""


def install_font_cache() -> bool:
    """Share font bytes between WeasyPrint's Font objects (once per process) → True when installed.

    Only for the pinned WeasyPrint (WEASYPRINT_VERSION): another version is left as it is, silently.
    """
    import weasyprint
    from weasyprint.pdf import fonts as weasyprint_fonts

    if getattr(weasyprint_fonts.Font.__init__, "xn_cached", False):
        return True
    if weasyprint.__version__ != WEASYPRINT_VERSION or _fontconfig() is None:
        return False
    original_init = weasyprint_fonts.Font.__init__
    original_data = weasyprint_fonts.get_hb_object_data

    def get_hb_object_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
        key = getattr(_PENDING, "key", None)
        if key is None or ot_color is not None or glyph is not None:
            return original_data(hb_object, ot_color, glyph)
        return FONT_BYTES.get(key, lambda: original_data(hb_object), lambda data: same_as_harfbuzz(hb_object, data))

    def __init__(self: Any, pango_font: Any, description: Any, font_size: Any) -> None:
        _PENDING.key = font_file_key(pango_font)
        try:
            original_init(self, pango_font, description, font_size)
        finally:
            _PENDING.key = None

    __init__.xn_cached = True  # type: ignore[attr-defined]
    __init__.xn_original = original_init  # type: ignore[attr-defined]
    get_hb_object_data.xn_original = original_data  # type: ignore[attr-defined]
    weasyprint_fonts.get_hb_object_data = get_hb_object_data
    weasyprint_fonts.Font.__init__ = __init__
    return True


_IDENTITY: dict[tuple[str, int, int], bool] = {}


def face_table(font: FontData, tag: bytes, index: int = 0) -> memoryview | None:
    """One table of a face of an OpenType font or collection, as a view into `font` (nothing copied, so a
    mapped file reads only that table's pages); None when absent or malformed."""
    try:
        base = 0
        if font[:4] == b"ttcf":
            (count,) = struct.unpack_from(">I", font, 8)
            if not 0 <= index < count:
                return None
            (base,) = struct.unpack_from(">I", font, 12 + 4 * index)
        (count,) = struct.unpack_from(">H", font, base + 4)
        for i in range(count):
            entry_tag, _, start, length = struct.unpack_from(">4sIII", font, base + 12 + 16 * i)
            if entry_tag == tag:
                return memoryview(font)[start:start + length] if start + length <= len(font) else None
    except struct.error:
        return None
    return None


def identity_charset(family: str, font: FontData, index: int) -> bool:
    """True when a CID-keyed CFF font's glyph i has CID i for every glyph (cached per font). Reads the
    CFF table's header, top dictionary and charset only, not the whole font."""
    key = (family, len(font), index)
    if key not in _IDENTITY:
        try:
            from fontTools.cffLib import CFFFontSet

            cff = face_table(font, b"CFF ", index)
            if cff is None:
                _IDENTITY[key] = False
            else:
                fonts = CFFFontSet()
                fonts.decompile(_Reader(cff), None)
                top = fonts.topDictIndex[0]
                _IDENTITY[key] = hasattr(top, "ROS") and all(
                    name == ".notdef" if gid == 0 else name == f"cid{gid:05d}" for gid, name in enumerate(top.charset))
        except Exception:  # an unusual font: keep WeasyPrint's own subsetting
            _IDENTITY[key] = False
    return _IDENTITY[key]


_ACTIVE: ContextVar[bool] = ContextVar("xn_cff_subsetting", default=False)
"""True inside `cff_subsetting()`: the hook subsets CFF fonts for compact_cid_fonts()."""


@contextmanager
def cff_subsetting() -> Iterator[None]:
    """WeasyPrint PDFs written inside the block subset CID-keyed CFF fonts without retaining glyph
    ids (such a PDF must then go through compact_cid_fonts()); outside it WeasyPrint subsets as usual."""
    install_weasyprint_cff_subsetting()
    token = _ACTIVE.set(True)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def install_weasyprint_cff_subsetting() -> None:
    """Hook WeasyPrint's subsetting (once per process): inside `cff_subsetting()`, CID-keyed CFF
    fonts are subset to their used glyphs without retaining glyph ids; elsewhere it does nothing.

    WeasyPrint writes glyph ids as CIDs; in a font whose charset is the identity (glyph i
    has CID i — Noto/Source Han CJK) a subset that keeps each glyph's CID in its charset
    shows every CID with the same outline once unwrapped to bare CFF. Such fonts get one
    HarfBuzz pass that keeps only the used glyphs (HarfBuzz may add a few substitution
    glyphs; they are harmless); every other font goes through WeasyPrint's own subsetting.
    """
    from weasyprint.pdf import fonts as weasyprint_fonts

    original = weasyprint_fonts.Font.subset
    if getattr(original, "xn_compact", False) or _harfbuzz() is None:
        return

    def subset(self: Any, to_unicode: dict[int, str], hinting: bool) -> None:
        plain_cff = "CFF " in self.tables and "fvar" not in self.tables and not (self.png or self.svg or self.colr)
        if _ACTIVE.get() and to_unicode and plain_cff and not self.missing and identity_charset(
                self.family, self.file_content, self.index):
            wanted = set(to_unicode) | {0}
            data = subset_glyphs(self.file_content, wanted, self.index)
            cff = sfnt_table(data, b"CFF ") if data else None
            charset = cff_charset_cids(cff) if cff else None
            if data and charset is not None and wanted <= set(charset):
                remember_origin(data, self.file_content, self.index)
                self.file_content = data
                self.index = 0
                return
        source, index = self.file_content, self.index
        original(self, to_unicode, hinting)
        if _ACTIVE.get() and to_unicode and "fvar" not in self.tables and not (self.png or self.svg or self.colr):
            remember_origin(self.file_content, source, index)

    subset.xn_compact = True  # type: ignore[attr-defined]
    subset.xn_original = original  # type: ignore[attr-defined]
    weasyprint_fonts.Font.subset = subset


def cff_charset_cids(cff: bytes) -> list[int] | None:
    """CIDs of the glyphs of a CID-keyed CFF (glyph order, .notdef = CID 0); None if not CID-keyed."""
    try:
        from fontTools.cffLib import CFFFontSet

        fonts = CFFFontSet()
        fonts.decompile(_Reader(cff), None)
        top = fonts.topDictIndex[0]
        if not hasattr(top, "ROS"):
            return None
        names = top.charset
        return [0 if n == ".notdef" else int(n[3:]) for n in names]
    except Exception:  # a malformed font: leave it alone
        return None


class _Reader:
    """The minimal file-like object fontTools' CFF decompiler reads from."""

    def __init__(self, data: bytes | memoryview) -> None:
        """Bytes (or a view of them) → a reader at position 0."""
        self.data, self.pos = data, 0

    def read(self, n: int = -1) -> bytes:
        """Up to n bytes (all remaining when n < 0) → the bytes read (a copy of those bytes only)."""
        end = len(self.data) if n < 0 else self.pos + n
        chunk = self.data[self.pos:end]
        self.pos = min(end, len(self.data))
        return bytes(chunk)

    def seek(self, pos: int) -> None:
        """Position → reader moved there."""
        self.pos = pos

    def tell(self) -> int:
        """The current position."""
        return self.pos


def _widths_cids(widths: Any) -> set[int]:
    """CIDs listed in a /W array: [c [w …] c1 c2 w …]."""
    import pikepdf

    cids: set[int] = set()
    items = list(widths)
    i = 0
    while i < len(items):
        start = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            cids.update(range(start, start + len(nxt)))
            i += 2
        else:
            cids.update(range(start, int(nxt) + 1))
            i += 3
    return cids


_ORIGINS: dict[bytes, tuple[int, bytes, int]] = {}
"""SHA-256 of a font program the hook let WeasyPrint embed → (size and SHA-256 of the first 64 KiB of the
font file it was subset from, face index)."""
_HEAD = 65536


def remember_origin(subset: bytes, source: FontData, index: int) -> None:
    """Note which font file (and face) an embedded subset came from, for `merge_faces`."""
    if len(_ORIGINS) > 4096:  # a long-lived worker: only the current packet's fonts matter
        _ORIGINS.clear()
    _ORIGINS[hashlib.sha256(subset).digest()] = (len(source), hashlib.sha256(source[:_HEAD]).digest(), index)


def _font_file(origin: tuple[int, bytes, int], faces: Sequence[tuple[Path, int]]) -> Path | None:
    """The font file of `faces` an origin names (its size and first bytes), None when not among them."""
    size, head, _ = origin
    for path, _index in dict.fromkeys(faces):
        try:
            if path.stat().st_size == size:
                with path.open("rb") as f:
                    if hashlib.sha256(f.read(_HEAD)).digest() == head:
                        return path
        except OSError:
            continue
    return None


def merge_faces(pdf: pikepdf.Pdf, faces: Sequence[tuple[Path, int]]) -> int:
    """Fonts of one face embedded as several subsets (parts of a PDF rendered apart) → one program, subset
    from the face's file (`faces`: the font files that may have been used) to the union of their glyphs;
    → the number of programs dropped. CIDs and widths stay: the CFF charset keeps each glyph's CID, a
    TrueType subset keeps glyph ids."""
    import pikepdf

    groups: dict[tuple[tuple[int, bytes, int], str], list[pikepdf.Object]] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") not in ("/CIDFontType0", "/CIDFontType2"):
            continue
        descriptor = obj.get("/FontDescriptor")
        key = "/FontFile3" if obj.Subtype == "/CIDFontType0" else "/FontFile2"
        stream = descriptor.get(key) if descriptor is not None else None
        if stream is None or "/W" not in obj or (key == "/FontFile3" and stream.get("/Subtype") != "/OpenType"):
            continue
        origin = _ORIGINS.get(hashlib.sha256(stream.read_bytes()).digest())
        if origin is not None:
            groups.setdefault((origin, key), []).append(obj)
    dropped = 0
    for (origin, key), members in groups.items():
        streams = {m.FontDescriptor[key].objgen: m.FontDescriptor[key] for m in members}
        path = _font_file(origin, faces) if len(streams) > 1 else None
        if path is None:
            continue
        glyphs = set().union(*(_widths_cids(m.W) for m in members)) | {0}
        truetype = key == "/FontFile2"
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            merged = subset_glyphs(data, glyphs, origin[2], retain_gids=truetype)
        if merged is None:
            continue
        if truetype:
            if glyph_count(merged) <= max(glyphs):
                continue
        else:
            cff = sfnt_table(merged, b"CFF ")
            charset = cff_charset_cids(cff) if cff else None
            if charset is None or not glyphs <= set(charset):
                continue
        target = next(iter(streams.values()))
        target.write(merged)
        if truetype:
            target.Length1 = len(merged)
        for member in members:
            member.FontDescriptor[key] = target
        dropped += len(streams) - 1
    return dropped


def compact_truetype(pdf: pikepdf.Pdf) -> int:
    """TrueType CID fonts with retained glyph ids (CID = glyph id) → renumbered to the glyphs used, with a
    /CIDToGIDMap stream (ISO 32000-2, 9.7.4.2); outlines, widths (/W) and /ToUnicode, keyed by CID, stay.
    A font HarfBuzz would give extra glyphs (composite parts) is left alone. → bytes saved."""
    import pikepdf

    users: dict[tuple[int, int], tuple[pikepdf.Object, set[int], list[pikepdf.Object]]] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != "/CIDFontType2" or "/W" not in obj:
            continue
        descriptor = obj.get("/FontDescriptor")
        stream = descriptor.get("/FontFile2") if descriptor is not None else None
        if stream is None or obj.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
            continue
        entry = users.setdefault(stream.objgen, (stream, set(), []))
        entry[1].update(_widths_cids(obj.W))
        entry[2].append(obj)
    saved = 0
    for stream, cids, fonts in users.values():
        data = stream.read_bytes()
        wanted = sorted(cids | {0})
        if glyph_count(data) <= 2 * len(wanted) + 64 or any(c > 0xFFFF for c in wanted):
            continue
        small = subset_glyphs(data, set(wanted))
        if small is None or glyph_count(small) != len(wanted):
            continue
        before = len(stream.read_raw_bytes())
        table = bytearray(2 * (wanted[-1] + 1))
        for gid, cid in enumerate(wanted):  # HarfBuzz numbers the kept glyphs in their old order
            struct.pack_into(">H", table, 2 * cid, gid)
        cid_to_gid = pikepdf.Stream(pdf, bytes(table))
        stream.write(small)
        stream.Length1 = len(small)
        for font in fonts:
            font.CIDToGIDMap = cid_to_gid
        saved += before - len(stream.read_raw_bytes())
    return saved


def compact_cid_fonts(pdf: pikepdf.Pdf, faces: Sequence[tuple[Path, int]] = ()) -> int:
    """Give each face one program (`merge_faces`, when the font files are given), then re-subset every
    CID-keyed CFF font of a PDF to its used glyphs → bytes saved."""
    import pikepdf

    if faces:
        merge_faces(pdf, faces)
    saved = compact_truetype(pdf)
    users: dict[tuple[int, int], tuple[pikepdf.Object, set[int]]] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != "/CIDFontType0":
            continue
        descriptor = obj.get("/FontDescriptor")
        stream = descriptor.get("/FontFile3") if descriptor is not None else None
        if stream is None or stream.get("/Subtype") != "/OpenType" or "/W" not in obj:
            continue
        key = stream.objgen
        entry = users.setdefault(key, (stream, set()))
        entry[1].update(_widths_cids(obj.W))
    for stream, cids in users.values():
        cff = compact_cff(stream.read_bytes(), cids)
        if cff is None:
            continue
        before = len(stream.read_raw_bytes())
        stream.write(cff)
        stream.Subtype = pikepdf.Name.CIDFontType0C
        saved += before - len(stream.read_raw_bytes())
    return saved
