"""assistant.api: the pipeline runs forward and understands each question exactly once."""

from __future__ import annotations

import sys

import pytest

from assistant import understand as understand_module
from assistant.api import Assistant

# Earlier turns that arrive as text only (an HTTP client's history) are understood once each at
# the boundary (assistant.turn); the question itself is understood once, by follow-up resolution
# when it reads the text as it stands, else by the pipeline.
BOUNDARY_MODULES = {"assistant.turn"}


@pytest.fixture(scope="module")
def assistant(answering_home):
    return Assistant(answering_home, llm="none")


@pytest.fixture
def understood(monkeypatch) -> list[tuple[str, str]]:
    """(module, question) of every understand() call made by any assistant module."""
    calls: list[tuple[str, str]] = []
    original = understand_module.understand
    for name, module in list(sys.modules.items()):
        if name.startswith("assistant.") and getattr(module, "understand", None) is original:

            def counted(question, documents, _name=name):
                calls.append((_name, question))
                return original(question, documents)

            monkeypatch.setattr(module, "understand", counted)
    return calls


def pipeline_calls(calls: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(m, q) for m, q in calls if m not in BOUNDARY_MODULES]


@pytest.mark.parametrize(
    "question",
    [
        "槐荫区2019年收到多少政府信息公开申请？",  # table
        "莱芜区2022年工作要点中区民政局负责什么任务？",  # tasks
        "莱芜区2022年工作要点的发文字号是什么？",  # a document field
        "槐荫区2019年政务公开工作存在哪些主要问题？",  # retrieval
        "北京市2019年收到多少政府信息公开申请？",  # refused by the scope check
    ],
)
def test_a_first_question_is_understood_once(assistant, understood, question):
    result = assistant.answer(question)
    assert [q for _, q in pipeline_calls(understood)] == [question]
    assert result.query is not None and result.query.question == question


def test_a_follow_up_is_understood_once_as_rewritten(assistant, understood):
    first = assistant.answer("槐荫区2019年收到多少政府信息公开申请？")
    understood.clear()
    second = assistant.answer("2020年呢？", [first.to_dict()])
    assert "2020" in second.rewritten
    assert understood == [("assistant.api", second.rewritten)]  # the earlier turn: never again
    assert second.query is not None and second.query.years == [2020]


def test_a_text_only_history_turn_is_understood_once_at_the_boundary(assistant, understood):
    question = "槐荫区2019年收到多少政府信息公开申请？"
    result = assistant.answer("2020年呢？", [{"question": question, "answer": "…"}])
    assert understood == [("assistant.turn", question), ("assistant.api", result.rewritten)]


def test_each_step_is_one_trace_line_in_pipeline_order(assistant):
    result = assistant.answer("槐荫区2019年政务公开工作存在哪些主要问题？")
    stages = [step.stage for step in result.trace]
    assert stages == ["follow-up", "understand", "route", "retrieve", "verify", "compose"]


def test_a_declining_tool_falls_through_to_retrieval_with_its_reason(assistant):
    result = assistant.answer("槐荫区2019年政务公开工作由谁负责？")
    declined = [s for s in result.trace if s.stage == "tool"]
    assert result.route == "rag"
    assert declined and declined[0].decision == "not mine" and declined[0].detail
