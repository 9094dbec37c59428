# One command per chore. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-dates lint typecheck bench install clean

# Under libfaketime (`faketime -f +45d make test` proves the suite does not depend on the date)
# only the date may move: the monotonic clock stays real and tests/faketime/sitecustomize.py
# works around libfaketime's broken sleep (the file says why).
ifdef FAKETIME
export FAKETIME_DONT_FAKE_MONOTONIC := 1
export PYTHONPATH := $(CURDIR)/tests/faketime$(if $(PYTHONPATH),:$(PYTHONPATH))
endif

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/leaderboard demo

test: $(STAMP)
	$(BIN)/python -m pytest

# The suite again with the clock moved 45 and 400 days ahead and the local time zone away from
# UTC: every test pins its own instants, so nothing may change (CI runs this after `make test`).
test-dates: $(STAMP)
	TZ=America/St_Johns faketime -f +45d $(MAKE) --no-print-directory test
	TZ=Asia/Kathmandu faketime -f +400d $(MAKE) --no-print-directory test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/leaderboard bench

clean:
	rm -rf $(VENV) data public
