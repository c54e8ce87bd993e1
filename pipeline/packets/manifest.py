"""What each packet was built from: content hashes, the code version, per-nominee manifests.

    output/<edition>/.work/packets/
      hashes.json        path → [size, mtime_ns, sha256]: a file is re-hashed only when
                         its size or mtime changed (touching a file costs one hash, not a
                         rebuild — the content decides)
      <编号>-<hash>.json  the fingerprint a packet was built from and its outputs (size,
                         sha256, pages); written after the outputs, so a killed run leaves
                         no manifest and the next run rebuilds that packet

A packet is up to date when its fingerprint (roster row, file contents, the edition's
settings that reach the packet, fonts, templates and code) equals the manifest's and every
output still exists with the recorded size.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.edition import PROJECT_ROOT, Edition
from pipeline.core.model import Candidate, Evidence
from pipeline.render.fonts import FontSet

CODE_FILES: tuple[str, ...] = (
    "pipeline/packets",
    "pipeline/stages/packets.py",
    "pipeline/rules/materials.py",
    "pipeline/render/fonts.py",
    "pipeline/render/fontpack.py",
    "pipeline/render/weasy.py",
    "pipeline/render/templating.py",
    "pipeline/render/wordbreak.py",
    "templates/packet",
)
"""Code and templates whose change rebuilds every packet."""

MANIFEST_VERSION = 1



class HashCache:
    """Content hashes keyed by path, trusted while size and mtime are unchanged."""

    def __init__(self, store: Path) -> None:
        """Cache file → a cache (empty when the file is missing or unreadable)."""
        self.store = store
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        try:
            data = json.loads(store.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self.entries = data
        except (OSError, ValueError):
            pass

    def digest(self, path: Path) -> str:
        """Path → its content hash ('missing' when it does not exist)."""
        key = str(path)
        try:
            st = path.stat()
        except OSError:
            return "missing"
        entry = self.entries.get(key)
        if entry and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
            return str(entry[2])
        value = atomic.sha256_file(path)
        self.entries[key] = [st.st_size, st.st_mtime_ns, value]
        self.dirty = True
        return value

    def save(self, keep: Iterable[Path] | None = None) -> None:
        """Write the cache back (pruned to `keep` when given) if anything changed."""
        if keep is not None:
            wanted = {str(p) for p in keep}
            pruned = {k: v for k, v in self.entries.items() if k in wanted}
            if len(pruned) != len(self.entries):
                self.entries, self.dirty = pruned, True
        if self.dirty:
            atomic.write_text(self.store, json.dumps(self.entries, ensure_ascii=False, sort_keys=True))
            self.dirty = False


def code_paths() -> list[Path]:
    """The code and template files of CODE_FILES → their paths, sorted."""
    out: list[Path] = []
    for name in CODE_FILES:
        path = PROJECT_ROOT / name
        if path.is_dir():
            out.extend(p for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            out.append(path)
    return out


@functools.cache
def _library_versions() -> str:
    """Versions of the rendering libraries → one string (an upgrade rebuilds every packet)."""
    from importlib import metadata

    names = ("weasyprint", "pydyf", "pikepdf", "img2pdf", "pillow", "docxtpl", "python-docx", "jinja2",
             "fonttools", "jieba")
    versions = []
    for name in names:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=?")
    return ",".join(versions)


def code_fingerprint(cache: HashCache) -> str:
    """Templates, code and library versions → one hash (a change rebuilds every packet)."""
    digest = hashlib.sha256(_library_versions().encode())
    for path in code_paths():
        digest.update(f"{path.relative_to(PROJECT_ROOT).as_posix()}={cache.digest(path)}\n".encode())
    return digest.hexdigest()


def edition_fingerprint(edition: Edition, fonts: FontSet) -> str:
    """The edition settings and fonts that reach a packet → one hash."""
    data = {
        "round": dataclasses.asdict(edition.round),
        "phases": {k: dataclasses.asdict(v) for k, v in sorted(edition.phases.items())},
        "office": dataclasses.asdict(edition.office),
        "photo": dataclasses.asdict(edition.photo),
        "packets": dataclasses.asdict(edition.packets),
        "packets_raw": edition.raw.get("packets", {}),
        "fonts": [(r, f.face.family, str(f.face.file), f.face.index) for r, f in sorted(fonts.roles.items())]
        + [("fallback", f.face.family, str(f.face.file), f.face.index) for f in fonts.fallback],
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def packet_fingerprint(
    *, common: str, candidate: Candidate, photo: Path | None, deeds: Path | None,
    evidence: tuple[Evidence, ...], cache: HashCache, source_epoch: int, text_layer: str = "",
) -> str:
    """Everything one packet is made from → one hash (text_layer: textlayer.layer_digest of its scans' text)."""
    row = dataclasses.asdict(candidate)
    row.pop("row", None)  # moving a row in the roster changes nothing printed
    data = {
        "common": common,
        "candidate": row,
        "photo": cache.digest(photo) if photo else None,
        "deeds": [deeds.suffix.lower(), cache.digest(deeds)] if deeds else None,
        "evidence": [[e.category, e.title, str(e.date), e.rel, cache.digest(e.path)] for e in evidence],
        "source_epoch": source_epoch,
        "text_layer": text_layer,
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class OutputRecord:
    """One output file as built."""

    path: str
    """Absolute path."""
    size: int
    """Bytes."""
    sha256: str
    """Content hash."""


@dataclass(frozen=True)
class Manifest:
    """What a packet was built from and what it produced."""

    code: str
    """编号."""
    name: str
    """姓名."""
    fingerprint: str
    """Input fingerprint."""
    pages: int
    """Pages of the bound PDF."""
    email_dpi: int
    """Resolution limit of the e-mail copy's scans."""
    email_fits: bool
    """Whether the e-mail copy is within the budget."""
    outputs: tuple[OutputRecord, ...]
    """The files written."""
    email_is_master: bool = False
    """The print master is within the e-mail budget and is the e-mail copy (no packets/email/ file)."""

    def current(self, fingerprint: str) -> bool:
        """True when built from this fingerprint and every output is still there, whole."""
        if fingerprint != self.fingerprint:
            return False
        for out in self.outputs:
            try:
                if Path(out.path).stat().st_size != out.size:
                    return False
            except OSError:
                return False
        return True

    def to_json(self) -> dict[str, Any]:
        """The manifest as stored."""
        return {"version": MANIFEST_VERSION, **dataclasses.asdict(self)}


def manifest_path(work: Path, code: str) -> Path:
    """.work/packets/<编号>-<hash>.json (the hash keeps odd 编号 apart after sanitising)."""
    from pipeline.core.safepath import child, safe_name

    return child(work, f"{safe_name(code)}-{hashlib.sha256(code.encode()).hexdigest()[:8]}.json")


def read_manifest(work: Path, code: str) -> Manifest | None:
    """The stored manifest of a nominee, None when missing or unreadable."""
    try:
        data = json.loads(manifest_path(work, code).read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION:
            return None
        return Manifest(
            code=data["code"], name=data["name"], fingerprint=data["fingerprint"], pages=int(data["pages"]),
            email_dpi=int(data["email_dpi"]), email_fits=bool(data["email_fits"]),
            outputs=tuple(OutputRecord(o["path"], int(o["size"]), o["sha256"]) for o in data["outputs"]),
            email_is_master=bool(data.get("email_is_master", False)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_manifest(work: Path, manifest: Manifest) -> None:
    """Store a nominee's manifest (atomically)."""
    atomic.write_text(manifest_path(work, manifest.code),
                      json.dumps(manifest.to_json(), ensure_ascii=False, indent=1, sort_keys=True))
