"""Stage `packets`: checked nominees → output/<edition>/packets/ (bound PDF per nominee,
its e-mail copy, the editable 申报审批表 DOCX, 打印清单.xlsx).

    packets/<编号>-<姓名>-申报材料.pdf           print master (一式五份, full resolution)
    packets/email/<编号>-<姓名>-申报材料.pdf     the same pages within the e-mail budget, only when the
                                                master is over it (else the master is the e-mail copy)
    packets/docx/<编号>-<姓名>-申报审批表.docx   the filled form, editable
    packets/打印清单.xlsx                        every packet, its pages and copies

Incremental per nominee (pipeline.packets.manifest): a packet is rebuilt only when its
roster row, one of its files, the edition's packet settings, the fonts or the templates/
code changed, or when an output is missing. Nominees with error findings are skipped
(and their old packets removed, so nobody prints an outdated one); so are the old files of a
packet that fails, and, when the run stops (full disk, Ctrl-C), the old packets it had yet to
rebuild and the print list (pipeline.core.stamps.replacing) — each manifest is written as soon as its
packet is done, so the next run makes only the rest. Packets are rendered in long-lived worker
processes (pipeline.packets.worker); every output is written to a temporary file and renamed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import Future, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.errors import ExitCode
from pipeline.core.model import Candidate, Finding, Materials, Severity
from pipeline.core.stamps import replacing
from pipeline.core.workers import process_pool
from pipeline.ocr import Reading
from pipeline.packets.job import PacketJob, PacketPaths, packet_paths
from pipeline.packets.manifest import (
    HashCache,
    Manifest,
    code_fingerprint,
    code_paths,
    edition_fingerprint,
    manifest_path,
    packet_fingerprint,
    read_manifest,
    write_manifest,
)
from pipeline.packets.printlist import PrintRow, print_list_xlsx
from pipeline.packets.textlayer import layer_digest, layer_pages, text_layer_settings
from pipeline.packets.worker import PacketOutcome, build_packet, in_this_process, init_worker
from pipeline.render.fonts import (
    FontSet,
    add_font_dir,
    resolve_fonts,
    stand_in_notice,
    use_project_fonts,
)

PRINT_LIST = "打印清单.xlsx"
_OUTPUT_SUFFIXES = ("-申报材料.pdf", "-申报审批表.docx")


class NomineeLike(Protocol):
    """What the packets stage needs of a checked nominee (pipeline.core.model.Nominee)."""

    @property
    def candidate(self) -> Candidate:
        """The roster row."""

    @property
    def materials(self) -> Materials:
        """The nominee's files."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Findings of the check stage."""

    @property
    def photo(self) -> Path | None:
        """The normalised photo."""

    @property
    def ok(self) -> bool:
        """No error findings."""


class CheckLike(Protocol):
    """What the packets stage needs of the check result (pipeline.core.model.CheckResult)."""

    @property
    def nominees(self) -> Sequence[NomineeLike]:
        """Every nominee in roster order."""


@dataclass(frozen=True)
class PacketInfo:
    """One packet that exists after the run."""

    code: str
    """编号."""
    name: str
    """姓名."""
    recommender: str
    """推荐单位."""
    print_pdf: Path
    """The print master."""
    email_pdf: Path
    """The file to e-mail: the e-mail copy, or the print master itself when it is within the budget."""
    docx: Path
    """The editable 申报审批表."""
    pages: int
    """Pages of the bound PDF."""
    print_bytes: int
    """Size of the print master."""
    email_bytes: int
    """Size of the e-mail copy."""
    email_dpi: int
    """Resolution limit of the e-mail copy's scans."""
    email_fits: bool
    """Whether the e-mail copy is within the budget."""
    email_is_master: bool
    """The print master is the e-mail copy (no separate file under packets/email/)."""


@dataclass(frozen=True)
class SkippedNominee:
    """A nominee whose packet was not built because the check found errors."""

    code: str
    """编号."""
    name: str
    """姓名."""
    errors: tuple[str, ...]
    """Codes of the error findings."""


@dataclass(frozen=True)
class PacketsResult:
    """What `make packets` did."""

    built: tuple[PacketInfo, ...]
    """Packets (re)built in this run."""
    unchanged: tuple[PacketInfo, ...]
    """Packets that were up to date and left alone."""
    skipped: tuple[SkippedNominee, ...]
    """Nominees skipped because of check errors."""
    failures: tuple[Finding, ...]
    """Packets that could not be made: nominee, file and fix."""
    warnings: tuple[Finding, ...]
    """Packets made with a caveat (e-mail copy over budget)."""
    packets: tuple[PacketInfo, ...]
    """Every packet that exists after the run (built or unchanged), in roster order."""
    print_list: Path | None
    """打印清单.xlsx, None when there is no packet at all."""
    seconds: float
    """Wall time of the stage."""

    @property
    def exit_code(self) -> ExitCode:
        """1 when a nominee was skipped or a packet failed, else 0."""
        return ExitCode.findings if (self.skipped or self.failures) else ExitCode.ok


def run_packets(ctx: RunContext, check: CheckLike) -> PacketsResult:
    """Run context + check result → packets built or confirmed up to date, and what happened."""
    start = time.perf_counter()
    edition = ctx.edition
    out = ctx.output / "packets"
    work = ctx.work / "packets"
    add_font_dir(edition.path / "fonts")
    use_project_fonts()
    fonts = resolve_fonts(edition.fonts)
    notice = stand_in_notice(fonts, edition.path / "fonts")
    if notice:
        ctx.say(notice)
    cache = HashCache(work / "hashes.json")
    common = hashlib.sha256(
        f"{code_fingerprint(cache)}|{edition_fingerprint(edition, fonts)}".encode()).hexdigest()
    epoch = int(ctx.source_date.timestamp())
    readings = _readings(ctx, check)
    layer = text_layer_settings(edition)

    jobs: list[PacketJob] = []
    unchanged: list[tuple[Candidate, Manifest, PacketPaths]] = []
    skipped: list[SkippedNominee] = []
    hashed: list[Path] = []
    order: dict[str, int] = {}
    for index, nominee in enumerate(check.nominees):
        c = nominee.candidate
        order[c.code] = index
        if not nominee.ok:
            errors = tuple(dict.fromkeys(f.code for f in nominee.findings if f.severity is Severity.error))
            skipped.append(SkippedNominee(c.code, c.name, errors))
            manifest_path(work, c.code).unlink(missing_ok=True)
            continue
        m = nominee.materials
        paths = packet_paths(out, c)
        text = {e.rel: pages for e in m.evidence
                if e.path in readings and (pages := layer_pages(readings[e.path], layer))}
        fingerprint = packet_fingerprint(
            common=common, candidate=c, photo=nominee.photo, deeds=m.deeds, evidence=m.evidence,
            cache=cache, source_epoch=epoch, text_layer=layer_digest(text))
        hashed.extend(p for p in (nominee.photo, m.deeds, *(e.path for e in m.evidence)) if p is not None)
        manifest = read_manifest(work, c.code)
        if manifest is not None and manifest.current(fingerprint) and _same_paths(manifest, paths):
            unchanged.append((c, manifest, paths))
            continue
        jobs.append(PacketJob(c, nominee.photo, m.deeds, m.evidence, edition, ctx.source_date, paths, fingerprint,
                              text))

    for nominee_skip in skipped:
        ctx.say(f"跳过 {nominee_skip.code} {nominee_skip.name}：核查发现错误（{'、'.join(nominee_skip.errors)}），"
                "请先按 make check 的报告修正")
    if not jobs:
        ctx.say(f"申报材料：{len(unchanged)} 份均无变化，未重新生成。")
    else:
        ctx.say(f"申报材料：生成 {len(jobs)} 份（{len(unchanged)} 份无变化）……")

    outcomes: list[PacketOutcome] = []

    def unfinished() -> list[Path]:
        """The old packets this run would have replaced and has not (and the print list that lists them)."""
        done = {o.code for o in outcomes if o.manifest is not None}
        return [p for job in jobs if job.candidate.code not in done for p in job.paths.all()] + [out / PRINT_LIST]

    with replacing(ctx, "申报材料", unfinished):  # a full disk or Ctrl-C: no old packet stays looking current
        _run_jobs(ctx, jobs, fonts, work, outcomes)
    built: list[tuple[Candidate, Manifest, PacketPaths]] = []
    failures: list[Finding] = []
    warnings: list[Finding] = []
    by_code = {job.candidate.code: job for job in jobs}
    for outcome in outcomes:
        job = by_code[outcome.code]
        if outcome.manifest is not None:
            built.append((job.candidate, outcome.manifest, job.paths))
        else:
            assert outcome.failure is not None
            failures.append(outcome.failure)
            manifest_path(work, outcome.code).unlink(missing_ok=True)
            for path in job.paths.all():
                path.unlink(missing_ok=True)

    existing = sorted(built + unchanged, key=lambda item: order.get(item[0].code, 0))
    budget = edition.packets.email_budget_mb
    for c, manifest, paths in existing:
        if not manifest.email_fits:
            warnings.append(Finding(
                code="PACKET_EMAIL_TOO_LARGE", severity=Severity.warning,
                message=f"电子版申报材料超过 {budget:g} MB（扫描件已降至 {manifest.email_dpi} dpi）",
                hint="减少或分开发送证明材料，或在 edition.toml 的 [packets] 中调大 email_budget_mb",
                candidate_code=c.code, candidate_name=c.name, file=str(paths.email_pdf)))

    _remove_stale(out, {p for _, m, paths in existing for p in paths.written(m.email_is_master)})
    rows = [PrintRow(c.code, c.name, c.recommender, paths.print_pdf.name, m.pages, edition.packets.copies,
                     "" if m.email_is_master else paths.email_pdf.relative_to(out).as_posix())
            for c, m, paths in existing]
    print_list = _write_print_list(out / PRINT_LIST, work, rows, f"{edition.round.title}申报材料打印清单",
                                   ctx.source_date)
    cache.save(keep=[*hashed, *code_paths()])

    def info(item: tuple[Candidate, Manifest, PacketPaths]) -> PacketInfo:
        """(candidate, manifest, paths) → what the result reports about the packet."""
        c, m, paths = item
        sizes = {o.path: o.size for o in m.outputs}
        email = paths.print_pdf if m.email_is_master else paths.email_pdf
        return PacketInfo(c.code, c.name, c.recommender, paths.print_pdf, email, paths.docx, m.pages,
                          sizes.get(str(paths.print_pdf), 0), sizes.get(str(email), 0),
                          m.email_dpi, m.email_fits, m.email_is_master)

    result = PacketsResult(
        built=tuple(info(i) for i in sorted(built, key=lambda item: order.get(item[0].code, 0))),
        unchanged=tuple(info(i) for i in unchanged),
        skipped=tuple(skipped),
        failures=tuple(failures),
        warnings=tuple(warnings),
        packets=tuple(info(i) for i in existing),
        print_list=print_list,
        seconds=time.perf_counter() - start,
    )
    for failure in failures:
        ctx.say(f"【{failure.candidate_code} {failure.candidate_name}】{failure.message}"
                + (f"（文件：{failure.file}）" if failure.file else "") + f" 处理办法：{failure.hint}")
    for warning in warnings:
        ctx.say(f"提示【{warning.candidate_code} {warning.candidate_name}】{warning.message}。{warning.hint}")
    if jobs:
        ctx.say(f"申报材料完成：生成 {len(built)} 份，无变化 {len(unchanged)} 份，跳过 {len(skipped)} 人，"
                f"失败 {len(failures)} 份，用时 {result.seconds:.1f} 秒。输出：{out}")
    return result


def _readings(ctx: RunContext, check: CheckLike) -> dict[Path, Reading]:
    """What the OCR engine read on the evidence of the nominees to bind (from the cache `make check`
    filled), for the scans' invisible text layer; nothing when the layer or the engine is off."""
    from pipeline.ocr import engine

    if not text_layer_settings(ctx.edition).enabled or not engine.enabled():
        return {}
    paths = [e.path for n in check.nominees if n.ok for e in n.materials.evidence]
    return engine.read_files(ctx, paths) if paths else {}


def _write_print_list(target: Path, work: Path, rows: list[PrintRow], title: str,
                      when: dt.datetime) -> Path | None:
    """Print-list rows → 打印清单.xlsx, rewritten only when its rows changed (None when empty)."""
    if not rows:
        target.unlink(missing_ok=True)
        return None
    stamp = work / "printlist.sha256"
    digest = hashlib.sha256(repr((rows, title, when.isoformat())).encode()).hexdigest()
    try:
        if stamp.read_text(encoding="utf-8") == f"{digest} {target.stat().st_size}":
            return target
    except OSError:
        pass
    data = print_list_xlsx(rows, title, when)
    atomic.write_bytes(target, data)
    atomic.write_text(stamp, f"{digest} {len(data)}")
    return target


def _same_paths(manifest: Manifest, paths: PacketPaths) -> bool:
    """True when the manifest's outputs are exactly these paths (a renamed nominee is rebuilt)."""
    return sorted(o.path for o in manifest.outputs) == sorted(str(p) for p in paths.written(manifest.email_is_master))


def _run_jobs(ctx: RunContext, jobs: list[PacketJob], fonts: FontSet, work: Path,
              outcomes: list[PacketOutcome]) -> None:
    """Jobs → outcomes appended as they come, in worker processes (in this process when there is only one
    job); each packet's manifest is written as soon as it is done, so an interrupted run keeps it."""
    if not jobs:
        return
    total = len(jobs)

    def report(outcome: PacketOutcome) -> None:
        """Outcome → kept, its manifest written, and one progress line."""
        outcomes.append(outcome)
        if outcome.manifest is not None:
            write_manifest(work, outcome.manifest)
            size = max((o.size for o in outcome.manifest.outputs if o.path.endswith("申报材料.pdf")), default=0)
            ctx.say(f"  [{len(outcomes)}/{total}] {outcome.code} {outcome.name}：{outcome.manifest.pages} 页，"
                    f"{size / 1048576:.1f} MB（{outcome.seconds:.1f} 秒）")
        else:
            ctx.say(f"  [{len(outcomes)}/{total}] {outcome.code} {outcome.name}：失败")

    workers = min(ctx.workers, total)
    if workers <= 1:
        with in_this_process():
            for job in jobs:
                report(build_packet(job, fonts))
        return
    pool = process_pool(workers, mp_context=multiprocessing.get_context("spawn"),
                        initializer=init_worker, initargs=(fonts,))
    try:
        futures: dict[Future[PacketOutcome], PacketJob] = {pool.submit(build_packet, job, fonts): job for job in jobs}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool:
                outcome = _crashed(futures[future])
            report(outcome)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _crashed(job: PacketJob) -> PacketOutcome:
    """The outcome of a packet whose worker process died (out of memory, killed)."""
    c = job.candidate
    failure = Finding(
        code="PACKET_FAILED", severity=Severity.error,
        message="申报材料未能生成：生成进程意外退出（可能内存不足或被终止）",
        hint="重新运行 make packets（已完成的材料不会重做）；如反复出现，用 -j 1 运行并联系技术人员",
        candidate_code=c.code, candidate_name=c.name)
    return PacketOutcome(c.code, c.name, None, failure, 0.0)


def _remove_stale(out: Path, keep: set[Path]) -> None:
    """Delete packet outputs of nominees no longer built, and temporary files of killed runs."""
    for folder in (out, out / "email", out / "docx"):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if not path.is_file():
                continue
            leftover = path.name.startswith(".") and path.name.endswith(".part")
            ours = path.name.endswith(_OUTPUT_SUFFIXES)
            if leftover or (ours and path not in keep):
                path.unlink(missing_ok=True)
    email = out / "email"
    if email.is_dir() and not any(email.iterdir()):  # every master is its e-mail copy: no folder to look in
        email.rmdir()


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make packets`: check, then bind; exit 1 when a nominee was skipped or a packet failed."""
    from pipeline.stages.check import run_check

    return run_packets(ctx, run_check(ctx)).exit_code
