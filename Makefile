# Everything a fresh machine with Python 3.11+ and make needs: a venv in the repo, uv inside it.
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test lint typecheck translations extract-messages demo migrate clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON) --quiet
	@touch $@

install: $(VENV)/.synced translations

translations: $(VENV)/.synced
	@$(BIN)/pybabel compile -d web/translations -D messages 2>&1 | grep -v '^compiling' || true

extract-messages: $(VENV)/.synced
	$(BIN)/pybabel extract --ignore-dirs='.*' -F babel.cfg -k _ -k N_ -k gettext -k ngettext:1,2 -k lazy_gettext -o web/translations/messages.pot --no-location --sort-output core accounts campaigns teams judging incubation insights notifications automation web
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations -D messages --no-fuzzy-matching --ignore-obsolete

migrate: install
	@$(BIN)/kaizen db upgrade

# loads the demo once and lists its accounts
demo: migrate
	@$(BIN)/kaizen demo

run: demo
	@$(BIN)/kaizen run

# the suite in TEST_WORKERS processes (pytest-xdist; each has its own database); TEST_WORKERS=0: one process
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -q -n $(TEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache
