"""domain.quantity: the three ways a question asks for a number, from vocab/quantity.tsv."""

from domain.quantity import asks_count, asks_figure, asks_quantity, words
from domain.vocab import rows


def test_a_figure_question():
    assert asks_figure("莱芜区2020年行政复议结果纠正多少件")
    assert asks_figure("两年相比增加了")
    assert asks_figure("占 50 % 的是哪一项")  # a percentage named
    assert not asks_figure("政务新媒体有什么要求")


def test_a_quantity_question_in_chinese_and_english():
    assert asks_quantity("收到几件申请？")
    assert asks_quantity("How many requests were received?")
    assert not asks_quantity("几乎所有单位都参加了吗")  # 几 alone is no quantity here
    assert not asks_quantity("有哪些主要问题")


def test_a_count_question_about_tasks():
    assert asks_count("一共有几项任务")
    assert asks_count("Number of tasks for 民政局")
    assert not asks_count("哪些任务由区民政局负责")


def test_every_word_has_a_kind_and_a_source():
    assert words("figure") and words("quantity") and words("count")
    for row in rows("quantity"):
        assert row[0] in ("figure", "quantity", "count") and row[1] and row[2], row
