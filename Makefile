# Quick start: `make demo` (set up + run the flagship experiment), `make test` (set up + ruff,
# mypy and the tests).
# Each target creates ./.venv with Python >= 3.11 and installs the project into it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint fuzz bench venv clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "cablesim needs Python >= 3.11, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/cablesim validate topology/china_asean
	$(BIN)/cablesim run experiments/hairpin_vs_guangxi.toml

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools experiments
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools experiments
	$(BIN)/mypy src/cablesim

fuzz: $(STAMP)
	CABLESIM_FUZZ_EXAMPLES=$${CABLESIM_FUZZ_EXAMPLES:-10000} $(BIN)/python -m pytest -q tests/test_fuzz.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) results .pytest_cache
