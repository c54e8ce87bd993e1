"""Ed25519 signing of certificate QR payloads, and the keys that do it.

The QR code of a certificate holds a URL: the configured verification base, then
`#<payload>.<signature>`, both base64url without padding. The payload is compact UTF-8 text

    1|XATN-2027-001|王建国|2027|20270520|20300519
    (format version | certificate number | name | round | term start | term end)

and the signature is Ed25519 over `DOMAIN + payload` — exactly the bytes carried, so there
is no canonicalisation step a verifier could get wrong. Nothing else is in it: no ID number,
phone or address.

Keys live outside output/ and outside git (`keys/`, or $XN_KEYS):

    keys/signing-key.pem            the real key (`make keys`), created once, never overwritten
    keys/demo-signing-key.pem       the demo key, for demo editions only, labelled DEMO in the file
    keys/<key>.pub.pem, .pub.b64    the exported public keys (PEM and raw base64)

The demo key is not secret: it is derived from a published seed, so every machine has the same
one and its fingerprint is listed here (DEMO_KEY_FINGERPRINTS; templates/verify/verify.js lists
its public key too). A demo key is recognised by that list, by the DEMO label in its file, and
by being the key of keys/demo-signing-key.pem (an older, random demo key); it never signs for a
real edition, is never published as a real key, and its certificates are never 有效 outside a
demo edition.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import StageError

DOMAIN = b"XATN-CERT-SIG-1\n"
"""Prefix of every signed message, so a signature can never be reused for another purpose."""
PAYLOAD_VERSION = "1"
"""First field of the payload."""
SEPARATOR = "|"
"""Field separator of the payload text."""

DEMO_LABEL = "演示密钥（DEMO）：仅用于演示届次，由它签名的证书不具任何效力"
"""The label written into the demo key file and shown wherever the demo key is used."""
DEMO_MARK = "DEMO KEY"
"""Second label line of the demo key file, in ASCII: survives any editor and encoding."""
DEMO_SEED = b"xingan-nengshou demo signing key 1"
"""The demo private key is SHA-256 of this: public on purpose, the same on every machine."""
DEMO_KEY_FINGERPRINTS: frozenset[str] = frozenset({
    "916353c300dd8f9606eb1f49c197f6742f3daa44b1826106c86257f4b203d5a3",  # DEMO_SEED
})
"""SHA-256 (hex) of the raw public key of every demo key ever shipped; never a real key."""
_FORBIDDEN = re.compile(r"[|\x00-\x1f\x7f]")


class KeyMissingError(StageError):
    """The signing or public key needed is not there."""


class DemoKeyError(StageError):
    """The real key's place holds a demo key."""


@dataclass(frozen=True)
class KeyFiles:
    """Where one key pair lives."""

    private: Path
    """The private key (PEM, PKCS#8, unencrypted, mode 0600)."""
    public_pem: Path
    """The exported public key, PEM (SubjectPublicKeyInfo)."""
    public_b64: Path
    """The exported public key, raw 32 bytes in base64 (what WebCrypto imports)."""
    demo: bool
    """True for the demo key."""


def keys_dir() -> Path:
    """keys/ under the project root, or $XN_KEYS."""
    return Path(os.environ.get("XN_KEYS", PROJECT_ROOT / "keys"))


def key_files(demo: bool) -> KeyFiles:
    """Demo flag in → the paths of the real or the demo key pair."""
    stem = "demo-signing-key" if demo else "signing-key"
    folder = keys_dir()
    return KeyFiles(folder / f"{stem}.pem", folder / f"{stem}.pub.pem", folder / f"{stem}.pub.b64", demo)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public(key: Ed25519PublicKey) -> bytes:
    """Public key in → its raw 32 bytes."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """Public key in → SHA-256 of its raw bytes (hex), as DEMO_KEY_FINGERPRINTS lists them."""
    return hashlib.sha256(raw_public(key)).hexdigest()


def key_id(key: Ed25519PublicKey) -> str:
    """Public key in → a short fingerprint (first 8 bytes of SHA-256, hex) for messages."""
    return fingerprint(key)[:16]


def _local_demo_public() -> bytes | None:
    """The raw public key of keys/demo-signing-key.pem (or its exported .pub.pem), None when unreadable."""
    files = key_files(demo=True)
    try:
        if files.public_pem.is_file():
            key = serialization.load_pem_public_key(files.public_pem.read_bytes())
        elif files.private.is_file():
            key = _load_private(files.private).public_key()
        else:
            return None
    except (OSError, ValueError, TypeError, StageError):
        return None
    return raw_public(key) if isinstance(key, Ed25519PublicKey) else None


def is_demo_key(key: Ed25519PublicKey) -> bool:
    """Public key in → True when it is a demo key: listed in DEMO_KEY_FINGERPRINTS or this machine's demo key."""
    return fingerprint(key) in DEMO_KEY_FINGERPRINTS or raw_public(key) == _local_demo_public()


def _labelled_demo(data: bytes) -> bool:
    """Key file bytes in → True when the text before the PEM block carries the DEMO label."""
    head = data.split(b"-----BEGIN", 1)[0].decode("utf-8", errors="replace")
    return DEMO_MARK in head or DEMO_LABEL in head


@dataclass(frozen=True)
class Signer:
    """A loaded private key."""

    private: Ed25519PrivateKey
    """The key."""
    files: KeyFiles
    """Where it came from."""

    @property
    def public(self) -> Ed25519PublicKey:
        """The matching public key."""
        return self.private.public_key()

    @property
    def demo(self) -> bool:
        """True for the demo key."""
        return self.files.demo


def _exclusive_write(target: Path, data: bytes, mode: int) -> bool:
    """Write target only if it does not exist (atomic, never overwrites); True when written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(mode)
        try:
            os.link(tmp, target)  # fails if target exists: never overwrites, even in a race
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _demo_private() -> Ed25519PrivateKey:
    """The demo key: derived from DEMO_SEED, so its fingerprint is known (DEMO_KEY_FINGERPRINTS)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(DEMO_SEED).digest())


def _private_pem(key: Ed25519PrivateKey, demo: bool) -> bytes:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    if demo:
        header = (f"# {DEMO_LABEL}\n# {DEMO_MARK} - for demo editions only; certificates it signs are not valid.\n")
        return header.encode("utf-8") + pem
    header = ("# 兴安技术能手证书签名私钥：妥善保管，不得外传，不得提交到 git；丢失后已发证书仍可用公钥验证。\n")
    return header.encode("utf-8") + pem


def _load_private(path: Path, data: bytes | None = None) -> Ed25519PrivateKey:
    data = path.read_bytes() if data is None else data
    start = data.find(b"-----BEGIN")
    try:
        key = serialization.load_pem_private_key(data[max(start, 0):], password=None)
    except (ValueError, TypeError) as exc:
        raise StageError(f"签名私钥文件无法读取：{exc}",
                         hint="该文件已损坏或不是本程序生成的密钥；从备份恢复（不要重新生成：已发证书要用原密钥验证）",
                         file=str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise StageError("签名私钥不是 Ed25519 密钥", hint="从备份恢复 make keys 生成的原密钥文件", file=str(path))
    return key


def export_public(signer: Signer) -> None:
    """Signer in → (re)writes its public key files (PEM and raw base64) when missing or different."""
    from pipeline.core import atomic

    pem = signer.public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    atomic.write_bytes(signer.files.public_pem, pem)
    atomic.write_text(signer.files.public_b64, base64.b64encode(raw_public(signer.public)).decode("ascii") + "\n")


def create_key(demo: bool) -> tuple[Signer, bool]:
    """Demo flag in → (the key, True if it was created now); an existing key is never overwritten."""
    files = key_files(demo)
    created = False
    if not files.private.exists():
        files.private.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # a file system without permissions
            files.private.parent.chmod(0o700)
        key = _demo_private() if demo else Ed25519PrivateKey.generate()
        created = _exclusive_write(files.private, _private_pem(key, demo), 0o600)
    signer = _signer(files)
    export_public(signer)
    return signer, created


def _signer(files: KeyFiles) -> Signer:
    """Key files in → the loaded key; DemoKeyError when a demo key sits in the real key's place."""
    data = files.private.read_bytes()
    private = _load_private(files.private, data)
    if not files.demo:
        labelled = _labelled_demo(data)
        if labelled or is_demo_key(private.public_key()):
            why = "文件中标有 DEMO" if labelled else f"指纹 {key_id(private.public_key())} 属于演示密钥"
            raise DemoKeyError(
                f"正式签名密钥的位置放的是演示密钥（{why}）：正式届次（demo = false）不能用演示密钥签发证书，"
                "否则任何人都能伪造“有效”证书",
                hint=f"把 {files.private.name} 移出 {files.private.parent}（不要删除备份中的正式密钥；"
                     "若以前有正式密钥，从备份恢复原文件），然后运行 make keys 生成正式签名密钥，"
                     "再运行 make certificates；不要把 demo-signing-key.pem 复制成 signing-key.pem",
                file=str(files.private))
    return Signer(private, files)


def load_signer(demo: bool) -> Signer:
    """Demo flag in → the existing private key; KeyMissingError when there is none."""
    files = key_files(demo)
    if not files.private.is_file():
        raise KeyMissingError(
            "还没有证书签名密钥" + ("（演示密钥）" if demo else ""),
            hint="运行 make keys 生成签名密钥（只需一次），然后重新运行 make certificates",
            file=str(files.private))
    return _signer(files)


def load_public(demo: bool) -> Ed25519PublicKey:
    """Demo flag in → the public key (from the exported file, else from the private key)."""
    files = key_files(demo)
    if files.public_pem.is_file():
        key = serialization.load_pem_public_key(files.public_pem.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise StageError("公钥文件不是 Ed25519 公钥", hint="运行 make keys 重新导出公钥", file=str(files.public_pem))
        return key
    if not files.private.is_file():
        return load_signer(demo).public  # KeyMissingError
    return _load_private(files.private).public_key()  # a demo key here is marked by the caller (is_demo_key)


def public_from_b64(text: str) -> Ed25519PublicKey:
    """Raw base64 text in → the public key."""
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip()))


# ---- payload -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """What a certificate's QR code vouches for."""

    number: str
    """Certificate number, e.g. XATN-2027-001."""
    name: str
    """Awardee's name as printed."""
    round: int
    """Round (year), e.g. 2027."""
    term_start: dt.date
    """First day of the 3-year term."""
    term_end: dt.date
    """Last day of the term."""

    def text(self) -> str:
        """The payload text (fields joined by '|'); ValueError when a field cannot be carried."""
        for label, value in (("证书编号", self.number), ("姓名", self.name)):
            if not value or _FORBIDDEN.search(value):
                raise ValueError(f"{label}“{value}”为空或含有不能放入二维码的字符（| 或控制字符）")
        return SEPARATOR.join((PAYLOAD_VERSION, self.number, self.name, str(self.round),
                               self.term_start.strftime("%Y%m%d"), self.term_end.strftime("%Y%m%d")))

    def canonical(self) -> bytes:
        """The exact bytes carried in the QR code (UTF-8 payload text)."""
        return self.text().encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> Payload:
        """Carried bytes in → Payload; ValueError when they are not a payload of this version."""
        fields = data.decode("utf-8").split(SEPARATOR)
        if len(fields) != 6 or fields[0] != PAYLOAD_VERSION:
            raise ValueError("unknown payload format")
        _, number, name, round_, start, end = fields
        if not re.fullmatch(r"\d{4}", round_):
            raise ValueError("bad round")
        payload = cls(number, name, int(round_), _ymd(start), _ymd(end))
        if payload.canonical() != data:
            raise ValueError("payload not canonical")
        return payload


def _ymd(text: str) -> dt.date:
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError("bad date")
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def sign(payload: Payload, signer: Signer) -> str:
    """Payload and key in → the token '<payload b64url>.<signature b64url>'."""
    data = payload.canonical()
    return f"{_b64url(data)}.{_b64url(signer.private.sign(DOMAIN + data))}"


def qr_url(base: str, token: str) -> str:
    """Verification base URL and token in → the URL the QR code holds (token in the fragment)."""
    if "#" in base:
        raise ValueError("verify_base_url must not contain '#'")
    return f"{base}#{token}"


_TOKEN = re.compile(r"([A-Za-z0-9_-]{8,})\.([A-Za-z0-9_-]{80,90})")


def extract_token(text: str) -> str | None:
    """QR text (a URL or the bare token) in → the token, or None when there is none."""
    text = text.strip()
    candidates = [text.rsplit("#", 1)[-1]] if "#" in text else []
    for part in re.split(r"[?&=/#\s]", text):
        candidates.append(part)
    for cand in candidates:
        if _TOKEN.fullmatch(cand):
            return cand
    return None


@dataclass(frozen=True)
class Verification:
    """The outcome of checking one QR text against the published keys and revocations."""

    status: str
    """valid, expired, revoked, forged, or demo (signed by a demo key, checked outside a demo edition)."""
    reason: str
    """Why, in Chinese, for the office and the command line."""
    payload: Payload | None
    """The vouched-for data; None when forged (nothing of it may be trusted)."""
    demo: bool = False
    """True when signed by the demo key."""
    revoked_on: dt.date | None = None
    """Date of revocation, when revoked."""


@dataclass(frozen=True)
class PublishedKey:
    """A public key a verifier accepts."""

    key: Ed25519PublicKey
    """The key."""
    demo: bool
    """True for the demo key."""


def verify_text(text: str, keys: Sequence[PublishedKey], revoked: Mapping[str, dt.date],
                today: dt.date, *, demo_edition: bool = False) -> Verification:
    """QR text, accepted keys, revocation list (number → date) and today in → the verdict.

    A certificate signed by a demo key (flagged so, or recognised by is_demo_key) is `demo`, never
    valid, unless checked for a demo edition (demo_edition), where it is valid and says 演示.
    """
    token = extract_token(text)
    if token is None:
        return Verification("forged", "二维码内容不是兴安技术能手证书的查验码（没有签名数据）", None)
    encoded, _, encoded_sig = token.partition(".")
    try:
        data, signature = _unb64url(encoded), _unb64url(encoded_sig)
    except ValueError:
        return Verification("forged", "查验码无法解码（内容被改动）", None)
    if len(signature) != 64:
        return Verification("forged", "签名长度不对（内容被改动或不完整）", None)
    signer = None
    for published in keys:
        try:
            published.key.verify(signature, DOMAIN + data)
        except InvalidSignature:
            continue
        signer = published
        break
    if signer is None:
        return Verification("forged", "签名验证失败：证书内容被篡改，或不是发证机关签发的", None)
    try:
        payload = Payload.parse(data)
    except (ValueError, UnicodeDecodeError):
        return Verification("forged", "签名正确但内容格式不认识（版本不符）", None)
    return status_of(payload, signer.demo or is_demo_key(signer.key), revoked, today, demo_edition=demo_edition)


def status_of(payload: Payload, demo: bool, revoked: Mapping[str, dt.date], today: dt.date, *,
              demo_edition: bool = False) -> Verification:
    """A genuine payload, the revocation list and today in → valid / expired / revoked (demo outside a demo edition)."""
    term = f"任期 {_cn(payload.term_start)}至{_cn(payload.term_end)}"
    who = f"证书 {payload.number}（{payload.name}，{payload.round}年度“兴安技术能手”，{term}）"
    if demo and not demo_edition:
        return Verification("demo", f"{who}由演示密钥签名：这是演示证书，不能证明任何人获得过该荣誉，"
                                    f"不具任何效力（{DEMO_LABEL}）", payload, demo)
    if payload.number in revoked:
        on = revoked[payload.number]
        return Verification("revoked", f"{who}已于{_cn(on)}撤销", payload, demo, on)
    if today > payload.term_end:
        return Verification("expired", f"{who}真实，但任期已于{_cn(payload.term_end)}届满", payload, demo)
    if demo:
        return Verification("valid", f"{who}签名正确——但这是演示证书（{DEMO_LABEL}）", payload, demo)
    return Verification("valid", f"{who}真实有效", payload, demo)


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def term_of(start: dt.date, years: int) -> tuple[dt.date, dt.date]:
    """Term start and length in years → (start, last day), e.g. 2027-05-20 → 2030-05-19."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28) + dt.timedelta(days=1)
    return start, end - dt.timedelta(days=1)


# ---- the signed revocation list (revoked.json) ------------------------------------------------

REVOKED_DOMAIN = b"XATN-REVOKED-SIG-1\n"
"""Prefix of the signed revocation list: a certificate signature can never pass for a list's, nor back."""
REVOKED_SCHEMA = 2
"""Schema of revoked.json: 2 = signed (1 was the unsigned list)."""


class RevocationListError(ValueError):
    """A revocation list that cannot be trusted (bad signature, unknown key, wrong format); the message is Chinese."""


@dataclass(frozen=True)
class RevocationList:
    """A revocation list whose signature was checked."""

    revoked: dict[str, dt.date]
    """Revoked certificate number → date of revocation."""
    signer: PublishedKey
    """The key that signed it."""


def sign_revocations(revoked: Mapping[str, dt.date], signer: Signer) -> str:
    """Revoked numbers and dates and the key in → revoked.json text (numbers and dates only: no names, no reasons).

    The list is the JSON text in "list"; the signature is Ed25519 over REVOKED_DOMAIN + its UTF-8 bytes,
    so the browser checks exactly the bytes it then parses.
    """
    import json

    body = json.dumps({"revoked": [{"number": n, "date": d.isoformat()} for n, d in sorted(revoked.items())]},
                      ensure_ascii=False, separators=(",", ":"))
    signature = signer.private.sign(REVOKED_DOMAIN + body.encode("utf-8"))
    return json.dumps({"schema": REVOKED_SCHEMA, "key": key_id(signer.public), "list": body,
                       "signature": _b64url(signature)}, ensure_ascii=False, indent=1) + "\n"


def verify_revocations(text: str, keys: Sequence[PublishedKey]) -> RevocationList:
    """revoked.json text and the accepted keys in → the checked list; RevocationListError when it cannot be trusted."""
    import json

    try:
        outer = json.loads(text)
        if not isinstance(outer, dict) or outer.get("schema") != REVOKED_SCHEMA:
            raise RevocationListError("撤销名单不是带数字签名的格式（可能是旧版本生成的，或被替换）")
        body, signature = str(outer["list"]), _unb64url(str(outer["signature"]))
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, RevocationListError):
            raise
        raise RevocationListError("撤销名单的格式无法识别（文件损坏或被改动）") from None
    signer = None
    for published in keys:
        try:
            published.key.verify(signature, REVOKED_DOMAIN + body.encode("utf-8"))
        except InvalidSignature:
            continue
        signer = published
        break
    if signer is None:
        raise RevocationListError("撤销名单的数字签名验证失败：名单被改动，或不是发证机关发布的")
    data = json.loads(body)
    revoked = {str(r["number"]): dt.date.fromisoformat(str(r["date"])) for r in data["revoked"]}
    return RevocationList(revoked, signer)
