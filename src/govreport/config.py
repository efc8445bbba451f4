"""Locations of the configuration files and the shared corpus."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# configs/ ship inside the package (src/govreport/configs links to the checkout's configs/), so an installed
# wheel finds them; GOVREPORT_CONFIG_DIR (or `govreport --config-dir`) points at another copy
CONFIG_DIR = Path(os.environ.get("GOVREPORT_CONFIG_DIR") or Path(__file__).resolve().parent / "configs")
# trained models: `--model` per command, else GOVREPORT_MODELS, else ./models of the working directory
MODELS_DIR = Path(os.environ.get("GOVREPORT_MODELS") or "models")
CORPUS_DIR = PROJECT_ROOT / "corpus"
SHARED_CORPUS_DIR = Path(os.environ.get("GOVREPORT_SHARED_CORPUS", PROJECT_ROOT.parent / "shared" / "corpus"))


def use_config_dir(path: Path) -> None:
    """Read configs from ``path`` from now on (modules that copied CONFIG_DIR at import read it through env)."""
    global CONFIG_DIR
    CONFIG_DIR = Path(path)
    os.environ["GOVREPORT_CONFIG_DIR"] = str(path)
    load_config.cache_clear()


@cache
def load_config(name: str) -> Any:
    """Parsed YAML file ``configs/<name>``."""
    with open(CONFIG_DIR / name, encoding="utf-8") as f:
        # libyaml's safe loader when PyYAML has it: the pure-Python one took a second of every start-up
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
