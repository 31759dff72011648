# Matchmaker: `make run` serves the embedded default, `make test` runs the whole suite.
# Both install whatever is missing first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MATCHMAKER := $(VENV)/bin/matchmaker
CHROMIUM ?= /usr/bin/chromium
VENDOR := webapp/static/vendor

.PHONY: run test bench lint assets install browser serve-production translations catalogues clean

## Set-up ---------------------------------------------------------------------------------

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -e '.[dev,bench]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/htmx.min.js: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js

install: $(VENV)/.installed assets catalogues

assets: $(VENDOR)/htmx.min.js catalogues

# Compiled catalogues (.mo) are built, never committed: one per .po, rebuilt when it changes.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard webapp/translations/*/LC_MESSAGES/messages.po))

catalogues: $(CATALOGUES)

webapp/translations/%/LC_MESSAGES/messages.mo: webapp/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

# The browser tests drive Debian's Chromium; install it when it is absent (needs root or sudo).
browser:
	@test -x $(CHROMIUM) || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

## The two commands -----------------------------------------------------------------------

run: install
	$(MATCHMAKER) db upgrade
	$(MATCHMAKER) fixtures load --if-empty
	$(MATCHMAKER) serve --host 127.0.0.1 --port 5000

# The suite runs in TEST_WORKERS processes (pytest-xdist), each with its own databases, Redis
# database number and browser; `make test TEST_WORKERS=0` runs it in one.
TEST_WORKERS ?= 2

test: install browser
	$(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS)

## More -----------------------------------------------------------------------------------

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check .

# Production: several gunicorn workers on PostgreSQL, configured by the environment.
serve-production: install
	$(MATCHMAKER) db upgrade
	$(VENV)/bin/gunicorn --workers $${WORKERS:-4} --bind $${BIND:-0.0.0.0:8000} \
	  --access-logfile - --error-logfile - 'webapp:create_app()'

# Keep the catalogues in step with the code: extract, merge into each language, compile.
# New or changed messages arrive empty or fuzzy in each .po; tests/webapp/test_i18n.py fails
# until they are translated.
BABEL_KEYWORDS := -k _l -k Nn_:1,2
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
	  --project Matchmaker --copyright-holder "Matchmaker" \
	  -o webapp/translations/messages.pot .
	$(VENV)/bin/pybabel update --no-wrap --ignore-obsolete -i webapp/translations/messages.pot -d webapp/translations
	$(VENV)/bin/pybabel compile --statistics -d webapp/translations

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
