"""`make announce`: the 选拔公告 (PDF, DOCX, web page, WeChat article) says this edition's dates,
conditions and contact, in order, the same in every rendition; a changed date rebuilds it."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.announce.call import (
    CONDITIONS,
    EXCLUSIONS,
    announce_settings,
    build_call,
    span,
    wechat_html,
)
from pipeline.core.context import RunContext
from pipeline.core.edition import Edition, Phase, load_edition
from pipeline.core.errors import EditionConfigError, ExitCode
from pipeline.gongwen import Document, Heading, Para
from tests.conftest import DEMO, MISTAKES

# ---- the Document (no rendering) ----------------------------------------------------------------


def _texts(doc: Document) -> list[str]:
    return [b.text for b in doc.body if isinstance(b, Heading | Para)]


def _edition(folder: Path, replace: dict[str, str] | None = None, extra: str = "") -> Edition:
    """The demo edition.toml copied into `folder`, with text replaced and lines added at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (DEMO / "edition.toml").read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / "edition.toml").write_text(text + extra, encoding="utf-8")
    return load_edition(folder)


def test_call_says_this_editions_numbers_and_dates_in_order(edition: Edition) -> None:
    doc = build_call(edition)
    text = "\n".join(_texts(doc))
    assert doc.title == "关于开展大兴安岭地区2027年度“兴安技术能手”选树推荐工作的公告"
    assert doc.organs == ("大兴安岭地区人力资源和社会保障局", "大兴安岭地区总工会")
    assert doc.date == dt.date(2027, 1, 8) and doc.public
    assert "2024" not in text and "2023年3月以后" in text
    order = [
        "《大兴安岭地区2027年度选树“兴安技术能手”实施方案》（大署人社联〔2027〕2号）",
        "“兴安技术能手”20名以内", "按2：1比例确定，参选人数最多为40人",
        "二、选拔范围", "三、选拔条件", "距法定退休年龄3年以上", "以2027年3月19日为计算基准日",
        *(f"{i}.{c}" for i, c in enumerate(CONDITIONS, start=1)),
        "不得参加“兴安技术能手”的评选",
        *(f"{i}.{c}" for i, c in enumerate(EXCLUSIONS, start=1)),
        "四、选拔程序", "1.发布公告（2027年1月8日至2月9日）", "2.组织申报（2027年2月19日至3月19日）",
        "3.择优推荐（2027年3月19日至4月11日）", "4.进行初审（2027年4月11日至4月21日）",
        "5.专家评审（2027年4月22日至4月30日）", "公示期为5个工作日",
        "五、申报材料", "先进事迹材料（2000字左右）", "近4年", "背景为红色，35×49毫米", "一式五份",
        "六、报送方式", "2027年4月11日前", "zhinengke@dxal.example.cn",
        "七、申报材料包", "申报审批表（空白）.docx", "推荐人选名册.xlsx", "材料清单与目录结构.pdf", "照片要求.pdf",
        "八、联系方式", "联系人：马卉", "0457-2756328", "特此公告。",
    ]
    at = 0
    for piece in order:
        found = text.find(piece, at)
        assert found >= 0, f"{piece!r} missing or out of order after {text[at - 30:at]!r}"
        at = found + len(piece)


def test_call_is_parametrised_from_the_edition(tmp_path: Path) -> None:
    ed = _edition(tmp_path / "ed", {
        "year = 2027": "year = 2030", "title = \"大兴安岭地区2027年度“兴安技术能手”选树\"": "",
        "reference_date = 2027-03-19": "reference_date = 2030-03-20",
        "basis_title = \"关于印发《大兴安岭地区2027年度": "basis_title = \"关于印发《大兴安岭地区2030年度",
        "大署人社联〔2027〕2号": "大署人社联〔2030〕1号",
        "announce      = [2027-01-08, 2027-02-09]": "announce      = [2029-12-28, 2030-02-09]",
        "apply         = [2027-02-19, 2027-03-19]": "apply         = [2030-02-20, 2030-03-20]",
        "min_years_to_retirement = 3": "min_years_to_retirement = 5",
        "evidence_years = 4": "evidence_years = 3", "quota = 20": "quota = 15", "copies = 5": "copies = 3",
        "deeds_target_chars = 2000": "deeds_target_chars = 2500",
        "# place = \"……\"": "place = \"地区人社局三楼职业能力建设科\"",
        "# deadline = 2027-04-11": "deadline = 2030-04-15",
    })
    doc = build_call(ed)
    text = "\n".join(_texts(doc))
    assert doc.title == "关于开展大兴安岭地区2030年度“兴安技术能手”选树推荐工作的公告"
    assert "《大兴安岭地区2030年度选树“兴安技术能手”实施方案》（大署人社联〔2030〕1号）" in text
    assert "1.发布公告（2029年12月28日至2030年2月9日）" in text   # two years: both written
    assert "2.组织申报（2030年2月20日至3月20日）" in text
    assert "距法定退休年龄5年以上" in text and "以2030年3月20日为计算基准日" in text
    assert "近3年（2027年3月以后）" in text
    assert "15名以内" in text and "参选人数最多为30人" in text and "一式三份" in text
    assert "先进事迹材料（2500字左右）" in text
    assert "请各推荐单位于2030年4月15日前" in text and "报送至地区人社局三楼职业能力建设科" in text
    assert "2027年1月" not in text and "2027年2月" not in text and "2024" not in text
    assert doc.date == dt.date(2029, 12, 28)


def test_announce_settings_defaults_and_checks(tmp_path: Path) -> None:
    s = announce_settings(load_edition(MISTAKES))   # an edition without [announce]
    assert s.email == "" and s.sealed and s.deadline == dt.date(2027, 4, 11)
    assert s.place.startswith("大兴安岭地区“兴安技术能手”选树工作领导小组办公室（设在")
    no_mail = "\n".join(_texts(build_call(load_edition(MISTAKES))))
    assert "U盘或光盘" in no_mail and "电子邮箱" not in no_mail
    for line, key in (('email = "not-an-address"', "email"), ('place = ""', "place"),
                      ("deadline = 2026-12-01", "deadline"), ('sealed = "yes"', "sealed")):
        folder = tmp_path / key
        with pytest.raises(EditionConfigError, match=rf"\[announce\] {key}"):
            announce_settings(_edition(folder, {'email = "zhinengke@dxal.example.cn"': line}))
    ok = announce_settings(_edition(tmp_path / "ok", {"# deadline = 2027-04-11": "deadline = 2027-04-20",
                                                      "# sealed = true": "sealed = false"}))
    assert ok.deadline == dt.date(2027, 4, 20) and not ok.sealed


def test_span() -> None:
    assert span(Phase(dt.date(2027, 3, 19), dt.date(2027, 3, 19))) == "2027年3月19日"
    assert span(Phase(dt.date(2027, 3, 9), dt.date(2027, 4, 1))) == "2027年3月9日至4月1日"


def test_wechat_article_is_self_contained(edition: Edition) -> None:
    doc = build_call(edition)
    page = wechat_html(doc)
    assert "<style" not in page and "class=" not in page and "<script" not in page
    assert not re.search(r"(src|href)\s*=", page), "no images, links or stylesheets"
    assert not re.search(r"https?:|//[a-z]", page.replace("http-equiv", ""))
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert f"<h1 style=\"margin:0 0 8px;font-size:24px;line-height:1.4;color:#1b1b1b;font-weight:bold;\">{doc.title}</h1>" in page
    plain = re.sub(r"<[^>]+>", "", page)
    for text in _texts(doc):
        assert text in plain
    assert plain.rstrip().count("2027年1月8日") >= 2   # dateline and the date under the 署名


# ---- the stage (rendered) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """One run of the stage on a copy of the demo edition."""

    ctx: RunContext
    folder: Path
    doc: Document
    code: ExitCode


def _run(ctx: RunContext) -> ExitCode:
    from pipeline.stages import announce

    return announce.main(ctx, argparse.Namespace(verbose=False))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    base = tmp_path_factory.mktemp("announce")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(base / "output"))
        ed = _edition(base / "demo")
        ctx = RunContext(ed, quiet=True)
        code = _run(ctx)
        yield Built(ctx, ed.output / "announce", build_call(ed), code)


def _pdf_text(path: Path) -> str:
    """The PDF's text without white space and page numbers (“—3—”), so paragraphs run across pages."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", out))


def test_stage_writes_every_rendition(built: Built) -> None:
    assert built.code == ExitCode.ok
    for name in ("选拔公告.pdf", "选拔公告.docx", "选拔公告.html", "选拔公告-微信.html"):
        assert (built.folder / name).is_file(), name


def test_pdf_says_the_paragraphs_in_order(built: Built) -> None:
    text = _pdf_text(built.folder / "选拔公告.pdf").replace("“", "").replace("”", "")
    at = 0
    for piece in [built.doc.title, *_texts(built.doc)]:
        probe = re.sub(r"\s+", "", piece).replace("“", "").replace("”", "")
        found = text.find(probe, at)
        assert found >= 0, f"{piece!r} missing or out of order"
        at = found + len(probe)
    signature = text[at:]   # organs side by side, a long one on two lines: pdftotext interleaves them
    for organ in built.doc.organs:
        head, cut, tail = organ.partition("地区")
        assert organ in signature or (head + cut in signature and tail in signature), (organ, signature)
    assert signature.endswith("2027年1月8日")


def test_docx_has_the_same_paragraphs(built: Built) -> None:
    import docx

    paragraphs = [p.text.strip() for p in docx.Document(str(built.folder / "选拔公告.docx")).paragraphs if p.text.strip()]
    wanted = _texts(built.doc)
    got = [p for p in paragraphs if p in wanted]
    assert got == wanted
    assert "".join(paragraphs).replace(" ", "").find("2027年1月8日") > 0


def test_web_page_shows_the_title_in_chromium(built: Built) -> None:
    from tests import chromium

    if chromium.chromium() is None:
        pytest.skip("chromium is not installed")
    with chromium.serve(built.folder) as base:
        dom = chromium.dump_dom(base + "%E9%80%89%E6%8B%94%E5%85%AC%E5%91%8A.html")
    plain = re.sub(r"<[^>]+>", "", dom)
    assert built.doc.title in plain.replace("\n", "")
    assert "1.发布公告（2027年1月8日至2月9日）" in plain


def test_second_run_leaves_the_files_and_a_changed_date_rebuilds(tmp_path: Path) -> None:
    from pipeline.core.stamps import read_stamp

    ed = _edition(tmp_path / "ed")
    ctx = RunContext(ed, quiet=True)
    assert _run(ctx) == ExitCode.ok
    pdf = ed.output / "announce" / "选拔公告.pdf"
    before = pdf.stat().st_mtime_ns
    assert _run(ctx) == ExitCode.ok
    assert pdf.stat().st_mtime_ns == before
    moved = _edition(tmp_path / "ed", {"apply         = [2027-02-19, 2027-03-19]":
                                       "apply         = [2027-02-22, 2027-03-22]"})
    ctx = RunContext(moved, quiet=True)
    assert _run(ctx) == ExitCode.ok
    assert pdf.stat().st_mtime_ns != before
    assert "2.组织申报（2027年2月22日至3月22日）" in _pdf_text(pdf)
    assert read_stamp(ctx, "announce") is not None


def test_failed_run_removes_the_old_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.core.stamps import read_stamp
    from pipeline.gongwen import render

    ed = _edition(tmp_path / "ed")
    ctx = RunContext(ed, quiet=True)
    folder = ed.output / "announce"
    folder.mkdir(parents=True)
    for name in ("选拔公告.pdf", "选拔公告.docx", "选拔公告.html", "选拔公告-微信.html"):
        (folder / name).write_text("old", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> tuple[Path, ...]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "write_all", broken)
    with pytest.raises(OSError):
        _run(ctx)
    assert not any((folder / n).exists() for n in ("选拔公告.pdf", "选拔公告.docx", "选拔公告.html", "选拔公告-微信.html"))
    assert read_stamp(ctx, "announce") is None


def test_copy_of_demo_is_what_the_tests_use() -> None:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed by these tests"


def test_call_names_the_files_of_the_kit_and_survives_a_failed_kit(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from pipeline.announce import kit
    from pipeline.core.errors import StageError
    from pipeline.gongwen import render

    ed = _edition(tmp_path / "ed")
    ctx = RunContext(ed, quiet=True)
    made: list[Document] = []

    def fake_write_all(ctx: RunContext, doc: Document, folder: Path, stem: str, *, html: bool = False) -> tuple[Path, ...]:
        made.append(doc)
        page = folder / f"{stem}.html"   # a stand-in: no PDF or DOCX (the privacy guard reads what is returned)
        page.write_text("\n".join(_texts(doc)), encoding="utf-8")
        return (page,)

    def zip_kit(ctx: RunContext, folder: Path) -> tuple[Path, ...]:
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(folder / "申报材料包.zip", "w") as z:
            for name in ("说明.txt", "推荐人选名册.xlsx", "照片要求.pdf"):
                z.writestr(f"申报材料包/{name}", "x")
        return (folder / "申报材料包.zip",)

    def broken_kit(ctx: RunContext, folder: Path) -> tuple[Path, ...]:
        raise StageError("申报材料包未能生成", hint="测试")

    monkeypatch.setattr(render, "write_all", fake_write_all)
    monkeypatch.setattr(kit, "build_kit", zip_kit)
    assert _run(ctx) == ExitCode.ok
    assert "内含说明.txt、推荐人选名册.xlsx、照片要求.pdf。" in "\n".join(_texts(made[-1]))
    monkeypatch.setattr(kit, "build_kit", broken_kit)
    with pytest.raises(StageError, match="申报材料包未能生成"):
        _run(ctx)
    assert len(made) == 2 and "内含说明.txt、申报审批表（空白）.docx、" in "\n".join(_texts(made[-1]))
    assert (ed.output / "announce" / "选拔公告-微信.html").is_file()
