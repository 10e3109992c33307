"""assistant.table_tool: figures from cells, the formula shown, a blank never a 0; or NotMine."""

from __future__ import annotations

import pytest

from assistant.answer import Answer
from assistant.corpus import Corpus
from assistant.table_tool import TableTool, answer_table
from assistant.tool import NotMine
from assistant.understand import understand
from tests.standins.corpus import ask_tool, small_corpus


@pytest.fixture(scope="module")
def corpus():
    return small_corpus()


def ask(question: str, corpus: Corpus) -> Answer | NotMine:
    return ask_tool(TableTool(), question, corpus)


def test_a_printed_cell_is_the_value_and_its_row_the_citation(corpus):
    result = ask("槐荫区2019年行政复议结果纠正多少件", corpus)
    assert isinstance(result, Answer) and result.value == 2 and result.unit == "件"
    assert result.mode == "table" and result.route == "table"
    doc = corpus.by_id["hy2019"]
    (citation,) = result.citations
    assert citation.quote == doc.text[citation.start : citation.end]
    assert citation.quote.startswith("行政复议\t8\t2")
    assert result.cells[0]["origin"] == "table"


def test_a_blank_cell_is_no_value(corpus):
    result = ask("槐荫区2020年行政复议结果纠正多少件", corpus)
    assert isinstance(result, Answer) and result.value is None and "为空" in result.answer


def test_a_sum_prints_its_formula(corpus):
    result = ask("槐荫区2019年和2020年行政复议总数合计", corpus)
    assert isinstance(result, Answer) and result.value == 14
    assert "10 + 4 = 14件" in result.answer and len(result.citations) == 2


def test_a_rate_is_computed_from_both_cells(corpus):
    result = ask("槐荫区2019年行政复议纠错率", corpus)
    assert isinstance(result, Answer) and result.value == 20.0 and result.unit == "%"
    assert "2件 ÷ 总计 10件" in result.answer


def test_a_region_not_held_is_a_refusal_naming_what_is_held(corpus):
    result = answer_table(understand("槐荫区2025年行政复议多少件", corpus.documents), corpus)
    assert isinstance(result, Answer) and result.refused and "槐荫区2019年" in result.answer


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("槐荫区2019年政务公开存在哪些问题", "no figure"),
        ("槐荫区2019年行政复议平均用时多少天", "平均"),
        ("槐荫区2019年本年新收申请多少件", "no cell"),  # the report prints no such table
    ],
)
def test_questions_the_cells_cannot_answer_are_declined_with_a_reason(question, reason, corpus):
    result = ask(question, corpus)
    assert isinstance(result, NotMine) and reason in result.reason
