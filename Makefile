# yuqing — make targets. `make` alone lists them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test bench docs models clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "yuqing needs Python 3.11+ (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing yuqing into $(VENV) …"
	@$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project (quiet, skipped when nothing changed)

run: install ## Start the whole system on embedded defaults (Redis under ./var, demo source); Ctrl-C stops it
	@$(BIN)/yuqing run

test: install ## Run the whole test suite
	@$(BIN)/python -m pytest -q

bench: install ## Run the benchmarks; ends with `bench: NAME=VALUE …` lines
	@$(BIN)/yuqing bench

docs: install ## Regenerate the settings table in README.md from the registry
	@$(BIN)/python -m pipeline.readme

models: install ## Retrain the shipped classifier heads from ../shared/data and print held-out figures
	@$(BIN)/python -m classifiers.build_models ../shared/data
	@$(BIN)/python -m classifiers.eval_casualties ../shared/data | head -9
	@$(BIN)/python -m classifiers.eval_concern ../shared/data seed | cut -c1-400
	@$(BIN)/python -m classifiers.eval_concern ../shared/data test | cut -c1-400
	@$(BIN)/python -m classifiers.eval_types ../shared/data

clean: ## Remove .venv and ./var
	rm -rf $(VENV) var
