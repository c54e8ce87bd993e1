"""GB/T 9704 official documents (公文): one content model, three renditions.

The 选拔公告, the 审核意见反馈单 (函), the 提请审议的请示 and the 表彰决定 are each built as one
`Document` by the stage that owns them; `pipeline.gongwen.render` turns that same object into the
PDF (WeasyPrint), the editable DOCX (python-docx) and the web page, so the three never say different
things. The layout rules (版心 156 × 225 mm, 22 lines of 28 characters, 2号小标宋 title, 3号仿宋 body,
一、 in 黑体 and （一） in 楷体, 署名 and 成文日期 with or without a seal, 版记 with 抄送 and 印发机关)
live in the renderer, not in the stages.

May import the other feature packages, pipeline.ocr, pipeline.rules, pipeline.render and pipeline.core; never pipeline.stages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    """A structural heading inside the body: level 1 “一、” (黑体), level 2 “（一）” (楷体)."""

    text: str
    """The whole heading, numbering included, e.g. “一、选树条件”."""
    level: int = 1
    """1 or 2 (levels 3 “1.” and 4 “（1）” are plain paragraphs in 仿宋)."""


@dataclass(frozen=True)
class Para:
    """One body paragraph: 3号仿宋, first line indented two characters unless `indent` is False."""

    text: str
    indent: bool = True
    keep_with_next: bool = False
    """Never the last line of a page when the next block follows (lead-in to a list or table)."""


@dataclass(frozen=True)
class Table:
    """A table fitted to its contents: `keep` columns never wrap, the others wrap between words."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    keep: tuple[bool, ...] = ()
    """Per column: True = never wraps (序号, 姓名, 性别 …). Empty = every column may wrap."""
    caption: str = ""
    """A centred 黑体 line above the table (e.g. the name list's title on an 附件 page)."""


Block = Heading | Para | Table
"""What a body is made of, in reading order."""


@dataclass(frozen=True)
class Attachment:
    """An 附件 printed after the main text on a new page: “附件1” top left in 黑体, its own title, blocks."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """Everything a GB/T 9704 document says, in reading order (empty fields are left out)."""

    title: str
    """标题 on one line; the renderer breaks it into balanced 2号 lines."""
    body: tuple[Block, ...]
    """正文."""
    organs: tuple[str, ...]
    """发文机关署名 (one per issuing organ; joint documents name several)."""
    date: dt.date
    """成文日期."""
    sealed: bool = True
    """True: 署名 laid out for a seal (GB/T 9704 7.3.5.1); False: without (7.3.5.2)."""
    mark: str = ""
    """发文机关标志 (红头), e.g. “大兴安岭地区人力资源和社会保障局文件”; "" = no 版头 (公告, 函 without one)."""
    number: str = ""
    """发文字号, e.g. “大署人社发〔2027〕15号”, centred under the 红头 (left when there is a 签发人)."""
    signer: str = ""
    """签发人 (上行文 such as a 请示): printed right of the 发文字号."""
    addressee: str = ""
    """主送机关, e.g. “地区人才工作小组：” (with its colon)."""
    attachment_notes: tuple[str, ...] = ()
    """附件说明 after the body: the attachments' names, numbered when more than one."""
    note: str = ""
    """附注, in brackets under the 成文日期, e.g. “（联系人：马卉，电话：0457-2756328）”."""
    attachments: tuple[Attachment, ...] = ()
    """附件 pages."""
    copy_to: tuple[str, ...] = ()
    """抄送机关 in the 版记."""
    printed_by: str = ""
    """印发机关 in the 版记 ("" = no 版记)."""
    printed_on: dt.date | None = None
    """印发日期 in the 版记."""
    public: bool = False
    """True for documents the public reads (公告): rendered also as a web page."""
    meta: dict[str, str] = field(default_factory=dict)
    """Document properties (author, subject) for the PDF and DOCX."""
