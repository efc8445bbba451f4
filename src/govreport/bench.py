"""make bench: throughput, memory and scaling of ingest and extract, with a regex baseline in the same run.

The benchmark corpus repeats the text of the bundled and shared reports (txt/md/html, no PDFs) into
plain-text files until it reaches each configured size. Every measurement runs in a fresh child process
that loads its resources, then times only the work; the parent samples the RSS of the child's process tree.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .config import CORPUS_DIR, SHARED_CORPUS_DIR, load_config

# A plain figure finder: digits with an optional decimal part and a following CJK unit character.
BASELINE_PATTERN = re.compile(r"\d+(?:\.\d+)?[万亿]?[条件人次个篇场项元%]?")


def build_corpus(out_dir: Path, size: int) -> tuple[int, int]:
    """Write text files repeating the source reports up to ``size`` characters; return (files, chars)."""
    from .ingest import iter_report_files, read_document

    out_dir.mkdir(parents=True, exist_ok=True)
    sources = [p for p in iter_report_files([CORPUS_DIR, SHARED_CORPUS_DIR]) if p.suffix != ".pdf"]
    texts = [read_document(p).text for p in sources]
    texts = [t for t in texts if t.strip()]
    n_files = n_chars = 0
    while n_chars < size:
        text = texts[n_files % len(texts)]
        (out_dir / f"doc{n_files:05d}.txt").write_text(text, encoding="utf-8")
        n_files += 1
        n_chars += len(text)
    return n_files, n_chars


def regex_baseline(corpus: Path) -> dict[str, float]:
    """Chars/s of the plain regex figure finder over the benchmark corpus (read included)."""
    files = sorted(corpus.glob("*.txt"))
    start = time.perf_counter()
    chars = found = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        chars += len(text)
        found += sum(1 for _ in BASELINE_PATTERN.finditer(text))
    elapsed = time.perf_counter() - start
    return {"chars": chars, "seconds": elapsed, "chars_per_s": chars / elapsed, "figures": found}


def run_stage(stage: str, corpus: Path, workers: int, model: Path) -> dict[str, Any]:
    """Run one stage in a child process; return its timing and the peak RSS of its process tree."""
    import psutil

    cmd = [sys.executable, "-m", "govreport.bench", stage, str(corpus), str(workers), str(model)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    interval = load_config("bench.yml")["rss_interval"]
    peak = 0
    while proc.poll() is None:
        try:
            rss = parent.memory_info().rss + sum(c.memory_info().rss for c in parent.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(interval)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"bench stage {stage} failed: {err[-2000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = peak / 2**20
    return result


def _child(stage: str, corpus: str, workers: int, model: str) -> dict[str, Any]:
    """Body of the child process: load, then time the work alone."""
    import os

    from .extract import extract_paths, write_outputs
    from .ingest import ingest_to_dir

    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"govreport_bench_{os.getpid()}"
    start_load = time.perf_counter()
    if stage == "ingest":
        load = time.perf_counter() - start_load
        start = time.perf_counter()
        ingest_to_dir([Path(corpus)], out)
        chars = sum(len(p.read_text(encoding="utf-8")) for p in Path(corpus).glob("*.txt"))
        n_docs = len(list(Path(corpus).glob("*.txt")))
    else:
        from .extract import Extractor
        from .ingest import read_document

        # load the model and compile every pattern on one document first: the timing is the steady state
        warm = Extractor(model if stage == "hybrid" else None, use_model=stage == "hybrid", with_tasks=False)
        warm.extract(read_document(next(iter(sorted(Path(corpus).glob("*.txt"))))))
        load = time.perf_counter() - start_load
        start = time.perf_counter()
        results = extract_paths([corpus], workers=workers, model=model, use_model=stage == "hybrid",
                                with_tasks=False, progress=False)
        totals = write_outputs(results, out)
        chars, n_docs = totals["chars"], totals["documents"]
    elapsed = time.perf_counter() - start
    return {"stage": stage, "workers": workers, "chars": chars, "docs": n_docs, "seconds": elapsed,
            "load_seconds": load, "chars_per_s": chars / elapsed, "docs_per_s": n_docs / elapsed}


def run_bench(out_dir: Path, model: Path, sizes: list[str] | None = None) -> dict[str, Any]:
    """All configured measurements; writes bench.json and returns it."""
    config = load_config("bench.yml")
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"runs": [], "baseline": {}, "corpus": {}}
    for name, size in config["sizes"].items():
        if sizes and name not in sizes:
            continue
        corpus = out_dir / f"corpus_{name}"
        if corpus.exists():
            for old in corpus.glob("*.txt"):
                old.unlink()
        n_files, n_chars = build_corpus(corpus, size)
        report["corpus"][name] = {"files": n_files, "chars": n_chars}
        report["baseline"][name] = regex_baseline(corpus)
        for stage in config["stages"]:
            for workers in config["workers"]:
                if stage == "ingest" and workers > 1:
                    continue
                run = run_stage(stage, corpus, workers, model)
                run["size"] = name
                run["ratio_to_regex"] = run["chars_per_s"] / report["baseline"][name]["chars_per_s"]
                report["runs"].append(run)
                print(_format_run(run), file=sys.stderr)
    if config.get("ocr"):
        report["ocr"] = run_ocr_bench(out_dir / "ocr", config["ocr"])
        if report["ocr"].get("pages"):
            print(_format_ocr(report["ocr"]), file=sys.stderr)
    report["targets"] = check_targets(report, config["targets"])
    (out_dir / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


def run_ocr_bench(out_dir: Path, cfg: dict[str, Any]) -> dict[str, Any]:
    """Seconds per OCR'd page and cell accuracy: shared PDFs rendered to image-only PDFs, read in a child process."""
    from .ocr import ocr_available

    if not ocr_available():
        return {"skipped": "OCR extra missing: pip install 'govreport[ocr]'"}
    sources = [SHARED_CORPUS_DIR / name for name in cfg["sources"] if (SHARED_CORPUS_DIR / name).exists()]
    if not sources:
        return {"skipped": f"none of {cfg['sources']} in {SHARED_CORPUS_DIR}"}
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "govreport.bench", "ocr", str(out_dir), str(cfg["render_scale"]), *map(str, sources)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench stage ocr failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ocr_child(out_dir: str, scale: float, sources: list[str]) -> dict[str, Any]:
    """Body of the OCR child: image-only copies of the sources, then the timed reading of each."""
    from difflib import SequenceMatcher

    import pypdfium2 as pdfium

    from .ingest import read_document
    from .ocr import is_number

    def numbers(doc: Any) -> list[str]:
        return [c for t in doc.tables for row in t.rows for c in row if is_number(c)]

    docs, pages, seconds, matched, cells, read = [], 0, 0.0, 0, 0, 0
    read_document(sources[0])  # imports and configs loaded before timing (the OCR engine loads on first use)
    for source in map(Path, sources):
        pdf = pdfium.PdfDocument(str(source))
        images = [page.render(scale=scale).to_pil().convert("RGB") for page in pdf]
        scan = Path(out_dir) / f"{source.stem}_scan.pdf"
        images[0].save(scan, save_all=True, append_images=images[1:], resolution=72 * scale)
        start = time.perf_counter()
        doc = read_document(scan)
        elapsed = time.perf_counter() - start
        want, got = numbers(read_document(source)), numbers(doc)
        ok = sum(b.size for b in SequenceMatcher(a=want, b=got, autojunk=False).get_matching_blocks())
        docs.append({"doc": source.stem, "pages": len(images), "seconds": elapsed, "cells": len(want),
                     "cells_read": len(got), "cells_matched": ok})
        pages, seconds, matched, cells, read = pages + len(images), seconds + elapsed, matched + ok, cells + len(want), \
            read + len(got)
    return {"docs": docs, "pages": pages, "seconds": seconds, "seconds_per_page": seconds / pages,
            "cell_accuracy": matched / cells if cells else None, "cells": cells, "cells_read": read}


def _format_ocr(result: dict[str, Any]) -> str:
    return (f"  ocr {result['pages']} pages {result['seconds_per_page']:.1f} s/page, numeric cells "
            f"{result['cell_accuracy']:.3f} as the text layer ({result['cells']} cells, {result['cells_read']} read)")


def check_targets(report: dict[str, Any], targets: dict[str, float]) -> dict[str, Any]:
    """Each target with the measured figure and whether it is met (per core = at 1 worker)."""
    def best(stage: str, workers: int, size: str | None = None) -> float | None:
        vals = [r["chars_per_s"] for r in report["runs"]
                if r["stage"] == stage and r["workers"] == workers and (size is None or r["size"] == size)]
        return max(vals) if vals else None

    result: dict[str, Any] = {}
    for stage, key in (("rules", "rules_chars_per_s"), ("hybrid", "hybrid_chars_per_s")):
        value = best(stage, 1)
        result[key] = {"target": targets[key], "measured": value, "met": value is not None and value >= targets[key]}
    peaks = [r["peak_rss_mb"] for r in report["runs"] if r["workers"] == 2]
    peak = max(peaks) if peaks else None
    result["peak_rss_mb_2_workers"] = {"target": targets["peak_rss_mb_2_workers"], "measured": peak,
                                       "met": peak is not None and peak <= targets["peak_rss_mb_2_workers"]}
    sizes = list(report["corpus"])
    if len(sizes) >= 2:
        for stage in ("rules", "hybrid"):
            small, large = best(stage, 1, sizes[0]), best(stage, 1, sizes[-1])
            if small and large:
                ratio = large / small
                result[f"{stage}_scaling"] = {"target": f">= {1 - targets['scaling_tolerance']:.2f}",
                                              "measured": ratio,
                                              "met": ratio >= 1 - targets["scaling_tolerance"]}
    return result


def _format_run(run: dict[str, Any]) -> str:
    return (f"{run['size']:>5} {run['stage']:>7} w={run['workers']} {run['chars_per_s']:>12,.0f} chars/s "
            f"{run['docs_per_s']:>8.1f} docs/s  peak {run['peak_rss_mb']:>7.1f} MB  x{run['ratio_to_regex']:.3f} regex")


def print_report(report: dict[str, Any]) -> None:
    """The benchmark table and the targets on stderr."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="govreport bench")
    for col in ("size", "stage", "workers", "chars/s", "docs/s", "peak RSS MB", "load s", "x regex"):
        table.add_column(col, justify="right")
    for r in report["runs"]:
        table.add_row(r["size"], r["stage"], str(r["workers"]), f"{r['chars_per_s']:,.0f}", f"{r['docs_per_s']:.1f}",
                      f"{r['peak_rss_mb']:.0f}", f"{r['load_seconds']:.1f}", f"{r['ratio_to_regex']:.3f}")
    console = Console(stderr=True)
    console.print(table)
    if report.get("ocr", {}).get("pages"):
        console.print(_format_ocr(report["ocr"]))
    for name, t in report["targets"].items():
        console.print(f"{name}: measured {t['measured']}, target {t['target']}, {'met' if t['met'] else 'NOT met'}")


if __name__ == "__main__":
    if sys.argv[1] == "ocr":
        print(json.dumps(_ocr_child(sys.argv[2], float(sys.argv[3]), sys.argv[4:])))
    else:
        print(json.dumps(_child(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])))
