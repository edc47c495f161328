# make lab        - set everything up and open the course in JupyterLab
# make test       - set everything up and run the whole test suite
# make run        - set everything up and run microgpt (python -m microgpt_lib)
# make notebooks  - re-execute every chapter in place (outputs committed, widget state stripped)
# make student    - write the student edition of every chapter to student/ (solutions removed)
# make slides     - every chapter as reveal.js slides in slides/ (loads reveal.js & co. from CDNs)
# make slides-offline - the same, with reveal.js & co. in slides/lib/ (fetched once with npm)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# $(call require,TEST,PACKAGE): when the shell command TEST fails, install the Debian PACKAGE
# with apt-get if we are root, or stop with the exact command to run.
define require
	@$(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $(2) with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "$(2) is missing. Install it with:  sudo apt-get install $(2)"; exit 1; \
	  fi; }
endef

.PHONY: lab test run notebooks student slides slides-offline setup browser
lab: setup
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_welcome.ipynb

test: setup browser
	$(BIN)/python -m pytest

run: setup
	$(BIN)/python -m microgpt_lib

notebooks: setup
	$(BIN)/python tests/execute_notebooks.py

student: setup
	$(BIN)/python -m microgpt_lib.student --out student notebooks/*.ipynb

slides: setup
	$(BIN)/jupyter nbconvert --config slides_config.py --to slides --output-dir slides notebooks/[0-9][0-9]_*.ipynb

slides-offline: setup
	$(call require,command -v npm,npm)
	$(BIN)/python tests/slides.py --export-only

setup: $(VENV)/.installed
	$(call require,command -v dot,graphviz)

browser:                       # Chromium, for the browser tests; npm fetches reveal.js for the slide test
	$(call require,command -v chromium,chromium)
	$(call require,command -v npm,npm)

$(VENV)/.installed: pyproject.toml
	$(call require,$(PYTHON) -c 'import ensurepip',python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install -e '.[test]'
	touch $@
