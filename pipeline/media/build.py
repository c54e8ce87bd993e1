"""Building the kit (`build_media_kit`, the publicity stage's second half): entries from the awardees,
one staging folder per build swapped in whole, each outlet's files and ZIP, the manifest that lets an
unchanged input skip the work. The package docstring (pipeline.media) says what the kit holds."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import atomic
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import ExitCode, PipelineError, RenderError
from pipeline.core.model import CheckResult
from pipeline.core.safepath import child
from pipeline.core.workers import process_pool
from pipeline.media import column, drawing, kit, newmedia, newspaper, prepress
from pipeline.media.entries import MediaEntry, prepare_entries
from pipeline.media.palette import FontInfo, font_info
from pipeline.media.render import release
from pipeline.media.settings import MediaKitSettings, media_settings
from pipeline.media.text import broadcast_script, headline, honour_line
from pipeline.render.fonts import resolve_fonts
from pipeline.rules import privacy
from pipeline.rules.awardees import AwardeeList

MANIFEST_SCHEMA = 1
OUTLETS = ("newspaper", "tv", "newmedia")
"""Folder names of the outlets under output/<edition>/media/."""


@dataclass(frozen=True)
class MediaKit:
    """What build_kit produced."""

    folder: Path
    """output/<edition>/media/."""
    zips: dict[str, Path]
    """ZIP per outlet."""
    warnings: tuple[str, ...]
    """Everything an editor must know (also in the READMEs)."""
    skipped: tuple[str, ...]
    """Awardees left out (no usable photo), as '编号 姓名：reason'."""
    rebuilt: bool
    """False when nothing had changed and no work was done."""


def zip_names(s: MediaKitSettings) -> dict[str, str]:
    """ZIP file name per outlet."""
    return {"newspaper": f"{s.newspaper}-特刊与专栏.zip", "tv": f"{s.tv}-电视字幕与口播稿.zip",
            "newmedia": "新媒体-图文稿.zip"}


def _fingerprint(ctx: RunContext, entries: tuple[MediaEntry, ...], final: bool, s: MediaKitSettings,
                 fonts: FontInfo, profile: bytes) -> str:
    """Hash of everything the kit is made from (text, photos, settings, code, templates, fonts)."""
    digest = hashlib.sha256()
    ed = ctx.edition
    head = {"schema": MANIFEST_SCHEMA, "final": final, "settings": repr(s), "round": repr(ed.round),
            "office": repr(ed.office), "publicity": repr(ed.publicity), "fonts": repr(fonts.files),
            "date": ctx.source_date.isoformat()}
    digest.update(json.dumps(head, ensure_ascii=False, sort_keys=True).encode())
    digest.update(profile)
    for e in entries:
        digest.update(repr((e.seq, e.name, e.unit, e.occupation, e.candidate.code, e.profile, e.deeds, e.notes)).encode())
        digest.update(e.photo.read_bytes())
    code = (sorted((PROJECT_ROOT / "pipeline" / "media").glob("*.py")) + [PROJECT_ROOT / "pipeline" / "render" / "wordbreak.py"]
            + sorted((PROJECT_ROOT / "templates" / "media").glob("*")))
    for path in code:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def build_media_kit(ctx: RunContext, check: CheckResult, awardees: AwardeeList) -> ExitCode:
    """Proposed awardees → the media kit under output/<edition>/media/; findings exit code when someone was left out."""
    result = build_kit(ctx, awardees, privacy.Known.of(n.candidate for n in check.nominees))
    return ExitCode.findings if result.skipped else ExitCode.ok


def build_kit(ctx: RunContext, awardees: AwardeeList, known: privacy.Known | None = None) -> MediaKit:
    """Proposed awardees (and every nominee's registered numbers) → MediaKit (writes output/<edition>/media/
    and its ZIPs); RenderError, nothing published, when a private detail survives in a file."""
    ed = ctx.edition
    s = media_settings(ed)
    fonts = font_info(resolve_fonts(ed.fonts))
    usable, skipped = [], []
    for a in awardees.public:
        photo = a.nominee.photo
        if photo is None or not photo.is_file():
            skipped.append(f"{a.nominee.candidate.label}：没有合格的标准照片")
            ctx.say(f"媒体稿件：跳过 {a.nominee.candidate.label}（没有合格的标准照片，请先改正照片并运行 make check）")
            continue
        usable.append(a)
    if not usable:
        raise RenderError("没有可制作媒体稿件的拟表彰人选", hint="先运行 make results，并确保人选的照片合格")
    entries = prepare_entries(AwardeeList(awardees.final, tuple(usable)), known)
    final = awardees.final
    folder = ctx.output / "media"
    names = zip_names(s)
    manifest = ctx.work / "media" / "manifest.json"
    profile = prepress.press_profile(s.pdfx_profile, ed.path)
    key = _fingerprint(ctx, entries, final, s, fonts, profile.data)
    expected = [folder / n for n in names.values()] + [folder / o / "README.txt" for o in OUTLETS]
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    if old.get("key") == key and all(p.is_file() for p in expected):
        ctx.say("媒体稿件：内容未改动，沿用上次结果")
        return MediaKit(folder, {o: folder / names[o] for o in OUTLETS}, tuple(old.get("warnings", [])),
                        tuple(skipped), False)

    ctx.say(f"媒体稿件：为 {len(entries)} 名{'' if final else '拟表彰'}人选制作报纸、电视、新媒体稿件")
    started = time.time() - 2  # the CMYK conversions made or used from now on are kept (file times: 2 s of slack)
    release()  # what the stage laid out before (the 公示)
    staging = ctx.output / ".media.staging"
    work = ctx.work / "media"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(work / "grey", ignore_errors=True)
    staging.mkdir(parents=True)
    work.mkdir(parents=True, exist_ok=True)
    try:
        warnings: list[str] = [f"未收入：{x}" for x in skipped]
        for e in entries:
            warnings += [f"{e.name}：{n}" for n in e.notes]

        paper_notes = _newspaper(ctx, entries, final, s, fonts, staging / "newspaper", work, profile)
        tv_notes = _tv(ctx, entries, final, s, fonts, staging / "tv")
        web_notes = _newmedia(ctx, entries, final, s, fonts, staging / "newmedia")
        outlet_notes = {"newspaper": warnings + paper_notes, "tv": warnings + tv_notes, "newmedia": warnings + web_notes}
        for outlet in OUTLETS:
            readme = staging / outlet / "README.txt"
            readme.write_bytes(kit.text_file(_readme(outlet, ctx, entries, final, s, staging / outlet,
                                                     outlet_notes[outlet])))
        for outlet in OUTLETS:
            top = names[outlet].removesuffix(".zip")
            (staging / names[outlet]).write_bytes(kit.zip_folder(staging / outlet, top, ctx.source_date))
        mine = privacy.Known.of(a.nominee.candidate for a in usable)
        privacy.guard([staging], mine + (known or privacy.Known()), stage="make publicity",
                      shown=lambda p: folder / p.relative_to(staging))

        old_folder = ctx.output / ".media.old"
        shutil.rmtree(old_folder, ignore_errors=True)
        if folder.exists():
            folder.replace(old_folder)
        staging.replace(folder)
        shutil.rmtree(old_folder, ignore_errors=True)
        prepress.prune_cache(work / "cmyk", started)
    except Exception as exc:
        # nothing half-made stays behind, and a kit of an earlier list is not left to look current
        shutil.rmtree(staging, ignore_errors=True)
        stale = folder.exists()
        shutil.rmtree(folder, ignore_errors=True)
        manifest.unlink(missing_ok=True)
        if stale and isinstance(exc, PipelineError):
            exc.hint = (exc.hint + "；" if exc.hint else "") + f"上次生成的媒体宣传包 {folder} 与当前名单或设置不符，已删除，以免误发"
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    all_warnings = sorted(set(warnings + paper_notes + tv_notes + web_notes), key=(warnings + paper_notes + tv_notes + web_notes).index)
    atomic.write_text(manifest, json.dumps({"key": key, "warnings": all_warnings}, ensure_ascii=False, indent=1) + "\n")
    for w in paper_notes:
        ctx.say(f"  注意：{w}")
    ctx.say(f"媒体稿件完成：{folder}")
    return MediaKit(folder, {o: folder / names[o] for o in OUTLETS}, tuple(all_warnings), tuple(skipped), True)


def _cn_date(ctx: RunContext, weekday: bool = False) -> str:
    """The publicity start date → "2027年5月10日" (the date the media run the series), "… 星期一" with weekday."""
    d = ctx.edition.publicity.start
    day = f"{d.year}年{d.month}月{d.day}日"
    return day + "　星期" + "一二三四五六日"[d.weekday()] if weekday else day


def _intro(ctx: RunContext, count: int, final: bool, s: MediaKitSettings) -> str:
    """Edition and count → the introduction (编者按) text, or the edition's own [media] intro."""
    if s.intro:
        return s.intro
    r = ctx.edition.round
    verb = "被评为" if final else "拟表彰为"
    return (f"为大力弘扬劳模精神、劳动精神、工匠精神，激励广大职工走技能成才、技能报国之路，{r.region}开展"
            f"{r.year}年度“{r.honour}”选树活动。经单位推荐、个人自荐，资格审查、专家评审等程序，"
            f"{count}名技能人才{verb}“{r.honour}”。他们扎根一线、精益求精，是全区技能人才的优秀代表。")


def _newspaper(ctx: RunContext, entries: tuple[MediaEntry, ...], final: bool, s: MediaKitSettings,
               fonts: FontInfo, out: Path, work: Path, profile: prepress.PressProfile) -> list[str]:
    """特刊, 专栏, photos → out/; returns notes for the README."""
    r = ctx.edition.round
    created = ctx.source_date.isoformat()
    status = "" if final else "拟表彰"
    text = newspaper.PageText(
        title="兴安技术能手风采", year=f"{r.year}年度",
        subtitle=f"{r.region}{r.year}年度“{r.honour}”{'' if final else '拟表彰人选'}巡礼",
        intro=_intro(ctx, len(entries), final, s), dateline=f"{s.newspaper} · 特刊 · {_cn_date(ctx)}",
        footer=f"本版稿件由{ctx.edition.office.name}提供", status=status, date=_cn_date(ctx, weekday=True))
    ctx.say("  报纸特刊排版…")
    plans, colour, grey = newspaper.build_pages(entries, s, text, fonts, created, work, profile)[:3]
    release()  # the special page's layouts, before the feature workers are forked from this process
    notes = newspaper.dpi_warnings(plans, s.min_dpi)
    out.mkdir(parents=True, exist_ok=True)
    (out / "特刊-彩色.pdf").write_bytes(colour)
    if grey is not None:
        (out / "特刊-黑白.pdf").write_bytes(grey)
    for plan in plans:
        (out / f"特刊-校样-第{plan.number}版.png").write_bytes(newspaper.proof_png(colour, plan.number, s))
    for name, data in (("特刊-彩色.pdf", colour), ("特刊-黑白.pdf", grey)):
        if data is not None and (problems := prepress.press_problems(data, s.ink_limit_percent)):
            raise RenderError(f"{name} 未通过印前自检：" + "；".join(problems[:5]), hint="请联系技术人员")
    notes.append(_press_note(s, profile))
    ctx.say("  专栏稿排版…")
    features = out / "专栏"
    features.mkdir()
    jobs = [(e, s, fonts, r.year, r.honour, final, created, work, profile) for e in entries]
    if ctx.workers > 1 and len(jobs) > 2:
        with process_pool(min(ctx.workers, len(jobs))) as pool:
            built = list(pool.map(_feature_job, jobs))
    else:
        built = [_feature_job(job) for job in jobs]
    for e, f in zip(entries, built, strict=True):
        if problems := prepress.press_problems(f.pdf, s.ink_limit_percent):
            raise RenderError(f"专栏稿 {e.stem}.pdf 未通过印前自检：" + "；".join(problems[:5]), hint="请联系技术人员")
        child(features, f"{e.stem}.pdf").write_bytes(f.pdf)
        child(features, f"{e.stem}-校样.png").write_bytes(newspaper.proof_png(f.pdf, 1, s, trim=False))
        full = [f.headline, f"——记{e.unit.replace(' ', '')}{e.name}", s.byline, ""] + list(e.deeds or (e.profile,))
        child(features, f"{e.stem}-全文.txt").write_bytes(kit.text_file("\n\n".join(full) + "\n"))
        if f.note:
            notes.append(f.note)
    photos = out / "照片"
    photos.mkdir()
    for e in entries:
        shutil.copyfile(e.photo, child(photos, f"{e.stem}.jpg"))
    return notes


def _feature_job(job: tuple[MediaEntry, MediaKitSettings, FontInfo, int, str, bool, str, Path,
                             prepress.PressProfile]) -> column.Feature:
    """Worker: one 专栏 feature (picklable arguments in, Feature out)."""
    e, s, fonts, year, honour, final, created, work, profile = job
    feature = column.build_feature(e, s, fonts, year=year, honour=honour, final=final, created=created, work=work,
                                   profile=profile)
    release()  # its layouts, before the next feature
    return feature


def _press_note(s: MediaKitSettings, profile: prepress.PressProfile) -> str:
    """What the print files are made for (README note for the plant)."""
    source = ("默认使用 Debian ghostscript 软件包所带、可自由分发的 Artifex CMYK（SWOP）输出特性文件；"
              "印刷厂提供其 ICC 特性文件后，填入 edition.toml [media] pdfx_profile 重新生成即可"
              if profile.default else f"按印刷厂提供的特性文件 {profile.path.name} 制作")
    return (f"印刷文件为 {s.pdfx}，输出意图“{profile.description}”（{source}）。所有文字为 100% 单黑（只在黑版上），"
            f"图片为 CMYK，总墨量不超过 {s.ink_limit_percent:g}%；特刊和专栏稿均已通过印前自检。")


def _tv(ctx: RunContext, entries: tuple[MediaEntry, ...], final: bool, s: MediaKitSettings, fonts: FontInfo,
        out: Path) -> list[str]:
    """Lower thirds and 口播稿 → out/; returns notes."""
    r = ctx.edition.round
    ctx.say("  电视字幕和口播稿…")
    (out / "字幕").mkdir(parents=True)
    (out / "口播稿").mkdir()
    honour = honour_line(r.year, r.honour, final)
    scripts = []
    for e in entries:
        cap = drawing.lower_third(e.name, e.unit, honour, fonts, s.title_safe_percent)
        child(out / "字幕", f"{e.stem}.png").write_bytes(cap.png)
        script = broadcast_script(e.candidate, e.profile, year=r.year, region=r.region, honour=r.honour,
                                  final=final, target=s.broadcast_chars)
        child(out / "口播稿", f"{e.stem}.txt").write_bytes(kit.text_file(script + "\n"))
        scripts.append(f"{e.seq}. {e.name}（{len(script)}字）\n{script}\n")
    head = f"{r.region}{r.year}年度“{r.honour}”{'' if final else '拟表彰人选'}口播稿（共{len(entries)}篇）\n\n"
    (out / "口播稿-全部.txt").write_bytes(kit.text_file(head + "\n".join(scripts)))
    return []


def _newmedia(ctx: RunContext, entries: tuple[MediaEntry, ...], final: bool, s: MediaKitSettings, fonts: FontInfo,
              out: Path) -> list[str]:
    """Articles, index, images, covers → out/; returns notes."""
    r = ctx.edition.round
    ctx.say("  新媒体图文…")
    images = out / "images"
    images.mkdir(parents=True)
    honour = honour_line(r.year, r.honour, final)
    status = "" if final else "拟表彰"
    t = newmedia.ArticleText(
        series="兴安技术能手风采", honour=honour, status=status,
        source=f"来源：{ctx.edition.office.name}",
        dateline=f"{s.newspaper} · {s.tv} · {_cn_date(ctx)}",
        intro=_intro(ctx, len(entries), final, s))
    titles = {e.seq: headline(s.headline, e.candidate, r.year, r.honour) for e in entries}
    for i, e in enumerate(entries):
        shutil.copyfile(e.photo, images / f"{e.slug}.jpg")
        (images / f"{e.slug}-cover.png").write_bytes(
            drawing.cover_image(e.photo, e.name, honour.removesuffix("拟表彰人选"), "拟表彰人选" if status else "", fonts))
        prev = f"{entries[i - 1].slug}.html" if i > 0 else ""
        nxt = f"{entries[i + 1].slug}.html" if i + 1 < len(entries) else ""
        subtitle = f"——记{e.unit.replace(' ', '')}{e.name}"
        (out / f"{e.slug}.html").write_bytes(newmedia.article_html(e, titles[e.seq], subtitle, t, (prev, nxt)).encode())
    (images / "cover.png").write_bytes(drawing.series_cover(
        [e.photo for e in entries], "兴安技术能手风采", honour.removesuffix("拟表彰人选"),
        "拟表彰人选" if status else "", fonts))
    (out / "index.html").write_bytes(newmedia.index_html(entries, titles, t).encode())
    return []


def _readme(outlet: str, ctx: RunContext, entries: tuple[MediaEntry, ...], final: bool, s: MediaKitSettings,
            folder: Path, notes: list[str]) -> str:
    """README.txt of one outlet, listing every file in it."""
    r = ctx.edition.round
    status = "本稿件所列人员为拟表彰人选，名单最终确定前，刊播时请保留“拟表彰”字样。" if not final else \
        "名单已最终确定。"
    who = "、".join(e.name for e in entries)
    intro = [f"{r.region}{r.year}年度“{r.honour}”媒体宣传稿件（{ {'newspaper': s.newspaper, 'tv': s.tv, 'newmedia': '新媒体'}[outlet] }）",
             f"共 {len(entries)} 人：{who}。", status,
             "稿件中不含身份证号码、电话号码和住址。",
             f"提供单位：{ctx.edition.office.name}。"]
    what = {
        "特刊-彩色.pdf": f"特刊整版，{s.page_size}（{s.page_mm[0]:g}×{s.page_mm[1]:g} 毫米），{s.pdfx}，四色（CMYK），"
                        f"出血 {s.bleed_mm:g} 毫米，带裁切线，字体全部嵌入",
        "特刊-黑白.pdf": f"特刊整版，{s.pdfx}，单黑版（照片为灰度图，颜色为黑版网点），版式与彩色版相同",
        "index.html": "目录页（新媒体合集）",
        "口播稿-全部.txt": "全部口播稿合在一个文件中",
    }
    files: list[tuple[str, str]] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        name = path.name
        if name in what:
            desc = what[name]
        elif name.startswith("特刊-校样"):
            desc = f"特刊校样图（{s.proof_dpi} dpi，仅供审看，不可用于印刷）"
        elif rel.startswith("专栏/") and name.endswith("-全文.txt"):
            desc = "专栏稿全文（版面排不下时可据此调整）"
        elif rel.startswith("专栏/") and name.endswith("-校样.png"):
            desc = "专栏稿校样图"
        elif rel.startswith("专栏/"):
            desc = f"专栏稿（版面 {s.slot_mm[0]:g}×{s.slot_mm[1]:g} 毫米，可直接置入版面）"
        elif rel.startswith("照片/"):
            desc = "标准照片（2寸，300 dpi）"
        elif rel.startswith("字幕/"):
            desc = "下三分之一字幕条，1920×1080 透明 PNG，位于字幕安全区内"
        elif rel.startswith("口播稿/"):
            desc = f"口播稿（约 {s.broadcast_chars} 字）"
        elif rel.endswith("-cover.png"):
            desc = "分享封面图（900×383）"
        elif rel == "images/cover.png":
            desc = "合集封面图（900×383）"
        elif rel.startswith("images/"):
            desc = "文章配图（照片）"
        elif rel.endswith(".html"):
            desc = "单篇文章（手机阅读；样式全部写在标签内，可整体复制到公众号编辑器）"
        else:
            desc = ""
        files.append((rel, desc))
    files.append(("README.txt", "本说明"))
    usage = {
        "newspaper": ["特刊和专栏稿为 PDF/X 印刷文件，可直接交印刷厂；校样图仅供审看。专栏稿按版面尺寸制作，可直接置入版面；"
                      "“本报记者 ××”处请填写记者姓名；报眉中的版次、责任编辑、美术编辑可在 edition.toml [media] 的 "
                      "page_number、editor、art_editor 中填写后重新生成。"],
        "tv": ["字幕条为透明背景 PNG，叠加在画面上即可；口播稿供播音员使用。"],
        "newmedia": ["用浏览器打开 index.html 预览。发布到公众号时，复制文章正文到编辑器，并上传 images/ 中对应的图片；封面图用于分享。"],
    }[outlet]
    title = {"newspaper": f"{s.newspaper} 兴安技术能手风采 特刊与专栏",
             "tv": f"{s.tv} 兴安技术能手 字幕与口播稿",
             "newmedia": "新媒体 兴安技术能手风采 图文稿"}[outlet]
    return kit.readme_text(title, intro + usage, files, notes)
