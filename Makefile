# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SEED := seeds/000_a59dc000b14f99a5.txt
ARTICLE ?= $(SEED)
OUT ?= reports/$(notdir $(basename $(ARTICLE))).html

.PHONY: setup demo test lint lab report train bench clean notebooks

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[test]'
	@# Build matplotlib's font cache now, so its one-time notice never lands in a notebook output.
	$(PY) -c "import matplotlib.pyplot"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(PY) -m analysis classify $(SEED)

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

report: setup
	mkdir -p $(dir $(OUT))
	$(PY) -m analysis report $(ARTICLE) -o $(OUT)

train: setup
	$(PY) -m analysis train --model all

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

notebooks: setup
	cd notebooks && for nb in *.ipynb; do ../$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace "$$nb" || exit 1; done
	$(PY) scripts/strip_notebook_timings.py notebooks/*.ipynb
