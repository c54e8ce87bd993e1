"""Signing of QR payloads: canonical bytes, one changed byte → forged, statuses, keys never overwritten."""

from __future__ import annotations

import base64
import datetime as dt
import stat
from pathlib import Path

import pytest

from pipeline.core import signing
from pipeline.core.errors import StageError
from pipeline.render import qr

BASE = "https://rsj.dxal.example.cn/xatn/verify/"
TODAY = dt.date(2028, 1, 1)


@pytest.fixture
def keys_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty keys folder ($XN_KEYS)."""
    folder = tmp_path / "keys"
    monkeypatch.setenv("XN_KEYS", str(folder))
    return folder


def _payload(name: str = "王建国", number: str = "XATN-2027-001") -> signing.Payload:
    start, end = signing.term_of(dt.date(2027, 5, 20), 3)
    return signing.Payload(number, name, 2027, start, end)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_term_is_three_years_to_the_day_before() -> None:
    assert signing.term_of(dt.date(2027, 5, 20), 3) == (dt.date(2027, 5, 20), dt.date(2030, 5, 19))
    assert signing.term_of(dt.date(2028, 2, 29), 3) == (dt.date(2028, 2, 29), dt.date(2031, 2, 28))


def test_payload_is_compact_text_with_exactly_the_five_fields() -> None:
    payload = _payload()
    assert payload.text() == "1|XATN-2027-001|王建国|2027|20270520|20300519"
    assert signing.Payload.parse(payload.canonical()) == payload
    with pytest.raises(ValueError):
        signing.Payload.parse(b"1|XATN-2027-001|\xe7\x8e\x8b|2027|20270520|20300519|extra")
    with pytest.raises(ValueError, match="姓名"):
        _payload(name="王|建国").text()


def test_genuine_token_verifies_and_url_carries_it_in_the_fragment(keys_dir: Path) -> None:
    signer, _ = signing.create_key(demo=False)
    url = signing.qr_url(BASE, signing.sign(_payload(), signer))
    assert url.startswith(BASE + "#")
    keys = [signing.PublishedKey(signer.public, False)]
    verdict = signing.verify_text(url, keys, {}, TODAY)
    assert verdict.status == "valid" and verdict.payload == _payload() and not verdict.demo
    assert signing.verify_text(url.split("#")[1], keys, {}, TODAY).status == "valid"  # bare token too


def test_every_single_changed_byte_of_payload_or_signature_is_forged(keys_dir: Path) -> None:
    signer, _ = signing.create_key(demo=False)
    keys = [signing.PublishedKey(signer.public, False)]
    encoded, encoded_sig = signing.sign(_payload(), signer).split(".")
    data, sig = _unb64(encoded), _unb64(encoded_sig)
    for part in ("payload", "signature"):
        original = data if part == "payload" else sig
        for index in range(len(original)):
            changed = bytearray(original)
            changed[index] ^= 0x01
            token = (f"{_b64(bytes(changed))}.{encoded_sig}" if part == "payload"
                     else f"{encoded}.{_b64(bytes(changed))}")
            verdict = signing.verify_text(BASE + "#" + token, keys, {}, TODAY)
            assert verdict.status == "forged", (part, index)
            assert verdict.payload is None


def test_other_key_truncated_and_garbage_are_forged(keys_dir: Path) -> None:
    real, _ = signing.create_key(demo=False)
    demo, _ = signing.create_key(demo=True)
    token = signing.sign(_payload(), demo)
    assert signing.verify_text(token, [signing.PublishedKey(real.public, False)], {}, TODAY).status == "forged"
    assert signing.verify_text(token[:-3], [signing.PublishedKey(demo.public, True)], {}, TODAY).status == "forged"
    assert signing.verify_text("https://example.com/", [signing.PublishedKey(real.public, False)], {},
                               TODAY).status == "forged"


def test_revoked_and_expired(keys_dir: Path) -> None:
    signer, _ = signing.create_key(demo=False)
    keys = [signing.PublishedKey(signer.public, False)]
    token = signing.sign(_payload(), signer)
    revoked = signing.verify_text(token, keys, {"XATN-2027-001": dt.date(2027, 9, 1)}, TODAY)
    assert revoked.status == "revoked" and revoked.revoked_on == dt.date(2027, 9, 1)
    assert "撤销" in revoked.reason
    assert signing.verify_text(token, keys, {}, dt.date(2030, 5, 19)).status == "valid"  # last day of the term
    expired = signing.verify_text(token, keys, {}, dt.date(2030, 5, 20))
    assert expired.status == "expired" and "届满" in expired.reason


def test_demo_key_is_labelled_and_its_certificates_say_so(keys_dir: Path) -> None:
    demo, created = signing.create_key(demo=True)
    assert created and demo.files.private.name == "demo-signing-key.pem"
    assert "演示密钥" in demo.files.private.read_text(encoding="utf-8").splitlines()[0]
    token = signing.sign(_payload(), demo)
    verdict = signing.verify_text(token, [signing.PublishedKey(demo.public, True)], {}, TODAY, demo_edition=True)
    assert verdict.status == "valid" and verdict.demo and "演示" in verdict.reason
    # outside a demo edition the same certificate is a demo certificate, never valid
    outside = signing.verify_text(token, [signing.PublishedKey(demo.public, True)], {}, TODAY)
    assert outside.status == "demo" and outside.demo and "不具任何效力" in outside.reason


def test_key_is_created_once_never_overwritten_and_private(keys_dir: Path) -> None:
    first, created = signing.create_key(demo=False)
    before = first.files.private.read_bytes()
    again, created_again = signing.create_key(demo=False)
    assert created and not created_again
    assert first.files.private.read_bytes() == before
    assert signing.raw_public(again.public) == signing.raw_public(first.public)
    assert stat.S_IMODE(first.files.private.stat().st_mode) == 0o600
    assert first.files.public_pem.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert base64.b64decode(first.files.public_b64.read_text()) == signing.raw_public(first.public)
    # even a file that is not a key is never replaced
    first.files.private.write_text("not a key")
    with pytest.raises(StageError, match="无法读取"):
        signing.create_key(demo=False)
    assert first.files.private.read_text() == "not a key"


def test_exclusive_write_loses_a_race_without_overwriting(tmp_path: Path) -> None:
    target = tmp_path / "k.pem"
    target.write_bytes(b"first")
    assert signing._exclusive_write(target, b"second", 0o600) is False
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["k.pem"]  # no temporary file left


def test_missing_key_says_run_make_keys(keys_dir: Path) -> None:
    with pytest.raises(signing.KeyMissingError, match="签名密钥") as info:
        signing.load_signer(demo=False)
    assert "make keys" in info.value.hint


def test_extract_token_from_url_query_or_bare() -> None:
    token = "MXxYQVRO." + "A" * 86
    assert signing.extract_token(f"{BASE}#{token}") == token
    assert signing.extract_token(f"{BASE}?c={token}") == token
    assert signing.extract_token(f"  {token}\n") == token
    assert signing.extract_token("hello world") is None


def test_qr_symbol_prints_large_enough_modules(keys_dir: Path) -> None:
    signer, _ = signing.create_key(demo=False)
    url = signing.qr_url(BASE, signing.sign(_payload(name="阿依古丽·买买提"), signer))
    symbol = qr.make_qr(url, "Q")
    assert symbol.module_mm(38) >= 0.45
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(symbol.png())).convert("L").resize((400, 400), Image.Resampling.NEAREST)
    assert qr.decode_image(image) == [url]
