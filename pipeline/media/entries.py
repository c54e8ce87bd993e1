"""What the media kit knows about one awardee: public text only, scrubbed, ready to lay out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import RenderError
from pipeline.core.model import Candidate
from pipeline.core.safepath import safe_name
from pipeline.media.text import scrub, unit_line
from pipeline.rules.awardees import AwardeeList
from pipeline.rules.materials import DeedsUnreadable, read_deeds
from pipeline.rules.privacy import Known, public_candidate


@dataclass(frozen=True)
class MediaEntry:
    """One awardee as every outlet shows them (never an ID number, phone or address)."""

    seq: int
    """1-based position in the public list (姓氏笔画 order, never the ranking)."""
    candidate: Candidate
    """The roster row, public fields redacted (pipeline.rules.privacy.public_candidate; only those are used)."""
    photo: Path
    """The normalised 2-inch photo (check stage)."""
    profile: str
    """One-paragraph profile: the scrubbed 简要事迹."""
    deeds: tuple[str, ...]
    """Scrubbed paragraphs of the 先进事迹材料 (empty when the file is missing)."""
    notes: tuple[str, ...]
    """Notes for the editors (what was removed for privacy, what is missing)."""

    @property
    def name(self) -> str:
        """姓名."""
        return self.candidate.name

    @property
    def unit(self) -> str:
        """工作单位及职务 on one line."""
        return unit_line(self.candidate)

    @property
    def occupation(self) -> str:
        """职业（工种）."""
        return self.candidate.occupation

    @property
    def stem(self) -> str:
        """File-name stem: '01-王建国'."""
        return f"{self.seq:02d}-{safe_name(self.candidate.name)}"

    @property
    def slug(self) -> str:
        """ASCII file-name stem for web files: 'a01'."""
        return f"a{self.seq:02d}"


def prepare_entries(awardees: AwardeeList, known: Known | None = None) -> tuple[MediaEntry, ...]:
    """The proposed awardees → MediaEntry per awardee; RenderError when one has no usable photo.

    `known`: every nominee's registered numbers (the awardees' own are always looked for).
    """
    known = Known.of(a.nominee.candidate for a in awardees.awardees) + (known or Known())
    entries = []
    for seq, awardee in enumerate(awardees.public, start=1):
        nominee = awardee.nominee
        c, removals = public_candidate(nominee.candidate, known)
        if nominee.photo is None or not nominee.photo.is_file():
            raise RenderError(
                "拟表彰人选没有可用的标准照片，无法制作媒体稿件",
                hint="先运行 make check 生成标准照片（照片须合格）",
                candidate=nominee.candidate.label, file=str(nominee.photo or nominee.materials.photo or "照片.jpg"))
        notes = [f"{r.column}中的{'、'.join(r.kinds)}已删去，以“（略）”代替" for r in removals]
        summary = " ".join(c.summary.split())
        deeds: list[str] = []
        path = nominee.materials.deeds
        if path is None:
            notes.append("缺少先进事迹材料，专栏稿改用简要事迹")
        else:
            try:
                text = read_deeds(path)
            except (DeedsUnreadable, OSError) as exc:
                notes.append(f"先进事迹材料无法读取（{exc}），专栏稿改用简要事迹")
            else:
                removed: list[str] = []
                for para in text.paragraphs:
                    s = scrub(para, nominee.candidate, known)
                    removed += s.removed
                    if s.text.strip() and s.text.strip() != "（略）":
                        deeds.append(s.text.strip())
                if removed:
                    notes.append("先进事迹材料中的" + "、".join(dict.fromkeys(removed)) + "已删去，以“（略）”代替")
        entries.append(MediaEntry(seq, c, nominee.photo, summary, tuple(deeds), tuple(notes)))
    return tuple(entries)
