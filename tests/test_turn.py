"""Turn: an earlier turn and the Query it was understood as (small documents built here)."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from assistant import turn as turn_module
from assistant.api import Answer
from assistant.turn import Turn, query_from, turn_from, turns_from
from assistant.understand import understand
from index.models import Document

DOCS = [
    Document("lw20", "laiwu_2020.txt", "", kind="annual_report", region="济南市莱芜区", year=2020),
    Document("lw22", "laiwu_2022.txt", "", kind="work_points", region="莱芜区", year=2022),
    Document("hz24", "hongze_2024.pdf", "", kind="annual_report", region="淮安市洪泽区", year=2024),
]
TABLE = "莱芜区2020年行政复议结果纠正多少件？"
GROUP = "近三年各部门行政复议结果纠正排名"  # a Query with a GroupAsk and its spans


def _never(text, documents):
    raise AssertionError(f"understood again: {text}")


def _as_json(data: dict) -> dict:
    return json.loads(json.dumps(data, ensure_ascii=False))


def test_a_turn_is_answered_as_its_rewrite_when_it_has_one():
    assert Turn("那2020年呢？", TABLE).resolved == TABLE
    assert Turn("槐荫区呢？").resolved == "槐荫区呢？"


@pytest.mark.parametrize("question", [TABLE, GROUP, "2022年莱芜区第17项任务的责任单位是谁？"])
def test_a_query_kept_as_json_reads_back_equal(question):
    query = understand(question, DOCS)
    assert query_from(_as_json(asdict(query))) == query
    assert query_from(query) is query and query_from(None) is None


def test_an_answer_dict_with_its_query_becomes_a_turn_without_understanding(monkeypatch):
    query = understand(TABLE, DOCS)
    monkeypatch.setattr(turn_module, "understand", _never)
    answer = Answer("那2020年呢？", "10件", "table", rewritten=TABLE)
    data = _as_json({**answer.to_dict(), "query": asdict(query)})
    (turn,) = turns_from([data], DOCS)
    assert (turn.question, turn.rewritten, turn.route, turn.answer) == (
        "那2020年呢？", TABLE, "table", "10件",
    )  # fmt: skip
    assert turn.query == query


def test_text_only_turns_are_understood_once_each_and_carried_ones_never(monkeypatch):
    carried = Turn(GROUP, query=understand(GROUP, DOCS))
    understood: list[str] = []
    monkeypatch.setattr(
        turn_module,
        "understand",
        lambda text, docs: understood.append(text) or understand(text, docs),
    )
    history = [{"question": "那2019年呢？", "rewritten": TABLE}, carried, {"question": ""}]
    turns = turns_from(history, DOCS)
    assert understood == [TABLE]  # the rewrite is what the turn was answered as
    assert turns[0].query == understand(TABLE, DOCS)
    assert turns[1] is carried and turns[2].query is None
    assert turn_from(turns[0]) is turns[0]
