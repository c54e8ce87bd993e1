"""The OCR engine: reads evidence files into `pipeline.ocr.Reading`.

`read_files(ctx, paths)` → {path: Reading}: cached by file content (a second run reads nothing
again), parallel across cores, progress through ctx.say. `iter_pages(path)` yields the page images in
the pixel space of the boxes: the one page loader of the engine, the bench and the check report's
thumbnails. `enabled()` is False when the environment sets XN_READ_EVIDENCE=0 (the test suite does,
except in the tests that read). A file that cannot be read at all is missing from the result: the
file checks (EVIDENCE_UNREADABLE) already say why.

How a file is read:
* JPEG, PNG, TIFF (every frame): turned upright by its EXIF orientation, read by RapidOCR (PP-OCRv4
  detection and recognition models inside the rapidocr-onnxruntime wheel; RapidOCR does the pre-
  and post-processing, OpenVINO's CPU runtime runs the two networks; nothing is downloaded). Coordinates are pixels of the *upright* image.
* PDF: a page with its own text layer gives its text and boxes directly (source "text", points);
  a page without text (a scan saved as PDF) is rendered by PDFium at RENDER_DPI and read by OCR.

Speed: detection runs on the page scaled to DET_SIDE pixels on its longer side (the models were
trained at that size; full resolution costs 3× the time and finds the same lines); the
orientation classifier is off (scans are upright after EXIF; an upside-down page reads as
nothing and draws EVIDENCE_NO_TEXT, which is what the office should hear). Pages are read in
worker processes, one inference thread each.

The cache holds one JSON file per content hash and engine version under XN_OCR_CACHE, or
output/.ocr-cache (shared by every edition: the same scan is read once). Files are written
atomically, readable by the owner only (they hold ID numbers).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.workers import process_pool
from pipeline.ocr import Line, Page, Reading

ENGINE = "rapidocr PP-OCRv4 on openvino det960 nocls rec1x48 v3"
"""Part of every cache key: a change of engine or settings reads everything again."""
DET_SIDE = 960
"""Longer side, in pixels, of the image the text detector sees."""
MAX_SIDE = 2400
"""A larger page image is scaled down to this before reading (A4 at ~200 dpi): boxes are scaled back."""
RENDER_DPI = 200
"""Resolution at which a PDF page without text is rendered for reading."""
MIN_TEXT_CHARS = 8
"""A PDF page with fewer characters of its own text than this is read by OCR instead."""
_IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff"})


@dataclass
class Stats:
    """What this process has read (for `make bench`)."""

    pages: int = 0
    ocr_seconds: float = 0.0


STATS = Stats()


def enabled() -> bool:
    """False when XN_READ_EVIDENCE=0: the evidence is then not read (no EVIDENCE_* text checks, no text layer)."""
    return os.environ.get("XN_READ_EVIDENCE", "1") != "0"


def cache_dir(ctx: RunContext) -> Path:
    """Where readings are kept: XN_OCR_CACHE, else output/.ocr-cache beside the editions' outputs."""
    configured = os.environ.get("XN_OCR_CACHE")
    return Path(configured) if configured else ctx.output.parent / ".ocr-cache"


# ---- the engine ---------------------------------------------------------------------------------

_LOCK = threading.Lock()


class _OpenVinoSession:
    """Stands in for RapidOCR's ONNX Runtime session: the same ONNX model, compiled by OpenVINO."""

    def __init__(self, model: Path, threads: int) -> None:
        import openvino

        core = openvino.Core()
        # No pinning: OpenVINO pins its inference threads to cores, and every worker process of the
        # pool would pin its one thread to the same core (measured: 2 workers kept 1.1 cores busy).
        settings: dict[str, Any] = {"ENABLE_CPU_PINNING": False}
        if threads > 0:
            settings["INFERENCE_NUM_THREADS"] = str(threads)
        core.set_property("CPU", settings)
        self._request = core.compile_model(str(model), "CPU").create_infer_request()

    def __call__(self, batch: Any) -> list[Any]:
        self._request.infer([batch])
        return [self._request.get_output_tensor(0).data.copy()]


@functools.cache
def _engine(threads: int) -> Any:
    import rapidocr_onnxruntime
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    kwargs: dict[str, Any] = {"print_verbose": False}
    if threads > 0:
        kwargs.update(intra_op_num_threads=threads, inter_op_num_threads=1)
    ocr = RapidOCR(**kwargs)
    det = ocr.text_det
    # RapidOCR's "max" limit picks 960/1500/2000 by the image's own size; we want DET_SIDE always.
    det.get_preprocess = lambda max_wh: DetPreProcess(DET_SIDE, "max", det.mean, det.std)
    # RapidOCR keeps its pre- and post-processing (and reads the character list from the model);
    # the two networks run on OpenVINO instead of ONNX Runtime: the same text, half the CPU time.
    # Recognition costs in proportion to the pixels it is given (≈ 75 % of a page's time). RapidOCR
    # pads every line of a batch of 6 to the widest and to at least 320 px (PaddleOCR's training
    # width); one line at a time at its own width gives the network 24 % fewer pixels on the demo
    # scans with the same text (CER 0.19 % instead of 0.21 %).
    rec = ocr.text_rec
    rec.rec_batch_num = 1
    rec.rec_image_shape = [3, 48, 48]
    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    det.infer = _OpenVinoSession(models / "ch_PP-OCRv4_det_infer.onnx", threads)
    rec.session = _OpenVinoSession(models / "ch_PP-OCRv4_rec_infer.onnx", threads)
    return ocr


_THREADS = [0]
"""Inference threads for this process: 0 = the runtime's default (all cores), 1 in pool workers."""


def _single_thread() -> None:
    _THREADS[0] = 1


def ocr_image(image: Any) -> tuple[Line, ...]:
    """A Pillow image (upright) → its lines, top to bottom, in the image's pixels."""
    import numpy as np
    from PIL import Image

    scale = 1.0
    if max(image.size) > MAX_SIDE:
        scale = max(image.size) / MAX_SIDE
        image = image.resize((round(image.width / scale), round(image.height / scale)), Image.Resampling.LANCZOS)
    image = as_rgb(image)
    array = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])  # RapidOCR expects BGR
    started = time.process_time()
    with _LOCK:
        result, _ = _engine(_THREADS[0])(array, use_cls=False)
    STATS.pages += 1
    STATS.ocr_seconds += time.process_time() - started
    lines = []
    for points, text, score in result or ():
        xs = [float(p[0]) * scale for p in points]
        ys = [float(p[1]) * scale for p in points]
        text = str(text).strip()
        if text:
            lines.append(Line(text, (min(xs), min(ys), max(xs), max(ys)), round(float(score), 4)))
    return tuple(_reading_order(lines))


def _reading_order(lines: list[Line]) -> list[Line]:
    """Lines top to bottom; lines whose boxes share most of their height, left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2):
        mid = (line.box[1] + line.box[3]) / 2
        if rows:
            last = rows[-1][0]
            if last.box[1] <= mid <= last.box[3]:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda ln: ln.box[0])]


# ---- files ---------------------------------------------------------------------------------------

def _is_pdf(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(8)
    return head.startswith(b"%PDF") or path.suffix.lower() == ".pdf"


def iter_pages(path: Path, dpi: float = RENDER_DPI, pages: Collection[int] | None = None) -> Iterator[tuple[int, Any]]:
    """(page number from 1, Pillow image) of every page of an evidence file, in order, in the
    pixel space of the Readings' boxes: an image file's frames (every TIFF frame) turned upright by
    their EXIF orientation, at their own size (`dpi` is not used); a PDF's pages rendered by PDFium
    at `dpi` (a Reading's PDF page holds boxes for its own `Page.dpi`: scale by width / Page.width).
    `pages`: only these page numbers (the others are not decoded or rendered). The image's mode is
    the file's (see `as_rgb`)."""
    wanted = None if pages is None else set(pages)
    last = max(wanted, default=0) if wanted is not None else None
    if _is_pdf(path):
        from pipeline.render import raster

        if wanted is None:
            yield from enumerate(raster.pages(path, dpi=dpi), start=1)
        for number in sorted(wanted or ()):
            yield from ((number, image) for image in raster.pages(path, dpi=dpi, first=number, last=number))
        return
    from PIL import Image, ImageOps

    from pipeline.rules.photo import strict_decoding

    with strict_decoding():
        img = Image.open(path)
    with img:
        for number in itertools.count(1):
            if last is not None and number > last:
                break
            with strict_decoding():
                try:
                    img.seek(number - 1)
                except EOFError:
                    break
                if wanted is not None and number not in wanted:
                    continue
                # each frame by its own orientation tag (a TIFF frame's own IFD)
                upright = ImageOps.exif_transpose(img.copy())
                upright.load()
            yield number, upright


def as_rgb(image: Any) -> Any:
    """A Pillow image in RGB, transparent parts on white (what the engine reads)."""
    from PIL import Image

    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    return image.convert("RGB")


def read_file(path: Path) -> Reading:
    """Read one file (no cache): OCR for images and scanned PDF pages, the text layer of a PDF that has one."""
    digest = atomic.sha256_file(path)
    pages = tuple(_read_pdf(path) if _is_pdf(path) else _read_image(path))
    return Reading(path, digest, pages)


def _read_image(path: Path) -> Iterator[Page]:
    for number, upright in iter_pages(path):
        dpi = float((upright.info.get("dpi") or (150, 150))[0] or 150)
        lines = ocr_image(upright)
        yield Page(number, float(upright.width), float(upright.height), dpi, lines, "ocr")


def _read_pdf(path: Path) -> list[Page]:
    """Pages with their own text from the text layer; the others rendered (iter_pages) and read by OCR."""
    import pypdfium2 as pdfium

    from pipeline.render.raster import PDFIUM

    found: dict[int, Page] = {}
    with PDFIUM:  # PDFium is not thread-safe: every call of the process under raster's one lock
        pdf = pdfium.PdfDocument(path)
        try:
            count = len(pdf)
            for index in range(count):
                page = pdf[index]
                width, height = page.get_size()
                text_lines = _text_layer(page, height)
                if sum(len(line.text) for line in text_lines) >= MIN_TEXT_CHARS:
                    found[index + 1] = Page(index + 1, float(width), float(height), 72.0, tuple(text_lines), "text")
        finally:
            pdf.close()
    scanned = [number for number in range(1, count + 1) if number not in found]
    for number, image in iter_pages(path, RENDER_DPI, scanned) if scanned else ():
        found[number] = Page(number, float(image.width), float(image.height), float(RENDER_DPI),
                             ocr_image(image), "ocr")
    return [found[number] for number in range(1, count + 1)]


def _text_layer(page: Any, height: float) -> list[Line]:
    """The page's own text as lines (PDFium's text rectangles), in points from the top left."""
    textpage = page.get_textpage()
    try:
        lines = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top).strip()
            if text:
                lines.append(Line(text, (left, height - top, right, height - bottom), 1.0))
        return _reading_order(lines)
    finally:
        textpage.close()


# ---- cache and parallel reading ---------------------------------------------------------------

def _key(digest: str) -> str:
    return hashlib.sha256(f"{ENGINE}|{digest}".encode()).hexdigest()


def _to_json(reading: Reading) -> dict[str, Any]:
    return {
        "engine": ENGINE,
        "sha256": reading.sha256,
        "pages": [
            {"number": p.number, "width": p.width, "height": p.height, "dpi": p.dpi, "source": p.source,
             "lines": [[ln.text, list(ln.box), ln.score] for ln in p.lines]}
            for p in reading.pages
        ],
    }


def _from_json(path: Path, data: dict[str, Any]) -> Reading:
    pages = tuple(
        Page(int(p["number"]), float(p["width"]), float(p["height"]), float(p["dpi"]),
             tuple(Line(str(t), (float(b[0]), float(b[1]), float(b[2]), float(b[3])), float(s))
                   for t, b, s in p["lines"]),
             str(p["source"]))
        for p in data["pages"]
    )
    return Reading(path, str(data["sha256"]), pages)


def _load(folder: Path, path: Path, digest: str) -> Reading | None:
    try:
        data = json.loads((folder / f"{_key(digest)}.json").read_text(encoding="utf-8"))
        if data.get("engine") != ENGINE or data.get("sha256") != digest:
            return None
        return _from_json(path, data)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _store(folder: Path, reading: Reading) -> None:
    target = folder / f"{_key(reading.sha256)}.json"
    atomic.write_text(target, json.dumps(_to_json(reading), ensure_ascii=False) + "\n")
    target.chmod(0o600)


def _read_job(path: str) -> tuple[str, Reading | None, float]:
    """Worker: one file → (path, its Reading or None when unreadable, CPU seconds spent)."""
    started = time.process_time()
    try:
        reading = read_file(Path(path))
    except Exception:  # noqa: BLE001 — an unreadable file is reported by the file checks, not here
        reading = None
    return path, reading, time.process_time() - started


def read_files(ctx: RunContext, paths: Sequence[Path]) -> dict[Path, Reading]:
    """Every file's Reading (from the cache where the content was read before)."""
    folder = cache_dir(ctx)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    out: dict[Path, Reading] = {}
    todo: list[Path] = []
    for path in dict.fromkeys(paths):
        try:
            digest = atomic.sha256_file(path)
        except OSError:
            continue
        hit = _load(folder, path, digest)
        if hit is None:
            todo.append(path)
        else:
            out[path] = hit
    if not todo:
        return out
    ctx.say(f"识别证明材料文字（OCR）：{len(todo)} 个文件需要识别（其余 {len(out)} 个未改动，沿用上次结果）")
    step = max(1, len(todo) // 10)
    done = 0
    started = time.monotonic()
    workers = min(ctx.workers, len(todo))
    if workers <= 1:
        results: Iterator[tuple[str, Reading | None, float]] = map(_read_job, map(str, todo))
        pool = None
    else:
        pool = process_pool(workers, initializer=_single_thread)
        # largest files first, so that no worker is left with one big PDF at the end
        order = sorted(todo, key=lambda p: -p.stat().st_size)
        results = pool.map(_read_job, map(str, order), chunksize=1)
    try:
        for name, reading, _cpu in results:
            done += 1
            if reading is not None:
                _store(folder, reading)
                out[Path(name)] = reading
            if done % step == 0 or done == len(todo):
                ctx.say(f"  已识别 {done}/{len(todo)}（{time.monotonic() - started:.0f} 秒）")
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return out
