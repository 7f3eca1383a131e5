# sentibot: the everyday commands. `make run` and `make test` work on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format train evaluate score bench db-upgrade clean run-ops healthcheck export soak image-test constraints serve

# A .venv that does not run, or was made by another Python, is made again (not failed on forever);
# the stamp is written only after a complete install, so a failed one is retried.
# setuptools prints an "Editable installation" notice (a BuildBackendWarning about folders named
# like the package) on every editable install of a flat layout (bot/, model/ and storage/ at the
# top); no pyproject setting turns it off (editable_mode=strict prints another, compat a
# deprecation), so only that one notice is filtered.
$(STAMP): pyproject.toml
	@want=$$($(PYTHON) -c 'import sys; print(sys.version_info[:2])'); \
	have=$$($(BIN)/python -c 'import sys; print(sys.version_info[:2])' 2>/dev/null || true); \
	if [ "$$have" != "$$want" ]; then rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); fi
	$(BIN)/pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## the bot in the terminal (shell adapter, SQLite, bundled model)
	$(BIN)/sentibot run --adapter shell

test: $(STAMP)  ## lint, format check, type check + the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q -ra

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

train: $(STAMP)  ## rebuild the shipped model (model/default) from config.toml on ../shared/data
	$(BIN)/sentibot train --output model/default

evaluate: $(STAMP)
	$(BIN)/sentibot evaluate

score: $(STAMP)
	echo "Great service, and some of the best sushi I've ever tasted" | $(BIN)/sentibot score

bench: $(STAMP)  ## every benchmark (minutes)
	$(BIN)/python benchmarks/scoring.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/dashboard.py
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/active_learning.py
	$(BIN)/python benchmarks/footprint.py

db-upgrade: $(STAMP)
	$(BIN)/sentibot db upgrade

run-ops: $(STAMP)  ## the bot with /healthz and /metrics on :8080
	SENTIBOT_OPS__PORT=8080 $(BIN)/sentibot run

healthcheck: $(STAMP)  ## is the local bot healthy? (the Docker HEALTHCHECK probe)
	SENTIBOT_OPS__PORT=$${SENTIBOT_OPS__PORT:-8080} $(BIN)/python -m bot.ops.probe

export: $(STAMP)  ## SavedModel for TF Serving in exports/sentiment/<n>
	$(BIN)/sentibot export --output exports/sentiment

serve: $(STAMP)  ## the model server for thin bots on :8501 (bots: SENTIBOT_MODEL__SERVING_URL)
	$(BIN)/sentibot serve

soak: $(STAMP)  ## 10-minute soak of the shell adapter (prints in/stored/RSS)
	$(BIN)/python benchmarks/soak.py --minutes 10

image-test:  ## build the image and test it inside (minutes; not part of `make test`)
	scripts/image-test.sh

constraints:  ## regenerate constraints.txt, the image's pinned dependency versions
	scripts/lock-image-deps.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build *.egg-info
