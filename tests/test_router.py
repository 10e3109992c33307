"""assistant.router: every routing decision, with its reason, from the understood Query."""

from __future__ import annotations

import pytest

from assistant.corpus import Corpus
from assistant.metadata import DocumentFieldTool
from assistant.router import holdings, route, scope_gap
from assistant.table_tool import TableTool
from assistant.task_tool import TaskTool
from assistant.understand import understand
from tests.standins.corpus import MemoryStore, small_corpus


@pytest.fixture(scope="module")
def corpus():
    return small_corpus()


def routed(question: str, corpus: Corpus):
    return route(understand(question, corpus.documents), corpus)


@pytest.mark.parametrize(
    ("question", "name", "tool"),
    [
        ("槐荫区2019年行政复议结果纠正多少件", "table", TableTool),
        ("莱芜区2022年区民政局负责什么任务", "tasks", TaskTool),
        ("槐荫区2019年报告的联系电话是多少", "document", DocumentFieldTool),
        ("槐荫区2019年政务公开存在哪些问题", "rag", type(None)),
    ],
)
def test_each_route_names_its_tool_and_reason(question, name, tool, corpus):
    chosen = routed(question, corpus)
    assert chosen.name == name and isinstance(chosen.tool, tool) and chosen.reason
    assert not chosen.refusal


def test_a_region_the_corpus_lacks_is_refused_with_what_it_holds(corpus):
    chosen = routed("北京市2019年收到多少申请", corpus)
    assert chosen.name == "refuse" and "北京市" in chosen.reason and chosen.tool is None
    assert "北京市" in chosen.refusal and "槐荫区（2019年年报、2020年年报）" in chosen.refusal


def test_a_year_the_region_lacks_is_refused_but_one_held_year_is_enough(corpus):
    docs = corpus.documents
    assert scope_gap(understand("槐荫区2025年行政复议多少件", docs), docs) == "槐荫区2025年"
    assert scope_gap(understand("槐荫区2019年和2025年行政复议多少件", docs), docs) == ""


def test_an_empty_corpus_is_refused():
    empty = MemoryStore([], [], [])
    chosen = routed("槐荫区2019年行政复议多少件", small_corpus(empty))
    assert chosen.name == "refuse" and chosen.refusal and "empty" in chosen.reason


def test_holdings_list_each_region_and_what_it_holds(corpus):
    listed = holdings(corpus.documents)
    assert listed == "槐荫区（2019年年报、2020年年报）；济南市莱芜区（2022年工作要点）"
