# xingan-nengshou — one command per stage of a 兴安技术能手 round.
# `make help` lists the targets. EDITION=path/to/edition selects the round (default: the demo).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

EDITION ?= input/demo
VENV    ?= .venv
PY      := $(VENV)/bin/python
# Two stages of set-up, each a sentinel file in the virtualenv: what a user needs (every stage, make
# demo), and the developers' tools on top (make test). make test after make demo only adds packages.
SETUP   := $(VENV)/.setup-done
SETUP_DEV := $(VENV)/.setup-dev-done
RUN     := $(PY) -m pipeline

# Values a user types (or pastes from a QR code) reach the program through the environment, never
# through the shell: quotes, spaces, ; $ ` in them stay plain text. $(value …) and unexport: make
# expands nothing in them either (it would run a $(shell …) when exporting a command-line variable).
unexport EDITION QR IMAGE N NUMBER NAME
export XN_EDITION = $(value EDITION)
export XN_QR = $(value QR)
export XN_IMAGE = $(value IMAGE)
export XN_NUMBER = $(value NUMBER)
export XN_NAME = $(value NAME)
export XN_NOMINEES = $(value N)

.DEFAULT_GOAL := help

## ---- Documents (each stage brings the earlier ones up to date; unchanged work is skipped) ----

.PHONY: demo
demo: $(SETUP) ## Set up everything, run the whole round on the demo edition, then preflight it
	$(RUN) all
	$(RUN) preflight

.PHONY: announce intake
announce: $(SETUP) ## 选拔公告 (PDF, DOCX, web, WeChat) and the 申报材料包 for units
	$(RUN) announce
intake: $(SETUP) ## Merge the units' submissions/ into roster.xlsx and candidates/; writes output/<edition>/intake/
	$(RUN) intake

.PHONY: check
check: $(SETUP) ## Check every nomination and photo; writes output/<edition>/check/
	$(RUN) check

.PHONY: packets
packets: $(SETUP) ## Bound application packets (PDF) and editable 申报审批表 (DOCX)
	$(RUN) packets

.PHONY: shortlist scoresheets results publicity decision certificates
shortlist: $(SETUP) ## 初审 shortlist (2:1, at most 40)
	$(RUN) shortlist
scoresheets: $(SETUP) ## Blank expert score sheets (XLSX)
	$(RUN) scoresheets
results: $(SETUP) ## Aggregate returned score sheets, rank, select
	$(RUN) results
publicity: $(SETUP) ## 公示 notice and media kit
	$(RUN) publicity
decision: $(SETUP) ## 提请审议的请示 and the 表彰决定 (only after the 公示 ended without objection)
	$(RUN) decision
certificates: $(SETUP) ## Certificates, registry, verification site
	$(RUN) certificates

.PHONY: preflight
preflight: $(SETUP) ## Preflight every output file (fonts, colours, line breaks, margins, sheets, order)
	$(RUN) preflight

.PHONY: verify
verify: $(SETUP) ## Verify a certificate: make verify QR=<url>, IMAGE=<file>, or NUMBER=<证书编号> NAME=<姓名>
	$(RUN) verify

.PHONY: keys registry
keys: $(SETUP) ## Create the certificate signing key once (never overwritten)
	$(RUN) keys
registry: $(SETUP) ## The 兴安技术能手 registry, e.g. make registry ARGS="list --round 2027"
	$(RUN) registry $(ARGS)

## ---- Chores ----

.PHONY: setup
setup: $(SETUP) ## Create the virtualenv and install system and Python packages (runtime only)

.PHONY: setup-dev
setup-dev: $(SETUP_DEV) ## setup, plus the developers' tools (pytest, ruff, mypy; make test does this)

$(SETUP): pyproject.toml requirements/runtime.lock requirements/nodeps.lock scripts/setup.sh \
          scripts/system-packages.txt
	VENV='$(VENV)' scripts/setup.sh runtime
	touch $@

$(SETUP_DEV): $(SETUP) requirements/dev.lock scripts/system-packages-dev.txt
	VENV='$(VENV)' scripts/setup.sh dev
	touch $@

.PHONY: lock
lock: ## Maintainers: regenerate the hashed lock files in requirements/ after a change to pyproject.toml
	scripts/lock.sh

.PHONY: test
test: $(SETUP_DEV) ## Lint, type-check and run the whole test suite
	$(VENV)/bin/ruff check pipeline tests tools
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

.PHONY: bench
bench: $(SETUP) ## Time the demo round and a scaled round (not a test)
	$(RUN) bench $(if $(value N),--nominees "$$XN_NOMINEES")

.PHONY: demo-data
demo-data: $(SETUP_DEV) ## Regenerate the shipped demo, mistakes and stress editions (developers only)
	$(PY) tools/make_demo.py
	$(PY) tools/make_demo_review.py
	$(PY) tools/make_stress.py

.PHONY: clean
clean: ## Remove rebuildable output (never input, registry or keys)
	rm -rf output/*/
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

.PHONY: help
help: ## List the targets
	@grep -E '^(## |[a-zA-Z_-]+:.*## )' $(MAKEFILE_LIST) | \
	  sed -E 's/^## (.*)/\n\1/; s/^([a-zA-Z_-]+):.*## (.*)/  make \1\t\2/' | expand -t 22
