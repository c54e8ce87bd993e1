"""The list of proposed awardees: written by `make results`, read by publicity, media and certificates.

output/<edition>/results/awardees.json holds, in rank order, the 编号 and scores of the
selected nominees; `load_awardees` joins them with the checked nominees so later stages see
the full Candidate (name, unit, summary, photo) without reading the roster again.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.errors import StageError
from pipeline.rules.awardees import Awardee, AwardeeList

if TYPE_CHECKING:
    from pathlib import Path

    from pipeline.core.model import CheckResult

AWARDEES_SCHEMA = 1


def awardees_path(ctx: RunContext) -> Path:
    """output/<edition>/results/awardees.json."""
    return ctx.output / "results" / "awardees.json"


def save_awardees(ctx: RunContext, ranked: list[tuple[str, float]]) -> Path:
    """Write the selected (编号, total) pairs in rank order."""
    data = {
        "schema": AWARDEES_SCHEMA,
        "edition": ctx.edition.name,
        "round": ctx.edition.round.year,
        "awardees": [{"rank": i, "编号": code, "total": round(total, 4)}
                     for i, (code, total) in enumerate(ranked, start=1)],
    }
    target = awardees_path(ctx)
    atomic.write_text(target, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return target


def load_awardees(ctx: RunContext, check: CheckResult) -> AwardeeList:
    """The proposed awardees, joined with the check result; StageError when results are missing, failed
    last time, or older than the score sheets, 初审, roster or settings they were made from."""
    from pipeline.stages.results import require_current_results

    require_current_results(ctx, check)
    path = awardees_path(ctx)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StageError("还没有评审结果（拟表彰人选名单）", hint="先运行 make results", file=str(path)) from None
    by_code = {n.candidate.code: n for n in check.nominees}
    awardees = []
    for item in data.get("awardees", []):
        nominee = by_code.get(item["编号"])
        if nominee is None:
            raise StageError(
                f"拟表彰人选 {item['编号']} 已不在名册中",
                hint="名册改动后请重新运行 make results",
                file=str(path),
            )
        awardees.append(Awardee(int(item["rank"]), float(item["total"]), nominee))
    return AwardeeList(ctx.edition.publicity.final, tuple(awardees))
