"""Preflight findings and their stable codes.

Every finding names the file (relative to output/<edition>/), the page or cell, what is
wrong and how to fix it, in Chinese. Codes are a stable contract: tests, preflight.json
readers and the README rely on them.

    PF_FILE_UNREADABLE       a file cannot be opened at all
    PF_FONT_NOT_EMBEDDED     a PDF uses a font it does not carry (FontFile/FontFile2/FontFile3)
    PF_RGB_IN_PRINT          a newspaper print file paints in RGB (colour operators or images)
    PF_TEXT_NOT_K            text in a print file is not 100 % black on the K plate alone
    PF_INK_LIMIT             a CMYK image in a print file exceeds the total ink limit (240 %)
    PF_OUTPUT_INTENT         a print file has no output intent (not PDF/X)
    PF_NAME_BROKEN           a nominee's name is split across two lines
    PF_FIELD_BROKEN          a short field (性别, 出生年月, 籍贯 …) is split across two lines
    PF_LANDSCAPE_PAGE        a landscape page in a portrait bound book
    PF_BINDING_MARGIN        ink within 25 mm of the bound edge
    PF_ROW_HEIGHT            a spreadsheet row with text has no explicit height or too little
    PF_CELL_CLIPPED          a cell's text is wider than its column, without wrapping
    PF_FIT_TO_HEIGHT         a sheet is squeezed to a fixed number of pages tall
    PF_FONT_TOO_SMALL        a sheet prints below 9 pt after fitting to the page width
    PF_HEADER_NOT_REPEATED   a sheet that prints on several pages does not repeat its header
    PF_PUBLIC_ORDER          a public list or numbering follows the score ranking, not 姓氏笔画
    PF_SHORT_PAGE            a page of a packet's 先进事迹材料 holds only one or two lines of text
    PF_DOCX_PAGES            the DOCX 申报审批表, printed by LibreOffice, has another page count than
                             the 申报审批表 of its bound packet
    PF_STALE_NOTICE          the 公示 was not made from the current results (pipeline.core.stamps), or its last
                             run did not finish
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

CODES: dict[str, tuple[str, str]] = {
    "PF_FILE_UNREADABLE": ("文件无法打开", "重新运行生成该文件的阶段；仍不能打开时请联系技术人员"),
    "PF_FONT_NOT_EMBEDDED": ("字体未嵌入", "生成时嵌入全部字体（印刷厂和其他电脑上没有这些字体，会换字或乱码）"),
    "PF_RGB_IN_PRINT": ("印刷文件中有 RGB 颜色", "按印刷要求转为 CMYK（文字为单黑 K100）后重新生成"),
    "PF_TEXT_NOT_K": ("文字不是单黑（K100）", "文字只能用 100% 黑、只在 K 版上（DeviceGray 0 或 CMYK 0/0/0/100），不用四色黑或灰网"),
    "PF_INK_LIMIT": ("图片总墨量超限", "把图片转为总墨量不超过限值的 CMYK（新闻纸一般 240%，edition.toml [media] ink_limit_percent）"),
    "PF_OUTPUT_INTENT": ("印刷文件没有输出意图（不是 PDF/X）", "嵌入印刷用 CMYK 特性文件作为输出意图，生成 PDF/X 文件"),
    "PF_NAME_BROKEN": ("姓名被拆成两行", "缩小字号（不小于 9 磅）或加宽该栏，使姓名在一行内"),
    "PF_FIELD_BROKEN": ("短字段被拆成两行", "缩小字号（不小于 9 磅）或调整栏宽，使该项在一行内"),
    "PF_LANDSCAPE_PAGE": ("装订本中有横向页面", "横向扫描件放在纵向页面上并旋转 90°（GB/T 9704-2012 §10.2）"),
    "PF_BINDING_MARGIN": ("装订边 25 毫米内有内容", "把内容（含扫描件）移出装订区：奇数页左侧、偶数页右侧 25 毫米内只留白"),
    "PF_ROW_HEIGHT": ("行高不够或未设置", "按文字、字号和列宽写入明确的行高（打开时 Excel/WPS/LibreOffice 不会自动调整）"),
    "PF_CELL_CLIPPED": ("单元格文字被截断", "为该列设置自动换行并按换行后的行数设置行高，或加宽该列"),
    "PF_FIT_TO_HEIGHT": ("打印设置把表格压缩到固定页数", "页面设置为“调整为 1 页宽、页高不限”（fitToHeight = 0）"),
    "PF_FONT_TOO_SMALL": ("打印字号小于 9 磅", "减少列宽或改为横向，使按页宽缩放后字号不小于 9 磅"),
    "PF_HEADER_NOT_REPEATED": ("多页表格没有重复表头", "页面设置中设置“顶端标题行”，每页重复表头"),
    "PF_PUBLIC_ORDER": ("公开名单的顺序不是姓氏笔画顺序", "公开材料按姓氏笔画排列（排名只用于内部的评审结果）"),
    "PF_SHORT_PAGE": ("页面只有寥寥几行", "调整分页：段落跨页时前后页各至少留 3 行（孤行、寡行控制），最后一段不单独成页"),
    "PF_DOCX_PAGES": ("Word 版申报审批表与 PDF 版页数不同", "Word 版要与装订本中的申报审批表页数相同（骑缝章只跨申报审批表）："
                      "重新运行 make packets；仍不同时请联系技术人员"),
    "PF_OUTSIDE_TEXT_AREA": ("文字超出版心", "公文按 GB/T 9704 版心排版（宽 156 毫米、高 225 毫米，天头 37 毫米、订口 28 毫米，页码在版心下）："
                             "缩短该行、缩小表格或调整分页后重新生成；仍超出时请联系技术人员"),
    "PF_STALE_NOTICE": ("公示与当前评审结果不一致", "运行 make publicity 重新生成公示；名单有变化的，应重新公示"),
}
"""Code → (short title, how to fix), in Chinese."""


@dataclass(frozen=True)
class PreflightFinding:
    """One problem a printer, layout editor or office would see in an output file."""

    code: str
    """Stable code, one of CODES."""
    file: str
    """The file, relative to output/<edition>/ (POSIX separators)."""
    message: str
    """What is wrong, naming the values involved (Chinese)."""
    page: int = 0
    """1-based page of a PDF, 0 when not about a page."""
    cell: str = ""
    """Worksheet and cell or row of a spreadsheet, e.g. '提名人选名单!A5' or '提名人选名单!5'."""
    fix: str = ""
    """How to fix it (Chinese); the code's default when empty."""
    data: dict[str, Any] = dc_field(default_factory=dict, compare=False, hash=False)
    """Measured figures for machine readers (mm, pt, pixel boxes …)."""

    @property
    def title(self) -> str:
        """The code's short Chinese title."""
        return CODES[self.code][0]

    @property
    def hint(self) -> str:
        """How to fix it."""
        return self.fix or CODES[self.code][1]

    @property
    def where(self) -> str:
        """'第3页' / '工作表 提名人选名单 单元格 A5' / ''."""
        if self.page:
            return f"第{self.page}页"
        if self.cell:
            sheet, _, ref = self.cell.rpartition("!")
            if ref.isdigit():
                return f"工作表“{sheet}”第{ref}行"
            return f"工作表“{sheet}”单元格 {ref}" if sheet else f"单元格 {ref}"
        return ""

    def to_json(self) -> dict[str, Any]:
        """The finding as it appears in preflight.json."""
        out: dict[str, Any] = {"code": self.code, "title": self.title, "file": self.file}
        if self.page:
            out["page"] = self.page
        if self.cell:
            out["cell"] = self.cell
        out["message"] = self.message
        out["fix"] = self.hint
        if self.data:
            out["data"] = self.data
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PreflightFinding:
        """Inverse of to_json (the per-file cache stores findings as JSON)."""
        fix = str(data.get("fix", ""))
        return cls(code=data["code"], file=data["file"], message=data["message"], page=int(data.get("page", 0)),
                   cell=str(data.get("cell", "")), fix="" if fix == CODES[data["code"]][1] else fix,
                   data=dict(data.get("data", {})))
