"""domain.stopwords: per-use stopword lists read from vocab/stopwords.tsv."""

import pytest

from domain.stopwords import USES, words
from domain.vocab import rows


def test_each_use_has_its_words_and_every_row_a_source():
    for use in USES:
        assert words(use), use
    for row in rows("stopwords"):
        assert row[0] in USES and row[1] and row[2], row


def test_task_phrases_keep_file_order_longest_first_where_they_overlap():
    noise = words("task")
    assert noise.index("责任单位是谁") < noise.index("责任单位") < noise.index("任务")


def test_question_words_are_stopwords_and_content_words_are_not():
    assert "多少" in words("passage") and "政务新媒体" not in words("passage")
    assert "行政复议" not in words("figure")


def test_an_unknown_use_is_an_error():
    with pytest.raises(KeyError):
        words("retrieval")
