"""The project's own documentation (docs/) stays complete: every finding code the code can emit is
described in docs/codes.md, and every code described there still exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pipeline.preflight.findings import CODES as PREFLIGHT_CODES
from pipeline.stages.check_report import CODE_TITLES

ROOT = Path(__file__).resolve().parent.parent
CODE_SHAPE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
"""How a finding code looks: upper-case words joined by underscores (ID_CHECKSUM)."""
NOT_CODES = frozenset({"SOURCE_DATE_EPOCH", "XDG_CACHE_HOME", "FONTCONFIG_FILE", "OMP_THREAD_LIMIT",
                       "INFERENCE_NUM_THREADS", "ENABLE_CPU_PINNING"})
"""Strings of that shape that are not finding codes: environment variables and settings of other programs (ours
start with XN_). Add a name here only if it is not a code a user can meet."""


def _literals(path: Path) -> set[str]:
    """String constants shaped like a code in one module, less the names listed in __all__."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exported = {id(n) for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
                for n in ast.walk(node.value)}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and CODE_SHAPE.fullmatch(node.value) and id(node) not in exported}


def emitted_codes() -> set[str]:
    """Every code in pipeline/: code-shaped string constants, plus the titled codes (EXCLUDED has one word)."""
    found = set(CODE_TITLES) | set(PREFLIGHT_CODES)
    for path in (ROOT / "pipeline").rglob("*.py"):
        found |= _literals(path)
    return {c for c in found if c not in NOT_CODES and not c.startswith("XN_")}


def documented_codes() -> set[str]:
    """Codes in the first column of docs/codes.md's tables."""
    text = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", text, flags=re.MULTILINE))


def test_every_code_the_pipeline_emits_is_documented() -> None:
    missing = emitted_codes() - documented_codes()
    assert not missing, f"docs/codes.md 缺少这些代码的说明（请各加一行）：{sorted(missing)}"


def test_every_documented_code_still_exists() -> None:
    stale = documented_codes() - emitted_codes()
    assert not stale, f"docs/codes.md 中这些代码程序已不再使用（请删除或改正）：{sorted(stale)}"


def test_known_codes_are_found() -> None:
    """The scan itself works: codes of each family, including the newest and the one-word one."""
    codes = emitted_codes()
    for code in ("ID_CHECKSUM", "EXCLUDED", "EVIDENCE_HOLDER_MISMATCH", "EVIDENCE_DATE_READ", "INTAKE_ZIP_ENCRYPTED",
                 "PF_INK_LIMIT", "SCORE_OUT_OF_RANGE", "OBJECTION_OPEN", "PACKET_FAILED", "CALENDAR_YEAR_UNKNOWN"):
        assert code in codes
    assert not codes & {"SOURCE_DATE_EPOCH", "XN_EDITION", "FLOOR_PT"}


def test_readme_links_the_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "SPEC.md" not in readme, "README 不应再引用仓库外的 SPEC.md"
    for page in ("docs/codes.md", "docs/input.md", "docs/edition.md", "docs/windows-wsl.md"):
        assert page in readme and (ROOT / page).is_file(), page
