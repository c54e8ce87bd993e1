"""Measure the demo round and scaled synthetic rounds stage by stage, against a reference (a benchmark, not a test).

Everything runs outside the repository (a temporary folder, or --dir): the demo edition is copied
there, scaled editions are generated from the demo's people and files (pipeline.bench.editions), and
each stage runs as its own process, measured with all its workers (pipeline.bench.measure): wall and
CPU seconds, peak memory of the largest process and of all of them together, bytes written, the
machine's other load meanwhile. The reference (pipeline.bench.reference, bare WeasyPrint rendering a
two-page CJK form) is measured in the same run, so the packets' CPU per nominee is quoted as a ratio
to it. Everything goes to output/bench/bench.json (pipeline.bench.results), which a later run can be
compared with (--compare, `make bench BASE=…`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pipeline.bench import editions, measure, results
from pipeline.bench.results import Row
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import ExitCode, StageError

OCR_PAGES = 40
"""Demo pages read by both OCR engines in the side-by-side comparison."""
SIZES = (100, 200, 400)
"""The scaled rounds `make bench` runs by default (issue 15)."""
NEAR_DOCUMENTS = 10
"""Documents of the reference run just before each round's packets (its ratio is taken against it)."""
DEMO_STAGES = ("check", "packets", "shortlist", "scoresheets", "results", "publicity", "certificates")


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.replace("，", ",").split(",") if part.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"“{text}”不是人数列表（例如 100 或 100,200,400）")
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--sizes/--nominees, --scans, --dir, --skip-demo/--skip-scaled/--skip-ocr, --reference-documents, --json, --compare."""
    parser.add_argument("--sizes", metavar="人数", type=_sizes, default=list(SIZES),
                        help="规模测试的推荐人数，逗号分隔（默认 100,200,400；make bench N=100）")
    parser.add_argument("--nominees", metavar="人数", type=int, default=None, help="只测一个规模（同 --sizes 人数）")
    parser.add_argument("--scans", metavar="份数", type=int, default=10, help="每人证明材料扫描件数（默认 10，300 dpi）")
    parser.add_argument("--dir", metavar="文件夹", type=Path, default=None,
                        help="测试用的文件夹（默认系统临时目录，测完删除；给出时保留）")
    parser.add_argument("--skip-demo", action="store_true", help="不测演示届次")
    parser.add_argument("--skip-scaled", action="store_true", help="只测演示届次")
    parser.add_argument("--skip-ocr", action="store_true", help="不做 OCR 引擎对比")
    parser.add_argument("--reference-documents", metavar="份数", type=int, default=20,
                        help="参照（裸 WeasyPrint 两页中文表格）计时的份数（默认 20）")
    parser.add_argument("--json", metavar="文件", type=Path, default=None,
                        help="结果文件（默认 output/bench/bench.json）")
    parser.add_argument("--compare", metavar="文件", type=Path, default=None,
                        help="与以前的 bench.json 比较（make bench BASE=文件）")


class Bench:
    """One bench run: where it works, what it has measured so far."""

    def __init__(self, root: Path, target: Path, data: dict[str, Any]) -> None:
        """Work in `root`, keep the figures in `data`, write them to `target`."""
        self.root = root
        self.target = target
        self.data = data
        self.env = dict(os.environ, XN_OUTPUT=str(root / "output"), XN_STATE=str(root / "state"),
                        XN_KEYS=str(root / "keys"), XN_OCR_CACHE=str(root / "ocr-cache"), XN_READ_EVIDENCE="1")
        self.watch = [root / "output", root / "state", root / "keys", root / "ocr-cache"]
        self.near: dict[str, Any] | None = None
        """The reference measured just before this round's packets (pipeline.bench.reference)."""
        self.near_after: dict[str, Any] | None = None
        """The reference measured just after this round's packets."""
        self.near_documents = NEAR_DOCUMENTS

    @property
    def reference_cpu(self) -> float | None:
        """The reference's CPU seconds per document: the mean of the runs just before and just after
        the packets' cold run when there are both (this machine's speed drifts by a third within one
        bench, and the packets run between the two), else the one before, else the one at the start
        (None before it ran)."""
        return bracketed(self.near, self.near_after) or _per_document(self.data.get("reference"))

    def save(self) -> None:
        """bench.json as far as measured (after every round: an interrupted run keeps what it has)."""
        results.write(self.target, self.data)

    def reference(self, documents: int) -> dict[str, Any]:
        """The reference in its own process → its figures and the measure of that process."""
        with tempfile.TemporaryFile() as out:
            usage = measure.run([sys.executable, "-m", "pipeline.bench.reference", "--documents", str(documents)],
                                env=os.environ, cwd=PROJECT_ROOT, stdout=out.fileno())
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        if usage.exit_code != 0:
            raise StageError(f"参照（裸 WeasyPrint 两页中文表格）无法运行：{usage.stderr_tail[-800:]}",
                             hint="检查 WeasyPrint 和 Noto CJK 字体（fonts-noto-cjk）是否已安装：运行 make setup")
        return {**json.loads(text), "process": asdict(usage)}

    def stage(self, edition: Path, stage: str, key: str, label: str, env: dict[str, str],
              nominees: int | None = None) -> Row:
        """Run one stage of the edition in its own process and measure it (the packets' cold run right
        after a short run of the reference, which its ratio is taken against)."""
        ratio = None
        if key == "packets/cold":
            self.near = self.reference(self.near_documents) if self.near_documents else None
        usage = measure.run([sys.executable, "-m", "pipeline", "--edition", str(edition), "-q", stage],
                            env=env, cwd=PROJECT_ROOT, watch=self.watch)
        if key == "packets/cold":
            self.near_after = self.reference(self.near_documents) if self.near_documents else None
        if key == "packets/cold" and nominees and self.reference_cpu:
            ratio = usage.cpu / nominees / self.reference_cpu
        if usage.exit_code not in (0, 1):
            print(f"  {label} 退出码 {usage.exit_code}：{usage.stderr_tail[-600:]}", file=sys.stderr)
        return Row(key, label, usage, nominees, ratio)

    def finish_round(self, key: str, title: str, edition: Path, rows: list[Row], extra: dict[str, Any]) -> None:
        """Record, print and save one round."""
        nominees = len(list((edition / "candidates").iterdir()))
        record = {"key": key, "title": title, "nominees": nominees, **extra, "reference": self.near,
                  "reference_after": self.near_after,
                  "packets": _packet_sizes(Path(self.env["XN_OUTPUT"]) / edition.name, edition),
                  "stages": [row.as_dict() for row in rows]}
        self.data["rounds"].append(record)
        print(f"\n## {title}")
        print("\n".join(results.table(record["stages"])))
        print("\n".join(_notes(record, self.reference_cpu)), flush=True)
        self.near = self.near_after = None
        self.save()

    def demo(self) -> None:
        """The demo round: every stage cold, then a no-op round, then one changed nominee."""
        edition = self.root / "demo"
        shutil.copytree(PROJECT_ROOT / "input" / "demo", edition)
        n = len(list((edition / "candidates").iterdir()))
        rows = []
        for s in DEMO_STAGES:
            rows.append(self.stage(edition, s, f"{s}/cold", f"{s}（首次）", self.env,
                                   n if s in ("check", "packets") else None))
        rows.append(self.stage(edition, "check", "check/noop", "check（无改动，OCR 沿用缓存）", self.env))
        rows.append(self.stage(edition, "all", "all/noop", "all（无改动）", self.env))
        rows.append(self.stage(edition, "packets", "packets/noop", "packets（无改动）", self.env))
        editions.touch_one(edition)
        rows.append(self.stage(edition, "packets", "packets/one", "packets（改动 1 人）", self.env))
        self.finish_round("demo", f"演示届次（{n} 人）", edition, rows, {})

    def ocr(self) -> None:
        """Both OCR engines on the demo scans (in this process, so last: the models stay loaded)."""
        from pipeline.ocr import bench as ocr_bench

        truth = PROJECT_ROOT / "input" / "demo"
        if (truth / ocr_bench.TRUTH_FILE).is_file():
            scores = ocr_bench.compare(truth, OCR_PAGES)
            self.data["ocr"] = [asdict(s) for s in scores]
            print("\n" + "\n".join(ocr_bench.lines(*scores)), flush=True)
            self.save()

    def scaled(self, nominees: int, scans: int) -> None:
        """A scaled round without OCR: check and packets cold, no-op, one changed."""
        start = time.perf_counter()
        edition = editions.make_scaled_edition(self.root / f"scaled-{nominees}", nominees, scans)
        made = time.perf_counter() - start
        env = dict(self.env, XN_READ_EVIDENCE="0")  # OCR is measured on the demo: 4 000 scans would take an hour
        rows = [self.stage(edition, "check", "check/cold", "check（首次）", env, nominees),
                self.stage(edition, "packets", "packets/cold", "packets（首次）", env, nominees),
                self.stage(edition, "packets", "packets/noop", "packets（无改动）", env)]
        editions.touch_one(edition)
        rows.append(self.stage(edition, "packets", "packets/one", "packets（改动 1 人）", env))
        self.finish_round(f"n{nominees}", f"规模测试（{nominees} 人 × {scans} 份 300 dpi 扫描件，不做 OCR）", edition, rows,
                          {"scans": scans, "prepare_seconds": made})


def _per_document(ref: dict[str, Any] | None) -> float | None:
    return float(ref["cpu_per_document"]) if ref else None


def bracketed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> float | None:
    """The reference's CPU per document around a run: the mean of the runs before and after it when
    there are both, else the one there is."""
    values = [v for v in (_per_document(before), _per_document(after)) if v is not None]
    return sum(values) / len(values) if values else None


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.is_file())


def _packet_sizes(out: Path, edition: Path) -> dict[str, int]:
    """Packets made, bytes of the print masters and of the e-mail copies, bytes of the source evidence JPEGs."""
    masters = sorted((out / "packets").glob("*-申报材料.pdf"))
    emails = sorted((out / "packets" / "email").glob("*-申报材料.pdf"))
    scans = [p for p in (edition / "candidates").rglob("*") if p.suffix.lower() in (".jpg", ".jpeg")
             and "evidence" in p.parts]
    return {"count": len(masters), "master_bytes": _size(masters), "email_bytes": _size(emails),
            "email_count": len(emails), "scan_jpeg_bytes": _size(scans)}


def _notes(record: dict[str, Any], reference: float | None) -> list[str]:
    """The lines under a round's table: packets per nominee against the reference, their sizes."""
    lines = []
    cold = next((r for r in record["stages"] if r["key"] == "packets/cold"), None)
    if cold and cold["cpu_per_nominee"] is not None:
        text = f"申报材料首次生成：每人 {cold['cpu_per_nominee']:.3f} CPU 秒、{cold['wall'] / record['nominees']:.2f} 秒"
        if reference:
            before, after = _per_document(record.get("reference")), _per_document(record.get("reference_after"))
            if before is not None and after is not None:
                where = f"紧挨着前后测的参照每份 {before:.3f} 和 {after:.3f} CPU 秒（平均 {reference:.3f}）"
            else:
                where = f"{'紧挨着之前' if before is not None else '开始时'}测的参照每份 {reference:.3f} CPU 秒"
            text += f"；{where}，比值 {cold['cpu_per_nominee'] / reference:.2f} ×（目标 ≤ 1.8 ×）"
        lines.append(text)
    p = record["packets"]
    if p["count"]:
        lines.append(f"申报材料：{p['count']} 份，打印版合计 {p['master_bytes'] / 1e6:.1f} MB"
                     f"（平均 {p['master_bytes'] / p['count'] / 1e6:.2f} MB），电子邮件版 {p['email_count']} 份合计 "
                     f"{p['email_bytes'] / 1e6:.1f} MB")
    if p["scan_jpeg_bytes"] and p["count"]:
        lines.append(f"打印版字节 / 源 JPEG 扫描件字节 = {p['master_bytes'] / p['scan_jpeg_bytes']:.2f}"
                     f"（JPEG 合计 {p['scan_jpeg_bytes'] / 1e6:.1f} MB）")
    if record.get("prepare_seconds") is not None:
        lines.append(f"生成测试届次用时 {record['prepare_seconds']:.1f} 秒")
    return lines


def _reference_lines(ref: dict[str, Any], when: str) -> list[str]:
    proc = ref["process"]
    return [f"参照（{when}）：裸 WeasyPrint {ref['weasyprint']} 排 {ref['pages']} 页中文表格（Noto CJK，共用 FontConfiguration），"
            f"{ref['documents']} 份每份 {ref['cpu_per_document']:.3f} CPU 秒（最少 {ref['min_cpu_per_document']:.3f}），"
            f"预热 {ref['warmup_cpu']:.2f} CPU 秒，每份 PDF {ref['pdf_bytes'] / 1000:.0f} KB；"
            f"进程峰值内存 {proc['peak_one_mb']:.0f} MB，其他负载 {proc['other_cores']:.2f} 核"]


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """Run the benchmark, print per-stage figures and write bench.json (never a pass/fail)."""
    base = results.load(args.compare) if args.compare else None
    sizes = [] if args.skip_scaled else ([args.nominees] if args.nominees else args.sizes)
    output = Path(os.environ.get("XN_OUTPUT", PROJECT_ROOT / "output"))
    target = args.json or output / "bench" / "bench.json"
    folder = args.dir or Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="xn-bench-", dir=folder))
    machine = {**results.machine(), "load_before": measure.load_average()}
    data: dict[str, Any] = {
        "schema": results.SCHEMA, "created": results.now(), "machine": machine,
        "options": {"demo": not args.skip_demo, "sizes": sizes, "scans": args.scans, "ocr": not args.skip_ocr,
                    "reference_documents": args.reference_documents},
        "reference": None, "reference_end": None, "rounds": [], "ocr": None,
    }
    bench = Bench(root, target, data)
    bench.near_documents = min(NEAR_DOCUMENTS, args.reference_documents)
    print(f"基准测试文件夹：{root}；{machine['cores']} 个 CPU 核（{machine['cpu_model']}），"
          f"开始时负载 {machine['load_before']:.2f}", flush=True)
    started = time.perf_counter()
    try:
        data["reference"] = bench.reference(args.reference_documents)
        print("\n".join(_reference_lines(data["reference"], "开始时")), flush=True)
        if not args.skip_demo:
            bench.demo()
        for n in sizes:
            bench.scaled(n, args.scans)
        data["reference_end"] = bench.reference(args.reference_documents)
        print("\n" + "\n".join(_reference_lines(data["reference_end"], "结束时")), flush=True)
        if not args.skip_demo and not args.skip_ocr:
            bench.ocr()
    finally:
        machine["load_after"] = measure.load_average()
        data["seconds"] = time.perf_counter() - started
        bench.save()
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    stamp = data["created"].replace("-", "").replace(":", "")
    results.write(target.with_name(f"{target.stem}-{stamp}{target.suffix}"), data)
    print(f"\n结束时负载 {machine['load_after']:.2f}；结果已写入 {target}（另存一份 {target.stem}-{stamp}{target.suffix}，"
          f"以后可用 make bench BASE=该文件 比较）")
    if base is not None:
        print("\n".join(results.compare(base, data)))
    return ExitCode.ok
