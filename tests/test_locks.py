"""The hashed lock files in requirements/ agree with pyproject.toml (a pin changed without `make lock`
would silently install the old version) and hold what the --no-deps package needs."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"


def locked(name: str) -> dict[str, str]:
    """requirements/<name>.lock → {canonical package name: version}; every entry carries a sha256."""
    text = (REQUIREMENTS / f"{name}.lock").read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)",
                         text, flags=re.MULTILINE)
    pins = re.findall(r"^[A-Za-z0-9][^\s#]*==", text, flags=re.MULTILINE)
    assert len(entries) == len(pins), f"{name}.lock：有的包没有 sha256 校验值，请运行 make lock"
    return {canonicalize_name(n): v for n, v, _ in entries}


def pyproject_pins(extra: str | None = None) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = project["optional-dependencies"][extra] if extra else project["dependencies"]
    pins = {}
    for line in lines:
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"pyproject.toml 中的 {line} 应写成精确版本（==）"
        pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_locks_hold_the_pyproject_pins() -> None:
    runtime, dev = locked("runtime"), locked("dev")
    for name, version in pyproject_pins().items():
        assert runtime.get(name) == version, f"runtime.lock 中的 {name} 不是 {version}：请运行 make lock"
    for name, version in {**pyproject_pins(), **pyproject_pins("dev")}.items():
        assert dev.get(name) == version, f"dev.lock 中的 {name} 不是 {version}：请运行 make lock"


def test_runtime_is_dev_less_the_dev_tools() -> None:
    """make test after make demo only adds packages: every runtime version is the dev version."""
    runtime, dev = locked("runtime"), locked("dev")
    assert {n: dev.get(n) for n in runtime} == runtime
    assert not set(pyproject_pins("dev")) & set(runtime)


def test_no_deps_package_has_its_dependencies_locked() -> None:
    """rapidocr-onnxruntime is installed with --no-deps: all it needs but opencv-python is in runtime.lock."""
    runtime = locked("runtime")
    for name, version in locked("nodeps").items():
        assert metadata.version(name) == version
        for line in metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            if canonicalize_name(req.name) == "opencv-python":
                assert "opencv-python-headless" in runtime  # the same cv2, without the GUI libraries
                continue
            wanted = canonicalize_name(req.name)
            assert wanted in runtime, f"{name} 需要 {req}，但 runtime.lock 中没有：加到 pyproject.toml 后运行 make lock"
            assert req.specifier.contains(runtime[wanted], prereleases=True), (wanted, str(req.specifier))
