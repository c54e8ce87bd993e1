"""The two guides of the 申报材料包 (edition → PDF): `材料清单与目录结构.pdf` and `照片要求.pdf`.

Everything they state comes from the code that later reads the submissions: the materials of
notice §四(三)2 with the file and folder names `pipeline.rules.materials` looks for, the evidence
categories (`model.EVIDENCE_CATEGORIES`), the 编号 rule (`safepath.CODE_HINT`), file names with
dates read back through `materials.parse_evidence_name` (so the examples show what the program
understands), the edition's limits and dates; the photo rules and examples from
`photo_examples` (the photo check's thresholds, the examples judged by the check itself).
WeasyPrint with the edition's font roles (`review.render.font_context`, `html_to_pdf`).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipeline.announce.photo_examples import Judged, judged, rules
from pipeline.core.edition import Edition
from pipeline.core.model import EVIDENCE_CATEGORIES, NOMINATION_SELF
from pipeline.core.safepath import CODE_HINT
from pipeline.rules.materials import (
    DEEDS_NAMES,
    EVIDENCE_EXTENSIONS,
    PHOTO_NAMES,
    parse_evidence_name,
)
from pipeline.rules.workdays import cn_date

MATERIALS_PDF = "材料清单与目录结构.pdf"
PHOTO_PDF = "照片要求.pdf"


def schedule(edition: Edition) -> list[tuple[str, str]]:
    """(what, when) of the edition's [phases] that concern units and applicants; a phase the
    edition does not set is left out."""
    names = {"apply": "组织申报：申报人向推荐单位申报（个人自荐者到所在县市区人社部门、工会组织或行业协会申报）",
             "recommend": "择优推荐：推荐单位审核原件和复印件、加盖公章，报送领导小组办公室",
             "preliminary": "进行初审：领导小组办公室审核申报材料、确认参选资格"}
    out = []
    for key, what in names.items():
        phase = edition.phases.get(key)
        if phase is not None:
            out.append((what, f"{cn_date(phase.start)}至{cn_date(phase.end)}"))
    return out


def deadline(edition: Edition) -> str:
    """When the units' submissions must reach the office: the 公告's deadline ([announce] deadline, by
    default the end of 择优推荐), so the kit and the 公告 never name different days."""
    from pipeline.announce.call import announce_settings

    return cn_date(announce_settings(edition).deadline)


def place(edition: Edition) -> str:
    """Where the paper materials go: the 公告's 受理地点 ([announce] place)."""
    from pipeline.announce.call import announce_settings

    return announce_settings(edition).place


@dataclass(frozen=True)
class Material:
    """One item of §四(三)2 and where its electronic copy goes."""

    item: str
    """The notice's words, with its number."""
    where: str
    """File or folder in candidates/<编号>/."""
    note: str
    """What to watch for."""


def materials(edition: Edition) -> list[Material]:
    """The materials list of notice §四(三)2, item by item, with the folder each goes in."""
    photo = "、".join(PHOTO_NAMES)
    deeds = "、".join(DEEDS_NAMES)
    years = edition.checks.evidence_years
    return [
        Material("（1）“兴安技术能手”申报审批表", "推荐人选名册.xlsx 中本人一行",
                 "名册各列即审批表各栏，领导小组办公室据此生成审批表；纸质审批表用“申报审批表（空白）.docx”填写，"
                 "签字盖章，加盖骑缝章"),
        Material(f"（2）先进事迹材料（{edition.checks.deeds_target_chars}字左右）", f"{deeds}（任选一种）",
                 f"少于{edition.checks.deeds_min_chars}字或多于{edition.checks.deeds_max_chars}字会被提示"),
        Material(f"（3）职业资格证书、近{years}年获得的主要技术成果证书、奖励证书、荣誉证书等",
                 "evidence/资格证书/、evidence/成果证书/、evidence/奖励证书/、evidence/荣誉证书/",
                 f"原件扫描件或照片；职业资格（技能等级）证书必须有；成果、奖励、荣誉证书为近{years}年的"),
        Material("（4）自荐者在该行业处于领先水平的证明材料", "evidence/领先水平证明/",
                 f"申报方式为“{NOMINATION_SELF}”的必须有（获奖证书、专家证明材料、取得的成果等）"),
        Material("（5）正面免冠2寸彩色照片电子版（红色背景）", photo, "要求见“照片要求.pdf”"),
        Material("（6）其他需要提交的材料", "evidence/其他/", "装订在证明材料之后"),
        Material(f"（7）装订成册，一式{edition.packets.copies}份", "（纸质材料）",
                 "首页为封面，注明“××单位申报兴安技术能手选树材料”，次页为目录；复印件经推荐单位核对，"
                 "标明“经核对与原件一致”并加盖公章"),
    ]


TREE = """申报材料/  ← 推荐单位的文件夹（可压缩为一个 ZIP 文件）
├── 推荐人选名册.xlsx  ← 每位推荐人选一行
└── candidates/
    ├── 001/  ← 编号，与名册中的编号相同
    │   ├── 照片.jpg  ← 2寸红底彩色照片
    │   ├── 先进事迹.docx  ← 先进事迹材料
    │   └── evidence/  ← 证明材料，按类别分文件夹
    │       ├── 资格证书/
    │       │   └── 2012.06-高级技师职业资格证书.jpg
    │       ├── 成果证书/
    │       ├── 奖励证书/
    │       ├── 荣誉证书/
    │       │   └── 2024.05-龙江技术能手荣誉证书.pdf
    │       ├── 领先水平证明/  ← 个人自荐者必须有
    │       └── 其他/
    └── 002/
        └── …
"""
"""The folder layout of the input contract (README 届次文件夹, pipeline.rules.materials)."""

NAME_EXAMPLES = ("2023.06-龙江技术能手荣誉证书.jpg", "2023年6月-龙江技术能手荣誉证书.jpg",
                 "2023-06-龙江技术能手荣誉证书.pdf", "龙江技术能手荣誉证书.jpg", "2025-06-01-技术革新成果证书.pdf")
"""File names shown with what the program reads from them (parse_evidence_name)."""


def name_examples() -> list[tuple[str, str, str]]:
    """(file name, what the program reads: date and title, verdict) of `NAME_EXAMPLES`: 正确 when
    it reads a date and a title, 缺少年月 without a date, 不要这样写 when a day was read into the title."""
    out = []
    for name in NAME_EXAMPLES:
        date, title = parse_evidence_name(Path(name).stem)
        read = f"{date.year}年{date.month}月 · {title}" if date else f"（没有日期） · {title}"
        verdict = "缺少年月" if date is None else "不要这样写" if title[:1].isdigit() else "正确"
        out.append((name, read, verdict))
    return out


def _materials_context(edition: Edition) -> dict[str, object]:
    from pipeline.review.render import font_context

    return {
        "font": font_context(edition),
        "title": f"{edition.round.title}申报材料清单与目录结构",
        "edition": edition,
        "materials": materials(edition),
        "tree": TREE,
        "categories": EVIDENCE_CATEGORIES,
        "extensions": "、".join(sorted(e.lstrip(".") for e in EVIDENCE_EXTENSIONS)),
        "code_hint": CODE_HINT,
        "names": name_examples(),
        "schedule": schedule(edition),
        "deadline": deadline(edition),
    }


def write_materials_pdf(edition: Edition, target: Path, when: dt.datetime) -> int:
    """`材料清单与目录结构.pdf` written to `target`; its page count."""
    from pipeline.render.templating import render
    from pipeline.review.render import html_to_pdf

    html = render("announce/materials.html.j2", **_materials_context(edition))
    return html_to_pdf(html, target, title=f"{edition.round.title}申报材料清单与目录结构",
                       author=edition.office.bureau, when=when)


def _data_uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def _print_size(j: Judged, edition: Edition) -> tuple[float, float]:
    """(width, height) in mm an example prints at: pixels at the edition's dpi, so the good one
    is exactly 2 inches and one with too few pixels is smaller."""
    w, h = j.example.portrait.size
    return w / edition.photo.dpi * 25.4, h / edition.photo.dpi * 25.4


def write_photo_pdf(edition: Edition, target: Path, when: dt.datetime,
                    examples: tuple[Judged, ...] | None = None) -> tuple[int, tuple[Judged, ...]]:
    """`照片要求.pdf` written to `target`; its page count and the judged examples it shows."""
    from pipeline.render.templating import render
    from pipeline.review.render import font_context, html_to_pdf

    shown = examples if examples is not None else judged(edition.photo)
    html = render("announce/photo.html.j2", font=font_context(edition),
                  title=f"{edition.round.title}申报照片要求", settings=edition.photo,
                  rules=rules(edition.photo),
                  examples=[(j, _data_uri(j.jpeg), *_print_size(j, edition)) for j in shown])
    pages = html_to_pdf(html, target, title=f"{edition.round.title}申报照片要求",
                        author=edition.office.bureau, when=when)
    return pages, shown
