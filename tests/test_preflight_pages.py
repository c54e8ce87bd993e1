"""PF_SHORT_PAGE: a page of a packet's 先进事迹材料 that holds only one or two lines of text.

Fixtures are made in code: two packets rendered by WeasyPrint with the installed Noto CJK fonts,
with bookmarks as the real packets have them (封面, 申报审批表, 先进事迹材料, 证明材料) and a
folio "— n —" on every page. The bad one ends its 事迹 with a page holding the single line
"量。"; the good one has a blank page (no text, no folio) at the end of its 事迹, before the
evidence that starts on an odd page, which is left alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.preflight import CODES, Expectations, NomineeText, PreflightReport, inspect
from pipeline.preflight.lines import page_glyphs, rows

EXPECT = Expectations(
    nominees=(
        NomineeText("001", "乌云其其格", (), "加格达奇区人力资源和社会保障局", ()),
        NomineeText("002", "王志刚", (), "大兴安岭林业集团公司", ()),
    ),
    ranking=("王志刚", "乌云其其格"),
)
CSS = """@page { size: A4; margin: 37mm 26mm 35mm 28mm;
  @bottom-right { content: "— " counter(page) " —"; font-size: 14pt } }
@page :blank { @bottom-right { content: none } }
body { font-family: 'Noto Serif CJK SC'; font-size: 16pt; line-height: 10.2272mm }
p { margin: 0; text-indent: 2em }
.bm { bookmark-level: 1; bookmark-label: attr(data-title) }
.page { break-before: page }
.odd { break-before: right }
"""
LINE = "乌云其其格扎根养老护理一线二十年，把每一位老人当作自己的亲人来照顾。"


def packet(target: Path, deeds: str) -> Path:
    """A packet-shaped PDF: cover, form, the 事迹 given as HTML, one evidence sheet on an odd page."""
    import weasyprint

    target.parent.mkdir(parents=True, exist_ok=True)
    body = f"""
      <div class="bm" data-title="封面"></div><p>申报人 {target.stem}</p>
      <div class="bm page" data-title="一、申报审批表"></div><p>申报审批表</p>
      <div class="bm page" data-title="二、先进事迹材料"></div>{deeds}
      <div class="bm odd" data-title="三、证明材料"></div><p>证书</p>"""
    html = f"<html lang='zh-CN'><head><style>{CSS}</style></head><body>{body}</body></html>"
    weasyprint.HTML(string=html).write_pdf(target)
    return target


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("preflight-pages") / "demo"
    full = "".join(f"<p>{LINE}</p>" for _ in range(11))  # 22 lines: one full page
    # 事迹 on pages 3–4: page 4 holds the last line alone; page 5 is the evidence.
    packet(out / "packets/001-乌云其其格-申报材料.pdf", full + "<p>量。</p>")
    # 事迹 on pages 3–5, 3 lines on pages 4 and 5; the evidence starts on the next odd page (7),
    # so the blank page 6 falls in the 事迹's range of the outline.
    packet(out / "packets/002-王志刚-申报材料.pdf",
           full + "<p>新的起点。</p><p>再立新功。</p><p>贡献力量。</p>"
           + "<p class='page'>第二页</p><p>第二行</p><p>第三行</p>")
    return out


@pytest.fixture(scope="module")
def report(output: Path) -> PreflightReport:
    return inspect(output, EXPECT, cache_dir=output / ".work/preflight", order_key=None)


def test_the_fixtures_are_laid_out_as_described(output: Path) -> None:
    bad = page_glyphs(output / "packets/001-乌云其其格-申报材料.pdf")
    assert len(bad) == 5
    assert rows(bad[4]) == ["量。", "—4—"]
    good = page_glyphs(output / "packets/002-王志刚-申报材料.pdf")
    assert len(good) == 7
    assert rows(good[4]) == ["新的起点。", "再立新功。", "贡献力量。", "—4—"]
    assert rows(good[6]) == [], "the page before the evidence is blank, without a folio"


def test_a_page_with_one_line_in_the_deeds_is_found(report: PreflightReport) -> None:
    found = [f for f in report.findings if f.code == "PF_SHORT_PAGE"]
    assert [(f.file, f.page) for f in found] == [("packets/001-乌云其其格-申报材料.pdf", 4)]
    finding = found[0]
    assert finding.data["lines"] == ["量。"]
    assert "第4页" in finding.message and "量。" in finding.message
    assert finding.title == "页面只有寥寥几行" == CODES["PF_SHORT_PAGE"][0]
    assert finding.to_json()["fix"] == CODES["PF_SHORT_PAGE"][1]


def test_three_lines_a_blank_page_and_the_evidence_are_not_findings(report: PreflightReport) -> None:
    assert not [f for f in report.findings if f.file == "packets/002-王志刚-申报材料.pdf"
                and f.code == "PF_SHORT_PAGE"]
    # The evidence sheet holds one line ("证书") but is not part of the 事迹.
    assert not [f for f in report.findings if f.code == "PF_SHORT_PAGE" and f.page == 5]
