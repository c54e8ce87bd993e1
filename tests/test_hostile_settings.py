"""Hostile keys, settings and make arguments (issue 11, points 5, 6, 7 and 15).

The demo key in the real key's place, a `javascript:` verification URL, zero sizes and
resolutions in edition.toml, shell text in `make verify QR=…`, an edition path with a space,
and `verify --image` on a missing file, a 300-page PDF or a 200-inch page: each is refused or
bounded with a Chinese message, never run, never an internal error, never called 有效 or 无效
when it is neither.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from pipeline.cli import main as cli_main
from pipeline.core import model, signing
from pipeline.core.edition import PROJECT_ROOT, load_edition
from pipeline.core.errors import EditionConfigError, ExitCode, StageError
from pipeline.media.settings import media_settings
from pipeline.render import qr
from pipeline.stages import verify
from tests import chromium
from tests.conftest import DEMO
from tests.test_certificates import context, make_edition

TODAY = dt.date(2028, 1, 10)


def _payload(start: dt.date = dt.date(2027, 5, 20)) -> signing.Payload:
    return signing.Payload("XATN-2027-001", "王建国", 2027, *signing.term_of(start, 3))


def _demo_in_the_real_place(keys: Path, *, strip_label: bool) -> signing.Signer:
    """The demo key created, then copied to keys/signing-key.pem (optionally without its DEMO lines)."""
    demo, _ = signing.create_key(demo=True)
    data = demo.files.private.read_bytes()
    if strip_label:
        data = data[data.index(b"-----BEGIN"):]
    (keys / "signing-key.pem").write_bytes(data)
    return demo


# ---- 5. the demo key as the real key --------------------------------------------------------------


@pytest.mark.parametrize("strip_label", [False, True], ids=["labelled", "label-removed"])
def test_real_edition_refuses_to_sign_with_the_demo_key(tmp_path: Path, strip_label: bool) -> None:
    keys = tmp_path / "keys"
    _demo_in_the_real_place(keys, strip_label=strip_label)
    with pytest.raises(StageError) as info:
        signing.load_signer(demo=False)
    text = str(info.value)
    assert "演示密钥" in text and str(keys / "signing-key.pem") in text
    assert "make keys" in info.value.hint
    # `make keys` does not accept it as the real key either, and leaves the file alone
    before = (keys / "signing-key.pem").read_bytes()
    with pytest.raises(StageError, match="演示密钥"):
        signing.create_key(demo=False)
    assert (keys / "signing-key.pem").read_bytes() == before


def test_demo_key_file_says_demo_and_its_fingerprint_is_listed_in_the_code(tmp_path: Path) -> None:
    demo, _ = signing.create_key(demo=True)
    head = demo.files.private.read_text(encoding="utf-8").split("-----BEGIN")[0]
    assert "DEMO" in head and "演示密钥" in head
    assert signing.fingerprint(demo.public) in signing.DEMO_KEY_FINGERPRINTS
    real, _ = signing.create_key(demo=False)
    assert signing.fingerprint(real.public) not in signing.DEMO_KEY_FINGERPRINTS
    assert not signing.is_demo_key(real.public) and signing.is_demo_key(demo.public)


def test_an_older_random_demo_key_is_recognised_by_its_own_file(tmp_path: Path) -> None:
    """A demo key made before the fixed demo key (random, labelled): copied without its label, still refused."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    keys = tmp_path / "keys"
    keys.mkdir()
    old = Ed25519PrivateKey.generate()
    pem = old.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    (keys / "demo-signing-key.pem").write_bytes(f"# {signing.DEMO_LABEL}\n".encode() + pem)
    (keys / "signing-key.pem").write_bytes(pem)
    with pytest.raises(StageError, match="演示密钥"):
        signing.load_signer(demo=False)


def test_keys_json_never_lists_the_demo_key_as_real(tmp_path: Path) -> None:
    demo, _ = signing.create_key(demo=True)
    edition = make_edition(tmp_path / "ed", "demo = false")
    site = verify.write_site(context(edition), [signing.PublishedKey(demo.public, False)], demo, {}, [])
    keys = json.loads((site / "keys.json").read_text(encoding="utf-8"))["keys"]
    assert [k["demo"] for k in keys] == [True]
    assert "演示" in keys[0]["label"]


@pytest.mark.slow
@pytest.mark.skipif(chromium.chromium() is None, reason="chromium is not installed (make setup)")
def test_verify_page_calls_a_demo_key_certificate_demo_even_when_keys_json_says_real(tmp_path: Path) -> None:
    """A site published before this fix (keys.json: the demo key as demo = false) still says 演示证书."""
    demo, _ = signing.create_key(demo=True)
    edition = make_edition(tmp_path / "ed", "demo = false")
    site = verify.write_site(context(edition), [signing.PublishedKey(demo.public, False)], demo, {}, [])
    keys_json = site / "keys.json"
    data = json.loads(keys_json.read_text(encoding="utf-8"))
    data["keys"][0].update(demo=False, label="发证机关签名密钥")
    keys_json.write_text(json.dumps(data), encoding="utf-8")
    today = dt.date.today()
    token = signing.sign(_payload(start=today - dt.timedelta(days=30)), demo)
    with chromium.serve(site) as base:
        dom = chromium.dump_dom(f"{base}#{token}", budget_ms=8000)
    main = re.search(r'<main id="result"[^>]*data-status="([a-z]+)"', dom)
    badge = re.search(r'id="badge"[^>]*>([^<]*)<', dom)
    assert main is not None and main.group(1) == "demo", dom[:3000]
    assert badge is not None and badge.group(1) == "演示证书"


def test_demo_signed_certificate_is_never_valid_outside_a_demo_edition(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    demo = _demo_in_the_real_place(tmp_path / "keys", strip_label=True)
    url = signing.qr_url("https://rsj.dxal.example.cn/xatn/verify/", signing.sign(_payload(), demo))
    # the library: even a key handed over as real
    verdict = signing.verify_text(url, [signing.PublishedKey(demo.public, False)], {}, TODAY)
    assert verdict.status == "demo" and "演示" in verdict.reason and "有效" not in verdict.reason
    in_demo = signing.verify_text(url, [signing.PublishedKey(demo.public, True)], {}, TODAY, demo_edition=True)
    assert in_demo.status == "valid" and "演示" in in_demo.reason
    # the command line of a real edition whose exported public key is the demo key
    (tmp_path / "keys" / "signing-key.pub.pem").write_bytes(demo.files.public_pem.read_bytes())
    edition = make_edition(tmp_path / "ed", "demo = false")
    monkeypatch.setattr(model, "today", lambda: TODAY)
    code = cli_main(["--edition", str(edition), "-q", "verify", "--qr", url])
    out = capsys.readouterr().out
    assert code == ExitCode.findings
    assert out.startswith("演示证书") and "有效" not in out.split("：")[0]


# ---- 7. verify_base_url ------------------------------------------------------------------------


def _edition_with(folder: Path, old: str, new: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (DEMO / "edition.toml").read_text(encoding="utf-8")
    assert old in text, old
    (folder / "edition.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


DEMO_URL = 'verify_base_url = "https://rsj.dxal.example.cn/xatn/verify/"'


@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)//", "http://rsj.dxal.example.cn/verify/",
                                 "data:text/html,<script>alert(1)</script>", "https:///verify/", "ftp://example.cn/",
                                 "https://rsj.example.cn/verify/\"><script>", "https://user:pw@example.cn/v/",
                                 "//example.cn/verify/", ""])
def test_verify_base_url_must_be_https(tmp_path: Path, url: str) -> None:
    folder = _edition_with(tmp_path / "ed", DEMO_URL, f"verify_base_url = {json.dumps(url)}")
    with pytest.raises(EditionConfigError) as info:
        load_edition(folder)
    text = str(info.value)
    assert "verify_base_url" in text and "https://" in text and str(folder / "edition.toml") in text


@pytest.mark.parametrize("url", ["https://rsj.dxal.example.cn/xatn/verify/", "http://localhost:8000/verify/",
                                 "http://127.0.0.1/v/", "http://verify.test/"])
def test_verify_base_url_https_or_a_local_test_host(tmp_path: Path, url: str) -> None:
    folder = _edition_with(tmp_path / "ed", DEMO_URL, f'verify_base_url = "{url}"')
    assert load_edition(folder).certificates.verify_base_url == url


# ---- 15. numbers in edition.toml -------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "key"), [
    ("width_mm = 35", "width_mm = 0", "[photo] width_mm"),
    ("height_mm = 49", "height_mm = 1e9", "[photo] height_mm"),
    ("dpi = 300\n", "dpi = 0\n", "[photo] dpi"),
    ("print_dpi = 300", "print_dpi = 0", "[packets] print_dpi"),
    ("email_budget_mb = 10", "email_budget_mb = 0", "[packets] email_budget_mb"),
    ("copies = 5", "copies = 0", "[packets] copies"),
    ("quota = 20", "quota = 0", "[round] quota"),
    ("shortlist_ratio = 2", "shortlist_ratio = 0", "[round] shortlist_ratio"),
    ("year = 2027", "year = 27", "[round] year"),
    ("working_days = 5", "working_days = 0", "[publicity] working_days"),
    ("term_years = 3", "term_years = 0", "[certificates] term_years"),
    ("summary_max_chars = 300", "summary_max_chars = 0", "[checks] summary_max_chars"),
    ("deeds_min_chars = 1500", "deeds_min_chars = 5000", "[checks] deeds_min_chars"),
    ("bleed_mm = 3", "bleed_mm = 500", "[media] bleed_mm"),
    ("weight = 0.4", "weight = -0.4", "[review.criteria[0]] weight"),
    ("max = 100\n", "max = 0\n", "[review.criteria[0]] max"),
])
def test_numbers_out_of_range_are_refused_on_load(tmp_path: Path, old: str, new: str, key: str) -> None:
    folder = _edition_with(tmp_path / "ed", old, new)
    with pytest.raises(EditionConfigError) as info:
        load_edition(folder)
    text = str(info.value)
    assert key in text and str(folder / "edition.toml") in text
    assert re.search(r"\d+(\.\d+)? ?到 ?\d+", text), text  # the allowed range


@pytest.mark.parametrize(("line", "key"), [
    ("proof_dpi = 100000", "proof_dpi"), ("min_dpi = 0", "min_dpi"), ("font_min_pt = 0.01", "font_min_pt"),
    ("columns = 500", "columns"), ("per_page = 100000", "per_page"), ("page_width_mm = 1", "page_width_mm"),
    ("photo_width_mm = 1e6", "photo_width_mm"), ("broadcast_chars = 0", "broadcast_chars"),
])
def test_media_numbers_out_of_range_are_refused_when_a_document_command_loads_the_edition(
        tmp_path: Path, line: str, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _edition_with(tmp_path / "ed", "bleed_mm = 3\n", f"bleed_mm = 3\n{line}\n")
    with pytest.raises(EditionConfigError) as info:
        media_settings(load_edition(folder))
    text = str(info.value)
    assert f"[media] {key}" in text and str(folder / "edition.toml") in text and "到" in text
    assert cli_main(["--edition", str(folder), "-q", "check"]) == ExitCode.cannot_proceed  # before the roster
    err = capsys.readouterr().err
    assert err.startswith("错误：") and f"[media] {key}" in err and "内部错误" not in err


@pytest.mark.parametrize(("line", "table", "key"), [
    ("qr_size_mm = 0", "", "[certificates] qr_size_mm"),
    ("qr_size_mm = -38", "", "[certificates] qr_size_mm"),
    ("", "[certificates.blank.name]\nx = -5", "[certificates.blank.name] x"),
    ("", "[certificates.blank.date]\ny = 500", "[certificates.blank.date] y"),
    ("", "[certificates.blank.citation]\nwidth = 0", "[certificates.blank.citation] width"),
    ("", "[certificates.blank.number]\nsize_pt = 0", "[certificates.blank.number] size_pt"),
    ("", "[certificates.blank.qr]\nsize_mm = 0", "[certificates.blank.qr] size_mm"),
    ("", "[certificates.blank.qr]\nx = -1", "[certificates.blank.qr] x"),
    ("", "[certificates.blank]\noffset_x_mm = 1e6", "[certificates.blank] offset_x_mm"),
])
def test_certificate_numbers_out_of_range_are_refused_when_the_edition_loads(
        tmp_path: Path, line: str, table: str, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.certificates.settings import certificate_options

    folder = make_edition(tmp_path / "ed", f"demo = true\n{line}", table + "\n")
    with pytest.raises(EditionConfigError) as info:
        certificate_options(load_edition(folder))
    text = str(info.value)
    assert key in text and str(folder / "edition.toml") in text, text
    assert re.search(r"-?\d+(\.\d+)? 到 \d+(\.\d+)? 之间的数（毫米|（磅）", text), text  # the allowed range and unit
    assert cli_main(["--edition", str(folder), "-q", "check"]) == ExitCode.cannot_proceed  # before the roster
    err = capsys.readouterr().err
    assert err.startswith("错误：") and key in err and "内部错误" not in err


def test_certificates_with_seals_are_byte_identical_from_two_copies_of_the_edition(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seal image goes in by content, not by its path: moving the edition (and its seal) changes no byte."""
    from pipeline.stages import certificates
    from tests.test_certificates import NAMES, context, make_awardees

    monkeypatch.setattr(model, "today", lambda: TODAY)
    monkeypatch.setattr(certificates, "_write_subsidy", lambda *args, **kwargs: None)  # no seal image there
    built: dict[str, dict[str, bytes]] = {}
    for where in ("一", "other/二"):
        root = tmp_path / where
        seal = root / "印章" / "seal.png"
        seal.parent.mkdir(parents=True)
        Image.new("RGBA", (120, 120), (200, 0, 0, 120)).save(seal)
        edition = make_edition(root / "ed", f'demo = true\nseal = true\nseal_image = "{seal}"',
                               "[certificates.blank]\nenabled = false\n")
        monkeypatch.setenv("XN_OUTPUT", str(root / "output"))
        monkeypatch.setenv("XN_STATE", str(root / "state"))
        result = certificates.issue_certificates(context(edition), make_awardees(edition, NAMES[:1]))
        out = result.print_file.parent
        built[where] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.pdf")}
    assert sorted(built["一"]) == sorted(built["other/二"]) and len(built["一"]) == 2
    for file, data in built["一"].items():
        assert data == built["other/二"][file], f"{file} differs between the two copies of the edition"


# ---- 15. verify --image: bounded, and 无法查验 when it cannot look ------------------------------------


@pytest.fixture
def real_edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, signing.Signer]:
    """A real (non-demo) edition with its own real key."""
    monkeypatch.setattr(model, "today", lambda: TODAY)
    signer, _ = signing.create_key(demo=False)
    return make_edition(tmp_path / "ed", "demo = false"), signer


def _qr_page(url: str, pixels: int) -> Image.Image:
    symbol = qr.make_qr(url, "Q")
    code = Image.open(io.BytesIO(symbol.png())).convert("L")
    page = Image.new("L", (pixels, pixels), 255)
    side = pixels // 2
    page.paste(code.resize((side, side), Image.Resampling.NEAREST), (pixels // 4, pixels // 4))
    return page


@pytest.mark.parametrize("kind", ["missing", "not-an-image", "broken-pdf"])
def test_unreadable_or_missing_image_is_could_not_check(tmp_path: Path, kind: str,
                                                        real_edition: tuple[Path, signing.Signer],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / {"missing": "nothing.jpg", "not-an-image": "photo.jpg", "broken-pdf": "cert.pdf"}[kind]
    if kind == "not-an-image":
        target.write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG" * 10)
    elif kind == "broken-pdf":
        target.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    code = cli_main(["--edition", str(real_edition[0]), "-q", "verify", "--image", str(target)])
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert code == ExitCode.cannot_proceed  # its own exit status: neither 0 (有效) nor 1 (无效)
    assert said.startswith("无法查验：") and "无效" not in said and str(target) in said
    assert "内部错误" not in said


def test_verify_image_reads_only_the_first_pages_of_a_long_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                real_edition: tuple[Path, signing.Signer],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    edition, signer = real_edition
    url = signing.qr_url("https://rsj.dxal.example.cn/xatn/verify/", signing.sign(_payload(), signer))
    first = _qr_page(url, 600)
    blanks = [Image.new("1", (595, 842), 1) for _ in range(299)]  # A4 at 72 dpi
    pdf = tmp_path / "300-pages.pdf"
    first.save(pdf, "PDF", resolution=72, save_all=True, append_images=blanks)
    rendered = _rendered_pages(monkeypatch)
    code = cli_main(["--edition", str(edition), "-q", "verify", "--image", str(pdf)])
    assert code == ExitCode.ok and capsys.readouterr().out.startswith("有效：")
    assert 1 <= len(rendered) <= qr.READ_PAGES, f"{len(rendered)} pages of 300 rasterised"


def test_verify_image_rasterises_a_huge_page_at_a_bounded_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              real_edition: tuple[Path, signing.Signer],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    edition, signer = real_edition
    url = signing.qr_url("https://rsj.dxal.example.cn/xatn/verify/", signing.sign(_payload(), signer))
    pdf = tmp_path / "huge.pdf"
    _qr_page(url, 1000).save(pdf, "PDF", resolution=5)  # a 200 × 200 inch page: 40 000² pixels at 200 dpi
    rendered = _rendered_pages(monkeypatch)
    code = cli_main(["--edition", str(edition), "-q", "verify", "--image", str(pdf)])
    assert code == ExitCode.ok and capsys.readouterr().out.startswith("有效：")
    assert rendered and max(max(size) for size in rendered) <= qr.READ_PIXELS, rendered


def _rendered_pages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The sizes of the PDF pages rasterised from now on (the real pipeline.render.raster, observed)."""
    from pipeline.render import raster

    sizes: list[tuple[int, int]] = []
    original = raster.pages

    def observed(*args: Any, **kwargs: Any) -> Iterator[Image.Image]:
        for image in original(*args, **kwargs):
            sizes.append(image.size)
            yield image

    monkeypatch.setattr(raster, "pages", observed)
    return sizes


# ---- 6. make passes user values through the environment ---------------------------------------------


def _make(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Real make on the project's Makefile; the setup stamp is never remade (-o)."""
    venv = Path(sys.executable).parent.parent
    return subprocess.run(["make", "--no-print-directory", "-f", str(PROJECT_ROOT / "Makefile"), "-C", str(PROJECT_ROOT),
                           "-o", f"{venv}/.setup-done", f"VENV={venv}", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def make_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("output", "state", "keys"):
        env[f"XN_{name.upper()}"] = str(tmp_path / name)
    return env


def test_make_verify_never_runs_text_from_a_qr_code(tmp_path: Path, make_env: dict[str, str]) -> None:
    signing.create_key(demo=True)  # the demo edition's key, in the XN_KEYS make gets too
    pwned = tmp_path / "pwned"
    for hostile in (f"x' -h;touch {pwned};echo '", f"$(shell touch {pwned})", f"x' --image '{pwned}"):
        done = _make("verify", f"QR={hostile}", cwd=tmp_path, env=make_env)
        assert not pwned.exists(), (hostile, done.stdout, done.stderr)
        assert done.returncode != 0
        assert "无效" in done.stdout + done.stderr, (hostile, done.stdout, done.stderr)


def test_make_verify_without_qr_or_image_says_what_to_give(tmp_path: Path, make_env: dict[str, str]) -> None:
    make_env.pop("XN_QR", None)
    make_env.pop("XN_IMAGE", None)
    done = _make("verify", cwd=tmp_path, env=make_env)
    assert done.returncode == 2 and "错误：请给出要查验的二维码内容或证书文件" in done.stderr, done.stderr
    assert "make verify QR=" in done.stderr and "Traceback" not in done.stderr


def test_make_with_an_edition_path_with_spaces(tmp_path: Path, make_env: dict[str, str]) -> None:
    folder = tmp_path / "x y" / "第 2 届"
    make_edition(folder, "demo = false")
    signer, _ = signing.create_key(demo=False)  # in the XN_KEYS make gets too
    payload = _payload(start=dt.date.today() - dt.timedelta(days=30))
    url = signing.qr_url("https://rsj.dxal.example.cn/xatn/verify/", signing.sign(payload, signer))
    done = _make("verify", f"EDITION={folder}", f"QR={url}", cwd=tmp_path, env=make_env)
    assert done.returncode == 0 and "\n有效：证书 XATN-2027-001" in done.stdout, done.stderr
    scan = tmp_path / "扫描 件.png"
    _qr_page(url, 600).save(scan)
    done = _make("verify", f"EDITION={folder}", f"IMAGE={scan}", cwd=tmp_path, env=make_env)
    assert done.returncode == 0 and "\n有效：证书 XATN-2027-001" in done.stdout, done.stderr
