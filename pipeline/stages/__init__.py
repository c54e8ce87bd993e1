"""Stages: one module per `make` stage (check, shortlist, results, publicity, certificates …).

A stage reads the edition through pipeline.core, calls the feature packages (announce,
certificates, gongwen, intake, media, packets, preflight, review, registry) and the rules, and
writes output/<edition>/<stage>/ with a stage stamp; `main(argv)` returns an ExitCode.
`awardees` reads and writes the awardee list of `make results` for the later stages.

May import every package below it; only pipeline.cli imports the stages.
"""
