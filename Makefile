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
	rm -rf runs/demo
	$(BIN)/ncomp models
	$(BIN)/ncomp record desktop --episodes 1 --steps 300 --seed 4242 --out runs/demo/session
	$(BIN)/ncomp eval --model desktop --seed-gru desktop-seed-gru --data runs/demo/session --episodes all \
		--horizon 300 --json runs/demo/eval.json --report runs/demo/report
	@echo "see runs/demo/report/report.md and runs/demo/report/episode.mp4"
	$(BIN)/ncomp play --model desktop

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed
	$(BIN)/python bench/record_speed.py
	$(BIN)/python bench/model_speed.py
	$(BIN)/python bench/train_speed.py
	$(BIN)/python bench/play_speed.py

clean:
	rm -rf $(VENV) runs
