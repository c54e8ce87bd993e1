"""PDF/X structure checks of the print files (the colour work is pipeline.media.prepress).

There is no PDF/X validator on this machine, so `preflight()` checks what can be checked here:
qpdf --check (structure), an OutputIntent of subtype GTS_PDFX whose profile is a printer
('prtr') profile, the PDF/X version in XMP and a title, a file ID, TrimBox ⊆ BleedBox ⊆ MediaBox
on every page, every font embedded, no encryption, and no DeviceRGB colour when the output
intent is CMYK. The tests hold every 特刊 and 专栏 file to it.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pikepdf


def qpdf_check(pdf: bytes) -> str:
    """PDF bytes → '' when `qpdf --check` finds no problem, else its complaint."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="qpdf-") as tmp:
        path = Path(tmp) / "check.pdf"
        path.write_bytes(pdf)
        try:
            result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=False)
        except OSError as exc:
            return f"无法运行 qpdf：{exc}"
    out = (result.stdout + result.stderr).decode("utf-8", "replace")
    if result.returncode != 0 or "No syntax or stream encoding errors" not in out:
        return "qpdf --check 报告问题：" + " ".join(out.split())[:300]
    return ""


def _fonts(pdf: pikepdf.Pdf) -> list[tuple[str, bool]]:
    """An open PDF → (font name, embedded?) for every font its pages use."""
    found: dict[str, bool] = {}
    for page in pdf.pages:
        resources: Any = page.obj.get("/Resources", {})
        for font in dict(resources.get("/Font", {})).values():
            descendants = font.get("/DescendantFonts")
            targets = list(descendants) if descendants is not None else [font]
            for f in targets:
                fd = f.get("/FontDescriptor")
                embedded = fd is not None and any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[str(font.get("/BaseFont", "?"))] = embedded
    return sorted(found.items())


def fonts_embedded(pdf_bytes: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font the pages use."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return _fonts(pdf)


def preflight(pdf_bytes: bytes) -> list[str]:
    """A PDF meant to be PDF/X-4 → the problems found (Chinese), empty when it passes."""
    problems: list[str] = []
    if complaint := qpdf_check(pdf_bytes):
        problems.append(complaint)
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if pdf.is_encrypted:
            problems.append("文件已加密")
        intents = pdf.Root.get("/OutputIntents")
        cmyk = False
        if not intents:
            problems.append("缺少输出意图（OutputIntent），PDF/X 必须指明印刷条件及其 ICC 特性文件")
        else:
            intent: Any = intents[0]
            if str(intent.get("/S")) != "/GTS_PDFX":
                problems.append("输出意图的类型不是 GTS_PDFX")
            profile = intent.get("/DestOutputProfile")
            if profile is None:
                problems.append("输出意图没有附带 ICC 特性文件")
            else:
                header = profile.read_bytes()[:20]
                if header[12:16] != b"prtr":
                    problems.append(f"输出意图的 ICC 特性文件不是印刷设备特性文件（类别为 {header[12:16].decode('latin-1')!r}）")
                cmyk = header[16:20] == b"CMYK"
        xmp = bytes(pdf.Root.Metadata.read_bytes()) if "/Metadata" in pdf.Root else b""
        if b"GTS_PDFXVersion" not in xmp:
            problems.append("XMP 元数据中没有 PDF/X 版本标识")
        if "/Title" not in pdf.docinfo:
            problems.append("文档信息中缺少标题（Title）")
        if "/ID" not in pdf.trailer:
            problems.append("缺少文件标识（ID）")
        for number, page in enumerate(pdf.pages, start=1):
            boxes = {k: [float(v) for v in page.obj[k]] for k in ("/MediaBox", "/BleedBox", "/TrimBox") if k in page.obj}
            if "/TrimBox" not in boxes:
                problems.append(f"第{number}页缺少 TrimBox")
                continue
            inner, outer = boxes["/TrimBox"], boxes.get("/BleedBox", boxes["/TrimBox"])
            media = boxes["/MediaBox"]
            if not (_inside(inner, outer) and _inside(outer, media)):
                problems.append(f"第{number}页的 TrimBox/BleedBox/MediaBox 嵌套不正确")
        missing = [name for name, ok in _fonts(pdf) if not ok]
        if missing:
            problems.append("有字体未嵌入：" + "、".join(missing))
        if cmyk and _uses_device_rgb(pdf):
            problems.append("使用了 DeviceRGB 颜色，而输出意图为 CMYK（PDF/X-4 不允许未经特性化的 RGB）")
    return problems


def _inside(a: list[float], b: list[float], eps: float = 0.01) -> bool:
    """Two boxes → True when the first lies inside the second."""
    return a[0] >= b[0] - eps and a[1] >= b[1] - eps and a[2] <= b[2] + eps and a[3] <= b[3] + eps


def _uses_device_rgb(pdf: pikepdf.Pdf) -> bool:
    """An open PDF → True when a page paints in DeviceRGB."""
    for page in pdf.pages:
        data = b"".join(c.read_bytes() for c in page.obj.Contents) if isinstance(
            page.obj.Contents, pikepdf.Array) else page.obj.Contents.read_bytes()
        if re.search(rb"\s(rg|RG)\s", data):
            return True
        for image in page.get_images().values():
            if str(image.get("/ColorSpace")) == "/DeviceRGB":
                return True
    return False
