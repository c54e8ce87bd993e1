"""The static verification site in real headless Chromium: valid, forged, revoked, expired, hostile text.

The genuine URL is the one decoded (zxing-cpp) from a rendered certificate; the site is served
by a plain static server on 127.0.0.1, as any web server would publish output/<edition>/verify/.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline import qr, signing
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
        found = re.search(rf'id="{key}"[^>]*>(.*?)</', main.group(2), re.S)
        out[key] = html.unescape(found.group(1)) if found else ""
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
        verify.revocations_json({revoked_item.record.number: dt.date(2027, 9, 1)}), encoding="utf-8")

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
    assert genuine["status"] == "valid" and genuine["badge"] == "有效", genuine
    assert genuine["f-name"] == "王建国" and genuine["f-number"] == result.issued[0].record.number
    assert genuine["f-term"] == "2027年5月20日至2030年5月19日"
    assert genuine["demo"] == "true"  # signed with the demo key: the page says so

    for name in ("payload", "signature", "garbage"):
        assert seen[name]["status"] == "forged", (name, seen[name])
        assert seen[name]["badge"] == "无效" and seen[name]["details_hidden"] == "True"
        assert "王建国" not in seen[name]["inner"]

    assert seen["revoked"]["status"] == "revoked" and "2027年9月1日" in seen["revoked"]["message"]
    assert seen["revoked"]["f-name"] == "李秀兰"
    assert seen["expired"]["status"] == "expired" and seen["expired"]["f-name"] == "赵老"
    assert seen["empty"]["status"] == "none"

    assert seen["hostile"]["status"] == "valid"
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
    site = verify.write_site(ctx, [signing.PublishedKey(signer.public, True)], {"XATN-2027-003": dt.date(2027, 9, 1)})
    assert sorted(p.name for p in site.iterdir()) == ["index.html", "keys.json", "public-key.pem", "revoked.json",
                                                      "style.css", "verify.js"]
    text = "".join(p.read_text(encoding="utf-8") for p in site.iterdir())
    assert not re.search(r"\d{17}[\dX]", text)  # no ID number
    assert not re.search(r"1[3-9]\d{9}", text)  # no mobile number
    revoked = (site / "revoked.json").read_text(encoding="utf-8")
    assert '"XATN-2027-003"' in revoked and "reason" not in revoked
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in index and "<script src=\"verify.js\"" in index
    assert "演示" in index  # demo site says so
