#!/usr/bin/env bash
# Set up a fresh Debian machine for the pipeline: system packages, then the virtualenv.
#   scripts/setup.sh          what a user needs to run the pipeline (make demo, make check, …)
#   scripts/setup.sh dev      adds the developers' tools: pytest, ruff, mypy, test fixtures (make test)
# Python packages come from the hashed lock files in requirements/ (pip --require-hashes), so a fresh
# machine gets exactly the files CI tested; `make lock` regenerates them.
# Idempotent: a second run installs nothing. Called by the Makefile; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-runtime}
case $MODE in
  runtime|dev) ;;
  *) echo "用法：scripts/setup.sh [runtime|dev]（不是“$MODE”）" >&2; exit 2 ;;
esac
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

# 1. System packages -------------------------------------------------------------------
list=scripts/system-packages.txt
if [ "$MODE" = dev ]; then list=scripts/system-packages-dev.txt; fi   # runtime ran first (Makefile)
mapfile -t wanted < <(grep -v '^\s*#' "$list" | grep -v '^\s*$')
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
pip=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
if [ "$MODE" = dev ]; then
  # runtime.lock holds the same versions as dev.lock: this only adds the developers' packages.
  "${pip[@]}" --require-hashes -r requirements/dev.lock
else
  "${pip[@]}" --require-hashes -r requirements/runtime.lock
  # The OCR engine without its declared opencv-python (we have opencv-python-headless; both are cv2);
  # its other dependencies are in runtime.lock. Its PP-OCR models come inside the wheel: nothing is
  # downloaded at run time.
  "${pip[@]}" --require-hashes --no-deps -r requirements/nodeps.lock
  # The pipeline itself (editable), built by the locked setuptools: nothing unhashed is fetched.
  "${pip[@]}" --no-deps --no-build-isolation -e .
fi
fc-cache -f >/dev/null 2>&1 || true
if [ "$MODE" = dev ]; then echo "开发环境已就绪：$VENV"; else echo "环境已就绪：$VENV"; fi
