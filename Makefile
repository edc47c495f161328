# make lab        - set up what a learner needs and open the learner's own copy of the course, workbook/, in JupyterLab
# make test       - set up the test tools too and run the whole test suite
# make quick      - the quick tests only (e.g. make quick PYTHON=python3.13 VENV=.venv-3.13)
# make run        - set up and run microgpt (python -m microgpt_lib)
# make notebooks  - re-execute every chapter in place (outputs committed, widget state stripped)
# make student    - write the student edition of every chapter to student/ (solutions removed)
# make html       - every chapter as an HTML page in html/, MathJax & co. in html/lib/ (fetched once with npm)
# make slides     - every chapter as reveal.js slides in slides/ (loads reveal.js & co. from CDNs)
# make slides-offline - the same, with reveal.js & co. in slides/lib/ (fetched once with npm)
# (export_config.py holds the settings of all three; the course's CSS, the same in JupyterLab, is
#  microgpt_lib/theme/custom/custom.css)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALL := $(if $(filter Darwin,$(shell uname -s)),brew install,sudo apt-get install)

# $(call require,TEST,PACKAGE): when the shell command TEST fails, install the Debian PACKAGE
# with apt-get if we are root, or stop with the exact command to run on this system.
define require
	@$(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $(2) with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "$(2) is missing. Install it with:  $(INSTALL) $(2)"; exit 1; \
	  fi; }
endef

.PHONY: lab test quick run notebooks student html slides slides-offline setup setup-test browser
lab: setup
	$(BIN)/python -m microgpt_lib.workbook
	$(BIN)/python export_config.py --jupyterlab
	$(BIN)/jupyter lab --custom-css $(if $(filter 0,$(shell id -u)),--allow-root) --notebook-dir=. workbook/00_welcome.ipynb

test: setup-test browser
	$(BIN)/python -m pytest

quick: setup-test
	$(BIN)/python -m pytest -m "not slow"

run: setup
	$(BIN)/python -m microgpt_lib

notebooks: setup-test
	$(BIN)/python tests/execute_notebooks.py

student: setup
	$(BIN)/python -m microgpt_lib.student --out student notebooks/*.ipynb

html: setup
	$(call require,command -v npm,npm)
	$(BIN)/python export_config.py --to html --out html

slides: setup
	$(BIN)/jupyter nbconvert --config export_config.py --to slides --output-dir slides notebooks/[0-9][0-9]_*.ipynb

slides-offline: setup
	$(call require,command -v npm,npm)
	$(BIN)/python export_config.py --to slides --out slides

setup: $(VENV)/.installed      # the course and what it runs on, nothing more
	$(call require,command -v dot,graphviz)

setup-test: setup $(VENV)/.installed-test

browser:                       # Chromium, for the browser tests; npm fetches reveal.js for the slide test
	$(call require,command -v chromium,chromium)
	$(call require,command -v npm,npm)

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	  { echo "The course needs Python 3.10 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1). Try: make PYTHON=python3.12"; exit 1; }
	$(call require,$(PYTHON) -c 'import ensurepip',python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -e '.[test]'
	touch $@
