"""Problems found in the office's and the experts' spreadsheets, each naming file, sheet and cell.

A `Problem` is one fact about one cell (or one file); `ReviewError` carries all of them, so
the office sees every problem at once instead of fixing them one run at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.core.errors import InputError, OfficeActionNeeded, listed


@dataclass(frozen=True)
class Problem:
    """One problem in a spreadsheet the office or an expert filled in."""

    code: str
    """Stable code, e.g. SCORE_OUT_OF_RANGE; tests rely on it."""
    file: str
    """File name relative to the edition folder, e.g. review/scores/评分表-王立军.xlsx."""
    sheet: str
    """Worksheet name, '' when the problem is about the whole file."""
    cell: str
    """Cell or range, e.g. G7 or B5:B44, '' when about the whole sheet or file."""
    message: str
    """What is wrong, in Chinese, naming the values involved."""
    hint: str
    """How to fix it, in Chinese."""
    warning: bool = False
    """True for a problem that does not stop the stage (it is reported)."""

    @property
    def where(self) -> str:
        """'文件 review/初审.xlsx，工作表“初审”，单元格 D7'."""
        parts = [f"文件 {self.file}"]
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        return "，".join(parts)

    def __str__(self) -> str:
        """The problem as one line: where, what, and the fix."""
        text = f"{self.where}：{self.message}"
        return f"{text}（处理办法：{self.hint}）" if self.hint else text


class ReviewError(InputError):
    """The office's or the experts' spreadsheets have problems; every one is listed."""

    def __init__(self, title: str, problems: Sequence[Problem], *, hint: str = "", file: str = "",
                 code: str = "") -> None:
        self.problems = tuple(problems)
        super().__init__(listed(title, [(f"{p.where}：{p.message}", p.hint) for p in self.problems]),
                         hint=hint, file=file, code=code or "REVIEW_INPUT")


def raise_errors(title: str, problems: Sequence[Problem], *, hint: str = "") -> None:
    """Raise ReviewError when any problem is not a warning."""
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ReviewError(title.format(n=len(errors)), errors, hint=hint)


class TieError(OfficeActionNeeded):
    """Equal totals straddle the cut-off: the leading group must decide in 决定.xlsx (written for them).

    Like the first 初审.xlsx this is the round's next step, not an error: `make results` says 下一步."""

    def __init__(self, message: str, codes: Sequence[str], *, hint: str, file: str) -> None:
        super().__init__(message, step=hint, stage="results", file=file, code="SCORE_TIE")
        self.codes = tuple(codes)
