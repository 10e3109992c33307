"""The Gradio page: 问答 (chat beside the source viewer) and 文档库 (library, uploads).

Layout and event wiring only; what the handlers compute lives in ui.chat, ui.library,
ui.render and ui.feedback.
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from assistant import compare  # noqa: E402
from ui import chat, compare_view, feedback, library, render, review_view  # noqa: E402

if TYPE_CHECKING:
    from assistant.answer import AnswerDict
    from ui.context import AppContext

log = logging.getLogger("gongkai.ui")
STREAM_INTERVAL_S = 0.08
UPLOAD_HINT = (
    f"支持 {'、'.join(library.ALLOWED_SUFFIXES)} 文件，单个文件不超过 {{mb}} MB；"
    "同名文件再次上传视为更新。"
)

# The citation links in answers load their URL into the viewer frame beside the chat instead
# of a new tab (without this script they still open the stable URL in a new tab).
HEAD = """
<script>
document.documentElement.lang = "zh-CN";
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.gk-cite") : null;
  var frame = document.querySelector('iframe[name="gk-source"]');
  if (!link || !frame) return;
  event.preventDefault();
  event.stopPropagation();
  frame.hidden = false;
  frame.src = link.getAttribute("href");
  var empty = document.querySelector(".gk-viewer-empty");
  if (empty) empty.hidden = true;
  var open = document.getElementById("gk-open-source");
  if (open) { open.href = link.getAttribute("href"); open.hidden = false; }
  document.querySelectorAll("a.gk-cite.gk-active").forEach(function (a) {
    a.classList.remove("gk-active");
  });
  link.classList.add("gk-active");
}, true);
</script>
"""

CSS = """
.gk-header h1{font-size:24px;margin:4px 0 2px}
.gk-header p{color:var(--body-text-color-subdued);margin:0}
.gk-banner{padding:8px 12px;border-radius:6px;background:#e8f1fb;color:#0b4f8a}
.gk-banner.gk-failed{background:#fdecea;color:#8a1c12}
.gk-model{font-size:13px;margin-top:2px;color:var(--body-text-color-subdued)}
.gk-model.gk-model-down{color:#8a1c12}
.gk-answer{line-height:1.7}
.gk-answer .gk-text{white-space:normal}
.gk-refused .gk-text{color:#8a4b00}
.gk-error{color:#8a1c12}
a.gk-cite{font-weight:600;text-decoration:none;color:#1b5fb0;padding:0 1px;border-radius:3px}
a.gk-cite:hover,a.gk-cite.gk-active{background:#ffe066}
.gk-figure{margin:6px 0}
.gk-value{font-size:30px;font-weight:700;color:#0b4f8a}
.gk-unit{font-size:16px;margin-left:4px}
.gk-table{border-collapse:collapse;font-size:13px;margin:6px 0}
.gk-table th,.gk-table td{border:1px solid var(--border-color-primary);padding:3px 8px;text-align:left}
.gk-table td.gk-num{text-align:right;font-variant-numeric:tabular-nums}
.gk-cells summary{cursor:pointer;font-size:13px;color:var(--body-text-color-subdued)}
.gk-formula{font-size:13px;color:var(--body-text-color-subdued)}
.gk-chart .gk-bar{fill:#3b82c4}
.gk-chart text{font-size:12px;fill:currentColor}
.gk-sources,.gk-warn{font-size:13px;margin-top:8px}
.gk-sources ol,.gk-warn ul{margin:2px 0 0 0;padding-left:20px}
.gk-h{font-weight:600}
.gk-meta,.gk-section{color:var(--body-text-color-subdued)}
.gk-warn{color:#8a4b00}
.gk-foot{font-size:12px;color:var(--body-text-color-subdued);margin-top:6px}
.gk-frame{width:100%;height:72vh;border:1px solid var(--border-color-primary);border-radius:6px}
.gk-viewer-empty{padding:24px;color:var(--body-text-color-subdued);border:1px dashed var(--border-color-primary);border-radius:6px}
.gk-tag{display:inline-block;background:#eef2f7;border-radius:4px;padding:0 6px;margin:1px 4px 1px 0;font-size:12px}
.gk-badge-warn{color:#8a4b00;font-size:12px}
.gk-badge-info{color:var(--body-text-color-subdued);font-size:12px}
.gk-docid{font-size:11px;color:var(--body-text-color-subdued)}
.gk-library{width:100%}
.gk-results div{margin:2px 0}
.gk-results .gk-failed{color:#8a1c12}
.gk-compare th,.gk-compare td{min-width:5em}
.gk-compare td.gk-state{color:var(--body-text-color-subdued);font-size:12px;text-align:center}
.gk-compare-title{font-weight:600;margin:4px 0}
a.gk-cell-link{color:#1b5fb0;font-weight:600}
.gk-cmp-frame{height:60vh;margin-top:8px}
.gk-check-head{margin-top:16px}
.gk-findings td{vertical-align:top}
.gk-sev-error{color:#8a1c12;font-weight:700;white-space:nowrap}
.gk-sev-warn{color:#8a4b00;font-weight:600;white-space:nowrap}
.gk-sev-note{color:var(--body-text-color-subdued);white-space:nowrap}
.gk-check-summary{font-weight:600;margin:6px 0}
"""


def theme() -> gr.themes.Base:
    """Gradio's default look with fonts every Chinese desktop has (nothing downloaded)."""
    fonts = ["Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
             "sans-serif"]  # fmt: skip
    return gr.themes.Default(font=fonts, font_mono=["Consolas", "monospace"])


# -- handlers ---------------------------------------------------------------------------
def banner_html(ctx: AppContext) -> str:
    status = ctx.startup
    if status.state == "ready":
        return ""
    css = "gk-banner gk-failed" if status.state == "failed" else "gk-banner"
    bar = ""
    if status.state == "ingesting" and status.total:
        bar = f' <progress value="{status.done}" max="{status.total + 1}"></progress>'
    return f'<div class="{css}">{escape(status.message or "正在准备…")}{bar}</div>'


MODEL_STATES = {
    "starting": "本地模型启动中（自检）",
    "restarting": "本地模型重启中",
    "ready": "模型就绪",
    "unavailable": "模型不可用，回答改用原文摘录",
}


def model_html(ctx: AppContext) -> str:
    """The model's state in the page header (nothing when answers are extractive by choice)."""
    status = ctx.model_status()
    state = status.get("state", "off")
    if state == "off" and status.get("backend") == "none":
        return ""
    label = MODEL_STATES.get(state, "本地模型未启动")
    reason = status.get("reason") or ""
    if state == "ready" and status.get("queue"):
        reason = f"{status['queue']} 个问题排队中"
    css = "gk-model gk-model-down" if state == "unavailable" else "gk-model"
    text = f"{label}：{reason}" if reason else label
    return f'<div class="{css}" id="gk-model-status">{escape(text)}</div>'


def refreshed_choices(ctx: AppContext) -> tuple[Any, Any, Any, str]:
    """Filter choices, the library table and the document selector after the corpus changed."""
    docs = ctx.store.documents()
    return (
        gr.update(choices=chat.region_choices(docs)),
        gr.update(choices=chat.year_choices(docs)),
        gr.update(choices=[(render.doc_choice_label(d), d.doc_id) for d in docs], value=None),
        render.library_html(docs),
    )


def respond(
    ctx: AppContext,
    question: str,
    messages: list,  # Gradio chat messages
    answers: list[AnswerDict],
    region: str | None,
    year: str | None,
    kind: str | None,
) -> Iterator[tuple[str, list, list[AnswerDict]]]:
    """Stream one answer into the chat; the Answer dict joins the history for follow-ups."""
    question = (question or "").strip()
    if not question:
        return
    messages = [*messages, chat.user_message(question)]
    if ctx.startup.state != "ready":
        note = (ctx.startup.message or "正在准备资料库").rstrip("…。")
        messages.append(chat.assistant_message(render.error_html(f"{note}。请稍候再提问。")))
        yield "", messages, answers
        return
    messages.append(chat.assistant_message(render.streaming_html("正在检索资料、组织回答")))
    yield "", messages, answers
    filters = chat.filters_from(region, year, kind)
    partial, last, draft = "", 0.0, ""
    try:
        for item in chat.stream_answer(ctx.assistant, question, answers, filters):
            if isinstance(item, chat.Queued):  # the model is busy with other questions
                waiting = (
                    f"前面还有 {item.ahead} 个问题，排队等待模型" if item.ahead else "正在组织措辞"
                )
                messages[-1] = chat.assistant_message(draft + render.streaming_html(waiting))
                yield "", messages, answers
                continue
            if isinstance(item, chat.Draft):  # quoted sentences and citations come first
                result = item.answer.to_dict()
                draft = render.answer_html(result, ctx.sections_for(result["citations"]))
                messages[-1] = chat.assistant_message(draft + render.streaming_html("正在组织措辞"))
                yield "", messages, answers
                continue
            if isinstance(item, str):
                partial += item
                if time.monotonic() - last > STREAM_INTERVAL_S:
                    html = draft + render.streaming_html(partial, model_tokens=True)
                    messages[-1] = chat.assistant_message(html)
                    last = time.monotonic()
                    yield "", messages, answers
                continue
            result = item.to_dict()
            html = render.answer_html(result, ctx.sections_for(result["citations"]))
            messages[-1] = chat.assistant_message(html)
            yield "", messages, [*answers, result]
    except Exception as exc:
        log.exception("回答失败：%s", question)
        messages[-1] = chat.assistant_message(
            render.error_html(f"回答时出错（{type(exc).__name__}）。请换个问法重试，或联系管理员。")
        )
        yield "", messages, answers


def record_feedback(
    ctx: AppContext,
    messages: list,  # Gradio chat messages
    answers: list[AnswerDict],
    region: str | None,
    year: str | None,
    kind: str | None,
    data: gr.LikeData,
) -> None:
    index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
    answer = chat.answer_for_message(messages, int(index), answers)
    if answer is None:
        return
    record = feedback.feedback_record(
        answer, chat.is_like(data.liked), chat.filters_from(region, year, kind)
    )
    feedback.append_feedback(feedback.feedback_path(ctx.settings.home), record)
    gr.Info("感谢反馈，已记录。")


def outcomes_html(outcomes: list[library.FileOutcome]) -> str:
    if not outcomes:
        return ""
    lines = "".join(
        f'<div class="{"gk-ok" if o.ok else "gk-failed"}">{escape(o.message)}</div>'
        for o in outcomes
    )
    return f'<div class="gk-results">{lines}</div>'


def upload(ctx: AppContext, files: list | None, progress: gr.Progress) -> tuple:
    if not files:
        return ('<div class="gk-results">请先选择要上传的文件。</div>', *refreshed_choices(ctx))
    paths = [Path(f if isinstance(f, str) else f.name) for f in files]
    outcomes = library.ingest_uploads(
        [(p, p.name) for p in paths],
        ctx.store,
        ctx.indexes(),
        ctx.settings.upload_dir,
        ctx.max_bytes,
        progress=lambda fraction, message: progress(fraction, desc=message),
        build=ctx.builder,
    )
    return (outcomes_html(outcomes), *refreshed_choices(ctx))


def reingest(ctx: AppContext, doc_id: str | None, progress: gr.Progress) -> tuple:
    if not doc_id:
        return ('<div class="gk-results">请先选择文档。</div>', *refreshed_choices(ctx))
    progress(0.1, desc="正在重新入库…")
    outcomes = library.reingest_document(
        ctx.store, ctx.indexes(), doc_id, ctx.max_bytes, build=ctx.builder,
        progress=lambda fraction, message: progress(fraction, desc=message),
    )  # fmt: skip
    return (outcomes_html(outcomes), *refreshed_choices(ctx))


def delete(ctx: AppContext, doc_id: str | None) -> tuple:
    """Delete after a confirmation the server itself asks for: the first click on a document
    only arms the deletion, a second click on the same document within a minute deletes."""
    if not doc_id:
        return (
            '<div class="gk-results">未删除：请先选择文档并确认。</div>',
            *refreshed_choices(ctx),
        )
    if not ctx.confirm_delete(doc_id):
        doc = ctx.store.document(doc_id)
        title = html.escape(doc.title if doc else doc_id)
        return (
            f'<div class="gk-results">确认删除《{title}》？再次点击“删除”即删除（一分钟内有效）。</div>',
            *refreshed_choices(ctx),
        )
    outcome = library.delete_document(ctx.store, ctx.indexes(), doc_id, ctx.settings.upload_dir)
    return (outcomes_html([outcome]), *refreshed_choices(ctx))


# -- 对比 and 年报审核 ---------------------------------------------------------------------
def compare_choices(ctx: AppContext) -> tuple[Any, Any, Any]:
    """Region, issuer and year choices of the 对比 tab (from the annual reports held)."""
    docs = ctx.store.documents()
    regions = sorted({d.region for d in compare.reports(docs)})
    years = compare.year_choices(docs)
    return (
        gr.update(choices=[("（不按地区）", ""), *((r, r) for r in regions)]),
        gr.update(choices=compare.issuer_choices(docs)),
        gr.update(choices=[(f"{y}年", y) for y in years]),
    )


def run_compare(ctx: AppContext, issuers, years, measure_key) -> tuple[str, Any, Any]:
    """The comparison table and the chart (bar for one year, line for several)."""
    measure = compare.measure_by_key(measure_key or "")
    hidden = gr.update(visible=False)
    if measure is None:
        return '<div class="gk-empty">请选择要对比的指标。</div>', hidden, hidden
    years = [int(y) for y in (years or [])]
    result = compare.compare(ctx.store.documents(), ctx.store.facts, issuers or [], years, measure)
    html = compare_view.comparison_html(result)
    rows = compare_view.chart_rows(result)
    if not rows:
        return html, hidden, hidden
    import pandas as pd

    frame = pd.DataFrame(rows)
    title = f"{measure.label}（{measure.unit}）"
    if compare_view.chart_kind(result) == "bar":
        bar = gr.update(value=frame, visible=True, title=title)
        return html, bar, hidden
    counts = frame["单位"].value_counts()
    caption = (
        "只有一年数字的单位在折线图中只显示为悬停点，数字见上表。" if (counts < 2).any() else None
    )
    line = gr.update(value=frame, visible=True, title=title, caption=caption)
    return html, hidden, line


def compare_tab(ctx: AppContext, demo: gr.Blocks, tab: gr.Tab) -> None:
    """Pick issuers (or a region's), years and a table cell → table + chart, numbers cited."""
    with gr.Row():
        with gr.Column(scale=2, min_width=280):
            region = gr.Dropdown(label="按地区选择（选中该地区全部单位）", choices=[("（不按地区）", "")],
                                 value="", elem_id="gk-cmp-region")  # fmt: skip
            issuers = gr.Dropdown(label="单位", multiselect=True, elem_id="gk-cmp-issuers")
            years = gr.Dropdown(label="年份", multiselect=True, elem_id="gk-cmp-years")
            measure = gr.Dropdown(
                label="指标（表格｜行｜列，可输入文字筛选）",
                choices=compare.measure_choices(),
                value=compare.Measure("依申请", "本年新收", "总计").key,
                filterable=True,
                elem_id="gk-cmp-measure",
            )
            run = gr.Button("对比", variant="primary", elem_id="gk-cmp-run")
        with gr.Column(scale=5):
            table = gr.HTML('<div class="gk-empty">选择单位、年份和指标后点击“对比”。</div>',
                            elem_id="gk-cmp-table")  # fmt: skip
            bar = gr.BarPlot(x="单位", y="数值", visible=False, height=300, label="对比（柱状图）",
                             elem_id="gk-cmp-bar", sort="-y")  # fmt: skip
            line = gr.LinePlot(x="年份", y="数值", color="单位", visible=False, height=300,
                               label="对比（折线图）", elem_id="gk-cmp-line")  # fmt: skip
            gr.HTML(
                f'<iframe name="{compare_view.VIEWER_FRAME}" class="gk-frame gk-cmp-frame" '
                'title="单元格"></iframe>'
            )

    def on_region(r):
        if not r:
            return gr.update()
        return gr.update(value=compare.region_issuers(ctx.store.documents(), r))

    region.change(on_region, inputs=[region], outputs=[issuers], api_visibility="private")
    run.click(
        lambda i, y, m: run_compare(ctx, i, y, m),
        inputs=[issuers, years, measure],
        outputs=[table, bar, line],
        api_visibility="private",
    )
    # The page load and opening the tab (after an upload) bring the choices up to date.
    for event in (demo.load, tab.select):
        event(lambda: compare_choices(ctx), outputs=[region, issuers, years],
              api_visibility="private")  # fmt: skip


def run_check(ctx: AppContext, scope: str | None) -> tuple[str, Any, Any]:
    """The findings for the chosen reports, and the .xlsx/.csv downloads."""
    from assistant.review import check_reports

    docs = ctx.store.documents()
    chosen = review_view.chosen_reports(docs, scope)
    findings = check_reports(chosen, docs, ctx.store.facts)
    xlsx, csv = review_view.export_files(findings)
    checked = sum(1 for d in chosen if d.kind == "annual_report")
    return (
        review_view.findings_html(findings, checked),
        gr.update(value=str(xlsx), visible=True),
        gr.update(value=str(csv), visible=True),
    )


def check_section(ctx: AppContext, demo: gr.Blocks, tab: gr.Tab) -> None:
    """年报审核 in the 文档库 tab: a report, a region and year, or all; findings; downloads."""
    gr.HTML('<div class="gk-h gk-check-head">年报审核（勾稽关系、跨年度、正文与表格、格式）</div>')
    with gr.Row(equal_height=True):
        scope = gr.Dropdown(label="审核范围", choices=[("全部年度报告", review_view.ALL)],
                            value=review_view.ALL, scale=4, elem_id="gk-check-scope")  # fmt: skip
        run = gr.Button("运行审核", variant="primary", scale=1, elem_id="gk-check-run")
        xlsx = gr.DownloadButton("下载 .xlsx", visible=False, scale=1, elem_id="gk-check-xlsx")
        csv = gr.DownloadButton("下载 .csv", visible=False, scale=1, elem_id="gk-check-csv")
    findings = gr.HTML(elem_id="gk-check-findings")
    run.click(lambda s: run_check(ctx, s), inputs=[scope], outputs=[findings, xlsx, csv],
              api_visibility="private")  # fmt: skip
    for event in (demo.load, tab.select):
        event(
            lambda: gr.update(choices=review_view.scope_choices(ctx.store.documents())),
            outputs=[scope],
            api_visibility="private",
        )


# -- layout -----------------------------------------------------------------------------
def build_blocks(ctx: AppContext) -> gr.Blocks:
    """The page. Every handler gets ``ctx`` bound; the session holds only the Answer dicts."""
    examples = [{"text": q} for q in chat.EXAMPLE_QUESTIONS]
    with gr.Blocks(
        title="政务公开问答", analytics_enabled=False, delete_cache=(3600, 3600)
    ) as demo:
        gr.HTML(
            '<div class="gk-header"><h1>政务公开问答</h1><p>查询政府信息公开工作年度报告与政务公开'
            "工作要点。每个回答都标注出处，点击引用编号即可在右侧查看原文。</p></div>"
        )
        model_status = gr.HTML(model_html(ctx), elem_id="gk-model")
        model_timer = gr.Timer(3.0)
        banner = gr.HTML(banner_html(ctx), elem_id="gk-banner")
        timer = gr.Timer(1.0, active=ctx.startup.state == "ingesting")
        answers = gr.State([])
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                with gr.Row(equal_height=True):
                    region = gr.Dropdown(label="地区", choices=[("全部地区", "")], value="",
                                         elem_id="gk-region")  # fmt: skip
                    year = gr.Dropdown(label="年份", choices=[("全部年份", "")], value="",
                                       elem_id="gk-year")  # fmt: skip
                    kind = gr.Dropdown(label="文档类型", choices=chat.KIND_CHOICES, value="",
                                       elem_id="gk-kind")  # fmt: skip
                    clear = gr.Button("清空对话", elem_id="gk-clear", scale=0, min_width=100)
                with gr.Row():
                    with gr.Column(scale=5):
                        chatbot = gr.Chatbot(
                            label="对话",
                            elem_id="gk-chat",
                            height=640,
                            examples=examples,
                            placeholder="<b>请提问</b>，或点击下面的示例问题。回答中的数字取自报告统计表，"
                            "文字回答摘自原文；资料库中没有的内容会直接说明。",
                            feedback_options=("Like", "Dislike"),
                            buttons=["copy"],
                            sanitize_html=True,
                            group_consecutive_messages=False,
                            latex_delimiters=[],  # $…$ in quoted reports is text, not math
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                show_label=False,
                                placeholder="请输入问题，例如：莱芜区2020年行政复议结果纠正多少件？",
                                elem_id="gk-question",
                                scale=8,
                                lines=1,
                                max_lines=4,
                            )
                            ask = gr.Button("提问", variant="primary", elem_id="gk-ask", scale=1)
                    with gr.Column(scale=4):
                        gr.HTML(
                            '<div class="gk-h">原文 <a id="gk-open-source" hidden target="_blank" '
                            'rel="noopener" href="#">（在新窗口打开，可复制链接）</a></div>'
                        )
                        viewer = gr.HTML(render.viewer_frame_html(), elem_id="gk-viewer")
            with gr.Tab("文档库", id="library") as library_tab:
                with gr.Row():
                    with gr.Column(scale=3):
                        files = gr.File(
                            label="上传文件",
                            file_count="multiple",
                            elem_id="gk-upload",
                            height=160,
                        )
                        gr.Markdown(UPLOAD_HINT.format(mb=ctx.settings.max_file_mb))
                        upload_button = gr.Button("上传并入库", variant="primary",
                                                  elem_id="gk-upload-button")  # fmt: skip
                    with gr.Column(scale=2):
                        doc_select = gr.Dropdown(label="选择文档（重新入库或删除）",
                                                 elem_id="gk-doc-select")  # fmt: skip
                        with gr.Row():
                            reingest_button = gr.Button("重新入库", elem_id="gk-reingest")
                            delete_button = gr.Button("删除", variant="stop", elem_id="gk-delete")
                results = gr.HTML(elem_id="gk-results")
                library_table = gr.HTML(elem_id="gk-library")
                check_section(ctx, demo, library_tab)
            with gr.Tab("对比", id="compare") as compare_tab_item:
                compare_tab(ctx, demo, compare_tab_item)

        refresh_outputs = [region, year, doc_select, library_table]
        filter_inputs = [region, year, kind]

        def on_respond(q, messages, history, r, y, k):
            yield from respond(ctx, q, messages, history, r, y, k)

        def on_example(messages, history, r, y, k, data: gr.SelectData):
            text = data.value["text"] if isinstance(data.value, dict) else str(data.value)
            yield from respond(ctx, text, messages, history, r, y, k)

        def on_like(messages, history, r, y, k, data: gr.LikeData):
            record_feedback(ctx, messages, history, r, y, k, data)

        def on_upload(uploaded, progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
            return upload(ctx, uploaded, progress)

        def on_reingest(doc_id, progress=gr.Progress()):  # noqa: B008
            return reingest(ctx, doc_id, progress)

        def on_tick():
            done = ctx.startup.state != "ingesting"
            if done:
                return (banner_html(ctx), gr.Timer(active=False), *refreshed_choices(ctx))
            return (banner_html(ctx), gr.Timer(active=True), *(gr.update() for _ in range(4)))

        # Table answers must not wait behind another user's model generation: the model's own
        # queue (one generation at a time) orders the LLM calls.
        chat_io = dict(
            inputs=[question, chatbot, answers, *filter_inputs],
            outputs=[question, chatbot, answers],
            concurrency_limit=16,
        )
        ask.click(on_respond, **chat_io, api_visibility="private")
        question.submit(on_respond, **chat_io, api_visibility="private")
        chatbot.example_select(
            on_example,
            inputs=[chatbot, answers, *filter_inputs],
            outputs=[question, chatbot, answers],
            api_visibility="private",
        )
        chatbot.like(on_like, inputs=[chatbot, answers, *filter_inputs], api_visibility="private")
        clear.click(
            lambda: ([], [], render.viewer_frame_html() + f"<!-- {time.time()} -->"),
            outputs=[chatbot, answers, viewer],
            api_visibility="private",
        )
        upload_button.click(
            on_upload, inputs=[files], outputs=[results, *refresh_outputs], api_visibility="private"
        ).then(lambda: None, outputs=[files], api_visibility="private")
        reingest_button.click(
            on_reingest,
            inputs=[doc_select],
            outputs=[results, *refresh_outputs],
            api_visibility="private",
        )
        delete_button.click(
            lambda doc_id: delete(ctx, doc_id),
            inputs=[doc_select],
            outputs=[results, *refresh_outputs],
            js="(d) => (d && confirm('确定从资料库删除所选文档吗？')) ? d : null",
            api_visibility="private",
        )
        model_timer.tick(lambda: model_html(ctx), outputs=[model_status], api_visibility="private")
        timer.tick(on_tick, outputs=[banner, timer, *refresh_outputs], api_visibility="private")
        demo.load(lambda: refreshed_choices(ctx), outputs=refresh_outputs, api_visibility="private")
    return demo
