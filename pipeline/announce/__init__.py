"""Step 1 of the round (发布公告): the 选拔公告 and the 申报材料包 the units fill in.

May import the other feature packages, pipeline.ocr, pipeline.rules, pipeline.render and pipeline.core; never pipeline.stages.
"""
