"""The proposed awardees of a round, and the order every public list shows them in.

`pipeline.stages.awardees` writes and reads output/<edition>/results/awardees.json; these are the
values it hands to publicity, media, certificates and the privacy scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.model import Nominee
from pipeline.rules.strokes import in_stroke_order


@dataclass(frozen=True)
class Awardee:
    """One proposed awardee."""

    rank: int
    """1 = highest total score."""
    total: float
    """Weighted total score (aggregated over the experts)."""
    nominee: Nominee
    """The checked nominee: candidate, materials, normalised photo."""


@dataclass(frozen=True)
class AwardeeList:
    """The proposed awardees of a round."""

    final: bool
    """True once the edition marks the list final ([publicity] final); media say 拟表彰 until then."""
    awardees: tuple[Awardee, ...]
    """In rank order: internal (评审结果); public documents use `public`."""

    @property
    def public(self) -> tuple[Awardee, ...]:
        """In 姓氏笔画 order (pipeline.rules.strokes), 编号 for equal names: every public list and numbering."""
        return tuple(in_stroke_order(self.awardees, lambda a: a.nominee.candidate.name,
                                     lambda a: a.nominee.candidate.code))
