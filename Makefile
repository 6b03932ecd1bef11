# The README's commands. `make demo` serves the demo; `make test` checks everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
WS     ?= territoire.gpkg
MAP    ?= carte.html
PORT   ?= 5006

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

# Building the package (here an editable install) copies the browser files (Leaflet from npm,
# the map component from dashboards/) into territory/static/: see setup.py.
$(VENV)/.installed: pyproject.toml setup.py dashboards/node_modules/.package-lock.json \
                    dashboards/coverage_map.js dashboards/coverage_map.css
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dashboards,dev,network,scale]"
	touch $@

# Browser libraries (Leaflet) come from the npm registry, pinned by the lock file.
dashboards/node_modules/.package-lock.json: dashboards/package.json dashboards/package-lock.json
	npm ci --prefix dashboards --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	@start=$$(date +%s); \
	$(BIN)/territory demo --transit --workspace $(WS) && \
	$(BIN)/territory map --workspace $(WS) --out $(MAP) && \
	echo "make demo: ready in $$(( $$(date +%s) - start )) s after set-up; map: $(abspath $(MAP))"
	$(BIN)/territory serve --workspace $(WS) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# The tests run on every core (pytest-xdist), an idle worker taking queued tests from a busy one.
test: lint
	$(BIN)/pytest -n auto --dist worksteal

bench: setup
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) dashboards/node_modules territory/static build $(WS) $(basename $(WS)).horaires-fictifs.zip $(MAP) .pytest_cache .mypy_cache .ruff_cache
