"""Review rounds on unseen real reports: each narrative figure's phrase and id as a row a reviewer judges, the
rows scored against the judgements later (phrase accuracy, canonical-id P/R/F1), and the overlap check that keeps
reports sharing much text with the test documents out. The reports themselves are third-party text and stay
outside the repository; so do the rows and judgements, which quote them (annotations/README.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..config import load_config
from .scorer import precision_recall_f1


def settings() -> dict[str, Any]:
    """configs/evaluate.yml ``review``."""
    return load_config("evaluate.yml")["review"]


def figure_rows(path: Path, analysis: Any) -> Iterator[dict[str, Any]]:
    """One row per narrative figure (COUNT or MEASURE) of a document: its phrase, id, why an id was withheld, the
    rule that fired, the form whose ids apply, and the sentence around it (for the reviewer)."""
    cfg, text = settings(), analysis.doc.text
    for link in analysis.links:
        fig, ind = link.figure, link.indicator
        if fig.label not in ("COUNT", "MEASURE"):
            continue
        lo = max(text.rfind("。", 0, fig.start) + 1, fig.start - cfg["context_before"])
        stop = text.find("。", fig.end)
        hi = min(stop + 1 if stop >= 0 else len(text), fig.end + cfg["context_after"])
        yield {"file": path.name, "fig_start": fig.start, "fig_end": fig.end, "figure": fig.text,
               "phrase": ind.text if ind else None, "phrase_start": ind.start if ind else None,
               "id": link.canonical_id, "withheld": link.withheld, "rule": link.rule, "form": analysis.ids_form,
               "context": text[lo:hi], "ctx_start": lo}


def keyed(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str, int], dict[str, Any]]:
    """Rows by (file, figure text, its occurrence among the file's rows of that text): offsets move when
    normalisation changes, the figures and their order do not."""
    seen: dict[tuple[str, str], int] = {}
    out = {}
    for row in sorted(rows, key=lambda r: (r["file"], r["fig_start"])):
        key = (row["file"], row["figure"])
        out[(*key, seen.get(key, 0))] = row
        seen[key] = seen.get(key, 0) + 1
    return out


def _bare(phrase: str | None) -> str | None:
    return re.sub(settings()["ruby"], "", phrase) or None if phrase else None


def score_rows(dumped: Iterable[dict[str, Any]], judged: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Phrase accuracy and canonical-id P/R/F1 of ``dumped`` (this code's rows) against the reviewer's ``judged``
    rows ({"phrase_ok": "yes"|"no"|"unsure", "gold_phrase", "id_due", "id_unsure"}), and the errors. Unsure
    phrases and ids are not scored; a judged figure the dump lacks is counted as unmatched."""
    rows = keyed(dumped)
    phrase_hits = phrase_n = tp = given = due = unmatched = 0
    errors: list[dict[str, Any]] = []
    for key, judgement in keyed(judged).items():
        row = rows.get(key)
        if row is None:
            unmatched += 1
            continue
        if judgement.get("phrase_ok") != "unsure":
            phrase_n += 1
            if _bare(row["phrase"]) == _bare(judgement.get("gold_phrase")):
                phrase_hits += 1
            else:
                errors.append({"kind": "phrase", "row": row, "want": judgement.get("gold_phrase")})
        if judgement.get("id_unsure"):
            continue
        want, got = judgement.get("id_due") or None, row["id"] or None
        given, due = given + bool(got), due + bool(want)
        if got and got == want:
            tp += 1
        elif got or want:
            errors.append({"kind": "id", "row": row, "want": want})
    p, r, f = precision_recall_f1(tp, given, tp, due)
    return {"rows": len(rows), "unmatched": unmatched, "phrase": {"right": phrase_hits, "scored": phrase_n,
                                                                   "accuracy": phrase_hits / phrase_n if phrase_n else 0.0},
            "ids": {"tp": tp, "given": given, "due": due, "p": p, "r": r, "f": f}, "errors": errors}


def _stretches(text: str, size: int) -> set[str]:
    text = re.sub(r"\d", "0", re.sub(r"\s", "", text))
    return {text[i:i + size] for i in range(len(text) - size + 1)}


def overlap_with_test(texts: dict[str, str], test_texts: Iterable[str]) -> dict[str, float]:
    """Each text's share of stretches found in a test document (configs/evaluate.yml ``review.overlap_chars``)."""
    size = settings()["overlap_chars"]
    reference: set[str] = set()
    for text in test_texts:
        reference |= _stretches(text, size)
    return {name: len(grams & reference) / max(1, len(grams))
            for name, grams in ((name, _stretches(text, size)) for name, text in texts.items())}
