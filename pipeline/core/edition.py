"""Edition folder and its settings: `<edition>/edition.toml` → `Edition`.

Every setting has a typed home here so stages never read raw TOML. A wrong or missing
value raises EditionConfigError naming the file, the key and the fix; every number has an
allowed range (a 0 mm photo or a 0 dpi print would otherwise fail deep inside a stage, blaming
the wrong thing), and verify_base_url must be an https:// address (http:// only for a local
test host) because it is printed into every certificate's QR code.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import EditionConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The repository root (templates/, assets/, output/ live here)."""


@dataclass(frozen=True)
class Phase:
    """One phase of §四(三) 选拔程序: a start and an end date."""

    start: dt.date
    """First day."""
    end: dt.date
    """Last day."""


@dataclass(frozen=True)
class RoundSettings:
    """[round]: what round this is and its limits."""

    year: int
    """The round's year, e.g. 2027."""
    title: str
    """'大兴安岭地区2027年度“兴安技术能手”选树'."""
    honour: str
    """'兴安技术能手'."""
    quota: int
    """At most this many awardees (20)."""
    shortlist_ratio: int
    """Shortlist : quota (2)."""
    shortlist_cap: int
    """Never more than this many on the shortlist (40)."""
    reference_date: dt.date
    """Date the age rule is computed at (end of 申报)."""
    basis_title: str
    """Title of the notice that sets up the round."""
    basis_number: str
    """Its document number, e.g. 大署人社联〔2027〕2号."""
    region: str
    """大兴安岭地区."""


@dataclass(frozen=True)
class Office:
    """[office]: the leading group's office, where objections and questions go."""

    name: str
    """Office name."""
    bureau: str
    """The HR bureau."""
    department: str
    """The section doing the daily work."""
    contact: str
    """联系人."""
    phone: str
    """联系电话 (office landline: public)."""
    address: str
    """Postal address of the office (public)."""


@dataclass(frozen=True)
class CheckSettings:
    """[checks]: thresholds of the nomination checks."""

    deeds_target_chars: int
    """先进事迹 'about 2000 characters'."""
    deeds_min_chars: int
    """Below this: DEEDS_LENGTH warning."""
    deeds_max_chars: int
    """Above this: DEEDS_LENGTH warning."""
    summary_max_chars: int
    """简要事迹 limit (300)."""
    evidence_years: int
    """Achievement certificates of the last N years (4)."""
    min_years_to_retirement: int
    """At least N years to the statutory retirement date (3)."""


@dataclass(frozen=True)
class PhotoSettings:
    """[photo]: the 2-inch photo's printed size."""

    width_mm: float
    """Width (35)."""
    height_mm: float
    """Height (49)."""
    dpi: int
    """Print resolution (300)."""

    @property
    def pixels(self) -> tuple[int, int]:
        """Minimum (width, height) in pixels for the print resolution: (413, 579) by default."""
        return (round(self.width_mm / 25.4 * self.dpi), round(self.height_mm / 25.4 * self.dpi))


@dataclass(frozen=True)
class PacketSettings:
    """[packets]: bound application packets."""

    print_dpi: int
    """Scans above this resolution are downsampled."""
    email_budget_mb: float
    """Size budget of the e-mail rendition."""
    imprint: bool
    """Print '经核对与原件一致' and the recommending unit on evidence copies."""
    copies: int
    """一式五份."""


@dataclass(frozen=True)
class PublicitySettings:
    """[publicity]: the 公示."""

    start: dt.date
    """First day (moved to the next working day when not one)."""
    working_days: int
    """Length in working days (5)."""
    date: dt.date
    """成文日期 of the notice."""
    final: bool
    """True once the list is final; until then media say 拟表彰."""
    sealed: bool = True
    """True: the 公示 is sealed (GB/T 9704 §7.3.5.1 署名 layout with seal space); False: §7.3.5.2."""


@dataclass(frozen=True)
class Criterion:
    """One scoring criterion."""

    name: str
    """技能水平, 业绩, 贡献."""
    weight: float
    """Weight in the total (weights add up to 1)."""
    max: float
    """Highest score allowed."""


@dataclass(frozen=True)
class ReviewSettings:
    """[review]: the expert panel."""

    experts: tuple[str, ...]
    """Expert names, one score sheet each."""
    criteria: tuple[Criterion, ...]
    """Scoring criteria."""
    drop_extremes: bool
    """Drop one highest and one lowest total when at least 5 experts."""


@dataclass(frozen=True)
class CertificateSettings:
    """[certificates]."""

    number_prefix: str
    """e.g. XATN."""
    number_format: str
    """Python format with prefix, year, seq."""
    verify_base_url: str
    """Base URL of the published verification page."""
    term_years: int
    """任期3年."""
    issue_date: dt.date
    """Date printed on the certificates."""
    subsidy_yuan: float
    """Subsidy per awardee for the 补贴发放 list."""


@dataclass(frozen=True)
class MediaSettings:
    """[media]."""

    newspaper: str
    """大兴安岭日报."""
    tv: str
    """大兴安岭广播电视台."""
    page_size: str
    """对开 or 四开."""
    bleed_mm: float
    """Bleed around the newspaper page (3)."""


@dataclass(frozen=True)
class FontSettings:
    """[fonts]: font roles, each a list of family names tried in order."""

    title: tuple[str, ...]
    """小标宋 role."""
    body: tuple[str, ...]
    """仿宋 role."""
    hei: tuple[str, ...]
    """黑体 role."""
    kai: tuple[str, ...]
    """楷体 role."""
    fallback: tuple[str, ...]
    """Fonts tried for characters the role font lacks (rare characters)."""


@dataclass(frozen=True)
class Edition:
    """An edition folder and its settings."""

    path: Path
    """The edition folder."""
    name: str
    """Folder name; output goes to output/<name>/."""
    round: RoundSettings
    """[round]."""
    phases: dict[str, Phase]
    """[phases] by key (announce, apply, recommend, preliminary, expert_review)."""
    office: Office
    """[office]."""
    issuing_organs: tuple[str, ...]
    """[organs] issuing."""
    publicity_organ: str
    """[organs] publicity."""
    checks: CheckSettings
    """[checks]."""
    photo: PhotoSettings
    """[photo]."""
    packets: PacketSettings
    """[packets]."""
    publicity: PublicitySettings
    """[publicity]."""
    review: ReviewSettings
    """[review]."""
    certificates: CertificateSettings
    """[certificates]."""
    media: MediaSettings
    """[media]."""
    fonts: FontSettings
    """[fonts]."""
    raw: dict[str, Any]
    """The whole parsed TOML, for settings a stage adds later."""

    @property
    def output(self) -> Path:
        """output/<edition name>/ under the project root (or $XN_OUTPUT)."""
        import os

        base = Path(os.environ.get("XN_OUTPUT", PROJECT_ROOT / "output"))
        return base / self.name

    @property
    def candidates_dir(self) -> Path:
        """<edition>/candidates/."""
        return self.path / "candidates"

    @property
    def review_dir(self) -> Path:
        """<edition>/review/."""
        return self.path / "review"

    @property
    def shortlist_size(self) -> int:
        """Largest allowed shortlist: min(ratio × quota, cap)."""
        return min(self.round.shortlist_ratio * self.round.quota, self.round.shortlist_cap)


class _Section:
    """Typed access to one TOML table, with errors that name the key."""

    def __init__(self, source: Path, name: str, data: dict[str, Any], defaults: dict[str, Any]):
        self.source, self.name, self.data, self.defaults = source, name, data, defaults

    def _get(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        if key in self.defaults:
            return self.defaults[key]
        raise EditionConfigError(
            f"缺少设置项 [{self.name}] {key}",
            hint=f"在 {self.source.name} 的 [{self.name}] 部分补上 {key} = …（参见 input/demo/edition.toml）",
            file=str(self.source),
        )

    def _bad(self, key: str, want: str) -> EditionConfigError:
        return EditionConfigError(
            f"设置项 [{self.name}] {key} 的值 {self.data.get(key)!r} 不正确，应为{want}",
            hint=f"修改 {self.source} 中的 [{self.name}] {key}",
            file=str(self.source),
        )

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise self._bad(key, "文字")
        return value

    def integer(self, key: str, low: int, high: int, unit: str = "") -> int:
        """An integer key within [low, high]."""
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._bad(key, f" {low} 到 {high} 之间的整数{unit}")
        return value

    def number(self, key: str, low: float, high: float, unit: str = "") -> float:
        """A number key (integer or decimal) within [low, high]."""
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self._bad(key, f" {low:g} 到 {high:g} 之间的数{unit}")
        return float(value)

    def url(self, key: str) -> str:
        """An https:// address (http:// only for a local test host: localhost, loopback, *.test, *.localhost)."""
        value = self.text(key)
        try:
            parts = urllib.parse.urlsplit(value)
            host = parts.hostname or ""
            _ = parts.port  # ValueError when the port is not a number
        except ValueError:
            host = ""
        if not (_host_name(host) and parts.username is None and parts.password is None
                and not _URL_FORBIDDEN.search(value)
                and (parts.scheme == "https" or (parts.scheme == "http" and _test_host(host)))):
            raise self._bad(key, "以 https:// 开头的网址，如 \"https://rsj.example.gov.cn/xatn/verify/\"（它印在每张证书的"
                                 "二维码里；http:// 只允许用于 localhost、127.0.0.1 或 .test 测试主机；"
                                 "不能含空格、引号、尖括号、#、用户名或密码）")
        return value

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        """A text key that must be one of `options`."""
        value = self._get(key)
        if value not in options:
            raise self._bad(key, " " + "、".join(f'"{o}"' for o in options) + " 之一")
        return str(value)

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._bad(key, " true 或 false")
        return value

    def day(self, key: str) -> dt.date:
        value = self._get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if not isinstance(value, dt.date):
            raise self._bad(key, "日期（如 2027-03-19）")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, "文字列表")
        return tuple(value)


_URL_FORBIDDEN = re.compile(r"[\s\"'<>\\`{}|^#\x00-\x1f\x7f]")
"""Characters a verification base URL may not carry (it goes into QR codes, HTML and the fragment)."""
_HOST_LABELS = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?")


def _host_name(host: str) -> bool:
    """True for a DNS name (ASCII, punycode for Chinese domains) or an IP address."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(_HOST_LABELS.fullmatch(host))
    return True


def _test_host(host: str) -> bool:
    """True for hosts plain http is allowed on: localhost, loopback addresses, *.localhost, *.test."""
    if host == "localhost" or host.endswith((".localhost", ".test")):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _table(source: Path, raw: dict[str, Any], name: str, defaults: dict[str, Any] | None = None) -> _Section:
    data = raw.get(name, {})
    if not isinstance(data, dict):
        raise EditionConfigError(f"[{name}] 应为一个表", hint=f"检查 {source.name}", file=str(source))
    return _Section(source, name, data, defaults or {})


def section(edition: Edition, name: str, data: object, defaults: dict[str, Any] | None = None) -> _Section:
    """A table of edition.toml that a stage reads itself (e.g. [certificates.blank.qr]; None when absent)
    → the typed, range-checked getters load_edition uses: a wrong value raises EditionConfigError naming
    the file, the table and key, and the allowed range."""
    return _table(edition.path / "edition.toml", {} if data is None else {name: data}, name, defaults)


DEFAULT_FONTS: dict[str, Any] = {
    "title": ["方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC:bold"],
    "body": ["仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC"],
    "hei": ["黑体", "SimHei", "Noto Sans CJK SC"],
    "kai": ["楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "AR PL UKai CN"],
    "fallback": ["Noto Serif CJK SC", "Noto Sans CJK SC", "HanaMinA", "HanaMinB", "BabelStone Han"],
}


def load_edition(path: Path) -> Edition:
    """Read `<path>/edition.toml` into an Edition."""
    path = path.resolve()
    source = path / "edition.toml"
    if not path.is_dir():
        raise EditionConfigError(
            f"届次文件夹不存在：{path}", hint="用 EDITION=文件夹路径 指定届次（默认 input/demo）"
        )
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EditionConfigError(
            "缺少届次设置文件 edition.toml", hint="从 input/demo/edition.toml 复制一份并修改", file=str(source)
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EditionConfigError(
            f"edition.toml 格式错误：{exc}", hint="按 TOML 格式修正（文字加引号，日期写作 2027-03-19）", file=str(source)
        ) from None

    r = _table(source, raw, "round", {"honour": "兴安技术能手", "region": "大兴安岭地区", "quota": 20,
                                      "shortlist_ratio": 2, "shortlist_cap": 40})
    year = r.integer("year", 2000, 2100, "（年份）")
    round_ = RoundSettings(
        year=year,
        title=r.text("title") if "title" in r.data else f"大兴安岭地区{year}年度“兴安技术能手”选树",
        honour=r.text("honour"),
        quota=r.integer("quota", 1, 200, "（人）"),
        shortlist_ratio=r.integer("shortlist_ratio", 1, 10),
        shortlist_cap=r.integer("shortlist_cap", 1, 500, "（人）"),
        reference_date=r.day("reference_date"),
        basis_title=r.text("basis_title"),
        basis_number=r.text("basis_number"),
        region=r.text("region"),
    )

    phases: dict[str, Phase] = {}
    for key, value in raw.get("phases", {}).items():
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, dt.date) for v in value) or value[0] > value[1]):
            raise _table(source, raw, "phases")._bad(key, "两个日期 [开始, 结束]")
        phases[key] = Phase(value[0], value[1])

    o = _table(source, raw, "office", {"address": ""})
    office = Office(o.text("name"), o.text("bureau"), o.text("department"), o.text("contact"),
                    o.text("phone"), o.text("address"))

    g = _table(source, raw, "organs")
    c = _table(source, raw, "checks", {
        "deeds_target_chars": 2000, "deeds_min_chars": 1500, "deeds_max_chars": 3000,
        "summary_max_chars": 300, "evidence_years": 4, "min_years_to_retirement": 3})
    p = _table(source, raw, "photo", {"width_mm": 35, "height_mm": 49, "dpi": 300})
    k = _table(source, raw, "packets", {"print_dpi": 300, "email_budget_mb": 10, "imprint": True, "copies": 5})
    u = _table(source, raw, "publicity", {"working_days": 5, "final": False, "sealed": True})
    v = _table(source, raw, "review", {"drop_extremes": False, "experts": []})
    e = _table(source, raw, "certificates", {
        "number_prefix": "XATN", "number_format": "{prefix}-{year}-{seq:03d}", "term_years": 3,
        "subsidy_yuan": 0})
    m = _table(source, raw, "media", {"newspaper": "大兴安岭日报", "tv": "大兴安岭广播电视台",
                                      "page_size": "对开", "bleed_mm": 3})
    f = _table(source, raw, "fonts", DEFAULT_FONTS)

    criteria = []
    for i, item in enumerate(v.data.get("criteria", [
            {"name": "技能水平", "weight": 0.4, "max": 100},
            {"name": "业绩", "weight": 0.3, "max": 100},
            {"name": "贡献", "weight": 0.3, "max": 100}])):
        if not isinstance(item, dict):
            raise v._bad("criteria", "[[review.criteria]] 表（name、weight、max）")
        cs = _Section(source, f"review.criteria[{i}]", item, {"max": 100})
        criteria.append(Criterion(cs.text("name"), cs.number("weight", 0, 1), cs.number("max", 1, 1000, "（分）")))
    if criteria and abs(sum(cr.weight for cr in criteria) - 1) > 1e-6:
        raise EditionConfigError(
            "评分标准的权重之和不等于 1", hint="修改 [[review.criteria]] 的 weight", file=str(source))

    target = c.integer("deeds_target_chars", 100, 20000, "（字）")
    checks = CheckSettings(
        target, c.integer("deeds_min_chars", 0, target, "（字，不大于 deeds_target_chars）"),
        c.integer("deeds_max_chars", target, 50000, "（字，不小于 deeds_target_chars）"),
        c.integer("summary_max_chars", 10, 5000, "（字）"), c.integer("evidence_years", 1, 20, "（年）"),
        c.integer("min_years_to_retirement", 0, 20, "（年）"))
    publicity_date = u.day("date") if "date" in u.data else u.day("start")
    return Edition(
        path=path,
        name=path.name,
        round=round_,
        phases=phases,
        office=office,
        issuing_organs=g.texts("issuing"),
        publicity_organ=g.text("publicity"),
        checks=checks,
        photo=PhotoSettings(p.number("width_mm", 10, 100, "（毫米）"), p.number("height_mm", 10, 150, "（毫米）"),
                            p.integer("dpi", 72, 1200, "（dpi）")),
        packets=PacketSettings(k.integer("print_dpi", 72, 1200, "（dpi）"), k.number("email_budget_mb", 0.5, 1000, "（MB）"),
                               k.flag("imprint"), k.integer("copies", 1, 20, "（份）")),
        publicity=PublicitySettings(u.day("start"), u.integer("working_days", 1, 30, "（个工作日）"), publicity_date,
                                    u.flag("final"), u.flag("sealed")),
        review=ReviewSettings(v.texts("experts"), tuple(criteria), v.flag("drop_extremes")),
        certificates=CertificateSettings(
            e.text("number_prefix"), e.text("number_format"), e.url("verify_base_url"),
            e.integer("term_years", 1, 10, "（年）"),
            e.day("issue_date") if "issue_date" in e.data else u.day("start"), e.number("subsidy_yuan", 0, 1_000_000, "（元）")),
        media=MediaSettings(m.text("newspaper"), m.text("tv"), m.text("page_size"), m.number("bleed_mm", 0, 20, "（毫米）")),
        fonts=FontSettings(f.texts("title"), f.texts("body"), f.texts("hei"), f.texts("kai"), f.texts("fallback")),
        raw=raw,
    )
