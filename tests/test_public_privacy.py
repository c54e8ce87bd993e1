"""Personal data never reaches a public file (issue 11, point 4): redacted before rendering, read back after.

A demo-like round whose first awardee wrote their own phone and ID number (dotted, slashed, in
Chinese numerals), another nominee's phone and a home address into the 先进事迹, the 简要事迹, the
unit and the trade. The 公示, the media kit (特刊, 专栏, WeChat articles, 口播稿, the ZIPs) and the
certificates with the verification site are built for real, and their text is extracted with tools
independent of pipeline.rules.privacy (pdftotext, openpyxl, the ZIP members read directly).
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.core.context import RunContext
from pipeline.core.errors import ExitCode, RenderError
from pipeline.core.model import Candidate, CheckResult, Materials, Nominee
from pipeline.rules import privacy
from pipeline.rules.awardees import Awardee, AwardeeList
from pipeline.rules.privacy import REDACTED, Known, redact
from pipeline.stages.results import ReviewResults
from tests import media_fixtures, review_fixtures

OWN_PHONE, OWN_ID = "19789416742", "232721199011060777"
"""The leaking awardee's own registered numbers (written as 197.8941.6742 and 232721.19901106.0777)."""
OTHER_PHONE = "16937476525"
"""Another nominee's registered phone (written as 169/3747/6525)."""
NOBODYS = "19235552699"
"""A mobile of nobody on record (written as 一九二三五五五二六九九)."""
LEAKS = ("197.8941.6742", "169/3747/6525", "一九二三五五五二六九九", "232721.19901106.0777")
ADDRESSES = ("十八站乡鄂伦春民族村三组", "光明路88号")
DEEDS = (
    "{name}同志先进事迹材料\n"
    "他的手机197.8941.6742，也可以拨打169/3747/6525找到他。\n"
    "身份证号码232721.19901106.0777，家里电话一九二三五五五二六九九。\n"
    "他家住塔河县十八站乡鄂伦春民族村三组，住址：加格达奇区光明路88号。\n"
    "2019年他完成技术革新12项，节约成本120万元，编号XA2024-001的项目于2019.05.12通过验收，带徒28名。\n"
)
KEPT = ("2019年", "120万元", "XA2024-001", "2019.05.12", "带徒28名")
"""Numbers of the same deeds that are not private and must survive."""


def _squeeze(text: str) -> str:
    """Text without whitespace and number separators, Chinese numerals read as digits."""
    table = str.maketrans("〇零一二三四五六七八九", "00123456789")
    return re.sub(r"[\s.．/／\-－_·]", "", text.translate(table))


def _assert_clean(texts: dict[str, str]) -> None:
    """No leaked number (in any form) and no address in any of the texts."""
    assert texts
    for where, text in texts.items():
        flat = _squeeze(text)
        for secret in (OWN_PHONE, OWN_ID, OTHER_PHONE, NOBODYS, *ADDRESSES):
            assert secret not in flat, (where, secret)


def _pdftext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def _text_of(name: str, data: bytes) -> str:
    """The text of one written file, extracted without pipeline.rules.privacy."""
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        return _pdftext(data)
    if suffix == ".xlsx":
        wb = load_workbook(io.BytesIO(data))
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                         if v is not None)
    if suffix == ".docx":
        from docx import Document

        doc = Document(io.BytesIO(data))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    if suffix in {".html", ".txt", ".json", ".js", ".css", ".pem"}:
        return data.decode("utf-8-sig")
    return ""


def _texts(folder: Path) -> dict[str, str]:
    """Every file under folder (and every member of its ZIPs) → its text."""
    out: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    out[f"{path.name}:{member}"] = _text_of(member, archive.read(member))
        else:
            out[str(path.relative_to(folder))] = _text_of(path.name, path.read_bytes())
    return out


# ---- the redactor ----------------------------------------------------------------------------

KNOWN = Known.of([media_fixtures.candidate(0, phone=OWN_PHONE, id_number=OWN_ID),
                  media_fixtures.candidate(1, phone="0457-2123456")])


@pytest.mark.parametrize("text", [
    *LEAKS, "１９７．８９４１．６７４２", "197 8941 6742", "197-8941-6742", "197. 8941/6742", "1 9 7 8 9 4 1 6 7 4 2",
    "幺九七 八九四幺 六七四二", "+86 197 8941 6742", "２３２７２１１９９０１１０６０７７７", "232721 1990 1106 0777",
    "二三二七二一一九九〇一一〇六〇七七七", "二三二七二一 一九九零一一零六 零七七七",
    "139 0457 1234", "13904571234", "110105194912310020", "11010519491231002x", "110105491231002",
    "〇四五七—二一二三四五六",                          # the second nominee's landline, in numerals
])
def test_every_written_form_of_a_number_is_redacted(text: str) -> None:
    result = redact(f"联系方式{text}。", KNOWN)
    assert result.text == f"联系方式{REDACTED}。", text
    assert result.removed


@pytest.mark.parametrize(("text", "public"), [
    ("他家住塔河县十八站乡鄂伦春民族村三组，常年坚守。", f"他家住{REDACTED}，常年坚守。"),
    ("住址：加格达奇区光明路88号。", f"住址：{REDACTED}。"),
    ("现住加格达奇区光明小区3号楼2单元501室", f"现住{REDACTED}"),
    ("居住在新林区翠岗林场", f"居住在{REDACTED}"),
    ("家庭住址 漠河市北极村", f"家庭住址 {REDACTED}"),
    ("他在光明路12号3单元401室开了维修点", f"他在光明路{REDACTED}开了维修点"),
])
def test_home_addresses_are_redacted(text: str, public: str) -> None:
    assert redact(text).text == public


@pytest.mark.parametrize("text", [
    "2019年完成技改，节约成本120万元，带徒28名，年产值1.35亿元。",
    "编号XA2024-001，项目XATN-2027-003，标准GB/T 9704-2012，型号KV13904571234。",
    "2019.05.12通过验收；1998.7—2005.12在林场工作；2019-05-12；2019/05/12。",
    "2019 2020 2021 2022年连续四年获奖，IP 192.168.100.101，电压10.5 kV。",
    "第13、15、17、19、21届竞赛，序号1 2 3 4 5 6 7 8 9 10。",
    "二〇一九年五月，获“五一劳动奖章”，三十余人，零下四十度，一一对应。",
    "防火期他都吃住在前线营地。现住院治疗期间仍坚持工作。住址不详。",
    "共 20190512 20200613 两个批次。",
    "10 20 30 … 170 180 190 200 210 220 230 240 250（套打校准页的毫米刻度）；130 140 150 160",
    "十八站林业局三组技术员",
])
def test_ordinary_numbers_and_words_are_kept(text: str) -> None:
    assert redact(text, KNOWN) == privacy.Redacted(text, ())


def test_the_office_landline_is_public_but_a_nominees_is_not() -> None:
    office = "联系电话：0457-2756328"
    assert privacy.scan_text(office) == []
    assert redact("座机0457-2756328").text == f"座机{REDACTED}"            # in a nominee's own text
    assert privacy.scan_text("联系电话：0457 212 3456", KNOWN)          # the second nominee's, registered


@pytest.mark.parametrize("landline", ["(0457)2756328", "（0457）275 6328", "0457 275 6328", "+86 457 2756328",
                                      "021-62345678"])
def test_a_landline_in_any_usual_form_is_redacted_from_nominee_text(landline: str) -> None:
    # phonenumbers' matcher (pipeline.rules.phones) with the shape of 0 + area code + number
    assert redact(f"座机{landline}，欢迎来电").text == f"座机{REDACTED}，欢迎来电", landline
    assert privacy.scan_text(f"联系电话：{landline}") == []   # the office's own contact line stays public


def test_public_candidate_names_the_field_and_the_roster_row() -> None:
    c = media_fixtures.candidate(0, unit_and_post="塔河林业局 电工班长（手机197.8941.6742）", occupation="电工")
    public, removals = privacy.public_candidate(c, KNOWN)
    assert public.unit_and_post == f"塔河林业局 电工班长（手机{REDACTED}）"
    assert public.id_number == c.id_number and public.occupation == "电工"
    assert [r.column for r in removals] == ["工作单位及职务"]
    assert removals[0].note(c.row) == (f"名册第{c.row}行“工作单位及职务”中有手机号码，公开文件中已以“（略）”代替"
                                       "（请在名册中删去后重新运行）")


# ---- a round built for real ------------------------------------------------------------------


def _leaky(c: Candidate) -> Candidate:
    return dataclasses.replace(
        c, phone=OWN_PHONE, id_number=OWN_ID, unit_and_post=c.unit_and_post + "（电话197.8941.6742）",
        occupation="电工（住址：加格达奇区光明路88号）",
        summary="身份证232721.19901106.0777，家住塔河县十八站乡鄂伦春民族村三组。" + c.summary)


@dataclasses.dataclass
class Built:
    root: Path
    output: Path
    check: CheckResult
    awardees: AwardeeList


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """One awardee leaking in every public field and the 先进事迹, another nominee, the media kit and certificates built."""
    from pipeline.media.build import build_media_kit
    from pipeline.stages.certificates import issue_certificates
    from tests.test_certificates import make_edition

    root = tmp_path_factory.mktemp("leaky")
    people = [_leaky(media_fixtures.candidate(0))]
    awardees = media_fixtures.awardee_list(root / "fx", 1, candidates=people)
    deeds = awardees.awardees[0].nominee.materials.deeds
    assert deeds is not None
    deeds.write_text(DEEDS.format(name=people[0].name), encoding="utf-8")
    other = Nominee(media_fixtures.candidate(2, phone=OTHER_PHONE), awardees.awardees[0].nominee.materials, (), None)
    check = CheckResult((*(a.nominee for a in awardees.awardees), other), (), root / "report.json")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("state", "keys", "output"):
            mp.setenv(f"XN_{name.upper()}", str(root / name))
        ctx = review_fixtures.context(make_edition(root / "ed"))
        assert build_media_kit(ctx, check, awardees) == ExitCode.ok
        issue_certificates(ctx, awardees.awardees)
        yield Built(root, ctx.output, check, awardees)


def test_media_kit_shows_no_private_detail(built: Built) -> None:
    media = built.output / "media"
    texts = _texts(media)
    assert sum(".zip:" in k for k in texts) > 10  # the ZIPs' members are read too
    _assert_clean(texts)
    name = built.awardees.awardees[0].nominee.candidate.name
    full = next(t for k, t in texts.items() if k.startswith("newspaper/专栏/") and name in k and k.endswith("全文.txt"))
    assert REDACTED in full and "家住（略）" in full
    for kept in KEPT:
        assert kept in full, kept
    assert REDACTED in texts["newmedia/a01.html"]
    readme = texts["newspaper/README.txt"]
    assert "先进事迹材料中的手机号码、身份证号码、地址已删去" in readme
    assert "工作单位及职务中的手机号码已删去" in readme


def test_certificates_and_site_show_no_private_detail(built: Built) -> None:
    texts = _texts(built.output / "certificates") | _texts(built.output / "verify")
    _assert_clean(texts)
    rows = load_workbook(built.output / "certificates" / "颁奖及补贴发放表.xlsx").worksheets[0]
    units = [r[2] for r in rows.iter_rows(min_row=4, values_only=True) if r[1]]
    assert any(str(u).endswith(f"（电话{REDACTED}）") for u in units), units
    listing = json.loads((built.output / "certificates" / "证书清单.json").read_text(encoding="utf-8"))
    assert len(listing["certificates"]) == 1


def test_notice_shows_no_private_detail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, results, awardees = _small_round(tmp_path, monkeypatch)
    from pipeline.stages.publicity import build_publicity_notice

    files = build_publicity_notice(ctx, results, awardees)
    texts = {p.name: _text_of(p.name, p.read_bytes()) for p in files.all()}
    _assert_clean(texts)
    for name, text in texts.items():
        flat = re.sub(r"\s+", "", text)
        assert f"（电话{REDACTED}）" in flat and f"电工（住址：{REDACTED}）" in flat, (name, flat)


def _small_round(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[RunContext, ReviewResults, AwardeeList]:
    """Four nominees, the first leaking in its unit and trade, all selected."""
    from pipeline.stages.awardees import load_awardees
    from pipeline.stages.results import build_results

    for module in ("shortlist", "results"):  # their PDFs are not looked at here
        monkeypatch.setattr(f"pipeline.stages.{module}.html_to_pdf", review_fixtures.blank_pdf)
    nominees = list(review_fixtures.check_result(4).nominees)
    nominees[0] = dataclasses.replace(nominees[0], candidate=_leaky(nominees[0].candidate))
    result = CheckResult(tuple(nominees), (), Path("report.json"))
    review_fixtures.patch_check(monkeypatch, result)
    folder = review_fixtures.make_edition(tmp_path)
    (folder / "calendar.toml").write_text(review_fixtures.CAL_2027, encoding="utf-8")
    ctx = review_fixtures.context(folder)
    from pipeline.stages.shortlist import preliminary_path, write_preliminary_sheet

    write_preliminary_sheet(ctx, result, preliminary_path(ctx))
    review_fixtures.fill_preliminary(preliminary_path(ctx), review_fixtures.pass_first(4))
    review_fixtures.return_sheets(ctx, review_fixtures.round_scores)
    results = build_results(ctx)
    return ctx, results, load_awardees(ctx, results.check)


# ---- a surviving number fails the stage ------------------------------------------------------


@pytest.fixture
def no_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """A redactor that misses everything: only the read-back can stop the leak."""
    monkeypatch.setattr(privacy, "redact", lambda text, known=(): privacy.Redacted(text, ()))


def test_a_surviving_number_fails_the_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             no_redaction: None) -> None:
    ctx, results, awardees = _small_round(tmp_path, monkeypatch)
    from pipeline.stages.publicity import build_publicity_notice

    with pytest.raises(RenderError) as err:
        build_publicity_notice(ctx, results, awardees)
    message = str(err.value)
    assert err.value.exit_code == ExitCode.findings
    assert awardees.awardees[0].nominee.candidate.label in message or "N01" in message
    assert "公开文件中仍有个人信息" in message and "公示" in message and "make publicity" in message
    assert "197*" in message and OWN_PHONE not in message                     # the number is masked
    assert not list((ctx.output / "publicity").glob("公示.*"))


def test_a_surviving_number_fails_the_media_kit_and_certificates(built: Built, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  no_redaction: None) -> None:
    from pipeline.media.build import build_media_kit
    from pipeline.stages.certificates import issue_certificates
    from tests.test_certificates import make_edition

    for name in ("state", "keys", "output"):
        monkeypatch.setenv(f"XN_{name.upper()}", str(tmp_path / name))
    ctx = review_fixtures.context(make_edition(tmp_path / "ed"))
    one = AwardeeList(False, built.awardees.awardees[:1])
    label = one.awardees[0].nominee.candidate.label
    with pytest.raises(RenderError) as err:
        build_media_kit(ctx, built.check, one)
    assert label in str(err.value) and "make publicity" in str(err.value)
    assert str(ctx.output / "media") in err.value.file and ".staging" not in err.value.file
    assert not (ctx.output / "media").exists() and not (ctx.output / ".media.staging").exists()

    with pytest.raises(RenderError) as err:
        issue_certificates(ctx, list(one.awardees))
    assert label in str(err.value) and "make certificates" in str(err.value)
    assert err.value.exit_code == ExitCode.findings
    assert not (ctx.output / "certificates" / "颁奖及补贴发放表.xlsx").exists()


def test_guard_reads_zip_members_once_and_removes_the_offender(tmp_path: Path) -> None:
    kit = tmp_path / "kit.zip"
    with zipfile.ZipFile(kit, "w") as archive:
        archive.writestr("kit/a.txt", "电话 一九七 八九四一 六七四二")
        archive.writestr("kit/b.txt", "2019年 120万元")
    (tmp_path / "b.txt").write_text("2019年 120万元", encoding="utf-8")
    owner = media_fixtures.candidate(0, phone=OWN_PHONE)
    with pytest.raises(RenderError, match="kit.zip 中的 kit/a.txt：手机号码") as err:
        privacy.guard([tmp_path], Known.of([owner]), stage="make publicity")
    assert err.value.candidate == owner.label
    assert not kit.exists() and (tmp_path / "b.txt").exists()


def test_registered_numbers_are_found_in_awardee_lists() -> None:
    """public_awardees leaves clean awardees as they are (same objects) and says each change."""
    clean = Awardee(1, 90.0, Nominee(media_fixtures.candidate(3), Materials(Path("/nonexistent"), None, None, ()), (),
                                     None))
    leaky = dataclasses.replace(clean, nominee=dataclasses.replace(
        clean.nominee, candidate=dataclasses.replace(clean.nominee.candidate, occupation="电工 13904571234")))
    said: list[str] = []
    out = privacy.public_awardees([clean, leaky], (), said.append)
    assert out[0] is clean and out[1].nominee.candidate.occupation == f"电工 {REDACTED}"
    assert said == [f"提示：【{leaky.nominee.candidate.label}】名册第{leaky.nominee.candidate.row}行“职业（工种）”"
                    f"中有手机号码，公开文件中已以“（略）”代替（请在名册中删去后重新运行）"]

