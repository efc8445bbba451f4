"""Review rounds: figure rows of a report, scored against a reviewer's judgements (constructed reports)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from govreport.cli import app
from govreport.eval.review import figure_rows, keyed, overlap_with_test, score_rows
from govreport.ingest import read_document
from govreport.pipeline import Pipeline

REPORT = ("某某县人民政府2021年政府信息公开工作年度报告\n"
          "2021年，本机关主动公开政府信息2864条。全年收到政府信息公开申请53件，其中予以公开31件。"
          "举办政务公开培训班4期。")


def _rows(tmp_path):
    path = tmp_path / "r01.txt"
    path.write_text(REPORT, encoding="utf-8")
    return list(figure_rows(path, Pipeline.from_config(use_model=False)(read_document(path))))


def test_figure_rows_carry_phrase_id_and_context(tmp_path):
    rows = {r["figure"]: r for r in _rows(tmp_path)}
    assert (rows["2864条"]["phrase"], rows["2864条"]["id"]) == ("主动公开政府信息", "active.total")
    assert rows["53件"]["id"] == "requests.new.total" and rows["4期"]["id"] == "training.sessions"
    assert all(r["figure"] in r["context"] and r["form"] == "v2021" for r in rows.values())


def test_scores_count_right_and_wrong_judgements_and_skip_unsure(tmp_path):
    rows = _rows(tmp_path)
    judged = []
    for r in rows:
        j = {"file": r["file"], "fig_start": r["fig_start"], "figure": r["figure"], "phrase_ok": "yes",
             "gold_phrase": r["phrase"], "id_due": r["id"], "id_unsure": False}
        if r["figure"] == "31件":  # the reviewer wants another id (known by construction: one wrong id given)
            j["id_due"] = "requests.partial.total"
        if r["figure"] == "4期":  # a phrase judged wrong, and the id left open
            j.update(phrase_ok="no", gold_phrase="培训班", id_unsure=True)
        judged.append(j)
    result = score_rows(rows, judged)
    n_ids = sum(1 for r in rows if r["id"] and r["figure"] != "4期")
    assert result["ids"]["tp"] == n_ids - 1 and result["ids"]["given"] == n_ids and result["ids"]["due"] == n_ids
    assert result["phrase"]["right"] == result["phrase"]["scored"] - 1
    assert {e["kind"] for e in result["errors"]} == {"id", "phrase"}
    # rows are matched by figure and occurrence, not offsets (which move when normalisation changes)
    moved = [dict(r, fig_start=r["fig_start"] + 7) for r in rows]
    assert score_rows(moved, judged)["ids"] == result["ids"] and score_rows(moved, judged)["unmatched"] == 0
    assert len(keyed(rows + [dict(rows[0], fig_start=999)])) == len(rows) + 1


def test_overlap_share_and_the_commands(tmp_path):
    shares = overlap_with_test({"same": REPORT, "other": "完全不同的一段文字，讲的是别的事情，没有任何相同的句子出现在这里。"},
                               [REPORT])
    assert shares["same"] == 1.0 and shares["other"] == 0.0
    (tmp_path / "r01.txt").write_text(REPORT, encoding="utf-8")
    runner = CliRunner()
    got = runner.invoke(app, ["annotate", "review-dump", str(tmp_path / "r01.txt"), "--out", str(tmp_path / "d.jsonl")])
    assert got.exit_code == 0, got.output
    rows = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()]
    judged = [dict(r, phrase_ok="yes", gold_phrase=r["phrase"], id_due=r["id"]) for r in rows]
    (tmp_path / "j.jsonl").write_text("\n".join(json.dumps(j, ensure_ascii=False) for j in judged), encoding="utf-8")
    got = runner.invoke(app, ["annotate", "review-score", str(tmp_path / "d.jsonl"), str(tmp_path / "j.jsonl")])
    assert got.exit_code == 0 and "P 1.000 R 1.000" in got.output, got.output
