"""bench.json: what one `make bench` run measured, on which machine; the comparison of two runs.

The file (schema 1) holds `created` (UTC), `machine`, `options`, `reference` (pipeline.bench.reference
plus the measure of its process), `rounds` (each with the reference runs just before and after its
packets, `reference` and `reference_after`, and its `stages`: one measure per run of a stage,
keyed `<stage>/<cold|noop|one>` so two files can be matched row by row) and `ocr`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import unicodedata
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pipeline.bench.measure import Usage
from pipeline.core import atomic
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import StageError

SCHEMA = 1


@dataclass(frozen=True)
class Row:
    """One run of one stage."""

    key: str
    """Stable name for comparisons: `<stage>/<cold|noop|one>`."""
    label: str
    """What was run, as the table shows it."""
    usage: Usage
    """The measure."""
    nominees: int | None = None
    """Set where CPU per nominee is meaningful (a cold run over the whole round)."""
    ratio: float | None = None
    """CPU per nominee ÷ the reference's CPU per document (the packets' cold run)."""

    @property
    def cpu_per_nominee(self) -> float | None:
        """CPU seconds per nominee, where meaningful."""
        return self.usage.cpu / self.nominees if self.nominees else None

    def as_dict(self) -> dict[str, Any]:
        """The row as bench.json holds it."""
        return {"key": self.key, "label": self.label, **asdict(self.usage), "nominees": self.nominees,
                "cpu_per_nominee": self.cpu_per_nominee, "ratio": self.ratio}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(PROJECT_ROOT), *args], capture_output=True, text=True, check=True,
                              timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """The computer and software the figures belong to (load averages are added around the run)."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return {
        "cores": os.cpu_count(), "usable_cores": usable, "cpu_model": _cpu_model(), "memory_gb": _memory_gb(),
        "system": platform.platform(), "python": platform.python_version(),
        "weasyprint": _version("weasyprint"), "pydyf": _version("pydyf"),
        "git_commit": _git("rev-parse", "HEAD"), "git_dirty": bool(status) if status is not None else None,
    }


def now() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write(target: Path, data: dict[str, Any]) -> None:
    """bench.json written atomically."""
    atomic.write_text(target, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def load(path: Path) -> dict[str, Any]:
    """A bench.json read back; StageError naming the file when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = ("文件不存在" if isinstance(exc, FileNotFoundError) else
                  "无法打开" if isinstance(exc, OSError) else "不是有效的 JSON 文本")
        raise StageError(f"无法读取用于比较的基准测试结果（{reason}）",
                         hint="BASE= 应指向以前某次 make bench 写出的 bench.json（例如先复制 output/bench/bench.json 另存）",
                         file=str(path)) from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("rounds"), list):
        raise StageError(f"不是本程序写出的基准测试结果（bench.json，格式版本 {SCHEMA}）",
                         hint="BASE= 应指向以前某次 make bench 写出的 bench.json", file=str(path))
    return data


def width(text: str) -> int:
    """Columns the text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """The text padded with spaces to `columns` terminal columns."""
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


COLUMNS = (("用时(秒)", 9), ("CPU(秒)", 9), ("最大进程(MB)", 13), ("全部进程(MB)", 13), ("写入(MB)", 10),
           ("每人CPU(秒)", 12), ("相对参照", 9), ("其他负载(核)", 13), ("退出码", 7))
LABEL = 36


def _num(value: float | None, digits: int, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.{digits}f}{suffix}"


def table(rows: list[dict[str, Any]]) -> list[str]:
    """The rows of one round as a table (rows as bench.json holds them)."""
    lines = [pad("阶段", LABEL) + "".join(pad(name, w, right=True) for name, w in COLUMNS)]
    for r in rows:
        cells = (_num(r["wall"], 2), _num(r["cpu"], 2), _num(r["peak_one_mb"], 0), _num(r["peak_all_mb"], 0),
                 _num(r["written_bytes"] / 1e6, 1), _num(r["cpu_per_nominee"], 3), _num(r["ratio"], 2, " ×"),
                 _num(r["other_cores"], 2), str(r["exit_code"]))
        lines.append(pad(r["label"], LABEL) + "".join(pad(c, w, right=True) for c, (_, w) in zip(cells, COLUMNS, strict=True)))
    return lines


COMPARED = (("wall", "用时", "秒", 2), ("cpu", "CPU", "秒", 2), ("peak_one_mb", "最大进程", "MB", 0),
            ("peak_all_mb", "全部进程", "MB", 0), ("written_bytes", "写入", "MB", 1), ("ratio", "相对参照", "×", 2))


def _change(old: float | None, new: float | None, digits: int, unit: str = "", scale: float = 1.0) -> str:
    """'before→after unit（±change %）'; — when either is missing."""
    if old is None or new is None:
        return "—"
    text = f"{old / scale:.{digits}f}→{new / scale:.{digits}f}{(' ' + unit) if unit else ''}"
    return text + (f"（{(new - old) / old:+.0%}）" if old else "")


def _paired(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[tuple[dict[str, Any] | None, dict[str, Any]]]:
    """Each item of `after` with the item of `before` that has the same "key" (None when none has)."""
    by_key = {item["key"]: item for item in before}
    return [(by_key.get(item["key"]), item) for item in after]


def compare(base: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Per stage of every round both runs have: each figure before → after (change in %)."""
    def about(data: dict[str, Any]) -> str:
        m = data.get("machine", {})
        load = m.get("load_before"), m.get("load_after")
        commit = (m.get("git_commit") or "?")[:10] + ("（有未提交改动）" if m.get("git_dirty") else "")
        return (f"{data.get('created', '?')}，提交 {commit}，{m.get('cores', '?')} 核，"
                f"负载 {_num(load[0], 2)} → {_num(load[1], 2)}")

    lines = ["", "## 与以前的结果比较", f"以前：{about(base)}", f"本次：{about(current)}"]
    old_ref, new_ref = base.get("reference") or {}, current.get("reference") or {}
    lines.append(f"参照（裸 WeasyPrint 两页表格，每份 CPU 秒）：{_change(old_ref.get('cpu_per_document'), new_ref.get('cpu_per_document'), 3, '秒')}")
    for old_round, new_round in _paired(base["rounds"], current["rounds"]):
        if old_round is None:
            lines.append(f"（{new_round['title']}：以前的结果里没有这一轮）")
            continue
        lines.append(f"\n### {new_round['title']}")
        for old, row in _paired(old_round["stages"], new_round["stages"]):
            if old is None:
                lines.append(f"{row['label']}：以前没有测")
                continue
            parts = []
            for field, name, unit, digits in COMPARED:
                scale = 1e6 if field == "written_bytes" else 1.0
                if row.get(field) is not None or old.get(field) is not None:
                    parts.append(f"{name} {_change(old.get(field), row.get(field), digits, unit, scale)}")
            lines.append(f"{row['label']}：" + "；".join(parts))
    return lines
