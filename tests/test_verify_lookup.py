"""Checking a certificate without its QR code: 证书编号 + 姓名 on the page and in `make verify`.

One real-key round of two certificates (issued without typesetting), its site before and after a
revocation made in the registry after printing, and a copy whose revoked.json was altered. In headless
Chromium a test script types into the form and presses 查询, as a visitor would; one run per case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.core import signing
from pipeline.registry import lookup
from pipeline.stages import registry as registry_stage
from pipeline.stages import verify
from pipeline.stages.certificates import issue_certificates
from tests import chromium
from tests.test_certificates import context, make_awardees, make_edition, skip_rendering
from tests.test_hostile_settings import _make
from tests.test_verify_site import _result

NAMES = ("王建国", "阿依古丽·买买提")

TYPE_AND_SUBMIT = """/* test only: type ?number=…&name=… into the form and press 查询, as a visitor would */
const query = new URLSearchParams(location.search);
if (query.has("number")) {
  document.getElementById("q-number").value = query.get("number");
  document.getElementById("q-name").value = query.get("name");
  document.getElementById("q-submit").click();
  /* --virtual-time-budget runs timers in no real time, but WebCrypto's PBKDF2 takes real time on another
     thread: until there is a verdict, spend a little real time (a synchronous request) per timer tick */
  const wait = () => {
    if (document.getElementById("result").dataset.status !== "pending") { return; }
    const request = new XMLHttpRequest();
    request.open("GET", "type.js", false);
    request.send();
    setTimeout(wait, 20);
  };
  setTimeout(wait, 0);
}
"""


@dataclass(frozen=True)
class Round:
    """The fixture: folders and what the office knows."""

    root: Path
    edition: Path
    www: Path
    numbers: tuple[str, ...]
    tokens: tuple[str, ...]
    revoked_on: dt.date


def _env(mp: pytest.MonkeyPatch, root: Path) -> None:
    for name in ("state", "keys", "output"):
        mp.setenv(f"XN_{name.upper()}", str(root / name))


def _publish(site: Path, target: Path) -> None:
    """A copy of the site as a web server would publish it, with the typing script added."""
    shutil.copytree(site, target)
    (target / "type.js").write_text(TYPE_AND_SUBMIT, encoding="utf-8")
    index = target / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "</body>", '<script type="module" src="type.js"></script>\n</body>', 1), encoding="utf-8")


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Round]:
    root = tmp_path_factory.mktemp("lookup")
    today = dt.date.today()
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, root)
        skip_rendering(mp)
        edition = make_edition(root / "ed", "demo = false", "[certificates.blank]\nenabled = false")
        toml = edition / "edition.toml"
        text = toml.read_text(encoding="utf-8").replace("issue_date = 2027-05-20",
                                                        f"issue_date = {today - dt.timedelta(days=30)}")
        toml.write_text(text.replace("iterations = 100000", "iterations = 10000"), encoding="utf-8")
        signing.create_key(demo=False)
        ctx = context(edition)
        result = issue_certificates(ctx, make_awardees(edition, NAMES))
        numbers = tuple(i.record.number for i in result.issued)
        tokens = tuple(i.url.split("#", 1)[1] for i in result.issued)
        www = root / "www"
        _publish(result.verify_dir, www / "before")
        # revoked after printing: `make registry ARGS="revoke …"` refreshes the published files
        revoked_on = today - dt.timedelta(days=1)
        code = registry_stage.main(ctx, argparse.Namespace(action="revoke", number=numbers[1], reason="测试撤销",
                                                          date=revoked_on))
        assert code == 0
        _publish(result.verify_dir, www / "after")
        _publish(result.verify_dir, www / "tampered")
        listing = json.loads((www / "tampered" / "revoked.json").read_text(encoding="utf-8"))
        listing["list"] = re.sub(r'"revoked":\[.*\]', '"revoked":[]', listing["list"])  # the revocation taken out
        (www / "tampered" / "revoked.json").write_text(json.dumps(listing, ensure_ascii=False), encoding="utf-8")
        yield Round(root, edition, www, numbers, tokens, revoked_on)


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.mark.slow
@pytest.mark.skipif(chromium.chromium() is None, reason="chromium is not installed (make setup)")
def test_lookup_and_signed_revocations_in_headless_chromium(issued: Round) -> None:
    number, other = issued.numbers
    typed_number = " " + number.lower().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}) + " "  # full-width
    query = urllib.parse.urlencode
    cases = {
        # found, with full-width lower-case digits and spaces, on plain http (the vendored @noble/hashes)
        "found": ("plain", "before/?" + query({"number": typed_number, "name": " 王 建国 "})),
        "wrong name": ("local", "before/?" + query({"number": number, "name": "王建军"})),
        "unknown number": ("local", "before/?" + query({"number": number[:-3] + "099", "name": "王建国"})),
        "revoked, typed": ("local", "after/?" + query({"number": other, "name": "阿依古丽买买提"})),
        "revoked, scanned": ("local", f"after/#{issued.tokens[1]}"),
        "tampered list": ("local", f"tampered/#{issued.tokens[0]}"),
    }
    resolver = "--host-resolver-rules=MAP verify.example.test 127.0.0.1"
    with chromium.serve(issued.www) as base, ThreadPoolExecutor(max_workers=3) as pool:
        plain = base.replace("127.0.0.1", "verify.example.test")

        def load(case: tuple[str, str]) -> str:
            host, path = case
            return chromium.run_chromium(["--virtual-time-budget=10000", resolver, "--dump-dom",
                                          (plain if host == "plain" else base) + path])

        doms = dict(zip(cases, pool.map(load, cases.values()), strict=True))
    seen = {name: _result(dom) for name, dom in doms.items()}

    found = seen["found"]
    assert found["status"] == "valid" and found["badge"] == "有效", found
    assert found["f-name"] == "王建国" and found["f-number"] == number, found
    assert 'data-kdf="noble"' in doms["found"]

    for name in ("wrong name", "unknown number"):
        assert seen[name]["status"] == "notfound" and seen[name]["badge"] == "未查到", (name, seen[name])
        assert seen[name]["message"].startswith("未查到——请核对证书编号和姓名"), seen[name]
        assert seen[name]["details_hidden"] == "True" and "王建国" not in seen[name]["inner"]
    assert seen["wrong name"]["inner"] == seen["unknown number"]["inner"]  # nothing tells the two apart
    assert 'data-kdf="webcrypto"' in doms["wrong name"]

    for name in ("revoked, typed", "revoked, scanned"):
        result = seen[name]
        assert result["status"] == "revoked" and result["badge"] == "已撤销", (name, result)
        assert result["f-name"] == "阿依古丽·买买提" and _cn(issued.revoked_on) in result["message"], result
        assert f"已撤销（{_cn(issued.revoked_on)}）" in result["inner"], result

    tampered = seen["tampered list"]
    assert tampered["status"] == "badlist" and tampered["badge"] == "无法查验", tampered
    assert "撤销名单" in tampered["message"] and "数字签名验证失败" in tampered["message"], tampered
    assert tampered["details_hidden"] == "True"  # no verdict, no details


def test_lookup_index_has_no_name_or_number_in_clear(issued: Round) -> None:
    site = issued.www / "after"
    text = (site / "lookup.json").read_text(encoding="utf-8")
    index = json.loads(text)
    assert index["count"] == 2 and index["kdf"] == {"name": "PBKDF2-SHA256", "iterations": 10000,
                                                    "salt": index["kdf"]["salt"]}
    for secret in (*NAMES, "阿依古丽", "买买提", *issued.numbers, "XATN", str(dt.date.today().year),
                   *(t.split(".")[0][:12] for t in issued.tokens)):
        assert secret not in text, secret
    assert not re.search(r"[\u4e00-\u9fff]", text)  # no Chinese at all
    assert not re.search(r"\d{9}", text)  # no digit run that could pass for a phone or ID number
    assert len({len(blob) for blob in index["entries"].values()}) == 1  # equal lengths: no name length shows
    # the index answers only for the pair, normalised as the page does it
    assert lookup.find(index, issued.numbers[0].lower(), "王 建国") == issued.tokens[0]
    assert lookup.find(index, issued.numbers[1], "阿依古丽・买买提") == issued.tokens[1]
    assert lookup.find(index, issued.numbers[0], "阿依古丽·买买提") is None
    # the published revocation list is signed: the altered copy is refused, the genuine one read
    keys = [signing.PublishedKey(signing.public_from_b64(k["public_key"]), k["demo"])
            for k in json.loads((site / "keys.json").read_text(encoding="utf-8"))["keys"]]
    listed = signing.verify_revocations((site / "revoked.json").read_text(encoding="utf-8"), keys)
    assert listed.revoked == {issued.numbers[1]: issued.revoked_on}
    with pytest.raises(signing.RevocationListError, match="数字签名验证失败"):
        signing.verify_revocations((issued.www / "tampered" / "revoked.json").read_text(encoding="utf-8"), keys)


def test_make_verify_with_number_and_name(issued: Round, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`make verify NUMBER=… NAME=…` (XN_NUMBER / XN_NAME) answers like the page."""
    _env(monkeypatch, issued.root)
    ctx = context(issued.edition)
    args = argparse.Namespace(qr=None, image=None, number=None, name=None)

    def run(number: str, name: str) -> tuple[int, str]:
        monkeypatch.setenv("XN_NUMBER", number)
        monkeypatch.setenv("XN_NAME", name)
        code = verify.main(ctx, args)
        return code, capsys.readouterr().out

    code, out = run(issued.numbers[0], "王建国")
    assert code == 0 and out.startswith("有效：") and "王建国" in out, out
    code, out = run(issued.numbers[1], "阿依古丽·买买提")
    assert code == 1 and out.startswith("已撤销：") and _cn(issued.revoked_on) in out, out
    wrong, unknown = run(issued.numbers[0], "王建军"), run("XATN-1999-001", "王建国")
    assert wrong[0] == unknown[0] == 1
    assert wrong[1].startswith("未查到——请核对证书编号和姓名") and unknown[1].startswith("未查到——请核对证书编号和姓名")
    # the QR path is unchanged
    monkeypatch.delenv("XN_NUMBER")
    monkeypatch.delenv("XN_NAME")
    code = verify.main(ctx, argparse.Namespace(qr=issued.tokens[0], image=None, number=None, name=None))
    assert code == 0 and capsys.readouterr().out.startswith("有效：")


def test_make_verify_number_and_name_through_make(issued: Round, tmp_path: Path) -> None:
    """The real Makefile passes NUMBER= and NAME= as text: spaces, quotes and $(shell …) stay plain."""
    env = dict(os.environ)
    for name in ("state", "keys", "output"):
        env[f"XN_{name.upper()}"] = str(issued.root / name)
    edition = f"EDITION={issued.edition}"
    done = _make("verify", edition, f"NUMBER={issued.numbers[0].lower()}", "NAME=王 建国", cwd=tmp_path, env=env)
    assert done.returncode == 0 and "\n有效：证书 " + issued.numbers[0] in done.stdout, done.stderr
    pwned = tmp_path / "pwned"
    done = _make("verify", edition, f"NUMBER={issued.numbers[0]}", f"NAME=$(shell touch {pwned})'\"", cwd=tmp_path,
                 env=env)
    assert done.returncode != 0 and "\n未查到——请核对证书编号和姓名" in done.stdout, done.stderr
    assert not pwned.exists()
