"""assistant.answer: one Answer type; the ask --json contract; a turn carries its Query."""

from __future__ import annotations

import json

from assistant import turn as turn_module
from assistant.answer import Answer, refusal
from assistant.turn import turns_from
from assistant.understand import understand
from domain.citation import Citation
from index.models import Document
from tests.standins.corpus import annual

CONTRACT = {"question", "answer", "route", "value", "unit", "refused", "citations", "warnings",
            "latency_ms"}  # fmt: skip


def cited_answer() -> tuple[Answer, Document]:
    doc = annual("hy2019", "槐荫区", 2019, 2, 10)
    start = doc.text.index("行政复议\t")
    citation = Citation.of(1, doc, start, start + 8)
    return Answer("槐荫区2019年行政复议结果纠正多少件", "2件[1]", "table", 2.0, "件",
                  citations=[citation], mode="table"), doc  # fmt: skip


def test_to_json_prints_the_contract_with_citations_as_objects():
    answer, doc = cited_answer()
    data = answer.to_json()
    assert set(data) == CONTRACT  # no query, trace, cells or mode: the contract as before
    assert data["citations"][0]["quote"] == doc.text[data["citations"][0]["start"] :][:8]
    json.dumps(data, ensure_ascii=False)


def test_the_rewrite_is_printed_only_when_it_differs():
    answer, _ = cited_answer()
    answer.rewritten = answer.question
    assert "rewritten" not in answer.to_json()
    answer.rewritten = "槐荫区2019年行政复议结果纠正多少件？"
    assert answer.to_json()["rewritten"] == answer.rewritten


def test_to_dict_round_trips_the_query_through_turns(monkeypatch):
    answer, doc = cited_answer()
    answer.query = understand(answer.question, [doc])
    data = json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))  # kept as JSON by a UI
    calls = []
    monkeypatch.setattr(turn_module, "understand", lambda *a: calls.append(a))
    (turn,) = turns_from([data], [doc])
    assert turn.query == answer.query and not calls  # carried, not understood again
    assert turn.route == "table" and turn.answer == "2件[1]"


def test_a_refusal_has_no_figure_and_says_so():
    answer = refusal("北京市2019年收到多少申请", "none", "资料库中没有北京市。")
    assert answer.refused and answer.mode == "refused" and answer.value is None
    assert answer.to_json()["citations"] == []
