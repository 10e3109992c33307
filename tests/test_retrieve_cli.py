"""``python -m assistant search`` on a small engine: filters shown, hits ranked, misses named."""

from __future__ import annotations

import argparse

import pytest

from assistant.retrievers import cli
from tests.test_retrieve_engine import Store, engine


def run(monkeypatch, capsys, query, region=None, year=None, store=None) -> tuple[int, str]:
    monkeypatch.setattr(cli, "open_retrieval", lambda: engine(store))
    args = argparse.Namespace(query=query.split(), k=2, region=region, year=year)
    code = cli.run_search_command(args)
    return code, capsys.readouterr().out


def test_ranked_chunks_are_printed_with_each_rankers_score(monkeypatch, capsys):
    code, out = run(monkeypatch, capsys, "段落", region="甲区")
    assert code == 0 and out.startswith("筛选：地区=甲区\n")
    assert "[1] 甲区2020年报告（甲区 2020）" in out and "[2]" in out and "[3]" not in out
    assert "融合" in out and "BM25 1.000 (#1)" in out and "字符 [10, 15)" in out


def test_a_region_the_corpus_lacks_is_named(monkeypatch, capsys):
    code, out = run(monkeypatch, capsys, "段落", region="丙区")
    assert code == 0 and "丙区" in out and "[1]" not in out


@pytest.mark.parametrize("held", [True, False])
def test_an_empty_corpus_says_nothing_was_ingested(monkeypatch, capsys, held):
    store = Store()
    if not held:
        store.docs = []
    code, _ = run(monkeypatch, capsys, "段落", store=store)
    assert code == (0 if held else 1)
