# studylib: `make reproduce` runs the whole analysis, `make test` runs every check.
# Both create the local virtual environment (.venv, with pip) when it is missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.studylib-installed

.PHONY: setup reproduce test lint bench bench-install clean lock

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks,fast,cluster]"
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install studylib with its notebook, test, numba and Dask extras

reproduce: $(STAMP)  ## run the full analysis on the shipped data and write results/report.html
	$(BIN)/studylib reproduce

lint: $(STAMP)
	$(BIN)/ruff check studylib tests benchmarks analyses

test: lint  ## ruff, pytest (unit, reference, doctests, every notebook, the run-all)
	$(BIN)/python -m pytest -n 2 -q

bench-install: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks,fast,cluster,bench]"

bench: bench-install  ## run every benchmark; results go to benchmarks/results/
	@set -e; for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

lock: $(STAMP)  ## record the exact versions installed (requirements-lock.txt)
	@{ echo "# Exact versions in .venv when the tests last passed ($$($(BIN)/python --version)); made by 'make lock'."; \
	   echo "# Install them with: pip install -r requirements-lock.txt && pip install --no-deps -e ."; \
	   $(BIN)/python -m pip freeze --exclude-editable; } > requirements-lock.txt

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache
