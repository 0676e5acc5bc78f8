# The same targets for people and CI. `make demo` and `make test` are the whole
# set-up on a fresh machine with Python 3.11+ and make: the virtual environment
# is created (or refreshed when the lock file changes) on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced
# uv is installed with pip when missing; `python -m uv` works wherever pip put it.
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
export UV_PYTHON_DOWNLOADS := never
PYTEST_ARGS ?= -n auto

.PHONY: demo test lint format typecheck venv clean browser screenshots

$(STAMP): pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -c "import uv" 2>/dev/null || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/ecomrisk demo --serve

# Lint and types are part of the tests: main stays clean.
test: lint browser
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (Playwright cannot download its own
# here). Installed when missing and apt-get can (as root); otherwise the browser
# tests skip with a message, except in CI (CI=true) where they fail.
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		{ apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; }; } || \
		echo "Chromium not installed: browser tests will skip (they fail in CI)"

# Screenshots of the main pages, for the README and docs/web.md.
screenshots: $(STAMP) browser
	$(BIN)/python -m tests.web.screenshots

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
