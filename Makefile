# Two entry points that work on a fresh machine: `make demo` and `make test`.
# Both create .venv on first use and install pinned dependencies into it
# (torch is pinned to 2.13.0 so that a CPU machine never pulls a CUDA build).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(VENV)/.installed: pyproject.toml scripts/install-system-deps.sh
	sh scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/ncomp record desktop --episodes 1 --steps 400 --seed 7 --out runs/demo
	$(BIN)/ncomp data info runs/demo
	$(BIN)/ncomp data show runs/demo --episode 0 --out runs/demo/episode0.gif
	@echo "open runs/demo/episode0.gif"

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed
	$(BIN)/python bench/record_speed.py

clean:
	rm -rf $(VENV) runs
