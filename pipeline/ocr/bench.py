"""OCR side by side: our engine and Tesseract (chi_sim) on the demo scans, against the known text.

The demo generator writes `<edition>/.ocr-truth.json` ({file: [page text, …]}): the exact strings
it drew on every evidence page. Both engines read the same page images (image files turned upright,
PDF pages without text rendered at the engine's RENDER_DPI), one thread each, and we report pages per
CPU-second and the character error rate: edit distance between what was read and the truth, over
the truth's length, after dropping whitespace and folding full-width forms (NFKC).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from pipeline.ocr import engine

TRUTH_FILE = ".ocr-truth.json"


@dataclass(frozen=True)
class Score:
    """One engine's figures over the sampled pages."""

    engine: str
    pages: int
    cpu_seconds: float
    errors: int
    """Edit operations summed over all pages."""
    chars: int
    """Characters of the truth summed over all pages."""

    @property
    def pages_per_second(self) -> float:
        """Pages per CPU-second (one thread)."""
        return self.pages / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def cer(self) -> float:
        """Character error rate, 0–1."""
        return self.errors / self.chars if self.chars else 0.0


def normalise(text: str) -> str:
    """NFKC, no whitespace: what the error rate compares."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def truth_pages(edition: Path) -> list[tuple[Path, int, str]]:
    """(file, page number, true text) of every evidence page of the edition."""
    data = json.loads((edition / TRUTH_FILE).read_text(encoding="utf-8"))
    return [(edition / rel, number, text) for rel, pages in sorted(data.items())
            for number, text in enumerate(pages, start=1)]


def _tesseract(image: Any) -> tuple[str, float]:
    """Tesseract's text of the image and the CPU seconds it took (one thread)."""
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "page.png"
        image.save(png)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(["tesseract", str(png), "stdout", "-l", "chi_sim", "--psm", "3"],
                              capture_output=True, text=True, check=False,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done.stdout, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def sample(pages: list[tuple[Path, int, str]], limit: int) -> list[tuple[Path, int, str]]:
    """At most `limit` pages spread evenly over the list (every page when limit ≤ 0)."""
    if limit <= 0 or len(pages) <= limit:
        return pages
    step = len(pages) / limit
    return [pages[int(i * step)] for i in range(limit)]


def compare(edition: Path, limit: int = 40) -> tuple[Score, Score]:
    """Both engines on up to `limit` demo pages → (ours, Tesseract)."""
    engine._single_thread()
    wanted = sample(truth_pages(edition), limit)
    by_file: dict[Path, dict[int, str]] = {}
    for path, number, text in wanted:
        by_file.setdefault(path, {})[number] = text
    ours = [0, 0.0, 0, 0]
    tess = [0, 0.0, 0, 0]
    for path, numbers in by_file.items():
        for number, page in engine.iter_pages(path, engine.RENDER_DPI, numbers):
            image = engine.as_rgb(page)
            truth = normalise(numbers[number])
            started = time.process_time()
            lines = engine.ocr_image(image)
            spent = time.process_time() - started
            read = normalise("".join(line.text for line in lines))
            ours[0] += 1
            ours[1] += spent
            ours[2] += Levenshtein.distance(read, truth)
            ours[3] += len(truth)
            text, spent = _tesseract(image)
            tess[0] += 1
            tess[1] += spent
            tess[2] += Levenshtein.distance(normalise(text), truth)
            tess[3] += len(truth)
    return (Score("RapidOCR（PP-OCRv4，OpenVINO）", int(ours[0]), ours[1], int(ours[2]), int(ours[3])),
            Score("Tesseract chi_sim", int(tess[0]), tess[1], int(tess[2]), int(tess[3])))


def report(edition: Path, limit: int = 40) -> list[str]:
    """The comparison as lines for `make bench`."""
    return lines(*compare(edition, limit))


def lines(ours: Score, tess: Score) -> list[str]:
    """Both engines' figures as lines."""
    out = [f"OCR 对比（演示届次扫描件 {ours.pages} 页，单线程，标准答案来自演示数据生成器）："]
    for s in (ours, tess):
        out.append(f"  {s.engine:<34} 每页 {s.cpu_seconds / max(1, s.pages):.2f} CPU 秒"
                     f"（{s.pages_per_second:.2f} 页/CPU 秒），字符错误率 {s.cer:.2%}")
    if tess.pages_per_second:
        out.append(f"  速度比（本引擎 / Tesseract）：{ours.pages_per_second / tess.pages_per_second:.2f} ×")
    return out
