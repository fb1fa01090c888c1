# The two commands of the README: `make run` and `make test`. Everything else
# is a step they share.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
EXAMPLE ?= examples/caf-agence.yaml

.PHONY: run test lint format bench docs setup migrate clean

run: setup migrate
	$(BIN)/autodiag score --questionnaire sp-plus-2026 $(EXAMPLE)
	@echo
	@echo "Autres exemples : make run EXAMPLE=examples/mairie.yaml ; aide : $(BIN)/autodiag --help"

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python bench/scoring.py

docs: setup
	$(BIN)/autodiag questionnaire doc sp-plus-2026 > docs/questionnaire-2026.md

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

migrate: setup
	mkdir -p var
	$(BIN)/autodiag migrate --no-input --verbosity 0
	$(BIN)/autodiag questionnaire load

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
