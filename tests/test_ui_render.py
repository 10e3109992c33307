"""The UI's pure rendering, on real answers from the sample corpus (no browser)."""

from __future__ import annotations

import dataclasses
import json
import re
from html import escape, unescape

import pytest

from ui import chat, feedback, render

FUYI = "莱芜区2020年行政复议结果纠正多少件？"


@pytest.fixture(scope="module")
def assistant(sample_store):
    from assistant.api import Assistant
    from config import load_settings

    settings = dataclasses.replace(load_settings(), home=sample_store.path.parent, llm="none")
    return Assistant(settings, llm="none")


@pytest.fixture(scope="module")
def fuyi(assistant) -> dict:
    return assistant.answer(FUYI).to_dict()


def laiwu_report(sample_docs):
    return sample_docs["laiwu_2020_annual_report.txt"]


# -- small helpers ----------------------------------------------------------------------
def test_numbers_are_written_as_staff_write_them():
    assert render.format_number(10.0) == "10"
    assert render.format_number(76.92307) == "76.92"
    assert render.format_number(153784) == "153784"
    assert render.format_number(1234567.0) == "1234567"
    assert render.format_number(-22.0) == "-22"
    assert render.format_number(None) == ""


def test_source_url_is_stable_and_pasteable():
    assert render.source_url("86039bc32638d122", 8578, 8763) == (
        "/source/86039bc32638d122?start=8578&end=8763#cited"
    )
    assert render.source_url("a/b", 1, 2).startswith("/source/a%2Fb?")


def test_warnings_are_described_in_chinese():
    assert render.describe_warning("spam_injected: bet365亚洲官网 ×4") == (
        "疑似被注入垃圾文字：bet365亚洲官网 ×4"
    )
    assert render.describe_warning("region_unknown") == "未识别出地区"
    assert render.describe_warning("something_new: x") == "something_new: x"
    assert render.is_serious("identity_failed: 复议诉讼 …")
    assert not render.is_serious("issuer_unknown")


# -- answers ----------------------------------------------------------------------------
def test_citation_markers_become_links_and_text_is_escaped():
    citations = [{"n": 1, "doc_id": "abc", "title": "T", "start": 3, "end": 9, "quote": "q"}]
    html = render.link_citations("<b>10件</b>[1]，见[2]。\n下一行", citations)
    assert "&lt;b&gt;10件&lt;/b&gt;" in html and "<b>" not in html
    assert '<a class="gk-cite" href="/source/abc?start=3&amp;end=9#cited"' in html
    assert ">[1]</a>" in html
    assert "[2]" in html and html.count("<a ") == 1  # no citation 2: left as text
    assert "<br>" in html


def test_a_real_answer_has_exactly_the_shapes_the_renderer_is_typed_with(fuyi):
    from assistant.answer import AnswerDict, CellDict, FactDict
    from domain.citation import CitationDict

    assert set(fuyi) == AnswerDict.__required_keys__
    assert fuyi["citations"] and fuyi["cells"]
    assert all(set(c) == CitationDict.__required_keys__ for c in fuyi["citations"])
    assert all(set(c) == CellDict.__required_keys__ for c in fuyi["cells"])
    facts = [f for c in fuyi["cells"] for f in c["facts"]]
    assert facts and all(set(f) == FactDict.__required_keys__ for f in facts)


def test_table_answer_shows_figure_cells_and_sources(fuyi, assistant, sample_docs):
    sections = {1: "一、总体情况"}
    html = render.answer_html(fuyi, sections)
    assert "\n" not in html  # one Markdown block
    assert '<span class="gk-value">10</span><span class="gk-unit">件</span>' in html
    laiwu = laiwu_report(sample_docs)
    c = fuyi["citations"][0]
    assert c["doc_id"] == laiwu.doc_id
    # A table citation opens the cell view of exactly the answered cell.
    cell = render.cell_url(laiwu.doc_id, ["复议诉讼|行政复议|结果纠正"])
    assert f'<a class="gk-cite" href="{escape(cell)}"' in html
    assert "cell=%E5%A4%8D%E8%AE%AE%E8%AF%89%E8%AE%BC%7C" in cell  # 复议诉讼| (stable, pasteable)
    cells = re.search(r'<details class="gk-cells".*?</details>', html).group(0)
    assert "<td>复议诉讼</td><td>行政复议 / 结果纠正</td>" in cells
    assert '<td class="gk-num">10件</td>' in cells
    sources = re.search(r'<div class="gk-sources">.*?</ol></div>', html).group(0)
    assert "《济南市莱芜区人民政府2020年政府信息公开工作年度报告》" in sources
    assert "济南市莱芜区 2020年" in sources and "一、总体情况" in sources
    assert "依据：统计表" in html


def test_derived_figure_lists_the_cells_it_was_computed_from(assistant):
    answer = assistant.answer("莱芜区2020年行政复议纠错率是多少？").to_dict()
    html = render.cells_table_html(answer["cells"])
    assert "行政复议 / 结果纠正" in html and "行政复议 / 总计" in html
    assert '<td class="gk-num">10件</td>' in html and '<td class="gk-num">13件</td>' in html


def test_comparison_shows_a_table_and_a_bar_chart(assistant):
    answer = assistant.answer("2023年和2024年洪泽区行政复议总数对比").to_dict()
    assert len(answer["series"]) == 2
    html = render.answer_html(answer)
    assert '<table class="gk-table gk-series">' in html
    assert "<td>淮安市洪泽区2024年</td>" in html
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', html)]
    assert len(widths) == 2 and widths[1] > widths[0]  # 2 件 against 0 件
    assert "gk-value" not in html  # no single figure for a comparison


def test_bar_widths_follow_the_values():
    html = render.bar_chart_html({"甲": 5, "乙": 10, "<丙>": 2.5}, "件")
    widths = [int(w) for w in re.findall(r'width="(\d+)" height="20"', html)]
    assert widths[1] == 2 * widths[0] and widths[0] == 2 * widths[2]
    assert "&lt;丙&gt;" in html and "<丙>" not in html
    assert render.bar_chart_html({"甲": 5}, "件") == ""


def test_refusal_has_no_figure_or_citation(assistant):
    answer = assistant.answer("北京市2020年行政复议结果纠正多少件？").to_dict()
    html = render.answer_html(answer)
    assert answer["refused"] and 'class="gk-answer gk-refused"' in html
    assert "资料库中没有北京市" in html
    assert "gk-cite" not in html and "gk-value" not in html


def test_follow_up_shows_how_it_was_understood(assistant, fuyi):
    answer = assistant.answer("那槐荫区2019年呢？", [fuyi]).to_dict()
    assert answer["value"] == 3
    assert render.answer_footer(answer).startswith("理解为：槐荫区2019年")


def test_answer_warnings_name_the_document_in_chinese():
    html = render.warnings_html(["《某报告》：spam_injected: bet365 ×4"])
    assert "《某报告》：疑似被注入垃圾文字：bet365 ×4" in html


# -- the source viewer ------------------------------------------------------------------
def test_viewer_marks_exactly_the_cited_prose(sample_docs):
    doc = laiwu_report(sample_docs)
    start = doc.text.index("全区各级政府和政府部门因政府信息公开被申请行政复议13件")
    end = start + 40
    html = render.document_body_html(doc.text, start, end)
    marked = re.search(r'<mark class="gk-hl" id="cited">(.*?)</mark>', html, re.S).group(1)
    assert unescape(marked) == doc.text[start:end]
    assert unescape(re.sub(r"</?mark[^>]*>|</?div[^>]*>", "", html)) == doc.text


def test_viewer_marks_whole_lines_for_a_table_citation(fuyi, sample_docs):
    doc = laiwu_report(sample_docs)
    c = fuyi["citations"][0]
    start, end, row = render.highlight_range(doc.text, c["start"], c["end"])
    assert row and start <= c["start"] and end >= c["end"]
    assert start == 0 or doc.text[start - 1] == "\n"
    assert end == len(doc.text) or doc.text[end] == "\n"
    html = render.document_body_html(doc.text, c["start"], c["end"])
    assert html.count('id="cited"') == 1 and 'class="gk-hl gk-hl-row"' in html


def test_viewer_ignores_nonsense_spans():
    assert "<mark" not in render.document_body_html("abc", 5, 2)
    assert "<mark" not in render.document_body_html("abc", -3, 0)
    assert render.highlight_range("abc", -3, 2) == (0, 2, False)


def test_source_page_escapes_a_script_in_the_document(sample_docs):
    doc = dataclasses.replace(
        laiwu_report(sample_docs), text="正文 <script>alert(1)</script> 结束", title="<b>标题</b>"
    )
    page = render.source_page_html(doc, 3, 11, "http://127.0.0.1/source/x?start=3&end=11#cited")
    assert "<script" not in page
    assert '<mark class="gk-hl" id="cited">&lt;script&gt;</mark>alert(1)&lt;/script&gt;' in page
    assert "<b>标题</b>" not in page and "&lt;b&gt;标题&lt;/b&gt;" in page
    assert "本处链接：http://127.0.0.1/source/x?start=3&amp;end=11#cited" in page


def test_source_page_shows_serious_warnings_only(sample_docs):
    spam = sample_docs["spam_2021_annual_report.txt"]
    page = render.source_page_html(spam, 0, 0)
    assert "疑似被注入垃圾文字" in page
    assert "未识别出地区" not in page


# -- the library ------------------------------------------------------------------------
def test_library_lists_tags_and_warnings(sample_store):
    html = render.library_html(sample_store.documents())
    assert "共 8 份文档" in html
    spam_row = re.search(r"<tr[^>]*><td>[^\n]*?2021年政府信息公开工作年度报告.*?</tr>", html).group(
        0
    )
    assert '<div class="gk-badge-warn">⚠ 疑似被注入垃圾文字：bet365亚洲官网' in spam_row
    assert "统计表缺失" in spam_row
    assert '<span class="gk-tag">工作要点</span>' in html
    assert '<span class="gk-tag">2019版表格</span>' in html


def test_library_escapes_titles(sample_docs):
    doc = dataclasses.replace(laiwu_report(sample_docs), title="<script>x</script>")
    html = render.library_html([doc])
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


# -- chat glue --------------------------------------------------------------------------
class FakeAssistant:
    """Streams three tokens, then returns a fixed answer (or raises)."""

    def __init__(self, fail: bool = False):
        self.fail = fail
        self.calls = []

    def answer(self, question, history, filters=None, on_token=None, on_draft=None):
        self.calls.append((question, history, filters))
        on_draft({"answer": "摘录：纠正10件"})
        for token in ("纠正", "10", "件"):
            on_token(token)
        if self.fail:
            raise RuntimeError("模型不可用")
        return {"answer": "纠正10件"}


def test_stream_answer_yields_the_draft_then_tokens_then_the_answer():
    fake = FakeAssistant()
    items = list(chat.stream_answer(fake, "问", [{"question": "前"}], {"year": 2020}))
    draft = chat.Draft({"answer": "摘录：纠正10件"})
    assert items == [draft, "纠正", "10", "件", {"answer": "纠正10件"}]
    assert fake.calls == [("问", [{"question": "前"}], {"year": 2020})]


def test_stream_answer_reraises_after_the_streamed_tokens():
    stream = chat.stream_answer(FakeAssistant(fail=True), "问", [], {})
    assert isinstance(next(stream), chat.Draft)
    assert [next(stream), next(stream), next(stream)] == ["纠正", "10", "件"]
    with pytest.raises(RuntimeError, match="模型不可用"):
        next(stream)


def test_filters_leave_out_unset_selectors():
    assert chat.filters_from("", "", "") == {}
    assert chat.filters_from("槐荫区", "2019", "annual_report") == {
        "region": "槐荫区", "year": 2019, "kind": "annual_report",
    }  # fmt: skip


def test_filter_choices_come_from_the_corpus(sample_store):
    docs = sample_store.documents()
    assert ("济南市莱芜区", "济南市莱芜区") in chat.region_choices(docs)
    assert chat.year_choices(docs)[:2] == [("全部年份", ""), ("2024年", "2024")]


def test_feedback_finds_the_answer_behind_a_message():
    messages = [
        chat.user_message("一"), chat.assistant_message("答一"),
        chat.user_message("二"), chat.assistant_message("答二"),
    ]  # fmt: skip
    answers = [{"question": "一"}, {"question": "二"}]
    assert chat.answer_for_message(messages, 3, answers) == {"question": "二"}
    assert chat.answer_for_message(messages, 1, answers) == {"question": "一"}
    assert chat.answer_for_message(messages, 2, answers) is None  # a question, not an answer
    assert chat.is_like(True) and chat.is_like("Like") and not chat.is_like("Dislike")


def test_section_is_the_chunk_holding_the_offset():
    spans = [(0, 10, "一、总体情况"), (10, 30, "二、主动公开")]
    assert chat.section_at(spans, 12) == "二、主动公开"
    assert chat.section_at(spans, 35) == "二、主动公开"


def test_feedback_lines_hold_question_answer_and_citations(tmp_path, fuyi):
    path = feedback.feedback_path(tmp_path)
    feedback.append_feedback(path, feedback.feedback_record(fuyi, True, {"year": 2020, "kind": ""}))
    feedback.append_feedback(path, feedback.feedback_record(fuyi, False))
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["rating"] for r in lines] == ["up", "down"]
    assert lines[0]["question"] == FUYI and lines[0]["value"] == 10
    assert lines[0]["citations"] == fuyi["citations"]
    assert lines[0]["filters"] == {"year": 2020}


def test_streamed_model_tokens_are_marked_unverified():
    from ui.render import UNVERIFIED_NOTE, streaming_html

    assert UNVERIFIED_NOTE in streaming_html("收到申请九百件[1]", model_tokens=True)
    assert UNVERIFIED_NOTE not in streaming_html("正在检索资料、组织回答")  # a waiting line
