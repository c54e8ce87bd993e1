"""The editions the bench runs on: a copy of the demo, and scaled synthetic rounds.

A scaled edition is generated from the demo's people and files: `nominees` people, each with
`scans` full-resolution (300 dpi A4) evidence scans, every JPEG made unique so no cache can cheat.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.safepath import child

SCAN_SIZE = (2480, 3508)
"""A4 at 300 dpi: the scaled round's scans are full-resolution office scans."""


def touch_one(edition: Path) -> None:
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
