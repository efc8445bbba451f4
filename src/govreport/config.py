"""Locations of the configuration files and the shared corpus."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = Path(os.environ.get("GOVREPORT_CONFIG_DIR", PROJECT_ROOT / "configs"))
CORPUS_DIR = PROJECT_ROOT / "corpus"
SHARED_CORPUS_DIR = Path(os.environ.get("GOVREPORT_SHARED_CORPUS", PROJECT_ROOT.parent / "shared" / "corpus"))


@cache
def load_config(name: str) -> Any:
    """Parsed YAML file ``configs/<name>``."""
    with open(CONFIG_DIR / name, encoding="utf-8") as f:
        return yaml.safe_load(f)
