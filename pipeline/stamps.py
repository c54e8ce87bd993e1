"""Stage stamps: what a stage's outputs were made from, so a later stage never uses stale ones.

output/<edition>/.work/stamps/<stage>.json = {"made": local time, "inputs": {label: hash}}

A stage removes its stamp when it starts and when it fails, and writes it (atomically) only after
every output is in place; a later stage compares the stamp with the inputs as they are now
(`changes`) and refuses with the labels of what changed. Labels are Chinese and name the file
("评分表 review/scores/评分表-王立军.xlsx"), so the refusal reads as a sentence.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline import atomic
from pipeline.context import RunContext


@dataclass(frozen=True)
class Stamp:
    """The record of one successful run of a stage."""

    made: dt.datetime
    """When the run finished (local time, for messages)."""
    inputs: dict[str, str]
    """Label of each input → its hash."""

    @property
    def when(self) -> str:
        """'2027-05-06 14:03' for messages."""
        return self.made.strftime("%Y-%m-%d %H:%M")


def stamp_path(ctx: RunContext, stage: str) -> Path:
    """output/<edition>/.work/stamps/<stage>.json."""
    return ctx.work / "stamps" / f"{stage}.json"


def clear_stamp(ctx: RunContext, stage: str) -> None:
    """The stage starts or failed: its outputs are no longer vouched for."""
    stamp_path(ctx, stage).unlink(missing_ok=True)


def write_stamp(ctx: RunContext, stage: str, inputs: Mapping[str, str]) -> None:
    """The stage succeeded: record what its outputs were made from."""
    data = {"made": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "inputs": dict(inputs)}
    atomic.write_text(stamp_path(ctx, stage), json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def read_stamp(ctx: RunContext, stage: str) -> Stamp | None:
    """The stage's last successful run, or None (never run, failed, interrupted or unreadable)."""
    try:
        data = json.loads(stamp_path(ctx, stage).read_text(encoding="utf-8"))
        return Stamp(dt.datetime.fromisoformat(data["made"]), {str(k): str(v) for k, v in data["inputs"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def changes(recorded: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """Inputs then and now → one Chinese phrase per difference ('新增了…', '…已删除', '…有改动')."""
    out = []
    for label in sorted(recorded.keys() | current.keys()):
        if label not in recorded:
            out.append(f"新增了{label}")
        elif label not in current:
            out.append(f"{label}已删除")
        elif recorded[label] != current[label]:
            out.append(f"{label}有改动")
    return out
