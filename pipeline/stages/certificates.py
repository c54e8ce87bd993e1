"""颁发证书：荣誉证书、签名二维码、证书数据库登记、颁奖及补贴发放表、查验网页。

Award certificates with signed QR codes, the registry, the 颁奖及补贴发放 list and the verification site.

Stage `certificates`: output/<edition>/results/awardees.json (make results) + the registry →

    output/<edition>/certificates/
        证书/<编号>-<姓名>.pdf            one certificate per awardee (full design)
        荣誉证书（全部）.pdf               the print file with every certificate
        套打/荣誉证书套打（全部）.pdf       blank-paper mode: only the variable text and QR code
        套打/套打校准页.pdf                grid and crosshairs to align the printer
        颁奖及补贴发放表.xlsx / .pdf       awardees, unit, certificate number, subsidy, signature
        证书清单.json                      number, 编号, name and QR URL of every certificate
    output/<edition>/verify/              the static verification site (pipeline.stages.verify)

Numbers come from the registry (pipeline.registry.store): assigned once, in rank order, never changed.
Rendering is skipped when nothing that goes into the documents changed since the last run.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from pipeline.certificates.layout import (
    GOLD,
    RED,
    frame_svg,
    issuer_layout,
    punctuation_role,
    typeset,
)
from pipeline.certificates.settings import (
    BLANK_FIELDS,
    PT_MM,
    BlankLayout,
    CertificateOptions,
    certificate_options,
)
from pipeline.core import atomic, signing
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import ExitCode, RenderError, StageError
from pipeline.core.safepath import child, safe_name
from pipeline.registry.store import Certificate, IssueEntry, Numbering, open_registry
from pipeline.render import office, qr
from pipeline.render.weasy import data_uri, weasyprint_errors
from pipeline.rules import privacy

if TYPE_CHECKING:
    from pipeline.render.fonts import FontSet
    from pipeline.rules.awardees import Awardee

TEMPLATES = "certificates"
CODE_FILES = ("pipeline/stages/certificates.py", "pipeline/certificates/layout.py", "pipeline/certificates/settings.py",
              "pipeline/render/qr.py", "pipeline/core/signing.py",
              "pipeline/review/notice.py", "pipeline/gongwen/layout.py", "pipeline/render/templating.py", "pipeline/render/wordbreak.py",
              "templates/gongwen/sealed.css", "templates/gongwen/_sealed.html.j2")


# ---- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCertificate:
    """One awardee's certificate."""

    awardee: Awardee
    """The awardee (rank, nominee)."""
    record: Certificate
    """The registry's record: number, term, status."""
    payload: signing.Payload
    """What the QR code vouches for."""
    url: str
    """The URL in the QR code."""
    level: str
    """The QR code's error-correction level."""
    pdf: Path
    """The single-certificate PDF."""

    @property
    def symbol(self) -> qr.QrSymbol:
        """The QR code (made on first use)."""
        return qr.make_qr(self.url, self.level)


@dataclass(frozen=True)
class CertificatesResult:
    """What the certificates stage produced."""

    issued: tuple[IssuedCertificate, ...]
    """Certificates in 姓氏笔画 order (the public order; never the ranking)."""
    skipped: tuple[str, ...]
    """'编号 姓名' of awardees left out because of check errors."""
    new_numbers: tuple[str, ...]
    """Numbers assigned in this run."""
    print_file: Path
    """荣誉证书（全部）.pdf."""
    blank_file: Path | None
    """The blank-paper print file (None when blank mode is off)."""
    calibration: Path | None
    """The calibration page (None when blank mode is off)."""
    subsidy_xlsx: Path
    """颁奖及补贴发放表.xlsx."""
    subsidy_pdf: Path
    """颁奖及补贴发放表.pdf."""
    verify_dir: Path
    """output/<edition>/verify/."""
    rendered: bool
    """False when nothing changed and rendering was skipped."""
    demo: bool
    """Signed with the demo key."""

    @property
    def exit_code(self) -> ExitCode:
        """1 when an awardee was skipped, else 0."""
        return ExitCode.findings if self.skipped else ExitCode.ok


# ---- rendering ---------------------------------------------------------------------------------


def render_pdf(html: str, what: str) -> bytes:
    """HTML text in → PDF bytes (WeasyPrint, project fonts, warnings are errors)."""
    from pipeline.render.fonts import use_project_fonts

    use_project_fonts()
    import weasyprint

    with weasyprint_errors(what, file=what, hint="若提到图片，检查 assets/ 中的印章图片是否完整；否则请联系技术人员（模板有误）"):
        document = weasyprint.HTML(string=html, base_url=str(PROJECT_ROOT)).render()
        return bytes(document.write_pdf(pdf_identifier=b"xingan-nengshou-certificates"))


def split_pdf(pdf: bytes, parts: Sequence[tuple[str, Sequence[int]]], expected_pages: int) -> list[bytes]:
    """A PDF and (title, page indexes) per output in → one titled, reproducible PDF per output."""
    import io

    import pikepdf

    out = []
    with pikepdf.open(io.BytesIO(pdf)) as src:
        if len(src.pages) != expected_pages:
            raise RenderError(f"证书排版页数（{len(src.pages)}）与预期（{expected_pages}）不符",
                              hint="某位获奖者的姓名或单位过长、排到了下一页；请联系技术人员调整模板")
        info = dict(src.docinfo.items())
        for title, pages in parts:
            part = pikepdf.new()
            for index in pages:
                part.pages.append(src.pages[index])
            for key, value in info.items():
                part.docinfo[key] = value
            part.docinfo["/Title"] = title
            part.remove_unreferenced_resources()  # WeasyPrint shares one resource dictionary: no one else's QR code
            buffer = io.BytesIO()
            part.save(buffer, deterministic_id=True)
            out.append(buffer.getvalue())
    return out


def _png_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _cn_number(n: int) -> str:
    """1–99 → 一 … 九十九 (larger numbers stay in digits)."""
    digits = "零一二三四五六七八九"
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _cn_date(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _name_class(name: str) -> str:
    n = len(name)
    return "short" if n <= 4 else "medium" if n <= 8 else "long" if n <= 16 else "very-long"


def _common(ctx: RunContext, options: CertificateOptions, fonts: FontSet) -> dict[str, Any]:
    edition = ctx.edition
    scale = min(options.page_w / 297, options.page_h / 210)
    created = ctx.source_date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "edition": edition,
        "options": options,
        "font_css": Markup(fonts.css()),
        "stack": lambda role: Markup(fonts.stack(role)),
        "scale": scale,
        "k": lambda value: f"{value * scale:.3f}mm",
        "pt": lambda value: f"{value * scale:.2f}pt",
        "created": created,
        "organs": edition.issuing_organs,
        "issue_date": _cn_date(edition.certificates.issue_date),
        "citation": f"被评为{edition.round.region}{edition.round.year}年度“{edition.round.honour}”",
        "demo": options.demo,
        "term_label": f"任期{_cn_number(edition.certificates.term_years)}年",
        "typeset": typeset,
        "punct_role": punctuation_role(fonts),
        "issuer": issuer_layout(edition.issuing_organs, options.page_w, options.page_h),
        "frame": _svg_uri(frame_svg(options.page_w, options.page_h)),
        "red": RED,
        "gold": GOLD,
    }


def _view(item: IssuedCertificate, options: CertificateOptions, seals: Sequence[str | None]) -> dict[str, Any]:
    c = item.awardee.nominee.candidate
    return {
        "name": c.name,
        "name_class": _name_class(c.name),
        "unit": c.unit_and_post,
        "number": item.record.number,
        "term": f"{_cn_date(item.record.term_start)}至{_cn_date(item.record.term_end)}",
        "url": item.url,
        "qr_size": options.qr_size_mm,
        "seals": list(seals),
    }


# ---- the stage ----------------------------------------------------------------------------------


def _signer(ctx: RunContext, options: CertificateOptions) -> signing.Signer:
    """The key the round is signed with: the demo key for demo editions (created if needed)."""
    if not options.demo:
        return signing.load_signer(demo=False)
    signer, created = signing.create_key(demo=True)
    banner = "！" * 36
    lines = [banner,
             "！ 注意：这是演示届次，证书用【演示密钥】签名，仅供演示，不具任何效力！",
             f"！ 演示密钥：{signer.files.private}" + ("（刚刚新生成）" if created else ""),
             "！ 正式届次请先运行 make keys 生成正式密钥，并在 edition.toml 的 [certificates] 中设 demo = false。",
             banner]
    import sys

    print("\n".join(lines), file=sys.stderr, flush=True)
    return signer


def _entries(awardees: Sequence[Awardee]) -> list[IssueEntry]:
    out = []
    for a in awardees:
        c = a.nominee.candidate
        out.append(IssueEntry(c.id_number, c.name, c.gender or "", c.code, c.unit_and_post, c.occupation, a.rank,
                                  c.recommender))
    return out


def _input_hash(ctx: RunContext, options: CertificateOptions, views: list[dict[str, Any]],
                extra: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    for rel in CODE_FILES:
        digest.update((PROJECT_ROOT / rel).read_bytes())
    for path in sorted((PROJECT_ROOT / "templates" / TEMPLATES).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    for image in options.seal_images:
        if options.seal and image.is_file():
            digest.update(image.read_bytes())
    edition = ctx.edition
    digest.update(json.dumps({
        "views": views, "extra": extra, "options": repr(options), "cert": repr(edition.certificates),
        "organs": edition.issuing_organs, "round": repr(edition.round), "fonts": repr(edition.fonts),
        "office": repr(edition.office), "created": ctx.source_date.isoformat(),
    }, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


def issue_certificates(ctx: RunContext, awardees: Sequence[Awardee]) -> CertificatesResult:
    """Awardees (姓氏笔画 order: new numbers follow it) in → registry updated, certificates, lists and the verification site written."""
    from pipeline.core import model
    from pipeline.render.fonts import resolve_fonts
    from pipeline.stages import verify

    edition = ctx.edition
    options = certificate_options(edition)
    out = ctx.output / "certificates"
    settings = edition.certificates

    holders = [a.nominee.candidate.id_number for a in awardees]  # skipped awardees are not dropped
    skipped = tuple(a.nominee.candidate.label for a in awardees if not a.nominee.ok)
    for label in skipped:
        ctx.say(f"跳过 {label}：审查有错误，未颁发证书（见 make check 的报告，改正后重新运行）")
    awardees = [a for a in awardees if a.nominee.ok]
    known = privacy.Known.of(a.nominee.candidate for a in awardees)
    awardees = list(privacy.public_awardees(awardees, known, ctx.say))  # no ID, phone or address in public text
    signer = _signer(ctx, options)
    signing.export_public(signer)

    term = signing.term_of(settings.issue_date, settings.term_years)
    db_path = options.registry
    ctx.say(f"登记证书：{db_path}")
    with open_registry(db_path) as reg:
        _refuse_dropped(ctx, options, reg.dropped(edition.round.year, options.registry_edition, holders), db_path)
        result = reg.issue(edition.round.year, edition.round.title, options.registry_edition, _entries(awardees),
                           Numbering(settings.number_prefix, settings.number_format), term, model.today())
        revocations = reg.revocations()
        registered = reg.certificates()  # every round's: the lookup index answers for all of them
    if result.new:
        ctx.say(f"新编号 {len(result.new)} 个：{result.new[0]} … {result.new[-1]}")

    issued: list[IssuedCertificate] = []
    used_names: set[str] = set()
    for a, record in zip(awardees, result.certificates, strict=True):
        c = a.nominee.candidate
        payload = signing.Payload(record.number, c.name, edition.round.year, record.term_start, record.term_end)
        try:
            url = signing.qr_url(settings.verify_base_url, signing.sign(payload, signer))
        except ValueError as exc:
            raise RenderError(str(exc), candidate=c.label,
                              hint="修改名册中的姓名，或 edition.toml 中的 verify_base_url（不能含 #）") from None
        filename = safe_name(f"{record.number}-{c.name}") + ".pdf"
        if filename in used_names:
            filename = safe_name(f"{record.number}-{c.code}") + ".pdf"
        used_names.add(filename)
        issued.append(IssuedCertificate(a, record, payload, url, options.qr_level, child(out / "证书", filename)))

    fonts = resolve_fonts(edition.fonts)
    seals: list[str | None] = [None] * len(edition.issuing_organs)
    if options.seal:
        for i, image in enumerate(options.seal_images[:len(seals)]):
            if image.is_file():
                seals[i] = data_uri(image)  # by content: the PDF's bytes never depend on where the edition is
            else:
                ctx.say(f"提示：已设置使用印章图片，但找不到 {image}，证书上不放该印章（程序从不自行绘制印章）")
    views = [_view(item, options, seals) for item in issued]
    common = _common(ctx, options, fonts)
    subsidy = _subsidy_rows(issued, settings.subsidy_yuan)

    print_file = out / "荣誉证书（全部）.pdf"
    blank_file = out / "套打" / "荣誉证书套打（全部）.pdf" if options.blank.enabled else None
    calibration = out / "套打" / "套打校准页.pdf" if options.blank.enabled else None
    xlsx, subsidy_pdf = out / "颁奖及补贴发放表.xlsx", out / "颁奖及补贴发放表.pdf"
    listing = out / "证书清单.json"
    expected = [print_file, xlsx, subsidy_pdf, listing, *(i.pdf for i in issued)]
    expected += [p for p in (blank_file, calibration) if p is not None]
    key = _input_hash(ctx, options, views, {"subsidy": subsidy, "public": signing.key_id(signer.public)})
    manifest = ctx.work / "certificates" / "manifest.json"
    rendered = True
    if not issued:
        rendered = False
        ctx.say("没有可以颁发证书的获奖者，未生成证书（先运行 make results；有错误的人选改正后重新运行）")
    elif (manifest.is_file() and all(p.is_file() for p in expected)
            and json.loads(manifest.read_text(encoding="utf-8")).get("key") == key):
        rendered = False
        ctx.say("证书未改动，跳过排版")
    else:
        _add_qr_images(options, issued, views)
        _render_all(ctx, options, common, views, issued, print_file, blank_file, calibration)
        _write_subsidy(ctx, common, subsidy, settings.subsidy_yuan, xlsx, subsidy_pdf)
        atomic.write_text(listing, json.dumps({
            "edition": edition.name, "round": edition.round.year, "demo": options.demo,
            "certificates": [{"证书编号": i.record.number, "编号": i.awardee.nominee.candidate.code,
                              "姓名": i.payload.name, "任期": [i.record.term_start.isoformat(),
                                                              i.record.term_end.isoformat()],
                              "二维码": i.url, "文件": f"证书/{i.pdf.name}"} for i in issued],
        }, ensure_ascii=False, indent=2) + "\n")
        _prune(out / "证书", {i.pdf.name for i in issued})
        atomic.write_text(manifest, json.dumps({"key": key}) + "\n")

    site = verify.write_site(ctx, [signing.PublishedKey(signer.public, signer.demo)], signer, revocations, registered)
    privacy.guard([out, site], known, stage="make certificates")  # read back: nothing private published
    ctx.say(f"证书完成：{len(issued)} 份 → {out}；查验网页 → {site}")
    return CertificatesResult(tuple(issued), skipped, result.new, print_file, blank_file, calibration,
                              xlsx, subsidy_pdf, site, rendered, options.demo)


def _refuse_dropped(ctx: RunContext, options: CertificateOptions, dropped: Sequence[Certificate], db: Path) -> None:
    """StageError when valid certificates of the round belong to people no longer among the awardees,
    unless [certificates] keep_valid confirms them: the office revokes or confirms, never silence."""
    for c in dropped:
        if c.number in options.keep_valid:
            ctx.say(f"提示：证书 {c.number}（{c.code} {c.name}）的持有人不在拟表彰人选名单中，"
                    "按 [certificates] keep_valid 保留有效（不再生成其证书文件）")
    left = [c for c in dropped if c.number not in options.keep_valid]
    if not left:
        return
    folder = ctx.edition.path
    where = folder.relative_to(PROJECT_ROOT) if folder.is_relative_to(PROJECT_ROOT) else folder
    who = "、".join(f"{c.number}（{c.code} {c.name}）" for c in left)
    commands = "；".join(f"make registry EDITION={shlex.quote(str(where))} "
                        f"ARGS=\"revoke {c.number} --reason '撤销原因'\"" for c in left)
    numbers = ", ".join(f'"{c.number}"' for c in left)
    raise StageError(
        f"已颁发的 {len(left)} 张证书的持有人已不在拟表彰人选名单（评审结果）中，这些证书仍然有效：{who}",
        hint=f"如确应取消其荣誉，先撤销：{commands}（撤销后重新上传查验网页的 revoked.json 和 lookup.json）；"
             f"如确认保留这些证书有效，在 {folder / 'edition.toml'} 的 [certificates] 中写 keep_valid = [{numbers}]；"
             "如名单改错了，改正后重新运行 make results。然后再运行 make certificates",
        file=str(db))


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove certificates of people no longer among the awardees (rebuildable output only)."""
    if folder.is_dir():
        for path in folder.iterdir():
            if path.suffix == ".pdf" and path.name not in keep:
                path.unlink()


def _add_qr_images(options: CertificateOptions, issued: list[IssuedCertificate], views: list[dict[str, Any]]) -> None:
    """Make each QR code, check its modules are large enough to scan, and add its image to the view."""
    for item, view in zip(issued, views, strict=True):
        symbol = item.symbol
        for size in (options.qr_size_mm, options.blank.qr_size_mm if options.blank.enabled else options.qr_size_mm):
            if symbol.module_mm(size) < qr.MIN_MODULE_MM:
                raise RenderError(
                    f"二维码太密（{symbol.modules} 格，印成 {size:g} 毫米时每格仅 {symbol.module_mm(size):.2f} 毫米），"
                    "手机可能扫不出", candidate=item.awardee.nominee.candidate.label,
                    hint="缩短 edition.toml 中的 verify_base_url，或增大 [certificates] qr_size_mm"
                         "（套打时 [certificates.blank.qr] size_mm）")
        view["qr_image"] = _png_uri(symbol.print_png(max(options.qr_size_mm, options.blank.qr_size_mm)))


def _render_all(ctx: RunContext, options: CertificateOptions, common: dict[str, Any], views: list[dict[str, Any]],
                issued: list[IssuedCertificate], print_file: Path, blank_file: Path | None,
                calibration: Path | None) -> None:
    """One WeasyPrint document (certificates, blank sheets, calibration page) → the files, split by page."""
    from pipeline.render.templating import render

    ctx.say(f"排版证书：{len(views)} 份")
    edition = ctx.edition
    title = f"{edition.round.year}年度“{edition.round.honour}”荣誉证书"
    layout = blank_layout(options.blank) if blank_file is not None else None
    html = render(f"{TEMPLATES}/certificates.html.j2", certs=views, title=title, layout=layout,
                  grid_x=range(0, int(options.page_w) + 1, 5), grid_y=range(0, int(options.page_h) + 1, 5),
                  **common)
    pdf = render_pdf(html, "荣誉证书")
    n = len(views)
    parts: list[tuple[Path, str, list[int]]] = [(print_file, title, list(range(n)))]
    parts += [(item.pdf, f"荣誉证书 {v['number']} {v['name']}", [i]) for i, (item, v) in enumerate(zip(issued, views,
                                                                                                  strict=True))]
    if blank_file is not None and calibration is not None:
        parts += [(blank_file, f"{title}（套打）", list(range(n, 2 * n))), (calibration, "证书套打校准页", [2 * n])]
    expected_pages = 2 * n + 1 if layout is not None else n
    for (target, _, _), data in zip(parts, split_pdf(pdf, [(t, p) for _, t, p in parts], expected_pages),
                                    strict=True):
        atomic.write_bytes(target, data)



def blank_layout(blank: BlankLayout) -> dict[str, Any]:
    """Blank-paper settings in → boxes in mm on the sheet (calibration offsets applied) for the templates."""
    boxes = []
    for key, (label, _) in BLANK_FIELDS.items():
        pos = blank.fields[key]
        lines = 2 if key == "organs" else 1
        height = pos.size_pt * PT_MM * 1.35 * lines
        left = {"left": pos.x, "center": pos.x - pos.width / 2, "right": pos.x - pos.width}[pos.align]
        boxes.append({"key": key, "label": label, "show": pos.show, "align": pos.align, "size_pt": pos.size_pt,
                      "left": left + blank.offset_x_mm, "top": pos.y - height / 2 + blank.offset_y_mm,
                      "width": pos.width, "height": height, "line": height / lines,
                      "x": pos.x + blank.offset_x_mm, "y": pos.y + blank.offset_y_mm, "nx": pos.x, "ny": pos.y})
    half = blank.qr_size_mm / 2
    return {"boxes": boxes, "ox": blank.offset_x_mm, "oy": blank.offset_y_mm,
            "qr": {"left": blank.qr_x - half + blank.offset_x_mm, "top": blank.qr_y - half + blank.offset_y_mm,
                   "size": blank.qr_size_mm, "x": blank.qr_x + blank.offset_x_mm, "y": blank.qr_y + blank.offset_y_mm,
                   "nx": blank.qr_x, "ny": blank.qr_y}}


# ---- 颁奖及补贴发放表 ------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def rmb_upper(amount: float) -> str:
    """An amount in yuan → its financial capital form, e.g. 100500 → '壹拾万零伍佰元整'."""
    yuan, fen = divmod(round(amount * 100), 100)
    if yuan == 0 and fen == 0:
        return "零元整"
    units, groups = ("", "拾", "佰", "仟"), ("", "万", "亿", "万亿")
    digits = str(yuan) if yuan else ""
    text, zero, group_has = "", False, False
    for i, ch in enumerate(digits):
        pos = len(digits) - 1 - i
        if ch == "0":
            zero = True
        else:
            text += ("零" if zero and text else "") + _DIGITS[int(ch)] + units[pos % 4]
            zero, group_has = False, True
        if pos % 4 == 0 and pos > 0:
            text += groups[pos // 4] if group_has else ""
            group_has = False
    if text:
        text += "元"
    jiao, fen = divmod(fen, 10)
    if not jiao and not fen:
        return text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    if fen:
        text += ("零" if text and not jiao else "") + _DIGITS[fen] + "分"
    return text


def _subsidy_rows(issued: list[IssuedCertificate], amount: float) -> list[dict[str, Any]]:
    return [{"序号": i, "姓名": item.payload.name, "单位": item.awardee.nominee.candidate.unit_and_post,
             "证书编号": item.record.number, "金额": amount}
            for i, item in enumerate(issued, start=1)]


def _write_subsidy(ctx: RunContext, common: dict[str, Any], rows: list[dict[str, Any]], amount: float,
                   xlsx: Path, pdf: Path) -> None:
    """Subsidy rows → 颁奖及补贴发放表.xlsx and .pdf."""
    if amount <= 0:
        ctx.say("提示：edition.toml 中 [certificates] subsidy_yuan 未设置，补贴金额一栏留空")
    _write_subsidy_xlsx(ctx, rows, amount, xlsx)
    atomic.write_bytes(pdf, subsidy_pdf(ctx, common, rows, amount))


def subsidy_pdf(ctx: RunContext, common: dict[str, Any], rows: list[dict[str, Any]], amount: float) -> bytes:
    """Subsidy rows → the 颁奖及补贴发放表 PDF (A4 portrait).

    The 发放单位 (the bureau) signs under GB/T 9704 7.3.5.1 with the 颁证日期: the date four
    characters from the right, the organ centred over it, a 45 mm seal space pressing both
    (`sealed_layout`), kept on the page of the last rows and the 合计.
    """
    from pipeline.render.templating import render
    from pipeline.review.notice import sealed_layout

    edition = ctx.edition
    title = f"{edition.round.region}{edition.round.year}年度“{edition.round.honour}”颁奖及补贴发放表"
    total = amount * len(rows)
    organ, date = edition.office.bureau, _cn_date(edition.certificates.issue_date)
    html = render(f"{TEMPLATES}/subsidy.html.j2", title=title, rows=rows, amount=amount, total=total,
                  total_upper=rmb_upper(total), organ=organ, date=date, seal=sealed_layout(organ, date), **common)
    return render_pdf(html, "颁奖及补贴发放表")


SEAL_SPACE_PT = 130
"""Height of the empty space under a 盖章 line: 46 mm, room for a round 42 mm seal."""


def _write_subsidy_xlsx(ctx: RunContext, rows: list[dict[str, Any]], amount: float, xlsx: Path) -> None:
    """颁奖及补贴发放表.xlsx: A4 portrait, amounts and totals on one line, signature and seal space."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    edition = ctx.edition
    title = f"{edition.round.region}{edition.round.year}年度“{edition.round.honour}”颁奖及补贴发放表"
    total = amount * len(rows)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "颁奖及补贴发放表"
    headers = ["序号", "姓名", "工作单位及职务", "证书编号", "补贴金额（元）", "领取人签字", "备注"]
    widths = [6, 10, 30, 17, 14, 14, 8]
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    office.put(ws, 1, 1, title).font = Font(name="黑体", size=15, bold=True)
    ws.cell(1, 1).alignment = center
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    office.put(ws, 2, 1, f"发放单位：{edition.office.bureau}　　　　颁证日期：{_cn_date(edition.certificates.issue_date)}")
    ws.cell(2, 1).font = Font(name="仿宋", size=11)
    ws.cell(2, 1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = office.put(ws, 3, col, header)
        cell.font = Font(name="黑体", size=11, bold=True)
        cell.alignment, cell.border = center, border
        ws.column_dimensions[cell.column_letter].width = width
    for r, row in enumerate(rows, start=4):
        values = [row["序号"], row["姓名"], row["单位"], row["证书编号"], row["金额"] if amount > 0 else None, None, None]
        for col, value in enumerate(values, start=1):
            cell = office.put(ws, r, col, value)
            cell.border = border
            cell.font = Font(name="仿宋", size=11)
            cell.alignment = Alignment(horizontal={3: "left", 5: "right"}.get(col, "center"), vertical="center",
                                       wrap_text=True)
            if col == 5:
                cell.number_format = "#,##0.00"
        ws.row_dimensions[r].height = 30  # room for a signature
    last = 4 + len(rows)
    office.put(ws, last, 1, "合计").alignment = center
    ws.merge_cells(start_row=last, start_column=2, end_row=last, end_column=4)
    office.put(ws, last, 2, f"共 {len(rows)} 人；大写：{rmb_upper(total)}" if amount > 0 else f"共 {len(rows)} 人")
    ws.cell(last, 2).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    office.put(ws, last, 5, total if amount > 0 else None).number_format = "#,##0.00"
    for col in range(1, len(headers) + 1):
        ws.cell(last, col).border = border
        ws.cell(last, col).font = Font(name="黑体", size=11)
    ws.cell(last, 5).alignment = Alignment(horizontal="right", vertical="center")
    ws.row_dimensions[last].height = 30
    office.put(ws, last + 2, 1, "经办人：　　　　　　　　审核人：　　　　　　　　负责人：　　　　　　　　（盖章）")
    ws.cell(last + 2, 1).font = Font(name="仿宋", size=12)
    ws.row_dimensions[last + 3].height = SEAL_SPACE_PT
    ws.print_area = f"A1:G{last + 3}"
    office.print_setup(ws, title_rows="3:3", orientation="portrait")
    office.save_workbook(wb, xlsx, ctx.source_date)


# ---- command line -----------------------------------------------------------------------------


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make certificates`: awardees.json → certificates, registry, lists, verification site; exit 1 if someone was skipped.

    Refuses results older than their inputs (pipeline.stages.awardees); warns when the 公示 is older than the results.
    """
    from pipeline.stages.awardees import load_awardees
    from pipeline.stages.check import run_check
    from pipeline.stages.publicity import notice_staleness

    check = run_check(ctx)
    awardees = load_awardees(ctx, check)
    stale = notice_staleness(ctx, (a.nominee.candidate for a in awardees.awardees))
    if stale:
        ctx.say(f"提示：{stale}")
    return issue_certificates(ctx, awardees.public).exit_code
