"""govreport.bench: how repeated end-to-end runs become one figure per command (times themselves are measured by
``make bench``, never by tests)."""

from __future__ import annotations

from govreport.bench import check_targets, median_run


def run(name: str, seconds: float, rss: float, chars: int = 1000) -> dict:
    return {"command": name, "args": [], "chars": chars, "seconds": seconds, "chars_per_s": chars / seconds,
            "peak_rss_mb": rss, "peak_rss_process_mb": rss / 2, "out": "x"}


def test_median_run_is_the_middle_time_with_every_round_and_the_largest_peaks():
    runs = [run("rules", 4.0, 100), run("rules", 2.0, 300), run("rules", 3.0, 200)]
    median = median_run(runs)
    assert median["seconds"] == 3.0
    assert median["repeats_chars_per_s"] == [250.0, 500.0, 1000 / 3]
    assert median["peak_rss_mb"] == 300 and median["peak_rss_process_mb"] == 150
    # two runs: the faster of the two middle ones
    assert median_run(runs[:2])["seconds"] == 2.0


def test_dask_ratio_of_the_medians_and_of_each_round():
    one = median_run([run("rules-dask-1", s, 100) for s in (10.0, 11.0, 12.0)])
    two = median_run([run("rules-dask-2", s, 100) for s in (5.0, 6.0, 8.0)])
    report = {"runs": [], "commands": [one, two], "corpus": {"10MB": {}}}
    targets = {"rules_chars_per_s": 1, "hybrid_chars_per_s": 1, "peak_rss_mb_2_workers": 1,
               "rules_end_to_end_chars_per_s": 1, "hybrid_end_to_end_chars_per_s": 1, "dask_speedup_2_workers": 1.7,
               "rules_end_to_end_one_core_chars_per_s": 1,
               "peak_rss_per_worker_mb": 500, "scaling_tolerance": 0.2}
    speedup = check_targets(report, targets)["dask_speedup_2_workers"]
    assert abs(speedup["measured"] - 11 / 6) < 1e-9 and speedup["met"]
    assert [round(r, 4) for r in speedup["rounds"]] == [2.0, round(11 / 6, 4), 1.5]


def test_measured_cpu_time_covers_the_whole_process_tree():
    """A command's CPU time includes its children's (the extract workers are children of the batch process)."""
    import sys

    from govreport.bench import _measure

    burn = "import time; sum(range(3_000_000)); print(time.process_time())"
    parent = f"import subprocess, sys; print(subprocess.run([sys.executable, '-c', {burn!r}], capture_output=True, " \
             "text=True).stdout.strip())"
    measured = _measure([sys.executable, "-c", parent])
    child_cpu = float(measured["stdout"].split()[-1])
    assert measured["cpu_seconds"] >= child_cpu > 0


def test_a_command_confined_to_one_core_runs_with_its_children_on_one_core():
    """The per-core end-to-end figure (configs/bench.yml ``cores``): the command and the processes it starts."""
    import os
    import sys

    from govreport.bench import _measure

    cores = "import os; print(len(os.sched_getaffinity(0)))"
    parent = f"import subprocess, sys; print(subprocess.run([sys.executable, '-c', {cores!r}], capture_output=True, " \
             "text=True).stdout.strip())"
    assert _measure([sys.executable, "-c", parent], cores=1)["stdout"].split() == ["1"]
    if len(os.sched_getaffinity(0)) > 1:  # unconfined, it sees them all
        assert _measure([sys.executable, "-c", parent])["stdout"].split() == [str(len(os.sched_getaffinity(0)))]
