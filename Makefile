# The two commands of the README: `make run` and `make test`. Everything else
# is a step they share.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
EXAMPLE ?= examples/caf-agence.yaml

.PHONY: run example test lint format bench bench-servers bench-fuzz docs setup migrate clean

run: setup migrate
	$(BIN)/autodiag demo
	@echo
	@echo "Plateforme servie sur http://127.0.0.1:8000/ (Ctrl+C pour arrêter)."
	$(BIN)/autodiag runserver 127.0.0.1:8000

example: setup
	$(BIN)/autodiag score --questionnaire sp-plus-2026 $(EXAMPLE)

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
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/autosave.py
	$(BIN)/python bench/consolidation.py
	$(BIN)/python bench/testimonies.py

# Several servers behind haproxy with faults (needs postgresql, redis-server, haproxy).
bench-servers: setup
	$(BIN)/python bench/several_servers.py

# schemathesis against the served OpenAPI.
bench-fuzz: setup
	$(BIN)/python bench/api_fuzz.py

docs: setup
	$(BIN)/autodiag questionnaire doc sp-plus-2026 > docs/questionnaire-2026.md
	$(BIN)/autodiag questionnaire doc audit-label-2026 > docs/audit-grid.md

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
