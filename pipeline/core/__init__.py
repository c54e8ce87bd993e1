"""Core: what every layer stands on.

    edition     edition.toml → Edition (every setting typed and checked), PROJECT_ROOT
    context     RunContext: the edition, output folder and clock of one run
    errors      the one error tree (PipelineError …) and ExitCode
    model       the data model: Candidate, Materials, Finding, Nominee, CheckResult …
    atomic      outputs written atomically (temporary file + rename), hashes
    safepath    paths from input kept inside their folder; 编号 format
    filelimits  size, page and ZIP limits of input files
    workers     process pools and orphan detection
    stamps      stage stamps: what a stage's outputs were made from
    signing     Ed25519 keys and certificate QR payload signatures

May import the standard library, third-party packages and pipeline.core itself: nothing above it.
"""
