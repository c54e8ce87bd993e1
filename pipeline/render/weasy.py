"""WeasyPrint only *logs* missing images and bad CSS; here such a log line fails the document.

Every renderer wraps its WeasyPrint calls in `weasyprint_errors(...)`, so a document with a
missing photo or a broken stylesheet is never written half-right.

Images go into WeasyPrint as `data_uri(path)`, or large ones (photos) as `image_url(path)` with
`url_fetcher()`: WeasyPrint names each image in the PDF after the MD5 of its URL, so a file:// URL
would make the bytes (and the content-derived /ID) depend on where output/ or the edition folder
is. `image_url` names the image by the hash of its bytes and serves it from memory: the HTML parser
(tinyhtml5, pure Python) reads a data: URI character by character, 10 ms per 70 KB, in every
layout of every document that shows the photo.

Entering `weasyprint_errors()` also installs the font bytes cache (pipeline.render.fontpack), so
every WeasyPrint document of the process — packets, 公示, media kit, certificates, reports — reads
each font file out of HarfBuzz once, not once per font of every document.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.core.errors import RenderError

DEFAULT_HINT = "若提到图片，检查照片等图片文件是否存在且完整；否则请联系技术人员（模板或样式有误）"


def data_uri(path: Path) -> str:
    """A JPEG/PNG/SVG file → a data: URI (image names in the PDF then depend on content, not on the path)."""
    kind = {".png": "png", ".svg": "svg+xml"}.get(path.suffix.lower(), "jpeg")
    return f"data:image/{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


IMAGE_SCHEME = "xn-image"
"""The scheme of the images `url_fetcher()` serves from memory."""
IMAGES_KEPT = 64
"""Images of `image_url` kept per process (the 特刊's 20 portraits in colour and grey, with room)."""
_IMAGES: OrderedDict[str, bytes] = OrderedDict()


def image_url(path: Path) -> str:
    """An image file → `xn-image:<SHA-256 of its bytes>`, which `url_fetcher()` serves from memory
    (the last IMAGES_KEPT images of the process)."""
    data = path.read_bytes()
    url = f"{IMAGE_SCHEME}:{hashlib.sha256(data).hexdigest()}"
    _IMAGES[url] = data
    _IMAGES.move_to_end(url)
    while len(_IMAGES) > IMAGES_KEPT:
        _IMAGES.popitem(last=False)
    return url


@functools.cache
def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class MemoryFetcher(URLFetcher):  # type: ignore[misc]
        """URLFetcher + the images of `image_url`."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            found = _IMAGES.get(url)
            if found is not None:
                return URLFetcherResponse(url, found)
            return super().fetch(url, headers)

    return MemoryFetcher


def url_fetcher() -> Any:
    """WeasyPrint's URL fetcher for file: and data: URLs (nothing from the network) that also serves
    the images of `image_url` from memory."""
    return _fetcher_class()(allowed_protocols={"file", "data"})


class _Collector(logging.Handler):
    """Keeps the messages of WARNING and worse."""

    def __init__(self) -> None:
        """A handler for WARNING and above."""
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Log record → its message kept."""
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_errors(what: str, *, candidate: str = "", file: str = "", hint: str = DEFAULT_HINT) -> Iterator[None]:
    """Raise RenderError naming `what` when WeasyPrint logs a warning or an error inside the block."""
    from pipeline.render.fontpack import install_font_cache

    install_font_cache()
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(collector)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
    if collector.messages:
        shown = "；".join(dict.fromkeys(collector.messages))
        raise RenderError(f"生成{what}时排版引擎报告问题：{shown[:500]}", hint=hint, candidate=candidate, file=file)
