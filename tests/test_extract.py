"""The whole job on real reports: records of seeds 000-002, mentions that cite their text, outputs of a batch."""

import json
import re
from pathlib import Path

import pytest

from conftest import shared_files
from govreport.config import CORPUS_DIR
from govreport.extract.reports import Extractor, extract_paths, write_outputs
from govreport.ingest import read_document

EXPECTED_DIR = Path(__file__).parent / "expected"

# Seed 000 has no table: its records come from the narrative of sections 三 to 六, read by hand.
SEED_000_TEXT_RECORDS = {
    "active.total": 223765,  # 全市各级行政机关主动公开政府信息223765条
    "active.via.website": 168136,
    "active.via.weibo": 9968,
    "active.via.wechat": 11387,
    "active.via.other": 92645,
    "requests.received": 1486,  # 全市共受理政府信息公开申请1486件
    "requests.received.in_person": 1231,  # 现场书面申请1231件
    "requests.received.online": 192,
    "requests.received.mail": 57,
    "requests.received.fax": 6,
    "requests.answered.already_public": 1197,
    "requests.answered.granted": 245,
    "requests.answered.partial": 17,
    "requests.answered.denied": 3,
    "requests.answered.not_this_agency": 20,
    "requests.answered.nonexistent": 4,
    "review.total": 16,  # 行政复议申请16件
    "litigation.total": 2,
}


@pytest.fixture(scope="module")
def extractor():
    return Extractor(use_model=False)


def seed(prefix: str) -> Path:
    return next(CORPUS_DIR.glob(f"{prefix}_*.txt"))


def records_of(result) -> dict[str, dict]:
    return {r["indicator"]: r for r in result.records}


@pytest.mark.parametrize("prefix", ["001", "002"])
def test_table_seed_records_match_the_expected_table_values(extractor, prefix):
    result = extractor(seed(prefix))
    expected = json.loads((EXPECTED_DIR / f"{seed(prefix).stem}.expected.json").read_text(encoding="utf-8"))
    records = records_of(result)
    assert result.document["form"] == expected["form"]
    for indicator, value in expected["values"].items():
        if value is None:
            assert indicator not in records or records[indicator]["value"] is None, indicator
            continue
        rec = records[indicator]
        assert (rec["value"], rec["source"]) == (value, "table"), indicator


def test_seed_001_conflicts_between_text_and_table(extractor):
    records = records_of(extractor(seed("001")))
    # the text says 网上申请14件 where the table says 网络申请数 24
    assert records["requests.received.online"]["conflict"]
    assert any(e["value"] == 14 for e in records["requests.received.online"]["evidence"])
    assert not records["active.total"]["conflict"]  # 135000条 in both


def test_seed_000_narrative_records(extractor):
    result = extractor(seed("000"))
    records = records_of(result)
    assert result.document["organ"] == "咸宁市人民政府" and result.document["year"] == 2016
    wrong = {k: records.get(k, {}).get("value") for k, v in SEED_000_TEXT_RECORDS.items()
             if records.get(k, {}).get("value") != v}
    assert not wrong
    for indicator in SEED_000_TEXT_RECORDS:
        assert records[indicator]["source"] == "text"


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


@pytest.mark.parametrize("path", sorted(CORPUS_DIR.glob("*.txt")) + shared_files(".txt", ".md", ".html", ".pdf"), ids=lambda p: p.name)
def test_every_mention_cites_text_that_says_the_figure(extractor, path):
    doc = read_document(path)
    result = extractor.extract(doc)
    assert result.mentions, path.name
    for m in result.mentions:
        if m["start"] is None:
            assert m["source"] == "table" and m["value"] is None
            continue
        said = doc.text[m["start"]:m["end"]]
        assert said == m["text"], (path.name, m)
        if m["source"] == "table" and m["value"] is not None and isinstance(m["value"], int):
            assert _digits(said).lstrip("0") == str(abs(m["value"])).lstrip("0") or m["uncertain"], (path.name, m)
        if m["indicator_start"] is not None:
            assert doc.text[m["indicator_start"]:m["indicator_end"]] == m["indicator_text"]


def test_batch_writes_every_output_and_survives_a_bad_file(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("", encoding="utf-8")
    paths = [seed("001"), bad, seed("002")]
    totals = write_outputs(extract_paths(paths, use_model=False, with_tasks=True), tmp_path / "out",
                           with_tasks=True)
    assert totals["documents"] == 3 and totals["failed"] == 1
    out = tmp_path / "out"
    docs = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [d["doc"] for d in docs] == [seed("001").stem, "empty", seed("002").stem]
    assert any("empty.txt" in w for w in docs[1]["warnings"])
    assert docs[0]["checks"] and all(v in ("pass", "fail", "na") for v in docs[0]["checks"].values())
    header = (out / "records.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("doc,organ,year,indicator,value,unit,source")
    tasks = [json.loads(line) for line in (out / "tasks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert tasks and all({"text", "tokens", "spans", "relations", "meta"} <= set(t) for t in tasks)


def test_two_workers_give_the_same_records_as_one(tmp_path):
    paths = [seed("000"), seed("001"), seed("002")]
    one = [r.records for r in extract_paths(paths, workers=1, use_model=False, with_tasks=False)]
    two = [r.records for r in extract_paths(paths, workers=2, use_model=False, with_tasks=False)]
    assert one == two


def test_cross_year_check_over_a_batch_of_the_same_organ(tmp_path, shared_corpus_dir):
    # 结转下年度 of 2019 must equal 上年结转 of 2020 for the same organ (both v2019 tables)
    paths = [shared_corpus_dir / "fujian_pingtan_zone_2019.txt", shared_corpus_dir / "fujian_pingtan_zone_2020.txt"]
    write_outputs(extract_paths(paths, use_model=False, with_tasks=False), tmp_path)
    checks = [json.loads(line) for line in (tmp_path / "cross_year.jsonl").read_text(encoding="utf-8").splitlines()]
    (check,) = checks
    assert check["name"].endswith("2019-2020") and check["status"] == "pass"
    assert set(check["numbers"].values()) == {0}


def test_text_money_in_wan_yuan_agrees_with_the_table(extractor):
    # seed 001: the text says 经费约20万元, the table says 专项经费 20 (万元): no conflict
    record = records_of(extractor(seed("001")))["capacity.budget"]
    assert (record["value"], record["unit"], record["conflict"]) == (20, "万元", False)
    assert [e["value"] for e in record["evidence"]] == [20]


def test_seed_003_figures_in_kindred_units_become_records_and_drops_are_counted(extractor):
    # 合肥 2012 writes 5期 (培训班, 次) and 近500人 (培训, 人次), read by hand; 455件 of 网上申请公开政府信息 counts
    # requests (the requested information, gold: requests.received.online), not active disclosures in 条;
    # 105次 of 新闻发布会 is scoped 市本级, part of the city: a mention, not the city's record
    result = extractor(seed("003"))
    records = records_of(result)
    assert records.get("active.total", {}).get("value") != 455
    assert (records["training.sessions"]["value"], records["training.sessions"]["unit"]) == (5, "次")
    assert records["training.trainees"]["value"] == 500 and records["training.trainees"]["uncertain"]  # 近
    assert result.document["dropped"].get("partial_scope", 0) >= 1
    assert "response.press_conferences" not in records


def test_rules_alone_load_no_model_library():
    """A rules-only extraction never imports spaCy, numpy or scikit-learn: each would add to every start-up (a
    batch's, a dask worker's) what the rules never use."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from govreport.extract.reports import preload_extractor\n"
            "from govreport.ingest import read_document\n"
            f"preload_extractor(None, use_model=False).extract(read_document({str(min(CORPUS_DIR.glob('*.txt')))!r}))\n"
            "print(sorted(m for m in ('spacy', 'numpy', 'sklearn', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_figure_withheld_for_one_reason_is_dropped_once(extractor, tmp_path):
    """A part of the body (各乡镇) that also coordinates items under the phrase's head (信函、传真和电子邮件申请) is
    counted under the reason the linker withheld its id for, once (it was also counted as partial_scope)."""
    head = "某县人民政府2020年政府信息公开工作年度报告\n2020年，全县共收到政府信息公开申请30件，其中各乡镇收到"
    dropped = []
    for k, item in enumerate(("信函、传真和电子邮件申请18件。", "信函申请18件。")):
        path = tmp_path / f"r{k}.txt"
        path.write_text(head + item, encoding="utf-8")
        result = extractor(path)
        (part,) = [m for m in result.mentions if m["source"] == "text" and m["text"] == "18件"]
        assert (part["scope"], part["indicator"]) == ("各乡镇", None)
        dropped.append(result.document["dropped"])
    assert dropped == [{"coordinated": 1}, {"partial_scope": 1}]


def test_shares_of_a_count_are_dropped_as_shares(extractor, tmp_path):
    # the parts' counts are parts of the body; their shares (占60%) are shares, whatever their scope
    path = tmp_path / "r.txt"
    path.write_text("某县人民政府2016年政府信息公开工作年度报告\n2016年，全县共主动公开政府信息1370条，其中县直单位822条，"
                    "占60%；各乡镇548条，占40%。", encoding="utf-8")
    result = extractor(path)
    assert [(m["text"], m["indicator"]) for m in result.mentions if m["source"] == "text"] == [
        ("1370条", "active.total"), ("822条", None), ("60%", None), ("548条", None), ("40%", None)]
    assert result.document["dropped"] == {"partial_scope": 2, "share": 2}


def test_an_id_the_spec_lacks_is_dropped_with_its_reason(extractor, tmp_path):
    # 尚未审结 of lawsuits names litigation.pending, which the spec splits by the suit's kind (direct, after review)
    path = tmp_path / "r.txt"
    path.write_text("某市人民政府2023年政府信息公开工作年度报告\n2023年，全市发生政府信息公开行政诉讼案件11件，其中结果维持3件，"
                    "尚未审结8件。", encoding="utf-8")
    result = extractor(path)
    assert [(m["indicator_text"], m["indicator"]) for m in result.mentions if m["source"] == "text"][-1] == (
        "尚未审结", None)
    assert result.document["dropped"] == {"not_in_spec": 1}
