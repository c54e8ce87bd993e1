"""发布公告：生成选拔公告（PDF、DOCX、网页、微信文章）和申报材料包。

Stage `announce`, step 1 of the round (§四(三)1 发布公告): edition.toml → output/<edition>/announce/:

    选拔公告.pdf / .docx / .html    the call for nominations as one GB/T 9704 Document
                                    (pipeline.announce.call), rendered by pipeline.gongwen.render
    选拔公告-微信.html              the same text as a WeChat-ready article (inline styles only)
    申报材料包.zip …                the kit for units and applicants (pipeline.announce.kit)

The kit is built first so that the 公告 names the files it really holds. The 公告 is stamped
(pipeline.core.stamps) with the settings, the kit's file names and the code it was made from: a second
run with nothing changed leaves the files alone, any change (a phase date, the office's phone)
rebuilds them, and a failed run removes the old 公告 rather than leave it looking current. No
personal data goes into it, but every public file is read back by the privacy guard as the 公示's are.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path

from pipeline.announce.call import build_call, wechat_html
from pipeline.announce.kit import MEMBERS, ZIP_NAME
from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import ExitCode, PipelineError
from pipeline.core.stamps import read_stamp, replacing, write_stamp
from pipeline.rules import privacy

STAMP = "announce"
"""The stage stamp (pipeline.core.stamps) that vouches for the 公告 files."""

STEM = "选拔公告"
"""选拔公告.pdf, .docx, .html."""
WECHAT = "选拔公告-微信.html"
"""The WeChat article."""

SETTINGS = ("round", "phases", "office", "organs", "checks", "photo", "packets", "publicity", "announce")
"""The tables of edition.toml the 公告 prints from."""

CODE = ("pipeline/announce/call.py", "pipeline/stages/announce.py", "pipeline/gongwen", "pipeline/render/wechat.py",
        "pipeline/rules/workdays.py", "templates/announce")
"""The code and templates the 公告 is made by: a change rebuilds it."""


def call_paths(ctx: RunContext) -> list[Path]:
    """output/<edition>/announce/选拔公告.pdf, .docx, .html and 选拔公告-微信.html."""
    folder = ctx.output / "announce"
    return [*(folder / f"{STEM}{ext}" for ext in (".pdf", ".docx", ".html")), folder / WECHAT]


def kit_names(written: Iterable[Path]) -> tuple[str, ...]:
    """The files the 申报材料包 holds, as its ZIP lists them (the kit's MEMBERS while no kit is built)."""
    for path in written:
        if path.name == ZIP_NAME and path.is_file():
            try:
                with zipfile.ZipFile(path) as z:
                    names = [Path(i.filename).name for i in z.infolist() if not i.is_dir()]
            except (OSError, zipfile.BadZipFile):
                break
            return tuple(dict.fromkeys(n for n in names if n)) or MEMBERS
    return MEMBERS


def _code_hash() -> str:
    digest = hashlib.sha256()
    for rel in CODE:
        path = PROJECT_ROOT / rel
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and file.suffix in {".py", ".j2", ".css", ".html"}:
                digest.update(file.relative_to(PROJECT_ROOT).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def call_inputs(ctx: RunContext, kit_files: tuple[str, ...]) -> dict[str, str]:
    """What the 公告 is made from, as it is now: label → hash (see pipeline.core.stamps)."""
    raw = ctx.edition.raw
    settings = [raw.get(k) for k in (*SETTINGS, "fonts")]
    tables = "、".join(f"[{k}]" for k in SETTINGS)
    return {
        f"edition.toml 中的 {tables}、[fonts] 设置":
            hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest(),
        f"申报材料包中的文件（{'、'.join(kit_files)}）": hashlib.sha256("\n".join(kit_files).encode()).hexdigest(),
        "生成公告的程序和模板": _code_hash(),
        "文档日期（SOURCE_DATE_EPOCH）": str(ctx.source_date.timestamp()),
    }


def build_announcement(ctx: RunContext, kit_files: tuple[str, ...]) -> tuple[Path, ...]:
    """The edition → the 公告 files (left alone when made from the same inputs); any failure removes them."""
    from pipeline.gongwen import render

    paths = call_paths(ctx)
    current = call_inputs(ctx, kit_files)
    stamp = read_stamp(ctx, STAMP)
    if stamp is not None and stamp.inputs == current and all(p.is_file() for p in paths):
        ctx.say(f"选拔公告：与 {stamp.when} 生成时相比没有改动，沿用 {paths[0].parent}")
        return tuple(paths)
    folder = paths[0].parent
    with replacing(ctx, "选拔公告", paths, stage=STAMP):
        doc = build_call(ctx.edition, kit_files)
        ctx.say(f"生成选拔公告：{doc.title}")
        written = render.write_all(ctx, doc, folder, STEM, html=True)
        atomic.write_text(folder / WECHAT, wechat_html(doc))
        privacy.guard([*written, folder / WECHAT], (), stage="make announce")
    write_stamp(ctx, STAMP, current)
    return tuple(paths)


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make announce`: the 申报材料包, then the 选拔公告 naming its files.

    A kit that cannot be made does not stop the 公告 (it then names the files the kit should hold);
    its error is raised once the 公告 is written.
    """
    from pipeline.announce.kit import build_kit

    folder = ctx.output / "announce"
    kit_error: PipelineError | None = None
    try:
        kit = build_kit(ctx, folder)
    except PipelineError as exc:
        kit_error, kit = exc, ()
    paths = build_announcement(ctx, kit_names(kit))
    ctx.say(f"选拔公告：{paths[0]}（另有 .docx、.html 和微信文章 {WECHAT}）")
    if kit_error is not None:
        raise kit_error
    return ExitCode.ok
