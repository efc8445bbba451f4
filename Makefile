# Each target lists what it reads and writes, like a spaCy project.yml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GR := $(BIN)/govreport
CORPUS ?= corpus
SHARED ?= ../shared/corpus
OUT ?= out

.PHONY: install test fuzz extract train evaluate bench lint ingest clean

# install: reads pyproject.toml; writes .venv/
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# test: reads src/ tests/ corpus/ ../shared/corpus; writes nothing
test: install
	$(BIN)/python -m pytest tests

# fuzz: reads src/ tests/ configs/; writes .hypothesis/ (the long hypothesis profile of the fuzz tests, tests -k fuzz)
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests -k fuzz

# extract: reads corpus/ models/ configs/; writes out/documents.jsonl out/mentions.jsonl out/records.jsonl out/records.csv out/tasks.jsonl out/cross_year.jsonl
# (a fresh machine first builds models/ from annotations/gold, about two minutes: see `models`)
extract: install models/ner/meta.json
	$(GR) extract $(CORPUS) --out $(OUT)

# models: reads annotations/gold configs/ ../shared/corpus; writes models/ner models/linker (rebuilt when gold or configs change)
models/ner/meta.json: $(wildcard annotations/gold/*.jsonl) configs/ner_pkuseg.cfg configs/train.yml configs/model.yml configs/learned_link.yml
	$(MAKE) train

# ingest: reads corpus/ ../shared/corpus; writes out/ingest/documents.jsonl
ingest: install
	$(GR) ingest $(CORPUS) $(SHARED) --out $(OUT)/ingest

# train: reads annotations/gold configs/ ../shared/corpus; writes models/ner models/linker
train: install
	$(GR) train --out models
	$(GR) train-linker --out models

# evaluate: reads annotations/ models/ tests/expected/; writes out/eval/report.json out/eval/report.md
evaluate: install models/ner/meta.json
	$(GR) evaluate --out $(OUT)/eval

# bench: reads corpus/ ../shared/corpus models/; writes out/bench/bench.json
bench: install models/ner/meta.json
	$(GR) bench --out $(OUT)/bench

# lint: reads src/ tests/; writes nothing
lint: install
	$(BIN)/ruff check src tests

clean:
	rm -rf $(OUT)
