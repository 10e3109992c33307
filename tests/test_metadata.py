"""assistant.metadata: a document's own fields, cited where printed; refused when not printed."""

from __future__ import annotations

import pytest

from assistant.answer import Answer
from assistant.metadata import DocumentFieldTool, asked_field
from assistant.tool import NotMine
from assistant.understand import understand
from tests.standins.corpus import small_corpus, small_store


@pytest.fixture(scope="module")
def store():
    return small_store()


def ask(question: str, store) -> Answer | NotMine:
    corpus = small_corpus(store)
    return DocumentFieldTool().answer(understand(question, corpus.documents), corpus)


def test_a_printed_field_is_answered_citing_its_line(store):
    result = ask("槐荫区2019年报告的联系电话是多少", store)
    assert isinstance(result, Answer) and not result.refused and result.mode == "document"
    assert "0531-12345678[1]" in result.answer and "0531-12345678" in result.citations[0].quote
    assert result.route == "rag"  # the document's text answers, not a table


def test_a_field_not_printed_is_refused_with_the_reason(store):
    result = ask("莱芜区2022年工作要点的发文字号是什么", store)
    assert isinstance(result, Answer) and result.refused and "没有找到发文字号" in result.answer


def test_a_question_about_no_field_is_declined(store):
    assert isinstance(ask("槐荫区2019年行政复议多少件", store), NotMine)


def test_fields_need_the_document_named_except_the_doc_number():
    assert asked_field("这份文件的文号是什么") == "doc_number"
    assert asked_field("多长时间内要发布权威信息") is None
    assert asked_field("这份报告什么时候发布的") == "pub_date"
