# 신경망의 내부 — two commands: `make book` builds the site, `make test` runs every test.
# Each step installs only what is missing; see README.md when a step fails.
SHELL := /bin/bash
.DEFAULT_GOAL := book
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
STATIC := book/_static
ORT    := node_modules/onnxruntime-web/dist

.PHONY: chapter book test test-fast models vendor deps serve system-deps bench clean

# Python virtualenv and node_modules, installed only when missing or out of date (scripts/deps.sh).
deps:
	@bash scripts/deps.sh

# Browser files the site serves itself (never committed; see DESIGN.md "Offline rule").
vendor: deps
	bash scripts/vendor.sh

# Trains (or loads from .cache/zoo) every exported model; writes ONNX, manifest and the sample sprite.
models: deps
	$(PY) -m nnbook.assets

# A failed build leaves Sphinx's pickled environment behind, and the next build would then call the failed pages
# up to date; forgetting it makes the next build read (and execute) them again.
book: deps vendor models
	$(JB) build . -W --keep-going || { rm -f _build/.doctrees/environment.pickle; exit 1; }

# Chromium and a Korean font for the browser tests (Debian packages), installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

test: book system-deps
	$(PY) -m pytest

test-fast: deps vendor models
	$(PY) -m pytest -m "not browser and not build"

serve:
	@echo "http://127.0.0.1:8000/ 에서 책을 엽니다 (Ctrl+C로 종료)"
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

# Figures, not tests: page weight, demo start, stroke latency (bench/run.py) and ascent steps/s (chapter 6).
bench: book system-deps
	$(PY) bench/run.py
	$(PY) bench/featurevis_bench.py

clean:
	rm -rf _build $(STATIC)/vendor $(STATIC)/models $(STATIC)/samples

# One chapter alone, for writing it: make chapter CH=book/04_symmetry  (output: _build/chapter/<name>/_build/html)
# Without -W: links to chapters outside this small build cannot resolve; `make book` is the strict build.
chapter: deps vendor
	@test -n "$(CH)" || { echo "usage: make chapter CH=book/04_symmetry"; exit 1; }
	@mkdir -p _build/chapter
	@printf 'format: jb-book\nroot: book/intro\nparts:\n  - caption: chapter\n    numbered: true\n    chapters:\n      - file: %s\n' "$(CH)" > _build/chapter/toc-$(notdir $(CH)).yml
	$(JB) build . --toc _build/chapter/toc-$(notdir $(CH)).yml --path-output _build/chapter/$(notdir $(CH)) --keep-going
