"""Paths built from roster data stay inside their folder: the one gate every such path passes.

    code_problem(code)     编号 → None, or (message, hint) saying why it cannot be a key
    safe_name(text)        any roster value (姓名, 编号) → a file-name part Windows and Linux accept
    child(folder, name)    folder + one plain file name → folder/name; UnsafePath for anything else
    inside(root, path)     True when path, every symlink resolved, is root or below it

A 编号 is a key, not a path: `code_problem` allows letters, digits, 汉字, '-' and '_' only, so
it can never name a parent folder, a separator, a drive or a device. `child` checks the name
again (the same rules without the character set) and then checks the joined path lexically,
so a path made from roster data cannot leave its folder even if a caller forgot the first
check. `inside` is for reading: a nominee's file may be a link, but only to a file inside the
edition folder.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pipeline.core.errors import InputError

CODE_FORMAT = "CODE_FORMAT"
"""Finding code (error) of a 编号 that cannot be a key."""
CODE_MAX_CHARS = 32
"""Longest 编号 (the demo uses '001', the examples 'M01')."""
NAME_MAX_BYTES = 255
"""Longest file name in UTF-8 bytes (NAME_MAX of ext4, and of NTFS in UTF-16 units)."""

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CODE_CHAR = re.compile(f"[0-9A-Za-z{_CJK}_-]")
_CODE = re.compile(f"[0-9A-Za-z{_CJK}][0-9A-Za-z{_CJK}_-]*")
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")})
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')

CODE_HINT = (f"编号只能由字母、数字、汉字和“-”“_”组成，以字母、数字或汉字开头，不超过{CODE_MAX_CHARS}个字符"
             "（如“001”“M01”“TH-2027-01”），也不能是 CON、NUL、COM1 等设备名；改正名册中的编号，"
             "并把 candidates/ 下该人的文件夹改成同样的名字")
"""How to write a 编号 (the hint of CODE_FORMAT)."""


class UnsafePath(InputError):
    """A name from the roster cannot be used as a file name (it would leave its folder)."""


def _shown(text: str) -> str:
    """A value for a message: control characters visible, at most 40 characters."""
    visible = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text[:40])
    return visible + ("…" if len(text) > 40 else "")


def _name_problem(name: str, max_bytes: int = NAME_MAX_BYTES) -> str:
    """Why `name` cannot be one file name in a folder ('' when it can)."""
    if name in ("", ".", ".."):
        return "不是文件名" if name else "是空的"
    if "\x00" in name or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return "含有控制字符"
    for sep in ("/", "\\"):
        if sep in name:
            return f"含有路径分隔符“{sep}”"
    if ":" in name:
        return "含有“:”（会被当作盘符）"
    if name != name.strip(" ."):
        return "以空格或“.”开头或结尾"
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        return f"“{name.split('.')[0]}”是 Windows 保留的设备名"
    if len(name.encode("utf-8")) > max_bytes:
        return f"太长（{len(name.encode('utf-8'))} 字节，最多 {max_bytes} 字节）"
    return ""


def code_problem(code: str) -> tuple[str, str] | None:
    """A 编号 → None when it is a safe key, else (message, hint) for the finding CODE_FORMAT."""
    why = _name_problem(code, max_bytes=len(code.encode("utf-8")))
    if not why and len(code) > CODE_MAX_CHARS:
        why = f"超过{CODE_MAX_CHARS}个字符（实为{len(code)}个）"
    if not why and not _CODE.fullmatch(code):
        bad = "".join(dict.fromkeys(ch for ch in code if not _CODE_CHAR.fullmatch(ch)))
        why = f"含有不允许的字符“{_shown(bad)}”" if bad else "不以字母、数字或汉字开头"
    if not why:
        return None
    return f"编号“{_shown(code)}”不能使用：{why}", CODE_HINT


def safe_name(text: str) -> str:
    """A roster value → a file-name part that Windows and Linux both accept (never empty)."""
    text = unicodedata.normalize("NFC", text).strip()
    text = _UNSAFE.sub("_", text).strip(". ")[:60].strip(". ")
    if text.split(".")[0].upper() in _WINDOWS_DEVICES:
        text = "_" + text
    return text or "_"


def child(folder: Path, name: str) -> Path:
    """folder/name when name is one plain file name; UnsafePath (with a Chinese message) otherwise."""
    why = _name_problem(name)
    path = folder / name
    if not why and (path.parent != folder or path.name != name):
        why = "不是单个文件名"
    if why:
        raise UnsafePath(f"名称“{_shown(name)}”不能用作文件名：{why}", hint=CODE_HINT, file=str(folder),
                         code=CODE_FORMAT)
    return path


def inside(root: Path, path: Path) -> bool:
    """True when `path`, with every symlink resolved, is `root` or inside it (False when unresolvable)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def link_target(path: Path) -> str:
    """Where a link finally leads, for messages ('无法解析' for a loop)."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return "无法解析（循环链接）"
