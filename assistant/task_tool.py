"""The task-table tool: questions about 工作要点 task rows (who does what, by when, which item).

Tasks are matched by their printed number, responsible unit, deadline or, failing those, the
words they share with the question's keyword; each listed task cites its row. A question the
task tables cannot answer is declined (:class:`NotMine`, with the reason) for retrieval.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import jieba

from assistant import lexicon as lx
from assistant.answer import Answer
from assistant.citations import Citations, sentence_span
from assistant.corpus import Corpus
from assistant.selection import doc_label, doc_warnings, select_documents
from assistant.tool import NotMine, settled
from assistant.understand import Query
from domain.kinds import WORK_POINTS
from domain.quantity import asks_count
from index.models import Document, Task
from index.vocab import entries

MAX_LISTED_TASKS = 20
MIN_KEYWORD_COVERAGE = 0.5  # a keyword-matched task must hold half the keyword's words


class TaskTool:
    """Rows of the work points' task tables (任务分解表)."""

    name = "tasks"

    def answer(self, query: Query, corpus: Corpus) -> Answer | NotMine:
        return settled(answer_tasks(query, corpus), self.name)


_UNIT_END = re.compile(
    "(?:"
    + "|".join(re.escape(e) for k in ("issuer", "unit") for e in entries("admin_suffixes.tsv", k))
    + ")$"
)  # the endings of 机构 names: index/vocab/admin_suffixes.tsv


def asked_units(asked: str) -> list[str]:
    """区图书馆和区档案馆 → both units; 区教育和体育局 stays one (区教育 is no unit)."""
    parts = [p for p in re.split(r"和|及|与|、|以及", asked) if p]
    return parts if len(parts) > 1 and all(_UNIT_END.search(p) for p in parts) else [asked]


def unit_matches(asked: str, units: Sequence[str]) -> bool:
    """Does a task's unit list include the asked unit(s) (区民政局 ⊂ 区民政局; 民政局 ⊂ 区民政局)?"""
    names = asked_units(asked)
    if len(names) > 1:
        return all(unit_matches(name, units) for name in names)
    asked = lx.normalize(asked)
    bare = re.sub(r"^(?:区|市|县)", "", asked)
    return any(
        asked in lx.normalize(u) or (len(bare) >= 2 and bare in lx.normalize(u)) for u in units
    )


def deadline_month(deadline: str) -> int | None:
    """Month a printed deadline falls in: 2022年6月底前 → 6; 年底 → 12; 全年 → None."""
    m = re.search(r"(\d{1,2})\s*月", deadline)
    if m:
        return int(m.group(1))
    if "年底" in deadline or "年末" in deadline:
        return 12
    return None


def deadline_matches(query: Query, deadline: str) -> bool:
    if query.deadline_month is not None:
        return deadline_month(deadline) == query.deadline_month
    return bool(query.deadline) and query.deadline in re.sub(r"\s+", "", deadline)


_GENERIC_WORDS = {
    "信息", "公开", "信息公开", "政务", "政务公开", "工作", "加强", "推进", "做好", "相关", "建设",
    "情况", "要求", "任务", "单位", "政府", "部门", "负责", "哪个", "哪些", "什么", "完成",
}  # fmt: skip


def keyword_scores(keyword: str, tasks: Sequence[Task]) -> tuple[list[float], list[float]]:
    """Relevance of each task to a keyword: rare shared words weigh more (idf over tasks);
    generic words of the genre (信息公开, 加强, 推进 …) do not count. Also returns, per task,
    the share of the keyword's words (by length) it contains."""
    phrases = keyword.split()
    for generic in sorted(_GENERIC_WORDS, key=len, reverse=True):
        phrases = [p for piece in phrases for p in piece.split(generic)]
    words = [w for w in jieba.lcut_for_search(keyword) if w not in _GENERIC_WORDS and len(w) >= 2]
    texts = [f"{t.area}{t.subtask}{t.requirement}" for t in tasks]
    total = sum(len(w) for w in dict.fromkeys(words)) or 1
    coverage = [sum(len(w) for w in dict.fromkeys(words) if w in text) / total for text in texts]
    scores = [0.0] * len(tasks)
    for word in dict.fromkeys(w for w in [*phrases, *words] if len(w) >= 2):
        hits = [i for i, text in enumerate(texts) if word in text]
        if not hits:
            continue
        idf = math.log((len(tasks) + 1) / len(hits)) * len(word)
        for i in hits:
            scores[i] += idf
    return scores, coverage


def task_matches(query: Query, task: Task) -> bool:
    """Does a task pass the query's number, unit and deadline filters?"""
    if query.numbers and task.number not in query.numbers:
        return False
    if query.unit and not unit_matches(query.unit, [*task.lead_units, *task.units]):
        return False
    return not query.deadline or deadline_matches(query, task.deadline)


def select_tasks(
    query: Query, candidates: Sequence[tuple[Document, Task]]
) -> list[tuple[Document, Task]]:
    """Tasks matching the query's number, unit, deadline, or (when it names none of these)
    the tasks sharing most with its keyword, across all documents at once."""
    chosen = [(d, t) for d, t in candidates if task_matches(query, t)]
    if not query.numbers and not query.unit and not query.deadline and query.keyword:
        scores, coverage = keyword_scores(query.keyword, [t for _, t in chosen])
        best = max(scores, default=0.0)
        chosen = [
            pair
            for pair, s, c in zip(chosen, scores, coverage, strict=True)
            if best > 0 and s >= best * 0.999 and c >= MIN_KEYWORD_COVERAGE
        ]
    return chosen


def task_line(task: Task, doc: Document, mark: str, many_docs: bool) -> str:
    where = f"{doc_label(doc)} " if many_docs else ""
    number = f"第{task.number}项" if task.number is not None else (task.subtask or task.area)
    units = "、".join(task.units) or "（未列）"
    lead = f"牵头单位：{'、'.join(task.lead_units)}；" if task.lead_units else ""
    deadline = f"；完成时限：{task.deadline}" if task.deadline else ""
    title = f"{task.subtask}：" if task.lead_units and task.subtask else ""
    return (
        f"- {where}{number}：{title}{task.requirement}（{lead}责任单位：{units}{deadline}）{mark}"
    )


def describe_filter(query: Query) -> str:
    parts = []
    if query.numbers:
        parts.append("、".join(f"第{n}项" for n in query.numbers))
    if query.unit:
        parts.append(f"由{query.unit}负责")
    if query.deadline:
        parts.append(f"完成时限为{query.deadline}")
    if not parts and query.keyword:
        parts.append(f"与“{query.keyword}”相关")
    return "、".join(parts)


_TASK_TABLE_WORDS = ("任务", "工作要点", "要点", "分解表", "task", "work point", "work plan")


def names_task_table(query: Query) -> bool:
    """Does the question name the task table itself (a number, unit, deadline, 任务, 工作要点)?
    Otherwise (谁负责政务公开工作) it may be about an annual report and retrieval can answer."""
    text = query.question.lower()
    named = query.numbers or query.unit or query.deadline
    return bool(named) or any(word in text for word in _TASK_TABLE_WORDS)


def table_heading(doc: Document, first: Task) -> tuple[int, int] | None:
    """Span of the task table's printed title (…任务分解表) just before its first row."""
    end = doc.text.rfind("分解表", 0, first.start)
    if end < 0:
        return None
    start, end = sentence_span(doc.text, end, end + len("分解表"))
    quote = doc.text[start:end]
    return (start, end) if quote.strip() and "\t" not in quote else None


def count_tasks(
    query: Query, docs: Sequence[Document], tasks: dict[str, list[Task]], missing: str
) -> Answer:
    """How many tasks each document's table holds, citing its title and its first and last rows."""
    citations = Citations()
    lines, total = [], 0
    for doc in docs:
        rows = sorted(tasks[doc.doc_id], key=lambda t: t.start)
        first, last = rows[0], rows[-1]
        heading = table_heading(doc, first)
        title = f"[{citations.cite(doc, *heading)}]" if heading else ""
        numbers = [t.number for t in rows if t.number is not None]
        ends = [f"首项[{citations.cite(doc, first.start, first.end)}]"]
        if last is not first:
            ends.append(f"末项[{citations.cite(doc, last.start, last.end)}]")
        if numbers and sorted(numbers) == list(range(1, len(rows) + 1)):
            span = f"序号1至{len(rows)}，" if len(rows) > 1 else ""
        elif numbers:
            span = f"序号{min(numbers)}至{max(numbers)}，不连续或有缺行，"
        else:
            span = "未印序号，"
        lines.append(
            f"{doc_label(doc)}工作要点的任务分解表{title}共列{len(rows)}项任务"
            f"（{span}{'、'.join(ends)}）。"
        )
        total += len(rows)
    head = [f"共{total}项任务：", *(f"- {line}" for line in lines)] if len(lines) > 1 else lines
    return Answer(
        query.question,
        "\n".join([*head, *([missing] if missing else [])]),
        "tasks",
        value=float(total),
        unit="项",
        citations=citations.items,
        warnings=doc_warnings(docs),
    )


def answer_tasks(query: Query, corpus: Corpus) -> Answer | NotMine:
    """List the tasks a task question asks for, each with its row as the citation; a count of
    the whole table cites its title and first and last rows."""
    if not query.is_task:
        return NotMine("asks about no task, unit or deadline")
    selection = select_documents(query, corpus.documents, WORK_POINTS)
    if selection.refusal:
        if not names_task_table(query):
            # 谁负责政务公开工作 in a year without work points: retrieval
            return NotMine("no work points of that region or year, and no task table named")
        return Answer(query.question, selection.refusal, "tasks", refused=True)
    docs = [d for d in selection.docs if corpus.tasks.get(d.doc_id)]
    if not docs:
        return NotMine("the selected work points hold no task table")
    unfiltered = not query.numbers and not query.unit and not query.deadline and not query.keyword
    if unfiltered and asks_count(query.question):
        return count_tasks(query, docs, corpus.tasks, selection.missing)
    if query.numbers and not any(
        t.number is not None for d in docs for t in corpus.tasks[d.doc_id]
    ):
        names = "、".join(doc_label(d) for d in docs)
        return Answer(
            query.question,
            f"{names}工作要点的任务分解表没有印序号，无法按“第{query.number}项”查找。",
            "tasks",
            refused=True,
        )
    matched = select_tasks(query, [(d, t) for d in docs for t in corpus.tasks[d.doc_id]])
    wanted = describe_filter(query)
    if not matched:
        if not query.numbers and not query.unit and not query.deadline:
            return NotMine(f"no task row shares the question's words ({query.keyword or '—'})")
        return Answer(
            query.question,
            f"在{'、'.join(doc_label(d) for d in docs)}的任务分解表中没有找到{wanted}的任务。",
            "tasks", refused=True,
        )  # fmt: skip
    citations = Citations()
    many_docs = len({d.doc_id for d, _ in matched}) > 1
    listed = matched[:MAX_LISTED_TASKS]
    lines = [
        task_line(t, d, f"[{citations.cite(d, t.start, t.end)}]", many_docs) for d, t in listed
    ]
    if query.numbers and len(matched) == 1:
        d, t = matched[0]
        head = f"{doc_label(d)}工作要点第{t.number}项的具体要求："
    elif query.numbers and not query.unit and not query.deadline:
        head = f"{wanted}的具体要求："
    else:
        head = f"共{len(matched)}项{wanted}的任务：" if wanted else f"共{len(matched)}项任务："
    if len(matched) > len(listed):
        lines.append(f"（其余{len(matched) - len(listed)}项未列出）")
    if selection.missing:
        lines.append(selection.missing)
    counted = asks_count(query.question)
    return Answer(
        query.question,
        "\n".join([head, *lines]),
        "tasks",
        value=float(len(matched)) if counted else None,
        unit="项" if counted else "",
        citations=citations.items,
        warnings=doc_warnings(list({d.doc_id: d for d, _ in matched}.values())),
        tasks=[{**t.to_dict(), "title": d.title} for d, t in listed],
    )
