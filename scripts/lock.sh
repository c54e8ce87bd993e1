#!/usr/bin/env bash
# Regenerate the hashed lock files in requirements/ (maintainers: `make lock`; needs PyPI).
# Run it after changing a dependency in pyproject.toml or a requirements/*.in file. Versions already
# in the locks are kept; to move one on: scripts/lock.sh --upgrade-package NAME (or -P NAME).
# The lock tool is uv (`uv pip compile --generate-hashes`), itself installed from a hashed lock
# into build/lock-tools/. Users never need uv: setup installs the locks with plain pip.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=${LOCK_TOOLS:-build/lock-tools}
PYTHON=${PYTHON:-python3}
if [ ! -x "$TOOLS/bin/uv" ]; then
  "$PYTHON" -m venv "$TOOLS"
  "$TOOLS/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r requirements/tools.lock
fi
# One target: Linux (Debian, also under WSL 2), Python 3.11 (the oldest we support). Every file of
# each pinned release gets its hash, so the same lock installs on any Linux architecture.
compile=("$TOOLS/bin/uv" pip compile --quiet --generate-hashes --python-version 3.11
         --python-platform linux --custom-compile-command "make lock" "$@")
# dev.lock first (runtime + dev); runtime.lock is held to dev.lock's versions, so `make test` after
# `make demo` only adds packages, never changes one.
"${compile[@]}" pyproject.toml requirements/build.in --extra dev -o requirements/dev.lock
"${compile[@]}" pyproject.toml requirements/build.in -c requirements/dev.lock -o requirements/runtime.lock
"${compile[@]}" requirements/nodeps.in --no-deps -o requirements/nodeps.lock
"${compile[@]}" requirements/tools.in -o requirements/tools.lock
echo "已更新 requirements/*.lock；请提交它们。"
