"""兴安技术能手评选 document pipeline: one edition folder in, the round's documents out.

The packages are layers; a module imports only from its own layer and the layers below it
(enforced by import-linter, `[tool.importlinter]` in pyproject.toml, run by `make test`):

    __main__, cli, bench      the command line (`python -m pipeline <stage>`) and the timing run
    stages/                   one module per `make` stage: reads the edition, calls the packages
                              below, writes output/<edition>/<stage>/ (stage stamps, exit codes)
    announce/ certificates/   what a stage makes, one package per product: the 公告 kit, the
    gongwen/ intake/ media/   certificates' settings and layout, GB/T 9704 documents, intake of
    packets/ preflight/       submissions, the media kit, the bound packets, the preflight of the
    review/ registry/         output, 初审 … 公示, the certificate registry and its lookup index
    ocr/                      reading the evidence scans, and the checks on what was read
    rules/                    the notice's rules: 身份证号码, retirement, workdays, roster and materials,
                              nomination checks, the photo rules, privacy, 姓氏笔画 order, awardees
    render/                   making files: fonts, WeasyPrint, Jinja templates, XLSX, QR codes,
                              PDF → image, CJK line breaks, the WeChat inline styles
    core/                     what everything stands on: the edition's settings, the run context,
                              the error tree and exit codes, the data model, atomic writes, safe
                              paths, file limits, worker pools, stage stamps, Ed25519 signing

Feature packages (announce … registry) are siblings: they may import each other where one
product is built from another's parts (the certificates' registry, review's renderer).
"""
