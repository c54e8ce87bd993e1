"""Finding and reading a nominee's files under `<edition>/candidates/<编号>/`.

The folder is `safepath.child(candidates, 编号)`, and a file (or folder) that is a link leading
outside the edition folder is refused, never opened (FILE_OUTSIDE_EDITION).

    照片.jpg | .jpeg | .png                 the 2-inch photo
    先进事迹.docx | .md | .txt              the deeds text (~2000 characters)
    evidence/<类别>/<date>-<title>.<ext>    scans: .jpg .jpeg .png .tif .tiff .pdf
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.model import EVIDENCE_CATEGORIES, Evidence, Materials, RefusedFile, YearMonth
from pipeline.core.safepath import child, inside, link_target

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
    """Find the files of nominee `code`; missing files are for the checks to report.

    UnsafePath when `code` cannot be a folder name (the roster reports it as CODE_FORMAT).
    A link that leads outside the edition folder is listed in `refused`, never in the files.
    """
    folder = child(edition_path / "candidates", code)
    evidence: list[Evidence] = []
    stray: list[str] = []
    refused: list[RefusedFile] = []

    def rel(path: Path) -> str:
        return path.relative_to(edition_path).as_posix()

    def allowed(path: Path, role: str, category: str = "") -> bool:
        """True when path stays inside the edition; else it is refused."""
        if inside(edition_path, path):
            return True
        refused.append(RefusedFile(rel(path) + ("/" if role == "folder" else ""), role, link_target(path), category))
        return False

    if folder.is_dir() and not allowed(folder, "folder"):
        return Materials(folder=folder, photo=None, deeds=None, evidence=(), refused=tuple(refused))
    photo, deeds = _find(folder, PHOTO_NAMES), _find(folder, DEEDS_NAMES)
    if folder.is_dir():
        known = {p.name for p in (photo, deeds) if p}
        for item in sorted(folder.iterdir()):
            if item.name in _IGNORED or item.name.startswith("."):
                continue
            if item.is_file() and item.name not in known:
                stray.append(rel(item))
            elif item.is_dir() and item.name != "evidence":
                stray.append(rel(item) + "/")
        ev_root = folder / "evidence"
        if ev_root.is_dir() and allowed(ev_root, "folder"):
            for cat_dir in sorted(ev_root.iterdir()):
                category = _nfc(cat_dir.name)
                if cat_dir.name.startswith(".") or cat_dir.name in _IGNORED:
                    continue
                if not cat_dir.is_dir() or category not in EVIDENCE_CATEGORIES:
                    stray.append(rel(cat_dir))
                    continue
                if not allowed(cat_dir, "folder", category):
                    continue
                for f in sorted(cat_dir.rglob("*")):
                    if not f.is_file() or f.name in _IGNORED or f.name.startswith("."):
                        continue
                    if f.suffix.lower() not in EVIDENCE_EXTENSIONS:
                        stray.append(rel(f))
                        continue
                    if allowed(f, "evidence", category):
                        date, title = parse_evidence_name(f.stem)
                        evidence.append(Evidence(category, title, date, f.resolve(), rel(f)))
    order = {c: i for i, c in enumerate(EVIDENCE_CATEGORIES)}
    evidence.sort(key=lambda e: (order[e.category], e.date or YearMonth(0, 0), e.title, e.rel))
    return Materials(
        folder=folder,
        photo=photo if photo is None or allowed(photo, "photo") else None,
        deeds=deeds if deeds is None or allowed(deeds, "deeds") else None,
        evidence=tuple(evidence),
        stray=tuple(stray),
        refused=tuple(refused),
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
