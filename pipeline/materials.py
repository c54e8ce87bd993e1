"""Finding and reading a nominee's files under `<edition>/candidates/<编号>/`.

    照片.jpg | .jpeg | .png                 the 2-inch photo
    先进事迹.docx | .md | .txt              the deeds text (~2000 characters)
    evidence/<类别>/<date>-<title>.<ext>    scans: .jpg .jpeg .png .tif .tiff .pdf
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.model import EVIDENCE_CATEGORIES, Evidence, Materials, YearMonth

PHOTO_NAMES = ("照片.jpg", "照片.jpeg", "照片.png")
DEEDS_NAMES = ("先进事迹.docx", "先进事迹.md", "先进事迹.txt")
EVIDENCE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"})
_DATE_PREFIX = re.compile(r"^(\d{4})\s*[.\-_年]?\s*(\d{1,2})\s*月?\s*[-_ ]+\s*(.+)$")
_IGNORED = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _find(folder: Path, names: tuple[str, ...]) -> Path | None:
    """The first file in folder whose name matches one of names, ignoring case of the extension."""
    if not folder.is_dir():
        return None
    by_name = {_nfc(p.name).lower(): p for p in folder.iterdir() if p.is_file()}
    for name in names:
        if name.lower() in by_name:
            return by_name[name.lower()]
    return None


def parse_evidence_name(stem: str) -> tuple[YearMonth | None, str]:
    """'2023.06-龙江技术能手' → (2023.06, '龙江技术能手'); no date prefix → (None, stem)."""
    stem = _nfc(stem).strip()
    m = _DATE_PREFIX.match(unicodedata.normalize("NFKC", stem))
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if 1950 <= year <= 2100 and 1 <= month <= 12:
            return YearMonth(year, month), m.group(3).strip()
    return None, stem


def scan_materials(edition_path: Path, code: str) -> Materials:
    """Find the files of nominee `code`; never fails (missing files are for the checks to report)."""
    folder = edition_path / "candidates" / code
    evidence: list[Evidence] = []
    stray: list[str] = []
    if folder.is_dir():
        known = {p.name for p in (_find(folder, PHOTO_NAMES), _find(folder, DEEDS_NAMES)) if p}
        for item in sorted(folder.iterdir()):
            if item.name in _IGNORED or item.name.startswith("."):
                continue
            if item.is_file() and item.name not in known:
                stray.append(item.relative_to(edition_path).as_posix())
            elif item.is_dir() and item.name != "evidence":
                stray.append(item.relative_to(edition_path).as_posix() + "/")
        ev_root = folder / "evidence"
        if ev_root.is_dir():
            for cat_dir in sorted(ev_root.iterdir()):
                category = _nfc(cat_dir.name)
                if cat_dir.name.startswith(".") or cat_dir.name in _IGNORED:
                    continue
                if not cat_dir.is_dir() or category not in EVIDENCE_CATEGORIES:
                    stray.append(cat_dir.relative_to(edition_path).as_posix())
                    continue
                for f in sorted(cat_dir.rglob("*")):
                    if not f.is_file() or f.name in _IGNORED or f.name.startswith("."):
                        continue
                    rel = f.relative_to(edition_path).as_posix()
                    if f.suffix.lower() not in EVIDENCE_EXTENSIONS:
                        stray.append(rel)
                        continue
                    date, title = parse_evidence_name(f.stem)
                    evidence.append(Evidence(category, title, date, f.resolve(), rel))
    order = {c: i for i, c in enumerate(EVIDENCE_CATEGORIES)}
    evidence.sort(key=lambda e: (order[e.category], e.date or YearMonth(0, 0), e.title, e.rel))
    return Materials(
        folder=folder,
        photo=_find(folder, PHOTO_NAMES),
        deeds=_find(folder, DEEDS_NAMES),
        evidence=tuple(evidence),
        stray=tuple(stray),
    )


@dataclass(frozen=True)
class DeedsText:
    """The 先进事迹材料 as text."""

    title: str
    """The first line/heading if it looks like a title ('…先进事迹材料'), else ''."""
    paragraphs: tuple[str, ...]
    """Body paragraphs, without the title."""

    @property
    def body(self) -> str:
        """All paragraphs joined by newlines."""
        return "\n".join(self.paragraphs)


class DeedsUnreadable(Exception):
    """The deeds file exists but cannot be read; the message says why (Chinese)."""


def read_deeds(path: Path) -> DeedsText:
    """Read a 先进事迹 file (.docx, .md, .txt in UTF-8 or GB18030)."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from docx import Document

        try:
            doc = Document(str(path))
        except Exception as exc:  # python-docx raises many types for a broken package
            raise DeedsUnreadable(f"无法打开 Word 文件（{type(exc).__name__}），文件可能已损坏或不是 .docx 格式") from exc
        lines = [p.text for p in doc.paragraphs]
    else:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                content = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DeedsUnreadable("文字编码无法识别（应为 UTF-8 或 GB18030）")
        lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if suffix == ".md":
            lines = [re.sub(r"^#+\s*", "", ln) for ln in lines]
    paragraphs = [unicodedata.normalize("NFC", ln).strip() for ln in lines]
    paragraphs = [p for p in paragraphs if p]
    title = ""
    if paragraphs and len(paragraphs[0]) <= 40 and ("事迹" in paragraphs[0] or len(paragraphs) > 1 and len(paragraphs[0]) <= 20):
        title = paragraphs.pop(0)
    return DeedsText(title, tuple(paragraphs))
