"""A small headless-Chromium probe for the new-media articles (phone viewport).

Chromium's headless window is at least 500 px wide, so the page is loaded unchanged into a
375 px wide iframe of a wrapper page written beside it (same folder, so relative images resolve
and file access is same-origin with --allow-file-access-from-files). `probe(page)` runs a script
in the wrapper and reads back, via --dump-dom, what it measured inside the frame: the frame's
innerWidth and scrollWidth, every image's load state and position, computed font sizes.
`screenshot(page, png)` photographs the frame and crops the PNG to the phone width.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from tests.chromium import run_chromium

PHONE = (375, 800)

_WRAPPER = """<!DOCTYPE html>
<html><head><meta charset="utf-8"></head>
<body style="margin:0;padding:0;background:#808080;">
<iframe id="phone" src="{src}" style="display:block;border:0;width:{width}px;height:{height}px;"></iframe>
{script}
</body></html>
"""

_SCRIPT = """
<script>
document.getElementById('phone').addEventListener('load', function () {
  var win = this.contentWindow, doc = this.contentDocument, root = doc.documentElement;
  var texts = Array.prototype.slice.call(doc.querySelectorAll('p, h1, h2, span, a, strong'))
    .filter(function (e) { return e.textContent.trim().length > 0; });
  var out = {
    innerWidth: win.innerWidth,
    scrollWidth: Math.max(root.scrollWidth, doc.body.scrollWidth),
    clientWidth: root.clientWidth,
    images: Array.prototype.map.call(doc.images, function (i) {
      var r = i.getBoundingClientRect();
      return {src: i.getAttribute('src'), loaded: i.complete && i.naturalWidth > 0, left: r.left, right: r.right};
    }),
    fontSizes: texts.map(function (e) { return parseFloat(win.getComputedStyle(e).fontSize); }),
    tooWide: Array.prototype.filter.call(doc.body.querySelectorAll('*'), function (e) {
      var r = e.getBoundingClientRect(); return r.width > 0 && (r.right > win.innerWidth + 0.5 || r.left < -0.5);
    }).map(function (e) { return e.tagName; }),
    textChars: doc.body.innerText.length,
    contentHeight: root.scrollHeight
  };
  var pre = document.createElement('pre');
  pre.id = 'probe-result';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def _run(args: list[str], timeout: float = 60) -> str:
    """Chromium (the shared test helper) with file access for the wrapper's frame → its stdout."""
    return run_chromium(["--allow-file-access-from-files", *args], timeout)


def _wrapper(page: Path, width: int, height: int, script: str) -> Path:
    wrapper = page.with_name(f".phone-{page.stem}.html")
    wrapper.write_text(_WRAPPER.format(src=html.escape(page.name), width=width, height=height, script=script),
                       encoding="utf-8")
    return wrapper


def probe(page: Path, size: tuple[int, int] = PHONE) -> dict[str, Any]:
    """Load `page` in a phone-sized frame (375 px wide) and return the measurements (see module doc)."""
    wrapper = _wrapper(page, size[0], size[1], _SCRIPT)
    try:
        result = _run([f"--window-size={max(size[0], 500)},{size[1]}", "--virtual-time-budget=3000",
                       "--dump-dom", wrapper.resolve().as_uri()])
    finally:
        wrapper.unlink(missing_ok=True)
    m = re.search(r'<pre id="probe-result">(.*?)</pre>', result, re.S)
    if not m:
        raise RuntimeError(f"Chromium gave no result for {page}: {result[-2000:]}")
    data: dict[str, Any] = json.loads(html.unescape(m.group(1)))
    return data


def screenshot(page: Path, target: Path, width: int = PHONE[0], height: int = 1800) -> Path:
    """A PNG of `page` as a phone `width` px wide shows it (top `height` px), written to target."""
    from PIL import Image

    target.parent.mkdir(parents=True, exist_ok=True)
    wrapper = _wrapper(page, width, height, "")
    raw = target.with_name(f".raw-{target.name}")
    try:
        _run([f"--window-size={max(width, 500)},{height}", "--virtual-time-budget=3000",
              f"--screenshot={raw.resolve()}", wrapper.resolve().as_uri()])
    finally:
        wrapper.unlink(missing_ok=True)
    if not raw.is_file():
        raise RuntimeError(f"Chromium took no screenshot of {page}")
    with Image.open(raw) as im:
        im.crop((0, 0, width, min(height, im.height))).save(target)
    raw.unlink()
    return target
