# Two commands: `make run` serves, `make test` tests; both set up .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.zhx-installed
PORT   ?= 8000
WEB_CONCURRENCY ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: setup run test bench clean

# Re-installs only when pyproject.toml changed since the last install (the stamp).
setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

run: setup
	PORT=$(PORT) WEB_CONCURRENCY=$(WEB_CONCURRENCY) $(VENV)/bin/gunicorn -c gunicorn.conf.py

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) bench/bench.py

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
