"""The bench's measuring machinery (pipeline.bench): what it reports, never how fast anything is.

Timing is never asserted: only structure and figures that must hold on any machine (an allocation
of 200 MB shows as at least 150 MB, a file written is counted with its size).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pipeline.bench import Bench, editions, measure, reference, results
from pipeline.bench.measure import Usage
from pipeline.bench.results import Row
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import StageError

ALLOCATE = textwrap.dedent("""
    import subprocess, sys, time
    held = b"x" * ({parent} * 1024 * 1024)
    child = subprocess.Popen([sys.executable, "-c",
                              "import time; held = b'y' * ({child} * 1024 * 1024); time.sleep(1.5)"])
    child.wait()
""")


def test_the_sampler_sees_the_largest_process_and_the_whole_tree() -> None:
    # the parent holds 100 MB while its child holds 200 MB: only the tree sampler can add them up
    usage = measure.run([sys.executable, "-c", ALLOCATE.format(parent=100, child=200)])
    assert usage.exit_code == 0
    assert usage.peak_one_mb >= 150
    assert usage.peak_all_mb >= 250
    assert usage.processes >= 2
    assert usage.wall > 0 and usage.cpu >= 0 and usage.other_cores >= 0


def test_a_big_measuring_process_does_not_inflate_a_small_stage() -> None:
    # ru_maxrss would report the forked copy of this process (300 MB) for the child: VmHWM does not
    held = b"x" * (300 * 1024 * 1024)
    usage = measure.run([sys.executable, "-c", "import time; time.sleep(0.5)"])
    assert len(held) and usage.exit_code == 0
    assert 0 < usage.peak_one_mb < 150 and usage.peak_all_mb < 150


def test_the_cpu_of_workers_is_counted() -> None:
    # a child burns half a CPU-second of its own (a worker of the measured process): it is in the total
    burn = "import time\nwhile time.process_time() < 0.5: pass"
    usage = measure.run([sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"])
    assert usage.exit_code == 0
    assert usage.cpu >= 0.5


def test_a_failing_process_reports_its_status_and_last_words() -> None:
    usage = measure.run([sys.executable, "-c", "import sys; sys.exit('出错了：示例')"])
    assert usage.exit_code == 1
    assert "出错了：示例" in usage.stderr_tail


def test_bytes_written_count_new_and_replaced_files_only(tmp_path: Path) -> None:
    (tmp_path / "same.txt").write_bytes(b"a" * 10)
    (tmp_path / "old.txt").write_bytes(b"b" * 20)
    script = ("import os, pathlib, sys; d = pathlib.Path(sys.argv[1]); (d / 'sub').mkdir();"
              "(d / 'sub' / 'new.bin').write_bytes(b'n' * 1000);"
              "(d / '.old.part').write_bytes(b'c' * 300); os.replace(d / '.old.part', d / 'old.txt')")
    usage = measure.run([sys.executable, "-c", script, str(tmp_path)], watch=[tmp_path])
    assert usage.exit_code == 0
    assert (usage.written_files, usage.written_bytes) == (2, 1300)


def test_snapshots_compare_by_inode_size_and_time() -> None:
    before = {"a": (1, 10, 5), "b": (2, 20, 5), "c": (3, 30, 5)}
    after = {"a": (1, 10, 5), "b": (9, 25, 6), "d": (4, 7, 7)}
    assert measure.written(before, after) == (2, 32)


def test_other_load_is_the_machine_s_busy_cores_less_the_stage_s_own() -> None:
    # two cores, 3/4 of the ticks busy over 2 s: 1.5 cores; the stage used 2 CPU-s in those 2 s
    assert measure.other_cores((100, 400, 2), (400, 800, 2), cpu=2.0, wall=2.0) == pytest.approx(0.5)
    assert measure.other_cores((0, 0, 2), (0, 0, 2), cpu=1.0, wall=1.0) == 0.0  # no /proc/stat
    busy, total, cores = measure.cpu_ticks()
    assert 0 <= busy <= total and cores >= 1


def test_the_process_tree_contains_the_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(3)']); time.sleep(3)"])
    try:
        found: list[int] = []
        for _ in range(40):  # until the grandchild has started (never longer than the sleeps)
            found = measure.process_tree(child.pid)
            if len(found) >= 2:
                break
            subprocess.run(["sleep", "0.05"], check=True)
        assert found[0] == child.pid and len(found) >= 2
    finally:
        child.kill()
        child.wait()


@pytest.mark.slow
def test_the_reference_renders_a_two_page_form_and_reports_json() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline.bench.reference", "--documents", "2"],
                          capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    ref = json.loads(done.stdout)
    assert ref["pages"] == reference.PAGES == 2
    assert ref["documents"] == 2
    assert ref["cpu_per_document"] > 0 and ref["min_cpu_per_document"] <= ref["cpu_per_document"]
    assert ref["warmup_cpu"] > 0 and ref["pdf_bytes"] > 10_000
    assert ref["weasyprint"]


def test_the_reference_form_is_chinese_and_differs_per_document() -> None:
    first, second = reference.form_html(0), reference.form_html(1)
    assert "兴安技术能手申报审批表" in first and "Noto Serif CJK SC" in first and "Noto Sans CJK SC" in first
    assert first != second


def _usage(**changes: Any) -> Usage:
    figures: dict[str, Any] = {"wall": 10.0, "cpu": 8.0, "peak_one_mb": 300.0, "peak_all_mb": 500.0, "processes": 3,
                               "written_bytes": 4_000_000, "written_files": 12, "other_cores": 0.5,
                               "load_before": 1.0, "exit_code": 0, "stderr_tail": ""}
    return Usage(**{**figures, **changes})


def _data(cpu: float, reference_cpu: float) -> dict[str, Any]:
    rows = [Row("check/cold", "check（首次）", _usage(cpu=cpu / 2), 10),
            Row("packets/cold", "packets（首次）", _usage(cpu=cpu), 10, cpu / 10 / reference_cpu),
            Row("packets/noop", "packets（无改动）", _usage(cpu=1.0))]
    return {"schema": results.SCHEMA, "created": results.now(), "machine": {**results.machine(), "load_before": 1.0,
                                                                          "load_after": 2.0},
            "reference": {"cpu_per_document": reference_cpu}, "rounds": [
                {"key": "n10", "title": "规模测试（10 人）", "nominees": 10, "stages": [r.as_dict() for r in rows]}]}


def test_bench_json_round_trips_and_two_runs_compare(tmp_path: Path) -> None:
    target = tmp_path / "bench" / "bench.json"
    results.write(target, _data(cpu=6.0, reference_cpu=0.25))
    old = results.load(target)
    row = old["rounds"][0]["stages"][1]
    assert row["key"] == "packets/cold" and row["cpu_per_nominee"] == pytest.approx(0.6)
    assert row["ratio"] == pytest.approx(2.4)
    assert old["machine"]["cores"] >= 1 and old["machine"]["python"].startswith("3.")
    new = _data(cpu=4.5, reference_cpu=0.25)
    lines = results.compare(old, new)
    packets = next(line for line in lines if line.startswith("packets（首次）"))
    assert "CPU 6.00→4.50 秒（-25%）" in packets
    assert "相对参照 2.40→1.80 ×（-25%）" in packets
    assert any("规模测试（10 人）" in line for line in lines)


def test_the_packets_ratio_is_said_against_the_reference_run_next_to_them() -> None:
    from pipeline.bench import _notes, bracketed

    record = _data(cpu=6.0, reference_cpu=0.25)["rounds"][0]
    record |= {"reference": {"cpu_per_document": 0.25},
               "packets": {"count": 10, "master_bytes": 5_000_000, "email_bytes": 0, "email_count": 0,
                           "scan_jpeg_bytes": 2_500_000}}
    lines = _notes(record, 0.25)
    assert "每人 0.600 CPU 秒" in lines[0] and "紧挨着之前测的参照每份 0.250 CPU 秒，比值 2.40 ×" in lines[0]
    assert "打印版字节 / 源 JPEG 扫描件字节 = 2.00" in lines[2]
    record["reference_after"] = {"cpu_per_document": 0.35}
    reference = bracketed(record["reference"], record["reference_after"])
    assert reference == pytest.approx(0.30)
    lines = _notes(record, reference)
    assert "紧挨着前后测的参照每份 0.250 和 0.350 CPU 秒（平均 0.300），比值 2.00 ×" in lines[0]


def test_a_file_that_is_not_bench_json_is_refused_with_a_fix(tmp_path: Path) -> None:
    wrong = tmp_path / "other.json"
    wrong.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(StageError) as caught:
        results.load(wrong)
    assert str(wrong) in str(caught.value) and "bench.json" in caught.value.message
    assert "BASE=" in caught.value.hint


def test_the_table_lines_up_chinese_labels() -> None:
    lines = results.table(_data(cpu=6.0, reference_cpu=0.25)["rounds"][0]["stages"])
    assert len({results.width(line) for line in lines}) == 1
    assert "2.40 ×" in lines[2] and "0.600" in lines[2]


@pytest.mark.slow
def test_one_stage_of_a_tiny_round_is_measured_and_saved(tmp_path: Path) -> None:
    edition = editions.make_scaled_edition(tmp_path / "scaled-2", 2, 1)
    target = tmp_path / "bench.json"
    bench = Bench(tmp_path / "work", target, {"schema": results.SCHEMA, "rounds": [],
                                             "reference": {"cpu_per_document": 0.25}})
    env = dict(bench.env, XN_READ_EVIDENCE="0")
    row = bench.stage(edition, "check", "check/cold", "check（首次）", env, 2)
    assert row.usage.exit_code in (0, 1), row.usage.stderr_tail
    assert row.usage.written_files > 0 and row.usage.written_bytes > 0  # the report, the feedback forms
    assert row.usage.peak_one_mb > 20 and row.usage.peak_all_mb >= row.usage.peak_one_mb
    assert row.cpu_per_nominee is not None and row.cpu_per_nominee > 0 and row.ratio is None
    bench.finish_round("n2", "规模测试（2 人）", edition, [row], {"scans": 1})
    saved = results.load(target)
    assert saved["rounds"][0]["stages"][0]["key"] == "check/cold"
    assert saved["rounds"][0]["nominees"] == 2
