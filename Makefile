# Gridbot: `make run` sets up and starts the bot; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup run sync ask check test lint bench mutate FORCE

# Which interpreter a Python is (its base installation and version). A .venv that another
# interpreter built (another PYTHON=, an upgraded or an unsupported Python, a broken .venv) is
# built again from $(PYTHON); nothing is rebuilt while the two agree.
WHICH := import sys; print(sys.base_prefix, *sys.version_info[:3])
ifneq ($(shell $(PYTHON) -c '$(WHICH)' 2>&1),$(shell $(PY) -c '$(WHICH)' 2>&1))
$(VENV)/.runtime $(VENV)/.installed: FORCE
endif

# $(call fresh_venv,SPEC): .venv built anew from $(PYTHON), with Gridbot installed as SPEC.
define fresh_venv
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Gridbot needs Python 3.11 or newer; $(PYTHON) is not. Try: make PYTHON=python3.11 ..."; \
		exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '$(1)'
	touch $@
endef

# What the bot needs to run ([project.dependencies] in pyproject.toml), and nothing else.
$(VENV)/.runtime: pyproject.toml
	$(call fresh_venv,.)

# That and the development tools (the dev extra): tests, linters, benchmarks.
$(VENV)/.installed: pyproject.toml
	$(call fresh_venv,.[dev])

# `make run` on a .venv set up for development uses it as it is (it holds the runtime too);
# on a fresh clone it installs the runtime alone.
RUNTIME := $(if $(wildcard $(VENV)/.installed),$(VENV)/.installed,$(VENV)/.runtime)

setup: $(VENV)/.installed

# The bot explains every stop it expects (2: no token or bad settings, 3: token rejected,
# 4: Discord closed the connection or refused a request, 5: database unusable), so make adds
# no "Error" line to those; scripts that need the status run `python -m bot` itself.
# Anything else (a crash) fails as usual.
run: $(RUNTIME)
	@$(PY) -m bot || { status=$$?; [ $$status -ge 2 ] && [ $$status -le 5 ] || exit $$status; }

sync: $(RUNTIME)
	$(PY) -m bot sync

check: $(RUNTIME)
	$(PY) -m bot check

# Every test, e2e included, with branch coverage of bot/; fails under the figure reached
# (TESTING.md says how it was measured: the e2e bot runs in subprocesses, not counted).
test: setup
	$(PY) -m pytest --cov=bot --cov-branch --cov-report=term-missing:skip-covered \
		--cov-fail-under=93

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) -m bench.run_all

# Mutation score of a documented subset of bot/core ([tool.mutmut] in pyproject.toml) against
# the fast in-process tests (not tests/e2e). Works in ./mutants/, removed afterwards.
mutate: setup
	rm -rf mutants
	$(VENV)/bin/mutmut run; status=$$?; $(VENV)/bin/mutmut results; rm -rf mutants; exit $$status
