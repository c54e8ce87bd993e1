"""Byte-identical ZIP containers: DOCX and XLSX writers stamp the current time on members.

`normalise_zip` rewrites only the date, time and attribute fields of every member's local
header and central-directory entry; the compressed data is copied as it is (python-docx
and openpyxl deflate deterministically), so nothing is compressed twice.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"


def dos_stamp(when: dt.datetime) -> tuple[int, int]:
    """A date and time → (DOS time, DOS date) as ZIP headers store them (years before 1980 → 1980)."""
    year = max(when.year, 1980)
    return ((when.hour << 11) | (when.minute << 5) | (when.second // 2),
            ((year - 1980) << 9) | (when.month << 5) | when.day)


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """ZIP bytes in → the same members and data, every timestamp set to `when`, attributes fixed."""
    time_, date_ = dos_stamp(when)
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        start_dir = archive.start_dir  # type: ignore[attr-defined]
    for info in infos:
        offset = info.header_offset
        if out[offset:offset + 4] != _LOCAL:
            raise ValueError("unexpected ZIP layout")
        struct.pack_into("<HH", out, offset + 10, time_, date_)
    offset = start_dir
    for _ in infos:
        if out[offset:offset + 4] != _CENTRAL:
            raise ValueError("unexpected ZIP central directory")
        struct.pack_into("<H", out, offset + 4, 20)  # version made by: MS-DOS, 2.0
        struct.pack_into("<HH", out, offset + 12, time_, date_)
        struct.pack_into("<I", out, offset + 38, 0o644 << 16)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", out, offset + 28)
        offset += 46 + name_len + extra_len + comment_len
    return bytes(out)
