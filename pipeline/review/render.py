"""Rendering helpers of the review stages: HTML → PDF (WeasyPrint), manifests, shared formatting.

WeasyPrint only *logs* a missing image or a CSS rule it cannot use and still writes a PDF;
`html_to_pdf` captures its logger and fails the document instead. `Manifest` remembers the
fingerprint of what a document was made from, so a second run with nothing changed does no
rendering work.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, Edition
from pipeline.render.weasy import weasyprint_errors

_CODE_FILES = ("pipeline/review", "pipeline/stages/shortlist.py", "pipeline/stages/scoresheets.py",
               "pipeline/stages/results.py", "pipeline/stages/publicity.py", "pipeline/rules/workdays.py",
               "pipeline/render/fonts.py", "pipeline/render/office.py", "pipeline/render/templating.py", "pipeline/render/wordbreak.py",
               "pipeline/gongwen/docx_kit.py", "pipeline/gongwen/layout.py", "templates/review", "templates/publicity")


@functools.cache
def code_version() -> str:
    """Hash of the code and templates the review documents are made by: a change rebuilds them."""
    digest = hashlib.sha256()
    for rel in _CODE_FILES:
        path = PROJECT_ROOT / rel
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and file.suffix in {".py", ".j2", ".css", ".html", ".docx"}:  # .docx: 公示 template
                digest.update(file.relative_to(PROJECT_ROOT).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(*parts: Any) -> str:
    """A stable hash of JSON-able parts (dates, paths and dataclasses by their str)."""
    blob = json.dumps([code_version(), *parts], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes ('' when it does not exist)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


class Manifest:
    """output/<edition>/.work/review/<name>.json: the fingerprint a set of outputs was made from."""

    def __init__(self, ctx: RunContext, name: str) -> None:
        self.path = ctx.work / "review" / f"{name}.json"

    def current(self, key: str, outputs: Sequence[Path]) -> bool:
        """True when the outputs exist and were made from `key`."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return False
        return bool(data.get("key") == key and all(p.is_file() for p in outputs))

    def record(self, key: str) -> None:
        """Remember that the outputs are now made from `key`."""
        atomic.write_text(self.path, json.dumps({"key": key}) + "\n")

    def forget(self) -> None:
        """Drop the record (the outputs are stale or gone)."""
        self.path.unlink(missing_ok=True)


def html_to_pdf(html: str, target: Path, *, title: str, author: str, when: dt.datetime,
                base_url: Path | None = None) -> int:
    """HTML → PDF written atomically at `target` with fixed metadata; returns the page count."""
    from weasyprint import HTML

    from pipeline.render.fonts import use_project_fonts

    use_project_fonts()
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with weasyprint_errors(f" {target.name} ", file=str(target), hint="模板引用的图片或样式有误；请把此信息交给技术人员"):
        document = HTML(string=html, base_url=str(base_url or PROJECT_ROOT / "templates")).render()
        document.metadata.title = title
        document.metadata.authors = [author]
        document.metadata.created = stamp
        document.metadata.modified = stamp
        document.metadata.generator = "xingan-nengshou"
        data = document.write_pdf()
    assert isinstance(data, bytes)
    atomic.write_bytes(target, data)
    return len(document.pages)


def rel(ctx: RunContext, path: Path) -> str:
    """A path for messages: relative to the edition folder when inside it, else as is."""
    try:
        return path.resolve().relative_to(ctx.edition.path).as_posix()
    except ValueError:
        return str(path)


def font_context(edition: Edition) -> dict[str, Any]:
    """CSS font-family stacks and weights of the font roles, safe to put into templates."""
    from markupsafe import Markup

    from pipeline.render.fonts import resolve_fonts

    fonts = resolve_fonts(edition.fonts)
    song = ", ".join(['"宋体"', '"SimSun"', '"Noto Serif CJK SC"', fonts.stack("body")])
    out: dict[str, Any] = {"song": Markup(song)}
    for role in ("title", "body", "hei", "kai"):
        out[role] = Markup(fonts.stack(role))
        out[f"{role}_weight"] = Markup(fonts.roles[role].css_weight)
    out["key"] = [(r, f, o) for r, f, o in fonts.describe()]
    return out
