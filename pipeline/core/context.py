"""The run context every stage receives: the edition, options, and where things go."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.edition import Edition

DEFAULT_EPOCH = 1798761600
"""2027-01-01 00:00 UTC: the fixed creation date of documents unless SOURCE_DATE_EPOCH is set."""


@dataclass(frozen=True)
class RunContext:
    """Options of one run of the pipeline (picklable, so worker processes can take it)."""

    edition: Edition
    """The edition being processed."""
    verbose: bool = False
    """Show tracebacks and details."""
    quiet: bool = False
    """No progress output (tests)."""
    jobs: int = 0
    """Worker processes for rendering; 0 = number of CPUs."""

    @property
    def output(self) -> Path:
        """output/<edition>/."""
        return self.edition.output

    @property
    def work(self) -> Path:
        """output/<edition>/.work/: intermediate files and stage manifests."""
        return self.edition.output / ".work"

    @property
    def source_date(self) -> dt.datetime:
        """The creation date written into documents (SOURCE_DATE_EPOCH or a fixed date)."""
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
        return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)

    @property
    def workers(self) -> int:
        """How many worker processes to use."""
        return self.jobs or max(1, os.cpu_count() or 1)

    def say(self, message: str) -> None:
        """Progress for the office staff (stderr, Chinese)."""
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)
