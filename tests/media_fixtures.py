"""Awardee lists for the media-kit tests, built in code (no demo edition needed).

Photos: `photo_fixtures.make_id_photo` (public-domain portraits composed on red, see that
module), normalised like the check stage's copies (413 × 579 px, 300 dpi JPEG). Texts are
made from the fragments below: fictional people, real place names of 大兴安岭地区.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

from pipeline.core.model import Candidate, Materials, Nominee, YearMonth
from pipeline.rules.awardees import Awardee, AwardeeList
from pipeline.rules.idcard import check_character

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建国", "淑华", "振东", "国庆", "海燕", "立军", "春梅", "志强", "玉兰", "德福",
         "秀英", "明辉", "桂芝", "长海", "丽娟", "永胜", "红霞", "宝山", "凤琴", "卫东")
UNITS = ("塔河林业局 电工班长", "漠河市北极村供电所 配电运维工", "加格达奇区人民医院 中药调剂员",
         "新林林业局 森林消防队 副队长", "呼中林业局 木材检验员", "大兴安岭地区公路管理处 养护工",
         "松岭区蓝莓种植合作社 技术员", "十八站林业局 汽车维修工", "阿木尔林业局 锅炉运行值班员",
         "韩家园林业局 苗圃育苗工", "大兴安岭职业学院 焊接实训指导教师", "图强林业局 营林技术员")
TRADES = ("电工", "配电线路工", "中药调剂员", "森林消防员", "木材检验员", "公路养护工",
          "农艺工", "汽车维修工", "锅炉运行值班员", "育苗工", "焊工", "林业有害生物防治员")
SENTENCES = (
    "该同志扎根一线二十余年，练就了过硬的本领。",
    "他总结出“三查两看一测”工作法，在全局推广应用，故障率下降百分之四十。",
    "先后带出徒弟三十余人，其中十二人取得高级工以上职业资格。",
    "在全区职业技能竞赛中获得第一名，被授予“龙江技术能手”称号。",
    "面对零下四十度的严寒，他坚持巡线检修，保障了林区群众安全温暖过冬。",
    "主持完成技术革新项目五项，年节约成本八十余万元。",
    "她刻苦钻研新技术、新工艺，解决了多项生产难题。",
    "在森林防火紧要期，他带领队员连续奋战，守护了兴安林海。",
    "他热心公益，利用业余时间为周边群众义务服务，深受好评。",
)


def make_id(birth: str = "19800115", seq: str = "12", male: bool = True) -> str:
    """A valid ID number (never printed by the media kit)."""
    body = f"232700{birth}{seq}{'1' if male else '2'}"
    return body + check_character(body)


def summary_text(i: int, length: int) -> str:
    """A 简要事迹 of about `length` characters (whole sentences)."""
    out = ""
    k = i
    while len(out) < length - 10:
        s = SENTENCES[k % len(SENTENCES)]
        if len(out) + len(s) > length:
            break
        out += s
        k += 1
    return out


def deeds_text(name: str, paragraphs: int = 12) -> str:
    """A 先进事迹材料 of `paragraphs` paragraphs (~2000 characters for 12)."""
    lines = [f"{name}同志先进事迹材料"]
    for p in range(paragraphs):
        body = "".join(SENTENCES[(p + j) % len(SENTENCES)] for j in range(4))
        lines.append(body.replace("该同志", name).replace("他", name, 1))
    return "\n".join(lines) + "\n"


@cache
def _photo_bytes(variant: int) -> bytes:
    """A normalised 2-inch photo (413 × 579 JPEG at 300 dpi)."""
    import io

    from tests.photo_fixtures import Sitter, make_id_photo

    sitter = Sitter(source="astronaut" if variant % 2 == 0 else "hopper")
    img = make_id_photo(size=(413, 579), face=sitter)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88, dpi=(300, 300))
    return buf.getvalue()


def candidate(i: int, **changes: object) -> Candidate:
    """The i-th fictional awardee (0-based)."""
    c = Candidate(
        code=f"M{i + 1:02d}", name=SURNAMES[i % 20] + GIVEN[(i * 7) % 20], gender="男" if i % 3 else "女",
        birth=YearMonth(1975 + i % 10, 1 + i % 12), native_place="黑龙江塔河", ethnicity="汉族",
        political_status="中共党员", education="大专", work_start=YearMonth(1998, 7),
        professional_title="无", skill_level="高级技师", unit_and_post=UNITS[i % len(UNITS)],
        occupation=TRADES[i % len(TRADES)], id_number=make_id(seq=f"{i % 90 + 10}"),
        phone=f"139045700{i % 90 + 10}", recommender="塔河林业局", nomination="单位推荐",
        retirement_category=None, conditions=(1, 5), exclusion="",
        resume="1998.07—至今 塔河林业局", summary=summary_text(i, 120 + (i * 37) % 181), row=i + 2,
    )
    return dataclasses.replace(c, **changes)  # type: ignore[arg-type]


def awardee_list(folder: Path, n: int, *, final: bool = False, deeds: bool = True,
                 candidates: list[Candidate] | None = None) -> AwardeeList:
    """n awardees with photos (and 先进事迹.txt) written under folder."""
    people = candidates if candidates is not None else [candidate(i) for i in range(n)]
    awardees = []
    for rank, c in enumerate(people, start=1):
        home = folder / "candidates" / c.code
        home.mkdir(parents=True, exist_ok=True)
        photo = folder / "photos" / f"{c.code}.jpg"
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(_photo_bytes(rank))
        deeds_path = None
        if deeds:
            deeds_path = home / "先进事迹.txt"
            deeds_path.write_text(deeds_text(c.name), encoding="utf-8")
        materials = Materials(folder=home, photo=photo, deeds=deeds_path, evidence=())
        nominee = Nominee(c, materials, (), photo)
        awardees.append(Awardee(rank, 90 - rank * 0.5, nominee))
    return AwardeeList(final, tuple(awardees))
