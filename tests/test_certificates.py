"""Certificates end to end: render → rasterise → decode the QR (zxing-cpp) → verify; numbers; lists; modes.

One edition is issued once per module (`world`); tests that change the registry work on a
copy of its database, tests that render again use their own output folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter
from pypdf import PdfReader

from pipeline.certificates import settings as certificate_settings
from pipeline.core import model, signing
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.core.errors import ExitCode, RenderError
from pipeline.core.model import Candidate, CheckResult, Materials, Nominee, YearMonth
from pipeline.core.stamps import write_stamp
from pipeline.registry.store import open_registry, registry_path
from pipeline.render import qr, raster
from pipeline.rules.awardees import Awardee
from pipeline.stages import certificates, results, verify
from pipeline.stages.awardees import save_awardees
from pipeline.stages.certificates import CertificatesResult, issue_certificates
from tests.conftest import DEMO, make_id

NAMES = ("王建国", "李秀兰", "欧阳振华", "阿依古丽·买买提", "张<script>{{x}}&")
PHONES = tuple(f"139045700{i:02d}" for i in range(1, 30))


# ---- helpers other test modules use too ------------------------------------------------------


def make_edition(folder: Path, certificate_lines: str = "demo = true", extra: str = "") -> Path:
    """An edition folder with the demo's edition.toml plus lines in [certificates] (and extra tables)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (DEMO / "edition.toml").read_text(encoding="utf-8")
    text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("demo = ")) + "\n"
    text = text.replace("[certificates]\n", f"[certificates]\n{certificate_lines}\n", 1) + "\n" + extra
    (folder / "edition.toml").write_text(text, encoding="utf-8")
    return folder


def make_awardees(edition: Path, names: Sequence[str] = NAMES, first: int = 1,
                  errors: Sequence[str] = ()) -> list[Awardee]:
    """Awardees in rank order with valid, distinct ID numbers; names in `errors` carry an error finding."""
    out = []
    for offset, name in enumerate(names):
        i = first + offset
        c = Candidate(
            code=f"{i:03d}", name=name, gender="男", birth=YearMonth(1980, 1), native_place="黑龙江塔河",
            ethnicity="汉族", political_status="群众", education="大专", work_start=YearMonth(1999, 7),
            professional_title="", skill_level="高级技师", unit_and_post=f"塔河林业局 第{i}电工班 班长",
            occupation="电工", id_number=make_id("19800115", seq=f"{i:02d}"), phone=PHONES[i],
            recommender="塔河林业局", nomination="单位推荐", retirement_category=None, conditions=(1,),
            exclusion="", resume="", summary="", row=i + 1)
        findings: tuple[model.Finding, ...] = ()
        if name in errors:
            findings = (model.Finding("PHOTO_MISSING", model.Severity.error, "缺少照片", "补交照片", c.code, name),)
        out.append(Awardee(i, 90.0 - i, Nominee(c, Materials(edition / "candidates" / c.code, None, None, ()),
                                                  findings, None)))
    return out


def skip_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue without typesetting (tests of numbers and the registry, not of the documents)."""
    monkeypatch.setattr(certificates, "_render_all", lambda *args, **kwargs: None)
    monkeypatch.setattr(certificates, "_write_subsidy", lambda *args, **kwargs: None)


def context(edition: Path) -> RunContext:
    """A quiet run context for the edition folder."""
    return RunContext(load_edition(edition), quiet=True)


def rasterise(pdf: Path, dpi: int, page: int = 1) -> Image.Image:
    """One page of a PDF → an RGB image (pipeline.render.raster)."""
    return raster.page(pdf, page, dpi=dpi)


def phone_photo(image: Image.Image, seed: int = 7) -> Image.Image:
    """A degraded 'phone photo': perspective, uneven light, noise, blur, JPEG at quality 60."""
    import cv2

    arr = np.asarray(image, dtype=np.float32)
    h, w = arr.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = np.array([[w * 0.08, h * 0.05], [w * 0.97, 0], [w, h * 0.98], [w * 0.02, h * 0.94]], dtype=np.float32)
    warped = cv2.warpPerspective(arr, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=(80, 70, 60))
    light = (0.72 + 0.28 * np.mgrid[0:h, 0:w][1] / w)[..., None]
    noisy = warped * light + np.random.default_rng(seed).normal(0, 6, warped.shape)
    blurred = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    blurred.save(buffer, "JPEG", quality=60)
    return Image.open(io.BytesIO(buffer.getvalue()))


def listing(result: CertificatesResult) -> dict[str, str]:
    """Name → certificate number, from 证书清单.json."""
    data = json.loads((result.print_file.parent / "证书清单.json").read_text(encoding="utf-8"))
    return {c["姓名"]: c["证书编号"] for c in data["certificates"]}


@dataclasses.dataclass
class World:
    """One issued edition shared by a module's tests."""

    edition: Path
    state: Path
    keys: Path
    output: Path
    result: CertificatesResult


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Five awardees (one with a hostile name) issued with the demo key into a fresh registry."""
    root = tmp_path_factory.mktemp("world")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("state", "keys", "output"):
            mp.setenv(f"XN_{name.upper()}", str(root / name))
        edition = make_edition(root / "ed")
        result = issue_certificates(context(edition), make_awardees(edition))
    yield World(edition, root / "state", root / "keys", root / "output", result)


@pytest.fixture
def env(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _isolated_output: None) -> World:
    """This test's own copy of the world's registry; the world's keys; a fresh output folder."""
    state = tmp_path / "state"
    shutil.copytree(world.state, state)
    monkeypatch.setenv("XN_STATE", str(state))
    monkeypatch.setenv("XN_KEYS", str(world.keys))
    return dataclasses.replace(world, state=state)


@pytest.fixture
def own(env: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """The world's keys with an empty registry of this test's own: for tests that issue to other people
    (issuing only some of the world's awardees would drop the others, which `certificates` refuses)."""
    state = tmp_path / "own-state"
    monkeypatch.setenv("XN_STATE", str(state))
    return dataclasses.replace(env, state=state)


@pytest.fixture(autouse=True)
def _within_the_term(monkeypatch: pytest.MonkeyPatch) -> None:
    """Verdicts are given on a day inside the demo term (2027-05-20 … 2030-05-19)."""
    monkeypatch.setattr(model, "today", lambda: dt.date(2028, 1, 10))


def _verify_cli(edition: Path, *args: str) -> int:
    from pipeline.cli import main

    return main(["--edition", str(edition), "-q", "verify", *args])


# ---- round trip -------------------------------------------------------------------------------


def test_round_trip_render_rasterise_decode_verify(env: World) -> None:
    result = env.result
    assert [i.record.number for i in result.issued] == [f"XATN-2027-{n:03d}" for n in range(1, 6)]
    for item in result.issued:
        texts = qr.decode_image(rasterise(item.pdf, 150))
        assert texts == [item.url]
        verdict = verify.check_texts(context(env.edition), texts)[0]
        assert verdict.status == "valid", verdict.reason
        assert verdict.payload == item.payload
        assert verdict.payload.name == item.awardee.nominee.candidate.name


def test_decodes_from_a_degraded_phone_photo(env: World, tmp_path: Path) -> None:
    item = env.result.issued[3]  # the longest name: the densest code
    photo = phone_photo(rasterise(item.pdf, 200))
    target = tmp_path / "photo.jpg"
    photo.save(target)
    assert qr.decode_file(target) == [item.url]


def test_make_verify_image_and_qr(env: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    item = env.result.issued[0]
    assert _verify_cli(env.edition, "--image", str(item.pdf)) == ExitCode.ok
    out = capsys.readouterr().out
    assert out.startswith("有效：") and item.record.number in out and "演示" in out
    assert _verify_cli(env.edition, "--qr", item.url) == ExitCode.ok
    scan = tmp_path / "scan.png"
    rasterise(item.pdf, 150).save(scan)
    assert _verify_cli(env.edition, "--image", str(scan)) == ExitCode.ok


def test_make_verify_tampered_revoked_expired(env: World, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    item = env.result.issued[1]
    head, tail = item.url.rsplit(".", 1)
    tampered = head + "." + ("A" if tail[0] != "A" else "B") + tail[1:]
    assert _verify_cli(env.edition, "--qr", tampered) == ExitCode.findings
    assert capsys.readouterr().out.startswith("无效：签名验证失败")
    payload_changed = item.url.replace("#M", "#N", 1)
    assert _verify_cli(env.edition, "--qr", payload_changed) == ExitCode.findings
    assert capsys.readouterr().out.startswith("无效：")

    with monkeypatch.context() as mp:
        mp.setattr(model, "today", lambda: item.record.term_end + dt.timedelta(days=1))
        assert _verify_cli(env.edition, "--qr", item.url) == ExitCode.findings
    assert capsys.readouterr().out.startswith("已期满：")

    from pipeline.cli import main

    assert main(["--edition", str(env.edition), "-q", "registry", "revoke", item.record.number,
                 "--reason", "提供虚假材料", "--date", "2027-09-01"]) == ExitCode.ok
    assert _verify_cli(env.edition, "--image", str(item.pdf)) == ExitCode.findings
    assert capsys.readouterr().out.splitlines()[-1].startswith("已撤销：")


def test_make_verify_before_the_term_is_not_yet_valid(env: World, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    item = env.result.issued[0]
    monkeypatch.setattr(model, "today", lambda: item.record.term_start - dt.timedelta(days=1))
    assert _verify_cli(env.edition, "--qr", item.url) == ExitCode.findings
    out = capsys.readouterr().out
    assert out.startswith("尚未生效：") and "2027年5月20日起" in out
    monkeypatch.setattr(model, "today", lambda: item.record.term_start)
    assert _verify_cli(env.edition, "--qr", item.url) == ExitCode.ok
    assert capsys.readouterr().out.startswith("有效：")


def test_no_picture_of_a_qr_code_is_could_not_check(env: World, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing read is no verdict: 无法查验 and exit 2, never 无效 (exit 1)."""
    blank = tmp_path / "blank.png"
    Image.new("RGB", (300, 200), "white").save(blank)
    assert _verify_cli(env.edition, "--image", str(blank)) == ExitCode.cannot_proceed
    assert capsys.readouterr().err.startswith("无法查验：")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    assert _verify_cli(env.edition, "--image", str(broken)) == ExitCode.cannot_proceed
    assert "无法读取图片" in capsys.readouterr().err
    assert _verify_cli(env.edition, "--image", str(tmp_path / "missing.pdf")) == ExitCode.cannot_proceed


# ---- what the documents show -------------------------------------------------------------------


def test_certificate_text_and_hostile_name_as_text(env: World) -> None:
    item = env.result.issued[4]
    text = PdfReader(item.pdf).pages[0].extract_text()
    for expected in ("荣", "被评为大兴安岭地区2027年度", "兴安技术能手", "任期三年", "2027年5月20日至2030年5月19日",
                     item.record.number, "大兴安岭地区人力资源和社会保障局", "大兴安岭地区总工会", "演示样本"):
        assert expected in text.replace("\n", ""), expected
    assert "<script>{{x}}&" in text
    reader = PdfReader(env.result.print_file)
    assert len(reader.pages) == 5
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (297, 210)
    assert reader.metadata is not None and reader.metadata.title


def test_no_seal_is_drawn_by_default(env: World) -> None:
    import pikepdf

    with pikepdf.open(env.result.issued[0].pdf) as pdf:
        images = pdf.pages[0].get_images()
    assert len(images) == 1  # the QR code, nothing else


def test_no_personal_data_in_qr_site_or_listing(env: World) -> None:
    ids = [a.nominee.candidate.id_number for a in (i.awardee for i in env.result.issued)]
    phones = [a.nominee.candidate.phone for a in (i.awardee for i in env.result.issued)]
    for item in env.result.issued:
        fields = item.payload.text().split("|")
        assert len(fields) == 6 and fields[2] == item.awardee.nominee.candidate.name
        for secret in (*ids, *phones, item.awardee.nominee.candidate.id_number[6:14]):
            assert secret not in item.url and secret not in item.payload.text()
    from pipeline.rules.privacy import scan_tree

    for folder in (env.result.verify_dir, env.result.print_file.parent):  # every PDF, XLSX, JSON, HTML, JS
        assert scan_tree(folder, known=[*ids, *phones]) == {}, folder
    published = [p for p in env.result.verify_dir.rglob("*") if p.is_file()]
    published.append(env.result.print_file.parent / "证书清单.json")
    for path in published:
        content = path.read_text(encoding="utf-8")
        for secret in (*ids, *phones):
            assert secret not in content, (path, secret)
        for item in env.result.issued:
            assert item.awardee.nominee.candidate.name not in content or path.name == "证书清单.json"


def test_subsidy_list_xlsx_and_pdf(env: World) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(env.result.subsidy_xlsx).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert "颁奖及补贴发放表" in str(rows[0][0])
    assert rows[2] == ("序号", "姓名", "工作单位及职务", "证书编号", "补贴金额（元）", "领取人签字", "备注")
    assert rows[3][:5] == (1, "王建国", "塔河林业局 第1电工班 班长", "XATN-2027-001", 5000)
    assert rows[8][0] == "合计" and rows[8][4] == 25000 and "贰万伍仟元整" in str(rows[8][1])
    assert ws.print_title_rows == "$3:$3"
    text = PdfReader(env.result.subsidy_pdf).pages[0].extract_text()
    assert "领取人签字" in text and "XATN-2027-005" in text and "25,000.00" in text


def test_blank_paper_mode_and_calibration_page(env: World) -> None:
    assert env.result.blank_file is not None and env.result.calibration is not None
    reader = PdfReader(env.result.blank_file)
    assert len(reader.pages) == 5
    text = reader.pages[0].extract_text()
    assert "王建国" in text and "XATN-2027-001" in text and "荣誉证书" not in text
    assert qr.decode_image(rasterise(env.result.blank_file, 150)) == [env.result.issued[0].url]
    calibration = PdfReader(env.result.calibration)
    assert len(calibration.pages) == 1
    cal_text = calibration.pages[0].extract_text()
    assert "offset_x_mm" in cal_text and "姓名" in cal_text and "100 毫米" in cal_text


def test_blank_offsets_move_the_text(tmp_path: Path, env: World) -> None:
    layout = certificates.blank_layout(certificate_settings.certificate_options(load_edition(make_edition(
        tmp_path / "ed", "demo = true", "[certificates.blank]\noffset_x_mm = 3\noffset_y_mm = -2\n"
        "[certificates.blank.name]\nx = 120\ny = 90\n"))).blank)
    name = next(b for b in layout["boxes"] if b["key"] == "name")
    assert (name["x"], name["y"]) == (123, 88)
    assert layout["qr"]["x"] == certificate_settings.BLANK_QR_DEFAULT[0] + 3


# ---- numbers, rebuilds, keys ------------------------------------------------------------------------


def test_rebuild_reorder_and_late_addition_keep_every_number(env: World, tmp_path: Path) -> None:
    key = env.keys / "demo-signing-key.pem"
    key_before = key.read_bytes()
    edition = make_edition(tmp_path / "ed", "demo = true", "[certificates.blank]\nenabled = false")
    before = listing(env.result)
    reordered = list(reversed(make_awardees(edition)))
    later = make_awardees(edition, ["赵丽娟"], first=6)
    result = issue_certificates(context(edition), [*reordered[:2], *later, *reordered[2:]])
    after = listing(result)
    assert {n: after[n] for n in before} == before
    assert after["赵丽娟"] == "XATN-2027-006"
    assert result.new_numbers == ("XATN-2027-006",)
    assert key.read_bytes() == key_before  # the existing demo key is used, never replaced


def test_same_input_same_bytes_and_second_run_does_no_work(env: World) -> None:
    ctx = context(env.edition)
    again = issue_certificates(ctx, make_awardees(env.edition))  # fresh output folder, same registry
    assert again.rendered
    assert not issue_certificates(ctx, make_awardees(env.edition)).rendered
    first = env.result
    files = sorted(p.relative_to(first.print_file.parent) for p in first.print_file.parent.rglob("*") if p.is_file())
    assert len(files) == 11
    for rel in files:
        assert (first.print_file.parent / rel).read_bytes() == (again.print_file.parent / rel).read_bytes(), rel
    for path in (p for p in first.verify_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(first.verify_dir)
        assert path.read_bytes() == (again.verify_dir / rel).read_bytes(), rel


def test_awardee_with_errors_is_skipped_and_exit_is_1(own: World, tmp_path: Path) -> None:
    edition = make_edition(tmp_path / "ed", "demo = true", "[certificates.blank]\nenabled = false")
    result = issue_certificates(context(edition), make_awardees(edition, [NAMES[0], "钱多多"], errors=["钱多多"]))
    assert result.skipped == ("002 钱多多",) and result.exit_code == ExitCode.findings
    assert "钱多多" not in listing(result)
    with open_registry(registry_path(True, edition.name)) as reg:
        assert [c.name for c in reg.certificates()] == [NAMES[0]]


def test_real_edition_needs_make_keys_then_uses_the_real_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              _isolated_output: None) -> None:
    monkeypatch.setenv("XN_KEYS", str(tmp_path / "keys"))
    monkeypatch.setenv("XN_STATE", str(tmp_path / "state"))
    edition = make_edition(tmp_path / "real", "demo = false", "[certificates.blank]\nenabled = false")
    awardees = make_awardees(edition, NAMES[:1])
    with pytest.raises(signing.KeyMissingError) as info:
        issue_certificates(context(edition), awardees)
    assert "make keys" in info.value.hint
    assert not (tmp_path / "keys" / "demo-signing-key.pem").exists()

    from pipeline.cli import main

    assert main(["--edition", str(edition), "keys"]) == 0
    key_bytes = (tmp_path / "keys" / "signing-key.pem").read_bytes()
    assert main(["--edition", str(edition), "keys"]) == 0
    assert (tmp_path / "keys" / "signing-key.pem").read_bytes() == key_bytes  # never overwritten
    result = issue_certificates(context(edition), awardees)
    assert not result.demo and result.blank_file is None
    assert registry_path(False, edition.name).is_file() and not registry_path(True, edition.name).exists()
    keys = json.loads((result.verify_dir / "keys.json").read_text(encoding="utf-8"))["keys"]
    assert [k["demo"] for k in keys] == [False]
    text = PdfReader(result.issued[0].pdf).pages[0].extract_text()
    assert "演示" not in text
    assert (tmp_path / "keys" / "signing-key.pem").read_bytes() == key_bytes


def test_seal_only_when_enabled_and_present(tmp_path: Path, own: World, capsys: pytest.CaptureFixture[str]) -> None:
    import pikepdf

    seal = tmp_path / "seal.png"
    Image.new("RGBA", (200, 200), (200, 0, 0, 120)).save(seal)
    edition = make_edition(tmp_path / "ed", f'demo = true\nseal = true\nseal_image = "{seal}"',
                           "[certificates.blank]\nenabled = false")
    result = issue_certificates(context(edition), make_awardees(edition, NAMES[:1]))
    with pikepdf.open(result.issued[0].pdf) as pdf:
        assert len(pdf.pages[0].get_images()) == 2
    seal.unlink()
    ctx = dataclasses.replace(context(edition), quiet=False)
    result = issue_certificates(ctx, make_awardees(edition, NAMES[:1]))
    assert "找不到" in capsys.readouterr().err
    with pikepdf.open(result.issued[0].pdf) as pdf:
        assert len(pdf.pages[0].get_images()) == 1


def test_broken_seal_image_fails_the_document(tmp_path: Path, own: World) -> None:
    seal = tmp_path / "seal.png"
    seal.write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    edition = make_edition(tmp_path / "ed", f'demo = true\nseal = true\nseal_image = "{seal}"')
    with pytest.raises(RenderError, match="排版引擎"):
        issue_certificates(context(edition), make_awardees(edition, NAMES[:1]))


def test_page_size_setting(tmp_path: Path, own: World) -> None:
    assert certificate_settings.parse_page_size("A4 landscape") == (297, 210)
    assert certificate_settings.parse_page_size("A4 portrait") == (210, 297)
    assert certificate_settings.parse_page_size("A3") == (420, 297)
    assert certificate_settings.parse_page_size("250mm 180mm") == (250, 180)
    with pytest.raises(ValueError):
        certificate_settings.parse_page_size("huge")
    edition = make_edition(tmp_path / "ed", 'demo = true\npage_size = "A3 landscape"',
                           "[certificates.blank]\nenabled = false")
    result = issue_certificates(context(edition), make_awardees(edition, NAMES[:1]))
    box = PdfReader(result.print_file).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (420, 297)
    assert qr.decode_image(rasterise(result.print_file, 100)) == [result.issued[0].url]


def test_bad_setting_names_the_key(tmp_path: Path) -> None:
    from pipeline.core.errors import EditionConfigError

    edition = make_edition(tmp_path / "ed", 'qr_error_correction = "Z"')
    with pytest.raises(EditionConfigError, match="qr_error_correction"):
        certificate_settings.certificate_options(load_edition(edition))


def test_stage_main_reads_awardees_json(env: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.stages import check

    edition = make_edition(tmp_path / "ed", "demo = true", "[certificates.blank]\nenabled = false")
    ctx = context(edition)
    awardees = make_awardees(edition)
    fake = CheckResult(tuple(a.nominee for a in awardees), (), ctx.output / "check" / "report.json")
    monkeypatch.setattr(check, "run_check", lambda _ctx: fake)
    save_awardees(ctx, [(a.nominee.candidate.code, a.total) for a in reversed(awardees)])
    write_stamp(ctx, results.STAMP, results.results_inputs(ctx, fake))  # as a successful `make results` does
    assert certificates.main(ctx, argparse.Namespace()) == ExitCode.ok
    data = json.loads((ctx.output / "certificates" / "证书清单.json").read_text(encoding="utf-8"))
    assert {c["姓名"]: c["证书编号"] for c in data["certificates"]} == listing(env.result)


def test_registry_lives_outside_output_and_survives_make_clean(tmp_path: Path) -> None:
    """`make clean` (the real recipe) in a copy of the tree removes output/*/ only."""
    for rel in ("output/demo/certificates/x.pdf", "state/registry.sqlite3", "state/demo-registry.sqlite3",
                "keys/signing-key.pem", "keys/demo-signing-key.pem"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    shutil.copy(PROJECT_ROOT / "Makefile", tmp_path / "Makefile")
    subprocess.run(["make", "-s", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert not (tmp_path / "output" / "demo").exists()
    for rel in ("state/registry.sqlite3", "state/demo-registry.sqlite3", "keys/signing-key.pem"):
        assert (tmp_path / rel).is_file(), rel
    ignored = (PROJECT_ROOT / ".gitignore").read_text().split()
    assert "/state/" in ignored and "/keys/" in ignored
