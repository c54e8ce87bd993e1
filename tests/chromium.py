"""A small headless-Chromium helper for tests: serve a folder, load a page, read the DOM after JS ran.

    with serve(folder) as base:                  # http://127.0.0.1:<port>/ (a secure context)
        dom = dump_dom(base + "verify/#token")  # the DOM after the page's scripts ran
        screenshot(base + "verify/", out_png)

Every Chromium runs in its own process group with a fresh profile and is killed (the whole
group) when it finishes or times out, so no browser outlives a test.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
    "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    "--hide-scrollbars", "--mute-audio",
)


@functools.cache
def chromium() -> str | None:
    """→ the Chromium executable, or None when none is installed."""
    for path in CHROMIUM_CANDIDATES:
        if Path(path).is_file() and os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Folder in → base URL 'http://127.0.0.1:<port>/' of a static server in a thread (stopped on exit)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_chromium(args: list[str], timeout: float = 30) -> str:
    """Extra Chromium arguments in → its stdout; the whole process group is killed afterwards."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed (make setup installs it)")
    profile = tempfile.mkdtemp(prefix="xn-chromium-")
    proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return out.decode("utf-8", errors="replace")
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(url: str, budget_ms: int = 5000, timeout: float = 30) -> str:
    """URL in → the serialised DOM after the page's scripts ran (virtual time budget)."""
    return run_chromium([f"--virtual-time-budget={budget_ms}", "--dump-dom", url], timeout)


def screenshot(url: str, target: Path, size: tuple[int, int] = (480, 900), budget_ms: int = 5000) -> Path:
    """URL and PNG path in → a screenshot of the page after its scripts ran."""
    run_chromium([f"--virtual-time-budget={budget_ms}", f"--window-size={size[0]},{size[1]}",
                  f"--screenshot={target}", url])
    return target
