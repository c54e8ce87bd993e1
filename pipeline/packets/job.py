"""The per-nominee context of the packets stage: `PacketJob`, picklable for worker processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.edition import Edition
from pipeline.core.model import Candidate, Evidence
from pipeline.core.safepath import child, safe_name
from pipeline.ocr import Page


@dataclass(frozen=True)
class PacketPaths:
    """Where one nominee's outputs go."""

    print_pdf: Path
    """packets/<编号>-<姓名>-申报材料.pdf: the print master (full resolution)."""
    email_pdf: Path
    """packets/email/<编号>-<姓名>-申报材料.pdf: the copy within the e-mail size budget, written only when
    it differs from the print master (a master within the budget is the e-mail copy itself)."""
    docx: Path
    """packets/docx/<编号>-<姓名>-申报审批表.docx: the editable form."""

    def all(self) -> tuple[Path, Path, Path]:
        """The three outputs a packet may have (to remove them all)."""
        return (self.print_pdf, self.email_pdf, self.docx)

    def written(self, email_is_master: bool) -> tuple[Path, ...]:
        """The outputs a build writes: no separate e-mail copy when the master is the e-mail copy."""
        return (self.print_pdf, self.docx) if email_is_master else self.all()


def packet_paths(packets_dir: Path, candidate: Candidate) -> PacketPaths:
    """Output paths of a nominee under output/<edition>/packets/."""
    stem = f"{safe_name(candidate.code)}-{safe_name(candidate.name)}"
    return PacketPaths(
        print_pdf=child(packets_dir, f"{stem}-申报材料.pdf"),
        email_pdf=child(packets_dir / "email", f"{stem}-申报材料.pdf"),
        docx=child(packets_dir / "docx", f"{stem}-申报审批表.docx"),
    )


@dataclass(frozen=True)
class PacketJob:
    """Everything one packet is made from."""

    candidate: Candidate
    """The roster row."""
    photo: Path | None
    """The normalised 2-inch photo (check stage), None when there is none."""
    deeds: Path | None
    """The 先进事迹 file."""
    evidence: tuple[Evidence, ...]
    """Evidence files in binding order (category, then date, then title)."""
    edition: Edition
    """The edition (round title, office, packet settings)."""
    source_date: dt.datetime
    """Creation date written into the documents (SOURCE_DATE_EPOCH or the fixed default)."""
    paths: PacketPaths
    """Where the outputs go."""
    fingerprint: str
    """Hash of every input of this packet; stored in its manifest once built."""
    text_layer: Mapping[str, tuple[Page, ...]] = field(default_factory=dict)
    """Evidence file (rel) → its scanned pages with the lines to write as their invisible text layer
    (pipeline.packets.textlayer.layer_pages); files and pages not listed get none."""

    @property
    def label(self) -> str:
        """'编号 姓名' for messages."""
        return self.candidate.label
