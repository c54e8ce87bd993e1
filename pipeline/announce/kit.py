"""The 申报材料包 for units and applicants: edition → `announce/申报材料包.zip` and its parts.

    申报材料包/说明.txt                 what each file is, what to fill, folder and file names, where and
                                        by when to send (the edition's [phases]); CRLF, UTF-8 with BOM
    申报材料包/申报审批表（空白）.docx   the attachment, from the packets' template (blank_form)
    申报材料包/推荐人选名册.xlsx         the roster template (roster_template)
    申报材料包/材料清单与目录结构.pdf    materials, folder layout, file names (guides)
    申报材料包/照片要求.pdf              photo rules and examples judged by the photo check (guides)
    申报材料包.zip                      the same five files; UTF-8 names flagged (Windows shows the
                                        Chinese names), fixed dates, stable order: byte-identical runs

The parts are written into a staging folder and moved into place only when all of them were made,
so a failure leaves the previous kit as it was (each file is atomic, pipeline.core.atomic).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from pathlib import Path

from pipeline.announce.blank_form import write_blank_form
from pipeline.announce.guides import (
    MATERIALS_PDF,
    PHOTO_PDF,
    TREE,
    deadline,
    place,
    schedule,
    write_materials_pdf,
    write_photo_pdf,
)
from pipeline.announce.photo_examples import Judged
from pipeline.announce.roster_template import FIRST_ROW, instructions, write_roster_template
from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, Edition
from pipeline.media.kit import readme_text, text_file
from pipeline.render import office
from pipeline.rules.roster import EXAMPLE_CODE

KIT_NAME = "申报材料包"
ZIP_NAME = f"{KIT_NAME}.zip"
README = "说明.txt"
BLANK_FORM = "申报审批表（空白）.docx"
ROSTER = "推荐人选名册.xlsx"
MEMBERS: tuple[str, ...] = (README, BLANK_FORM, ROSTER, MATERIALS_PDF, PHOTO_PDF)
"""The files of the kit, in the order 说明.txt lists them (and the ZIP holds them)."""
SOURCES: tuple[str, ...] = (
    "pipeline/announce", "pipeline/data/roster-choices.toml", "pipeline/packets/docx_form.py",
    "pipeline/packets/form.py", "pipeline/packets/fit.py", "pipeline/rules/photo", "pipeline/rules/roster.py",
    "pipeline/rules/materials.py", "pipeline/rules/retirement.py", "pipeline/core/safepath.py", "pipeline/render/office.py",
    "pipeline/media/kit.py", "pipeline/review/render.py", "pipeline/render/fonts.py", "pipeline/render/wordbreak.py",
    "templates/announce", "templates/packet/申报审批表.docx")
"""The code, data and templates the kit is made by: a change to any of them rebuilds it."""


def readme(edition: Edition, examples: tuple[Judged, ...]) -> str:
    """说明.txt (Chinese, CRLF): the files, what to fill, names, where and by when to send."""
    office_ = edition.office
    files = [
        (README, "本说明"),
        (BLANK_FORM, "附件“兴安技术能手”申报审批表，可在 Word/WPS 中直接填写、打印"),
        (ROSTER, "推荐人选名册（Excel），推荐单位每位推荐人选填一行"),
        (MATERIALS_PDF, "要交哪些材料、电子版放在哪个文件夹、文件怎样命名"),
        (PHOTO_PDF, "2寸红底照片的要求和示例"),
    ]
    intro = [f"依据{edition.round.basis_title}（{edition.round.basis_number}），本材料包供各推荐单位和申报人使用。",
             "请推荐单位把本材料包转发给申报人，并按下列要求汇总报送。"]
    text = readme_text(f"{edition.round.title}申报材料包", intro, files, [])
    bad = [j.example.title for j in examples if j.example.expected]
    sections: list[tuple[str, list[str]]] = [
        ("填写要求", [
            f"1. 推荐人选名册：每位推荐人选一行。第{FIRST_ROW}行（编号“{EXAMPLE_CODE}”、灰色斜体）是填写示例，"
            "读取时自动跳过，可以保留或删除。选中单元格可看到填写提示，下拉列表中选择的各列不要手工输入别的写法。",
            *("   " + line[3:] for line in instructions(edition)[1:5]),
            "2. 申报审批表：名册中的内容由领导小组办公室生成审批表；纸质审批表可用“"
            f"{BLANK_FORM}”填写，打印后各栏签字、盖章，并加盖骑缝章。",
            f"3. 先进事迹材料：{edition.checks.deeds_target_chars}字左右，Word 文件命名为“先进事迹.docx”。"
            f"简要事迹（名册中的一列）不超过{edition.checks.summary_max_chars}字。",
            f"4. 照片：正面免冠2寸红底彩色照片电子版，文件名“照片.jpg”，要求见“{PHOTO_PDF}”"
            f"（示例中{('、'.join(bad))}的照片都不能用）。",
            f"5. 证明材料：原件扫描件，按类别放在 evidence/ 下的文件夹中，文件名以取得年月开头，"
            f"见“{MATERIALS_PDF}”。纸质复印件由推荐单位核对，标明“经核对与原件一致”并加盖公章。",
            f"6. 纸质材料装订成册，一式{edition.packets.copies}份：首页为封面，注明“××单位申报兴安技术能手选树材料”，"
            "次页为目录。",
        ]),
        ("文件夹和文件命名", ["  " + line for line in TREE.rstrip("\n").split("\n")]),
        ("报送时间和地点", [
            *(f"  {when}　{what}" for what, when in schedule(edition)),
            f"  推荐单位于{deadline(edition)}（含）前，将名册、材料文件夹（电子版，可压缩为 ZIP 文件）和纸质材料报送"
            f"{place(edition)}。",
            *([f"  地址：{office_.address}"] if office_.address else []),
            f"  联系人：{office_.contact}　　联系电话：{office_.phone}",
        ]),
    ]
    lines = [text.rstrip("\r\n")]
    for heading, body in sections:
        lines += ["", f"【{heading}】", *body]
    return "\r\n".join(lines) + "\r\n"


def build_kit(ctx: RunContext, folder: Path) -> tuple[Path, ...]:
    """Writes `申报材料包.zip` and its parts (folder/申报材料包/) into `folder`; returns the files written."""
    from pipeline.review.render import Manifest

    edition, when = ctx.edition, ctx.source_date
    parts = folder / KIT_NAME
    outputs = (folder / ZIP_NAME, *(parts / name for name in MEMBERS))
    manifest = Manifest(ctx, "announce-kit")
    key = _fingerprint(ctx)
    if manifest.current(key, outputs):
        ctx.say("申报材料包：没有改动，沿用上次生成的文件")
        return outputs
    manifest.forget()
    folder.mkdir(parents=True, exist_ok=True)
    ctx.say(f"申报材料包：生成 {', '.join(MEMBERS[1:])} …")
    with tempfile.TemporaryDirectory(dir=folder, prefix=".kit-") as tmp:
        staging = Path(tmp)
        write_blank_form(edition, staging / BLANK_FORM, when)
        write_roster_template(edition, staging / ROSTER, when)
        write_materials_pdf(edition, staging / MATERIALS_PDF, when)
        _, examples = write_photo_pdf(edition, staging / PHOTO_PDF, when)
        atomic.write_bytes(staging / README, text_file(readme(edition, examples)))
        data = kit_zip({name: (staging / name).read_bytes() for name in MEMBERS}, when)
        parts.mkdir(exist_ok=True)
        for name in MEMBERS:
            atomic.copy_file(staging / name, parts / name)
    for stray in parts.iterdir():  # a file a former version of the kit had
        if stray.name not in MEMBERS:
            if stray.is_dir():
                shutil.rmtree(stray)
            else:
                stray.unlink()
    atomic.write_bytes(folder / ZIP_NAME, data)
    manifest.record(key)
    ctx.say(f"申报材料包：{folder / ZIP_NAME}")
    return outputs


def _fingerprint(ctx: RunContext) -> str:
    """What the kit is made from: edition.toml, the source date, and the bytes of `SOURCES`."""
    digest = hashlib.sha256()
    for rel in SOURCES:
        path = PROJECT_ROOT / rel
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + file.read_bytes())
    digest.update((ctx.edition.path / "edition.toml").read_bytes())
    digest.update(ctx.source_date.isoformat().encode())
    return digest.hexdigest()


def kit_zip(members: dict[str, bytes], when: dt.datetime) -> bytes:
    """The ZIP of the kit: members in the given order at its top level, UTF-8 names flagged,
    fixed dates (office.write_zip)."""
    return office.write_zip(members.items(), when)
