# lunarops: the two quick-start commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test,web,dask,postgres]"
	touch $(STAMP)

setup: $(STAMP)

## Run the main job on the embedded default scenario; the report lands in lunarops-out/report.html
demo: $(STAMP)
	$(BIN)/lunarops run --out lunarops-out

## Lint, type-check, layer contracts, then the whole test suite
test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	for f in benchmarks/*_bench.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) lunarops-out .pytest_cache .mypy_cache .ruff_cache
