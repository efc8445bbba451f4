"""Extract statistics from Chinese government information-disclosure annual reports.

Conventions used everywhere in this package: character offsets are into the
normalised document text, ``start`` is inclusive and ``end`` is exclusive.

The Python API::

    from govreport import extract_paths, load_results, write_outputs
    write_outputs(extract_paths(["reports/"]), Path("out"))
    results = load_results("out")  # DataFrames: documents, mentions, records, cross_year (needs govreport[data])
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["export_table", "extract_paths", "load_results", "write_outputs"]

# imported on first use: `import govreport` stays light, and pandas (an optional extra) is needed only by load_results
_API = {"extract_paths": "extract.reports", "write_outputs": "extract.reports", "load_results": "dataset",
        "export_table": "dataset"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from importlib import import_module

        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'govreport' has no attribute {name!r}")
