"""The golden-image comparison helper (tests/imagecompare.py) tested on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.imagecompare import assert_matches_golden, compare_images


def page(text_offset: int = 0, line: bool = True) -> Image.Image:
    """A small 'page': white with a frame, a block of text-like bars and an optional line."""
    img = Image.new("RGB", (200, 280), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 10, 190, 270), outline="black")
    for i in range(8):
        draw.rectangle((30 + text_offset, 40 + i * 20, 150 + text_offset, 48 + i * 20), fill=(30, 30, 30))
    if line:
        draw.line((20, 250, 180, 250), fill="black", width=2)
    return img


def test_identical_images_match() -> None:
    result = compare_images(page(), page())
    assert result.ok and result.differing == 0 and result.max_delta == 0


def test_faint_noise_is_tolerated() -> None:
    noisy = page()
    px = noisy.load()
    assert px is not None
    for x in range(0, 200, 7):
        px[x, 5] = (235, 235, 235)  # anti-aliasing-like change, below the tolerance
    assert compare_images(noisy, page()).ok


def test_a_few_strong_pixels_are_tolerated_but_a_missing_line_is_not() -> None:
    speck = page()
    speck.putpixel((100, 5), (0, 0, 0))
    assert compare_images(speck, page()).ok
    result = compare_images(page(line=False), page())
    assert not result.ok
    assert result.differing > 0.003


def test_moved_text_fails() -> None:
    assert not compare_images(page(text_offset=6), page()).ok


def test_size_mismatch_fails() -> None:
    result = compare_images(page().resize((100, 140)), page())
    assert not result.same_size and not result.ok
    assert "sizes differ" in result.describe()


def test_failure_writes_actual_expected_and_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    golden = tmp_path / "golden.png"
    page().save(golden)
    results = tmp_path / "results"
    assert_matches_golden(page(), golden, results=results)  # passes, writes nothing
    assert not results.exists()
    with pytest.raises(AssertionError, match="golden.png"):
        assert_matches_golden(page(line=False), golden, results=results)
    assert sorted(p.name for p in results.iterdir()) == ["golden-actual.png", "golden-diff.png", "golden-expected.png"]


def test_missing_golden_fails_unless_updating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    golden = tmp_path / "new.png"
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    with pytest.raises(AssertionError, match="UPDATE_GOLDEN"):
        assert_matches_golden(page(), golden)
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    assert_matches_golden(page(), golden)
    assert golden.is_file()
