"""Generate the stress edition input/examples/stress/: the worst realistic case for layout.

    .venv/bin/python tools/make_stress.py          (or: make stress-data)

40 fictional nominees, all clean: 5- and 6-character names and names with a middle dot
(乌云其其格, 孟克吉日嘎拉, 阿依古丽·买买提), compound surnames (欧阳, 上官, 司马, 诸葛 …),
工作单位及职务 of 40 characters, 籍贯 such as 内蒙古自治区呼伦贝尔市, one 60-line 个人简历. The
review inputs (初审.xlsx passing all 40, five filled expert score sheets) are written too,
scored so that the 20 nominees with the longest units are selected: the public lists, the
特刊 and the certificates get the longest texts. `python -m pipeline --edition
input/examples/stress all` runs the whole round to certificates, and `make preflight
EDITION=input/examples/stress` must be clean.

Small on purpose: the smallest accepted photo, two or three grey scans per nominee (110 dpi,
low JPEG quality), deeds as .txt.
Deterministic: the same code gives byte-identical files.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

import demo_files as files
import demo_photo as photos
import demo_scans as scans
import make_demo
from demo_data import NomineeRow
from demo_text import EvidenceItem, Person, _conditions, build_person
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.core.context import RunContext  # noqa: E402
from pipeline.core.edition import PROJECT_ROOT, load_edition  # noqa: E402
from pipeline.core.model import NOMINATION_SELF, YearMonth  # noqa: E402
from pipeline.render import office  # noqa: E402
from pipeline.review import decisions  # noqa: E402
from pipeline.review.sheets import FIRST_ROW, FIRST_SCORE_COL, build_workbook, sheet_filename  # noqa: E402

STRESS = PROJECT_ROOT / "input" / "examples" / "stress"
EDITION = "stress"
SCAN_DPI = 110
"""Resolution of the stress scans: enough to read, small in bytes."""
SCAN_QUALITY = 45
"""JPEG quality of the grey stress scans (≈ 30 KB a page)."""
PHOTO_SIZE = (420, 588)
"""A small photo in the exact 35:49 proportion with the pixels of 300 dpi."""
LONG_RESUME = "010"
"""The nominee with a 60-line 个人简历."""
UNIT_MIN = 38
"""The 20 long 工作单位及职务 have at least this many characters."""

LIN = "大兴安岭林业集团公司"
GRID = "国网大兴安岭供电公司"

# name, sex, ethnicity, birth, native place, politics, education, trade, unit, post, level,
# title, mode, recommender, category, region
_ROWS: tuple[tuple[str, ...], ...] = (
    ("乌云其其格", "女", "蒙古族", "1990-07-11", "内蒙古自治区呼伦贝尔市", "群众", "大专", "childcare",
     "大兴安岭地区加格达奇区暖心家政服务有限公司母婴护理培训中心", "高级育婴员兼培训主管", "高级工", "无",
     "单位推荐", "加格达奇区人力资源和社会保障局", "", "150702"),
    ("阿依古丽·买买提", "女", "维吾尔族", "1988-03-21", "新疆维吾尔自治区喀什地区", "中共党员", "本科", "nursing",
     "大兴安岭地区人民医院护理部重症医学科护理单元", "医疗护理员兼科室护理质量控制员", "技师", "主管护师",
     "单位推荐", "大兴安岭地区卫生健康委员会", "", "653101"),
    ("欧阳春晓", "女", "汉族", "1986-05-02", "黑龙江省大兴安岭地区呼玛县", "中共党员", "大专", "tea_art",
     "大兴安岭地区加格达奇区兴安茶苑茶文化传播有限公司", "茶艺培训部主任兼首席茶艺师", "技师", "无",
     "单位推荐", "加格达奇区人力资源和社会保障局", "", "232721"),
    ("上官婉清", "女", "汉族", "1991-09-15", "内蒙古自治区兴安盟科尔沁右翼前旗", "群众", "大专", "pastry",
     "大兴安岭地区松岭区兴岭食品有限公司中式面点生产车间", "面点车间主任兼产品研发组组长", "技师", "无",
     "单位推荐", "松岭区总工会", "", "152221"),
    ("司马俊杰", "男", "汉族", "1982-11-08", "黑龙江省大兴安岭地区塔河县", "中共党员", "中专", "forest_fire",
     f"{LIN}塔河林业局专业森林消防大队第二中队", "中队长兼应急救援技术教官", "高级技师", "无",
     "单位推荐", LIN, "", "232722"),
    ("诸葛明远", "男", "汉族", "1984-02-27", "山东省烟台市莱阳市", "中共党员", "大专", "drone",
     f"{GRID}输电运检中心无人机巡检作业一班", "无人机巡检班班长兼安全员", "技师", "工程师",
     "单位推荐", GRID, "", "232701"),
    ("巴特尔那顺", "男", "蒙古族", "1985-06-30", "内蒙古自治区呼伦贝尔市", "群众", "高中", "chef",
     "大兴安岭地区漠河市北极光大酒店餐饮部中餐厨房", "厨师长兼地方特色菜品研发负责人", "高级技师", "无",
     "单位推荐", "漠河市总工会", "", "150702"),
    ("孟克吉日嘎拉", "男", "蒙古族", "1987-10-04", "内蒙古自治区鄂温克族自治旗", "群众", "技校", "welder",
     f"{LIN}西林吉林业局机械修造厂金属结构车间", "电焊工班长兼焊接工艺员", "技师", "无",
     "单位推荐", LIN, "", "150724"),
    ("热依拉·阿不都", "女", "维吾尔族", "1992-12-12", "新疆维吾尔自治区和田地区", "共青团员", "本科", "ecommerce",
     "大兴安岭地区漠河市极地蓝莓电子商务有限公司直播运营中心", "直播运营主管兼主播培训师", "技师", "无",
     "单位推荐", "漠河市人力资源和社会保障局", "", "653201"),
    ("慕容雪松", "男", "满族", "1983-01-19", "辽宁省鞍山市海城市", "中共党员", "大专", "line_worker",
     f"{GRID}塔河供电分公司配电运检班", "配电运检班班长兼带电作业技术负责人", "技师", "助理工程师",
     "单位推荐", GRID, "", "232722"),
    ("呼延卫东", "男", "汉族", "1980-08-08", "黑龙江省大兴安岭地区漠河市", "中共党员", "中专", "timber_inspect",
     f"{LIN}阿木尔林业局木材检验站质量检验科", "检验组长兼木材检量培训员", "高级技师", "工程师",
     "单位推荐", LIN, "", "232723"),
    ("皇甫建华", "男", "汉族", "1981-04-16", "河北省唐山市乐亭县", "中共党员", "高中", "electrician",
     "大兴安岭地区人民医院后勤保障科电力运行维护班组", "电工班长兼配电室设备安全管理员", "技师", "无",
     "单位推荐", "大兴安岭地区卫生健康委员会", "", "232701"),
    ("东方晓燕", "女", "汉族", "1985-03-03", "黑龙江省大兴安岭地区新林区", "中共党员", "大专", "afforestation",
     f"{LIN}新林林业局宏图林场营林生产技术组", "营林技术员兼苗圃生产负责人", "技师", "助理工程师",
     "单位推荐", LIN, "", "232700"),
    ("图门巴雅尔", "男", "蒙古族", "1986-09-09", "内蒙古自治区呼伦贝尔市", "群众", "高中", "car_repair",
     "大兴安岭地区兴运汽车运输有限公司汽车维修保养中心", "维修车间主任兼新能源汽车技术员", "高级技师", "无",
     "单位推荐", "加格达奇区总工会", "", "150702"),
    ("斯琴格日乐", "女", "蒙古族", "1989-05-25", "内蒙古自治区兴安盟乌兰浩特市", "中共党员", "中专", "elder_care",
     "大兴安岭地区加格达奇区社会福利中心失能老人照护部", "养老护理部主任兼护理员培训师", "高级技师", "无",
     "单位推荐", "加格达奇区人力资源和社会保障局", "", "152201"),
    ("古丽娜尔·吐尔逊", "女", "维吾尔族", "1993-02-14", "新疆维吾尔自治区阿克苏地区", "群众", "中专", "herb",
     "大兴安岭地区塔河县北药种植示范基地中药材种苗繁育中心", "种植技术主管兼质量检测员", "技师", "农艺师",
     "单位推荐", "塔河县人力资源和社会保障局", "", "652901"),
    ("宇文浩然", "男", "汉族", "1988-07-07", "黑龙江省大兴安岭地区松岭区", "中共党员", "大专", "pest_control",
     f"{LIN}松岭林业局森林病虫害防治检疫站测报科", "防治员兼有害生物监测员", "技师", "助理工程师",
     "单位推荐", LIN, "", "232700"),
    ("令狐秋菊", "女", "汉族", "1984-10-10", "黑龙江省大兴安岭地区呼中区", "群众", "中专", "road",
     "大兴安岭公路事业发展中心呼中分中心公路养护第三工区", "养护工区副区长兼机械操作员", "技师", "无",
     "单位推荐", "大兴安岭地区交通运输局", "", "232700"),
    ("端木长河", "男", "汉族", "1979-12-01", "山东省威海市乳山市", "中共党员", "中专", "boiler",
     "大兴安岭地区加格达奇区供热公司第三热源厂锅炉运行车间", "运行班长兼锅炉安全管理员", "高级技师", "无",
     "单位推荐", "加格达奇区总工会", "", "232701"),
    ("尉迟丽华", "女", "汉族", "1990-01-30", "黑龙江省大兴安岭地区漠河市", "群众", "初中", "hair",
     "大兴安岭地区漠河市丽人美发有限公司美发技术培训学校", "店长兼美发技术首席培训讲师", "技师", "无",
     "单位推荐", "漠河市总工会", "", "232761"),
    # Twenty nominees with short units.
    ("丁一", "男", "汉族", "1985-04-12", "黑龙江塔河", "中共党员", "高中", "forest_fire", "塔河林业局专业森林消防大队",
     "分队长", "技师", "无", "单位推荐", LIN, "", "232722"),
    ("卜凡", "男", "汉族", "1987-09-03", "黑龙江呼玛", "群众", "初中", "birch_bark", "呼玛县桦树皮制作技艺传习所",
     "传承人", "技师", "无", "单位推荐", "呼玛县人力资源和社会保障局", "", "232721"),
    ("万国强", "男", "汉族", "1983-11-20", "黑龙江新林", "中共党员", "中专", "afforestation", "新林林业局翠岗林场",
     "营林工段长", "技师", "助理工程师", "单位推荐", LIN, "", "232700"),
    ("马丽", "女", "回族", "1988-02-14", "黑龙江加格达奇", "中共党员", "大专", "nursing", "大兴安岭地区人民医院",
     "护理员", "高级工", "无", "单位推荐", "大兴安岭地区卫生健康委员会", "", "232701"),
    ("王一鸣", "男", "满族", "1986-07-08", "辽宁海城", "中共党员", "大专", "drone", "图强林业局森林资源管护中心",
     "无人机飞手", "技师", "工程师", "单位推荐", LIN, "", "232761"),
    ("石磊", "男", "汉族", "1990-05-21", "黑龙江塔河", "群众", "大专", "tea_art", "加格达奇区兴安茶苑", "茶艺师",
     "技师", "无", "个人自荐", "加格达奇区人力资源和社会保障局", "", "232701"),
    ("白雪", "女", "汉族", "1984-03-15", "山东蓬莱", "中共党员", "中专", "timber_inspect", "阿木尔林业局木材检验站",
     "检验员", "技师", "工程师", "单位推荐", LIN, "", "232723"),
    ("冯涛", "男", "回族", "1985-10-30", "黑龙江加格达奇", "群众", "高中", "chef", "大兴安岭宾馆", "厨师",
     "高级技师", "无", "单位推荐", "加格达奇区总工会", "", "232701"),
    ("吕强", "男", "汉族", "1982-06-25", "河北乐亭", "中共党员", "高中", "electrician", "加格达奇林业局供电所",
     "维修电工", "技师", "无", "单位推荐", LIN, "", "232701"),
    ("刘敏", "女", "汉族", "1987-08-09", "黑龙江呼玛", "中共党员", "中专", "elder_care", "塔河县康宁养老服务中心",
     "护理员", "高级技师", "无", "单位推荐", "塔河县总工会", "", "232701"),
    ("关山", "男", "满族", "1984-01-17", "黑龙江漠河", "中共党员", "技校", "welder", "韩家园林业局机修厂", "电焊工",
     "高级技师", "无", "单位推荐", LIN, "", "232761"),
    ("孙悦", "女", "汉族", "1988-12-03", "吉林榆树", "中共党员", "本科", "cnc", "大兴安岭职业学院", "实训教师",
     "技师", "讲师", "单位推荐", "大兴安岭职业学院", "", "232701"),
    ("李丹", "女", "汉族", "1989-04-28", "黑龙江塔河", "中共党员", "大专", "line_worker", "呼玛供电分公司",
     "配电运检工", "技师", "助理工程师", "单位推荐", GRID, "", "232722"),
    ("张伟", "男", "鄂伦春族", "1984-09-12", "黑龙江塔河", "群众", "初中", "forest_fire", "十八站林业局消防大队",
     "队员", "技师", "无", "单位推荐", LIN, "", "232722"),
    ("陈静", "女", "满族", "1987-03-19", "黑龙江加格达奇", "群众", "大专", "pastry", "松岭区兴岭食品有限公司",
     "面点师", "技师", "无", "单位推荐", "松岭区总工会", "", "232700"),
    ("周洋", "男", "汉族", "1991-08-16", "黑龙江漠河", "中共党员", "本科", "ecommerce", "漠河市极地电商公司",
     "运营主管", "技师", "无", "个人自荐", "漠河市人力资源和社会保障局", "", "232761"),
    ("郑红", "女", "汉族", "1984-06-07", "黑龙江呼玛", "群众", "高中", "blueberry", "呼玛县蓝莓合作社", "技术员",
     "高级工", "无", "单位推荐", "呼玛县人力资源和社会保障局", "", "232721"),
    ("黄河", "男", "汉族", "1978-10-05", "山东文登", "中共党员", "中专", "car_repair", "兴运汽车运输公司", "修理工",
     "高级技师", "无", "单位推荐", "加格达奇区总工会", "", "232701"),
    ("曹芳", "女", "汉族", "1985-02-22", "黑龙江塔河", "中共党员", "中专", "herb", "塔河县北药基地", "技术员",
     "技师", "农艺师", "单位推荐", "塔河县人力资源和社会保障局", "", "232722"),
    ("谢军", "男", "汉族", "1981-12-09", "黑龙江漠河", "中共党员", "技校", "boiler", "漠河市热力有限公司", "司炉工",
     "技师", "无", "单位推荐", "漠河市总工会", "", "232761"),
)


def nominee_rows() -> list[NomineeRow]:
    """The 40 stress nominees."""
    rows = [NomineeRow(*fields) for fields in _ROWS]
    units = [len(f"{r.unit} {r.post}") for r in rows[:20]]
    if min(units) < UNIT_MIN or max(units) > 40:
        raise make_demo.DemoError(f"long units must have {UNIT_MIN}–40 characters: {units}")
    return rows


def long_resume(person: Person) -> str:
    """A 60-line 个人简历: school, then a post or a training course for every half year."""
    lines = [f"{YearMonth(person.work_start.year - 3, 9)}—{person.work_start} 大兴安岭技工学校 学习"]
    ym = person.work_start
    posts = ("岗位练兵", "技术培训", "技能比武集训", "跟班学习", "带徒传技", "技术攻关")
    rng = random.Random(f"{EDITION}/{person.code}/resume")
    while len(lines) < 60:
        nxt = ym.plus_months(6)
        lines.append(f"{ym}—{nxt} {person.row.unit} {rng.choice(posts)}（第{len(lines)}期）")
        ym = nxt
    return "\n".join(lines)


def trim(person: Person, rng: random.Random) -> None:
    """Keep one 资格证书, one achievement and (self-nominees) one proof; conditions to match."""
    qual = next(e for e in person.evidence if e.category == "资格证书")
    achievements = [e for e in person.evidence if e.category in {"荣誉证书", "奖励证书", "成果证书"}][:1]
    proof = [e for e in person.evidence if e.category == "领先水平证明"][:1]
    person.evidence = [qual, *achievements, *proof]
    person.conditions = _conditions(person.row, person.trade, person.evidence, rng)


def render_scan(item: EvidenceItem, person: Person, photo: Image.Image | None, rng: random.Random) -> bytes:
    """One small grey JPEG scan (SCAN_DPI)."""
    paper = (250, 248, 242)
    if item.kind in {"qual", "licence"}:
        pages = scans.draw_qualification(item, person, photo, SCAN_DPI, paper)
    elif item.kind in {"honour", "award", "result"}:
        pages = scans.draw_honour(item, person, SCAN_DPI, paper, item.kind != "result" and rng.random() < 0.5)
    else:
        pages = scans.draw_letter(item, person, SCAN_DPI, paper)
    grey = [scans.scanify(p, rng, noise=0.0).convert("L") for p in pages[:1]]
    return scans.encode_pages(grey, "jpg", SCAN_DPI, SCAN_QUALITY)


def build() -> list[Person]:
    """Write the stress edition's roster, calendar and candidate folders."""
    make_demo.reset(STRESS)
    for extra in ("review/scores", "review/初审.xlsx", "review/决定.xlsx"):
        path = STRESS / extra
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    shutil.copyfile(make_demo.DEMO / "edition.toml", STRESS / "edition.toml")
    text = (STRESS / "edition.toml").read_text(encoding="utf-8")
    text = text.replace("— 演示届次（虚构数据，仅供演示和测试）", "— 压力测试届次（最长的姓名、单位和简历；虚构数据）")
    (STRESS / "edition.toml").write_text(text, encoding="utf-8")
    people, rows = [], []
    for i, row in enumerate(nominee_rows(), 1):
        code = f"{i:03d}"
        rng = make_demo.rng_for(EDITION, code, "person")
        person = build_person(code, row, rng)
        trim(person, rng)
        if code == LONG_RESUME:
            person.resume = long_resume(person)
        if person.row.mode == NOMINATION_SELF and not any(e.category == "领先水平证明" for e in person.evidence):
            raise make_demo.DemoError(f"{code}: self-nominee without proof")
        rows.append(make_demo.roster_values(person))
        people.append(person)
        folder = STRESS / "candidates" / code
        photo = photos.make_photo(make_demo.rng_for(EDITION, code, "photo"), f"{code} {person.name}",
                                  size=PHOTO_SIZE)
        files.write_bytes(folder / "照片.jpg", photo)
        make_demo.write_deeds(folder, person, "txt")
        image = Image.open(io.BytesIO(photo))
        for k, item in enumerate(person.evidence):
            item.fmt = "jpg"
            data = render_scan(item, person, image, make_demo.rng_for(EDITION, code, f"scan{k}"))
            files.write_bytes(folder / "evidence" / item.category / item.filename, data)
    make_demo.write_roster(STRESS, rows)
    make_demo.write_calendar(STRESS / "calendar.toml")
    files.write_bytes(STRESS / "review" / "README.txt", make_demo.REVIEW_README.encode("utf-8"))
    files.write_bytes(STRESS / "README.md", README.encode("utf-8"))
    return people


def write_review(people: list[Person]) -> None:
    """初审.xlsx (all pass) and five score sheets that select the 20 longest units."""
    import make_demo_review

    from pipeline.stages.scoresheets import sheet_specs
    from pipeline.stages.shortlist import build_shortlist

    ctx = RunContext(load_edition(STRESS), quiet=True)
    (ctx.edition.review_dir / decisions.DECISION_FILE).unlink(missing_ok=True)
    make_demo_review.write_preliminary(ctx, len(people))
    by_length = sorted(people, key=lambda p: (-len(p.row.unit + p.row.post), p.code))
    level = {p.code: 99 - i for i, p in enumerate(by_length)}   # 99 … 60, no ties
    shortlist = build_shortlist(ctx)
    specs = sheet_specs(ctx, shortlist)
    ncrit = len(ctx.edition.review.criteria)
    folder = ctx.edition.review_dir / "scores"
    folder.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        wb = build_workbook(spec)
        ws = wb["评分表"]
        for r, row in enumerate(spec.rows, start=FIRST_ROW):
            for j in range(ncrit):
                ws.cell(r, FIRST_SCORE_COL + j).value = level[row.code]
        office.save_workbook(wb, folder / sheet_filename(spec.expert), ctx.source_date)


README = """# 压力测试届次（虚构数据）

版面最难排的真实情况：5 字、6 字和带间隔号的姓名（乌云其其格、孟克吉日嘎拉、阿依古丽·买买提），复姓（欧阳、
上官、司马、诸葛……），40 字的“工作单位及职务”，“内蒙古自治区兴安盟科尔沁右翼前旗”这样的籍贯，一份 60 行的
个人简历（编号 010）。评分使单位名称最长的 20 人入选，公示、特刊和证书都用最长的文字排版。

由 `tools/make_stress.py` 生成（`make stress-data`），全部人选审查合格。

```sh
make demo EDITION=input/examples/stress        # 或：python -m pipeline --edition input/examples/stress all
make preflight EDITION=input/examples/stress   # 应无任何问题
```
"""


def main() -> int:
    """Generate the stress edition and print a summary."""
    try:
        people = build()
        with tempfile.TemporaryDirectory(prefix="make-stress-") as tmp:
            os.environ.setdefault("XN_OUTPUT", tmp)  # the check run for 初审.xlsx writes nothing into output/
            write_review(people)
    except (make_demo.DemoError, photos.PhotoError) as exc:
        print(f"make_stress: {exc}", file=sys.stderr)
        return 1
    size = make_demo.folder_size(STRESS)
    print(f"input/examples/stress: {len(people)} nominees, {size / 2**20:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
