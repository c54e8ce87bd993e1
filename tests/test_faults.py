"""Faults from outside the pipeline: a killed run, a full disk, the user's umask, another output folder.

Each test makes the fault for real where the machine allows it (a SIGKILL of a run in a child
process, a small tmpfs as the output disk when we may mount one) and asserts what the office
sees: exit status, the Chinese message naming the file, files present or absent, file modes,
identical bytes.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.core.errors import ExitCode, PipelineError
from pipeline.stages.packets import run_packets
from tests.packet_fixtures import FakeCheck, add_nominee, make_candidate, nominee_for, write_edition

# ---- kill -9 of a run: its workers die with it ---------------------------------------------

KILL_SCRIPT = """
import sys
from pathlib import Path
sys.path[:0] = [{root!r}, {tests!r}]
from tests.packet_fixtures import FakeCheck, make_candidate, nominee_for
from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.stages.packets import run_packets
if __name__ == "__main__":  # the workers import this file too
    edition = Path({edition!r})
    cs = [make_candidate(f"K{{i:03d}}", f"孔{{i}}", row=i + 2) for i in range(4)]
    check = FakeCheck(tuple(nominee_for(edition, c) for c in cs))
    run_packets(RunContext(load_edition(edition), quiet=True, jobs=2), check)
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


def _pool_workers(pids: set[int]) -> set[int]:
    """Those of pids that are worker processes of a process pool."""
    found = set()
    for pid in pids:
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:
            continue
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
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, str(script)], env=dict(os.environ), stderr=stderr)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(output.rglob("*-申报材料.pdf")) and proc.poll() is None:
            time.sleep(0.05)  # the first packet is done: the workers are rendering the next ones
        workers = _descendants(proc.pid)
        started = bool(_pool_workers(workers)) and proc.poll() is None
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert started, log.read_text(encoding="utf-8", errors="replace")
    time.sleep(0.2)
    before = _files(output)
    deadline = time.monotonic() + 5
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not _alive(workers), "worker processes still run after their run was killed"
        time.sleep(1)
        assert _files(output) == before, "files written after the run was killed"
    finally:
        for pid in _alive(workers):
            os.kill(pid, signal.SIGKILL)


# ---- a full disk -----------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs mounted for the test (skipped where this user may not mount one)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small disk needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"may not mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path, leave: int) -> None:
    """Fill the disk up to `leave` free bytes."""
    st = os.statvfs(disk)
    with (disk / "filler").open("wb") as fh:
        fh.write(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))


def _small_edition(edition: Path, count: int) -> None:
    """Nominees P01… with photo, deeds and one scan, in an edition folder that has its edition.toml."""
    from tests.conftest import make_id
    from tests.packet_fixtures import write_simple_nominees
    from tests.roster_fixtures import row

    write_simple_nominees(edition, [row(编号=f"P{i:02d}", 姓名=f"张{'一二三四'[i]}", 身份证号码=make_id(seq=f"{20 + i}"))
                                    for i in range(count)])


@pytest.mark.slow
def test_packets_on_a_full_disk_says_so_naming_the_file_exits_2_and_leaves_no_partial_file(
        tmp_edition: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    monkeypatch.setenv("XN_OUTPUT", str(small_disk))
    _small_edition(tmp_edition, 2)
    assert main(["--edition", str(tmp_edition), "-q", "check"]) == ExitCode.ok
    report = small_disk / tmp_edition.name / "check" / "report.json"
    kept = report.read_bytes()
    _fill(small_disk, leave=48 * 1024)
    capsys.readouterr()
    assert main(["--edition", str(tmp_edition), "-j", "2", "packets"]) == ExitCode.cannot_proceed
    err = capsys.readouterr().err
    assert "磁盘空间不足" in err and str(small_disk / tmp_edition.name / "packets") in err, err
    assert "扫描" not in err and "检查该文件是否完整" not in err, err  # the scans are not to blame
    assert not list(small_disk.rglob("*.part")) and not list(small_disk.rglob(".*.part"))
    assert not list(small_disk.rglob("*-申报材料.pdf")) and not list(small_disk.rglob("*-申报审批表.docx"))
    assert report.read_bytes() == kept


def test_a_disk_full_write_of_a_packet_stops_the_stage_with_exit_2_and_leaves_no_partial_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same without mounting: the write of the bound PDF meets ENOSPC halfway through."""
    edition = write_edition(tmp_path)
    c = make_candidate("D001", "邓一")
    add_nominee(edition, c, deeds_paragraphs=4)
    real_write = Path.write_bytes

    def half_then_full(self: Path, data: bytes) -> int:  # type: ignore[override]
        if self.name.endswith(".part") and "申报材料.pdf" in self.name:
            real_write(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    with pytest.raises(PipelineError) as info:
        run_packets(RunContext(load_edition(edition), quiet=True, jobs=1), FakeCheck((nominee_for(edition, c),)))
    message = str(info.value)
    assert info.value.exit_code == ExitCode.cannot_proceed
    assert "磁盘空间不足" in message and "D001-邓一-申报材料.pdf" in message, message
    out = tmp_path / "output" / "edition" / "packets"
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == []


# ---- file modes: the user's umask; personal data owner-only ----------------------------------

UMASK_SCRIPT = """
import os, sys
sys.path[:0] = [{root!r}]
os.umask({mask})
from pathlib import Path
from pipeline.cli import main
from pipeline.core.edition import load_edition
from pipeline.registry.store import open_registry, registry_path
from pipeline.certificates.settings import certificate_options
edition = Path({edition!r})
with open_registry(registry_path(certificate_options(load_edition(edition)).demo, edition.name)):
    pass
out = Path({out!r})
assert main(["--edition", str(edition), "-q", "registry", "export", "--full-id", "--out", str(out / "full.xlsx")]) == 0
assert main(["--edition", str(edition), "-q", "registry", "export", "--out", str(out / "masked.xlsx")]) == 0
"""


@pytest.mark.parametrize("mask", [0o027, 0o077])
def test_outputs_keep_the_umask_and_the_registry_and_full_id_exports_are_owner_only(
        tmp_edition: Path, tmp_path: Path, mask: int) -> None:
    out = tmp_path / "exports"
    script = UMASK_SCRIPT.format(root=str(PROJECT_ROOT), mask=mask, edition=str(tmp_edition), out=str(out))
    subprocess.run([sys.executable, "-c", script], check=True, env=dict(os.environ))

    def mode(path: Path) -> int:
        return path.stat().st_mode & 0o777

    state = [p for p in (tmp_path / "state").rglob("*") if p.is_file()]
    assert [p.suffix for p in state] == [".sqlite3"]
    assert {p.name: oct(mode(p)) for p in state} == {state[0].name: oct(0o600)}
    assert oct(mode(out / "full.xlsx")) == oct(0o600)  # full ID numbers
    assert oct(mode(out / "masked.xlsx")) == oct(0o666 & ~mask)


# ---- the same input in another output folder gives the same bytes ----------------------------

def test_packets_are_byte_identical_in_two_output_folders_and_owner_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check stage's normalised photo lives in output/; where output/ is must not show in the files."""
    from tests.packet_fixtures import FakeNominee

    edition = write_edition(tmp_path)
    c = make_candidate("B001", "白一")
    add_nominee(edition, c, deeds_paragraphs=4)
    nominee = nominee_for(edition, c)
    built: dict[str, dict[str, bytes]] = {}
    old_mask = os.umask(0o027)
    try:
        for name in ("一", "other/二"):
            output = tmp_path / name
            monkeypatch.setenv("XN_OUTPUT", str(output))
            photo = output / "edition" / "check" / "photos" / "B001.jpg"  # where make check puts it
            photo.parent.mkdir(parents=True)
            shutil.copyfile(nominee.photo or "", photo)
            run_packets(RunContext(load_edition(edition), quiet=True, jobs=1),
                        FakeCheck((FakeNominee(c, nominee.materials, (), photo),)))
            packets = output / "edition" / "packets"
            built[name] = {str(p.relative_to(packets)): p.read_bytes() for p in packets.rglob("*") if p.is_file()}
    finally:
        os.umask(old_mask)
    assert sorted(built["一"]) == sorted(built["other/二"]) and len(built["一"]) == 3  # the master is the e-mail copy
    for file, data in built["一"].items():
        assert data == built["other/二"][file], f"{file} differs between the two output folders"
    modes = {str(p.relative_to(packets)): oct(p.stat().st_mode & 0o777) for p in packets.rglob("*") if p.is_file()}
    assert modes == {"打印清单.xlsx": oct(0o640), "B001-白一-申报材料.pdf": oct(0o600),
                     "docx/B001-白一-申报审批表.docx": oct(0o600)}
