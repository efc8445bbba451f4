"""The compiled patterns kept between runs: a pattern loaded from the cache is the pattern `re` compiles."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys

import pytest

from govreport import pattern_cache

pytestmark = pytest.mark.skipif(pattern_cache.cache_file() is None, reason="re compiles otherwise before 3.11")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("GOVREPORT_CACHE_DIR", str(folder))
    re.purge()  # else re.compile answers from its own cache without compiling
    yield folder
    re.purge()


def _load_extractor_in_a_child(folder) -> None:
    code = "from govreport.extract.reports import preload_extractor; preload_extractor(None, use_model=False)"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "GOVREPORT_CACHE_DIR": str(folder)})


def test_every_pattern_the_extractor_loads_matches_as_re_compiles_it(cache_dir, corpus_dir):
    """A real load stores its patterns; each, rebuilt from its entry, has the groups and flags of a fresh compile
    and finds the same matches on a bundled report."""
    import _sre

    _load_extractor_in_a_child(cache_dir)
    entries = marshal.loads(pattern_cache.cache_file().read_bytes())
    assert len(entries) > 300
    text = next(corpus_dir.glob("000_*.txt")).read_text(encoding="utf-8")[:20000]
    for (source, flags), args in entries.items():
        cached, fresh = _sre.compile(source, *args), re._compiler.compile(source, flags)
        assert (cached.pattern, cached.flags, cached.groups, cached.groupindex) == \
               (fresh.pattern, fresh.flags, fresh.groups, fresh.groupindex)
        if isinstance(source, str):
            assert [m.span() for m in cached.finditer(text)] == [m.span() for m in fresh.finditer(text)], source[:80]


def test_a_second_load_parses_no_pattern(cache_dir, monkeypatch):
    sources = [r"(?P<n>\d+)(?:件|条)", r"[一二三四五六七八九十]+、", "政府信息公开(?:申请)?"]
    with pattern_cache.cached_patterns():
        first = [re.compile(s) for s in sources]
    re.purge()
    parsed = []
    plain_parse = re._parser.parse
    monkeypatch.setattr(re._parser, "parse", lambda *a, **k: parsed.append(a[0]) or plain_parse(*a, **k))
    with pattern_cache.cached_patterns():
        second = [re.compile(s) for s in sources]
    assert parsed == []
    assert [p.groupindex for p in second] == [p.groupindex for p in first]
    assert second[0].fullmatch("12件").group("n") == "12"


def test_a_damaged_cache_compiles_as_usual_and_is_rewritten(cache_dir):
    source = r"(\d+)件"
    cache_dir.mkdir()
    path = pattern_cache.cache_file()
    path.write_bytes(marshal.dumps({(source, 0): (0, [1, 2, 3], 0, {}, (None,))}))  # code _sre rejects
    with pattern_cache.cached_patterns():
        pattern = re.compile(source)
    assert pattern.findall("共12件") == ["12"]
    assert marshal.loads(path.read_bytes())[(source, 0)][1] != [1, 2, 3]
    path.write_bytes(b"not marshal data")
    re.purge()
    with pattern_cache.cached_patterns():
        assert re.compile(source).findall("3件") == ["3"]


def test_a_cache_folder_that_cannot_be_made_costs_nothing(cache_dir):
    cache_dir.write_text("a file where the folder should be", encoding="utf-8")
    with pattern_cache.cached_patterns():
        assert re.compile(r"(\d+)条").findall("5条") == ["5"]
    assert re._compiler.compile.__module__ == "re._compiler"  # restored
