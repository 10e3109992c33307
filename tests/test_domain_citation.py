"""domain.citation: the citation object gives exactly the answer contract's JSON keys."""

import json

from domain.citation import Citation
from index.models import Document


def test_a_citation_quotes_the_span_and_keeps_the_contract_keys():
    doc = Document(
        "d1",
        "a.txt",
        "一、总体情况\n本年新收申请60件。",
        title="某区年报",
        region="槐荫区",
        year=2019,
    )
    start = doc.text.index("本年")
    citation = Citation.of(3, doc, start, len(doc.text))
    data = citation.to_dict()
    assert list(data) == ["n", "doc_id", "title", "region", "year", "start", "end", "quote"]
    assert data["quote"] == "本年新收申请60件。" == doc.text[data["start"] : data["end"]]
    assert data["n"] == 3 and data["year"] == 2019
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


def test_a_document_without_year_or_region_is_cited_as_such():
    doc = Document("d2", "b.txt", "正文", title="通知")
    data = Citation.of(1, doc, 0, 2).to_dict()
    assert data["year"] is None and data["region"] == "" and data["quote"] == "正文"
