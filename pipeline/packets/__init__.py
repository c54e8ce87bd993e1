"""Bound application packets: the rendering behind `make packets` (pipeline.stages.packets).

    job.py        PacketJob: everything one nominee's packet is made from (picklable)
    evidence.py   evidence files → sheets (one per page) and the images/pages laid on them
    form.py       the HTML context and WeasyPrint rendering of cover, 目录, 申报审批表, 事迹
    bundle.py     pikepdf: scans under the placeholder sheets, metadata, print settings,
                  the print master and the size-bounded e-mail copy
    docx_form.py  the editable 申报审批表 (docxtpl)
    printlist.py  打印清单.xlsx
    manifest.py   content hashes and per-nominee manifests (incremental builds)
    worker.py     long-lived worker processes that hold one font configuration

May import the other feature packages, pipeline.ocr, pipeline.rules, pipeline.render and pipeline.core; never pipeline.stages.
"""
