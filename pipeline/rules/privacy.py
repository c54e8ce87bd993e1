"""Personal data in public documents: redacted from the text before rendering, proved absent after writing.

No public document may show a nominee's ID number, phone or home address (SPEC.md §6). One set of
patterns serves both halves:

    redact(text, known)           nominee text (姓名, 单位, 职业, 简要事迹, 先进事迹) → Redacted: every
                                  private detail replaced by "（略）", and what kind was removed
    public_candidate / public_awardees
                                  the same for the public fields of a nominee, with a Chinese note per change
    scan_text / scan_file / scan_tree
                                  text or a written file (PDF, DOCX, XLSX, HTML, TXT, JSON, every member
                                  of a ZIP) → what still looks private in it
    guard(paths, known)           after a stage wrote its public files: RenderError (the offending files
                                  removed) naming nominee, file and fix when anything survived

What is found:

- every nominee's own ID number and phone (`Known`), written with any separators (spaces, dots,
  slashes, dashes, mixed), full-width digits or Chinese numerals (〇 零 一 … 九, 幺, 壹 … 玖);
- anyone's ID-shaped number: 18 characters (17 digits and a digit or X; with separators only when
  the birth date is plausible), or the old 15 digits with a date;
- anyone's mobile-shaped number: 1[3-9] and 9 more digits, optionally +86, whole, in two or three
  groups of 3 or more digits (139 0457 1234, 197.8941.6742, 169/3747/6525) or spaced digit by digit
  (an ID number: in up to five groups, the last one may be shorter);
- a home address after 家住 / 住址 / 现住 / 居住在 / 家庭住址 … up to the 村, 组, 屯, 号, 室, 单元,
  栋 or 楼 that ends it (the lead word stays: "家住（略）").

In nominee text `redact` also removes landlines (0457-2123456, (0457)212 3456: pipeline.rules.phones) and
street addresses without a lead word (光明路12号3单元401室); the scan does not look for those,
because the office's own contact line is meant to be public. Mobiles are found by their shape
(pipeline.rules.phones.MOBILE), not by phonenumbers' table of allocated ranges, which leaves out numbers
such as 169 3747 6525. Years (2019年), amounts (120万元), dates (2019.05.12), decimals,
编号 such as XA2024-001 and number lists are not touched: separated groups shorter than three
digits never join a number, and a number glued to letters is not one.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import subprocess
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.errors import RenderError
from pipeline.rules import phones

if TYPE_CHECKING:
    from pipeline.core.model import Candidate
    from pipeline.rules.awardees import Awardee

REDACTED = "（略）"
"""What replaces a private detail in public text."""
ID, MOBILE, PHONE, ADDRESS = "身份证号码", "手机号码", "电话号码", "地址"
"""The kinds of private detail."""

# ---- characters ------------------------------------------------------------------------------

_CHINESE_DIGITS = dict(zip("〇零○" "一幺" "二三四五六七八九" "壹贰叁肆伍陆柒捌玖", "000" "11" "23456789" "123456789", strict=True))
"""Chinese numerals read as digits (○ is often typed for 〇, 幺 is how 1 is read out in a phone number)."""


class _DigitTable(dict[int, str]):
    """str.translate table: every decimal digit (full-width and other scripts) → ASCII, one character
    for one so positions agree; with `chinese`, Chinese numerals too."""

    def __init__(self, chinese: bool) -> None:
        super().__init__()
        self.chinese = chinese

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        value = ch
        if ch in "Ｘｘ":
            value = "X"
        elif not ch.isascii() and unicodedata.decimal(ch, None) is not None:
            value = str(unicodedata.decimal(ch))
        elif self.chinese and ch in _CHINESE_DIGITS:
            value = _CHINESE_DIGITS[ch]
        self[code] = value
        return value


_ASCII = _DigitTable(chinese=False)
_CHINESE = _DigitTable(chinese=True)

_SEP = r"[ \t\u00a0\u2000-\u200b\u202f\u3000.．·・/／\\\-－‐‑‒–—―_]"
"""Characters people put between the digit groups of a number."""
_CHUNK = re.compile(rf"(?<![0-9A-Za-z])\d+(?:{_SEP}{{1,3}}\d+)*[Xx]?(?![0-9A-Za-z])")
"""Digit groups joined by short runs of separators, not glued to letters."""
_DATE = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID18 = re.compile(rf"[1-9]\d{{5}}{_DATE}\d{{3}}[0-9X]")
"""18-character ID: region, YYYYMMDD, sequence, check character."""
_ANY18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
"""Any 17 digits + digit/X written as one word: looks like an ID even with an impossible date."""
_ID15 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
"""Old 15-digit ID: region, YYMMDD, sequence."""
_MOBILE_DIGITS = phones.MOBILE
_MOBILE86 = re.compile(r"(?<![0-9A-Za-z])\+?86[-\s]?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?![0-9A-Za-z])")
"""A mobile with the +86 prefix (the groups themselves are found by _CHUNK)."""
_DIGIT_GAP = re.compile(r"(?<=\d)[ \t\u00a0\u2009\u200b]+(?=[0-9Xx])")
"""Spaces a PDF text extractor may put between digits of one number (the scan also reads without them)."""
_KNOWN_GAP = r"[^0-9A-Za-z\u3400-\u9fff]{0,3}"
"""Between two digits of a registered number: up to three characters that are not digits, letters or Chinese."""
_LOOSE_RUN = re.compile(rf"[0-9](?:{_KNOWN_GAP}[0-9])*(?:{_KNOWN_GAP}[Xx])?")
"""Digits joined by such gaps (a final X included): where a registered number is looked for."""

_NUM = r"[0-9〇零一二三四五六七八九十百两]+"
_UNIT = r"(?:号楼|号院|号|室|单元|栋|幢|楼|层|组|队|屯|排|户)"
_ADDRESS = re.compile(
    rf"(?:家庭住址|家庭地址|家住在?|住址|现住址|现住(?!院)|现居住?(?:于|在)?|居住(?:在|于|地))[：:\s]*"
    rf"([^，。；！？,;!?\n（）()“”]{{0,30}}?(?:{_NUM}{_UNIT}|村|屯|嘎查|林场|农场|小区|社区|家属院|家属楼|公寓|大院)"
    rf"(?:[^，。；！？,;!?\n（）()“”]{{0,12}}?{_NUM}{_UNIT})*)")
"""A home address after its lead word (group 1: the address itself, up to its last number or 村/屯/小区)."""
_NOMINEE_ONLY: tuple[tuple[str, re.Pattern[str]], ...] = (
    (PHONE, re.compile(r"(?<![0-9A-Za-z])0\d{2,3}[-\s－—]?\d{7,8}(?![0-9A-Za-z])")),
    (PHONE, re.compile(r"(?:(?<=电话)|(?<=手机)|(?<=座机)|(?<=联系方式))[：:\s]*\d{3,4}(?:[-\s]?\d{3,4}){1,2}"
                       r"(?![0-9A-Za-z])")),
    (ADDRESS, re.compile(r"(?:(?<=路)|(?<=街)|(?<=道)|(?<=巷)|(?<=胡同))\d+号(?:院)?(?:\d+(?:号楼|栋|幢|单元|层|室|号))*")),
    (ADDRESS, re.compile(r"\d+(?:号楼|栋|幢)\d+单元(?:\d+(?:层|室|号))*")),
)
"""Only in nominee text: landlines and street addresses without a lead word (the office's own are public).
Landlines are also found by phonenumbers (`phones.landlines`: (0457)2756328, 0457 275 6328); the
pattern stays for what its matcher passes over (an extension after a dash, an area code it does not know)."""


# ---- what is known ---------------------------------------------------------------------------


def _norm_digits(value: str) -> str:
    """A registered number → its digits (and a final X), full-width read as ASCII."""
    return re.sub(r"[^0-9X]", "", value.translate(_ASCII).upper())


@dataclass(frozen=True)
class Known:
    """The registered ID numbers and phones of the nominees, to be found in any written form."""

    entries: tuple[tuple[str, str, str], ...] = ()
    """(digits, kind, '编号 姓名' or ''), digits of at least 7 characters."""
    raw: tuple[str, ...] = ()
    """Bare values as given (reported as given when found)."""

    @classmethod
    def of(cls, candidates: Iterable[Candidate], extra: Iterable[str] = ()) -> Known:
        """Every candidate's ID and phone (plus bare `extra` values of nobody in particular)."""
        extra = tuple(str(v) for v in extra)
        values = [(v, c.label) for c in candidates for v in (c.id_number, c.phone) if v]
        values += [(v, "") for v in extra]
        seen: dict[str, tuple[str, str, str]] = {}
        for value, owner in values:
            digits = _norm_digits(value)
            if len(digits) >= 7 and digits not in seen:
                kind = ID if len(digits) >= 15 else MOBILE if _MOBILE_DIGITS.fullmatch(digits) else PHONE
                seen[digits] = (digits, kind, owner)
        return cls(tuple(seen.values()), extra)

    def __add__(self, other: Known) -> Known:
        """Both sets of numbers (the first owner of a number wins)."""
        ours = {d for d, _, _ in self.entries}
        return Known(self.entries + tuple(e for e in other.entries if e[0] not in ours), self.raw + other.raw)

    @cached_property
    def _by_digits(self) -> dict[str, tuple[str, str]]:
        return {digits: (kind, owner) for digits, kind, owner in self.entries}

    @cached_property
    def _lengths(self) -> tuple[int, ...]:
        return tuple(sorted({len(digits) for digits, _, _ in self.entries}))

    def find(self, probe: str, text: str) -> list[Hit]:
        """Registered numbers in `probe` (text with every numeral read as a digit) → hits in `text`.

        Digits with at most three other characters (not letters, digits or Chinese) between them form
        a run; every registered number that appears in a run's digits is a hit.
        """
        if not self.entries:
            return []
        hits = []
        for m in _LOOSE_RUN.finditer(probe):
            where = [m.start() + i for i, ch in enumerate(m.group(0)) if ch in "0123456789Xx"]
            digits = "".join(probe[i] for i in where).upper()
            for length in self._lengths:
                for i in range(len(digits) - length + 1):
                    found = self._by_digits.get(digits[i:i + length])
                    if found is not None:
                        start, end = where[i], where[i + length - 1] + 1
                        hits.append(Hit(found[0], text[start:end], start, end, found[1]))
        return hits

    def owner(self, found: str) -> str:
        """'编号 姓名' of whoever registered this number ('' when nobody did)."""
        return self._by_digits.get(_norm_digits(found.translate(_CHINESE)), ("", ""))[1]


KnownLike = Known | Iterable[str]
"""A Known, or bare values (ID numbers, phones) of nobody in particular."""


def _known(known: KnownLike) -> Known:
    return known if isinstance(known, Known) else Known.of((), known)


# ---- finding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One private detail found in a text."""

    kind: str
    """身份证号码, 手机号码, 电话号码 or 地址."""
    text: str
    """As written."""
    start: int
    """Offset of the first character in the text."""
    end: int
    """Offset after the last character."""
    owner: str = ""
    """'编号 姓名' of the nominee whose registered number it is ('' when it is not on record)."""

    @property
    def masked(self) -> str:
        """For messages: the first 3 and last 2 characters of a number, the rest as *."""
        if self.kind == ADDRESS:
            return self.text[:4] + "…"
        core = _norm_digits(self.text.translate(_CHINESE))
        return core[:3] + "*" * (len(core) - 5) + core[-2:] if len(core) > 6 else "*" * len(core)


def _group_hits(probe: str, text: str) -> list[Hit]:
    """ID- and mobile-shaped numbers among the digit groups of `probe`, as hits in `text`."""
    hits: list[Hit] = []
    for chunk in _CHUNK.finditer(probe):
        groups = [(m.start() + chunk.start(), m.end() + chunk.start(), m.group(0))
                  for m in re.finditer(r"\d+[Xx]?", chunk.group(0))]
        singles = all(len(g[2]) == 1 for g in groups)
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j][2]
                if len(digits) > 18:
                    break
                sizes = [len(g[2]) for g in groups[i:j + 1]]
                whole = i == 0 and j == len(groups) - 1
                grouped = len(sizes) == 1 or all(s >= 3 for s in sizes[:-1]) or (singles and whole)
                if not grouped:
                    continue
                start, end = groups[i][0], groups[j][1]
                upper = digits.upper()
                spaced = singles and whole
                if (len(upper) == 11 and _MOBILE_DIGITS.fullmatch(upper)
                        and (spaced or (len(sizes) <= 3 and sizes[-1] >= 3))):
                    hits.append(Hit(MOBILE, text[start:end], start, end))
                elif (len(upper) == 18 and (spaced or len(sizes) <= 5)
                        and (_ID18.fullmatch(upper) or (len(sizes) == 1 and _ANY18.fullmatch(upper)))):
                    hits.append(Hit(ID, text[start:end], start, end))
    for pattern, kind in ((_ID15, ID), (_MOBILE86, MOBILE)):
        hits += [Hit(kind, text[m.start():m.end()], m.start(), m.end()) for m in pattern.finditer(probe)]
    return hits


def find(text: str, known: KnownLike = (), *, nominee_text: bool = False) -> list[Hit]:
    """Every private detail in `text`, overlapping finds merged, in order.

    `nominee_text`: the text is a nominee's own (姓名, 单位, 事迹): landlines and street addresses
    without a lead word count too.
    """
    known = _known(known)
    ascii_probe, chinese_probe = text.translate(_ASCII), text.translate(_CHINESE)
    hits = known.find(chinese_probe, text) + _group_hits(ascii_probe, text) + _group_hits(chinese_probe, text)
    hits += [Hit(ADDRESS, text[m.start(1):m.end(1)], m.start(1), m.end(1)) for m in _ADDRESS.finditer(ascii_probe)]
    if nominee_text:
        hits += [Hit(PHONE, text[start:end], start, end) for start, end in phones.landlines(ascii_probe)]
        for kind, pattern in _NOMINEE_ONLY:
            for m in pattern.finditer(ascii_probe):
                start = m.end() - len(m.group(0).lstrip("：: \t"))
                hits.append(Hit(kind, text[start:m.end()], start, m.end()))
    merged: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end, not h.owner)):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            if hit.end > last.end:
                merged[-1] = replace(last, text=text[last.start:hit.end], end=hit.end, owner=last.owner or hit.owner)
            continue
        merged.append(hit)
    return merged


@dataclass(frozen=True)
class Redacted:
    """Text with private details removed."""

    text: str
    """The public text."""
    removed: tuple[str, ...]
    """What kinds of detail were removed (身份证号码, 手机号码, 电话号码, 地址), one per removal."""


def redact(text: str, known: KnownLike = ()) -> Redacted:
    """A nominee's text → Redacted: every private detail (`find` with nominee_text) replaced by "（略）"."""
    hits = find(text, known, nominee_text=True)
    if not hits:
        return Redacted(text, ())
    pieces: list[str] = []
    last = 0
    for hit in hits:
        pieces += [text[last:hit.start], REDACTED]
        last = hit.end
    pieces.append(text[last:])
    out = re.sub(f"(?:{re.escape(REDACTED)})+", REDACTED, "".join(pieces))
    return Redacted(out, tuple(h.kind for h in hits))


PUBLIC_FIELDS = (("name", "姓名"), ("unit_and_post", "工作单位及职务"), ("occupation", "职业（工种）"),
                 ("summary", "简要事迹"))
"""The Candidate fields a public document may show, with their roster column names."""


@dataclass(frozen=True)
class Removal:
    """What `public_candidate` removed from one field."""

    column: str
    """The roster column (姓名, 工作单位及职务, 职业（工种）, 简要事迹)."""
    kinds: tuple[str, ...]
    """The kinds removed, each once (身份证号码, 手机号码, 电话号码, 地址)."""

    def note(self, row: int) -> str:
        """The office's note: what was replaced and where to delete it."""
        return (f"名册第{row}行“{self.column}”中有{'、'.join(self.kinds)}，公开文件中已以“{REDACTED}”代替"
                f"（请在名册中删去后重新运行）")


def public_candidate(candidate: Candidate, known: KnownLike = ()) -> tuple[Candidate, tuple[Removal, ...]]:
    """A nominee → the same with every public field (PUBLIC_FIELDS) redacted, and what was removed.

    `known` should hold every nominee's numbers (`Known.of`); the nominee's own are always added.
    ID number and phone stay (the registry needs them); no public document prints them.
    """
    known = _known(known) + Known.of([candidate])
    values: dict[str, str] = {}
    removals: list[Removal] = []
    for field, column in PUBLIC_FIELDS:
        result = redact(getattr(candidate, field), known)
        values[field] = result.text
        if result.removed:
            removals.append(Removal(column, tuple(dict.fromkeys(result.removed))))
    if not removals:
        return candidate, ()
    return replace(candidate, name=values["name"], unit_and_post=values["unit_and_post"],
                   occupation=values["occupation"], summary=values["summary"]), tuple(removals)


def public_awardees(awardees: Sequence[Awardee], known: KnownLike = (),
                    say: Callable[[str], None] | None = None) -> tuple[Awardee, ...]:
    """Awardees → the same with their public fields redacted (`public_candidate`); each change is said."""
    out = []
    for a in awardees:
        original = a.nominee.candidate
        candidate, removals = public_candidate(original, known)
        for removal in removals:
            if say is not None:
                say(f"提示：【{original.label}】{removal.note(original.row)}")
        out.append(a if not removals else replace(a, nominee=replace(a.nominee, candidate=candidate)))
    return tuple(out)


# ---- reading written files -------------------------------------------------------------------

_TEXT_SUFFIXES = frozenset({".txt", ".csv", ".md", ".json", ".xml", ".svg", ".js", ".css", ".tsv", ".log", ".pem"})
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".bmp", ".icc"})


def _xml_text(data: bytes, between: bytes = b" ") -> str:
    """Text content of an XML part: each run of tags becomes `between`, entities are decoded."""
    text = re.sub(rb"(?:<[^>]*>)+", between, data).decode("utf-8", errors="replace")
    return html.unescape(text)


def _html_text(data: bytes) -> str:
    """What an HTML page holds, read by lxml's HTML parser (entities and character references decoded).

    Its text (with scripts, styles and comments) has one space where tags were, so digit groups split by
    a tag still read as one number; each attribute value is a line of its own, so that sizes and
    coordinates next to each other (width="1440" height="1440") never do.
    """
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    except lxml.etree.ParserError:  # nothing but whitespace
        return ""
    text: list[str] = []
    attributes: list[str] = []
    for node in root.iter():
        if isinstance(node.tag, str):
            attributes += node.attrib.values()
        text += [piece for piece in (node.text, node.tail) if piece]
    return "\n".join([" ".join(text), *attributes])


def _office_text(data: bytes) -> str:
    """Every XML part of a DOCX/XLSX/PPTX (body, headers, footers, comments, shared strings, properties).

    A worksheet's shared-string indexes are not text (the strings are read from sharedStrings.xml);
    its cells are separate lines, so two numeric cells never read as one number.
    """
    parts: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith((".xml", ".rels")):
                continue
            raw = archive.read(name)
            if name.startswith("xl/worksheets/"):
                raw = re.sub(rb"<c\b[^>]*\bt=\"s\"[^>]*>.*?</c>", b"<c/>", raw, flags=re.DOTALL)
                parts.append(_xml_text(raw, b"\n"))
            else:
                parts.append(_xml_text(raw))
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    """Text of every page of a PDF (poppler's pdftotext, pypdf where it is missing or fails), plus its metadata."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    try:
        parts = [subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                                check=True, timeout=600).stdout.decode("utf-8", "replace")]
    except (OSError, subprocess.SubprocessError):
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
        return data.decode("utf-8", errors="replace") + "\n" + _html_text(data)
    if suffix in _IMAGE_SUFFIXES:
        return ""
    if suffix in _TEXT_SUFFIXES or not suffix:
        return data.decode("utf-8-sig", errors="replace")
    raise ValueError(f"无法检查这种文件的文字：{name}")


# ---- scanning --------------------------------------------------------------------------------


def scan_hits(text: str, known: KnownLike = ()) -> list[Hit]:
    """Text of a written file → what still looks private, each number once (by its digits).

    Besides `find`, the text is read once more with the spaces between digits removed, as a PDF text
    extractor may split one number into several.
    """
    known = _known(known)
    hits = find(text, known)
    squeezed = _DIGIT_GAP.sub("", text)
    if squeezed != text:
        hits += [h for h in find(squeezed, known) if h.kind != ADDRESS]
    out: dict[str, Hit] = {}
    for hit in hits:
        key = hit.text if hit.kind == ADDRESS else _norm_digits(hit.text.translate(_CHINESE))
        if key not in out:
            out[key] = hit if hit.owner else replace(hit, owner=known.owner(hit.text))
    return list(out.values())


def scan_text(text: str, known: KnownLike = ()) -> list[str]:
    """Text → the suspicious ID numbers, mobile numbers, registered numbers and addresses in it (each once)."""
    known = _known(known)
    given = {_norm_digits(value): value.strip() for value in known.raw}
    out = []
    for hit in scan_hits(text, known):
        digits = "" if hit.kind == ADDRESS else _norm_digits(hit.text.translate(_CHINESE))
        out.append(given.get(digits, hit.text.strip()))
    return out


def file_hits(name: str, data: bytes, known: KnownLike = (), seen: set[str] | None = None) -> list[tuple[str, Hit]]:
    """One file's bytes → (member path or '', hit) for what looks private; a ZIP is read member by member.

    `seen` holds the SHA-256 of contents already scanned (a ZIP repeats the files beside it): skipped.
    """
    known = _known(known)
    if seen is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            return []
        seen.add(digest)
    if Path(name).suffix.lower() == ".zip":
        hits: list[tuple[str, Hit]] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in sorted(archive.namelist()):
                if not member.endswith("/"):
                    hits += [(member, h) for _, h in file_hits(member, archive.read(member), known, seen)]
        return hits
    return [("", h) for h in scan_hits(extract_text(name, data), known)]


def scan_bytes(name: str, data: bytes, known: KnownLike = ()) -> list[str]:
    """The suspicious numbers in one file's bytes; a ZIP is scanned member by member ('member: number')."""
    known = _known(known)
    out = []
    for member, hit in file_hits(name, data, known):
        shown = scan_text(hit.text, known)[:1] or [hit.text]
        out.append(f"{member}: {shown[0]}" if member else shown[0])
    return out


def scan_file(path: Path, known: KnownLike = ()) -> list[str]:
    """A public file (PDF, DOCX, XLSX, HTML, TXT, JSON, ZIP …) → the suspicious numbers it shows."""
    return scan_bytes(path.name, path.read_bytes(), known)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def scan_tree(folder: Path, known: KnownLike = ()) -> dict[Path, list[str]]:
    """Every file under `folder` → its suspicious numbers (only files with hits are listed)."""
    known = _known(known)
    found: dict[Path, list[str]] = {}
    for path in _files(folder):
        try:
            hits = scan_file(path, known)
        except ValueError:
            continue
        if hits:
            found[path] = hits
    return found


def guard(targets: Iterable[Path], known: KnownLike, *, stage: str,
          shown: Callable[[Path], Path] | None = None) -> None:
    """After writing: every public file in `targets` (files or folders) is read back; when anything private
    survived, the offending files are removed and RenderError names nominee, file and fix.

    `stage` is the make target that rebuilds the files ('make publicity'); `shown` maps a path to the one
    the office knows (a staging folder's file → where it would have been published).
    """
    known = _known(known)
    seen: set[str] = set()
    found: dict[Path, list[tuple[str, Hit]]] = {}
    for target in targets:
        for path in ([target] if target.is_file() else _files(target) if target.is_dir() else []):
            try:
                hits = file_hits(path.name, path.read_bytes(), known, seen)
            except ValueError:
                continue
            if hits:
                found[path] = hits
    if not found:
        return
    for path in found:
        path.unlink(missing_ok=True)
    owners = list(dict.fromkeys(h.owner for hits in found.values() for _, h in hits if h.owner))
    details = []
    for path, hits in found.items():
        for member, hit in hits[:3]:
            where = f"{path.name}{' 中的 ' + member if member else ''}"
            whose = f"（{hit.owner}登记的号码）" if hit.owner else ""
            details.append(f"{where}：{hit.kind}“{hit.masked}”{whose}")
    files = "、".join(str(shown(p) if shown else p) for p in found)
    raise RenderError(
        f"公开文件中仍有个人信息，已删除这些文件，未发布：{'；'.join(details[:6])}"
        + (f" 等 {sum(len(h) for h in found.values())} 处" if len(details) > 6 else ""),
        candidate="、".join(owners),
        file=files,
        hint=f"在名册（姓名、工作单位及职务、职业（工种）、简要事迹）和该人选的先进事迹材料中删去号码或住址，"
             f"然后重新运行 {stage}；如名册和材料中都没有，请联系技术人员")
