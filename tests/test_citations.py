"""assistant.citations: one number per distinct span; prose figures cite their sentence."""

from __future__ import annotations

from assistant.cells import Cell
from assistant.citations import Citations, sentence_span
from index.models import Fact
from tests.standins.corpus import annual, review_facts


def test_one_number_per_distinct_span_quoting_the_text():
    doc = annual("a", "槐荫区", 2019, 2, 10)
    citations = Citations()
    assert citations.cite(doc, 0, 5) == 1
    assert citations.cite(doc, 6, 9) == 2
    assert citations.cite(doc, 0, 5) == 1  # the same span again: the same number
    assert [c.quote for c in citations.items] == [doc.text[0:5], doc.text[6:9]]


def test_a_cell_cites_its_row_and_a_prose_figure_its_sentence():
    doc = annual("a", "槐荫区", 2019, 2, 10)
    row = review_facts(doc, 2, 10)[0]
    at = doc.text.index("10件")
    prose = Fact("a", "text", "行政复议", "总计", 10.0, start=at, end=at + 3, origin="text")
    citations = Citations()
    marks = citations.cite_cells([
        Cell(doc, "行政复议", 2.0, "件", [row]),
        Cell(doc, "行政复议", 10.0, "件", [prose], from_text=True),
    ])  # fmt: skip
    assert marks == "[1][2]〔正文〕"
    assert citations.items[0].quote.startswith("行政复议\t8\t2")
    assert citations.items[1].quote == "本年度共收到行政复议申请10件。"


def test_sentence_span_stops_at_sentence_ends():
    text = "第一句。第二句有数字12件；第三句"
    start, end = sentence_span(text, text.index("12"), text.index("12") + 2)
    assert text[start:end] == "第二句有数字12件；"
