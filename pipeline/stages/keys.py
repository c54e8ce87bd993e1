"""生成证书签名密钥（只生成一次，绝不覆盖）并导出公钥。

Create the certificate signing key once (`make keys`) and export its public key.

Command `keys`: → keys/signing-key.pem (private, mode 0600; never overwritten) and
keys/signing-key.pub.pem + .pub.b64 (public). With --demo: the demo key instead.
The keys folder is outside output/ and ignored by git; `make clean` never touches it.
"""

from __future__ import annotations

import argparse

from pipeline.core import signing
from pipeline.core.context import RunContext
from pipeline.core.errors import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds --demo to the `keys` command."""
    parser.add_argument("--demo", action="store_true", help="生成演示密钥（仅用于演示届次）而不是正式密钥")


def main(ctx: RunContext, args: argparse.Namespace) -> ExitCode:
    """`make keys`: create the key if missing (never overwrite), export the public key; exit 0."""
    demo = bool(getattr(args, "demo", False))
    signer, created = signing.create_key(demo)
    kind = "演示密钥" if demo else "正式签名密钥"
    if created:
        print(f"已生成{kind}：{signer.files.private}")
        print("  请妥善保管并备份该文件（不要提交到 git、不要发给别人）。丢失后无法再签发能被同一公钥查验的证书。")
    else:
        print(f"{kind}已存在，未作任何改动：{signer.files.private}")
    print(f"公钥（PEM）：{signer.files.public_pem}")
    print(f"公钥（base64）：{signer.files.public_b64}")
    print(f"公钥指纹：{signing.key_id(signer.public)}")
    if demo:
        print(f"注意：{signing.DEMO_LABEL}")
    return ExitCode.ok
