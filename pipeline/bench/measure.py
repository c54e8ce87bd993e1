"""One process measured the way the office meets it: the process and every worker it starts.

- wall: seconds from start to exit;
- CPU: user + system seconds of the process and all its waited-for descendants (wait4's rusage:
  a pool's workers are joined, so their CPU is in it; a helper left running after the process
  ends, such as multiprocessing's resource tracker, is not);
- memory: the process tree is read from /proc every `interval` seconds (the kernel's
  task/*/children lists, else every /proc/<pid>/stat): the largest RSS of one process and the
  largest sum of the tree's RSS at one instant. The sum counts pages forked workers share in
  each of them, so it is an upper bound of what the tree holds; the largest single process is
  its peak RSS (VmHWM), which also sees peaks between two samples. wait4's ru_maxrss is no good
  for it: it includes the forked copy of the measuring process before the exec (once the bench
  had loaded the OCR models, every stage "peaked" at 876 MB), so it is only the fallback without /proc;
- bytes written: the files under the watched folders that are new or replaced (inode, size or
  modification time changed) — a file the stage leaves as it was (an unchanged output is not
  rewritten) or a temporary file it deletes again is not counted;
- other load: the cores the whole machine kept busy meanwhile (/proc/stat) minus the process
  tree's own CPU over its wall time — how many cores something else kept busy (the bench's own
  sampler included).

psutil would do the /proc reading too, but it is not a dependency; Linux (and WSL) have /proc.
Without /proc the memory columns fall back to ru_maxrss and the load column to 0.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
PAGE = resource.getpagesize()
PROC = Path("/proc")


@dataclass(frozen=True)
class Usage:
    """What one measured process (with its tree) cost."""

    wall: float
    """Seconds from start to exit."""
    cpu: float
    """User + system CPU seconds of the process and its descendants."""
    peak_one_mb: float
    """Largest resident memory of any single process of the tree (MB)."""
    peak_all_mb: float
    """Largest sum of the tree's resident memory at one sample (MB; shared pages counted per process)."""
    processes: int
    """Most processes of the tree seen at once."""
    written_bytes: int
    """Bytes of the files under the watched folders that are new or replaced."""
    written_files: int
    """How many such files."""
    other_cores: float
    """Average cores busy with other work meanwhile."""
    load_before: float
    """The machine's 1-minute load average when the process started."""
    exit_code: int
    """Exit status (negative: killed by that signal)."""
    stderr_tail: str
    """The last lines the process wrote to stderr."""


def _children(pid: int) -> list[int] | None:
    """Direct children of `pid` from the kernel's per-thread lists; None when the kernel has none."""
    tasks = PROC / str(pid) / "task"
    found: list[int] = []
    try:
        threads = list(tasks.iterdir())
    except OSError:
        return []
    for task in threads:
        try:
            found.extend(int(c) for c in (task / "children").read_text().split())
        except FileNotFoundError:
            if not task.exists():
                continue  # the thread ended meanwhile
            return None  # no CONFIG_PROC_CHILDREN
        except (OSError, ValueError):
            continue
    return found


def _parents() -> dict[int, list[int]]:
    """Every process's children, from /proc/<pid>/stat (the slow way)."""
    tree: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants that exist now."""
    pids, todo = [], [root]
    parents: dict[int, list[int]] | None = None
    while todo:
        pid = todo.pop()
        pids.append(pid)
        kids = _children(pid) if parents is None else parents.get(pid, [])
        if kids is None:
            parents = _parents()
            kids = parents.get(pid, [])
        todo.extend(kids)
    return pids


def memory(pid: int) -> tuple[int, int]:
    """(resident now, peak resident of its program so far) in bytes, from /proc/<pid>/status
    ((0, 0) when it is gone). The peak (VmHWM) belongs to the program the process runs: it starts
    afresh at exec, unlike wait4's ru_maxrss, which keeps the size of the forked copy of the
    measuring process before the exec."""
    try:
        text = (PROC / str(pid) / "status").read_text()
    except OSError:
        return 0, 0
    found = {}
    for line in text.splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            found[line[:5]] = int(line.split()[1]) * 1024
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


class TreeSampler:
    """Polls the memory of a process tree in a thread until stop()."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        """Sample `root`'s tree every `interval` seconds once start() is called."""
        self.root = root
        self.interval = interval
        self.peak_one = 0
        self.peak_all = 0
        self.processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def sample(self) -> None:
        """Read the tree once."""
        sizes = [memory(pid) for pid in process_tree(self.root)]
        sizes = [s for s in sizes if s[0]]
        self.peak_one = max(self.peak_one, max((max(now, peak) for now, peak in sizes), default=0))
        self.peak_all = max(self.peak_all, sum(now for now, _ in sizes))
        self.processes = max(self.processes, len(sizes))
        self.samples += bool(sizes)

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def start(self) -> TreeSampler:
        """Begin sampling."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling (after one last sample in flight)."""
        self._stop.set()
        self._thread.join()


Snapshot = dict[str, tuple[int, int, int]]


def snapshot(folders: Iterable[Path]) -> Snapshot:
    """Every file under the folders → (inode, size, modification time in ns)."""
    found: Snapshot = {}
    for folder in folders:
        for dirpath, _dirs, files in os.walk(folder):  # Path.walk is Python 3.12
            for name in files:
                path = Path(dirpath, name)
                try:
                    st = path.lstat()
                except OSError:
                    continue
                found[str(path)] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


def written(before: Snapshot, after: Snapshot) -> tuple[int, int]:
    """(files, bytes) that are new or replaced between the two snapshots."""
    changed = [v for k, v in after.items() if before.get(k) != v]
    return len(changed), sum(v[1] for v in changed)


def cpu_ticks() -> tuple[int, int, int]:
    """(busy, all) clock ticks of every core since boot and the number of cores, from /proc/stat
    ((0, 0, 0) without it)."""
    try:
        lines = (PROC / "stat").read_text().splitlines()
        fields = [int(x) for x in lines[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0, 0, 0
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq + steal
    cores = sum(1 for line in lines[1:] if line.startswith("cpu"))
    return busy, busy + idle + iowait, cores


def other_cores(before: tuple[int, int, int], after: tuple[int, int, int], cpu: float, wall: float) -> float:
    """Cores the rest of the machine kept busy on average between two cpu_ticks() readings, while a
    process tree used `cpu` seconds in `wall` seconds."""
    busy, total, cores = after[0] - before[0], after[1] - before[1], after[2]
    if total <= 0 or wall <= 0:
        return 0.0
    return max(0.0, busy / total * cores - cpu / wall)


def load_average() -> float:
    """The 1-minute load average (0 where the system has none)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def run(command: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
        watch: Iterable[Path] = (), interval: float = 0.05, stdout: int | None = subprocess.DEVNULL) -> Usage:
    """Run `command` in its own process and measure it (see the module's docstring)."""
    folders = [Path(f) for f in watch]
    before = snapshot(folders)
    load = load_average()
    with tempfile.TemporaryFile() as err:
        ticks = cpu_ticks()
        start = time.perf_counter()
        proc = subprocess.Popen(list(command), cwd=cwd, env=dict(env) if env is not None else None,
                                stdout=stdout, stderr=err)
        sampler = TreeSampler(proc.pid, interval).start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        ticks_after = cpu_ticks()
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-15:]
    cpu = usage.ru_utime + usage.ru_stime
    files, size = written(before, snapshot(folders))
    return Usage(
        wall=wall, cpu=cpu,
        peak_one_mb=(sampler.peak_one if sampler.samples else usage.ru_maxrss * 1024) / MB,
        peak_all_mb=(max(sampler.peak_all, sampler.peak_one) if sampler.samples else usage.ru_maxrss * 1024) / MB,
        processes=max(1, sampler.processes), written_bytes=size, written_files=files,
        other_cores=other_cores(ticks, ticks_after, cpu, wall),
        load_before=load, exit_code=proc.returncode, stderr_tail="\n".join(tail),
    )
