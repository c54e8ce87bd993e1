"""Check every nomination and photo; writes the check report.

Stage `check`: edition input → output/<edition>/check/ (report.json, report.html, 推荐人选汇总表.xlsx,
photos/<编号>.jpg normalised photos, thumbs/<编号>.png contact-sheet thumbnails, evidence/*.jpg
the evidence pages the reading checks speak of, read text outlined: pipeline.stages.check_thumbs).

Reading the roster and applying the rules is cheap and done every run. Inspecting files
(decoding every scan, the photo analysis, reading the deeds) is cached under
output/<edition>/.work/check/ by content hash, so a second run with nothing changed does
almost no work, and a changed file is inspected again. Cache misses run in worker processes.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import pickle
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import atomic, stamps
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, PhotoSettings
from pipeline.core.errors import ExitCode, RosterError
from pipeline.core.model import (
    Candidate,
    CheckResult,
    Evidence,
    Finding,
    Materials,
    Nominee,
    Severity,
)
from pipeline.core.safepath import CODE_FORMAT, UnsafePath, child
from pipeline.core.workers import process_pool
from pipeline.ocr import engine, evidence_text
from pipeline.render.fonts import resolve_fonts
from pipeline.rules import checks
from pipeline.rules.checks import FileVerdict
from pipeline.rules.materials import scan_materials
from pipeline.rules.roster import read_roster
from pipeline.stages import check_feedback, check_report, check_thumbs

REPORT_SCHEMA = 1
"""Version of report.json's layout (README: 'report.json')."""


# ---- cached file inspections --------------------------------------------------------------

@functools.cache
def _code_version() -> str:
    """Hash of the code whose verdicts are cached: a change of rules invalidates the cache."""
    digest = hashlib.sha256()
    for name in ("rules/checks.py", "rules/photo", "rules/materials.py", "core/filelimits.py",
                 "core/safepath.py", "ocr/evidence_text.py"):
        path = PROJECT_ROOT / "pipeline" / name  # a moved module must be renamed here: a missing one raises
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class _Job:
    kind: str  # "deeds" | "evidence" | "photo" | "phash"
    path: str
    rel: str
    code: str
    name: str
    photo: PhotoSettings | None
    key: str



def _job_key(kind: str, path: Path, extra: str) -> str:
    try:
        content = atomic.sha256_file(path)
    except OSError:
        content = "unreadable"
    return hashlib.sha256(f"{_code_version()}|{kind}|{content}|{extra}".encode()).hexdigest()


def _run_job(job: _Job) -> tuple[str, Any]:
    """Worker: inspect one file; returns (cache key, picklable result)."""
    path = Path(job.path)
    if job.kind == "deeds":
        return job.key, checks.inspect_deeds(path)
    if job.kind == "evidence":
        return job.key, checks.inspect_evidence(path)
    if job.kind == "phash":
        return job.key, evidence_text.perceptual_hash(path)
    from pipeline.rules import photo

    assert job.photo is not None
    result = photo.check_photo(path, job.photo, code=job.code, name=job.name, rel=job.rel)
    thumb = photo.contact_thumbnail(path, result) if result.size else None
    return job.key, (result, thumb)


class _Cache:
    """Pickled inspection results under .work/check/cache/<key>.pickle."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> Any:
        path = self.folder / f"{key}.pickle"
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, value: Any) -> None:
        atomic.write_bytes(self.folder / f"{key}.pickle", pickle.dumps(value, protocol=5))


def _inspect_all(ctx: RunContext, jobs: list[_Job]) -> dict[str, Any]:
    cache = _Cache(ctx.work / "check" / "cache")
    results: dict[str, Any] = {}
    todo: list[_Job] = []
    for job in jobs:
        hit = cache.get(job.key)
        if hit is None:
            todo.append(job)
        else:
            results[job.key] = hit
    if not todo:
        return results
    ctx.say(f"检查文件：{len(todo)} 个需要检查（其余 {len(jobs) - len(todo)} 个未改动，沿用上次结果）")
    step = max(1, len(todo) // 10)
    done = 0

    def collect(pairs: Iterable[tuple[str, Any]]) -> None:
        nonlocal done
        for key, value in pairs:
            cache.put(key, value)
            results[key] = value
            done += 1
            if done % step == 0 or done == len(todo):
                ctx.say(f"  已检查 {done}/{len(todo)}")

    if len(todo) < 8 or ctx.workers == 1:
        collect(map(_run_job, todo))
    else:
        with process_pool(ctx.workers) as pool:
            collect(pool.map(_run_job, todo, chunksize=4))
    return results


# ---- the stage ------------------------------------------------------------------------------

_MEMO: dict[tuple[Path, Path], tuple[str, CheckResult]] = {}
"""The last result per (edition, output) in this process, with the fingerprint it was made from."""


def _fingerprint(ctx: RunContext) -> str:
    """Whether the evidence is read, and names, sizes and modification times of every input and report
    file: cheap change detection."""
    digest = hashlib.sha256(f"{ctx.edition!r}|read evidence: {engine.enabled()}".encode())
    for root in (ctx.edition.path, ctx.output / "check"):
        digest.update(_files_digest(root).encode())
    return digest.hexdigest()


def _files_digest(root: Path) -> str:
    """Names, sizes and modification times of every file under `root` (not review/, which later stages
    write into the check folder) → one hash."""
    digest = hashlib.sha256()
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and "review" not in path.relative_to(root).parts[:1]:
                st = path.stat()
                digest.update(f"{path}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def run_check(ctx: RunContext) -> CheckResult:
    """Check every nomination of the edition and write the reports (reused when nothing changed)."""
    key = (ctx.edition.path, ctx.output)
    fingerprint = _fingerprint(ctx)
    memo = _MEMO.get(key)
    if memo is not None and memo[0] == fingerprint:
        return memo[1]
    result = _run_check(ctx)
    _MEMO[key] = (_fingerprint(ctx), result)
    return result


def _run_check(ctx: RunContext) -> CheckResult:
    edition = ctx.edition
    out = ctx.output / "check"
    ctx.say(f"检查推荐材料：{edition.path}")
    try:
        roster = read_roster(edition.path)
    except RosterError as exc:
        finding = Finding(exc.code or "ROSTER_UNREADABLE", Severity.error, exc.message, exc.hint,
                          file=Path(exc.file).name if exc.file else "roster.xlsx")
        _write_reports(ctx, out, (), (finding,))
        raise
    fonts = resolve_fonts(edition.fonts)
    roster_file = roster.file.name

    row_findings: dict[str, list[Finding]] = {}
    for f in roster.findings:
        row_findings.setdefault(f.candidate_code, []).append(f)

    materials: dict[str, Materials] = {}
    for c in roster.candidates:  # a nominee whose 编号 is not a safe key (CODE_FORMAT) is not looked at further
        found = row_findings.setdefault(c.code, [])
        if any(f.code == CODE_FORMAT for f in found):
            continue
        try:
            materials[c.code] = scan_materials(edition.path, c.code)
        except UnsafePath as exc:
            found.append(Finding(CODE_FORMAT, Severity.error, exc.message, exc.hint, c.code, c.name, "编号",
                                 roster_file, c.row))
    jobs: list[_Job] = []
    reading = engine.enabled()
    for c in roster.candidates:
        if c.row in roster.skipped_rows or c.code not in materials:
            continue  # FIELD_TOO_LONG or CODE_FORMAT: nothing of this row is read
        m = materials[c.code]
        for rel, path, kind in checks.iter_checked_files(c, m):
            jobs.append(_Job(kind, str(path), rel, c.code, c.name, None, _job_key(kind, path, "")))
            if kind == "evidence" and reading:
                jobs.append(_Job("phash", str(path), rel, c.code, c.name, None, _job_key("phash", path, "")))
        if m.photo is not None:
            rel = f"candidates/{c.code}/{m.photo.name}"
            extra = f"{c.code}|{c.name}|{edition.photo}"
            jobs.append(_Job("photo", str(m.photo), rel, c.code, c.name, edition.photo,
                             _job_key("photo", m.photo, extra)))
    results = _inspect_all(ctx, jobs)
    verdicts: dict[str, FileVerdict] = {j.rel: results[j.key] for j in jobs if j.kind in ("deeds", "evidence")}
    text_findings: dict[str, list[Finding]] = {}
    thumbs: set[str] = set()  # check/evidence/ thumbnails in use
    if reading:
        text_findings, thumbs = _read_evidence(ctx, roster.candidates, materials, verdicts,
                                               {j.rel: results[j.key] for j in jobs if j.kind == "phash"})
    photo_results = {j.code: results[j.key] for j in jobs if j.kind == "photo"}

    nominees = []
    for c in roster.candidates:
        found = list(row_findings.get(c.code, []))
        if c.row in roster.skipped_rows or c.code not in materials:
            # FIELD_TOO_LONG: the row's own findings, nothing else checked; CODE_FORMAT: nothing read
            if c.row in roster.skipped_rows:
                found = [f for f in found if f.row == c.row]
            found.sort(key=lambda f: (f.severity is not Severity.error, f.code))
            blank = Materials(edition.path / "candidates", None, None, ())
            nominees.append(Nominee(c, materials.get(c.code, blank), tuple(found), None))
            continue
        m = materials[c.code]
        found += checks.check_nominee(c, m, edition, fonts, roster_file, verdicts)
        found += text_findings.get(c.code, [])
        photo_path = None
        if c.code in photo_results:
            result, thumb = photo_results[c.code]
            found += list(result.findings)
            if thumb:
                atomic.write_bytes(child(out / "thumbs", f"{c.code}.png"), thumb)
            if result.normalised:
                photo_path = child(out / "photos", f"{c.code}.jpg")
                atomic.write_bytes(photo_path, result.normalised)
        elif checks.withheld(c, m, "photo"):
            pass  # FILE_OUTSIDE_EDITION says why there is no photo
        else:
            from pipeline.rules import photo

            found += list(photo.check_photo(None, edition.photo, code=c.code, name=c.name,
                                            rel=f"candidates/{c.code}/照片.jpg").findings)
        found.sort(key=lambda f: (f.severity is not Severity.error, f.code))
        nominees.append(Nominee(c, m, tuple(found), photo_path))

    _prune(out / "photos", {f"{n.candidate.code}.jpg" for n in nominees if n.photo})
    _prune(out / "thumbs", {f"{c.code}.png" for c in roster.candidates if c.code in photo_results
                            and photo_results[c.code][1]})
    _prune(out / check_thumbs.FOLDER, thumbs)
    result = CheckResult(tuple(nominees), roster.file_findings, out / "report.json")
    _write_reports(ctx, out, result.nominees, roster.file_findings, photo_results)
    errors = sum(1 for n in nominees if not n.ok)
    ctx.say(f"检查完成：共 {len(nominees)} 人，合格 {len(nominees) - errors} 人，有错误 {errors} 人。"
            f"报告：{out / 'report.html'}")
    return result


def _read_evidence(ctx: RunContext, candidates: Sequence[Candidate], materials: dict[str, Materials],
                   verdicts: dict[str, FileVerdict], hashes: dict[str, str | None]
                   ) -> tuple[dict[str, list[Finding]], set[str]]:
    """Issue 13 §2: OCR every usable evidence file and check what was read → (findings by 编号, with
    the thumbnails of the pages they are about drawn into check/evidence/; the thumbnails' names)."""
    usable: list[tuple[Candidate, Evidence]] = []
    for c in candidates:
        m = materials.get(c.code)
        if m is None or checks.withheld(c, m, "evidence"):
            continue
        usable += [(c, e) for e in m.evidence
                   if e.rel in verdicts and not verdicts[e.rel].problem and not verdicts[e.rel].code]
    readings = engine.read_files(ctx, [e.path for _, e in usable])
    since = checks.evidence_since(ctx.edition)
    out: dict[str, list[Finding]] = {}
    seen: set[str] = set()
    for c, _ in usable:
        if c.code in seen:
            continue
        seen.add(c.code)
        out.setdefault(c.code, []).extend(
            evidence_text.check_readings(c, materials[c.code], readings, since, ctx.edition.checks.evidence_years))
    texts = {e.rel: readings[e.path].text for _, e in usable if e.path in readings}
    for f in evidence_text.find_duplicates(usable, {k: v for k, v in hashes.items() if v}, texts):
        out.setdefault(f.candidate_code, []).append(f)
    files = {e.rel: (c.code, e.path) for c, e in usable}
    used: set[str] = set()
    for code, found in out.items():
        out[code], names = check_thumbs.attach(ctx.output / "check" / check_thumbs.FOLDER, found, files, readings)
        used |= names
    return out, used


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove files of nominees no longer in the roster (rebuildable output only)."""
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name not in keep and not path.name.startswith("."):
                path.unlink()


def _write_reports(ctx: RunContext, out: Path, nominees: tuple[Nominee, ...],
                   roster_findings: tuple[Finding, ...], photo_results: dict[str, Any] | None = None) -> None:
    """report.json, report.html, 推荐人选汇总表.xlsx and the 反馈 letters — kept as they are when they were made
    from the same findings, settings, fonts and code and nobody has touched the check folder since (every
    later stage checks again in its own process: it must not rewrite, and pay for, the same reports)."""
    data = report_json(ctx, nominees, roster_findings)
    digest = _reports_digest(ctx, data, photo_results or {})
    recorded = stamps.read_stamp(ctx, REPORTS_STAGE)
    if recorded is not None and recorded.inputs == {"报告内容": digest, "检查文件夹": _files_digest(out)}:
        return
    stamps.clear_stamp(ctx, REPORTS_STAGE)  # a run that fails half-way leaves nothing looking current
    atomic.write_text(out / "report.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    check_report.write_html(ctx, out / "report.html", data, photo_results or {})
    check_report.write_summary_xlsx(ctx, out / "推荐人选汇总表.xlsx", nominees)
    check_feedback.write_feedback(ctx, nominees, roster_findings)
    stamps.write_stamp(ctx, REPORTS_STAGE, {"报告内容": digest, "检查文件夹": _files_digest(out)})


REPORTS_STAGE = "check-reports"
"""The stamp (pipeline.core.stamps) of the check reports: what they were made from, and the check folder as it was then."""
REPORTS_STAMP = f"stamps/{REPORTS_STAGE}.json"
"""Its file, under output/<edition>/.work/."""


def _reports_digest(ctx: RunContext, data: dict[str, Any], photo_results: dict[str, Any]) -> str:
    """Everything the reports are made from → one hash: the report data, the photos' results and
    thumbnails, the edition's settings, the fonts, and the code and templates (names, sizes, times)."""
    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode())
    digest.update(pickle.dumps(photo_results, protocol=5))
    digest.update(f"{ctx.edition!r}|{resolve_fonts(ctx.edition.fonts)!r}".encode())
    for root in (PROJECT_ROOT / "pipeline", PROJECT_ROOT / "templates"):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                st = path.stat()
                digest.update(f"{path}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def report_json(ctx: RunContext, nominees: tuple[Nominee, ...], roster_findings: tuple[Finding, ...]) -> dict[str, Any]:
    """The content of report.json (schema documented in the README)."""
    all_findings = list(roster_findings) + [f for n in nominees for f in n.findings]
    by_code = Counter(f.code for f in all_findings)
    return {
        "schema": REPORT_SCHEMA,
        "edition": ctx.edition.name,
        "round": ctx.edition.round.year,
        "reference_date": ctx.edition.round.reference_date.isoformat(),
        "summary": {
            "nominees": len(nominees),
            "ok": sum(1 for n in nominees if n.status == "ok"),
            "with_warnings": sum(1 for n in nominees if n.status == "warning"),
            "with_errors": sum(1 for n in nominees if n.status == "error"),
            "errors": sum(1 for f in all_findings if f.severity is Severity.error),
            "warnings": sum(1 for f in all_findings if f.severity is Severity.warning),
            "infos": sum(1 for f in all_findings if f.severity is Severity.info),
            "by_code": dict(sorted(by_code.items())),
        },
        "roster_findings": [f.to_json() for f in roster_findings],
        "nominees": [
            {
                "编号": n.candidate.code,
                "姓名": n.candidate.name,
                "工作单位及职务": n.candidate.unit_and_post,
                "推荐单位": n.candidate.recommender,
                "申报方式": n.candidate.nomination,
                "status": n.status,
                "photo": f"photos/{n.candidate.code}.jpg" if n.photo else None,
                "findings": [f.to_json() for f in n.findings],
            }
            for n in nominees
        ],
    }


CONCLUDES = True
"""main ends with the summary line (pipeline.cli)."""


def conclusion(result: CheckResult) -> str:
    """The last line of `make check`: '审查完成：44 人中 30 人不合格，共 35 条错误、9 条提示，见 …/report.html'."""
    errors = sum(1 for f in result.findings if f.severity is Severity.error)
    warnings = sum(1 for f in result.findings if f.severity is Severity.warning)
    html = result.report.with_name("report.html")
    if errors:
        failing = sum(1 for n in result.nominees if not n.ok)
        return (f"审查完成：{len(result.nominees)} 人中 {failing} 人不合格，共 {errors} 条错误、{warnings} 条提示，"
                f"见 {html}")
    notes = f"（{warnings} 条提示）" if warnings else ""
    return f"审查完成：{len(result.nominees)} 人全部合格{notes}，见 {html}"


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make check`: exit 1 when any nominee has an error finding; the last line says what was found."""
    result = run_check(ctx)
    print(conclusion(result), file=sys.stderr, flush=True)
    return ExitCode.findings if result.has_errors else ExitCode.ok
