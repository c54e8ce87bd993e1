"""Fictional nominees: identity, evidence plan, résumé, 简要事迹 and 先进事迹材料.

`build_person` turns one `NomineeRow` into a `Person` with everything the roster and the
candidate folder need. All randomness comes from a `random.Random` seeded by the caller.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from demo_data import (
    BOOKLET_PATTERNS,
    DEEDS_CLOSINGS,
    DEEDS_EXTRAS,
    DEEDS_HONOURS,
    DEEDS_INTROS,
    DEEDS_PARTY,
    DEEDS_SECTIONS,
    EXPERTS,
    HR_BUREAU,
    OLD_QUAL_ISSUER,
    PRIZES,
    PROVINCE_HR,
    PROVINCE_PRIZES,
    RESULT_GRADES,
    STUDIO_PATTERNS,
    SUMMARY_TEMPLATES,
    TRADES,
    UNION,
    NomineeRow,
    Trade,
)

from pipeline.core.model import NOMINATION_SELF, YearMonth
from pipeline.rules.idcard import check_character

REFERENCE = dt.date(2027, 3, 19)
"""Reference date of the demo round (end of 申报)."""
RECENT_FROM = YearMonth(2023, 4)
"""Achievement certificates are dated from here (4 years before the reference date)."""
RECENT_TO = YearMonth(2027, 2)
"""…up to here."""
LETTERS_FROM = YearMonth(2027, 1)
"""Letters written for the application (专家推荐意见, 证明) are dated 2027.01–2027.03."""

DEEDS_MIN, DEEDS_MAX = 1800, 2300
"""Bounds of the generated 先进事迹 length (non-whitespace characters)."""
SUMMARY_MAX = 280
"""Generated 简要事迹 stay below this (the limit is 300)."""

CN_SECTION = "一二三四五六七八九十"
ROUNDED = ("tries", "lectures", "cars", "cars2", "patients", "elders", "visits", "farmers", "mu", "jobs",
           "flights", "defects", "repairs", "students", "trainees", "families", "customers", "projects",
           "talks", "trained")
"""Numbers written with 余/多 in the text, so they are rounded."""
SUMMARY_TAIL = "{ta}扎根林区、爱岗敬业，是{domain}领域公认的技术带头人。"
"""Appended to a short 简要事迹."""
WORK_AGE = {"初中": 17, "高中": 19, "技校": 19, "中专": 19, "大专": 21, "本科": 22}
"""Age at which people of each education typically start work."""
SCHOOLS: dict[str, tuple[str, ...]] = {
    "技校": ("大兴安岭林业技工学校", "大兴安岭技工学校"),
    "中专": ("大兴安岭林业学校", "黑龙江省林业学校", "大兴安岭卫生学校"),
    "大专": ("大兴安岭职业学院", "黑龙江林业职业技术学院", "黑龙江农业经济职业学院"),
    "本科": ("东北林业大学", "黑龙江大学", "哈尔滨商业大学", "黑龙江八一农垦大学"),
}
"""Schools for the résumé (years of study: 3, 3, 3, 4)."""
STUDY_YEARS = {"技校": 3, "中专": 3, "大专": 3, "本科": 4}


@dataclass
class EvidenceItem:
    """One evidence scan to render."""

    category: str
    """资格证书 成果证书 奖励证书 荣誉证书 领先水平证明 其他."""
    date: YearMonth
    """Date in the file name."""
    title: str
    """File title after the date prefix, without extension."""
    kind: str
    """Layout: qual, licence, honour, award, result, letter, report."""
    issuer: str
    """Issuing organ(s), '|'-separated."""
    honour: str = ""
    """The honour, prize or grade the certificate states."""
    phrase: str = ""
    """'被授予“龙江技术能手”称号' for the résumé and the deeds."""
    fmt: str = "jpg"
    """jpg, png, pdf, tif or jpg-exif (stored rotated, EXIF orientation 6)."""
    extra: dict[str, str] = field(default_factory=dict)
    """Layout-specific values (certificate number, signer …)."""
    printed: YearMonth | None = None
    """Issue date printed on the scan when it is not the file name's (a misdated file name)."""
    undated: bool = False
    """The file name has no date (the printed date is `date`)."""

    @property
    def filename(self) -> str:
        """'2024.05-龙江技术能手荣誉证书.jpg'."""
        ext = {"jpg-exif": "jpg", "jpeg": "jpeg"}.get(self.fmt, self.fmt)
        if self.undated:
            return f"{self.title}.{ext}"
        return f"{self.date}-{self.title}.{ext}"


@dataclass
class Person:
    """A fictional nominee with everything generated."""

    code: str
    row: NomineeRow
    trade: Trade
    birth: dt.date
    work_start: YearMonth
    id_number: str
    phone: str
    conditions: str
    evidence: list[EvidenceItem]
    ctx: dict[str, str]
    resume: str = ""
    summary: str = ""
    deeds: list[str] = field(default_factory=list)
    """Paragraphs of the 先进事迹材料; the first is the title, headings start with 一、 etc."""

    @property
    def name(self) -> str:
        """姓名."""
        return self.row.name


def count_chars(text: str) -> int:
    """Characters of a text as the 2000-character rule counts them: all but whitespace."""
    return len(re.sub(r"\s", "", text))


def make_id(region: str, birth: dt.date, sex: str, rng: random.Random, *, want_x: bool = False) -> str:
    """A valid 18-character ID number (GB 11643-1999) for this region, birth date and sex."""
    for _ in range(10000):
        seq = rng.randint(0, 99)
        gender_digit = rng.choice("13579" if sex == "男" else "02468")
        first17 = f"{region}{birth:%Y%m%d}{seq:02d}{gender_digit}"
        check = check_character(first17)
        if (check == "X") == want_x:
            return first17 + check
    raise RuntimeError("no ID number found")  # pragma: no cover


def make_mobile(rng: random.Random) -> str:
    """A fictional mobile number 1[3-9]x xxxx xxxx."""
    return f"1{rng.choice('3456789')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def make_landline(rng: random.Random) -> str:
    """A fictional 大兴安岭 landline 0457-xxxxxxx."""
    return f"0457-{rng.choice('2368')}{rng.randint(0, 999999):06d}"


def random_month(rng: random.Random, start: YearMonth, end: YearMonth) -> YearMonth:
    """A month between start and end inclusive."""
    return start.plus_months(rng.randint(0, start.months_until(end)))


def chinese_date(ym: YearMonth) -> str:
    """'二〇二四年五月' as printed on certificates."""
    digits = "〇一二三四五六七八九"
    months = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
    return "".join(digits[int(d)] for d in str(ym.year)) + f"年{months[ym.month - 1]}月"


def _industry(row: NomineeRow) -> str:
    """The organisation whose 技术能手 title fits the nominee."""
    if "林业局" in row.unit:
        return "大兴安岭林业集团公司"
    if row.unit.startswith("国网"):
        return "国网大兴安岭供电公司"
    return ""


def _short(trade: Trade) -> str:
    """The occupation without its parenthesised note."""
    return trade.occupation.split("（")[0]


def plan_evidence(row: NomineeRow, trade: Trade, work_start: YearMonth,
                  rng: random.Random) -> list[EvidenceItem]:
    """3–8 evidence items: 资格证书 always, recent achievements, proof for self-nominees."""
    items: list[EvidenceItem] = []
    industry = _industry(row)
    # 资格证书: the current level; sometimes also the one before; the trade's licence.
    years = {"高级工": (3, 8), "技师": (8, 14), "高级技师": (14, 22)}[row.level]
    got = work_start.plus_months(12 * rng.randint(*years) + rng.randint(0, 11))
    got = min(got, YearMonth(2022, rng.randint(6, 12)))
    got = max(got, work_start.plus_months(24))
    items.append(_qualification(row, trade, got, row.level, industry, rng))
    if row.level != "高级工" and rng.random() < 0.2:
        before = {"技师": "高级工", "高级技师": "技师"}[row.level]
        earlier = got.plus_months(-12 * rng.randint(3, 5))
        if earlier > work_start:
            items.append(_qualification(row, trade, earlier, before, industry, rng))
    if trade.special_cert:
        title, issuer = trade.special_cert.split("|")
        items.append(EvidenceItem("资格证书", random_month(rng, YearMonth(2021, 1), YearMonth(2026, 6)),
                                  title, "licence", issuer, extra={"number": f"T{rng.randint(10**16, 10**17 - 1)}"}))

    # Achievements of the last four years.
    short = _short(trade)
    pool: list[EvidenceItem] = [
        EvidenceItem("奖励证书", YearMonth(0, 1), f"{trade.contest}获奖证书", "award", UNION,
                     honour=rng.choice(PRIZES), phrase=f"在{trade.contest}中获得{{honour}}"),
        EvidenceItem("荣誉证书", YearMonth(0, 1), "大兴安岭地区五一劳动奖章荣誉证书", "honour", UNION,
                     honour="大兴安岭地区五一劳动奖章", phrase="荣获“大兴安岭地区五一劳动奖章”"),
        EvidenceItem("成果证书", YearMonth(0, 1), f"职工技术创新成果证书（{trade.achievements[0]}）", "result",
                     UNION, honour=rng.choice(RESULT_GRADES),
                     phrase=f"主持完成的“{trade.achievements[0]}”获大兴安岭地区职工技术创新{{honour}}",
                     extra={"achievement": trade.achievements[0]}),
        EvidenceItem("荣誉证书", YearMonth(0, 1), "大兴安岭地区优秀高技能人才荣誉证书", "honour", HR_BUREAU,
                     honour="大兴安岭地区优秀高技能人才", phrase="被评为“大兴安岭地区优秀高技能人才”"),
    ]
    if rng.random() < 0.35:
        pool.append(EvidenceItem("荣誉证书", YearMonth(0, 1), "龙江技术能手荣誉证书", "honour", PROVINCE_HR,
                                 honour="龙江技术能手", phrase="被授予“龙江技术能手”称号"))
    if rng.random() < 0.4:
        pool.append(EvidenceItem("奖励证书", YearMonth(0, 1), f"黑龙江省职业技能大赛{short}项目获奖证书",
                                 "award", PROVINCE_HR, honour=rng.choice(PROVINCE_PRIZES),
                                 phrase=f"在黑龙江省职业技能大赛{short}项目中获得{{honour}}"))
    if industry:
        pool.append(EvidenceItem("荣誉证书", YearMonth(0, 1), f"{industry}技术能手荣誉证书", "honour", industry,
                                 honour=f"{industry}技术能手", phrase=f"被评为“{industry}技术能手”"))
    if trade.occupation.startswith("桦树皮"):
        pool.insert(0, EvidenceItem("荣誉证书", YearMonth(0, 1), "非物质文化遗产代表性传承人证书", "honour",
                                    "大兴安岭地区文化广电和旅游局",
                                    honour="大兴安岭地区级非物质文化遗产代表性项目代表性传承人",
                                    phrase="被认定为大兴安岭地区级非物质文化遗产代表性项目代表性传承人"))
    rng.shuffle(pool)
    if trade.occupation.startswith("桦树皮"):
        pool.sort(key=lambda e: e.title != "非物质文化遗产代表性传承人证书")
    achievements = pool[:rng.randint(2, 3)]
    months = sorted(rng.sample(range(RECENT_FROM.months_until(RECENT_TO) + 1), len(achievements)))
    for item, offset in zip(achievements, months, strict=True):
        item.date = RECENT_FROM.plus_months(offset)
        item.phrase = item.phrase.replace("{honour}", item.honour)
        item.extra.setdefault("number", f"{item.date.year}-{rng.randint(1, 400):04d}")
    items.extend(achievements)

    # Proof of leading level (材料4): always for self-nominees, sometimes for others.
    lead_count = rng.randint(1, 2) if row.mode == NOMINATION_SELF else int(rng.random() < 0.15)
    expert = EXPERTS[rng.randrange(len(EXPERTS))]
    lead_pool = [
        EvidenceItem("领先水平证明", random_month(rng, LETTERS_FROM, YearMonth(2027, 3)), "专家推荐意见", "letter",
                     expert[2], extra={"letter": "expert", "signer": expert[0], "signer_title": expert[1]}),
        EvidenceItem("领先水平证明", random_month(rng, LETTERS_FROM, YearMonth(2027, 3)), f"{trade.domain}领先水平证明",
                     "letter", row.recommender, extra={"letter": "leading"}),
    ]
    rng.shuffle(lead_pool)
    items.extend(lead_pool[:lead_count])
    if rng.random() < 0.2:
        items.append(EvidenceItem("其他", random_month(rng, LETTERS_FROM, YearMonth(2027, 3)),
                                  rng.choice(("工作业绩证明", "带徒传技情况证明")), "letter",
                                  row.unit, extra={"letter": "other"}))
    while len(items) > 8:
        items.remove(next(e for e in reversed(items) if e.category in {"奖励证书", "荣誉证书", "成果证书"}))
    return items


def _qualification(row: NomineeRow, trade: Trade, when: YearMonth, level: str, industry: str,
                   rng: random.Random) -> EvidenceItem:
    """A 职业资格证书 (before 2019) or 职业技能等级证书 (from 2019)."""
    if when.year < 2019:
        kind_title, issuer = "职业资格证书", OLD_QUAL_ISSUER
    else:
        kind_title = "职业技能等级证书"
        issuer = f"{industry}职业技能等级认定中心" if industry else "大兴安岭地区职业技能鉴定指导中心"
    number = f"{'S' if when.year >= 2019 else ''}{rng.randint(10**13, 10**14 - 1)}"
    return EvidenceItem("资格证书", when, f"{kind_title}（{level}）", "qual", issuer, honour=level,
                        extra={"number": number, "kind_title": kind_title})


def build_person(code: str, row: NomineeRow, rng: random.Random, *, want_x: bool = False) -> Person:
    """Generate one nominee from a table row."""
    trade = TRADES[row.trade]
    birth = dt.date.fromisoformat(row.birth)
    start_age = WORK_AGE[row.education] + rng.randint(0, 1)
    work_start = YearMonth(birth.year + start_age, rng.choice((3, 7, 7, 8, 9, 12)))
    if work_start.year > 2018:
        work_start = YearMonth(2018, 7)
    id_number = make_id(row.region, birth, row.sex, rng, want_x=want_x)
    phone = make_landline(rng) if rng.random() < 0.15 else make_mobile(rng)
    evidence = plan_evidence(row, trade, work_start, rng)
    ctx = _context(row, trade, birth, work_start, evidence, rng)
    person = Person(code, row, trade, birth, work_start, id_number, phone,
                    _conditions(row, trade, evidence, rng), evidence, ctx)
    person.resume = make_resume(person, rng)
    person.summary = make_summary(person, rng)
    person.deeds = make_deeds(person, rng)
    return person


def _conditions(row: NomineeRow, trade: Trade, evidence: list[EvidenceItem], rng: random.Random) -> str:
    """符合条件 consistent with the evidence, e.g. '1,5'."""
    found = {1 if rng.random() < 0.6 else 2}
    titles = " ".join(e.title for e in evidence)
    if "获奖证书" in titles:
        found.add(5)
    if "龙江技术能手" in titles or "技术能手荣誉证书" in titles:
        found.add(6)
    if any(e.category == "成果证书" for e in evidence) and rng.random() < 0.7:
        found.add(3)
    if rng.random() < 0.3:
        found.add(4)
    if trade.occupation.startswith("桦树皮"):
        found.add(8)
    chosen = sorted(found)[:4]
    return ",".join(str(c) for c in chosen)


def _context(row: NomineeRow, trade: Trade, birth: dt.date, work_start: YearMonth,
             evidence: list[EvidenceItem], rng: random.Random) -> dict[str, str]:
    """Every placeholder value of the text fragments."""
    ta = "他" if row.sex == "男" else "她"
    numbers = {
        "notebooks": rng.randint(12, 40), "tries": rng.randint(20, 90), "benefit": rng.randint(30, 260),
        "innovations": rng.randint(6, 28), "apprentices": rng.randint(8, 36), "lectures": rng.randint(30, 160),
        "trained": rng.randint(300, 2600), "safe_years": rng.randint(8, 20), "talks": rng.randint(20, 90),
        "area": rng.randint(3, 15), "area2": rng.randint(8, 40), "volume": rng.randint(20, 90),
        "projects": rng.randint(60, 300), "cars": rng.randint(3000, 12000), "cars2": rng.randint(500, 2000),
        "dishes": rng.randint(20, 60), "patients": rng.randint(1000, 5000), "flags": rng.randint(10, 40),
        "elders": rng.randint(200, 600), "visits": rng.randint(300, 1500), "households": rng.randint(30, 200),
        "farmers": rng.randint(500, 3000), "mu": rng.randint(800, 5000), "jobs": rng.randint(50, 300),
        "flights": rng.randint(2000, 8000), "defects": rng.randint(300, 1500), "repairs": rng.randint(200, 800),
        "students": rng.randint(30, 120), "teas": rng.randint(8, 30), "trainees": rng.randint(300, 2000),
        "growth": rng.randint(2, 5), "families": rng.randint(40, 150), "artisans": rng.randint(20, 80),
        "coal": rng.randint(2, 9), "homes": rng.randint(2, 6), "customers": rng.randint(100, 400),
        "sales": rng.randint(3, 9),
    }
    for key in ROUNDED:
        numbers[key] = max(10, round(numbers[key], -1 if numbers[key] < 1000 else -2))
    numbers["grads"] = rng.randint(3, max(4, numbers["apprentices"] // 2))
    numbers["winners"] = rng.randint(2, max(3, numbers["grads"]))
    ctx = {k: str(v) for k, v in numbers.items()}
    honours = [e for e in evidence if e.category in {"奖励证书", "荣誉证书", "成果证书"}]
    honours_text = "，".join(f"{e.date.year}年{e.date.month}月{e.phrase}" for e in honours)
    names = [e.honour if e.kind == "honour" else f"{e.title.replace('获奖证书', '')}{e.honour}"
             for e in honours if e.kind in {"honour", "award"}]
    honours_short = f"{ta}先后获得“{'”“'.join(names[:2])}”等荣誉。" if names else ""
    politics_phrase = "" if row.politics == "群众" else f"{row.politics}，"
    ctx.update({
        "name": row.name, "ta": ta, "sex": row.sex, "ethnicity": row.ethnicity,
        "birth_cn": f"{birth.year}年{birth.month}月", "native": row.native, "politics_phrase": politics_phrase,
        "education": {"技校": "技校", "初中": "初中"}.get(row.education, row.education),
        "work_cn": f"{work_start.year}年{work_start.month}月", "unit": row.unit, "post": row.post,
        "occupation": _short(trade), "level": row.level,
        "years": str(REFERENCE.year - work_start.year), "domain": trade.domain,
        "skills": trade.skills, "study": trade.study, "problem": trade.problem, "method": trade.method,
        "achievement": trade.achievements[0], "achievement2": trade.achievements[1],
        "contest": trade.contest, "teach": trade.teach, "nickname": trade.nickname,
        "newtech": trade.newtech, "honours_text": honours_text, "honours_short": honours_short,
    })
    for key in ("result", "hardship", "service", "volunteer", "detail", "detail2"):
        ctx[key] = getattr(trade, key).format_map(ctx)
    ctx["studio"] = rng.choice(STUDIO_PATTERNS).format_map(ctx)
    ctx["booklet"] = rng.choice(BOOKLET_PATTERNS).format_map(ctx)
    return ctx


def make_resume(person: Person, rng: random.Random) -> str:
    """个人简历: school, posts, honours at county level and above, one line each."""
    row, ws = person.row, person.work_start
    lines: list[str] = []
    if row.education in SCHOOLS:
        start = YearMonth(ws.year - STUDY_YEARS[row.education], 9)
        lines.append(f"{start}—{YearMonth(ws.year, min(ws.month, 7))} {rng.choice(SCHOOLS[row.education])} 学习")
    mid = ws.plus_months(12 * rng.randint(5, 10) + rng.randint(0, 11))
    mid = min(mid, YearMonth(2024, 3))
    if row.mode == NOMINATION_SELF:
        lines.append(f"{ws}—{mid} 从事{person.trade.domain}工作 {person.trade.junior}")
    else:
        lines.append(f"{ws}—{mid} {row.unit} {person.trade.junior}")
    lines.append(f"{mid}—至今 {row.unit} {row.post}")
    older = YearMonth(rng.randint(max(ws.year + 3, 2012), 2021), rng.randint(1, 12))
    older_text = rng.choice((
        f"被评为{'大兴安岭林业集团公司' if _industry(row) else '大兴安岭地区'}先进生产者",
        f"在{person.trade.contest}中获得第{rng.choice('二三')}名",
        "被评为大兴安岭地区优秀共产党员" if row.politics == "中共党员" else "被评为大兴安岭地区优秀职工",
    ))
    lines.append(f"{older} {older_text}")
    for item in sorted(person.evidence, key=lambda e: e.date):
        if item.category in {"奖励证书", "荣誉证书", "成果证书"}:
            issuer = item.issuer.replace("|", "、")
            lines.append(f"{item.date} {item.phrase}（{issuer}）")
    return "\n".join(lines)


def make_summary(person: Person, rng: random.Random) -> str:
    """简要事迹: 150–280 characters."""
    templates = list(SUMMARY_TEMPLATES)
    rng.shuffle(templates)
    for template in templates:
        text = template.format_map(person.ctx)
        if len(text) > SUMMARY_MAX:
            text = template.format_map({**person.ctx, "honours_short": ""})
        if len(text) < 150:
            text += SUMMARY_TAIL.format_map(person.ctx)
        if 150 <= len(text) <= SUMMARY_MAX:
            return text
    raise RuntimeError(f"{person.code}: no 简要事迹 template fits {SUMMARY_MAX} characters")


def make_deeds(person: Person, rng: random.Random, *, target: tuple[int, int] = (1900, 2150)) -> list[str]:
    """先进事迹材料 paragraphs (title first), DEEDS_MIN–DEEDS_MAX characters in all."""
    ctx = person.ctx
    title = f"{person.name}同志先进事迹材料"
    intro = rng.choice(DEEDS_INTROS).format_map(ctx)
    sections: list[list[str]] = []
    extras: list[tuple[int, str]] = []
    for i, (headings, shared) in enumerate(DEEDS_SECTIONS):
        order = list(range(len(shared)))
        rng.shuffle(order)
        body = [shared[order[0]].format_map(ctx)]
        second = shared[order[1]]
        if not ("{hardship}" in second and "{hardship}" in shared[order[0]]):
            extras.append((i, second.format_map(ctx)))
        if i == 0:
            body.insert(0, ctx["detail"])
        elif i == 1:
            body.insert(rng.randint(0, 1), ctx["detail2"])
            if ctx["honours_text"]:
                body.append(rng.choice(DEEDS_HONOURS).format_map(ctx))
        sections.append([f"{CN_SECTION[i]}、{rng.choice(headings)}", *body])
    for text in DEEDS_EXTRAS:
        extras.append((rng.choice((0, 3)), text.format_map(ctx)))
    if person.row.politics == "中共党员":
        extras.append((3, DEEDS_PARTY.format_map(ctx)))
    rng.shuffle(extras)
    closing = rng.choice(DEEDS_CLOSINGS).format_map(ctx)

    def total() -> int:
        return count_chars(title + intro + closing + "".join("".join(s) for s in sections))

    goal = rng.randint(*target)
    for section, text in extras:
        if total() >= goal:
            break
        if total() + count_chars(text) <= DEEDS_MAX:
            sections[section].append(text)
    n = total()
    if not DEEDS_MIN <= n <= DEEDS_MAX:
        raise RuntimeError(f"{person.code}: 先进事迹 has {n} characters, outside {DEEDS_MIN}–{DEEDS_MAX}")
    return [title, intro, *(p for s in sections for p in s), closing]
