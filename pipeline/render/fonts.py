"""Font roles: which installed font plays 小标宋, 仿宋, 黑体 and 楷体, and what they can draw.

The official fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312) are used when present in
an edition's fonts/ folder, assets/fonts/ or on the system; otherwise free stand-ins play the
role (see README) and `stand_in_notice()` says so once per run, naming the stand-in and how to
install the official font. Fonts in those folders are made visible to WeasyPrint through a
generated fontconfig file, so CSS names every font by family and fontconfig picks the right
face of a .ttc collection.

`FontSet.missing()` tells which characters no configured font can draw — the GLYPH_MISSING
check — so that a printed document never shows a blank box.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import marshal
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core import atomic
from pipeline.core.edition import PROJECT_ROOT, FontSettings
from pipeline.core.errors import StageError

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

ASSET_FONTS = PROJECT_ROOT / "assets" / "fonts"
ROLES: tuple[str, ...] = ("title", "body", "hei", "kai")
ROLE_NAMES: dict[str, str] = {"title": "小标宋", "body": "仿宋", "hei": "黑体", "kai": "楷体"}
OFFICIAL: dict[str, frozenset[str]] = {
    "title": frozenset({"方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05"}),
    "body": frozenset({"仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"}),
    "hei": frozenset({"黑体", "SimHei"}),
    "kai": frozenset({"楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"}),
}


@dataclass(frozen=True)
class Face:
    """One installed font face as fontconfig lists it."""

    family: str
    """The family name CSS uses (the first of the face's family names)."""
    names: tuple[str, ...]
    """Every family name of the face (fontconfig lists localised names too)."""
    bold: bool
    """Weight ≥ bold."""
    file: Path
    """Font file."""
    index: int
    """Face index inside a .ttc collection."""


@dataclass(frozen=True)
class RoleFont:
    """The face that plays a role."""

    role: str
    """title, body, hei, kai or fallback."""
    face: Face
    """The face."""
    official: bool
    """True when it is the official font of the role, not a stand-in."""

    @property
    def css_family(self) -> str:
        """The quoted family name for CSS."""
        return f'"{self.face.family}"'

    @property
    def css_weight(self) -> str:
        """CSS font-weight giving this face."""
        return "bold" if self.face.bold else "normal"


@dataclass(frozen=True)
class FontSet:
    """The resolved font of each role plus fallbacks."""

    roles: dict[str, RoleFont]
    """title, body, hei, kai."""
    fallback: tuple[RoleFont, ...]
    """Fonts tried for characters a role font lacks."""
    fontconfig_file: Path
    """A fonts.conf that adds assets/fonts/ to the system fonts (set FONTCONFIG_FILE to it)."""

    def stack(self, role: str) -> str:
        """CSS font-family value: the role's font, then the fallbacks."""
        names = [self.roles[role].css_family] + [f.css_family for f in self.fallback]
        return ", ".join(dict.fromkeys(names)) + ", serif"

    def css(self) -> str:
        """CSS custom properties and classes for the roles, for every template to include."""
        lines = [":root {"]
        for role in ROLES:
            lines.append(f"  --font-{role}: {self.stack(role)};")
            lines.append(f"  --weight-{role}: {self.roles[role].css_weight};")
        lines.append("}")
        for role in ROLES:
            lines.append(
                f".font-{role} {{ font-family: {self.stack(role)}; font-weight: {self.roles[role].css_weight}; }}"
            )
        return "\n".join(lines) + "\n"

    def missing(self, text: str) -> list[str]:
        """Characters of `text` that no configured font (role fonts or fallbacks) can draw."""
        covered = self._coverage()
        seen: dict[str, None] = {}
        for ch in text:
            if ch.isspace() or ord(ch) < 0x20 or ch in seen:
                continue
            if ord(ch) in _IGNORABLE:
                continue
            if ord(ch) not in covered:
                seen[ch] = None
        return list(seen)

    def _coverage(self) -> frozenset[int]:
        faces = [f.face for f in self.roles.values()] + [f.face for f in self.fallback]
        return _union_cmap(tuple((f.file, f.index) for f in faces))

    def describe(self) -> list[tuple[str, str, bool]]:
        """(role name, family, official?) for reports and the README."""
        return [(ROLE_NAMES[r], self.roles[r].face.family, self.roles[r].official) for r in ROLES]


_IGNORABLE = frozenset({0x200B, 0x200C, 0x200D, 0xFE0F, 0xFE0E, 0xFEFF})
"""Zero-width and variation-selector code points: they draw nothing on purpose."""


def cache_dir() -> Path:
    """This user's cache folder of the project (derived data only: deleting it costs time, nothing else)."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "xingan-nengshou"


@contextlib.contextmanager
def font_tables(file: Path | str, index: int = 0) -> Iterator[TTFont]:
    """One face of a font file, its tables read by fontTools as they are asked for; closed afterwards.

    fontTools logs a warning for a 'head' table dated before 1970 (common in free CJK fonts);
    that is not the user's to fix and would be the only English line of a quiet run."""
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools.ttLib.tables._h_e_a_d").setLevel(logging.ERROR)
    font = TTFont(str(file), fontNumber=index, lazy=True)  # type: ignore[no-untyped-call]
    try:
        yield font
    finally:
        font.close()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class FaceMetrics:
    """What the text measurements read from one face: its advances and vertical metrics, in font units."""

    advances: dict[int, int]
    """Code point → advance width (every code point the face maps)."""
    units_per_em: float
    hhea: tuple[int, int, int]
    """Ascent, descent (negative) and line gap of the 'hhea' table."""
    win: tuple[int, int] | None
    """usWinAscent and usWinDescent of the 'OS/2' table, when it has one."""

    @property
    def line(self) -> float:
        """The 'hhea' line pitch (ascent − descent + line gap) in ems."""
        ascent, descent, gap = self.hhea
        return (ascent - descent + gap) / self.units_per_em


METRICS_SCHEMA = 1
"""Version of the cached form of FaceMetrics (raise it when the fields change)."""


@functools.cache
def face_metrics(file: Path | str, index: int = 0) -> FaceMetrics:
    """One face's metrics, cached on disk by file, size, mtime and face: decoding a CJK face's cmap
    and hmtx takes 0.1–0.3 CPU-s, which every process that measures text (each packets worker, the
    print list) would pay again for the same file. The cache is a marshal string (no code runs when
    it is read); one that cannot be read is made again."""
    file = Path(file)
    st = file.stat()
    key = hashlib.sha256(f"{METRICS_SCHEMA}|{file}|{st.st_size}|{st.st_mtime_ns}|{index}".encode()).hexdigest()[:24]
    cached = cache_dir() / "metrics" / f"{key}.marshal"
    try:
        advances, upem, hhea, win = marshal.loads(cached.read_bytes())
        if not isinstance(advances, dict) or len(hhea) != 3 or (win is not None and len(win) != 2) or upem <= 0:
            raise ValueError(cached)
        return FaceMetrics(advances, float(upem), tuple(hhea), None if win is None else tuple(win))
    except (OSError, EOFError, ValueError, TypeError):
        pass
    with font_tables(file, index) as font:
        hmtx = font["hmtx"].metrics
        advances = {cp: hmtx[name][0] for cp, name in (font.getBestCmap() or {}).items() if name in hmtx}
        h = font["hhea"]
        os2 = font.get("OS/2", None)
        metrics = FaceMetrics(advances, float(font["head"].unitsPerEm), (h.ascent, h.descent, h.lineGap),
                              None if os2 is None else (os2.usWinAscent, os2.usWinDescent))
    with contextlib.suppress(OSError):  # threads of one process may race: atomic's unique temp names
        atomic.write_bytes(cached, marshal.dumps((metrics.advances, metrics.units_per_em, metrics.hhea, metrics.win)))
    return metrics


@functools.cache
def _cmap(file: Path, index: int) -> frozenset[int]:
    """Code points a font face maps."""
    return frozenset(face_metrics(file, index).advances)


@functools.cache
def _union_cmap(faces: tuple[tuple[Path, int], ...]) -> frozenset[int]:
    out: set[int] = set()
    for file, index in faces:
        out |= _cmap(file, index)
    return frozenset(out)


_EXTRA_DIRS: list[Path] = []
"""Font folders added for this run (an edition's fonts/), besides assets/fonts/."""


def add_font_dir(folder: Path) -> None:
    """Make the fonts in `folder` (an edition's fonts/) available to this run, when it exists."""
    folder = folder.resolve()
    if folder.is_dir() and folder not in _EXTRA_DIRS:
        _EXTRA_DIRS.append(folder)


def fontconfig_file() -> Path:
    """Write (once) a fonts.conf that includes the system configuration, assets/fonts/ and the
    folders of add_font_dir(): one file per set of folders, named by them (assets/fonts/ included, so
    two checkouts of the project never rewrite each other's), written atomically (processes that
    start at once, e.g. the workers of `make test`, each write a whole file under its own temporary
    name; a shared fonts.tmp let one rename the other's away)."""
    cache = cache_dir()
    dirs = [ASSET_FONTS, *_EXTRA_DIRS]
    suffix = hashlib.sha256("|".join(map(str, dirs)).encode()).hexdigest()[:12]
    target = cache / f"fonts-{suffix}.conf"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        "  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n"
        + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
        + f"  <cachedir>{cache / 'fc-cache'}</cachedir>\n</fontconfig>\n"
    )
    atomic.write_text(target, text)  # nothing is written when the file already holds this text
    return target


def installed_faces() -> tuple[Face, ...]:
    """Every face fontconfig knows, assets/fonts/ and the added font folders included."""
    return _installed_faces(fontconfig_file())


@functools.cache
def _installed_faces(config: Path) -> tuple[Face, ...]:
    env = dict(os.environ, FONTCONFIG_FILE=str(config))
    try:
        out = subprocess.run(
            ["fc-list", "--format", "%{family}\t%{weight}\t%{file}\t%{index}\n"],
            capture_output=True, text=True, check=True, env=env,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise StageError(
            f"无法列出已安装的字体（fc-list）：{exc}", hint="运行 make setup 安装 fontconfig 和中文字体"
        ) from exc
    faces = []
    for line in sorted(out.splitlines()):
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        names = tuple(n.strip() for n in parts[0].split(",") if n.strip())
        if not names:
            continue
        try:
            weight = int(float(parts[1].strip("[] ").split()[0]))
        except (ValueError, IndexError):
            weight = 80
        faces.append(Face(names[0], names, weight >= 200, Path(parts[2]), int(parts[3] or 0)))
    return tuple(faces)


def _find(spec: str, faces: tuple[Face, ...]) -> Face | None:
    """The face for a spec 'Family' or 'Family:bold' (prefer the regular weight without ':bold')."""
    family, _, style = spec.partition(":")
    want_bold = style.strip().lower() == "bold"
    matches = [f for f in faces if family in f.names]
    for face in matches:
        if face.bold == want_bold:
            return face
    return matches[0] if matches else None


def resolve_fonts(settings: FontSettings) -> FontSet:
    """Pick the face for every role; raise StageError naming the packages when a role has none."""
    return _resolve(settings, fontconfig_file())


@functools.cache
def _resolve(settings: FontSettings, config: Path) -> FontSet:
    faces = _installed_faces(config)
    roles: dict[str, RoleFont] = {}
    for role in ROLES:
        for spec in getattr(settings, role):
            face = _find(spec, faces)
            if face is not None:
                official = bool(OFFICIAL[role] & set(face.names))
                roles[role] = RoleFont(role, face, official)
                break
        else:
            raise StageError(
                f"找不到“{ROLE_NAMES[role]}”字体（已尝试：{'、'.join(getattr(settings, role))}）",
                hint="运行 make setup 安装中文字体（fonts-noto-cjk、fonts-arphic-ukai），"
                "或将字体文件放入 assets/fonts/",
            )
    fallback = tuple(
        RoleFont("fallback", face, False)
        for spec in settings.fallback
        if (face := _find(spec, faces)) is not None
    )
    return FontSet(roles, fallback, config)


def use_project_fonts(config: Path | None = None) -> None:
    """Point fontconfig (and so WeasyPrint) at the project's fonts.conf (or `config`, the one a
    FontSet was resolved with: worker processes); call before rendering."""
    os.environ["FONTCONFIG_FILE"] = str(config or fontconfig_file())


OFFICIAL_NAMES: dict[str, str] = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "hei": "黑体", "kai": "楷体_GB2312"}
"""The official font of each role, as the notice names it."""
_TOLD: set[tuple[str, ...]] = set()


def stand_in_notice(fonts: FontSet, edition_fonts: Path | None = None) -> str:
    """One Chinese message naming each role played by a stand-in and how to install the official
    font; '' when every role has its official font, or when this run has said it already."""
    missing = [r for r in ROLES if not fonts.roles[r].official]
    key = tuple(f"{r}={fonts.roles[r].face.family}" for r in missing)
    if not missing or key in _TOLD:
        return ""
    _TOLD.add(key)
    parts = "；".join(f"{ROLE_NAMES[r]}用“{fonts.roles[r].face.family}”代替“{OFFICIAL_NAMES[r]}”" for r in missing)
    where = f"届次文件夹的 fonts/ 目录（{edition_fonts}）" if edition_fonts else "届次文件夹的 fonts/ 目录"
    return (f"字体提示：未安装公文字体，{parts}。正式印制前，请把有授权的官方字体文件（.ttf/.otf）放入"
            f"{where}，或安装到系统（复制到 /usr/share/fonts/ 后运行 fc-cache -f），然后重新生成。")
