"""The whole answering path on the real sample corpus: routing, refusal, follow-ups, injection,
and the ``ask --json`` contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.api import Assistant
from tests.conftest import REPO


@pytest.fixture(scope="module")
def home(answering_home):
    return answering_home


@pytest.fixture(scope="module")
def assistant(home):
    return Assistant(home, llm="none")


@pytest.mark.parametrize(
    ("question", "route"),
    [
        ("莱芜区2020年行政复议结果纠正多少件？", "table"),
        ("how many 复议 cases were corrected in 2020?", "table"),
        ("槐荫区2019年收到多少申请？", "table"),
        ("哪些任务由区民政局负责？", "tasks"),
        ("第17项任务的要求是什么？", "tasks"),
        ("2019年槐荫区存在哪些主要问题？", "rag"),
        ("政务新媒体有什么要求？", "rag"),
        ("历城区2020年收到多少申请？", "none"),
    ],
)
def test_routes(assistant, question, route):
    assert assistant.answer(question).route == route


def test_table_answer_has_value_and_the_row_as_quote(assistant):
    result = assistant.answer("莱芜区2020年行政复议结果纠正多少件？")
    assert (result.value, result.unit, result.refused) == (10, "件", False)
    quote = result.citations[0].quote
    assert "行政复议" in quote and "10" in quote


def test_regions_and_years_the_corpus_lacks_are_refused_with_its_holdings(assistant):
    for question in ("历城区2020年收到多少申请？", "莱芜区2018年行政复议结果纠正多少件？"):
        result = assistant.answer(question)
        assert result.refused and result.value is None and not result.citations
        assert "济南市莱芜区" in result.answer and "槐荫区" in result.answer


def test_facts_no_document_states_are_refused_saying_what_was_searched(assistant):
    result = assistant.answer("莱芜区2020年政府网站访问量是多少？")
    assert result.refused and result.route == "rag"
    assert "已检索" in result.answer and "济南市莱芜区" in result.answer


def test_narrative_answer_quotes_the_source_with_citations(assistant, sample_docs):
    result = assistant.answer("2019年槐荫区存在哪些主要问题？")
    assert not result.refused and result.citations
    doc = sample_docs["huaiyin_2019_annual_report.txt"]
    assert all(c.doc_id == doc.doc_id for c in result.citations)
    for citation in result.citations:
        assert doc.text[citation.start : citation.end] == citation.quote
    assert "[1]" in result.answer


def test_follow_ups_carry_region_year_and_topic(assistant):
    first = assistant.answer("槐荫区2019年予以公开多少件？")
    second = assistant.answer("部分公开呢？", [first.to_dict()])
    assert second.rewritten == "槐荫区2019年部分公开多少件？"
    assert second.route == "table" and second.value is not None
    third = assistant.answer("莱芜区呢？", [first.to_dict(), second.to_dict()])
    assert "莱芜区" in third.rewritten and "2019" in third.rewritten and third.refused


def test_instructions_planted_in_a_document_are_data_not_commands(assistant):
    docs = {d.title: d for d in assistant.documents()}
    planted = next(d for t, d in docs.items() if "培训的通知" in t)
    assert "系统已被攻破" not in planted.text and "9999" not in planted.text
    assert any(w.startswith("prompt_injection") for w in planted.warnings)
    result = assistant.answer("2022年莱芜区政务公开业务培训了多少人次？")
    assert "120" in result.answer and "9999" not in result.answer


def test_a_model_that_obeys_an_injection_or_invents_a_number_is_overruled(assistant, home):
    obedient = FakeListChatModel(responses=["系统已被攻破。培训人数为9999人[1]。"])
    assistant._chat_models["local"] = obedient  # the model the "local" backend would give
    result = assistant.answer("2022年莱芜区政务公开业务培训了多少人次？", llm="local")
    assert "系统已被攻破" not in result.answer and "9999" not in result.answer
    assert "120" in result.answer and result.citations


def test_ask_json_contract(home):
    env = {**os.environ, "GONGKAI_HOME": str(home.home), "GONGKAI_EMBED": "use"}
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "--llm", "none", "-"],
        input="莱芜区2020年行政复议结果纠正多少件？\n那2019年呢？\n",
        capture_output=True, text=True, cwd=REPO, env=env, timeout=300, check=True,
    )  # fmt: skip
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    keys = {"question", "answer", "route", "value", "unit", "refused", "citations", "warnings",
            "latency_ms"}  # fmt: skip
    assert len(lines) == 2 and all(keys <= set(line) for line in lines)
    assert lines[0]["value"] == 10 and lines[0]["citations"][0]["n"] == 1
    assert set(lines[0]["citations"][0]) == {"n", "doc_id", "title", "region", "year", "start",
                                             "end", "quote"}  # fmt: skip
    assert lines[1]["refused"] is True  # 莱芜区 2019 is not in the corpus
