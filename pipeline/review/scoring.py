"""Aggregation and ranking of the expert scores (pure functions on exact fractions).

Per nominee: each expert's weighted total; with `drop_extremes` and at least 5 experts, the
expert with the highest and the one with the lowest total are left out (去掉一个最高分和一个
最低分); the criterion means are taken over the remaining experts, and the nominee's total is
the weighted sum of those means (equal to the mean of the remaining experts' totals).

Ranking is by total, highest first. At most `k` are selected. When equal totals straddle the
cut-off the leading group must decide (`Tie`), never the roster order or a coin toss.
Arithmetic is exact (fractions.Fraction), so "equal" means equal, not "equal after rounding".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from pipeline.review.decisions import Decision
from pipeline.review.problems import Problem

DROP_MIN_EXPERTS = 5
"""drop_extremes applies from this many experts on."""


@dataclass(frozen=True)
class Scored:
    """One nominee's aggregated scores."""

    code: str
    """编号."""
    expert_totals: tuple[Fraction, ...]
    """Each expert's weighted total, in the edition's expert order."""
    kept: tuple[bool, ...]
    """Per expert: counted (False for the dropped highest and lowest)."""
    means: tuple[Fraction, ...]
    """Per criterion: the mean over the counted experts."""
    total: Fraction
    """Weighted total of the means: the ranking score."""


def weighted(scores: Sequence[Fraction], weights: Sequence[Fraction]) -> Fraction:
    """Σ weight × score."""
    return sum((w * s for w, s in zip(weights, scores, strict=True)), Fraction(0))


def aggregate(code: str, per_expert: Sequence[Sequence[Fraction]], weights: Sequence[Fraction],
              drop_extremes: bool) -> Scored:
    """One nominee's scores (one row of criterion scores per expert) → Scored."""
    totals = tuple(weighted(s, weights) for s in per_expert)
    n = len(totals)
    kept = [True] * n
    if drop_extremes and n >= DROP_MIN_EXPERTS:
        order = sorted(range(n), key=lambda i: (totals[i], i))
        kept[order[0]] = kept[order[-1]] = False
    counted = [s for s, k in zip(per_expert, kept, strict=True) if k]
    means = tuple(sum((s[j] for s in counted), Fraction(0)) / len(counted) for j in range(len(weights)))
    return Scored(code, totals, tuple(kept), means, weighted(means, weights))


def ranked(scored: Sequence[Scored], order: Sequence[str]) -> list[Scored]:
    """Highest total first; equal totals in shortlist order (for display only — see `cut`)."""
    index = {c: i for i, c in enumerate(order)}
    return sorted(scored, key=lambda s: (-s.total, index.get(s.code, len(index))))


def places(items: Sequence[Scored]) -> list[int]:
    """Competition ranking of a ranked list: 1, 2, 2, 4 …"""
    out: list[int] = []
    for i, s in enumerate(items):
        out.append(out[-1] if i and s.total == items[i - 1].total else i + 1)
    return out


@dataclass(frozen=True)
class Tie:
    """Equal totals straddling the cut-off."""

    codes: tuple[str, ...]
    """The tied nominees, in shortlist order."""
    total: Fraction
    """Their common total."""
    slots: int
    """How many of them can still be selected."""
    above: int
    """How many are selected ahead of them."""


def find_tie(items: Sequence[Scored], k: int) -> Tie | None:
    """The tie across the cut-off after the first k of a ranked list, if any."""
    if k <= 0 or k >= len(items) or items[k - 1].total != items[k].total:
        return None
    t = items[k - 1].total
    group = tuple(s.code for s in items if s.total == t)
    above = sum(1 for s in items if s.total > t)
    return Tie(group, t, k - above, above)


def total_text(value: Fraction) -> str:
    """A total as printed: two decimals."""
    return f"{float(value):.2f}"


def resolve_tie(tie: Tie, decisions: Mapping[str, Decision], rel: str, sheet: str
                ) -> tuple[tuple[str, ...] | None, list[Problem]]:
    """The leading group's choice among the tied → (selected codes, problems)."""
    problems: list[Problem] = []
    missing = [c for c in tie.codes if c not in decisions]
    if missing:
        problems.append(Problem("DECISION_MISSING", rel, sheet, "",
                                f"缺少并列人选 {'、'.join(missing)} 的决定",
                                "为每名并列人选各填一行（或删除该文件，重新运行 make results 生成新表）"))
    for code, d in decisions.items():
        if code not in tie.codes:
            problems.append(Problem("DECISION_NOT_TIED", rel, sheet, d.cell,
                                    f"{code} 不在当前并列人选（{'、'.join(tie.codes)}）之中",
                                    "分数可能已变化：删除该文件，重新运行 make results 生成新表"))
        elif d.total != total_text(tie.total):
            problems.append(Problem("DECISION_STALE", rel, sheet, d.cell,
                                    f"{code} 的总分现为 {total_text(tie.total)}，决定表中是 {d.total}",
                                    "分数已变化：删除该文件，重新运行 make results 生成新表并重新决定"))
    chosen = tuple(c for c in tie.codes if c in decisions and decisions[c].selected)
    if not problems and len(chosen) != tie.slots:
        problems.append(Problem("DECISION_COUNT", rel, sheet, "",
                                f"决定“入选”{len(chosen)} 人，但并列人选中只剩 {tie.slots} 个名额",
                                f"只给 {tie.slots} 人填写“入选”，其余填写“不入选”"))
    return (None if problems else chosen), problems


@dataclass(frozen=True)
class Outcome:
    """Ranking with the selection applied."""

    order: tuple[Scored, ...]
    """Final order: by total; within a decided tie, the chosen first."""
    places: tuple[int, ...]
    """Competition ranking (equal totals share a place)."""
    selected: frozenset[str]
    """编号 of the selected."""
    decided: frozenset[str]
    """编号 whose selection the leading group decided (a tie at the cut-off)."""


def select(items: Sequence[Scored], k: int, chosen: Sequence[str] | None = None,
           tie: Tie | None = None) -> Outcome:
    """Apply the cut-off to a ranked list (with the leading group's choice when there is a tie)."""
    order = list(items)
    decided: frozenset[str] = frozenset()
    if tie is not None:
        if chosen is None:
            raise ValueError("a tie needs a decision")
        group = [s for s in order if s.code in tie.codes]
        rest = [s for s in order if s.code not in tie.codes]
        group.sort(key=lambda s: s.code not in chosen)  # stable: chosen first, in shortlist order
        order = rest[: tie.above] + group + rest[tie.above:]
        decided = frozenset(tie.codes)
    selected = frozenset(s.code for s in order[: max(0, k)])
    return Outcome(tuple(order), tuple(places(order)), selected, decided)
