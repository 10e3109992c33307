"""assistant.cells: a figure found in one document — printed, summed, or blank (never 0)."""

from __future__ import annotations

from assistant.cells import blank_note, figure, find_cell, item_label
from assistant.corpus import Corpus
from index.models import Fact
from tests.standins.corpus import MemoryStore, annual, review_facts


def corpus_of(facts: list[Fact], store_docs) -> tuple[MemoryStore, Corpus]:
    store = MemoryStore(store_docs, facts, [])
    return store, Corpus.load(store)


def test_a_printed_cell_and_a_blank_one():
    doc = annual("a", "槐荫区", 2020, None, 4)
    store, corpus = corpus_of(review_facts(doc, None, 4), [doc])
    total = find_cell(corpus, doc, "复议诉讼", "行政复议", "总计")
    blank = find_cell(corpus, doc, "复议诉讼", "行政复议", "结果纠正")
    assert total is not None and total.value == 4 and figure(total) == "4件"
    assert blank is not None and blank.value is None and blank.number == 0
    assert figure(blank) == "表中该格为空" and "结果纠正" in blank_note([blank])


def test_a_virtual_row_is_the_sum_of_its_printed_parts_with_the_formula():
    doc = annual("a", "槐荫区", 2020, 1, 4)
    span = {"start": 0, "end": 5}
    facts = [
        Fact("a", "复议诉讼", "行政诉讼.未经复议直接起诉", "总计", 3.0, **span),
        Fact("a", "复议诉讼", "行政诉讼.复议后起诉", "总计", None, blank=True, **span),
    ]
    store, corpus = corpus_of(facts, [doc])
    cell = find_cell(corpus, doc, "复议诉讼", "行政诉讼", "总计")
    assert cell is not None and cell.value == 3 and len(cell.facts) == 2
    assert cell.formula.endswith("= 3") and "空" in cell.formula  # the blank part is shown
    assert "计算时按0计" in blank_note([cell])


def test_a_missing_table_gives_no_cell():
    doc = annual("a", "槐荫区", 2020, 1, 4)
    store, corpus = corpus_of([], [doc])
    assert find_cell(corpus, doc, "复议诉讼", "行政复议", "总计") is None


def test_item_labels_read_as_printed():
    assert item_label("行政复议", "结果纠正") == "行政复议 结果纠正"
    assert item_label("本年新收.自然人", "总计") == "本年新收·自然人"
