"""pipeline.render.raster, the one way PDF pages become images: sizes, colour, page ranges, broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from pipeline.render import raster


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """Three A4 pages (72 dpi): page n has a black square n cm from the top-left corner, page 2 is red."""
    pages = []
    for n in (1, 2, 3):
        page = Image.new("RGB", (595, 842), "red" if n == 2 else "white")
        ImageDraw.Draw(page).rectangle((n * 28, n * 28, n * 28 + 56, n * 28 + 56), fill="black")
        pages.append(page)
    path = tmp_path / "three.pdf"
    pages[0].save(path, "PDF", resolution=72, save_all=True, append_images=pages[1:])
    return path


def test_sizes_round_up_like_pdftoppm(pdf: Path) -> None:
    images = list(raster.pages(pdf, dpi=50))
    assert [im.size for im in images] == [(414, 585)] * 3   # ceil(595 × 50/72), ceil(842 × 50/72)
    assert all(im.mode == "RGB" for im in images)


def test_what_is_drawn_is_where_it_is_drawn(pdf: Path) -> None:
    image = raster.page(pdf, 3, dpi=72)
    assert max(image.getpixel((84 + 28, 84 + 28))) < 10   # inside page 3's square
    assert min(image.getpixel((20, 20))) > 245
    r, g, b = raster.page(pdf, 2, dpi=72).getpixel((400, 700))   # (Pillow stores the page as JPEG)
    assert r > 245 and g < 10 and b < 10
    grey = raster.page(pdf, 2, dpi=72, grey=True)
    assert grey.mode == "L" and 60 < grey.getpixel((400, 700)) < 100   # red as grey (ITU-R 601: 76)


def test_fit_bounds_the_longer_side_and_last_bounds_the_pages(pdf: Path) -> None:
    images = list(raster.pages(pdf, fit=300, last=2))
    assert len(images) == 2 and all(max(im.size) == 300 for im in images)
    assert len(list(raster.pages(pdf, dpi=10, first=2, last=99))) == 2
    with pytest.raises(IndexError):
        raster.page(pdf, 4, dpi=10)
    with pytest.raises(ValueError):
        list(raster.pages(pdf))


def test_a_broken_pdf_is_a_raster_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really\n")
    with pytest.raises(raster.RasterError):
        list(raster.pages(broken, dpi=10))
    with pytest.raises(raster.RasterError):
        list(raster.pages(b"", dpi=10))


def test_pages_rendered_from_many_threads_at_once(pdf: Path) -> None:
    """Preflight checks files in threads; PDFium is not thread-safe, so raster serialises its calls.
    Without the lock this crashes the process (segmentation fault) or garbles pages."""
    from concurrent.futures import ThreadPoolExecutor

    alone = [img.tobytes() for img in raster.pages(pdf, dpi=40)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: [img.tobytes() for img in raster.pages(pdf, dpi=40)], range(60)))
    assert all(r == alone for r in results)
