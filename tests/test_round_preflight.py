"""The whole round through `make demo`, ending in a preflight with zero findings (issue 10 "done when").

`make demo` runs every stage and then `make preflight`'s command; the demo edition and the stress
edition (the worst realistic case: long and compound names, 40-character units, a 60-line 简历)
must come out with nothing a printer, an editor or the office would send back. Also checks what
the receivers see of the public order: certificate numbers and the 公示 follow 姓氏笔画 order.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pipeline.core.edition import PROJECT_ROOT
from pipeline.rules.strokes import stroke_sort_key
from tests.conftest import DEMO, make_command

pytestmark = pytest.mark.slow

STRESS = PROJECT_ROOT / "input" / "examples" / "stress"


def make_demo(edition: Path) -> subprocess.CompletedProcess[str]:
    """`make demo EDITION=…` with output, registry and keys in the test's folders (setup not remade)."""
    return subprocess.run(make_command("demo", f"EDITION={edition}"),
                          cwd=PROJECT_ROOT, capture_output=True, text=True, env=os.environ.copy())


@pytest.mark.parametrize("edition", [DEMO, STRESS], ids=["demo", "stress"])
def test_whole_round_ends_with_a_clean_preflight(edition: Path) -> None:
    proc = make_demo(edition)
    out = Path(os.environ["XN_OUTPUT"]) / edition.name
    report_path = out / "preflight.json"
    assert report_path.is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    findings = [(f["code"], f["file"], f.get("page"), f.get("cell"), f["message"]) for f in report["findings"]]
    assert findings == [], findings[:20]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "印前检查" in proc.stdout + proc.stderr

    # what the public sees: the 公示 rows and the certificate numbers in 姓氏笔画 order
    listing = json.loads((out / "certificates" / "证书清单.json").read_text(encoding="utf-8"))
    names = [e["姓名"] for e in listing["certificates"]]
    numbers = [e["证书编号"] for e in listing["certificates"]]
    assert numbers == sorted(numbers)
    assert names == sorted(names, key=stroke_sort_key)
    ranked = json.loads((out / "results" / "awardees.json").read_text(encoding="utf-8"))["awardees"]
    assert len(ranked) == len(names)
