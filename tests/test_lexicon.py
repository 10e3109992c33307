"""assistant.lexicon: question words → canonical labels of the table schema."""

from assistant import lexicon as lx
from domain.vocab import rows


def terms(question: str) -> list[tuple[str, str]]:
    return [(m.term.slot, m.term.value) for m in lx.find_terms(lx.normalize(question))]


def test_the_longest_phrase_wins_and_mentions_do_not_overlap():
    assert terms("复议后起诉") == [("row", lx.LITIGATION_AFTER_REVIEW)]  # not 复议 + 起诉
    assert terms("其他结果") == [("col", "其他结果")]
    found = lx.find_terms(lx.normalize("行政复议结果纠正"))
    assert [(m.start, m.end) for m in found] == [(0, 4), (4, 8)]


def test_english_phrases_are_whole_words_with_plural():
    assert ("row", "行政诉讼") in terms("how many lawsuits")
    assert ("col", "商业企业") in terms("companies")
    assert ("row", "行政复议") not in terms("reviewer")  # review only as a word


def test_full_width_and_variant_characters_are_normalised():
    assert lx.normalize("ＡＢＣ其它") == "abc其他"
    assert ("col", "其他") in terms("其它组织")


def test_each_phrase_means_one_thing():
    phrases = [lx.normalize(phrase) for _, _, _, phrase, _ in rows("question_terms")]
    assert len(phrases) == len(set(phrases)) == len(lx.phrase_table())


def test_rates_name_their_numerator_and_unknown_rates_are_unsupported():
    assert lx.rate_target("纠错率") == lx.Term("col", "结果纠正", lx.REVIEW)
    assert lx.rate_target("公开率") == lx.Term("row", "予以公开", lx.APPLICATIONS)
    assert lx.unsupported_measure("答复率是多少") == "答复率"
    assert lx.unsupported_measure("纠错率是多少") is None


def test_rows_name_their_table():
    assert lx.table_of_row("行政许可") == lx.ACTIVE
    assert lx.table_of_row(lx.LITIGATION) == lx.REVIEW
    assert lx.table_of_row("信息处理费") == lx.TEXT
    assert lx.table_of_row("不予公开.属于国家秘密") == lx.APPLICATIONS


def test_virtual_labels_are_sums_of_printed_cells():
    assert lx.VIRTUAL_PARTS[("col", lx.ORGANISATIONS)] == (
        "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他",
    )  # fmt: skip
    assert lx.VIRTUAL_PARTS[("row", lx.LITIGATION)] == (
        "行政诉讼.未经复议直接起诉", "行政诉讼.复议后起诉",
    )  # fmt: skip


def test_table_labels_include_the_printed_alternatives():
    labels = lx.table_labels(lx.ACTIVE)
    assert {"规范性文件", "行政规范性文件", "本年处理决定数量"} <= set(labels)
