"""Worker processes that die with the run that started them.

Every process pool of the pipeline is made by `process_pool()`. Its workers ask the kernel for
SIGKILL when their parent dies (Linux prctl PR_SET_PDEATHSIG), so `kill -9` of a run, an
out-of-memory kill or a closed terminal takes the workers along: none keeps rendering for a
run that no longer exists, none writes a file seconds later. `orphaned()` is the second line
(and the only one on systems without prctl): pipeline.core.atomic asks it before every rename.

Start pools from the thread that runs the stage (the main thread): Linux sends the signal when
the *thread* that started a worker ends.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any

PR_SET_PDEATHSIG = 1
"""prctl option: the signal this process gets when its parent dies (linux/prctl.h)."""

_PARENT: list[int] = []
"""In a worker: the process id of the run that started it; empty in the run itself."""


def process_pool(workers: int, *, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = (),
                 mp_context: BaseContext | None = None) -> ProcessPoolExecutor:
    """Worker count (and an optional per-worker initialiser) → a pool whose workers die with this process."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp_context, initializer=_start_worker,
                               initargs=(os.getpid(), initializer, initargs))


def _start_worker(parent: int, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
    """Worker start: bind this process's life to the parent's, then run the stage's initialiser."""
    _PARENT[:] = [parent]
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if orphaned():  # the parent died before the request took effect
        os._exit(1)
    if initializer is not None:
        initializer(*initargs)


def orphaned() -> bool:
    """True in a worker whose run has ended (killed): it must not write anything more."""
    return bool(_PARENT) and os.getppid() != _PARENT[0]
