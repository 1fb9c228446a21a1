# dangjian — `make demo` runs the demo federation, `make test` runs the whole test suite.
# Both set themselves up on a fresh machine (virtual environment, Python and npm packages).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup demo serve test lint check messages bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "dangjian needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	DANGJIAN_DEMO=1 DANGJIAN_DEBUG=1 $(BIN)/dangjian demo --if-missing
	@echo "演示系统地址：http://$(HOST):$(PORT)/  （Ctrl+C 停止）"
	# The task worker runs beside the web server (large imports, rule runs), with the scheduler
	# that queues the nightly jobs and the notice reminders for it; all stop together.
	DANGJIAN_DEMO=1 DANGJIAN_DEBUG=1 $(BIN)/dangjian db_worker & worker=$$!; \
	DANGJIAN_DEMO=1 DANGJIAN_DEBUG=1 $(BIN)/dangjian scheduler & scheduler=$$!; \
	trap "kill $$worker $$scheduler 2>/dev/null" EXIT INT TERM; \
	DANGJIAN_DEMO=1 DANGJIAN_DEBUG=1 $(BIN)/dangjian runserver $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

check: setup
	$(BIN)/dangjian check
	$(BIN)/dangjian makemigrations --check --dry-run

# The suite on every core: each worker builds its own test database (and demo federation).
# The browser tests run after the others, in a pass of their own: they commit through the live
# server (the demo they change is restored only for the next browser test), and a worker must
# not hand a changed demo to a test that expects the session's.
test: setup lint check
	$(BIN)/pytest -n auto -m "not browser"
	$(BIN)/pytest -n auto -m browser

messages: setup
	bash scripts/messages.sh

clean:
	rm -rf $(VENV) node_modules
