"""The static verification site in real headless Chromium: every state, hostile text, three engines.

States 有效 / 尚未生效 / 已期满 / 已撤销 / 无效 / 演示证书 are checked as shown text and as colours in
screenshots, with the browser's WebCrypto Ed25519, with WebCrypto lacking Ed25519 (a script
removes it before the page's own), and on plain http from a non-localhost name (no crypto.subtle:
the vendored @noble/ed25519 and @noble/hashes do the work).

The genuine URL is the one decoded (zxing-cpp) from a rendered certificate; the site is served
by a plain static server on 127.0.0.1, as any web server would publish output/<edition>/verify/.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.core import signing
from pipeline.render import qr
from pipeline.stages import verify
from pipeline.stages.certificates import issue_certificates
from tests import chromium
from tests.test_certificates import context, make_awardees, make_edition, rasterise

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium.chromium() is None, reason="chromium is not installed (make setup)"),
]


def _flip(token: str, part: int) -> str:
    """The token with one byte of its payload (part 0) or signature (part 1) changed."""
    pieces = token.split(".")
    data = bytearray(base64.urlsafe_b64decode(pieces[part] + "=" * (-len(pieces[part]) % 4)))
    data[len(data) // 2] ^= 0x04
    pieces[part] = base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode()
    return ".".join(pieces)


def _result(dom: str) -> dict[str, str]:
    """The verdict the page shows: status, badge, message and the detail fields."""
    main = re.search(r'<main id="result"([^>]*)>(.*?)</main>', dom, re.S)
    assert main is not None, dom[:2000]
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', main.group(1)))
    out = {"status": attrs.get("data-status", ""), "demo": attrs.get("data-demo", "")}
    for key in ("badge", "message", "f-number", "f-name", "f-term"):
        found = re.search(rf'id="{key}"[^>]*>(.*?)</(?:div|p|dd)>', main.group(2), re.S)
        out[key] = html.unescape(re.sub(r"<[^>]*>", "", found.group(1))) if found else ""  # dates sit in spans
    out["details_hidden"] = str(bool(re.search(r'id="details"[^>]*hidden', main.group(2))))
    out["inner"] = main.group(2)
    return out


def test_verification_site_in_headless_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                _isolated_output: None) -> None:
    for name in ("state", "keys"):
        monkeypatch.setenv(f"XN_{name.upper()}", str(tmp_path / name))
    edition = make_edition(tmp_path / "ed", "demo = true", "[certificates.blank]\nenabled = false")
    ctx = context(edition)
    result = issue_certificates(ctx, make_awardees(edition, ["王建国", "李秀兰"]))
    genuine_url = qr.decode_image(rasterise(result.issued[0].pdf, 150))[0]
    token = genuine_url.split("#", 1)[1]

    signer = signing.load_signer(demo=True)
    today = dt.date.today()
    past = signing.Payload("XATN-2020-001", "赵老", 2020, today - dt.timedelta(days=3 * 365 + 30),
                           today - dt.timedelta(days=1))
    hostile = signing.Payload("XATN-2027-099", '<img src=x onerror="document.title=1">&amp;', 2027,
                              today, today + dt.timedelta(days=1000))
    revoked_item = result.issued[1]

    # the published site, with one revocation (as `make registry ARGS="revoke …"` writes it)
    site = tmp_path / "www" / "xatn"
    shutil.copytree(result.verify_dir, site / "verify")
    monkeypatch.setenv("XN_OUTPUT", str(tmp_path / "www"))
    (site / "verify" / "revoked.json").write_text(
        signing.sign_revocations({revoked_item.record.number: dt.date(2027, 9, 1)}, signer), encoding="utf-8")

    cases = {
        "genuine": token,
        "payload": _flip(token, 0),
        "signature": _flip(token, 1),
        "revoked": revoked_item.url.split("#", 1)[1],
        "expired": signing.sign(past, signer),
        "hostile": signing.sign(hostile, signer),
        "empty": "",
        "garbage": "not-a-certificate",
    }
    with chromium.serve(tmp_path / "www") as base, ThreadPoolExecutor(max_workers=4) as pool:
        doms = dict(zip(cases, pool.map(lambda t: chromium.dump_dom(f"{base}xatn/verify/#{t}"), cases.values()),
                        strict=True))
        chromium.screenshot(f"{base}xatn/verify/#{token}", tmp_path / "valid.png")
    seen = {name: _result(dom) for name, dom in doms.items()}

    genuine = seen["genuine"]
    assert genuine["status"] == "demo" and genuine["badge"] == "演示证书", genuine  # never a green 有效
    assert genuine["f-name"] == "王建国" and genuine["f-number"] == result.issued[0].record.number
    assert genuine["f-term"] == "2027年5月20日至2030年5月19日"
    assert genuine["demo"] == "true"  # signed with the demo key: the page says so

    for name in ("payload", "signature", "garbage"):
        assert seen[name]["status"] == "forged", (name, seen[name])
        assert seen[name]["badge"] == "无效" and seen[name]["details_hidden"] == "True"
        assert "王建国" not in seen[name]["inner"]

    # demo-key certificates say 演示证书 whatever their state; the state behind it is in the details
    assert seen["revoked"]["status"] == "demo" and seen["revoked"]["f-name"] == "李秀兰"
    assert "已撤销" in seen["revoked"]["inner"]
    assert seen["expired"]["status"] == "demo" and seen["expired"]["f-name"] == "赵老"
    assert "已期满" in seen["expired"]["inner"]
    assert seen["empty"]["status"] == "none" and seen["empty"]["details_hidden"] == "True"

    assert seen["hostile"]["status"] == "demo"
    assert seen["hostile"]["f-name"] == '<img src=x onerror="document.title=1">&amp;'  # shown as text
    assert "<img" not in seen["hostile"]["inner"]
    assert "<title>“兴安技术能手”证书查验</title>" in doms["hostile"]  # the handler never ran

    assert (tmp_path / "valid.png").stat().st_size > 5000


def test_site_has_no_personal_data_and_works_without_server_code(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("state", "keys"):
        monkeypatch.setenv(f"XN_{name.upper()}", str(tmp_path / name))
    edition = make_edition(tmp_path / "ed", "demo = true")
    ctx = context(edition)
    signer, _ = signing.create_key(demo=True)
    site = verify.write_site(ctx, [signing.PublishedKey(signer.public, True)], signer,
                             {"XATN-2027-003": dt.date(2027, 9, 1)}, [])
    assert sorted(p.name for p in site.iterdir()) == ["index.html", "keys.json", "lookup.json", "nomodule.js",
                                                      "public-key.pem", "revoked.json", "style.css", "vendor",
                                                      "verify.js"]
    assert sorted(str(p.relative_to(site / "vendor")) for p in (site / "vendor").rglob("*") if p.is_file()) == sorted(
        verify.VENDOR_FILES)
    text = "".join(p.read_text(encoding="utf-8") for p in site.iterdir() if p.is_file())
    assert not re.search(r"\d{17}[\dX]", text)  # no ID number
    assert not re.search(r"1[3-9]\d{9}", text)  # no mobile number
    revoked = (site / "revoked.json").read_text(encoding="utf-8")
    assert "XATN-2027-003" in revoked and "reason" not in revoked
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in index and "<script type=\"module\" src=\"verify.js\"" in index
    assert "演示" in index  # demo site says so


# ---- every state, in every engine the page can end up using --------------------------------------

BADGE_COLOURS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "valid": ((0xE3, 0xF3, 0xE6), (0x1D, 0x6B, 0x2F)),
    "notyet": ((0xE4, 0xEC, 0xF7), (0x1F, 0x4F, 0x8F)),
    "expired": ((0xEE, 0xEA, 0xE4), (0x6B, 0x5D, 0x4D)),
    "revoked": ((0xFB, 0xE4, 0xE1), (0xA3, 0x19, 0x0C)),
    "forged": ((0xFB, 0xE4, 0xE1), (0xA3, 0x19, 0x0C)),
    "demo": ((0xFF, 0xF0, 0xC2), (0x7A, 0x52, 0x00)),
}
"""State → (badge background, badge text colour) as style.css paints them."""
BADGES = {"valid": "有效", "notyet": "尚未生效", "expired": "已期满", "revoked": "已撤销", "forged": "无效",
          "demo": "演示证书"}

NO_ED25519 = """/* test only: a browser whose WebCrypto has no Ed25519 (WeChat's in-app browser) */
(function () {
  var subtle = crypto.subtle, importKey = subtle.importKey.bind(subtle);
  subtle.importKey = function (format, data, algorithm) {
    var name = typeof algorithm === "string" ? algorithm : algorithm && algorithm.name;
    if (String(name).toLowerCase() === "ed25519") {
      return Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
    }
    return importKey.apply(null, arguments);
  };
})();
"""


def _pixels_near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 1) -> int:
    arr = np.asarray(image.convert("RGB"), dtype=np.int16)
    return int((np.abs(arr - np.array(colour, dtype=np.int16)).max(axis=2) <= tolerance).sum())


@pytest.fixture(scope="module")
def state_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A site accepting a real key and the demo key, and one token per state."""
    root = tmp_path_factory.mktemp("states")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("state", "keys", "output"):
            mp.setenv(f"XN_{name.upper()}", str(root / name))
        edition = make_edition(root / "ed", "demo = false", "[certificates.blank]\nenabled = false")
        real, _ = signing.create_key(demo=False)
        demo, _ = signing.create_key(demo=True)
        today = dt.date.today()
        term = (today - dt.timedelta(days=30), today + dt.timedelta(days=1000))
        payloads = {
            "valid": (signing.Payload("XATN-2027-001", "王建国", 2027, *term), real),
            "notyet": (signing.Payload("XATN-2027-002", "李秀兰", 2027, today + dt.timedelta(days=30),
                                       today + dt.timedelta(days=1100)), real),
            "expired": (signing.Payload("XATN-2020-003", "赵国庆", 2020, today - dt.timedelta(days=1100),
                                        today - dt.timedelta(days=30)), real),
            "revoked": (signing.Payload("XATN-2027-004", "欧阳振华", 2027, *term), real),
            "demo": (signing.Payload("XATN-2027-005", "阿依古丽·买买提", 2027, *term), demo),
        }
        tokens = {state: signing.sign(p, key) for state, (p, key) in payloads.items()}
        tokens["forged"] = _flip(tokens["valid"], 0)
        site = verify.write_site(context(edition), [signing.PublishedKey(real.public, False),
                                                    signing.PublishedKey(demo.public, True)], real,
                                 {"XATN-2027-004": today - dt.timedelta(days=3)}, [])
    www = root / "www"
    shutil.copytree(site, www / "native")
    shutil.copytree(site, www / "no-ed25519")
    (www / "no-ed25519" / "no-ed25519.js").write_text(NO_ED25519, encoding="utf-8")
    index = www / "no-ed25519" / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace(
        '<script type="module"', '<script src="no-ed25519.js"></script>\n<script type="module"', 1), encoding="utf-8")
    # a copy whose detail labels are magenta: shows in a screenshot whether a label is visible
    shutil.copytree(site, www / "probe")
    with (www / "probe" / "style.css").open("a", encoding="utf-8") as css:
        css.write("\n.details dt { color: #ff00ff; }  /* test probe: the labels in magenta */\n")
    yield www, tokens


def test_states_text_and_colour_without_webcrypto_ed25519(state_site: tuple[Path, dict[str, str]],
                                                           tmp_path: Path) -> None:
    """Plain http from a non-localhost origin (no crypto.subtle): @noble/ed25519 + @noble/hashes.

    The detail labels are painted magenta (the probe copy of the site): they show for a genuine
    certificate and stay hidden without one (`hidden` beats .details' display:grid).
    """
    www, tokens = state_site
    tokens = {**tokens, "none": ""}
    resolver = "--host-resolver-rules=MAP verify.example.test 127.0.0.1"
    with chromium.serve(www) as base:
        plain = base.replace("127.0.0.1", "verify.example.test") + "probe/"

        def load(state: str) -> tuple[str, Image.Image]:
            png = tmp_path / f"{state}.png"  # one Chromium run: the DOM on stdout and the screenshot
            dom = chromium.run_chromium(["--virtual-time-budget=8000", resolver, "--window-size=480,900",
                                         f"--screenshot={png}", "--dump-dom", f"{plain}#{tokens[state]}"])
            return dom, Image.open(png)

        with ThreadPoolExecutor(max_workers=3) as pool:
            seen = dict(zip(tokens, pool.map(load, tokens), strict=True))
    magenta = (0xFF, 0x00, 0xFF)
    none_dom, none_shot = seen.pop("none")
    assert _result(none_dom)["status"] == "none" and _result(none_dom)["badge"] == "请扫码"
    assert _pixels_near(none_shot, magenta, tolerance=40) == 0  # no label without data
    for state, (dom, shot) in seen.items():
        labels = _pixels_near(shot, magenta, tolerance=40)
        assert labels == 0 if state == "forged" else labels > 50, (state, labels)
        result = _result(dom)
        main = re.search(r'<main id="result"[^>]*>', dom)
        assert main is not None and 'data-engine="noble+noble-sha512"' in main.group(0), (state, main)
        assert result["status"] == state and result["badge"] == BADGES[state], (state, result)
        background, ink = BADGE_COLOURS[state]
        assert _pixels_near(shot, background) > 8000, state  # the badge, in its state's colour
        assert _pixels_near(shot, ink, tolerance=8) > 60, state  # its text, in the state's ink
        if state != "valid":
            assert _pixels_near(shot, BADGE_COLOURS["valid"][0]) < 100, state  # never green
    assert seen["valid"][0].count("王建国") == 1
    assert "欧阳振华" in seen["revoked"][0] and _result(seen["revoked"][0])["details_hidden"] == "False"
    assert "尚未生效" in _result(seen["notyet"][0])["message"]
    forged = _result(seen["forged"][0])
    assert forged["details_hidden"] == "True" and forged["f-name"] == "" and "王建国" not in forged["inner"]
    demo = _result(seen["demo"][0])
    assert demo["demo"] == "true" and "演示密钥" in demo["message"] and "不具效力" in demo["inner"]
    assert 'id="demo-note" class="demo-note">' in demo["inner"]  # shown (no hidden attribute)


def test_states_with_webcrypto_ed25519_and_without_it_over_https(state_site: tuple[Path, dict[str, str]]) -> None:
    """A secure context: the browser's own Ed25519, or — where it has none — noble with WebCrypto SHA-512."""
    www, tokens = state_site
    cases = [("native", "valid"), ("native", "forged"), ("no-ed25519", "valid"), ("no-ed25519", "forged"),
             ("no-ed25519", "demo")]
    with chromium.serve(www) as base, ThreadPoolExecutor(max_workers=4) as pool:
        doms = list(pool.map(lambda c: chromium.dump_dom(f"{base}{c[0]}/#{tokens[c[1]]}", budget_ms=8000), cases))
    engines = {"native": "webcrypto", "no-ed25519": "noble+webcrypto-sha512"}
    for (site, state), dom in zip(cases, doms, strict=True):
        result = _result(dom)
        assert result["status"] == state and result["badge"] == BADGES[state], (site, state, result)
        assert f'data-engine="{engines[site]}"' in dom, (site, state)


def test_vendored_files_match_their_recorded_sha256() -> None:
    vendor = verify.SITE_TEMPLATES / "vendor"
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"^\| (\S+) \| @noble/\S+ \| [\d.]+ \| ([0-9a-f]{64}) \|$", readme, re.M))
    assert sorted(recorded) == sorted(verify.VENDOR_FILES)
    for name, digest in recorded.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
    assert "MIT License" in (vendor / "noble-ed25519" / "LICENSE").read_text(encoding="utf-8")


DATE_PROBE = """/* test only: once the page has a verdict, mark each date span with the lines it occupies */
(function poll() {
  var main = document.getElementById("result");
  if (main.getAttribute("data-status") === "pending") { setTimeout(poll, 50); return; }
  var spans = document.querySelectorAll(".date");
  for (var i = 0; i < spans.length; i++) {
    var rects = spans[i].getClientRects(), tops = {};
    for (var j = 0; j < rects.length; j++) { tops[Math.round(rects[j].top)] = true; }
    spans[i].setAttribute("data-lines", String(Object.keys(tops).length));
  }
  main.setAttribute("data-probed", String(spans.length));
})();
"""


def test_dates_stay_on_one_line_on_narrow_phones(state_site: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """Term and message dates ("2030年5月19日") never wrap, at phone widths from 320 px."""
    www, tokens = state_site
    site = tmp_path / "www" / "dates"
    shutil.copytree(www / "native", site)
    (site / "probe.js").write_text(DATE_PROBE, encoding="utf-8")
    index = site / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "</body>", '<script src="probe.js"></script>\n</body>', 1), encoding="utf-8")
    cases = [(width, state) for width in (320, 360, 390) for state in ("valid", "notyet", "expired")]
    with chromium.serve(tmp_path / "www") as base, ThreadPoolExecutor(max_workers=3) as pool:
        doms = list(pool.map(lambda c: chromium.run_chromium([
            "--virtual-time-budget=8000", f"--window-size={c[0]},900", "--dump-dom",
            f"{base}dates/#{tokens[c[1]]}"]), cases))
    for (width, state), dom in zip(cases, doms, strict=True):
        result = _result(dom)
        assert result["status"] == state, (width, state, result)
        assert re.search(r"^\d{4}年\d{1,2}月\d{1,2}日至\d{4}年\d{1,2}月\d{1,2}日$", result["f-term"]), result
        dates = re.findall(r'<span class="date" data-lines="(\d+)">(.*?)</span>', dom)
        assert len(dates) == (2 if state == "valid" else 3), (width, state, dates)  # the term (+ the message)
        assert all(lines == "1" for lines, _ in dates), (width, state, dates)


def test_opened_from_disk_says_to_use_the_web_address(state_site: tuple[Path, dict[str, str]]) -> None:
    """file:// (a double-click on index.html): modules do not load; within 2 s the page says what to do."""
    www, tokens = state_site
    dom = chromium.dump_dom((www / "native" / "index.html").as_uri() + "#" + tokens["valid"], budget_ms=2000)
    result = _result(dom)
    assert result["status"] == "local" and result["badge"] == "请通过网址打开", result
    assert "网址" in result["message"] and "python3 -m http.server" in result["message"], result
    assert "正在查验" not in dom and result["details_hidden"] == "True"
