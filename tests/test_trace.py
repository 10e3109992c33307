"""The decision trace: each answer says, stage by stage, why it went where it went."""

from __future__ import annotations

import logging

import pytest

from assistant.api import Assistant


@pytest.fixture(scope="module")
def assistant(answering_home):
    return Assistant(answering_home, llm="none")


def stages(answer) -> list[str]:
    return [step.stage for step in answer.trace]


def test_a_table_question_runs_forward_and_names_its_cell_slots(assistant):
    result = assistant.answer("槐荫区2019年收到多少政府信息公开申请？")
    assert result.route == "table" and not result.refused
    assert stages(result) == ["follow-up", "understand", "route", "tool", "compose"]
    understood = result.trace[1]
    assert "槐荫区" in understood.detail and "2019" in understood.detail
    assert result.trace[2].decision == "table"


def test_a_prose_question_records_the_search_it_made(assistant):
    result = assistant.answer("槐荫区2019年政务公开工作存在哪些主要问题？")
    assert result.route == "rag"
    retrieve = [s for s in result.trace if s.stage == "retrieve"]
    assert retrieve and "passages" in retrieve[0].decision


def test_a_question_outside_the_corpus_says_why_it_was_refused(assistant):
    result = assistant.answer("北京市2019年收到多少政府信息公开申请？")
    assert result.refused
    route = [s for s in result.trace if s.stage == "route"]
    assert route and route[0].decision == "refuse" and "北京" in route[0].detail


def test_a_follow_up_records_the_rule_that_completed_it(assistant):
    first = assistant.answer("槐荫区2019年收到多少政府信息公开申请？")
    second = assistant.answer("2020年呢？", [first.to_dict()])
    assert second.trace[0].stage == "follow-up" and second.trace[0].decision != "first"
    assert "2020" in second.trace[0].detail


def test_steps_are_logged_at_debug_level(assistant, caplog):
    with caplog.at_level(logging.DEBUG, logger="gongkai.answer"):
        result = assistant.answer("槐荫区2019年收到多少政府信息公开申请？")
    logged = [r.getMessage() for r in caplog.records if r.name == "gongkai.answer"]
    assert len(logged) == len(result.trace)
