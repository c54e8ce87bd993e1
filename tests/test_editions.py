"""The shipped editions through the Make targets: the demo is clean, each mistake is caught."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pipeline.edition import PROJECT_ROOT
from tests.conftest import DEMO, MISTAKES

pytestmark = pytest.mark.slow


def make(target: str, edition: Path) -> subprocess.CompletedProcess[str]:
    """Run a Make target on an edition with output going to the test's XN_OUTPUT."""
    return subprocess.run(["make", "--no-print-directory", target, f"EDITION={edition}"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, env=os.environ.copy())


def report(edition: Path) -> dict[str, object]:
    path = Path(os.environ["XN_OUTPUT"]) / edition.name / "check" / "report.json"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_demo_edition_is_clean() -> None:
    proc = make("check", DEMO)
    assert proc.returncode == 0, proc.stderr
    data = report(DEMO)
    assert data["summary"] == {"nominees": 44, "ok": 44, "with_warnings": 0, "with_errors": 0,
                               "errors": 0, "warnings": 0, "by_code": {}}
    nominees = data["nominees"]
    assert isinstance(nominees, list)
    assert all(n["photo"] for n in nominees)


def test_mistakes_edition_catches_each_mistake() -> None:
    expected: dict[str, list[str]] = json.loads((MISTAKES / "expected.json").read_text(encoding="utf-8"))
    proc = make("check", MISTAKES)
    assert proc.returncode != 0
    assert "有错误" in proc.stderr
    data = report(MISTAKES)
    nominees = data["nominees"]
    assert isinstance(nominees, list)
    got = {n["编号"]: sorted({f["code"] for f in n["findings"]}) for n in nominees}
    assert got == {code: sorted(codes) for code, codes in expected.items()}
    for n in nominees:
        for f in n["findings"]:
            assert f["message"] and f["hint"], f
            assert f["candidate"]["编号"] == n["编号"]
            assert f["field"] or f["file"], f
    html = (Path(os.environ["XN_OUTPUT"]) / "mistakes" / "check" / "report.html").read_text(encoding="utf-8")
    assert "A&amp;B食品有限公司{{ 7*7 }}车间" in html  # M02's hostile unit name, shown as text
