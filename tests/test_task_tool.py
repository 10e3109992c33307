"""assistant.task_tool: task rows by number, unit, deadline or keyword; or NotMine."""

from __future__ import annotations

import pytest

from assistant.answer import Answer
from assistant.corpus import Corpus
from assistant.task_tool import TaskTool, deadline_month, unit_matches
from assistant.tool import NotMine
from tests.standins.corpus import ask_tool, small_corpus


@pytest.fixture(scope="module")
def corpus():
    return small_corpus()


def ask(question: str, corpus: Corpus) -> Answer | NotMine:
    return ask_tool(TaskTool(), question, corpus)


def test_a_unit_gets_its_tasks_each_citing_its_row(corpus):
    result = ask("莱芜区2022年区民政局负责什么任务", corpus)
    assert isinstance(result, Answer) and result.mode == "tasks"
    assert [t["number"] for t in result.tasks] == [3]
    doc = corpus.by_id["lw2022"]
    assert result.citations[0].quote == doc.text[result.citations[0].start :].split("\n")[0]


def test_a_count_cites_the_title_and_the_first_and_last_rows(corpus):
    result = ask("莱芜区2022年工作要点共有多少项任务", corpus)
    assert isinstance(result, Answer) and result.value == 3 and len(result.citations) == 3
    assert result.citations[0].quote.strip().endswith("任务分解表")


def test_a_unit_without_tasks_is_a_refusal(corpus):
    result = ask("莱芜区2022年工作要点中区税务局负责哪项任务", corpus)
    assert isinstance(result, Answer) and result.refused and result.mode == "refused"


def test_a_question_about_no_task_is_declined(corpus):
    result = ask("槐荫区2019年行政复议结果纠正多少件", corpus)
    assert isinstance(result, NotMine) and "task" in result.reason


@pytest.mark.parametrize(
    ("deadline", "month"), [("2022年6月底前", 6), ("年底", 12), ("全年", None)]
)
def test_deadline_months(deadline, month):
    assert deadline_month(deadline) == month


def test_units_match_by_name_with_or_without_the_level():
    assert unit_matches("民政局", ["区民政局"]) and unit_matches("区民政局", ["区民政局"])
    assert not unit_matches("区司法局", ["区民政局"])
