# xingan-nengshou — one command per stage of a 兴安技术能手 round.
# `make help` lists the targets (in Chinese, for the office). EDITION=path/to/edition selects the round (default: the demo).
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

# Exit status of `make <stage>` (README, 退出码): 0 when the stage ran to its end, also when it found
# problems in the nominations or documents (python -m pipeline's 1; its last line says what it found and
# where); 2 when it could not run (python -m pipeline's 2, or an interruption). python -m pipeline itself
# keeps 0 / 1 / 2 for scripts. `make verify` is not a stage: a certificate that is not 有效 stays non-zero.
stage = $(RUN) $(1) || { status=$$?; [ $$status -eq 1 ] || exit $$status; }

# Values a user types (or pastes from a QR code) reach the program through the environment, never
# through the shell: quotes, spaces, ; $ ` in them stay plain text. $(value …) and unexport: make
# expands nothing in them either (it would run a $(shell …) when exporting a command-line variable).
unexport EDITION QR IMAGE N NUMBER NAME BASE
export XN_EDITION = $(value EDITION)
export XN_QR = $(value QR)
export XN_IMAGE = $(value IMAGE)
export XN_NUMBER = $(value NUMBER)
export XN_NAME = $(value NAME)
export XN_NOMINEES = $(value N)
export XN_BASE = $(value BASE)

.DEFAULT_GOAL := help

## ---- 文档（每个阶段先把前面的阶段补齐；没有改动的部分沿用，不重做）----

.PHONY: demo
demo: $(SETUP) ## 安装一切所需，用演示届次（或 EDITION=）跑完整个流程，再做印前检查
	$(call stage,all)
	$(call stage,preflight)

.PHONY: announce intake
announce: $(SETUP) ## 选拔公告（PDF、DOCX、网页、微信文章）和给推荐单位的申报材料包
	$(call stage,announce)
intake: $(SETUP) ## 把各推荐单位交回的 submissions/ 汇总成名册和材料文件夹，写出汇总报告
	$(call stage,intake)

.PHONY: check
check: $(SETUP) ## 逐人审查推荐材料和照片，写出审查报告和审核意见反馈单
	$(call stage,check)

.PHONY: packets
packets: $(SETUP) ## 每人一份装订好的申报材料（PDF）和可编辑的申报审批表（DOCX）
	$(call stage,packets)

.PHONY: shortlist scoresheets results publicity decision certificates
shortlist: $(SETUP) ## 初审：首次运行生成初审表，办公室填好后生成提名人选名单（2∶1，至多40人）
	$(call stage,shortlist)
scoresheets: $(SETUP) ## 每位专家一份空白评分表（Excel）
	$(call stage,scoresheets)
results: $(SETUP) ## 汇总交回的评分表，排名，确定拟表彰人选
	$(call stage,results)
publicity: $(SETUP) ## 公示（PDF、DOCX、网页）和媒体宣传包
	$(call stage,publicity)
decision: $(SETUP) ## 提请审议的请示和表彰决定（公示期满、无未了结异议后）
	$(call stage,decision)
certificates: $(SETUP) ## 证书、补贴发放表、证书数据库登记、查验网页
	$(call stage,certificates)

.PHONY: preflight
preflight: $(SETUP) ## 印前检查：逐个检查输出文件（字体、颜色、断行、版面、表格打印、顺序）
	$(call stage,preflight)

.PHONY: verify
verify: $(SETUP) ## 查验证书：make verify QR=<网址>、IMAGE=<文件>，或 NUMBER=<证书编号> NAME=<姓名>
	$(RUN) verify

.PHONY: keys registry
keys: $(SETUP) ## 生成证书签名密钥（只生成一次，绝不覆盖）
	$(RUN) keys
registry: $(SETUP) ## 兴安技术能手数据库，如 make registry ARGS="list --round 2027"
	$(RUN) registry $(ARGS)

## ---- 维护 ----

.PHONY: setup
setup: $(SETUP) ## 创建虚拟环境，安装系统软件包和运行所需的 Python 包（不含开发工具）

.PHONY: setup-dev
setup-dev: $(SETUP_DEV) ## setup，再加开发工具（pytest、ruff、mypy；make test 会自动做）

$(SETUP): pyproject.toml requirements/runtime.lock requirements/nodeps.lock scripts/setup.sh \
          scripts/system-packages.txt
	VENV='$(VENV)' scripts/setup.sh runtime
	touch $@

$(SETUP_DEV): $(SETUP) requirements/dev.lock scripts/system-packages-dev.txt
	VENV='$(VENV)' scripts/setup.sh dev
	touch $@

.PHONY: lock
lock: ## 维护人员：改动 pyproject.toml 后重新生成 requirements/ 中带哈希的锁定文件
	scripts/lock.sh

# pytest on every core (pytest-xdist): XN_TEST_WORKERS=auto starts one worker per core; a number
# starts that many, 0 runs the tests in this one process (no xdist: pdb, -s and the like work).
# --dist loadfile: all the tests of a file run in one worker, so a module fixture that builds a round,
# the packets or a LibreOffice print is built once, not once per worker (fixture set-up was 15 % of
# the suite's test time in the measured run; with --dist load most of it would be paid once per
# worker). --no-loadscope-reorder: files are handed out in the order tests/conftest.py gives them,
# the two longest first (HEAVY_FIRST there); xdist's own order put them last, on both workers at once.
# PYTEST_ARGS go last and win, e.g. make test PYTEST_ARGS="-n 0 tests/test_packets.py".
XN_TEST_WORKERS ?= auto
PYTEST_DIST := $(if $(filter 0,$(XN_TEST_WORKERS)),,--dist loadfile --no-loadscope-reorder)

.PHONY: test
test: $(SETUP_DEV) ## 安装开发工具，然后代码检查（ruff）、类型检查（mypy）、分层检查（import-linter）和全部测试（pytest，每个 CPU 核一个进程）
	$(VENV)/bin/ruff check pipeline tests tools
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q -n $(XN_TEST_WORKERS) $(PYTEST_DIST) $(PYTEST_ARGS)

.PHONY: bench
bench: $(SETUP) ## 性能测试：逐阶段计时演示届次和规模测试届次（不是测试用例）
	$(RUN) bench $(if $(value N),--sizes "$$XN_NOMINEES") $(if $(value BASE),--compare "$$XN_BASE")

.PHONY: demo-data
demo-data: $(SETUP_DEV) ## 重新生成演示、示例错误和压力测试届次（开发人员用）
	$(PY) tools/make_demo.py
	$(PY) tools/make_demo_review.py
	$(PY) tools/make_stress.py

# The project's own Python folders: `make clean` removes their __pycache__ and never looks anywhere
# else — not into the virtualenv (.venv, or any VENV= inside the tree), whose compiled modules every
# later process would otherwise compile again (measured: a packets build 18.3 s instead of 16.0 s).
PY_DIRS := pipeline tests tools scripts

.PHONY: clean
clean: ## 删除可重新生成的输出（不删输入、证书数据库、密钥和 make bench 的结果 output/bench/）
	$(if $(wildcard output/*/),find output -mindepth 1 -maxdepth 1 -type d ! -name bench -exec rm -rf {} +)
	$(if $(wildcard $(PY_DIRS)),find $(wildcard $(PY_DIRS)) -name __pycache__ -type d -prune -exec rm -rf {} +)

.PHONY: help
help: ## 列出全部命令
	@echo '用法：make <命令> [EDITION=届次文件夹]（默认 input/demo；输出在 output/<届次文件夹名>/）'
	@grep -E '^(## |[a-zA-Z_-]+:.*## )' $(MAKEFILE_LIST) | \
	  sed -E 's/^## (.*)/\n\1/; s/^([a-zA-Z_-]+):.*## (.*)/  make \1\t\2/' | expand -t 22
