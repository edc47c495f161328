# make lab   - set everything up and open the course in JupyterLab
# make test  - set everything up and run the whole test suite
# make run   - set everything up and run microgpt (python -m microgpt_lib)
# make notebooks - re-execute every notebook in place (outputs committed, widget state stripped)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: lab test run notebooks setup system-deps
lab: setup
	$(BIN)/jupyter lab notebooks/00_welcome.ipynb

test: setup
	$(BIN)/python -m pytest

run: setup
	$(BIN)/python -m microgpt_lib

notebooks: setup
	$(BIN)/python tests/execute_notebooks.py notebooks/*.ipynb

setup: system-deps $(VENV)/.installed

# Graphviz draws the computation graphs; Chromium runs the browser tests.
system-deps:
	@missing=""; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing$$missing with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing. Install them with:"; \
	    echo "    sudo apt-get install$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@
