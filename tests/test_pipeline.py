"""One pipeline behind extract, the annotation export and the linker's silver data: all see the same links."""

from pathlib import Path

from govreport.annotate import PreAnnotator
from govreport.config import CORPUS_DIR
from govreport.extract.reports import Extractor
from govreport.ingest import read_document
from govreport.pipeline import Pipeline
from govreport.training.links import document_tasks


def _relations(tasks):
    """(figure start, figure end, phrase start, phrase end) of every relation, in document offsets."""
    out = set()
    for task in tasks:
        offset = task["meta"]["offset"]
        for rel in task["relations"]:
            head, child = rel["head_span"], rel["child_span"]
            out.add((head["start"] + offset, head["end"] + offset, child["start"] + offset, child["end"] + offset))
    return out


def test_extract_export_and_silver_share_one_pipeline():
    pipeline = Pipeline.from_config(use_model=False, link_policy="rules")
    extractor, annotator = Extractor(pipeline=pipeline), PreAnnotator(pipeline=pipeline)
    doc = read_document(next(CORPUS_DIR.glob("000_*.txt")))
    mentions = extractor.extract(doc).mentions
    linked = {(m["start"], m["end"], m["indicator_start"], m["indicator_end"]) for m in mentions
              if m["source"] == "text" and m["indicator_start"] is not None}
    exported = _relations(annotator(doc))
    assert exported and exported <= linked  # the export keeps the links that fit its tasks, never others
    # the learned linker's silver tasks are the export's tasks that hold a figure
    assert _relations(document_tasks(doc, annotator)) == exported


def test_evaluation_gives_its_systems_to_the_extractor_as_a_pipeline():
    from govreport.eval.suite import system_extractor

    calls = []

    def find_spans(text, year=None, exclude=()):
        calls.append(year)
        return []

    extractor = system_extractor(find_spans, lambda text, spans, indicators, form=None, organ=None: [])
    doc = read_document(next(CORPUS_DIR.glob("000_*.txt")))
    result = extractor.extract(doc)
    assert calls and not [m for m in result.mentions if m["source"] == "text"]


def test_a_batch_narrows_open_splits_with_the_next_years_report(extract_out, shared_corpus_dir):
    """Pingtan zone 2019 leaves digit-run splits of table 2 open; the 2020 report in the same batch states
    上一年项目数量, which settles them: the records equal the expected file's values and are certain."""
    import json

    from govreport.extract.reports import Extractor
    from govreport.tables.expected import expand

    expected = expand(json.loads((Path(__file__).parent / "expected" / "fujian_pingtan_zone_2019.expected.json")
                                 .read_text(encoding="utf-8")))
    truth = {**expected["values"], **expected["ambiguous"]}
    rows = [json.loads(line) for line in (extract_out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    table = {r["indicator"]: r for r in rows if r["doc"] == "fujian_pingtan_zone_2019" and r["source"] == "table"}
    alone = Extractor(use_model=False).extract(read_document(shared_corpus_dir / "fujian_pingtan_zone_2019.txt"))
    open_alone = {r["indicator"] for r in alone.records if r["source"] == "table" and r["uncertain"]}
    settled = [ind for ind in open_alone if not table[ind]["uncertain"]]
    assert len(settled) >= 10  # one report alone cannot settle them; the batch does
    for ind in settled:
        assert table[ind]["value"] == truth[(ind, "value")], ind
