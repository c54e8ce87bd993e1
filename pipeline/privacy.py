"""Privacy scan of public documents: text or a file → the ID numbers and mobile numbers it shows.

No public document may show a nominee's ID number, phone or address (SPEC.md §6). The
documents never put them in on purpose; this scanner proves it. It extracts the text of a
PDF, DOCX, XLSX, HTML, TXT/CSV/MD/JSON/XML/SVG file (or every member of a ZIP) and returns
whatever *looks like* a resident ID number (18 characters, or the old 15 digits, with a
plausible birth date) or a mainland mobile number (1[3-9] + 9 digits, with or without
separators or +86). Office landlines such as 0457-2756328 and dates are not flagged.

`known` adds exact values to look for (e.g. every nominee's ID and phone from the roster),
which also catches a nominee's landline.

    from pipeline.privacy import scan_file
    hits = scan_file(Path("公示.pdf"), known=[c.id_number for c in candidates])
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path

_DATE = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID18 = re.compile(rf"(?<![0-9A-Za-z])[1-9]\d{{5}}{_DATE}\d{{3}}[0-9Xx](?![0-9A-Za-z])")
"""18-character ID: region, YYYYMMDD, sequence, check character."""
_ANY18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
"""Any 17 digits + digit/X: looks like an ID even with an impossible date."""
_ID15 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
"""Old 15-digit ID: region, YYMMDD, sequence."""
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?![0-9A-Za-z])")
"""Mainland mobile: 13x–19x, 11 digits, optionally grouped 3-4-4 and prefixed +86."""
_DIGIT_GAP = re.compile(r"(?<=\d)[ \t\u00a0\u2009\u200b]+(?=[0-9Xx])")
"""Spaces a PDF text extractor may put between digits of one number."""
_TEXT_SUFFIXES = frozenset({".txt", ".csv", ".md", ".json", ".xml", ".svg", ".js", ".css", ".tsv", ".log"})
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".bmp"})


def _digits(text: str) -> str:
    """Text → its digits only."""
    return re.sub(r"\D", "", text)


def scan_text(text: str, known: Iterable[str] = ()) -> list[str]:
    """Text → the suspicious ID and mobile numbers in it (as found, each once, in order)."""
    text = unicodedata.normalize("NFKC", text)
    variants = (text, _DIGIT_GAP.sub("", text))
    hits: dict[str, None] = {}
    for variant in variants:
        for pattern in (_ID18, _ANY18, _ID15, _MOBILE):
            for match in pattern.finditer(variant):
                hits.setdefault(match.group(0).strip(), None)
    squeezed = re.sub(r"[\s\-]", "", text)
    for value in known:
        value = unicodedata.normalize("NFKC", str(value)).strip()
        if len(_digits(value)) < 7:
            continue
        needle = re.sub(r"[\s\-]", "", value)
        if needle.lower() in squeezed.lower():
            hits.setdefault(value, None)
    # A number found both with and without gaps is reported once, by its digits.
    out: dict[str, str] = {}
    for hit in hits:
        out.setdefault(_digits(hit) + hit[-1:].upper() if hit[-1:] in "Xx" else _digits(hit), hit)
    return list(out.values())


def _xml_text(data: bytes) -> str:
    """Text content of an XML part: tags become spaces, entities are decoded."""
    text = re.sub(rb"<[^>]*>", b" ", data).decode("utf-8", errors="replace")
    return html.unescape(text)


def _office_text(data: bytes) -> str:
    """Every XML part of a DOCX/XLSX/PPTX (body, headers, footers, comments, shared strings, properties)."""
    parts: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith((".xml", ".rels")):
                parts.append(_xml_text(archive.read(name)))
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    """Text of every page of a PDF, plus its metadata."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = [page.extract_text() or "" for page in reader.pages]
    if reader.metadata:
        parts.extend(str(v) for v in reader.metadata.values())
    return "\n".join(parts)


def extract_text(name: str, data: bytes) -> str:
    """The text a reader of the file could see, by the file's extension ('' for images)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        return _pdf_text(data)
    if suffix in {".docx", ".xlsx", ".pptx", ".docm", ".xlsm"}:
        return _office_text(data)
    if suffix in _HTML_SUFFIXES:
        raw = data.decode("utf-8", errors="replace")
        return raw + "\n" + html.unescape(re.sub(r"<[^>]*>", " ", raw))
    if suffix in _IMAGE_SUFFIXES:
        return ""
    if suffix in _TEXT_SUFFIXES or not suffix:
        return data.decode("utf-8", errors="replace")
    raise ValueError(f"无法检查这种文件的文字：{name}")


def scan_bytes(name: str, data: bytes, known: Iterable[str] = ()) -> list[str]:
    """The suspicious numbers in one file's bytes; a ZIP is scanned member by member."""
    known = tuple(known)
    if Path(name).suffix.lower() == ".zip":
        hits: list[str] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in sorted(archive.namelist()):
                if not member.endswith("/"):
                    hits += [f"{member}: {h}" for h in scan_bytes(member, archive.read(member), known)]
        return hits
    return scan_text(extract_text(name, data), known)


def scan_file(path: Path, known: Iterable[str] = ()) -> list[str]:
    """A public file (PDF, DOCX, XLSX, HTML, TXT, JSON, ZIP …) → the suspicious numbers it shows."""
    return scan_bytes(path.name, path.read_bytes(), known)


def scan_tree(folder: Path, known: Iterable[str] = ()) -> dict[Path, list[str]]:
    """Every file under `folder` → its suspicious numbers (only files with hits are listed)."""
    known = tuple(known)
    found: dict[Path, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            try:
                hits = scan_file(path, known)
            except ValueError:
                continue
            if hits:
                found[path] = hits
    return found
