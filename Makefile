PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo run bench clean chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	# CPU torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

# The browser tests need Chromium: installed here when missing (as root on Debian/Ubuntu), else one line says how.
chromium:
	sh scripts/ensure-chromium

test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -rs

demo: $(STAMP)
	$(BIN)/veille demo

run: $(STAMP)
	$(BIN)/veille --config config/veille.toml run

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data artifacts .pytest_cache .ruff_cache
