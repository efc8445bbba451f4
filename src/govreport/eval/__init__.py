"""Evaluation: ``scorer`` (P/R/F1 over sets of tuples, as spacy/scorer.py) and ``suite`` (make evaluate: spans,
links and records of the pipeline against the gold annotations, per split)."""
