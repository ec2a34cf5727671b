# The two commands of the README, and the rest a developer needs.
# Every target is safe to run twice: installs are skipped while pyproject.toml is unchanged.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PASSWORD ?= improve-together
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
# The suite runs on every core (pytest-xdist); PYTEST_ARGS="-n 0 -x" runs it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test install install-dev browser migrate demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian's Chromium for the browser tests: Playwright's own browser download does not work on
# closed networks, so the tests launch this one.
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo --password "$(DEMO_PASSWORD)"

run: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

# Pages, the import and target progress (manage.py bench), then the risk rules over the whole
# trust (python -m academycards.bench, which takes --academies from BENCH_ARGS and its own
# RULES_ARGS, e.g. --rules-repeat 10). Both always run; the target fails if either does.
bench: install-dev
	@status=0; \
	$(BIN)/python manage.py bench $(BENCH_ARGS) || status=1; \
	$(BIN)/python -m academycards.bench $(BENCH_ARGS) $(RULES_ARGS) || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) var/trust.sqlite3 var/staticfiles
