"""查询索引 lookup.json：没有二维码时，凭证书编号和姓名查验证书。

The lookup index of the verification site: 证书编号 + 姓名 → the certificate's signed QR token.

Like the national 职业技能等级证书 query, a visitor types the number and the name printed on the
certificate and gets the answer a scan gives. The static site cannot ask a database, so it
publishes lookup.json, which tells nothing to whoever lacks both values:

    material = NFKC(number), spaces removed, upper case  "\\n"  NFKC(name), spaces and middle dots
               (· ・ • ‧ ∙ ⋅ ･ .) removed: what people type for 阿依古丽·买买提 all match
    master   = PBKDF2-HMAC-SHA256(material, salt, iterations, 32 bytes)   (slow on purpose)
    id       = HMAC-SHA256(master, ID_INFO)[:16], base64url               (the entry's key; not hex, whose
                                                                            digit runs could pass for phone numbers)
    key      = HMAC-SHA256(master, KEY_INFO)
    nonce    = HMAC-SHA256(key, NONCE_INFO + plaintext)[:16]               (synthetic: same text, same bytes)
    entry    = base64url(nonce + plaintext XOR HMAC-SHA256(key, nonce + u32 counter)…)

The plaintext is the certificate's QR token ("<payload>.<signature>", exactly what the QR code
carries) padded with spaces to PAD bytes, so every entry has the same length: a visitor sees how
many certificates there are, never a name, number, length of a name, round or term. The entries
are sorted by id (random order). The salt is per site (HMAC of the signing key and the edition's
name: stable across runs, unknown before the site is published); the iterations are in
`[lookup] iterations` and in the file. The page (templates/verify/verify.js) computes the same
with WebCrypto, or with the vendored @noble/hashes where the browser has no crypto.subtle, then
checks the decrypted token like a scanned one: signature, signed revocation list, term.

A wrong name and an unknown number look the same (no entry). Names are short, so someone who
knows a number can still try many names; the iterations make each try cost, nothing more (the
national query has a server that limits tries; a static site cannot).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization

from pipeline.core import signing
from pipeline.core.edition import Edition, section

SCHEMA = 1
"""Format of lookup.json."""
KDF = "PBKDF2-SHA256"
"""The slow hash, as named in lookup.json."""
ID_INFO = b"XATN-LOOKUP-1 id"
KEY_INFO = b"XATN-LOOKUP-1 key"
NONCE_INFO = b"XATN-LOOKUP-1 nonce"
SALT_INFO = b"XATN-LOOKUP-1 salt\n"
PAD = 512
"""Every plaintext is padded to this many bytes (a QR token is at most ~350 with a 60-character name)."""
DEFAULT_ITERATIONS = 100_000
"""PBKDF2 iterations: ~0.06 s in WebCrypto or Python, ~0.4 s in @noble/hashes on a desktop."""
_DOTS = re.compile(r"[·・•‧∙⋅･.]")
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


@dataclass(frozen=True)
class LookupOptions:
    """[lookup] of edition.toml."""

    iterations: int
    """PBKDF2 iterations of the index (more = slower to guess names, slower for visitors)."""


def lookup_options(edition: Edition) -> LookupOptions:
    """Edition in → its [lookup] settings, range-checked (EditionConfigError naming the key)."""
    s = section(edition, "lookup", edition.raw.get("lookup"), {"iterations": DEFAULT_ITERATIONS})
    return LookupOptions(s.integer("iterations", 10_000, 2_000_000, "（次）"))


def normalise_number(text: str) -> str:
    """A typed 证书编号 → the form the index uses (NFKC, no spaces, upper case): 'ｘａｔｎ－２０２７－００１ ' → 'XATN-2027-001'."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).upper()


def normalise_name(text: str) -> str:
    """A typed 姓名 → the form the index uses (NFKC, no spaces, no middle dots): '阿依古丽 • 买买提' → '阿依古丽买买提'."""
    return _DOTS.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))


def site_salt(signer: signing.Signer, edition_name: str) -> bytes:
    """Signing key and edition name in → the site's 16-byte salt (stable, unpredictable without the key)."""
    raw = signer.private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                       serialization.NoEncryption())
    return hmac.digest(raw, SALT_INFO + edition_name.encode("utf-8"), "sha256")[:16]


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.digest(key, data, "sha256")


def _keys(number: str, name: str, salt: bytes, iterations: int) -> tuple[str, bytes]:
    """Typed number and name in → (entry id, encryption key)."""
    material = f"{normalise_number(number)}\n{normalise_name(name)}".encode()
    master = hashlib.pbkdf2_hmac("sha256", material, salt, iterations, 32)
    return _b64url(_hmac(master, ID_INFO)[:16]), _hmac(master, KEY_INFO)


def _stream(key: bytes, nonce: bytes, data: bytes) -> bytes:
    blocks = b"".join(_hmac(key, nonce + i.to_bytes(4, "big")) for i in range((len(data) + 31) // 32))
    return bytes(a ^ b for a, b in zip(data, blocks, strict=False))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def entry(token: str, number: str, name: str, salt: bytes, iterations: int) -> tuple[str, str]:
    """A QR token and its certificate's number and name in → (id, encrypted entry)."""
    entry_id, key = _keys(number, name, salt, iterations)
    plain = token.encode("ascii")
    if len(plain) > PAD:
        raise ValueError(f"查验码过长（{len(plain)} 字节），无法放入查询索引")
    plain += b" " * (PAD - len(plain))
    nonce = _hmac(key, NONCE_INFO + plain)[:16]
    return entry_id, _b64url(nonce + _stream(key, nonce, plain))


def index_json(tokens: Iterable[tuple[signing.Payload, str]], salt: bytes, iterations: int) -> str:
    """(payload, QR token) of every certificate, salt and iterations in → lookup.json text."""
    entries = dict(sorted(entry(token, p.number, p.name, salt, iterations) for p, token in tokens))
    return json.dumps({"schema": SCHEMA, "kdf": {"name": KDF, "iterations": iterations,
                                                 "salt": _b64url(salt)},
                       "count": len(entries), "entries": entries}, indent=0) + "\n"


def find(index: Mapping[str, object], number: str, name: str) -> str | None:
    """Parsed lookup.json and a typed number and name in → the certificate's QR token, None when not found.

    Found only when the decrypted token's own number and name are the typed ones (normalised): an
    entry moved to another id never answers for someone else.
    """
    kdf = index.get("kdf")
    entries = index.get("entries")
    if not (isinstance(kdf, dict) and isinstance(entries, dict)) or kdf.get("name") != KDF:
        raise ValueError("lookup.json: unknown format")
    salt = base64.urlsafe_b64decode(str(kdf["salt"]) + "=" * (-len(str(kdf["salt"])) % 4))
    entry_id, key = _keys(number, name, salt, int(kdf["iterations"]))
    blob = entries.get(entry_id)
    if not isinstance(blob, str):
        return None
    try:
        data = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        token = _stream(key, data[:16], data[16:]).decode("ascii").rstrip(" ")
        payload = signing.Payload.parse(base64.urlsafe_b64decode(
            token.split(".", 1)[0] + "=" * (-len(token.split(".", 1)[0]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    if (normalise_number(payload.number), normalise_name(payload.name)) != (normalise_number(number),
                                                                            normalise_name(name)):
        return None
    return token
