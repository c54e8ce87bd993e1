"""Registry: the certificate registry across rounds, and what is built from it.

    store       the registry database: activities, certificates, numbering, revocations
    importer    past rounds' spreadsheets → registry rows (make registry-import)
    report      the registry's reports (XLSX and PDF)
    lookup      lookup.json of the verification site: 证书编号 + 姓名 → signed token

May import pipeline.review (its PDF renderer), pipeline.rules, pipeline.render and pipeline.core;
never pipeline.stages.
"""
