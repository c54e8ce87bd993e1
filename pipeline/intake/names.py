"""Names as units send them → names the pipeline uses.

    member_name(info)   a ZIP member's name as its maker meant it: the UTF-8 flag, the Info-ZIP
                        Unicode path field, else the raw bytes tried as UTF-8, then GBK, then GB18030
                        (Windows' “压缩文件夹” writes GBK without saying so)
    clean_name(name)    NFC, full-width letters/digits/./-/_ and the ideographic space folded,
                        spaces around separators dropped, forbidden characters replaced
                        (pipeline.core.safepath.safe_name), lower-case extension
    person_key(text)    a name reduced for matching a folder to a roster row
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zipfile
import zlib

from pipeline.core.safepath import safe_name

_UNICODE_PATH_FIELD = 0x7075
_FULL_WIDTH = {0x3000: " ", **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)
                              if chr(code - 0xFEE0).isalnum() or chr(code - 0xFEE0) in ".-_"}}
"""Full-width letters, digits and “．－＿” → ASCII; the ideographic space → a space. Brackets and
other full-width punctuation stay: “（技师）” is how the office writes a title."""
_SPACES = re.compile(r"\s+")
_AROUND = re.compile(r"\s*([-_.])\s*")


def _unicode_path(info: zipfile.ZipInfo) -> str | None:
    """The Info-ZIP Unicode Path extra field (0x7075), when present and matching the raw name."""
    extra = info.extra
    while len(extra) >= 4:
        kind, size = struct.unpack("<HH", extra[:4])
        body, extra = extra[4:4 + size], extra[4 + size:]
        if kind == _UNICODE_PATH_FIELD and len(body) > 5 and body[0] == 1:
            raw = info.filename.encode("cp437", "replace") if not info.flag_bits & 0x800 else b""
            crc = struct.unpack("<I", body[1:5])[0]
            if not raw or zlib.crc32(raw) == crc:
                try:
                    return body[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
    return None


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker wrote it (zipfile decodes a name without the UTF-8 flag as cp437)."""
    if info.flag_bits & 0x800:
        return info.filename
    named = _unicode_path(info)
    if named is not None:
        return named
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gbk", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def clean_name(name: str) -> str:
    """One folder or file name → its clean form (never empty; see the module docstring)."""
    name = unicodedata.normalize("NFC", name).translate(_FULL_WIDTH)
    name = _SPACES.sub(" ", name).strip()
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not re.fullmatch(r"[A-Za-z0-9]{1,5}", ext.strip()):
        stem, ext = name, ""
    stem = _AROUND.sub(r"\1", stem)
    stem = safe_name(stem)
    return f"{stem}.{ext.strip().lower()}" if ext else stem


def person_key(text: str) -> str:
    """A name for matching: NFKC, without digits, spaces, punctuation and Latin letters ('01-王志刚' → '王志刚')."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch).startswith("L") and not ch.isascii())
