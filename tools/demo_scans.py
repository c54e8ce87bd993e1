"""Fictional 'scans' of certificates and letters for the demo editions.

Pages are drawn with Pillow in the installed CJK fonts (A4 at 150 or 200 dpi, portrait or
landscape), then aged like a scan: off-white paper, a slight skew, blur and noise. Every page
carries a small '演示材料' mark: these are not real documents.
"""

from __future__ import annotations

import dataclasses
import io
import random
from collections.abc import Sequence
from functools import cache
from typing import Any

import img2pdf
import numpy as np
import pikepdf
from demo_text import EvidenceItem, Person, chinese_date
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_FILES: dict[str, tuple[str, int]] = {
    "serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    "serif-bold": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "sans-bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    "kai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
}
"""Font roles → (file, face index of the Simplified Chinese face in the collection)."""

A4_MM = (210, 297)
INK = (28, 28, 30)
RED = (178, 32, 36)
GOLD = (176, 132, 54)
BLUE = (38, 84, 140)
GREEN = (40, 110, 80)
DEMO_MARK = "演示材料·虚构·不具任何效力"
JPEG_QUALITY = 70
"""Quality of scanned colour certificates (80–110 KB for an A4 page at 150 dpi)."""
JPEG_QUALITY_GREY = 62
"""Quality of text documents scanned in grey (letters, reports)."""
NO_BREAK_START = "，。、；：？！”’）》〉」』】%"
"""Characters that may not start a line (they hang at the end of the previous one)."""


_PAGES: list[list[tuple[float, float, str]]] = []
"""Text drawn on the pages of the scan being rendered: per page (y, x, string), in drawing order."""


def say(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, **kwargs: Any) -> None:
    """Draw `text` at `xy` and record it as ground truth of the current page."""
    draw.text(xy, text, **kwargs)
    _record(xy[1], xy[0], text)


def _record(y: float, x: float, text: str) -> None:
    """Note a drawn string on the current page (a later page() starts a new one)."""
    if _PAGES and text.strip():
        _PAGES[-1].append((y, x, text))


def page_lines(drawn: list[tuple[float, float, str]]) -> list[str]:
    """Reading order: top to bottom; strings drawn on the same baseline (label and value) form one line."""
    lines: list[tuple[float, list[tuple[float, str]]]] = []
    for y, x, text in sorted(drawn, key=lambda t: (round(t[0], 3), t[1])):
        if lines and abs(lines[-1][0] - y) < 1:
            lines[-1][1].append((x, text))
        else:
            lines.append((y, [(x, text)]))
    return ["".join(t for _, t in sorted(parts)).strip() for _, parts in lines]


@cache
def font(role: str, size: int) -> ImageFont.FreeTypeFont:
    """A font of `role` at `size` pixels."""
    path, index = FONT_FILES[role]
    return ImageFont.truetype(path, size, index=index)


def page(dpi: int, landscape: bool, paper: tuple[int, int, int]) -> Image.Image:
    """A blank A4 page of the given resolution."""
    w = round(A4_MM[0] / 25.4 * dpi)
    h = round(A4_MM[1] / 25.4 * dpi)
    size = (h, w) if landscape else (w, h)
    _PAGES.append([])
    return Image.new("RGB", size, paper)


def wrap(text: str, f: ImageFont.FreeTypeFont, width: float, indent: int = 0) -> list[str]:
    """Break CJK text into lines of at most `width` pixels (first line indented by `indent` ideographic spaces)."""
    lines: list[str] = []
    line = "\u3000" * indent
    for ch in text:
        if ch == "\n":
            lines.append(line)
            line = ""
            continue
        if f.getlength(line + ch) > width and line.strip() and ch not in NO_BREAK_START:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def paragraph(draw: ImageDraw.ImageDraw, text: str, f: ImageFont.FreeTypeFont, x: float, y: float,
              width: float, *, indent: int = 2, spacing: float = 1.75, fill: tuple[int, int, int] = INK) -> float:
    """Draw a wrapped paragraph; return the y below it."""
    step = f.size * spacing
    for line in wrap(text, f, width, indent):
        say(draw, (x, y), line, font=f, fill=fill)
        y += step
    return y


def centred(draw: ImageDraw.ImageDraw, text: str, f: ImageFont.FreeTypeFont, y: float, width: int,
            fill: tuple[int, int, int] = INK, spread: float = 0.0) -> None:
    """Draw one line centred horizontally; `spread` adds letter spacing (fraction of the size)."""
    if spread:
        total = sum(f.getlength(c) for c in text) + f.size * spread * (len(text) - 1)
        x = (width - total) / 2
        _record(y, x, text)
        for c in text:
            draw.text((x, y), c, font=f, fill=fill)
            x += f.getlength(c) + f.size * spread
    else:
        say(draw, ((width - f.getlength(text)) / 2, y), text, font=f, fill=fill)


def right_block(draw: ImageDraw.ImageDraw, lines: Sequence[str], f: ImageFont.FreeTypeFont, right: float,
                y: float, spacing: float = 1.6) -> float:
    """Lines centred on each other and aligned to `right` (issuer and date under a letter)."""
    widest = max(f.getlength(s) for s in lines)
    centre = right - widest / 2
    for s in lines:
        say(draw, (centre - f.getlength(s) / 2, y), s, font=f, fill=INK)
        y += f.size * spacing
    return y


def frame(draw: ImageDraw.ImageDraw, size: tuple[int, int], colour: tuple[int, int, int], scale: float) -> None:
    """A double border with small corner squares, as printed certificates have."""
    w, h = size
    outer, inner = round(42 * scale), round(70 * scale)
    draw.rectangle((outer, outer, w - outer, h - outer), outline=colour, width=max(4, round(12 * scale)))
    draw.rectangle((inner, inner, w - inner, h - inner), outline=colour, width=max(2, round(3 * scale)))
    s = round(24 * scale)
    for cx, cy in ((inner, inner), (w - inner, inner), (inner, h - inner), (w - inner, h - inner)):
        draw.rectangle((cx - s, cy - s, cx + s, cy + s), outline=colour, width=max(2, round(4 * scale)))


def demo_mark(draw: ImageDraw.ImageDraw, size: tuple[int, int], scale: float) -> None:
    """The small grey 'demo material' note at the bottom."""
    centred(draw, DEMO_MARK, font("sans", round(20 * scale)), size[1] - round(40 * scale), size[0],
            fill=(150, 150, 150))


def issuers(item: EvidenceItem) -> list[str]:
    """The issuing organs of an item, one per line."""
    return item.issuer.split("|")


# ---------------------------------------------------------------------------------------------
# Layouts. Each returns the clean page(s); `scale` is dpi / 150.


def draw_qualification(item: EvidenceItem, person: Person, photo: Image.Image | None,
                       dpi: int, paper: tuple[int, int, int]) -> list[Image.Image]:
    """职业资格证书 / 职业技能等级证书 / 特种作业操作证: portrait, photo, fields."""
    im = page(dpi, False, paper)
    d = ImageDraw.Draw(im)
    sc = dpi / 150
    colour = BLUE if item.kind == "qual" else GREEN
    frame(d, im.size, colour, sc)
    title = item.extra.get("kind_title", item.title.split("（")[0])
    tf = font("serif-bold", round((88 if len(title) <= 8 else 64) * sc))
    centred(d, title, tf, 190 * sc, im.width, colour, spread=0.15 if len(title) <= 8 else 0.0)
    if item.kind == "licence" and "（" in item.title:
        centred(d, item.title[item.title.index("（"):], font("serif", round(40 * sc)), 300 * sc, im.width, colour)
    else:
        sub = "VOCATIONAL SKILL LEVEL CERTIFICATE" if title == "职业技能等级证书" else "CERTIFICATE"
        centred(d, sub, font("serif", round(26 * sc)), 305 * sc, im.width, colour, spread=0.1)
    # Photo box, top right.
    box = (round(850 * sc), round(430 * sc), round(1090 * sc), round(766 * sc))
    if photo is not None:
        im.paste(photo.convert("RGB").resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS),
                 box[:2])
    d.rectangle(box, outline=(120, 120, 120), width=2)
    row = person.row
    if item.kind == "licence":
        fields = [("姓　　名", person.name), ("性　　别", row.sex), ("身份证号", person.id_number),
                  ("作业类别", item.title[item.title.find("（") + 1:-1] if "（" in item.title else item.title),
                  ("证　　号", item.extra.get("number", "")), ("初领日期", f"{item.date.year}年{item.date.month}月"),
                  ("有效期至", f"{item.date.year + 6}年{item.date.month}月"), ("发证机关", item.issuer)]
    else:
        fields = [("姓　　名", person.name), ("性　　别", row.sex), ("证件号码", person.id_number),
                  ("职业（工种）", person.trade.occupation.split("（")[0]), ("等　　级", item.honour),
                  ("证书编号", item.extra.get("number", "")), ("发证日期", f"{item.date.year}年{item.date.month}月"),
                  ("发证机构", item.issuer)]
    lf = font("kai", round(40 * sc))
    vf = font("kai", round(40 * sc))
    y = 450 * sc
    for label, value in fields:
        say(d, (150 * sc, y), f"{label}：", font=lf, fill=INK)
        x = 150 * sc + lf.getlength(f"{label}：")
        limit = (820 if y < 780 * sc else 1090) * sc - x
        for i, line in enumerate(wrap(value, vf, limit)):
            say(d, (x, y + i * 52 * sc), line, font=vf, fill=INK)
            if i:
                y += 52 * sc
        y += 92 * sc
    note = ("本证书是持证人具备相应职业技能水平的证明，由职业技能等级认定机构颁发。"
            if item.kind == "qual" else "本证在全国范围内有效，持证人应按规定参加复审。")
    paragraph(d, note, font("serif", round(30 * sc)), 150 * sc, y + 40 * sc, im.width - 300 * sc)
    right_block(d, [*issuers(item), chinese_date(item.date)], font("kai", round(40 * sc)),
                im.width - 170 * sc, im.height - 330 * sc)
    demo_mark(d, im.size, sc)
    return [im]


def draw_honour(item: EvidenceItem, person: Person, dpi: int, paper: tuple[int, int, int],
                landscape: bool) -> list[Image.Image]:
    """荣誉证书, 获奖证书 and 成果证书: big title, a sentence, the issuers, the date."""
    im = page(dpi, landscape, paper)
    d = ImageDraw.Draw(im)
    sc = dpi / 150
    colour = {"honour": RED, "award": RED, "result": GOLD}[item.kind]
    frame(d, im.size, colour if item.kind != "award" else GOLD, sc)
    title = {"honour": "荣誉证书", "award": "获奖证书", "result": "成果证书"}[item.kind]
    top = (150 if landscape else 260) * sc
    centred(d, title, font("serif-bold", round(120 * sc)), top, im.width, colour, spread=0.35)
    margin = (230 if landscape else 170) * sc
    width = im.width - 2 * margin
    bf = font("kai", round((54 if landscape else 50) * sc))
    y = top + 260 * sc
    team = item.extra.get("team", "")
    say(d, (margin, y), f"{team or person.name + '同志'}：", font=bf, fill=INK)
    y += bf.size * 1.9
    if team:
        text = f"在{item.date.year - 1}年度工作中，你们团结协作、成绩突出，被评为“{item.honour}”。"
    elif item.kind == "honour":
        text = f"在{item.date.year - 1}年度工作中，你成绩突出、表现优异，被授予“{item.honour}”荣誉称号。"
        if item.honour.endswith("奖章"):
            text = f"你在{item.date.year - 1}年度工作中成绩突出、贡献显著，特授予“{item.honour}”。"
        elif "传承人" in item.honour:
            text = f"经评审认定，你为{item.honour}（项目：桦树皮制作技艺）。"
    elif item.kind == "award":
        contest = item.title.replace("获奖证书", "")
        text = f"在{item.date.year}年{contest}中，荣获{item.honour}。"
    else:
        achievement = item.extra.get("achievement", "")
        text = (f"你完成的“{achievement}”经大兴安岭地区职工技术创新成果评审委员会评审，"
                f"被评为大兴安岭地区职工技术创新{item.honour}。")
    y = paragraph(d, text, bf, margin, y, width, spacing=1.9)
    y = paragraph(d, "特发此证，以资鼓励。", bf, margin, y + 10 * sc, width, spacing=1.9)
    if item.kind == "result":
        info = font("serif", round(34 * sc))
        y += 30 * sc
        for line in (f"完成人：{person.name}", f"完成单位：{person.row.unit}",
                     f"证书编号：{item.extra.get('number', '')}"):
            say(d, (margin, y), line, font=info, fill=INK)
            y += info.size * 1.7
    else:
        say(d, (margin, im.height - 210 * sc), f"证书编号：{item.extra.get('number', '')}",
               font=font("serif", round(28 * sc)), fill=(80, 80, 80))
    sign_y = max(im.height - (380 if landscape else 470) * sc, y + 30 * sc)
    right_block(d, [*issuers(item), chinese_date(item.date)], font("kai", round(48 * sc)),
                im.width - margin + 40 * sc, sign_y)
    demo_mark(d, im.size, sc)
    return [im]


def letter_text(item: EvidenceItem, person: Person) -> tuple[str, list[str], list[str]]:
    """Title, paragraphs and signature lines of a letter."""
    c = person.ctx
    row = person.row
    intro = (f"{person.name}，{row.sex}，{c['birth_cn']}出生，现任{row.unit}{row.post}，"
             f"从事{c['domain']}工作{c['years']}年，具有{c['occupation']}{row.level}职业技能等级。")
    kind = item.extra.get("letter", "other")
    if kind == "expert":
        return ("专家推荐意见", [
            intro,
            f"该同志熟练掌握{c['skills']}等技能。针对{c['problem']}的问题，{c['ta']}总结出“{c['method']}”，"
            f"{c['result']}。{c['ta']}先后带徒{c['apprentices']}名，为行业培养了一批技能骨干。",
            f"本人长期从事相关领域的技术和评审工作，对该同志的技术水平和工作业绩较为了解。经考察，"
            f"该同志的技能水平在全区{c['domain']}领域处于领先地位，业绩突出，贡献显著，"
            f"符合“兴安技术能手”推荐条件，特此推荐。",
        ], [f"推荐专家（签字）：{item.extra.get('signer', '')}", f"职称：{item.extra.get('signer_title', '')}",
            f"工作单位：{item.issuer}", chinese_date(item.date)])
    if kind == "leading":
        return (f"关于{person.name}同志技术水平的证明", [
            f"兹证明{intro}",
            f"近年来，该同志{c['honours_text'] or '多次在技能比武中取得优异成绩'}。{c['ta']}总结的“{c['method']}”"
            f"{c['result']}，在本行业推广应用，取得了良好的经济效益和社会效益。",
            f"经综合评估，该同志的技能水平和工作业绩在全区{c['domain']}行业（领域）中处于领先水平。",
            "特此证明。",
        ], [item.issuer, chinese_date(item.date)])
    if item.title == "带徒传技情况证明":
        return ("带徒传技情况证明", [
            f"兹证明{intro}",
            f"该同志热心传帮带，先后与{c['apprentices']}名青年职工结成师徒对子，传授{c['teach']}等技能。"
            f"徒弟中{c['grads']}人取得技师或高级工职业技能等级，{c['winners']}人在全区技能竞赛中获奖。"
            f"{c['ta']}累计开展技术讲座和实操演练{c['lectures']}余场次，培训{c['trained']}人次。",
            "特此证明。",
        ], [item.issuer, chinese_date(item.date)])
    return ("工作业绩证明", [
        f"兹证明{intro}",
        f"该同志工作期间主要业绩如下：一是{c['detail2']}二是{c['service']}。三是积极开展传帮带，"
        f"带徒{c['apprentices']}名，其中{c['grads']}人取得技师或高级工职业技能等级。",
        "以上情况属实，特此证明。",
    ], [item.issuer, chinese_date(item.date)])


def draw_letter(item: EvidenceItem, person: Person, dpi: int, paper: tuple[int, int, int]) -> list[Image.Image]:
    """A one-page letter: 专家推荐意见, 证明."""
    title, paragraphs, signature = letter_text(item, person)
    im = page(dpi, False, paper)
    d = ImageDraw.Draw(im)
    sc = dpi / 150
    tf = font("serif-bold", round((60 if len(title) <= 10 else 48) * sc))
    centred(d, title, tf, 200 * sc, im.width, spread=0.2 if len(title) <= 6 else 0.0)
    bf = font("serif", round(36 * sc))
    y = 380 * sc
    margin = 160 * sc
    for text in paragraphs:
        y = paragraph(d, text, bf, margin, y, im.width - 2 * margin) + 14 * sc
    right_block(d, signature, bf, im.width - margin, max(y + 90 * sc, im.height - 560 * sc))
    demo_mark(d, im.size, sc)
    return [im]


def draw_report(item: EvidenceItem, person: Person, dpi: int, paper: tuple[int, int, int]) -> list[Image.Image]:
    """A three-page 技术成果报告."""
    c = person.ctx
    sc = dpi / 150
    margin = 160 * sc
    hf = font("sans-bold", round(38 * sc))
    bf = font("serif", round(34 * sc))
    pages_text: list[list[tuple[str, str]]] = [
        [("h", "一、项目背景"), ("p", f"大兴安岭地处高寒，{c['domain']}工作条件艰苦。实践中，{c['problem']}，"
                                 f"影响了工作质量和效率，也给一线职工带来了安全隐患。"),
         ("p", c["detail"]), ("h", "二、主要技术内容"),
         ("p", f"项目组由{person.name}牵头，在总结多年实践经验的基础上，提出了“{c['method']}”。主要内容包括："
               f"（一）现场调查，查清问题的主要成因；（二）对比试验，确定关键参数；（三）编制作业规程，"
               f"统一操作标准；（四）组织培训，推广应用。")],
        [("p", c["detail2"]), ("h", "三、实施效果"),
         ("p", f"项目实施后，{c['result']}。{c['service']}。"),
         ("p", f"经测算，项目累计创造经济效益{c['benefit']}万元，减少材料和能源消耗，社会效益和生态效益明显。"),
         ("h", "四、推广应用情况"),
         ("p", f"该成果已在全区同行业推广应用。项目组编写了《{c['booklet']}》，开展培训{c['lectures']}余场次，"
               f"培训{c['trained']}人次，带徒{c['apprentices']}名。")],
        [("h", "五、结论"),
         ("p", f"“{c['achievement']}”针对高寒地区{c['domain']}工作的实际问题，方法简便、效果明显、易于推广，"
               f"技术水平在全区同行业处于领先地位，建议进一步推广应用。"),
         ("h", "附：应用单位意见"),
         ("p", f"经在{person.row.unit}等单位应用，该成果运行稳定、效果良好，同意上述结论。")],
    ]
    out = []
    for number, blocks in enumerate(pages_text, 1):
        im = page(dpi, False, paper)
        d = ImageDraw.Draw(im)
        y = 170 * sc
        if number == 1:
            centred(d, f"{c['achievement']}", font("serif-bold", round(50 * sc)), y, im.width)
            centred(d, "技术成果报告", font("serif-bold", round(50 * sc)), y + 80 * sc, im.width)
            centred(d, f"完成人：{person.name}　　完成单位：{person.row.unit}", font("kai", round(32 * sc)),
                    y + 180 * sc, im.width)
            centred(d, chinese_date(item.date), font("kai", round(32 * sc)), y + 235 * sc, im.width)
            y += 340 * sc
        for kind, text in blocks:
            if kind == "h":
                say(d, (margin, y), text, font=hf, fill=INK)
                y += hf.size * 1.9
            else:
                y = paragraph(d, text, bf, margin, y, im.width - 2 * margin) + 10 * sc
        if number == len(pages_text):
            right_block(d, [f"完成人：{person.name}", person.row.unit, chinese_date(item.date)], bf,
                        im.width - margin, y + 120 * sc)
        centred(d, f"第 {number} 页 共 {len(pages_text)} 页", font("serif", round(26 * sc)),
                im.height - 110 * sc, im.width)
        demo_mark(d, im.size, sc)
        out.append(im)
    return out


# ---------------------------------------------------------------------------------------------
# Scanning and saving.


def scanify(im: Image.Image, rng: random.Random, *, noise: float = 2.5) -> Image.Image:
    """Age a clean page like a flatbed scan: skew, blur, uneven light, noise."""
    paper = im.getpixel((5, 5))
    if rng.random() < 0.6:  # the others were straightened by the scanner software
        im = im.rotate(rng.uniform(-0.5, 0.5), resample=Image.Resampling.BILINEAR, fillcolor=paper)
    im = im.filter(ImageFilter.GaussianBlur(1.0))
    a = np.asarray(im).astype(np.float32)
    h, w = a.shape[:2]
    gen = np.random.default_rng(rng.getrandbits(32))
    # Light falls off towards one edge (the scanner lid's shadow).
    ramp = np.linspace(0, 1, w if rng.random() < 0.5 else h, dtype=np.float32)
    shade = 1 - 0.035 * ramp ** 3
    a *= shade[None, :, None] if shade.size == w else shade[:, None, None]
    if noise:
        a += gen.normal(0, noise, (h, w, 1)).astype(np.float32)
    return Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))


def encode_pages(pages: list[Image.Image], fmt: str, dpi: int, quality: int = JPEG_QUALITY) -> bytes:
    """Encode page images as jpg, jpeg, jpg-exif (stored rotated, orientation 6), png, tif or pdf."""
    buf = io.BytesIO()
    first = pages[0]
    if fmt in {"jpg", "jpeg"}:
        first.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
    elif fmt == "jpg-exif":
        stored = first.transpose(Image.Transpose.ROTATE_90)
        exif = Image.Exif()
        exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
        stored.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), exif=exif.tobytes(), optimize=True)
    elif fmt == "png":
        first.quantize(colors=48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            buf, "PNG", dpi=(dpi, dpi), optimize=True)
    elif fmt == "tif":
        first.convert("L").save(buf, "TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
    elif fmt == "pdf":
        jpegs = []
        for p in pages:
            jb = io.BytesIO()
            p.save(jb, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
            jpegs.append(jb.getvalue())
        # img2pdf's pikepdf engine would write a random /ID (its version test compares strings),
        # so build with the internal engine and let pikepdf add a content-derived /ID.
        data = img2pdf.convert(jpegs, nodate=True, producer="xingan-nengshou demo", title="演示材料",
                               engine=img2pdf.Engine.internal)
        assert isinstance(data, bytes)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pdf.save(buf, deterministic_id=True)
    else:
        raise ValueError(fmt)
    return buf.getvalue()


def render_evidence(item: EvidenceItem, person: Person, photo: Image.Image | None,
                    rng: random.Random) -> bytes:
    """The file content of one evidence item, in its format."""
    return render_evidence_text(item, person, photo, rng)[0]


def render_evidence_text(item: EvidenceItem, person: Person, photo: Image.Image | None,
                         rng: random.Random) -> tuple[bytes, list[str]]:
    """The file content of one evidence item and the text drawn on each page (lines joined by newlines)."""
    _PAGES.clear()
    data = _render(item, person, photo, rng)
    text = ["\n".join(page_lines(drawn)) for drawn in _PAGES]
    _PAGES.clear()
    return data, text


def _render(item: EvidenceItem, person: Person, photo: Image.Image | None, rng: random.Random) -> bytes:
    """render_evidence without the bookkeeping of the drawn text."""
    if item.printed is not None:
        item = dataclasses.replace(item, date=item.printed)
    dpi = 200 if item.kind in {"honour", "award", "result"} and rng.random() < 0.12 else 150
    if item.fmt in {"png", "tif"}:
        dpi = 150
    shade = rng.randint(0, 8)
    paper = (252 - shade, 250 - shade, 242 - shade * 2)
    if item.kind in {"qual", "licence"}:
        pages = draw_qualification(item, person, photo, dpi, paper)
    elif item.kind in {"honour", "award", "result"}:
        landscape = item.kind != "result" and rng.random() < 0.75
        pages = draw_honour(item, person, dpi, paper, landscape)
    elif item.kind == "letter":
        pages = draw_letter(item, person, dpi, paper)
    elif item.kind == "report":
        pages = draw_report(item, person, dpi, paper)
    elif item.kind == "blank":
        pages = [page(dpi, False, paper)]  # the scanner's lid was open or the sheet lay face down
    else:
        raise ValueError(item.kind)
    noise = 0.0 if item.fmt in {"png", "tif"} else 2.5 if item.kind == "blank" else 0.8
    scanned = [scanify(p, rng, noise=noise) for p in pages]
    if item.kind in {"letter", "report"} and item.fmt != "png":
        scanned = [p.convert("L") for p in scanned]  # text documents are scanned in grey
        return encode_pages(scanned, item.fmt, dpi, JPEG_QUALITY_GREY)
    return encode_pages(scanned, item.fmt, dpi)
