"""The demo generator's ground truth of the evidence scans (.ocr-truth.json) covers every page."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from tests.conftest import DEMO, MISTAKES

TRUTH = ".ocr-truth.json"
DEMO_MARK = "演示材料·虚构·不具任何效力"


def evidence_pages(edition: Path) -> dict[str, int | None]:
    """Every evidence file of an edition → its page count (None when it cannot be opened)."""
    found: dict[str, int | None] = {}
    for path in sorted(edition.glob("candidates/*/evidence/*/*")):
        rel = path.relative_to(edition).as_posix()
        try:
            if path.suffix.lower() == ".pdf":
                with pikepdf.open(path) as pdf:
                    found[rel] = len(pdf.pages)
            else:
                with Image.open(path) as im:
                    im.load()
                    found[rel] = getattr(im, "n_frames", 1)
        except (OSError, pikepdf.PdfError):
            found[rel] = None  # M20's truncated scan: its truth is what was drawn before it was cut
    return found


@pytest.mark.parametrize("edition", [DEMO, MISTAKES], ids=["demo", "mistakes"])
def test_truth_covers_every_evidence_page(edition: Path) -> None:
    raw = (edition / TRUTH).read_text(encoding="utf-8")
    truth: dict[str, list[str]] = json.loads(raw)
    assert list(truth) == sorted(truth), "keys sorted: the file is deterministic"
    pages = evidence_pages(edition)
    assert set(truth) == set(pages)
    for rel, count in pages.items():
        if count is not None:
            assert len(truth[rel]) == count, rel
        for text in truth[rel]:
            lines = text.split("\n")
            assert all(line == line.strip() and line for line in lines) or text == "", rel
            if text:
                assert lines[-1] == DEMO_MARK, rel


def test_truth_of_the_ocr_mistakes() -> None:
    truth: dict[str, list[str]] = json.loads((MISTAKES / TRUTH).read_text(encoding="utf-8"))
    colleague = truth["candidates/M34/evidence/资格证书/2009.12-职业资格证书（技师）.jpg"][0]
    assert "姓　　名：王立峰" in colleague.split("\n") and "郝建军" not in colleague
    assert "二〇二四年五月" in truth["candidates/M35/evidence/荣誉证书/2026.05-大兴安岭地区三八红旗手荣誉证书.jpg"][0]
    assert any(k.startswith("candidates/M36/evidence/荣誉证书/大兴安岭") for k in truth)  # no date in the name
    assert "等　　级：技师" in truth["candidates/M37/evidence/荣誉证书/2025.09-职业资格证书（技师）.jpg"][0]
    shared = "evidence/荣誉证书/2025.04-大兴安岭地区工人先锋号荣誉证书.jpg"
    assert (MISTAKES / "candidates/M38" / shared).read_bytes() == (MISTAKES / "candidates/M39" / shared).read_bytes()
    assert "同志" not in truth[f"candidates/M38/{shared}"][0]  # a team certificate names no person
    assert truth["candidates/M40/evidence/奖励证书/2025.09-全区职业技能竞赛获奖证书.jpg"] == [""]
