# 打非通 — `make run` starts the demo, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := app:create_app

.PHONY: run test test-postgres install translations extract-messages lock clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installed packages follow requirements*.txt, constrained to the exact versions in requirements.lock.
$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt requirements.lock
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt -c requirements.lock
	touch $@

install: $(VENV)/.installed translations

# Compiled catalogues are built, not committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | grep -v "^$$" || true

run: install
	APP_ENV=$${APP_ENV:-development} $(BIN)/flask db upgrade
	APP_ENV=$${APP_ENV:-development} $(BIN)/flask sync-roles > /dev/null
	APP_ENV=$${APP_ENV:-development} $(BIN)/flask seed-demo
	@echo "打非通 is starting on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	APP_ENV=$${APP_ENV:-development} exec $(BIN)/flask serve --port $(PORT)

test: install
	$(BIN)/pytest

# Message catalogue upkeep: extract marked strings and merge them into translations/*/messages.po.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot app templates
	$(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations

lock: $(VENV)/.installed
	$(BIN)/pip freeze --exclude-editable | grep -v '^pip==' > requirements.lock

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo
