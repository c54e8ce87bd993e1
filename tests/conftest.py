"""Shared fixtures: the demo edition's settings, a candidate factory, tmp editions."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from pathlib import Path

import pytest

from pipeline.core.edition import PROJECT_ROOT, Edition, load_edition
from pipeline.core.model import Candidate, YearMonth
from pipeline.rules.idcard import check_character

DEMO = PROJECT_ROOT / "input" / "demo"
MISTAKES = PROJECT_ROOT / "input" / "examples" / "mistakes"


def make_command(*args: str) -> list[str]:
    """`make …` on the project's Makefile that never remakes the setup stamps (-o): a test installs
    nothing, and two pytest-xdist workers never run scripts/setup.sh into one virtualenv at once."""
    venv = Path(sys.executable).parent.parent
    return ["make", "--no-print-directory", "-o", f"{venv}/.setup-done", "-o", f"{venv}/.setup-dev-done",
            f"VENV={venv}", *args]


def make_id(birth: str = "19800115", male: bool = True, region: str = "232700", seq: str = "12") -> str:
    """A valid ID number: region + YYYYMMDD + 2 digits + gender digit + check character."""
    body = f"{region}{birth}{seq}{'1' if male else '2'}"
    return body + check_character(body)


@pytest.fixture(scope="session")
def edition() -> Edition:
    """The demo edition's settings."""
    return load_edition(DEMO)


@pytest.fixture
def candidate() -> Candidate:
    """A clean nominee; override fields with dataclasses.replace."""
    return Candidate(
        code="T01", name="王建国", gender="男", birth=YearMonth(1980, 1), native_place="黑龙江塔河",
        ethnicity="汉族", political_status="中共党员", education="大专", work_start=YearMonth(1999, 7),
        professional_title="无", skill_level="高级技师", unit_and_post="塔河林业局 电工班长",
        occupation="电工", id_number=make_id(), phone="13904570001", recommender="塔河林业局",
        nomination="单位推荐", retirement_category=None, conditions=(1, 5), exclusion="",
        resume="1999.07—至今 塔河林业局 电工", summary="长期扎根一线。", row=2,
    )


def replace(c: Candidate, **changes: object) -> Candidate:
    """dataclasses.replace with a short name."""
    return dataclasses.replace(c, **changes)  # type: ignore[arg-type]


@pytest.fixture
def tmp_edition(tmp_path: Path) -> Path:
    """An empty edition folder with the demo's edition.toml."""
    folder = tmp_path / "ed"
    folder.mkdir()
    shutil.copy(DEMO / "edition.toml", folder / "edition.toml")
    return folder


def run_folder(factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder shared by every process of this pytest run: under pytest-xdist (`make test`, `-n`) the
    run's folder that holds each worker's own (`…/pytest-N/<name>` beside `…/pytest-N/popen-gw0`),
    else this session's. Whatever is written there must be written atomically (two workers at once)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = factory.getbasetemp().parent / name
        folder.mkdir(exist_ok=True)
        return folder
    return factory.mktemp(name, numbered=False)


@pytest.fixture(scope="session", autouse=True)
def _ocr_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Evidence is not read by OCR unless a test asks (XN_READ_EVIDENCE=1 in its own environment):
    reading costs ~1 CPU-s per page. What is read is cached for the whole run, shared by tests and by
    the workers of pytest-xdist (the engine writes each reading atomically)."""
    os.environ["XN_READ_EVIDENCE"] = "0"
    os.environ.setdefault("XN_OCR_CACHE", str(run_folder(tmp_path_factory, "ocr-cache")))


@pytest.fixture(scope="session", autouse=True)
def _session_output(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Output, registry and keys of what runs outside a test (module and session fixtures that build
    a round) go under this worker's own tmp folder too: never into the repository's output/, which
    the workers of pytest-xdist would share. Fixtures that build something set their own folders."""
    base = tmp_path_factory.mktemp("session", numbered=False)
    for name in ("output", "state", "keys"):
        os.environ[f"XN_{name.upper()}"] = str(base / name)


HEAVY_FIRST = ("tests/test_round_preflight.py", "tests/test_editions.py")
"""The two longest files: two whole rounds through `make demo`, and the mistakes edition read by OCR
(together 39 % of the suite's test time in the run measured for issue 15). Under pytest-xdist they are
handed out first, one to each worker, and the other files fill in around them (the Makefile's
--no-loadscope-reorder keeps this order; xdist would otherwise hand out the files with the most tests
first: these two came last, together, and the second round ran its last 10 minutes beside an idle
worker)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist: the files of HEAVY_FIRST first (every worker sorts the same way); a run in
    one process keeps the files' own order."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {path: i for i, path in enumerate(HEAVY_FIRST)}
        items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


READ_CODES = frozenset({"EVIDENCE_HOLDER_MISMATCH", "EVIDENCE_DATE_MISMATCH", "EVIDENCE_DATE_READ",
                        "EVIDENCE_KIND_MISMATCH", "EVIDENCE_NO_TEXT", "EVIDENCE_DUPLICATE",
                        "EVIDENCE_GRADE_MISMATCH"})
"""Codes found only by reading the evidence (OCR)."""


def expected_codes(expected: dict[str, list[str]]) -> dict[str, list[str]]:
    """The mistakes edition's expected.json as this environment checks it: without the codes found by
    reading the evidence when XN_READ_EVIDENCE=0 (the default of the suite)."""
    if os.environ.get("XN_READ_EVIDENCE", "1") != "0":
        return expected
    return {code: [c for c in codes if c not in READ_CODES] for code, codes in expected.items()}


def reading_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess that reads the evidence (OCR on, the session's cache)."""
    return {**os.environ, "XN_READ_EVIDENCE": "1", **extra}


@pytest.fixture(autouse=True)
def _isolated_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test writes output, registry and keys under its own tmp folder, never into the repository."""
    monkeypatch.setenv("XN_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("XN_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("XN_KEYS", str(tmp_path / "keys"))
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1798761600")
