"""Layers of the package: each module imports only from its own layer or the layers below (every import,
also those inside functions), and modules import each other in no cycle.

Lowest first. A new module must be placed here: an unplaced module fails the test, so where each stage lives
is decided when it is written.
"""

import ast
import fnmatch
from pathlib import Path

import govreport

PACKAGE = Path(govreport.__file__).parent

LAYERS = [
    ("core", ["govreport", "config", "pattern_cache", "notices", "types", "normalize", "anchored", "values",
              "indicators", "metadata", "records", "segment", "eval.scorer", "jsonl"]),
    ("ingest", ["ingest", "ingest.*"]),  # readers per format, OCR, the text-table grids, input files
    ("spans", ["spans", "spans.*"]),
    ("tables", ["tables", "tables.*"]),
    ("link", ["link", "link.*"]),
    # the annotation task format: a document's spans and links as paragraph tasks (extract --tasks writes them)
    ("tasks", ["annotate.files", "annotate.tasks", "annotate.standoff", "annotate.task_builder"]),
    ("pipeline", ["pipeline", "extract", "extract.*"]),  # extract/: the batch job and its outputs
    ("applications", ["annotate", "annotate.*", "training", "training.*", "eval", "eval.suite", "eval.baselines", "eval.sentences", "eval.review",
                      "dataset", "bench", "view", "view.*"]),
    ("cli", ["cli", "cli.*"]),
]
# same-layer pairs that call each other lazily, each for a reason: the dask engine runs extract on each
# partition and extract dispatches to it; the evaluation report shows the cached learning curve, which
# is itself measured with the evaluation's scorer
ALLOWED_CYCLES = [{"extract.dask_engine", "extract.reports"}, {"eval.suite", "training.learning_curve"}]


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts) or "govreport"] = path
    return out


def layer_of(module: str) -> int:
    for exact in (True, False):
        for index, (_, patterns) in enumerate(LAYERS):
            if any(module == p if exact else fnmatch.fnmatch(module, p) for p in patterns):
                return index
    raise AssertionError(f"govreport.{module} is in no layer of tests/test_layers.py: place it there")


def imported(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in its code."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if module == "govreport":
        package = []
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name.removeprefix("govreport.") for a in node.names if a.name.startswith("govreport.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("govreport"):
                target = node.module.removeprefix("govreport").lstrip(".")
            else:
                continue
            names = [f"{target}.{a.name}".lstrip(".") for a in node.names]
            names = [n if n in known else target for n in names]
        for name in names:
            while name not in known and "." in name:
                name = name.rsplit(".", 1)[0]
            if name in known and name != module:
                out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: imported(m, p, known) for m, p in known.items()}


def test_every_module_imports_only_from_its_layer_or_below():
    upward = [f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
              for m, targets in sorted(graph().items()) for t in sorted(targets) if layer_of(t) > layer_of(m)]
    assert not upward, "\n".join(upward)


def test_no_import_cycles():
    edges = graph()
    cycles = [{a, b} for a in edges for b in edges[a] if a < b and _reaches(edges, b, a)]
    unexpected = [sorted(c) for c in cycles if not any(c <= allowed for allowed in ALLOWED_CYCLES)]
    assert not unexpected, unexpected


def _reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return False


def test_every_layer_entry_names_a_module():
    """A module moved or removed leaves no stale entry behind: the list stays the map of the tree."""
    known = modules()
    stale = [p for _, patterns in LAYERS for p in patterns if not any(fnmatch.fnmatch(m, p) for m in known)]
    assert not stale, stale


def test_the_checker_sees_an_upward_import(tmp_path):
    """The import reader finds a lazy import inside a function (extract importing the CLI would be caught)."""
    path = tmp_path / "extract.py"
    path.write_text("def f():\n    from .cli import app\n    return app\n", encoding="utf-8")
    assert imported("extract", path, modules()) == {"cli.app"}


def test_every_internal_import_names_a_module():
    """Every relative or ``govreport.`` import, also inside a function, names a module of the package: a lazy
    import left pointing at a moved module fails here instead of in the one run that reaches it."""
    known = modules()
    missing = []
    for module, path in sorted(known.items()):
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = [] if module == "govreport" else package
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("govreport"):
                target = node.module.removeprefix("govreport").lstrip(".")
            elif isinstance(node, ast.Import):
                names = [a.name.removeprefix("govreport.") for a in node.names if a.name.startswith("govreport.")]
                missing += [f"{module}:{node.lineno} imports {n}" for n in names if n not in known]
                continue
            else:
                continue
            if (target or "govreport") not in known:
                missing.append(f"{module}:{node.lineno} imports from {target}")
    assert not missing, "\n".join(missing)
