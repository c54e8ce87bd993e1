"""Review and 公示: the 初审 shortlist, expert score sheets, results, and the 公示 notice.

    decisions   <edition>/review/初审.xlsx and 决定.xlsx: written pre-filled, read back
    sheets      expert score sheets: generate (protected, validated), read and verify
    scoring     aggregation, ranking, the cut-off and its ties (pure functions)
    notice      the 公示 content, and its DOCX rendition
    render      HTML → PDF with WeasyPrint (its log captured), up-to-date manifests
    problems    `Problem` (file, sheet, cell, message, fix) and `ReviewError`

The stages in pipeline/stages/ (shortlist, scoresheets, results, publicity) tie these together.

May import the other feature packages, pipeline.ocr, pipeline.rules, pipeline.render and pipeline.core; never pipeline.stages.
"""
