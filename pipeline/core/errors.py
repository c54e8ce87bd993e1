"""Errors of the pipeline and the exit codes the command line returns.

    PipelineError                 base: exit_code, a Chinese message that says what to fix
    ├── InputError                the edition's input cannot be used (EXIT_BAD_INPUT)
    │   ├── EditionConfigError    edition.toml / calendar.toml missing or wrong
    │   └── RosterError           roster file unreadable or missing columns
    ├── StageError                a stage cannot run (a prerequisite is missing)
    │   └── OfficeActionNeeded    not a failure: a form was written for the office to fill in first
    ├── DiskFullError             no space left where a file is being written (EXIT_CANNOT_PROCEED)
    └── RenderError               a document could not be produced (template, font, image)

A `Finding` (pipeline.core.model) is not an exception: it is a fact about one nominee that the
check stage reports. Exceptions are for a run that cannot go on, or for one document that
cannot be made; `attach()` adds the nominee and file so the message names them. An error that
lists several problems gives each its own fix (`listed`), never one run-on line of hints. A full disk
(ENOSPC, or a full quota) is never a nominee's fault: wherever it happens it becomes a
DiskFullError naming the file being written, and the run stops.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Exit status of `python -m pipeline`."""

    ok = 0
    """Everything done, no error findings."""
    findings = 1
    """The run finished, but some nominee or document has errors (see the report)."""
    cannot_proceed = 2
    """The run itself could not proceed: bad edition, unreadable roster, missing tool."""


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""

    exit_code: ExitCode = ExitCode.cannot_proceed

    def __init__(
        self, message: str, *, hint: str = "", candidate: str = "", file: str = "", code: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.hint = hint
        self.candidate = candidate
        self.file = file

    def __str__(self) -> str:
        parts = []
        if self.candidate:
            parts.append(f"【{self.candidate}】")
        if self.file:
            parts.append(f"文件 {self.file}：")
        parts.append(self.message)
        if self.hint:  # under a list of problems the fix of the whole stands on its own line
            parts.append(f"\n处理办法：{self.hint}" if "\n" in self.message else f"（处理办法：{self.hint}）")
        return "".join(parts)


def listed(title: str, items: Sequence[tuple[str, str]]) -> str:
    """A title and (problem, fix) pairs → a numbered list, each problem's fix on its own line under it.

        初审表 review/初审.xlsx 有 2 处问题，无法确定提名人选：
          1. 文件 review/初审.xlsx，工作表“初审”，单元格 I5：“初审结果”未填写
             处理办法：填写“通过”或“不通过”
          2. …
    """
    lines = [title]
    for i, (problem, fix) in enumerate(items, start=1):
        lines.append(f"  {i}. {problem}")
        if fix:
            lines.append(f"{' ' * (len(str(i)) + 4)}处理办法：{fix}")
    return "\n".join(lines)


class InputError(PipelineError):
    """The edition's input cannot be used as it is."""


class EditionConfigError(InputError):
    """edition.toml or calendar.toml is missing, unreadable or has a wrong value."""


class RosterError(InputError):
    """The roster file itself cannot be read (encoding, format, missing columns)."""


class StageError(PipelineError):
    """A stage cannot run, for instance because an earlier stage's output is missing."""


class OfficeActionNeeded(StageError):
    """Not a failure: the stage wrote a form (e.g. 初审.xlsx) that the office fills in before it can go on.

    The command that asks for it (`stage`) ends with a 下一步 line and exit status 0; any other command
    that needs the filled form cannot run yet (exit status 2).
    """

    def __init__(self, message: str, *, step: str, stage: str, file: str = "", code: str = "") -> None:
        super().__init__(message, hint=step, file=file, code=code)
        self.stage = stage

    @property
    def next_step(self) -> str:
        """'下一步：<what was written>。\n  <what the office does next>' — the instruction as the office reads it."""
        return f"下一步：{self.message}。\n  {self.hint}。"


class DiskFullError(PipelineError):
    """The disk (or the user's quota) is full where a file is being written."""


def is_disk_full(exc: BaseException) -> bool:
    """True for the OSError of a full disk or quota."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def disk_full(path: Path | str) -> DiskFullError:
    """The file being written → the error that says the disk is full and what to do."""
    folder = Path(path).parent if str(path) else Path()
    return DiskFullError(
        "磁盘空间不足，文件未能写入",
        hint=f"清理该磁盘（终端里 df -h {folder} 显示剩余空间）后重新运行；已完成的文件保留，不会重做",
        file=str(path))


class RenderError(PipelineError):
    """A document could not be produced."""

    exit_code = ExitCode.findings


@contextmanager
def attach(candidate: str = "", file: Path | str = "") -> Iterator[None]:
    """Attach the nominee and file to any PipelineError raised inside the block.

    Third-party errors are translated into RenderError so that one bad document names
    its nominee and file and never shows a bare traceback to the office.
    """
    try:
        yield
    except PipelineError as exc:
        exc.candidate = exc.candidate or candidate
        exc.file = exc.file or str(file)
        raise
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full(exc.filename or file) from exc
        raise _render_error(exc, candidate, file) from exc
    except (ValueError, RuntimeError, KeyError) as exc:
        raise _render_error(exc, candidate, file) from exc


def _render_error(exc: Exception, candidate: str, file: Path | str) -> RenderError:
    """A third-party error while making one document → the RenderError naming nominee and file."""
    return RenderError(
        f"处理时出错：{type(exc).__name__}: {exc}",
        hint="检查该文件是否完整、格式是否正确；如仍不能解决，请联系技术人员并附上此信息",
        candidate=candidate,
        file=str(file),
    )
