"""The 选拔公告 (call for nominations) as one GB/T 9704 `Document`, and its WeChat article.

    announce_settings(edition)        [announce] of edition.toml → AnnounceSettings (checked on load)
    build_call(edition, kit_files)    the edition → the 公告's Document: basis, 名额 and ratio, 选拔范围
                                      §四(一), 选拔条件 §四(二) (years to retirement, the 8 conditions,
                                      the exclusions), 选拔程序 §四(三) with this edition's [phases]
                                      dates, the materials §四(三)2, where and by when to send them, the
                                      申报材料包's files, the contact; 署名 = the issuing organs, dated on
                                      the first day of [phases] announce
    wechat_html(doc)                  the same Document → a WeChat-ready article (inline styles only)

The texts of the conditions follow the 2024 实施方案 (大署人社联〔2024〕2号) word for word except for
what an edition sets: every number, date and name comes from edition.toml, so a new round never
prints the last round's dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.core.edition import Edition, Phase, section
from pipeline.core.errors import EditionConfigError
from pipeline.gongwen import Block, Document, Heading, Para
from pipeline.rules.workdays import cn_date

CONDITIONS = (
    "在从事的岗位和职业中，拥有一技之长或绝技高招，具有丰富的实践经验和理论知识，在实施工艺、技术等方面拥有"
    "不可替代、至关重要的地位",
    "在本单位、本行业、本系统、本领域处于领先水平、作出卓越贡献、取得重要成果，在新技术、新产业、新业态、"
    "新模式经济领域引领创新、作出突出贡献、取得重要成果，在全区拥有一定的社会影响力和知名度",
    "在技术创新、攻关、改造等方面作出重大突破，并总结出独特的生产操作法，在行业内广泛推广应用，取得重大经济"
    "效益和社会效益",
    "在传授技术技能方面做出重要贡献，为企业培养技能人才发挥重要作用",
    "在全省、全区的一类职业技能竞赛中获得名次者",
    "获得过“中华技能大奖”“全国技术能手”“龙江大工匠”“龙江工匠”“龙江技术能手”等荣誉称号之一，以及地区行业"
    "技术能手或在林业转型过程中技术创新具有突破性成果的",
    "国务院或省政府特殊津贴获得者",
    "民间传统工艺绝招、绝技、绝活传承人",
)
"""选拔条件 1–8 of §四(二) (the roster's 符合条件 column names them by number)."""

EXCLUSIONS = (
    "受到刑事处罚的",
    "侵犯知识产权的",
    "有其他严重违反法律法规或职业道德行为，对工作和社会造成恶劣影响的",
)
"""The cases that exclude a nominee (§四(二), the roster's 负面情形)."""

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class AnnounceSettings:
    """[announce] of edition.toml: what only the 公告 needs (every key optional)."""

    title: str
    """标题; default “关于开展<[round] title>推荐工作的公告”."""
    place: str
    """受理地点 of the paper materials; default the office and its department (the address follows in 联系方式)."""
    email: str
    """Where the electronic materials go ("" = not printed)."""
    deadline: dt.date
    """Last day the office receives the units' materials; default the end of [phases] recommend."""
    sealed: bool
    """True: the 署名 is laid out for the organs' seals."""


def announce_settings(edition: Edition) -> AnnounceSettings:
    """[announce] → AnnounceSettings with its defaults; EditionConfigError naming the key when a value is wrong."""
    r, office = edition.round, edition.office
    recommend = edition.phases.get("recommend") or edition.phases.get("apply")
    place = f"{office.name}（设在{office.department}）"   # the address is in 八、联系方式
    s = section(edition, "announce", edition.raw.get("announce"), {
        "title": f"关于开展{r.title}推荐工作的公告", "place": place, "email": "",
        "deadline": recommend.end if recommend else r.reference_date, "sealed": True})
    title, where, email = s.text("title").strip(), s.text("place").strip(), s.text("email").strip()
    if not 4 <= len(title) <= 80:
        raise _bad(edition, "title", title, "4 到 80 个字的标题")
    if not 2 <= len(where) <= 120:
        raise _bad(edition, "place", where, "2 到 120 个字的受理地点")
    if email and not _EMAIL.fullmatch(email):
        raise _bad(edition, "email", email, "电子邮箱地址，如 \"zhinengke@example.gov.cn\"（不用可以不写）")
    deadline = s.day("deadline")
    announce = edition.phases.get("announce")
    if announce and deadline < announce.start:
        raise EditionConfigError(
            f"[announce] deadline（{deadline}）早于发布公告的日期（{announce.start}）",
            hint="修改 edition.toml 的 [announce] deadline，或删去这一行（默认为择优推荐阶段的结束日）",
            file=str(edition.path / "edition.toml"))
    return AnnounceSettings(title, where, email, deadline, s.flag("sealed"))


def _bad(edition: Edition, key: str, value: str, want: str) -> EditionConfigError:
    return EditionConfigError(f"设置项 [announce] {key} 的值 {value!r} 不正确，应为{want}",
                              hint=f"修改 edition.toml 的 [announce] {key}，或删去这一行（用默认值）",
                              file=str(edition.path / "edition.toml"))


def span(phase: Phase) -> str:
    """'2027年2月19日至3月19日' (the year once when both days are in it), '2027年3月19日' for one day."""
    if phase.start == phase.end:
        return cn_date(phase.start)
    end = cn_date(phase.end) if phase.end.year != phase.start.year else f"{phase.end.month}月{phase.end.day}日"
    return f"{cn_date(phase.start)}至{end}"


def _when(edition: Edition, key: str) -> str:
    """'（2027年1月8日至2月9日）' for a phase of [phases], '' when the edition has none."""
    phase = edition.phases.get(key)
    return f"（{span(phase)}）" if phase else ""


def basis_citation(edition: Edition) -> str:
    """'《大兴安岭地区2027年度选树“兴安技术能手”实施方案》（大署人社联〔2027〕2号）': the plan a
    印发通知 publishes is cited by its own title; any other basis by its title in 《》."""
    r = edition.round
    inner = re.fullmatch(r"关于印发《(.+)》的通知", r.basis_title)
    title = inner.group(1) if inner else r.basis_title.replace("《", "〈").replace("》", "〉")
    return f"《{title}》" + (f"（{r.basis_number}）" if r.basis_number else "")


def _items(texts: tuple[str, ...], last: str = "。") -> tuple[Para, ...]:
    """'1.…；' paragraphs, the last one ending in `last`."""
    return tuple(Para(f"{i}.{t}{'；' if i < len(texts) else last}") for i, t in enumerate(texts, start=1))


def build_call(edition: Edition, kit_files: tuple[str, ...] | None = None) -> Document:
    """The edition (and the names of the files in the 申报材料包) → the 选拔公告 as a Document."""
    from pipeline.announce.kit import KIT_NAME, MEMBERS, ZIP_NAME
    from pipeline.packets.form import chinese_number
    from pipeline.rules.checks import evidence_since

    kit_files = MEMBERS if kit_files is None else kit_files

    r, c, office = edition.round, edition.checks, edition.office
    settings = announce_settings(edition)
    honour = f"“{r.honour}”"
    approved_by = edition.raw.get("publicity", {}).get("approved_by", "地区人才工作小组会")
    photo = edition.photo
    width, height = photo.pixels
    body: list[Block] = [
        Para(f"为进一步发挥高技能人才对我区经济社会发展的促进作用，健全高技能人才激励机制，打造一支高技能人才领军"
             f"队伍，根据{basis_citation(edition)}，现就开展{r.region}{r.year}年度{honour}选树推荐工作"
             "有关事项公告如下。"),
        Heading("一、选拔名额"),
        Para(f"本届在全区范围内选拔技能含量高、绝技绝活特色明显、有影响力的{honour}{r.quota}名以内。"
             f"候选人数与选拔人数按{r.shortlist_ratio}：1比例确定，参选人数最多为{min(r.shortlist_cap, r.quota * r.shortlist_ratio)}人。"),
        Heading("二、选拔范围"),
        Para(f"{r.region}各类所有制经济、社会组织中，技能水平在全区本职业（工种）中居前列的技能劳动者，"
             "重点关注基层一线职工、符合条件的自由职业者等。"),
        Heading("三、选拔条件"),
        Heading("（一）基本条件", 2),
        Para(f"推荐人选应距法定退休年龄{c.min_years_to_retirement}年以上（按渐进式延迟法定退休年龄的规定计算，"
             f"以{cn_date(r.reference_date)}为计算基准日），遵纪守法，爱岗敬业，勇于创新，在一线技能岗位上直接从事生产、"
             "技术、研发等工作。"),
        Heading("（二）同时具备下列条件之一", 2),
        *_items(CONDITIONS),
        Heading("（三）不得参评的情形", 2),
        Para(f"有下列情形之一的，不得参加{honour}的评选：", keep_with_next=True),
        *_items(EXCLUSIONS),
        Heading("四、选拔程序"),
        Para(f"{honour}选树通过自下而上、层层筛选的方式进行，由单位推荐或个人自荐，具体步骤为：", keep_with_next=True),
        Para(f"1.发布公告{_when(edition, 'announce')}。各县（市、区）、各行业通过各类媒体发布{honour}选拔公告，"
             "公布申报条件和推荐程序等相关细则。"),
        Para(f"2.组织申报{_when(edition, 'apply')}。县（市、区）人力资源和社会保障部门、各级工会组织或行业协会"
             "按照申报条件，在规定的范围内自下而上地做好推荐人选的申报工作；个人也可到所在辖区县（市、区）人力资源"
             "和社会保障部门、工会组织或行业协会自行推荐。申报材料见本公告第五部分。"),
        Para(f"3.择优推荐{_when(edition, 'recommend')}。各推荐单位或行业对申报人的技能水平、业绩和贡献进行综合"
             "评估，对候选人的申报材料原件和复印件进行审核。经审核无误的，在复印件上标明“经核对与原件一致”字样，"
             "并加盖推荐单位或行业的公章，予以确认。"),
        Para(f"4.进行初审{_when(edition, 'preliminary')}。地区总工会、县（市、区）人社局或行业协会将候选人初审材料"
             "提交领导小组办公室。领导小组办公室对申报材料进行核实，对参选人员资格予以确认，提请领导小组确定提名人选。"),
        Para(f"5.专家评审{_when(edition, 'expert_review')}。由领导小组成立专家评审组，负责对候选人的技能水平、"
             f"业绩和贡献进行评审，评选确定{honour}选拔人员名单。"),
        Para(f"6.审议公示。通过专家评审确定的{honour}候选人员名单，"
             + (f"提请{approved_by}审议通过后，" if approved_by else "")
             + f"在媒体进行公示，公示期为{edition.publicity.working_days}个工作日。"),
        Heading("五、申报材料"),
        Para(f"（1）{honour}申报审批表（简要事迹{c.summary_max_chars}字以内）；"),
        Para(f"（2）先进事迹材料（{c.deeds_target_chars}字左右）；"),
        Para(f"（3）申报人职业资格证书（或职业技能等级证书），近{c.evidence_years}年（{evidence_since(edition).chinese}"
             "以后）获得的主要技术成果证书、奖励证书、荣誉证书等证明材料的原件及复印件1份；"),
        Para("（4）自荐者需提供在该行业处于领先水平的相关证明材料（包括获奖证书、专家证明材料、取得的成果等）；"),
        Para(f"（5）申报人正面免冠2寸彩色照片电子版（背景为红色，{photo.width_mm:g}×{photo.height_mm:g}毫米，"
             f"不小于{width}×{height}像素）；"),
        Para("（6）其他需要提交的材料；"),
        Para("（7）所有材料均需装订成册，申报材料首页为封面，注明“××单位申报兴安技术能手选树材料”，次页为目录，"
             f"一式{chinese_number(edition.packets.copies)}份。"),
        Heading("六、报送方式"),
        Para(f"请各推荐单位于{cn_date(settings.deadline)}前，将审核盖章后的纸质申报材料报送至{settings.place}"
             + (f"；推荐人选名册和申报材料电子版同时发送至电子邮箱{settings.email}。" if settings.email
                else "，推荐人选名册和申报材料电子版（U盘或光盘）随纸质材料一并报送。")),
        Heading("七、申报材料包"),
        Para(f"随本公告发布“{KIT_NAME}”（{ZIP_NAME}），供推荐单位和申报人使用，内含"
             + "、".join(kit_files) + "。请使用其中的表格填写，按其中的说明整理和命名电子材料。"),
        Heading("八、联系方式"),
        Para(f"{office.department}，联系人：{office.contact}，联系电话：{office.phone}"
             + (f"，地址：{office.address}" if office.address else "") + "。"),
        Para("特此公告。"),
    ]
    return Document(
        title=settings.title,
        body=tuple(body),
        organs=edition.issuing_organs,
        date=_announce_day(edition),
        sealed=settings.sealed,
        public=True,
        meta={"author": edition.issuing_organs[0] if edition.issuing_organs else office.bureau,
              "subject": f"{r.title}选拔公告"},
    )


def _announce_day(edition: Edition) -> dt.date:
    """成文日期: the first day of [phases] announce (else the first phase's start, else the reference date)."""
    phase = edition.phases.get("announce") or min(edition.phases.values(), key=lambda p: p.start, default=None)
    return phase.start if phase else edition.round.reference_date



def wechat_html(doc: Document, source: str = "") -> str:
    """The Document → one self-contained page for the WeChat editor: inline styles only (pipeline.render.wechat,
    as the media kit's articles), no scripts, images or links to elsewhere; 署名 and date at the end."""
    from pipeline.gongwen import Table
    from pipeline.render.templating import render
    from pipeline.render.wechat import STYLE

    blocks: list[tuple[str, str]] = []
    for block in doc.body:
        if isinstance(block, Heading):
            blocks.append(("h2" if block.level == 1 else "h3", block.text))
        elif isinstance(block, Table):
            if block.caption:
                blocks.append(("h3", block.caption))
            blocks.extend(("flat", "；".join(f"{h}：{v}" for h, v in zip(block.headers, row, strict=False) if v))
                          for row in block.rows)
        else:
            blocks.append(("p" if block.indent else "flat", block.text))
    return render("announce/wechat.html.j2", doc=doc, blocks=blocks, s=STYLE, tag="公告",
                  source=source or "发布：" + "、".join(doc.organs))
