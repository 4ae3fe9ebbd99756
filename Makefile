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
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -rs

# `make demo PORT=8601 FEED_PORT=8699 SMTP_PORT=8625 DIR=data/demo2` runs a second demo beside the first
demo: $(STAMP)
	$(BIN)/veille demo $(if $(PORT),--port $(PORT)) $(if $(FEED_PORT),--feed-port $(FEED_PORT)) \
		$(if $(SMTP_PORT),--smtp-port $(SMTP_PORT)) $(if $(DIR),--dir $(DIR))

run: $(STAMP)
	$(BIN)/veille --config config/veille.toml run

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data artifacts .pytest_cache .ruff_cache .mypy_cache
