"""Issue 11 point 16: long names (a 28-character Latin name, 阿依古丽·买买提) in every public document,
and `make all` going on past a failed document to the stages that do not need it."""

from __future__ import annotations

import argparse
import dataclasses
import io
import re
import types
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from pipeline import cli
from pipeline.core.edition import load_edition
from pipeline.core.errors import ExitCode, RenderError
from pipeline.media import newspaper as np_
from pipeline.media.column import build_feature, feature_layout
from pipeline.media.drawing import CENTRE, CENTRE_MARGIN, cover_name, lower_third, title_safe
from pipeline.media.entries import prepare_entries
from pipeline.media.newmedia import ArticleText, article_html
from pipeline.media.palette import font_info, name_width_mm
from pipeline.media.prepress import press_profile
from pipeline.media.render import MM
from pipeline.media.settings import media_settings
from pipeline.media.text import broadcast_script
from pipeline.render.fonts import resolve_fonts
from tests.media_fixtures import awardee_list, candidate
from tests.test_media import DEMO_TOML, _edition, _fonts, _page_text, _pdftext, _squeeze, _words

LATIN = "Maximilian Alexander Johnson"
"""28 characters, three words."""
UYGHUR = "阿依古丽·买买提"
"""A transliterated name: parts joined by a middle dot."""


def _spaced(text: str) -> str:
    """Extracted text with every run of white space as one space."""
    return re.sub(r"\s+", " ", text)


# ---- the 特刊 card -------------------------------------------------------------------------------

def test_card_name_steps_down_then_wraps_between_words() -> None:
    """On a card of the demo's five-column grid (60 mm of text, a 30 mm photo, 12 pt text), measured
    with the bold 黑体 the page is set in; the planning estimate never makes a name shorter."""
    width = name_width_mm(_fonts(load_edition(DEMO_TOML.parent)))
    short = np_.name_heading("王秀梅", 60, 30, 12, width)
    assert short.lines == ("王秀梅",) and 12 * np_.NAME_FLOOR_EM < short.size <= 12 * np_.NAME_EM
    room = np_.beside_mm(60, 30, 12)
    for name, lines in ((LATIN, ("Maximilian", "Alexander", "Johnson")), (UYGHUR, (UYGHUR,))):
        fit = np_.name_heading(name, 60, 30, 12, width)
        assert fit.lines == lines  # a Latin name broken only between words; 阿依古丽·买买提 whole
        assert fit.size >= 12 * np_.NAME_SMALLEST_EM
        assert all(width(line, fit.size) <= (room if not fit.above else 60) for line in fit.lines)
        assert fit.above == (name == UYGHUR and width(name, fit.size) > room)
        estimate = np_.name_heading(name, 60, 30, 12)  # planning: never cut either
        assert "".join(estimate.lines).replace(" ", "") == name.replace(" ", "")
    # a word too long to stand beside the photo: the name goes above it, across the card, on two lines
    wide = np_.name_heading(LATIN, 52, 30, 13.5, width)
    assert wide.above and wide.lines == ("Maximilian", "Alexander Johnson") and 13.5 <= wide.size <= 13.5 * np_.NAME_FLOOR_EM


def test_special_page_sets_long_names_whole(tmp_path: Path) -> None:
    """Narrow cards (四开, four awardees): the page is made, each name is whole and inside its card."""
    ed = _edition(tmp_path / "ed", subs={'page_size = "对开"': 'page_size = "四开"'})
    s = dataclasses.replace(media_settings(ed), greyscale=False)
    people = [candidate(0, name=LATIN), candidate(1, name=UYGHUR), candidate(2), candidate(3)]
    entries = prepare_entries(awardee_list(tmp_path / "fx", 4, candidates=people))
    plans, colour, _, _ = np_.build_pages(entries, s, _page_text(), _fonts(ed), "2027-01-01T00:00:00+00:00",
                                          tmp_path, press_profile("", ed.path))
    assert LATIN in _spaced(_pdftext(colour)) and UYGHUR in _squeeze(_pdftext(colour))
    words = _words(colour)
    for card in (c for p in plans for c in p.cards if c.entry.name in (LATIN, UYGHUR)):
        f = card.frame
        inside = sorted((round(y0, 1), x0, w) for _, x0, y0, x1, y1, w in words
                        if f.x - 0.3 <= x0 and x1 <= f.x + f.w + 0.3 and f.y - 0.3 <= y0 and y1 <= f.y + f.h + 0.3)
        heading: list[str] = []
        for _, _, w in inside:  # the card opens with the whole name
            if len("".join(heading)) >= len(card.entry.name.replace(" ", "")):
                break
            heading.append(w)
        joint = " " if " " in card.entry.name else ""
        assert joint.join(heading) == card.entry.name, inside[:6]


# ---- 专栏, TV, WeChat ---------------------------------------------------------------------------

def test_feature_name_card_wraps_a_long_name_at_a_readable_size(tmp_path: Path) -> None:
    ed = _edition(tmp_path / "ed")
    s = media_settings(ed)
    entry = prepare_entries(awardee_list(tmp_path / "fx", 1, candidates=[candidate(0, name=LATIN)]))[0]
    f = build_feature(entry, s, _fonts(ed), year=2027, honour="兴安技术能手", final=False,
                      created="2027-01-01T00:00:00+00:00", work=tmp_path, profile=press_profile("", ed.path))
    fl = feature_layout(s, entry, f.headline)
    with pdfplumber.open(io.BytesIO(f.pdf)) as pdf:  # the photo strip on the left, under the header
        strip = [w for w in pdf.pages[0].extract_words(extra_attrs=["size"])
                 if w["x1"] <= fl.strip_mm * MM and w["top"] >= fl.header_mm * MM and w["text"] in LATIN.split()]
    assert " ".join(w["text"] for w in strip) == LATIN
    assert min(w["size"] for w in strip) >= fl.body_pt * 0.9 * 1.1  # larger than the name card's own text


def test_tv_caption_and_share_cover_keep_the_whole_name() -> None:
    fonts = font_info(resolve_fonts(load_edition(DEMO_TOML.parent).fonts))
    room = CENTRE[2] - CENTRE[0] - 2 * CENTRE_MARGIN
    for name in (LATIN, UYGHUR, LATIN + " Smithson"):
        font, lines = cover_name(name, fonts)
        assert "".join(lines).replace(" ", "") == name.replace(" ", "") and len(lines) <= 3
        assert all(font.getlength(line) <= room for line in lines)
        cap = lower_third(name, "塔河林业局 电工班长", "2027年度“兴安技术能手”拟表彰人选", fonts, 5)
        assert " ".join(cap.name_lines) == name or "".join(cap.name_lines) == name
        x0, y0, x1, y1 = title_safe(5)
        with Image.open(io.BytesIO(cap.png)) as im:
            bx0, by0, bx1, by1 = im.getchannel("A").getbbox() or (0, 0, 0, 0)
        assert x0 <= bx0 and y0 <= by0 and bx1 <= x1 and by1 <= y1


def test_broadcast_script_and_article_name_the_whole_name(tmp_path: Path) -> None:
    entries = prepare_entries(awardee_list(tmp_path / "fx", 2, candidates=[candidate(0, name=LATIN),
                                                                             candidate(1, name=UYGHUR)]))
    t = ArticleText("兴安技术能手风采", "2027年度“兴安技术能手”拟表彰人选", "拟表彰", "来源：办公室", "日报", "导语")
    for e in entries:
        script = broadcast_script(e.candidate, e.profile, year=2027, region="大兴安岭地区", honour="兴安技术能手",
                                  final=False, target=150)
        assert script.startswith(e.name + "，") and f"{e.name}被确定为" in script
        html = article_html(e, f"{e.name}：电工的匠心", "——记", t, ("", ""))
        assert f">{e.name}</p>" in html


# ---- make all -------------------------------------------------------------------------------------

def _stage(calls: list[str], name: str, fail: Exception | None = None) -> types.ModuleType:
    """A stand-in stage module whose main records its call (and raises `fail`)."""
    module = types.ModuleType(f"fake.{name}")

    def main(ctx: object, args: object) -> ExitCode:
        calls.append(name)
        if fail is not None:
            raise fail
        return ExitCode.ok

    module.main = main  # type: ignore[attr-defined]
    return module


def test_all_goes_on_to_certificates_when_the_media_kit_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The real publicity stage, its media kit forced to fail; the certificates still run; exit 1 and a
    Chinese summary naming the failed stage, the nominee and the fix."""
    from pipeline.stages import publicity
    from tests.test_publicity import small_round

    ns = small_round(tmp_path, monkeypatch)
    def build_media_kit(ctx: object, check: object, awardees: object) -> ExitCode:
        raise RenderError("特刊（彩色）：文字超出栏位，无法自动排下", hint="在 edition.toml [media] 中调小 font_min_pt",
                          candidate="N01 Maximilian Alexander Johnson")

    monkeypatch.setattr("pipeline.media.build.build_media_kit", build_media_kit)
    calls: list[str] = []
    stages = {n: _stage(calls, n) for n in cli.STAGES}
    stages["publicity"] = publicity
    monkeypatch.setattr(cli, "_module", lambda name: stages[name])
    code = cli._all(ns.ctx, argparse.Namespace(verbose=False))
    err = capsys.readouterr().err
    assert calls == ["announce", "intake", "check", "packets", "shortlist", "scoresheets", "results", "decision",
                     "certificates"]
    assert code == ExitCode.findings
    assert (ns.ctx.output / "publicity" / "公示.pdf").is_file()  # the 公示 made before the kit failed stays
    summary = err[err.index("== 汇总"):]
    assert "未完成：公示和媒体宣传包（make publicity）" in summary
    assert "N01 Maximilian Alexander Johnson" in summary and "font_min_pt" in summary
    assert "已完成：选拔公告和申报材料包、汇总申报材料、审查、申报材料、初审名单、专家评分表、评审结果、请示和表彰决定、证书" in summary


def test_all_skips_only_the_stages_that_need_a_failed_one(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[str] = []
    stages = {n: _stage(calls, n) for n in cli.STAGES}
    stages["shortlist"] = _stage(calls, "shortlist", RenderError("初审.xlsx 无法读取", hint="关闭 Excel 后重试"))
    stages["packets"] = _stage(calls, "packets", ValueError("boom"))
    monkeypatch.setattr(cli, "_module", lambda name: stages[name])
    code = cli._all(types.SimpleNamespace(say=lambda m: None), argparse.Namespace(verbose=False))  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert calls == ["announce", "intake", "check", "packets", "shortlist"]
    assert code == ExitCode.cannot_proceed  # an internal error in packets
    assert "跳过评审结果（results）：它需要的初审名单没有完成。" in err
    assert "已跳过：证书（make certificates）—— 需要先完成评审结果" in err
    assert "内部错误：ValueError: boom" in err and "已完成：选拔公告和申报材料包、汇总申报材料、审查\n" in err
