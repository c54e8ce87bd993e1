#!/usr/bin/env bash
# Set up a fresh Debian machine for the pipeline: system packages, then the virtualenv.
# Idempotent: a second run installs nothing. Called by the Makefile; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

# 1. System packages -------------------------------------------------------------------
mapfile -t wanted < <(grep -v '^\s*#' scripts/system-packages.txt | grep -v '^\s*$')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "安装系统软件包：${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "缺少系统软件包。请以管理员身份运行以下命令后重试：" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 2
  fi
fi

# 2. Python ----------------------------------------------------------------------------
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "需要 Python 3.11 或更高版本（当前：$("$PYTHON" --version 2>&1)）。" >&2
  echo "  sudo apt-get install -y python3 python3-venv" >&2
  exit 2
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV" || {
    echo "无法创建虚拟环境。请安装：sudo apt-get install -y python3-venv" >&2; exit 2; }
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
# The OCR engine without its declared opencv-python (we have opencv-python-headless; both are cv2);
# its other dependencies are in pyproject.toml. Its PP-OCR models come inside the wheel: nothing is
# downloaded at run time.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -c constraints.txt rapidocr-onnxruntime
fc-cache -f >/dev/null 2>&1 || true
echo "环境已就绪：$VENV"
