"""Assembling an edition from the units' submissions (`make intake`, notice §四(三) steps 2–3).

    names      one name from a unit (a ZIP member, a folder, a file) → a clean file name; GBK ZIP names
    unpack     one ZIP → its members extracted into a staging folder, every path and size checked first
    gather     one unit's folder under submissions/ → its roster rows and each nominee's files
    assemble   every unit → roster.xlsx and candidates/ with 编号, a record of what intake wrote
               (<edition>/.intake/manifest.json) and the changes since the last run
    report     output/<edition>/intake/汇总报告.html and .xlsx

`submissions/` is only read. Whatever the office changed by hand in roster.xlsx or candidates/
since intake last wrote it is kept, and the conflict reported.

May import the other feature packages, pipeline.ocr, pipeline.rules, pipeline.render and pipeline.core; never pipeline.stages.
"""
