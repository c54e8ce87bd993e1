"""`make decision`: the 请示 to the 地区人才工作小组 and the 表彰决定, gated on the 公示 and its objections."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.core.context import RunContext
from pipeline.core.edition import load_edition
from pipeline.core.errors import EditionConfigError, ExitCode
from pipeline.core.model import CheckResult
from pipeline.review.objections import objection_path, read_objections, write_objection_sheet
from pipeline.rules.privacy import extract_text
from pipeline.rules.strokes import in_stroke_order
from pipeline.rules.workdays import Period
from pipeline.stages import decision, publicity
from pipeline.stages.awardees import load_awardees
from pipeline.stages.results import build_results
from tests.review_fixtures import (
    CAL_2027,
    DEMO,
    check_result,
    context,
    fill_preliminary,
    make_edition,
    pass_first,
    patch_check,
    return_sheets,
    skip_pdfs,
)

WHEN = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def scores(expert: str, code: str, j: int) -> int:
    """N02 李秀兰 ranks first, N01 王建国 second, N04, N03 (so rank order is not stroke order)."""
    return {"N02": 95, "N01": 90, "N04": 80, "N03": 70}[code] - j


def text(path: Path) -> str:
    """A PDF's or DOCX's text without white space."""
    return "".join(extract_text(path.name, path.read_bytes()).split())


@dataclass
class Built:
    """A 4-nominee round (2 selected) through the 公示 and `make decision`."""

    edition: Path
    output: Path
    check: CheckResult
    code: ExitCode
    texts: dict[str, str]

    def ctx(self, mp: pytest.MonkeyPatch) -> RunContext:
        """A context on the round, with the fake check result and blank review PDFs in place."""
        mp.setenv("XN_OUTPUT", str(self.output.parent))
        patch_check(mp, self.check)
        skip_pdfs(mp)
        return context(self.edition)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    base = tmp_path_factory.mktemp("decision")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XN_OUTPUT", str(base / "output"))
        result = check_result(4)
        patch_check(mp, result)
        skip_pdfs(mp)
        folder = make_edition(base)
        (folder / "calendar.toml").write_text(CAL_2027, encoding="utf-8")
        ctx = context(folder)
        from pipeline.stages.shortlist import preliminary_path, write_preliminary_sheet

        write_preliminary_sheet(ctx, result, preliminary_path(ctx))
        fill_preliminary(preliminary_path(ctx), pass_first(4))
        return_sheets(ctx, scores)
        results = build_results(ctx)
        publicity.build_publicity_notice(ctx, results, load_awardees(ctx, results.check))   # the 公示, no media kit
        code = decision.main(ctx, argparse.Namespace())
        out = ctx.output / "decision"
        texts = {p.name: text(p) for p in sorted(out.iterdir()) if p.suffix in (".pdf", ".docx")}
        yield Built(folder, ctx.output, result, code, texts)


def test_both_documents_are_made(built: Built) -> None:
    assert built.code == ExitCode.ok
    assert set(built.texts) == {"提请审议的请示.pdf", "提请审议的请示.docx", "表彰决定.pdf", "表彰决定.docx"}
    blank = built.output / "decision" / "公示异议登记表（空白）.xlsx"
    found, problems = read_objections(blank, blank.name, {}, ())
    assert found == () and problems == []


@pytest.mark.parametrize("ext", ["pdf", "docx"])
def test_the_decision_says_who_for_how_long_and_when(built: Built, ext: str) -> None:
    t = built.texts[f"表彰决定.{ext}"]
    assert "关于表彰大兴安岭地区2027年度“兴安技术能手”的决定" in t
    assert "大署人社发〔2027〕15号" in t
    assert "决定授予王建国等2名同志大兴安岭地区2027年度“兴安技术能手”称号" in t
    assert "任期3年，自本决定印发之日起计算（2027年5月20日至2030年5月19日）" in t
    assert "每人发放补贴5000元" in t and "工匠精神" in t
    assert "2027年5月10日至2027年5月14日在媒体进行公示，公示期满无异议" in t
    assert "全区共推荐候选人4名" in t and "2027年5月20日" in t
    assert "大兴安岭地区人力资源和社会保障局" in t and "大兴安岭地区总工会" in t
    assert "抄送：" in t and "地委宣传部" in t and "印发" in t
    # the 附件: names in 姓氏笔画 order (王 4 strokes before 李 7), though 李秀兰 ranked first, with units
    attachment = t[t.rindex("名单"):]
    assert attachment.index("王建国") < attachment.index("李秀兰")
    assert "塔河林业局专业森林消防大队中队长" in attachment
    for not_awarded in ("张志强", "刘海燕"):
        assert not_awarded not in t


@pytest.mark.parametrize("ext", ["pdf", "docx"])
def test_the_request_asks_the_talent_group_to_approve(built: Built, ext: str) -> None:
    t = built.texts[f"提请审议的请示.{ext}"]
    assert "关于提请审议大兴安岭地区2027年度“兴安技术能手”拟表彰人选的请示" in t
    assert "地区人才工作小组：" in t and "妥否，请批示。" in t
    assert "大署人社呈〔2027〕6号" in t and "刘长海" in t
    assert "经领导小组办公室资格审查，领导小组确定提名人选4名" in t
    assert "联系人：马卉" in t and "2027年5月6日" in t
    table = t[t.rindex("拟表彰人选名单"):]
    assert table.index("王建国") < table.index("李秀兰")
    assert "森林消防员" in table and "电力线路工" in table


def _decision_files(ctx: RunContext) -> list[bool]:
    return [p.is_file() for p in decision.decision_paths(ctx)]


def _objection(ctx: RunContext, rows: Sequence[Sequence[object]]) -> None:
    write_objection_sheet(objection_path(ctx.edition.review_dir), "测试", rows, WHEN)


def test_objections_gate_the_decision(built: Built, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """An open objection removes the old 表彰决定 and names the person; 不成立 lets it through again;
    an upheld one about a person still listed blocks it."""
    ctx = built.ctx(monkeypatch)
    try:
        assert _decision_files(ctx) == [True, True]
        _objection(ctx, [("2027-05-11", "匿名", "N02", "李秀兰", "反映成果非本人完成", "核查中", "")])
        assert decision.main(ctx, argparse.Namespace()) == ExitCode.findings
        err = capsys.readouterr().err
        assert "N02 李秀兰" in err and "尚未核查完毕" in err and "核查后在“核查结论”填写" in err
        assert _decision_files(ctx) == [False, False]
        assert all(p.is_file() for p in decision.request_paths(ctx))   # the 请示 is still made

        _objection(ctx, [("2027-05-11", "匿名", "Ｎ02", "", "反映成果非本人完成", "不成立", "经核实不属实")])
        assert decision.main(ctx, argparse.Namespace()) == ExitCode.ok
        assert _decision_files(ctx) == [True, True]

        _objection(ctx, [("2027-05-11", "张三", "", "王建国", "反映材料造假", "成立", "")])
        assert decision.main(ctx, argparse.Namespace()) == ExitCode.findings
        err = capsys.readouterr().err
        assert "N01 王建国" in err and "核查成立" in err and "make results" in err
        assert _decision_files(ctx) == [False, False]
    finally:
        objection_path(ctx.edition.review_dir).unlink(missing_ok=True)


def test_no_decision_before_the_period_ends(built: Built, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    ctx = built.ctx(monkeypatch)
    edition = ctx.edition
    raw = {**edition.raw, "decision": {**edition.raw["decision"], "date": dt.date(2027, 5, 13)}}
    early = RunContext(dataclasses.replace(
        edition, raw=raw, certificates=dataclasses.replace(edition.certificates, issue_date=dt.date(2027, 5, 13))),
        quiet=True)
    assert decision.main(early, argparse.Namespace()) == ExitCode.findings
    err = capsys.readouterr().err
    assert "公示期为2027年5月10日至2027年5月14日" in err
    assert "表彰决定最早可于2027年5月17日印发" in err   # the Monday after the period
    assert _decision_files(ctx) == [False, False]


# ---- settings and the objection record, without rendering ------------------------------------------

@pytest.mark.parametrize(("changes", "words"), [
    ({"issue_date = 2027-05-20": "issue_date = 2027-05-19"}, "证书颁发日期 issue_date（2027-05-19）早于表彰决定"),
    ({"request_date = 2027-05-06": "request_date = 2027-05-21"}, "request_date（2027-05-21）晚于"),
    ({"# printed_on = 2027-05-20": "printed_on = 2027-05-19"}, "印发日期 printed_on"),
    ({"copy_to = [": "copy_to = 3 #"}, "[decision] copy_to"),
])
def test_wrong_settings_are_refused_on_load(tmp_path: Path, changes: dict[str, str], words: str) -> None:
    from pipeline.cli import load_checked

    folder = make_edition(tmp_path, changes)
    with pytest.raises(EditionConfigError) as err:
        load_checked(folder, "check")
    assert words in str(err.value) and "edition.toml" in str(err.value) + (err.value.hint or "")


def test_editions_without_a_decision_table_use_defaults(tmp_path: Path) -> None:
    from pipeline.core.edition import PROJECT_ROOT

    for name in ("mistakes", "stress"):
        s = decision.decision_settings(load_edition(PROJECT_ROOT / "input" / "examples" / name))
        assert s.date == dt.date(2027, 5, 20) and s.request_date == dt.date(2027, 5, 1)
        assert s.mark == "大兴安岭地区人力资源和社会保障局文件" and s.number == ""


def test_the_demo_objection_record_is_checked_and_unfounded() -> None:
    from pipeline.core.edition import PROJECT_ROOT

    path = objection_path(PROJECT_ROOT / "input" / "demo" / "review")
    found, problems = read_objections(path, "review/公示异议.xlsx", {"002": "孟淑英"}, ("002",))
    assert problems == [] and [(o.code, o.name, o.conclusion) for o in found] == [("002", "孟淑英", "不成立")]


def test_objection_records_name_the_row_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "公示异议.xlsx"
    names = {"001": "王建国", "002": "李秀兰", "003": "王建国"}
    write_objection_sheet(path, "测试", [
        ("2027-05-11", "匿名", "009", "赵六", "…", "不成立", ""),
        ("2027-05-11", "匿名", "1", "李秀兰", "…", "不成立", ""),
        ("2027-05-11", "匿名", "", "王建国", "…", "不成立", ""),
        ("2027-05-12", "匿名", "002", "李秀兰", "…", "待定", ""),
        ("2027-05-12", "匿名", "002", "李秀兰", "…", "", ""),
        ("2027-05-12", "匿名", "003", "", "…", "成立", ""),   # no longer listed: does not block
    ], WHEN)
    found, problems = read_objections(path, "review/公示异议.xlsx", names, ("001", "002"))
    assert len(found) == 6
    got = [(p.code, p.cell) for p in problems]
    assert got == [("OBJECTION_PERSON", "D4"), ("OBJECTION_PERSON", "D5"), ("OBJECTION_PERSON", "D6"),
                   ("OBJECTION_VALUE", "G7"), ("OBJECTION_OPEN", "G8")]
    assert "不在名册中" in problems[0].message and "在名册中是王建国" in problems[1].message
    assert "名册中有 2 人名叫王建国" in problems[2].message
    assert "002 李秀兰" in problems[4].message and "第 8 行" in problems[4].message


def test_names_in_the_documents_follow_stroke_order() -> None:
    """The Document model itself: the 附件 rows are in 姓氏笔画 order, whatever the ranking."""
    from pipeline.rules.awardees import Awardee
    from tests.review_fixtures import nominee

    people = tuple(Awardee(i, 90.0 - i, nominee(k)) for i, k in enumerate((1, 0, 3), start=1))  # 李 王 刘
    edition = load_edition(DEMO)
    period = Period(dt.date(2027, 5, 10), dt.date(2027, 5, 14), ())
    doc = decision.build_decision(edition, people, period, nominated=10, shortlisted=6)
    rows = doc.attachments[0].blocks[0].rows   # type: ignore[union-attr]
    names = [r[1] for r in rows]
    assert names == list(in_stroke_order(names, str)) == ["王建国", "刘海燕", "李秀兰"]
    assert doc.number == "大署人社发〔2027〕15号" and doc.date == dt.date(2027, 5, 20)
    assert doc.organs == ("大兴安岭地区人力资源和社会保障局", "大兴安岭地区总工会")
    request = decision.build_request(edition, people, nominated=10, shortlisted=6)
    assert request.signer == "刘长海" and request.addressee == "地区人才工作小组："
    assert request.body[-1].text == "妥否，请批示。"   # type: ignore[union-attr]
