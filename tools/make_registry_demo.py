"""Generate the demo files of the 兴安技术能手数据库: an earlier round's list and a year of 传帮带.

    .venv/bin/python tools/make_registry_demo.py

Writes (fictional people, valid ID check characters, fixed file dates)
  input/demo/registry/2024年度兴安技术能手名单.xlsx     the office's own list of the 2024 round, as
                                                     `make registry ARGS="import 2024 …"` reads it
  input/demo/registry/2025年度传帮带活动登记表.xlsx     their 传帮带 of 2025, for `import-activities`
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from pipeline.registry.importer import ACTIVITY_COLUMNS, PAST_COLUMNS  # noqa: E402
from pipeline.render.office import put_row, save_workbook  # noqa: E402
from pipeline.rules.idcard import check_character  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "input" / "demo" / "registry"
WHEN = dt.datetime(2025, 12, 20, 9, 0, tzinfo=dt.UTC)
DECIDED = dt.date(2024, 6, 18)
DECISION = "兴人才〔2024〕7号"

PEOPLE = (  # name, sex, birth, region, unit and post, occupation, recommender
    ("赵振华", "男", "19750312", "232701", "大兴安岭示范电力公司 高级技师", "电工", "地区示范能源局"),
    ("钱秀梅", "女", "19820907", "232721", "加格达奇示范制药厂 班组长", "药物制剂工", "加格达奇区示范工信局"),
    ("孙立新", "男", "19790121", "232722", "塔河示范林场 机修车间主任", "农机修理工", "塔河县示范林业局"),
    ("李春燕", "女", "19860515", "232723", "漠河示范旅游公司 导游部经理", "导游", "漠河市示范文旅局"),
    ("周德胜", "男", "19701130", "232701", "大兴安岭示范建设集团 焊接技师", "焊工", "地区示范住建局"),
    ("吴桂兰", "女", "19770804", "232721", "加格达奇示范食品厂 技术员", "食品检验员", "加格达奇区示范工信局"),
)


def id_number(region: str, birth: str, index: int, male: bool) -> str:
    """A fictional ID number with a valid check character."""
    body = f"{region}{birth}{30 + index:02d}{1 if male else 2}"
    return body + check_character(body)


def write_past(target: Path) -> None:
    """The 2024 list as an office keeps it: a title row above the header, dates as date cells."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "2024年度"
    put_row(ws, 1, ["2024年度大兴安岭地区“兴安技术能手”名单（演示数据，人物均为虚构）"])
    put_row(ws, 2, [c.name for c in PAST_COLUMNS])
    for i, (name, sex, birth, region, unit, occupation, recommender) in enumerate(PEOPLE, start=1):
        put_row(ws, 2 + i, [str(i), name, sex, id_number(region, birth, i, sex == "男"), unit, occupation,
                            recommender, DECISION, DECIDED, f"XATN-2024-{i:03d}"])
        ws.cell(2 + i, 9).number_format = "yyyy-mm-dd"
    save_workbook(wb, target, WHEN)


ACTIVITIES = (  # person index, date, content, apprentices, count, hours, results
    (1, dt.date(2025, 3, 12), "配电线路带电作业实训", "张小勇、刘晓明", None, 16, "2人通过高级工鉴定"),
    (1, dt.date(2025, 9, 6), "变电站运维安全培训", "", 35, 8, ""),
    (2, dt.date(2025, 4, 20), "无菌制剂操作带徒", "何丽娟", None, 40, "徒弟获地区技能竞赛三等奖"),
    (3, dt.date(2025, 6, 2), "林业机械故障诊断课程", "", 24, 12, "编写维修手册1册"),
    (5, dt.date(2025, 5, 18), "压力管道焊接带徒", "马建军、高志远、陈国庆", 3, 60, "3人取得焊工技师证书"),
    (5, dt.date(2025, 10, 9), "焊接工艺评定讲座", "", 50, 4, ""),
)


def write_activities(target: Path) -> None:
    """A year of 传帮带 of the 2024 honourees, in the template's columns (its example row kept)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "传帮带活动"
    put_row(ws, 1, [c.name for c in ACTIVITY_COLUMNS])
    put_row(ws, 2, [c.example for c in ACTIVITY_COLUMNS])
    for row, (who, day, content, names, count, hours, results) in enumerate(ACTIVITIES, start=3):
        name = PEOPLE[who - 1][0]
        put_row(ws, row, [str(row - 2), f"XATN-2024-{who:03d}", name, day, content, count, names, hours, results])
        ws.cell(row, 4).number_format = "yyyy-mm-dd"
    save_workbook(wb, target, WHEN)


def main() -> None:
    """Write both files."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    write_past(FOLDER / "2024年度兴安技术能手名单.xlsx")
    write_activities(FOLDER / "2025年度传帮带活动登记表.xlsx")
    print(f"已生成 {FOLDER}")


if __name__ == "__main__":
    main()
