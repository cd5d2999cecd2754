# The after-sales desk: everyday commands. `make` alone lists them.
#
# Everything runs from .venv by path (no activation needed). With nothing set in
# the environment the desk uses SQLite under var/ and kombu's filesystem broker;
# DATABASE_URL / REDIS_URL (and any other setting) are simply inherited.

.DEFAULT_GOAL := help
.PHONY: help venv messages migrate seed static run test lint clean distclean

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8000
PYTEST_ARGS ?=

# Succeeds when .venv holds a Python that Django 6 accepts.
VENV_OK := $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1

help: ## List the targets
	@echo "Usage: make TARGET   (PORT=$(PORT), PYTEST_ARGS='...', PYTHON=/path/to/python3.12)"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(STAMP) ## Create .venv with Python 3.12+ and install requirements.txt

# A missing or too-old .venv (say, one made by Python 3.11) forces the stamp to
# be rebuilt; otherwise it is rebuilt only when requirements.txt is newer.
ifneq ($(shell $(VENV_OK) && echo ok),ok)
.PHONY: $(STAMP)
endif

$(STAMP): requirements.txt
	@$(VENV_OK) || { \
		py=$$(bin/find-python) || exit 1; \
		echo "Creating $(VENV) with $$py"; \
		rm -rf $(VENV) && "$$py" -m venv $(VENV); \
	}
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.txt
	@touch $@

messages: venv ## Compile translations (.po -> .mo); falls back to Babel without msgfmt
	$(PY) manage.py compilemessages --ignore=$(VENV)

migrate: venv ## Apply database migrations
	$(PY) manage.py migrate --noinput

seed: migrate ## Load the demo stores, tickets and users (prints the logins)
	$(PY) manage.py seed_demo

static: venv ## Collect static files into var/staticfiles
	$(PY) manage.py collectstatic --noinput

# DEBUG is on for the local desk unless the caller chose otherwise; being a
# target-specific export, it also reaches migrate, seed and collectstatic.
run: export DEBUG ?= 1
run: messages seed static ## Set everything up, then run web + worker + beat (Ctrl-C stops all)
	$(PY) bin/run-desk --port $(PORT)

test: messages ## Django checks, migrations check, ruff, then pytest (PYTEST_ARGS=...)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv ## ruff check .
	$(VENV)/bin/ruff check .

clean: ## Remove caches, compiled translations and collected static files
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -name '*.mo' -type f -exec rm -f {} +
	rm -rf .pytest_cache .ruff_cache var/staticfiles

distclean: clean ## Also remove .venv and var/ (the SQLite database, broker and secret key)
	rm -rf $(VENV) var
