"""Time the demo round and a scaled synthetic round, stage by stage (a benchmark, not a test).

Everything runs outside the repository (a temporary folder, or --dir): the demo edition is
copied there, a scaled edition is generated from the demo's people and files (every scan
made unique so no cache can cheat), and each stage runs as its own process so its wall time
and peak memory are measured as an office user would see them.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import ExitCode
from pipeline.core.safepath import child
from pipeline.ocr import bench as ocr_bench

OCR_PAGES = 40
"""Demo pages read by both OCR engines in the side-by-side comparison."""
SCAN_SIZE = (2480, 3508)
"""A4 at 300 dpi: the scaled round's scans are full-resolution office scans."""


@dataclass(frozen=True)
class Measure:
    """One timed run of one stage."""

    label: str
    """What was run."""
    seconds: float
    """Wall time."""
    peak_mb: float
    """Peak resident memory of the stage's largest process (MB)."""
    exit_code: int
    """The stage's exit status."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--nominees, --scans, --dir, --skip-scaled."""
    parser.add_argument("--nominees", metavar="人数", type=int, default=400, help="规模测试的推荐人数（默认 400）")
    parser.add_argument("--scans", metavar="份数", type=int, default=10, help="每人证明材料扫描件数（默认 10，300 dpi）")
    parser.add_argument("--dir", metavar="文件夹", type=Path, default=None, help="测试用的临时文件夹（默认系统临时目录）")
    parser.add_argument("--skip-scaled", action="store_true", help="只测演示届次")


def _run(edition: Path, stage: str, env: dict[str, str], label: str = "") -> Measure:
    """Run one stage in its own process; wall time and peak RSS (ru_maxrss covers its workers)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--edition", str(edition), "-q", stage],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    return Measure(label or stage, seconds, usage.ru_maxrss / 1024, proc.returncode)


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.is_file())


def _report(title: str, rows: list[Measure], extra: list[str]) -> None:
    print(f"\n## {title}")
    print(f"{'阶段':<28}{'用时(秒)':>10}{'峰值内存(MB)':>14}{'退出码':>8}")
    for m in rows:
        print(f"{m.label:<28}{m.seconds:>10.2f}{m.peak_mb:>14.0f}{m.exit_code:>8}")
    for line in extra:
        print(line)


def _packet_sizes(out: Path, edition: Path, nominees: int) -> list[str]:
    masters = sorted((out / "packets").glob("*-申报材料.pdf"))
    emails = sorted((out / "packets" / "email").glob("*-申报材料.pdf"))
    scans = [p for p in (edition / "candidates").rglob("*") if p.suffix.lower() in (".jpg", ".jpeg")
             and "evidence" in p.parts]
    master, mail, jpeg = _size(masters), _size(emails), _size(scans)
    lines = [f"申报材料：{len(masters)} 份，打印版合计 {master / 1e6:.1f} MB（平均 {master / max(1, len(masters)) / 1e6:.2f} MB），"
             f"电子邮件版合计 {mail / 1e6:.1f} MB"]
    if jpeg:
        lines.append(f"打印版字节 / 源 JPEG 扫描件字节 = {master / jpeg:.2f}（JPEG 合计 {jpeg / 1e6:.1f} MB）")
    return lines


def _touch_one(edition: Path) -> None:
    """Change one nominee's deeds text (a real content change)."""
    folder = sorted((edition / "candidates").iterdir())[0]
    deeds = next(p for p in folder.iterdir() if p.name.startswith("先进事迹"))
    if deeds.suffix == ".docx":
        from docx import Document

        doc = Document(str(deeds))
        doc.add_paragraph("（基准测试改动）")
        doc.save(str(deeds))
    else:
        deeds.write_text(deeds.read_text(encoding="utf-8") + "\n（基准测试改动）\n", encoding="utf-8")


def bench_demo(root: Path, env: dict[str, str]) -> None:
    """The demo round: every stage cold, then a no-op round, then one changed nominee."""
    edition = root / "demo"
    shutil.copytree(PROJECT_ROOT / "input" / "demo", edition)
    out = Path(env["XN_OUTPUT"]) / edition.name
    stages = ["check", "packets", "shortlist", "scoresheets", "results", "publicity", "certificates"]
    rows = [_run(edition, s, env, f"{s}（首次）") for s in stages]
    packets = next(m for m in rows if m.label.startswith("packets"))
    rows.append(_run(edition, "check", env, "check（无改动，OCR 全部沿用缓存）"))
    rows.append(_run(edition, "all", env, "all（无改动）"))
    rows.append(_run(edition, "packets", env, "packets（无改动）"))
    _touch_one(edition)
    rows.append(_run(edition, "packets", env, "packets（改动 1 人）"))
    n = len(list((edition / "candidates").iterdir()))
    extra = [f"共 {n} 人；申报材料首次生成每人平均 {packets.seconds / n:.2f} 秒（含检查）"]
    _report(f"演示届次（{n} 人）", rows, extra + _packet_sizes(out, edition, n))
    if (PROJECT_ROOT / "input" / "demo" / ocr_bench.TRUTH_FILE).is_file():
        print("\n".join(ocr_bench.report(PROJECT_ROOT / "input" / "demo", OCR_PAGES)))


def _unique_jpeg(data: bytes, tag: str) -> bytes:
    """The same JPEG with a comment segment after SOI, so its content hash is its own."""
    comment = tag.encode()
    return data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]


def _scan_pool(count: int) -> list[bytes]:
    """A few distinct 300-dpi certificate-like scans (drawn once, reused with unique tags)."""
    from PIL import Image, ImageDraw

    pool = []
    for i in range(count):
        img = Image.new("RGB", SCAN_SIZE, (246, 242, 232))
        draw = ImageDraw.Draw(img)
        draw.rectangle((120, 120, SCAN_SIZE[0] - 120, SCAN_SIZE[1] - 120), outline=(170, 30, 30), width=24)
        for y in range(600, 3000, 90):
            draw.line((300, y + i * 7, 2180, y + i * 7), fill=(90, 90, 90), width=6)
        buffer = io.BytesIO()
        img.save(buffer, "JPEG", quality=82, dpi=(300, 300))
        pool.append(buffer.getvalue())
    return pool


def make_scaled_edition(target: Path, nominees: int, scans: int) -> Path:
    """An edition of `nominees` people built from the demo's rows, photos and deeds."""
    from openpyxl import Workbook, load_workbook

    from pipeline.rules.idcard import check_character

    demo = PROJECT_ROOT / "input" / "demo"
    target.mkdir(parents=True)
    shutil.copy(demo / "edition.toml", target / "edition.toml")
    shutil.copy(demo / "calendar.toml", target / "calendar.toml")
    ws = load_workbook(demo / "roster.xlsx").worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header, people = rows[0], [r for r in rows[1:] if any(r)]
    col = {name: i for i, name in enumerate(header)}
    pool = _scan_pool(8)
    out = Workbook()
    sheet = out.active
    assert sheet is not None
    sheet.append(header)
    for i in range(nominees):
        row = list(people[i % len(people)])
        source = str(row[col["编号"]])
        code = f"B{i + 1:04d}"
        body = str(row[col["身份证号码"]]).upper()[:14] + f"{(i // 10) % 100:02d}"
        body += str(row[col["身份证号码"]]).upper()[16]
        row[col["编号"]], row[col["身份证号码"]] = code, body + check_character(body)
        sheet.append(row)
        src, dst = child(demo / "candidates", source), child(target / "candidates", code)
        dst.mkdir(parents=True)
        for item in src.iterdir():
            if item.is_file():
                data = item.read_bytes()
                if item.suffix.lower() in (".jpg", ".jpeg"):
                    data = _unique_jpeg(data, code)
                (dst / item.name).write_bytes(data)
        for k in range(scans):
            category = "资格证书" if k == 0 else ("领先水平证明" if k == 1 else ("荣誉证书", "奖励证书", "成果证书", "其他")[k % 4])
            folder = dst / "evidence" / category
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"2024.{k % 12 + 1:02d}-扫描件{k + 1}.jpg").write_bytes(
                _unique_jpeg(pool[(i + k) % len(pool)], f"{code}-{k}"))
    out.save(target / "roster.xlsx")
    return target


def bench_scaled(root: Path, env: dict[str, str], nominees: int, scans: int) -> None:
    """The scaled round: check and packets cold, no-op, one changed."""
    start = time.perf_counter()
    edition = make_scaled_edition(root / f"scaled-{nominees}", nominees, scans)
    env = dict(env, XN_READ_EVIDENCE="0")  # OCR is measured on the demo: 4 000 scans would take an hour
    made = time.perf_counter() - start
    out = Path(env["XN_OUTPUT"]) / edition.name
    rows = [_run(edition, "check", env, "check（首次）"), _run(edition, "packets", env, "packets（首次）")]
    rows.append(_run(edition, "packets", env, "packets（无改动）"))
    _touch_one(edition)
    rows.append(_run(edition, "packets", env, "packets（改动 1 人）"))
    per = rows[1].seconds / nominees
    extra = [f"生成测试届次用时 {made:.1f} 秒；申报材料首次生成每人平均 {per:.2f} 秒"]
    _report(f"规模测试（{nominees} 人 × {scans} 份 300 dpi 扫描件，不做 OCR）", rows, extra + _packet_sizes(out, edition, nominees))


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """Run the benchmark and print per-stage figures (never a pass/fail)."""
    base = args.dir or Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="xn-bench-", dir=base))
    env = dict(os.environ, XN_OUTPUT=str(root / "output"), XN_STATE=str(root / "state"), XN_KEYS=str(root / "keys"),
               XN_OCR_CACHE=str(root / "ocr-cache"), XN_READ_EVIDENCE="1")
    print(f"基准测试文件夹：{root}（{os.cpu_count()} 个 CPU 核）")
    try:
        bench_demo(root, env)
        if not args.skip_scaled:
            bench_scaled(root, env, args.nominees, args.scans)
    finally:
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    return ExitCode.ok
