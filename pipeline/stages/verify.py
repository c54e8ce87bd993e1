"""查验证书：根据二维码内容，或证书的照片、扫描件、PDF，判断真伪和状态。

Verify a certificate from its QR text or a photo/scan/PDF of it; also builds the verification site.

Command `verify`: `--qr '<url or text>'` or `--image <photo, scan or PDF>` (or $XN_QR / $XN_IMAGE,
which `make verify QR=… IMAGE=…` sets, so no shell ever reads them), or `--number 证书编号 --name 姓名`
($XN_NUMBER / $XN_NAME: `make verify NUMBER=… NAME=…`, found in the published lookup.json like the
page does; 未查到 when the pair is not there) → prints the verdict
(有效 / 尚未生效 / 已期满 / 已撤销 / 无效 / 演示证书) with the reason; exit 0 only when valid, 1
otherwise. A picture that cannot be read, or holds no readable QR code, is 无法查验 (exit 2):
nothing was checked, so nothing is called 无效. Only the first pages of a PDF are read, at a
bounded raster size (pipeline.render.qr.decode_file).

The static site `output/<edition>/verify/` (index.html, verify.js, nomodule.js, style.css, keys.json,
public-key.pem, revoked.json signed with the site key, lookup.json (pipeline.registry.lookup), vendor/) does the
same in the browser, from a scanned QR code or a typed 证书编号 and 姓名, and needs no database: publish
the folder on any static web server at [certificates] verify_base_url. It checks with WebCrypto
Ed25519 where the browser has it, else with the vendored @noble/ed25519 (templates/verify/vendor/).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization

from pipeline.core import atomic, signing
from pipeline.core.context import RunContext
from pipeline.core.edition import PROJECT_ROOT
from pipeline.core.errors import ExitCode, PipelineError, StageError

if TYPE_CHECKING:
    from pipeline.registry.store import Certificate

SITE_TEMPLATES = PROJECT_ROOT / "templates" / "verify"
STATIC_FILES = ("verify.js", "nomodule.js", "style.css")
VENDOR_FILES = ("noble-ed25519/index.js", "noble-ed25519/LICENSE", "noble-hashes/sha2.js", "noble-hashes/_md.js",
                "noble-hashes/_u64.js", "noble-hashes/utils.js", "noble-hashes/pbkdf2.js", "noble-hashes/hmac.js",
                "noble-hashes/LICENSE")
"""Files of templates/verify/vendor/ the site publishes (byte for byte; see the README there)."""
STATUS_TITLES: dict[str, str] = {"valid": "有效", "notyet": "尚未生效", "expired": "已期满", "revoked": "已撤销",
                                 "forged": "无效", "demo": "演示证书（不具效力）"}
UNCHECKED = "无法查验"
"""Said when the picture could not be read: no verdict at all (exit 2)."""
CONCLUDES = True
"""main ends with the verdict line (pipeline.cli)."""


def site_dir(ctx: RunContext) -> Path:
    """→ output/<edition>/verify/."""
    return ctx.output / "verify"


def write_published(ctx: RunContext, signer: signing.Signer, revoked: Mapping[str, dt.date],
                    certificates: Sequence[Certificate]) -> list[Path]:
    """The registry's revocations and certificates in → the site's signed revoked.json and its lookup.json.

    `make certificates` writes both with the whole site; `make registry ARGS="revoke …"` rewrites them,
    so a revocation made after printing reaches every verifier once the folder is uploaded again.
    """
    from pipeline.registry import lookup

    folder = site_dir(ctx)
    revoked_file, lookup_file = folder / "revoked.json", folder / "lookup.json"
    atomic.write_text(revoked_file, signing.sign_revocations(revoked, signer))
    tokens = []
    for c in certificates:
        payload = signing.Payload(c.number, c.name, c.round, c.term_start, c.term_end)
        try:
            tokens.append((payload, signing.sign(payload, signer)))
        except ValueError as exc:  # a name that cannot be carried (never issued so)
            ctx.say(f"提示：证书 {c.number}（{c.code} {c.name}）不能放入查询索引：{exc}")
    options = lookup.lookup_options(ctx.edition)
    atomic.write_text(lookup_file, lookup.index_json(tokens, lookup.site_salt(signer, ctx.edition.name),
                                                     options.iterations))
    return [revoked_file, lookup_file]


def write_site(ctx: RunContext, keys: Sequence[signing.PublishedKey], signer: signing.Signer,
               revoked: Mapping[str, dt.date], certificates: Sequence[Certificate]) -> Path:
    """Accepted public keys, the signing key, revocations and certificates in → the static verification site."""
    from pipeline.render.templating import render

    edition = ctx.edition
    folder = site_dir(ctx)
    for name in STATIC_FILES:
        atomic.write_bytes(folder / name, (SITE_TEMPLATES / name).read_bytes())
    for name in VENDOR_FILES:
        atomic.write_bytes(folder / "vendor" / name, (SITE_TEMPLATES / "vendor" / name).read_bytes())
    keys = [dataclasses.replace(k, demo=k.demo or signing.is_demo_key(k.key)) for k in keys]
    demo = any(k.demo for k in keys)
    atomic.write_text(folder / "index.html", render(
        "verify/index.html.j2", edition=edition, demo=demo, honour=edition.round.honour,
        office=edition.office, organs=edition.issuing_organs))
    entries = [{"id": signing.key_id(k.key), "demo": k.demo,
                "label": signing.DEMO_LABEL if k.demo else "发证机关签名密钥",
                "public_key": base64.b64encode(signing.raw_public(k.key)).decode("ascii")} for k in keys]
    atomic.write_text(folder / "keys.json", json.dumps({"schema": 1, "keys": entries}, ensure_ascii=False,
                                                       indent=1) + "\n")
    pem = b"".join(k.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
                   for k in keys)
    atomic.write_bytes(folder / "public-key.pem", pem)
    write_published(ctx, signer, revoked, certificates)
    return folder


# ---- command line --------------------------------------------------------------------------


NOT_FOUND = "未查到——请核对证书编号和姓名"
"""The answer to a typed number and name without a certificate: the same for a wrong name and an unknown number."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds --qr, --image and --number with --name to the `verify` command."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--qr", metavar="文字", help="二维码内容（查验网址或扫码得到的文字；或环境变量 XN_QR）")
    source.add_argument("--image", type=Path, metavar="文件", help="证书的照片、扫描件或 PDF（或环境变量 XN_IMAGE）")
    source.add_argument("--number", metavar="证书编号", help="没有二维码时：证书编号（与 --name 一起；或环境变量 XN_NUMBER）")
    parser.add_argument("--name", metavar="姓名", help="没有二维码时：证书上的姓名（或环境变量 XN_NAME）")


def _keys(ctx: RunContext, demo: bool) -> list[signing.PublishedKey]:
    """The public key of this edition's kind, from keys/ or else from the published site."""
    files = signing.key_files(demo)
    if files.public_pem.is_file() or files.private.is_file():
        key = signing.load_public(demo)
        return [signing.PublishedKey(key, demo or signing.is_demo_key(key))]
    published = site_dir(ctx) / "keys.json"
    if published.is_file():
        data = json.loads(published.read_text(encoding="utf-8"))
        keys = [signing.public_from_b64(k["public_key"]) for k in data["keys"]]
        return [signing.PublishedKey(key, bool(k["demo"]) or signing.is_demo_key(key))
                for key, k in zip(keys, data["keys"], strict=True)]
    raise StageError("找不到用于查验的公钥" + ("（演示密钥）" if demo else ""),
                     hint="正式届次运行 make keys；演示届次先运行 make certificates（会生成演示密钥）",
                     file=str(files.public_pem))


def _revocations(ctx: RunContext) -> tuple[dict[str, dt.date], str]:
    """The revocation list (from the registry, else the published revoked.json) and where it came from."""
    from pipeline.certificates.settings import certificate_options
    from pipeline.registry.store import open_registry

    path = certificate_options(ctx.edition).registry
    if path.is_file():
        with open_registry(path, create=False) as reg:
            return reg.revocations(), f"证书数据库 {path}"
    published = site_dir(ctx) / "revoked.json"
    if published.is_file():
        demo = certificate_options(ctx.edition).demo
        try:
            checked = signing.verify_revocations(published.read_text(encoding="utf-8"), _keys(ctx, demo))
        except signing.RevocationListError as exc:
            raise StageError(f"{exc}，无法确认证书是否已撤销，不作查验结论", file=str(published),
                             hint="从发证机关的查验网站重新下载 revoked.json，或在发证机关的电脑上运行 make certificates "
                                  "重新生成") from None
        return checked.revoked, f"已发布的撤销名单 {published}（签名正确）"
    return {}, "（没有找到撤销名单：无法确认是否已撤销）"


def check_texts(ctx: RunContext, texts: Sequence[str]) -> list[signing.Verification]:
    """QR texts in → one verdict each, against this edition's key and revocation list."""
    from pipeline.certificates.settings import certificate_options
    from pipeline.core import model

    demo = certificate_options(ctx.edition).demo
    keys = _keys(ctx, demo)
    revoked, _ = _revocations(ctx)
    today = model.today()
    out = []
    for text in texts:
        verdict = signing.verify_text(text, keys, revoked, today, demo_edition=demo)
        if verdict.status == "valid" and verdict.payload is not None and today < verdict.payload.term_start:
            start = verdict.payload.term_start
            verdict = dataclasses.replace(verdict, status="notyet", reason=(
                f"{verdict.reason}；但任期自{start.year}年{start.month}月{start.day}日起才开始，目前尚未生效"))
        out.append(verdict)
    return out


USAGE = ("make verify QR='扫码得到的网址'，或 make verify IMAGE=证书照片、扫描件或PDF，"
         "或 make verify NUMBER=证书编号 NAME=姓名")


def _typed(args: argparse.Namespace) -> tuple[str, str] | None:
    """--number and --name, else $XN_NUMBER and $XN_NAME (how make passes them); None when neither is given."""
    number = args.number if args.number is not None else os.environ.get("XN_NUMBER") or None
    name = args.name if args.name is not None else os.environ.get("XN_NAME") or None
    if number is None and name is None:
        return None
    if not (number or "").strip() or not (name or "").strip():
        raise PipelineError("凭证书编号查验时，证书编号和姓名都要填写", hint="make verify NUMBER=证书编号 NAME=姓名")
    return number or "", name or ""


def _source(args: argparse.Namespace) -> tuple[str | None, Path | None]:
    """--qr / --image, else $XN_QR / $XN_IMAGE (how make passes them): exactly one of the two."""
    if args.qr is not None or args.image is not None:
        return args.qr, args.image
    qr_text, image = os.environ.get("XN_QR") or None, os.environ.get("XN_IMAGE") or None
    if (qr_text is None) == (image is None):
        raise PipelineError("请给出要查验的二维码内容或证书文件，或证书编号和姓名（三者选一）", hint=USAGE)
    return qr_text, None if image is None else Path(image)


def find_typed(ctx: RunContext, number: str, name: str) -> str | None:
    """Typed 证书编号 and 姓名 in → the certificate's QR token from the published lookup.json, None when not found."""
    from pipeline.registry import lookup

    index = site_dir(ctx) / "lookup.json"
    if not index.is_file():
        raise StageError("还没有查询索引 lookup.json，无法凭证书编号和姓名查验", file=str(index),
                         hint="先运行 make certificates（生成查验网站和查询索引），或用 QR= / IMAGE= 查验")
    try:
        return lookup.find(json.loads(index.read_text(encoding="utf-8")), number, name)
    except (ValueError, KeyError, TypeError):
        raise StageError("查询索引 lookup.json 已损坏或格式不对", file=str(index),
                         hint="运行 make certificates 重新生成查验网站") from None


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make verify QR=… | IMAGE=… | NUMBER=… NAME=…`: print the verdict; exit 0 valid, 1 not valid or not found,
    2 could not check."""
    from pipeline.render import qr

    qr_text: str | None
    image: Path | None
    scanned = args.qr is not None or args.image is not None or os.environ.get("XN_QR") or os.environ.get("XN_IMAGE")
    typed = _typed(args) if args.number is not None or args.name is not None or not scanned else None
    if typed is not None:
        token = find_typed(ctx, *typed)
        if token is None:
            print(f"{NOT_FOUND}（证书编号“{typed[0].strip()}”、姓名“{typed[1].strip()}”：与证书上印的是否完全一致）")
            return ExitCode.findings
        qr_text, image = token, None
    else:
        qr_text, image = _source(args)
    if image is not None:
        try:
            texts = qr.decode_file(image)
        except StageError as exc:  # unreadable picture: nothing was checked, so no verdict
            print(f"{UNCHECKED}：{exc}", file=sys.stderr)
            return ExitCode.cannot_proceed
        if not texts:
            print(f"{UNCHECKED}：在 {image} 中没有找到可识别的二维码（PDF 只读前 {qr.READ_PAGES} 页）。"
                  "请拍清晰、完整、正对二维码的照片，或用扫描件；也可以用手机扫码后 make verify QR='扫到的网址'",
                  file=sys.stderr)
            return ExitCode.cannot_proceed
    else:
        texts = [qr_text or ""]
    verdicts = check_texts(ctx, texts)
    base = ctx.edition.certificates.verify_base_url
    for text, verdict in zip(texts, verdicts, strict=True):
        print(f"{STATUS_TITLES[verdict.status]}：{verdict.reason}")
        if verdict.payload is not None and not text.strip().startswith(base) and "://" in text:
            print(f"提示：二维码中的网址不是本届次的查验网址 {base}", file=sys.stderr)
    return ExitCode.ok if all(v.status == "valid" for v in verdicts) else ExitCode.findings
