# Each target lists what it reads and writes, like a spaCy project.yml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GR := $(BIN)/govreport
CORPUS ?= corpus
SHARED ?= ../shared/corpus
OUT ?= out

.PHONY: install test fuzz extract train cv evaluate learning-curve bench lint ingest clean

# install: reads pyproject.toml; writes .venv/
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,scale,ocr]'
	touch $@

# test: reads src/ tests/ corpus/ ../shared/corpus; writes nothing
test: install
	$(BIN)/python -m pytest tests

# fuzz: reads src/ tests/ configs/; writes .hypothesis/ (the long hypothesis profile of the fuzz tests, tests -k fuzz)
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests -k fuzz

# extract: reads corpus/ models/ configs/; writes out/documents.jsonl out/mentions.jsonl out/records.jsonl out/records.csv out/cross_year.jsonl
# (out/tasks.jsonl too with EXTRACT_FLAGS=--tasks; a fresh machine first builds models/ from annotations/gold, about
# five minutes: see `models`)
EXTRACT_FLAGS ?=
extract: install models/ner/meta.json
	$(GR) extract $(CORPUS) --out $(OUT) $(EXTRACT_FLAGS)

# models: reads annotations/gold configs/ ../shared/corpus; writes models/ner models/linker (rebuilt when gold or configs change)
models/ner/meta.json: $(wildcard annotations/gold/*.jsonl) $(wildcard annotations/own/*.json) $(wildcard configs/patterns/*) configs/ner_pkuseg.cfg configs/train.yml configs/model.yml configs/learned_link.yml configs/link.yml configs/phrase_bounds.yml configs/cv.json configs/indicator_char.cfg configs/indicator_model.yml
	$(MAKE) train

# ingest: reads corpus/ ../shared/corpus; writes out/ingest/documents.jsonl
ingest: install
	$(GR) ingest $(CORPUS) $(SHARED) --out $(OUT)/ingest

# train: reads annotations/gold configs/ ../shared/corpus; writes models/ner models/linker models/indicator
# (the span, linking and INDICATOR phrase policies are those cross-validated by `make cv`, kept in configs/cv.json)
train: install
	$(GR) train --out models
	$(GR) train-linker --out models
	$(GR) train-indicator --out models
	$(GR) cv --report configs/cv.json --apply models

# cv: reads annotations/gold configs/ ../shared/corpus models/; writes build/cv/cv.json, configs/cv.json and the policies chosen by
# k-fold cross-validation over train+dev into models/ner/hybrid.json and models/linker/meta.json (trains k models)
cv: install models/ner/meta.json
	$(GR) cv --out build/cv --apply models
	cp build/cv/cv.json configs/cv.json

# evaluate: reads annotations/ models/ tests/expected/ out/learning_curve/curve.json; writes out/eval/report.json out/eval/report.md
evaluate: install models/ner/meta.json $(OUT)/learning_curve/curve.json
	$(GR) evaluate --out $(OUT)/eval --learning-curve $(OUT)/learning_curve/curve.json

# learning-curve: reads annotations/gold annotations/own configs/ ../shared/corpus; writes out/learning_curve/ (span
# model and linker retrained on 25/50/75/100% of the training documents with the policies of configs/cv.json, a few
# minutes; rebuilt when gold, own paragraphs or configs change)
learning-curve: install
	$(GR) learning-curve --out $(OUT)/learning_curve

$(OUT)/learning_curve/curve.json: $(wildcard annotations/gold/*.jsonl) $(wildcard annotations/own/*.json) configs/ner_pkuseg.cfg configs/train.yml configs/model.yml configs/learned_link.yml configs/link.yml configs/phrase_bounds.yml configs/cv.json configs/learning_curve.yml configs/splits.yml configs/evaluate.yml $(wildcard configs/patterns/*) configs/indicators.yml configs/records.yml configs/tables.yml configs/metadata.yml configs/normalize.yml configs/ingest.yml configs/view.yml
	$(MAKE) learning-curve

# bench: reads corpus/ ../shared/corpus models/; writes out/bench/bench.json (and src/**/__pycache__: the editable
# install's modules byte-compiled first, as a regular install does, so start-up is timed without compiling them)
bench: install models/ner/meta.json
	$(BIN)/python -m compileall -q src
	$(GR) bench --out $(OUT)/bench

# lint: reads src/ tests/; writes nothing
lint: install
	$(BIN)/ruff check src tests

clean:
	rm -rf $(OUT)
