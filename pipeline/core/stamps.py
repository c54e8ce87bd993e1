"""Stage stamps: what a stage's outputs were made from, so a later stage never uses stale ones.

output/<edition>/.work/stamps/<stage>.json = {"made": local time, "inputs": {label: hash}}

A stage runs its body inside `replacing`: the stamp is removed when it starts, and when the body
fails (an error, a full disk, Ctrl-C) every output it would have replaced is removed too and the
user told which, so nothing stale stays in place looking current. The stamp is written
(atomically) only after every output is in place; a later stage compares it with the inputs as
they are now (`changes`) and refuses or warns with the labels of what changed. Labels are Chinese
and name the file ("评分表 review/scores/评分表-王立军.xlsx"), so the message reads as a sentence.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import atomic
from pipeline.core.context import RunContext


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


@contextmanager
def replacing(ctx: RunContext, what: str, outputs: Iterable[Path] | Callable[[], Iterable[Path]],
              stage: str = "") -> Iterator[None]:
    """Run a body that rebuilds `what` (Chinese, e.g. '公示'); if it fails in any way, remove `outputs`.

    `outputs` are files or folders the body would replace (a callable is asked only on failure, for
    outputs known as the body goes); each one that exists is deleted and named in one message, so no
    old file is left looking current. The stage's stamp, when given, is removed first; the caller
    writes it after the body succeeded. The exception is raised again.
    """
    if stage:
        clear_stamp(ctx, stage)
    try:
        yield
    except BaseException:
        remove_outputs(ctx, what, outputs() if callable(outputs) else outputs)
        raise


def remove_outputs(ctx: RunContext, what: str, outputs: Iterable[Path]) -> list[str]:
    """Delete the outputs that exist (folders whole) and say so, naming each; returns their names as shown."""
    gone: list[str] = []
    for path in dict.fromkeys(outputs):
        try:
            rel = path.relative_to(ctx.output).as_posix()
        except ValueError:
            rel = str(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            gone.append(f"{rel}/（整个文件夹）")
        elif path.exists() or path.is_symlink():
            path.unlink(missing_ok=True)
            gone.append(rel)
    if gone:
        ctx.say(f"{what}未能生成：已删除上次的 {'、'.join(gone)}（在 {ctx.output} 中），以免误用过期的文件")
    return gone
