"""The developers' harness: `make clean` removes only the project's own caches and outputs, `make test`
runs pytest on every core, and every process collects the same test ids (pytest-xdist needs that)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.edition import PROJECT_ROOT

PYCACHE = "__pycache__/mod.cpython-311.pyc"


def test_make_clean_never_touches_the_virtualenv(tmp_path: Path) -> None:
    """The real recipe in a copy of the tree: the project's __pycache__ and outputs go, the virtualenv's
    compiled modules (.venv, or another VENV= inside the tree) and the inputs stay."""
    project = [f"pipeline/{PYCACHE}", f"pipeline/stages/{PYCACHE}", f"tests/{PYCACHE}", f"tools/{PYCACHE}",
               f"scripts/{PYCACHE}", "output/demo/packets/001.pdf"]
    kept = [f".venv/lib/python3.11/site-packages/pikepdf/{PYCACHE}", f".venv/lib/python3.11/site-packages/{PYCACHE}",
            f"venv-dev/lib/python3.11/site-packages/weasyprint/{PYCACHE}", "input/demo/edition.toml",
            "state/registry.sqlite3", "keys/signing-key.pem", "pipeline/stages/check.py",
            "output/bench/bench.json"]  # measurements are not rebuildable: make bench BASE= compares with them
    for rel in project + kept:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    shutil.copy(PROJECT_ROOT / "Makefile", tmp_path / "Makefile")
    done = subprocess.run(["make", "-s", "clean"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert [rel for rel in kept if not (tmp_path / rel).is_file()] == []
    assert [rel for rel in project if (tmp_path / rel).exists()] == []
    assert not (tmp_path / "pipeline" / "__pycache__").exists()
    assert (tmp_path / "output").is_dir()  # output/ itself stays (the editions' folders in it go)


def test_make_clean_in_a_tree_without_python_folders_removes_outputs_only(tmp_path: Path) -> None:
    """No pipeline/ tests/ tools/ scripts/ (a copied Makefile alone): nothing is searched, not the whole tree."""
    for rel in (f".venv/{PYCACHE}", f"{PYCACHE}", "output/demo/x.pdf"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    shutil.copy(PROJECT_ROOT / "Makefile", tmp_path / "Makefile")
    subprocess.run(["make", "-s", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / ".venv" / PYCACHE).is_file() and (tmp_path / PYCACHE).is_file()
    assert not (tmp_path / "output" / "demo").exists()


MAKE_SETTINGS = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "XN_TEST_WORKERS", "PYTEST_ARGS")
"""What an outer `make test XN_TEST_WORKERS=… PYTEST_ARGS=…` passes down to a make a test runs."""


def _make_n(*args: str) -> str:
    """The commands `make -n …` would run, setup stamps taken as made, whatever make runs this test."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_SETTINGS}
    venv = Path(sys.executable).parent.parent
    done = subprocess.run(["make", "--no-print-directory", "-n", "-o", f"{venv}/.setup-done", "-o",
                           f"{venv}/.setup-dev-done", f"VENV={venv}", *args],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, env=env, check=True)
    return done.stdout


def test_make_test_runs_pytest_on_every_core_with_an_escape_hatch() -> None:
    pytest_line = _make_n("test").splitlines()[-1]
    assert pytest_line.split()[-5:] == ["-n", "auto", "--dist", "loadfile", "--no-loadscope-reorder"], pytest_line
    one = _make_n("test", "XN_TEST_WORKERS=0", "PYTEST_ARGS=tests/test_harness.py").splitlines()[-1]
    assert one.split()[-3:] == ["-n", "0", "tests/test_harness.py"], one  # no --dist without workers
    clean = _make_n("clean")
    assert ".venv" not in clean and "find . " not in clean, clean


@pytest.mark.slow
def test_every_process_collects_the_same_test_ids() -> None:
    """pytest-xdist's workers each collect the tests and must agree on every id: ids made from random
    bytes, the time, tmp paths or set order (PYTHONHASHSEED) break `make test`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_") and k not in MAKE_SETTINGS}
    env["PYTHONPATH"] = str(PROJECT_ROOT)

    def collect(seed: str) -> list[str]:
        done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"],
                              cwd=PROJECT_ROOT, env={**env, "PYTHONHASHSEED": seed}, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return [line for line in done.stdout.splitlines() if "::" in line]

    first, second = collect("1"), collect("2")
    assert len(first) > 800
    assert [i for i in first if i not in set(second)] == []
    assert first == second  # the same order too (xdist compares the lists)
