"""Faults from outside the pipeline: a killed run, a full disk, the user's umask, another output folder.

Each test makes the fault for real where the machine allows it (a SIGKILL of a run in a child
process, a small tmpfs as the output disk when we may mount one) and asserts what the office
sees: exit status, the Chinese message naming the file, files present or absent, file modes,
identical bytes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.edition import PROJECT_ROOT
from tests.packet_fixtures import FakeCheck, add_nominee, make_candidate, nominee_for, write_edition

# ---- kill -9 of a run: its workers die with it ---------------------------------------------

KILL_SCRIPT = """
import sys
from pathlib import Path
sys.path[:0] = [{root!r}, {tests!r}]
from tests.packet_fixtures import FakeCheck, make_candidate, nominee_for
from pipeline.context import RunContext
from pipeline.edition import load_edition
from pipeline.stages.packets import run_packets
edition = Path({edition!r})
cs = [make_candidate(f"K{{i:03d}}", f"孔{{i}}", row=i + 2) for i in range(4)]
run_packets(RunContext(load_edition(edition), quiet=True, jobs=2), FakeCheck(tuple(nominee_for(edition, c) for c in cs)))
"""


def _processes() -> dict[int, tuple[int, str]]:
    """Every process on the machine: pid → (parent pid, state letter), from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            table[int(entry.name)] = (int(fields[1]), fields[0])
    return table


def _descendants(pid: int) -> set[int]:
    """Process ids of every living descendant of pid."""
    table = _processes()
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, state) in table.items():
            if ppid == parent and child not in found and state != "Z":
                found.add(child)
                todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    """Those of pids that still run (a zombie has ended)."""
    table = _processes()
    return {p for p in pids if p in table and table[p][1] != "Z"}


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Relative path → (size, mtime) of every file under folder."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_kill_9_of_packets_takes_its_workers_along_and_nothing_is_written_afterwards(tmp_path: Path) -> None:
    edition = write_edition(tmp_path)
    for i in range(4):
        add_nominee(edition, make_candidate(f"K{i:03d}", f"孔{i}", row=i + 2),
                    evidence=(("资格证书", "2019.06-证书.jpg", "jpeg-big"),), deeds_paragraphs=4)
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(root=str(PROJECT_ROOT), tests=str(PROJECT_ROOT / "tests"),
                                         edition=str(edition)), encoding="utf-8")
    output = tmp_path / "output"
    proc = subprocess.Popen([sys.executable, str(script)], env=dict(os.environ), stderr=subprocess.PIPE)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
            workers = _descendants(proc.pid)
            time.sleep(0.05)
        time.sleep(1.5)  # the workers are starting or rendering the first packets
        workers |= _descendants(proc.pid)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert len(workers) >= 2, proc.stderr.read().decode() if proc.stderr else ""
    time.sleep(0.2)
    before = _files(output)
    deadline = time.monotonic() + 3
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not _alive(workers), "worker processes still run after their run was killed"
        time.sleep(1)
        assert _files(output) == before, "files written after the run was killed"
    finally:
        for pid in _alive(workers):
            os.kill(pid, signal.SIGKILL)
