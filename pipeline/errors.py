"""Errors of the pipeline and the exit codes the command line returns.

    PipelineError                 base: exit_code, a Chinese message that says what to fix
    ├── InputError                the edition's input cannot be used (EXIT_BAD_INPUT)
    │   ├── EditionConfigError    edition.toml / calendar.toml missing or wrong
    │   └── RosterError           roster file unreadable or missing columns
    ├── StageError                a stage cannot run (a prerequisite is missing)
    └── RenderError               a document could not be produced (template, font, image)

A `Finding` (pipeline.model) is not an exception: it is a fact about one nominee that the
check stage reports. Exceptions are for a run that cannot go on, or for one document that
cannot be made; `attach()` adds the nominee and file so the message names them.
"""

from __future__ import annotations

from collections.abc import Iterator
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
        if self.hint:
            parts.append(f"（处理办法：{self.hint}）")
        return "".join(parts)


class InputError(PipelineError):
    """The edition's input cannot be used as it is."""


class EditionConfigError(InputError):
    """edition.toml or calendar.toml is missing, unreadable or has a wrong value."""


class RosterError(InputError):
    """The roster file itself cannot be read (encoding, format, missing columns)."""


class StageError(PipelineError):
    """A stage cannot run, for instance because an earlier stage's output is missing."""


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
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise RenderError(
            f"处理时出错：{type(exc).__name__}: {exc}",
            hint="检查该文件是否完整、格式是否正确；如仍不能解决，请联系技术人员并附上此信息",
            candidate=candidate,
            file=str(file),
        ) from exc
