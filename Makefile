# paperdeck: `make run` opens the app on the bundled seeds; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench stress clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the project's metadata changes; sources are installed editable.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/paperdeck

lint: $(STAMP)
	$(BIN)/ruff format --check store tui tests bench
	$(BIN)/ruff check store tui tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.ranking

stress: $(STAMP)
	PAPERDECK_STRESS_ROUNDS=250 $(BIN)/python -m pytest -q -p no:cacheprovider tests/store/test_stress.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
