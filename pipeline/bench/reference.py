"""The yardstick of `make bench`: bare WeasyPrint rendering a two-page CJK form.

A simple A4 application form — bordered table rows of labels and values, a long 事迹 text and
the opinion boxes of a second page — in Noto Serif CJK SC and Noto Sans CJK SC, rendered with
one shared FontConfiguration `documents` times in one process, with WeasyPrint's own defaults
(no project CSS, no font compaction, no binding). The first document warms the process up
(imports, fontconfig) and is reported apart; the figure the packets are compared with is the
CPU seconds per document after it.

Run as its own process by the bench (`python -m pipeline.bench.reference --documents N`),
which prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from dataclasses import asdict, dataclass
from importlib.metadata import version

PAGES = 2
"""Pages of the reference form."""

_FIELDS = (("姓名", "{name}"), ("性别", "男"), ("出生年月", "1984.07"), ("民族", "汉族"),
           ("政治面貌", "中共党员"), ("文化程度", "大学本科"), ("工作单位", "兴安盟{unit}有限责任公司"),
           ("职务", "高级技师、班组长"), ("从事职业（工种）", "电工"), ("职业资格等级", "一级/高级技师"),
           ("身份证号码", "15220119840715{number:04d}"), ("联系电话", "0482-82{number:05d}"))
_RESUME = ("2002.09—2006.07 内蒙古工业大学电气工程及其自动化专业学习",
           "2006.07—2010.03 兴安盟某供电公司变电运维员",
           "2010.03—2016.12 兴安盟某供电公司变电检修班副班长",
           "2016.12—2021.05 兴安盟某供电公司变电检修班班长",
           "2021.05—至今 兴安盟某供电公司首席技师、技能大师工作室领办人")
_DEEDS = ("该同志长期扎根生产一线，刻苦钻研变电设备检修技术，先后主持完成主变压器大修、断路器机构改造等重点项目二十余项，"
          "总结提炼的“六步检修法”在全盟推广应用，设备故障率下降百分之三十以上。",
          "他坚持传帮带，领办技能大师工作室，带出高级技师八名、技师十五名，多名徒弟在自治区职业技能竞赛中获得名次；"
          "编写培训教材三部，累计授课一千余学时，为企业培养了一支技术过硬、作风优良的技能人才队伍。",
          "他勇于创新，取得国家实用新型专利六项，完成技术革新成果十二项，创造经济效益八百余万元；"
          "在抗洪抢险、迎峰度夏等急难险重任务中冲锋在前，保障了电网安全稳定运行，群众满意度显著提升。",
          "曾获自治区技术能手、兴安盟劳动模范、全国电力行业技能竞赛个人三等奖等荣誉称号，"
          "所在班组被评为自治区工人先锋号。")
_OPINIONS = ("推荐单位意见", "旗县（市、区）人力资源和社会保障部门意见", "盟直部门（单位）意见", "评审委员会意见",
             "盟人力资源和社会保障局审核意见")

_CSS = """
@page { size: A4; margin: 22mm 20mm 20mm 24mm;
        @bottom-center { content: counter(page); font: 10pt "Noto Sans CJK SC"; } }
body { font: 11.5pt/1.55 "Noto Serif CJK SC", serif; }
h1 { font: bold 20pt "Noto Serif CJK SC", serif; text-align: center; letter-spacing: .2em; margin: 0 0 6mm; }
table { width: 100%; border-collapse: collapse; }
td { border: .6pt solid black; padding: 1.6mm 2mm; vertical-align: middle; }
td.label { font-family: "Noto Sans CJK SC", sans-serif; width: 24mm; text-align: center; }
td.text { height: 70mm; vertical-align: top; text-align: justify; }
td.opinion { height: 38mm; vertical-align: top; }
p.sign { text-align: right; margin: 14mm 6mm 0 0; }
.second { break-before: page; }
"""


def form_html(i: int) -> str:
    """The i-th document: the same form with its own name, number and text order."""
    number = i + 1
    name = "李王张刘陈杨赵黄周吴"[i % 10] + "建国明华志强海军"[i % 8] + ("伟" if i % 3 else "")
    values = {"name": name, "unit": "电力热力电信交通"[i % 4 * 2:i % 4 * 2 + 2], "number": number}
    cells = [f'<td class="label">{label}</td><td>{html.escape(value.format(**values))}</td>' for label, value in _FIELDS]
    rows = "".join(f"<tr>{cells[k]}{cells[k + 1]}</tr>" for k in range(0, len(cells), 2))
    deeds = "".join(f"<p>{_DEEDS[(k + i) % len(_DEEDS)]}</p>" for k in range(len(_DEEDS)))
    resume = "<br>".join(_RESUME)
    opinions = "".join(f'<tr><td class="label">{o}</td><td class="opinion"><p class="sign">（盖章）<br>'
                       f"年　　月　　日</p></td></tr>" for o in _OPINIONS)
    return (f"<!doctype html><html lang=zh><meta charset=utf-8><style>{_CSS}</style>"
            f"<h1>兴安技术能手申报审批表</h1><table>{rows}"
            f'<tr><td class="label">主要工作简历</td><td colspan=3>{resume}</td></tr>'
            f'<tr><td class="label">主要事迹</td><td colspan=3 class="text">{deeds}</td></tr></table>'
            f'<table class="second">{opinions}</table></html>')


@dataclass(frozen=True)
class Reference:
    """The reference's figures (CPU seconds of this process: user + system, every thread)."""

    documents: int
    """Documents timed (the warm-up document not counted)."""
    pages: int
    """Pages of every document."""
    cpu_per_document: float
    """Mean CPU seconds per timed document."""
    min_cpu_per_document: float
    """The cheapest timed document's CPU seconds."""
    warmup_cpu: float
    """CPU seconds of the process up to the end of the warm-up document (imports, fontconfig, first render)."""
    pdf_bytes: int
    """Size of one document's PDF."""
    weasyprint: str
    """WeasyPrint's version."""


def render(documents: int) -> Reference:
    """Render the warm-up document and `documents` more with one FontConfiguration."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    pages: set[int] = set()
    spent: list[float] = []
    size = 0
    for i in range(documents + 1):
        started = time.process_time()
        document = HTML(string=form_html(i)).render(font_config=fonts)
        pdf = document.write_pdf()
        spent.append(time.process_time() - started)
        pages.add(len(document.pages))
        size = len(pdf or b"")
    warmup = time.process_time() - sum(spent[1:])
    timed = spent[1:] or spent
    if pages != {PAGES}:
        raise RuntimeError(f"参照表单应为 {PAGES} 页，实际 {sorted(pages)} 页：请联系技术人员调整 pipeline/bench/reference.py")
    return Reference(len(spent) - 1, PAGES, sum(timed) / len(timed), min(timed), warmup, size, version("weasyprint"))


def main(argv: list[str] | None = None) -> int:
    """Render and print the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench.reference", description="参照：裸 WeasyPrint 排两页中文表格")
    parser.add_argument("--documents", type=int, default=20, help="计时的文档份数（另加 1 份预热）")
    args = parser.parse_args(argv)
    print(json.dumps(asdict(render(max(0, args.documents))), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
