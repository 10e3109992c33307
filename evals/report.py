"""Outputs of an evaluation run: results.jsonl, summary.json, report.md and charts/*.png."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

from evals import metrics as m

METRIC_NAMES = {
    "answer_correctness": "答案正确率",
    "route_accuracy": "路由准确率",
    "numeric_exact": "数字精确匹配",
    "recall@1": "检索 recall@1",
    "recall@4": "检索 recall@4",
    "recall@10": "检索 recall@10",
    "mrr": "检索 MRR@10",
    "citation_precision": "引用准确率",
    "faithfulness": "忠实度",
    "unquoted_numbers": "含无出处数字的回答（检索路由，越低越好）",
    "refusal_precision": "拒答精确率",
    "refusal_recall": "拒答召回率",
    "latency_p50_ms": "延迟 p50（毫秒）",
    "latency_p95_ms": "延迟 p95（毫秒）",
}
CHART_METRICS = (
    "answer_correctness",
    "route_accuracy",
    "numeric_exact",
    "recall@4",
    "citation_precision",
    "faithfulness",
    "refusal_precision",
    "refusal_recall",
)
LOWER_IS_BETTER = {"latency_p50_ms", "latency_p95_ms", "unquoted_numbers"}


def write_outputs(out: Path, records: Sequence[dict], meta: dict, charts: bool = True) -> dict:
    """Write every output of a run into ``out`` and return the summary."""
    meta = {**meta, "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
    systems = list(dict.fromkeys(r["system"] for r in records)) or meta.get("systems", [])
    by_system = {s: [r for r in records if r["system"] == s] for s in systems}
    summary = {
        "meta": meta,
        "systems": {s: m.summarize(rs) for s, rs in by_system.items()},
        "categories": {s: m.summarize_by_category(rs) for s, rs in by_system.items()},
    }
    with open(out / "results.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    chart_files = write_charts(out / "charts", summary) if charts else []
    (out / "report.md").write_text(render_report(summary, records, chart_files), encoding="utf-8")
    return summary


# -- report.md ---------------------------------------------------------------------------
def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def number(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if key.endswith("_ms") else pct(value)


def ratio(ours: float | None, theirs: float | None, key: str) -> str:
    """gongkai ÷ baseline (baseline ÷ gongkai for latency), '—' when undefined."""
    if ours is None or theirs is None or (key in LOWER_IS_BETTER and not (ours and theirs)):
        return "—"
    a, b = (theirs, ours) if key in LOWER_IS_BETTER else (ours, theirs)
    if b == 0:
        return "∞" if a > 0 else "—"
    return f"×{a / b:.2f}"


def metrics_table(summary: dict) -> list[str]:
    systems = list(summary["systems"])
    head = ["指标", *systems] + [f"gongkai ÷ {s}" for s in systems[1:]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label in METRIC_NAMES.items():
        values = [summary["systems"][s].get(key) for s in systems]
        if all(v is None for v in values):
            continue
        ratios = [ratio(values[0], v, key) for v in values[1:]]
        lines.append("| " + " | ".join([label, *(number(key, v) for v in values), *ratios]) + " |")
    counts = [summary["systems"][s] for s in systems]
    lines.append(
        "| 题数（数字题 / 可评检索） | "
        + " | ".join(f"{c['n']}（{c['numeric_n']} / {c['retrieval_n']}）" for c in counts)
        + " |"
        + " |" * (len(systems) - 1)
    )
    return lines


def category_table(summary: dict, key: str = "answer_correctness") -> list[str]:
    systems = list(summary["systems"])
    cats = sorted({c for s in systems for c in summary["categories"][s]})
    lines = ["| 类别 | 题数 | " + " | ".join(systems) + " |", "|---|---|" + "---|" * len(systems)]
    for cat in cats:
        n = summary["categories"][systems[0]].get(cat, {}).get("n", 0)
        vals = [pct(summary["categories"][s].get(cat, {}).get(key)) for s in systems]
        lines.append(f"| {cat} | {n} | " + " | ".join(vals) + " |")
    return lines


def question_set(record: dict) -> str:
    """Which question file a record comes from: its id prefix (structured:, retrieval:), or
    hold-/hold2- for the held-out sets."""
    if ":" in record["id"]:
        return record["id"].split(":", 1)[0]
    head = record["id"].split("-", 1)[0]
    return head.replace("hold", "holdout") if head.startswith("hold") else "questions"


def set_table(records: Sequence[dict], systems: Sequence[str]) -> list[str]:
    """Headline metrics per question set and system."""
    keys = (
        "answer_correctness",
        "numeric_exact",
        "recall@4",
        "citation_precision",
        "refusal_recall",
    )
    head = ["题集", "系统", "轮数", *(METRIC_NAMES[k] for k in keys)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in dict.fromkeys(question_set(r) for r in records):
        for system in systems:
            rows = [r for r in records if r["system"] == system and question_set(r) == name]
            s = m.summarize(rows)
            lines.append(
                f"| {name} | {system} | {s['n']} | " + " | ".join(pct(s[k]) for k in keys) + " |"
            )
    return lines


def latency_table(summary: dict) -> list[str]:
    lines = ["| 系统 | 路由 | 题数 | p50（毫秒） | p95（毫秒） |", "|---|---|---|---|---|"]
    for system, s in summary["systems"].items():
        for route, lat in s["latency_by_route"].items():
            lines.append(
                f"| {system} | {route} | {lat['n']} | {lat['p50_ms']:.0f} | {lat['p95_ms']:.0f} |"
            )
    return lines


def expected_text(gold: dict) -> str:
    if gold.get("refuse"):
        return "拒答"
    parts = []
    if gold.get("value") is not None:
        parts.append(f"{gold['value']:g}{gold.get('unit', '')}")
    if gold.get("phrases"):
        need = gold.get("min_phrases", len(gold["phrases"]))
        parts.append(f"含{need}/{len(gold['phrases'])}：" + "、".join(gold["phrases"]))
    if gold.get("warn"):
        parts.append(f"警告 {gold['warn']}")
    return "；".join(parts)


def failure_reason(r: dict) -> str:
    """Why a record failed, in a few words."""
    gold, reasons = r["gold"], []
    if gold.get("refuse") and not r["refused"]:
        reasons.append("应拒答却作答")
    elif not gold.get("refuse") and r["refused"]:
        reasons.append("误拒答")
    else:
        if gold.get("value") is not None and not m.number_in_answer(
            r, gold["value"], gold.get("unit", "")
        ):
            reasons.append("数字不符")
        phrases = gold.get("phrases") or []
        found = m.phrases_found(phrases, r["answer"])
        if found < gold.get("min_phrases", len(phrases)):
            reasons.append(f"要点 {found}/{len(phrases)}")
        if gold.get("warn") and not any(gold["warn"] in w for w in r["warnings"]):
            reasons.append("缺少警告")
    if r["scores"]["route_ok"] is False:
        reasons.append(f"路由 {r['route']}")
    return "，".join(reasons) or "—"


def cell_text(text: str, width: int = 70) -> str:
    flat = " ".join((text or "").split()).replace("|", "｜")
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def failures_table(records: Sequence[dict]) -> list[str]:
    lines = ["| 编号 | 类别 | 问题 | 期望 | 回答 | 原因 |", "|---|---|---|---|---|---|"]
    for r in records:
        lines.append(
            f"| {r['id']} | {r['category']} | {cell_text(r['question'], 50)} | "
            f"{cell_text(expected_text(r['gold']), 40)} | {cell_text(r['answer'])} | {failure_reason(r)} |"
        )
    return lines


ACCEPTANCE = (
    ("numeric", "数字题答对（目标 100%）"),
    ("text", "文字题答对且引用覆盖出处（目标 ≥ 90%）"),
    ("refused", "无答案题拒答（目标 ≥ 95%）"),
    ("no_unquoted", "检索路由回答不含无出处数字（目标 100%）"),
)


def acceptance_table(records: Sequence[dict]) -> list[str]:
    """The answering targets per question set: passed / turns and the share."""
    sets = list(dict.fromkeys(question_set(r) for r in records))
    lines = ["| 指标 | " + " | ".join(sets) + " |", "|---|" + "---|" * len(sets)]
    per_set = {name: m.acceptance([r for r in records if question_set(r) == name]) for name in sets}
    for key, label in ACCEPTANCE:
        cells = []
        for name in sets:
            passed, total = per_set[name][key]
            cells.append(f"{passed}/{total}（{pct(passed / total)}）" if total else "—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def render_report(summary: dict, records: Sequence[dict], chart_files: Sequence[Path]) -> str:
    meta = summary["meta"]
    systems = list(summary["systems"])
    ours = [r for r in records if r["system"] == systems[0]] if systems else []
    failing = [r for r in ours if r["scores"]["correct"] is False]
    missing = [r for r in ours if r["gold_missing"]]
    lines = [
        "# gongkai 评测报告",
        "",
        f"- 命令：`{meta['command']}`",
        f"- 完成时间：{meta['finished']}，用时 {meta['seconds']} 秒",
        f"- 题目：{meta['questions']}（子集 {meta['subset']}）：{meta['items']} 项，{meta['turns']} 轮",
        f"- 生成模型：`{meta['llm']}`；嵌入模型：`{meta['embed']}`；语料：{', '.join(meta['corpus'])}",
        "",
        "## 总体指标",
        "",
        *metrics_table(summary),
        "",
        "比值为 gongkai 除以基线（延迟为基线除以 gongkai），大于 1 表示 gongkai 更好。",
        "",
        "## 各题集",
        "",
        *set_table(records, systems),
        "",
        "## 验收指标（gongkai）",
        "",
        *acceptance_table(ours),
        "",
        "## 各类别答案正确率",
        "",
        *category_table(summary),
        "",
        "## 各路由延迟",
        "",
        *latency_table(summary),
        "",
        f"## gongkai 未通过的题目（{len(failing)} / {len(ours)}）",
        "",
        *(failures_table(failing) if failing else ["全部通过。"]),
        "",
    ]
    if missing:
        lines += [f"## 金标准出处无法定位（{len(missing)} 轮）", "",
                  "这些轮次的出处在入库结果中找不到（多为表格解析缺漏），不计入检索与引用指标：", ""]  # fmt: skip
        lines += [f"- {r['id']}：{'；'.join(r['gold_missing'])}" for r in missing] + [""]
    if meta.get("notes"):
        lines += ["## 说明", "", *[f"- {n}" for n in meta["notes"]], ""]
    if chart_files:
        lines += ["## 图表", "", *[f"![{p.stem}](charts/{p.name})" for p in chart_files], ""]
    lines += [DEFINITIONS]
    return "\n".join(lines)


DEFINITIONS = """## 指标定义

- 答案正确率：拒答题要求拒答；其余题不得拒答，金标准数字须为回答的 value 或出现在回答文字中
  （百分比取一位小数），关键要点须出现（`|` 分隔同义写法），要求的警告（如 spam_injected）须给出。
- 数字精确匹配：回答承诺的数字（value，否则正文第一个数字）等于金标准。
- 路由准确率：回答的 route 属于题目的期望路由之一。
- 检索 recall@k / MRR@10：对有出处、非拒答的题，以改写后的问题检索前 10 个片段；片段覆盖金标准出处
  （原文片段或表格单元格所在行）一半以上即为命中。
- 引用准确率：回答的引用中覆盖金标准出处的比例（按题平均）。
- 忠实度：回答中每句话（与引用原文字符二元组重合 ≥ 50%）和每个数字（出现在引用原文中，或由两个引用数字
  加减乘除、或由各引用行各取一个数相加得到）被引用支持的比例；无引用的作答记 0。
- 含无出处数字的回答：检索路由作答（非拒答）中，正文里有引用原文中没有的数字的回答所占比例
  （表格、任务路由的数字来自解析出的单元格及其公式，不计入）。
- 拒答精确率 / 召回率：以“拒答”为正类。
- 基线：naive_rag = RecursiveCharacterTextSplitter（500 字符，重叠 50）+ 纯向量 Chroma 前 4 + 同一生成模型；
  bm25 = jieba + BM25，仅关键词检索 gongkai 自己的切块；dense = 仅向量检索 gongkai 自己的切块。
  无生成模型（--llm none）时基线的回答是排名第一的片段原文（抽取式），引用即该片段。
"""


# -- charts ------------------------------------------------------------------------------
def write_charts(folder: Path, summary: dict) -> list[Path]:
    """One grouped-bar PNG per category (and one overall): each metric, one bar per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    systems = list(summary["systems"])
    groups = {"overall": {s: summary["systems"][s] for s in systems}}
    cats = sorted({c for s in systems for c in summary["categories"][s]})
    for cat in cats:
        groups[cat] = {s: summary["categories"][s].get(cat, {}) for s in systems}
    files = []
    for name, per_system in groups.items():
        fig, ax = plt.subplots(figsize=(11, 3.8))
        width = 0.8 / max(1, len(systems))
        for i, system in enumerate(systems):
            values = [per_system[system].get(k) for k in CHART_METRICS]
            xs = [j + i * width for j in range(len(CHART_METRICS))]
            bars = ax.bar(xs, [0 if v is None else v for v in values], width, label=system)
            for bar, v in zip(bars, values, strict=True):
                label = "n/a" if v is None else f"{v:.2f}"
                ax.annotate(label, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            ha="center", va="bottom", fontsize=7)  # fmt: skip
        ax.set_xticks([j + width * (len(systems) - 1) / 2 for j in range(len(CHART_METRICS))])
        ax.set_xticklabels(CHART_METRICS, fontsize=7)
        ax.set_ylim(0, 1.12)
        n = per_system[systems[0]].get("n", 0)
        ax.set_title(f"{name} (n={n})")
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(systems))
        fig.tight_layout()
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(path)
    return files
