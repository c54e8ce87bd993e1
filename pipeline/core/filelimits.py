"""Limits on what a nominee's file may make the pipeline inflate, checked before anything reads it.

    zip_problem(path)    DOCX (any ZIP): member count, declared sizes and compression ratios from
                         the central directory, then each member's real size by a bounded inflate
                         of its raw data (never more than the limit is produced, nothing is kept)
    text_problem(path)   .txt/.md: the file size
    pdf_problem(pdf)     an open PDF: its page count, each image's pixels, and each stream's
                         decoded size, counted through its filters without keeping the output

Each returns a `Refusal` (code FILE_TOO_LARGE, or '' for a damaged file the caller reports
as unreadable) or None when the file is within the limits. The limits are module constants
(tests lower them); the check stage applies them, and later stages never open a file of a
nominee with an error finding.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MB = 1 << 20

MAX_ZIP_MEMBERS = 10_000
"""A Word file has a few dozen parts."""
MAX_ZIP_MEMBER_BYTES = 64 * MB
"""Largest part of a DOCX once inflated (a 2000-character text is ~100 KB of XML; photos are stored as JPEG)."""
MAX_ZIP_TOTAL_BYTES = 256 * MB
"""All parts of a DOCX together, inflated (python-docx holds them all in memory)."""
MAX_ZIP_RATIO = 100
"""Largest compression ratio of a part above RATIO_FLOOR_BYTES: Word XML compresses 5–20 : 1."""
RATIO_FLOOR_BYTES = 1 * MB
"""Parts smaller than this may compress as well as they like."""
MAX_TEXT_BYTES = 4 * MB
"""Largest .txt/.md 先进事迹 (2000 characters are ~6 KB)."""
MAX_PDF_PAGES = 300
"""Most pages of one evidence PDF (a certificate is 1–2 pages; a report for 领先水平证明 a few dozen)."""
MAX_PDF_STREAM_BYTES = 64 * MB
"""Largest decoded stream that is not an image (page contents, fonts)."""
MAX_PDF_IMAGE_BYTES = 256 * MB
"""Largest decoded image stream (an A3 page scanned at 600 dpi in colour is 209 MB)."""
MAX_PDF_IMAGE_PIXELS = 200_000_000
"""Most pixels of an image in a PDF, the same bound as a scanned image (pipeline.rules.checks)."""

FILE_TOO_LARGE = "FILE_TOO_LARGE"
_CHUNK = 1 * MB


@dataclass(frozen=True)
class Refusal:
    """Why a file is not opened."""

    code: str
    """FILE_TOO_LARGE, or '' when the file is damaged (the caller reports it as unreadable)."""
    message: str
    """What is wrong, in Chinese."""


def _mb(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size / 1024:,.0f} KB"


def _too_large(message: str) -> Refusal:
    return Refusal(FILE_TOO_LARGE, message)


# ---- ZIP (DOCX) ---------------------------------------------------------------------------

_LOCAL_HEADER = struct.Struct("<4s22xHH")


def zip_problem(path: Path, *, max_member: int | None = None, max_total: int | None = None,
                what: str = "Word 文件") -> Refusal | None:
    """A ZIP file (DOCX) → None when every part inflates within the limits.

    `max_member` and `max_total` replace MAX_ZIP_MEMBER_BYTES and MAX_ZIP_TOTAL_BYTES (a unit's
    submission ZIP holds scans, not XML); `what` names the kind of file in the damaged-file message.
    """
    max_member = MAX_ZIP_MEMBER_BYTES if max_member is None else max_member
    max_total = MAX_ZIP_TOTAL_BYTES if max_total is None else max_total
    try:
        with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return _too_large(f"文件内含 {len(infos)} 个部件，超过 {MAX_ZIP_MEMBERS} 个的上限")
            declared = sum(i.file_size for i in infos)
            for info in infos:
                refusal = _declared_problem(info, max_member)
                if refusal:
                    return refusal
            if declared > max_total:
                return _too_large(f"文件解压后共 {_mb(declared)}，超过 {_mb(max_total)} 的上限")
            for info in infos:
                refusal = _member_problem(raw, info)
                if refusal:
                    return refusal
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, struct.error) as exc:
        return Refusal("", f"文件已损坏或不是{what}（{type(exc).__name__}）")
    return None


def _declared_problem(info: zipfile.ZipInfo, max_member: int) -> Refusal | None:
    """What the central directory says about one part."""
    size = info.file_size
    if size > max_member:
        return _too_large(f"文件中的部件“{info.filename}”解压后有 {_mb(size)}，超过 {_mb(max_member)} 的上限")
    ratio = size / max(info.compress_size, 1)
    if size > RATIO_FLOOR_BYTES and ratio > MAX_ZIP_RATIO:
        return _too_large(f"文件中的部件“{info.filename}”压缩比为 {ratio:,.0f} : 1（解压后 {_mb(size)}），"
                          f"正常文档不超过 {MAX_ZIP_RATIO} : 1，可能是“压缩炸弹”")
    if info.flag_bits & 0x1:
        return Refusal("", "文件设置了密码（加密）")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return Refusal("", f"文件使用了 Word 不会使用的压缩方式（{info.compress_type}）")
    return None


def _member_problem(raw: Any, info: zipfile.ZipInfo) -> Refusal | None:
    """Inflate one part's raw data, counting only: its real size must be what the directory says."""
    raw.seek(info.header_offset)
    magic, name_len, extra_len = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    if magic != b"PK\x03\x04":
        return Refusal("", f"文件中的部件“{info.filename}”位置错误")
    raw.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    left, limit, size = info.compress_size, info.file_size, 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    pending = b""
    while size <= limit:
        if not pending and left:
            pending = raw.read(min(left, _CHUNK))
            if not pending:
                return Refusal("", "文件不完整（被截断）")
            left -= len(pending)
        if inflater is None:
            size, pending = size + len(pending), b""
            if not left:
                break
            continue
        try:
            out = inflater.decompress(pending, _CHUNK)
        except zlib.error:
            return Refusal("", f"文件中的部件“{info.filename}”已损坏")
        size += len(out)
        pending = inflater.unconsumed_tail
        if inflater.eof or (not pending and not left and not out):
            break
    if size > limit:
        return _too_large(f"文件中的部件“{info.filename}”实际解压后超过声明的 {_mb(limit)}，"
                          "可能是伪造的“压缩炸弹”")
    return None


# ---- text ---------------------------------------------------------------------------------


def text_problem(path: Path) -> Refusal | None:
    """A text file → None when it is small enough to read whole."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        return _too_large(f"文本文件有 {_mb(size)}，超过 {_mb(MAX_TEXT_BYTES)} 的上限（先进事迹约2000字，只有几 KB）")
    return None


# ---- PDF ----------------------------------------------------------------------------------

_FLATE = frozenset({"/FlateDecode", "/Fl"})
_HEX = frozenset({"/ASCIIHexDecode", "/AHx"})
_A85 = frozenset({"/ASCII85Decode", "/A85"})
_LZW = frozenset({"/LZWDecode", "/LZW"})
_RUN_LENGTH = frozenset({"/RunLengthDecode", "/RL"})
_LEFT_ENCODED = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF", "/JBIG2Decode", "/Crypt"})
"""Filters the pipeline never decodes (pikepdf/qpdf copy these streams as they are)."""


def pdf_problem(pdf: Any) -> Refusal | None:
    """An open pikepdf.Pdf → None when its pages, images and streams are within the limits."""
    import pikepdf

    pages = len(pdf.pages)
    if pages > MAX_PDF_PAGES:
        return _too_large(f"PDF 有 {pages} 页，超过每个文件 {MAX_PDF_PAGES} 页的上限")
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            refusal = _stream_problem(obj)
            if refusal:
                return refusal
    return None


def _stream_problem(stream: Any) -> Refusal | None:
    import pikepdf

    image = stream.get("/Subtype") == pikepdf.Name.Image
    if image:
        try:
            w, h = int(stream.get("/Width", 0)), int(stream.get("/Height", 0))
        except (TypeError, ValueError):
            w = h = 0
        if w * h > MAX_PDF_IMAGE_PIXELS:
            return _too_large(f"PDF 中有一幅 {w}×{h} 像素的图片，超过安全上限（{MAX_PDF_IMAGE_PIXELS // 1_000_000} 百万像素）")
    limit = MAX_PDF_IMAGE_BYTES if image else MAX_PDF_STREAM_BYTES
    what = "图片" if image else "数据流"
    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)] if filters else []
    size = decoded_size(stream.read_raw_bytes(), names, limit)
    if size is None:
        return _too_large(f"PDF 中有一个{what}使用了无法安全检查的压缩方式组合（{' '.join(names)}）")
    if size > limit:
        return _too_large(f"PDF 中有一个{what}解压后超过 {_mb(limit)} 的上限，可能是“压缩炸弹”")
    return None


def decoded_size(data: bytes, filters: list[str], limit: int) -> int | None:
    """Bytes a stream decodes to through `filters` (above `limit` once it passes it); None when unknown.

    Filters the pipeline never decodes end the count; Flate, LZW and RunLength are counted
    without keeping their output unless a later filter needs it (then at most `limit` is kept).
    """
    size = len(data)
    for i, name in enumerate(filters):
        last = i == len(filters) - 1
        if name in _LEFT_ENCODED:
            break
        if name in _HEX | _A85:
            try:
                data = _ascii_decode(name, data)
            except (ValueError, binascii.Error):
                break
            size = len(data)
        elif name in _FLATE:
            size, data = _inflate(data, limit, keep=not last)
        elif name in _LZW | _RUN_LENGTH and last:
            size = _lzw_size(data, limit) if name in _LZW else _run_length_size(data, limit)
        else:
            return None
        if size > limit:
            break
    return size


def _ascii_decode(name: str, data: bytes) -> bytes:
    text = re.sub(rb"\s", b"", data)
    if name in _HEX:
        text = text.split(b">")[0]
        return binascii.unhexlify(text + b"0" * (len(text) % 2))
    text = text.removeprefix(b"<~").split(b"~>")[0]
    return base64.a85decode(text)


def _inflate(data: bytes, limit: int, *, keep: bool) -> tuple[int, bytes]:
    """Bounded zlib inflate: (size, output if keep) — stops once size passes limit or data is damaged."""
    inflater = zlib.decompressobj()
    size, kept = 0, []
    pending = data
    while size <= limit:
        try:
            out = inflater.decompress(pending, _CHUNK)
        except zlib.error:
            break
        size += len(out)
        if keep:
            kept.append(out)
        pending = inflater.unconsumed_tail
        if inflater.eof or (not pending and len(out) < _CHUNK):
            break
    return size, b"".join(kept) if keep and size <= limit else b""


def _lzw_size(data: bytes, limit: int, early_change: int = 1) -> int:
    """Decoded size of LZW data, from the lengths of its table entries (no output is made)."""
    width, next_code, previous = 9, 258, 0
    lengths: dict[int, int] = {}
    size = bits = buffer = 0
    for byte in data:
        buffer, bits = (buffer << 8) | byte, bits + 8
        while bits >= width:
            bits -= width
            code, buffer = buffer >> bits, buffer & ((1 << bits) - 1)
            if code == 256:
                width, next_code, previous = 9, 258, 0
                lengths.clear()
                continue
            if code == 257:
                return size
            if code < 256:
                length = 1
            elif code in lengths:
                length = lengths[code]
            elif code == next_code and previous:
                length = previous + 1
            else:
                return size  # damaged: decoding stops here
            if previous and next_code < 4096:
                lengths[next_code] = previous + 1
                next_code += 1
            size += length
            if size > limit:
                return size
            previous = length
            if next_code + early_change >= 1 << width and width < 12:
                width += 1
    return size


def _run_length_size(data: bytes, limit: int) -> int:
    """Decoded size of RunLength data (no output is made)."""
    size = i = 0
    while i < len(data) and size <= limit:
        n = data[i]
        if n == 128:
            break
        if n < 128:
            size, i = size + n + 1, i + n + 2
        else:
            size, i = size + 257 - n, i + 2
    return size
