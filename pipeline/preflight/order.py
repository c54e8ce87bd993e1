"""Public order (issue 10 §6): every public list and numbering follows 姓氏笔画 order.

The expert ranking is internal. The 公示, the 特刊, the 01–20 numbering of 专栏, WeChat and
TV files, the certificate numbers and the 颁奖及补贴发放表 must list the awardees by the
strokes of their names (pipeline.rules.strokes.stroke_sort_key, when that module exists). Without
it the check still catches the worst case: a public list in score order.
"""

from __future__ import annotations

import html
import importlib
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.preflight.findings import PreflightFinding

SortKey = Callable[[str], Any]


def stroke_key() -> SortKey | None:
    """pipeline.rules.strokes.stroke_sort_key when it exists, else None."""
    try:
        module = importlib.import_module("pipeline.rules.strokes")
    except ModuleNotFoundError:
        return None
    key = getattr(module, "stroke_sort_key", None)
    return key if callable(key) else None


@dataclass(frozen=True)
class PublicList:
    """The awardees as one public document or numbering lists them."""

    file: str
    """The file or folder, relative to output/<edition>/."""
    what: str
    """What the order is, in Chinese ('专栏稿编号', '证书编号', '名单顺序')."""
    names: tuple[str, ...]
    """Names in the order shown."""


def order_findings(lists: Sequence[PublicList], ranking: Sequence[str],
                   key: SortKey | None) -> list[PreflightFinding]:
    """PF_PUBLIC_ORDER for every public list not in stroke order (or, without a key, in rank order)."""
    findings = []
    for pl in lists:
        names = list(pl.names)
        if len(names) < 2:
            continue
        if key is not None:
            expected = sorted(names, key=key)
            if names != expected:
                i = next(k for k, (a, b) in enumerate(zip(names, expected, strict=True)) if a != b)
                findings.append(PreflightFinding(
                    "PF_PUBLIC_ORDER", pl.file,
                    f"{pl.what}不是按姓氏笔画排列：第{i + 1}位是“{names[i]}”，按笔画应为“{expected[i]}”",
                    data={"shown": names, "expected": expected}))
        else:
            ranked = [n for n in ranking if n in set(names)]
            if len(names) >= 3 and names == ranked:
                findings.append(PreflightFinding(
                    "PF_PUBLIC_ORDER", pl.file,
                    f"{pl.what}与评分排名完全相同（{names[0]}、{names[1]}、{names[2]}……），公开材料泄露了内部排名",
                    data={"shown": names}))
    return findings


def numbered_names(paths: Sequence[Path], known: set[str]) -> list[str]:
    """Names of files numbered 'NN-姓名…' (or 'XATN-2027-NNN-姓名'), in number order."""
    numbered: list[tuple[int, str]] = []
    for path in paths:
        stem = path.stem
        m = re.match(r"^(?:[A-Za-z]+-\d{4}-)?(\d{1,3})-(.+)$", stem)
        if not m:
            continue
        rest = m.group(2)
        name = next((n for n in sorted(known, key=len, reverse=True) if rest.startswith(n)), "")
        if name:
            numbered.append((int(m.group(1)), name))
    return [name for _, name in sorted(numbered)]


def names_in_text(text: str, known: Sequence[str]) -> list[str]:
    """The known names in order of their first appearance in a text."""
    found = []
    flat = "".join(text.split())
    for name in known:
        at = flat.find("".join(name.split()))
        if at >= 0:
            found.append((at, name))
    return [name for _, name in sorted(found)]


def html_text(path: Path) -> str:
    """Visible text of an HTML file (tags dropped, entities decoded)."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", raw)
    return html.unescape(re.sub(r"<[^>]+>", " ", raw))


def xlsx_names(path: Path, known: set[str]) -> list[str]:
    """Names in the 姓名 column of the first sheet, top to bottom."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about fixed document dates
        wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    names: list[str] = []
    column: int | None = None
    for row in ws.iter_rows(values_only=True):
        cells = ["" if v is None else "".join(str(v).split()) for v in row]
        if column is None:
            if "姓名" in cells:
                column = cells.index("姓名")
            continue
        if column < len(cells) and cells[column] in known:
            names.append(cells[column])
    wb.close()
    return names
