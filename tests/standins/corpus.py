"""A small corpus built in memory for the answering modules' tests: two regions' annual reports
with a review table row each, and one region's work points with three task rows.

Every span is found in the document's own text, so citations quote exactly what is printed.
"""

from __future__ import annotations

from assistant.answer import Answer
from assistant.corpus import Corpus
from assistant.tool import NotMine, Tool
from assistant.understand import understand
from domain.kinds import ANNUAL, WORK_POINTS
from index.models import Document, Fact, Task

REVIEW_ROW = "行政复议\t{kept}\t{fixed}\t0\t0\t{total}"


def annual(doc_id: str, region: str, year: int, fixed: int | None, total: int) -> Document:
    row = REVIEW_ROW.format(kept=total - (fixed or 0), fixed="" if fixed is None else fixed,
                            total=total)  # fmt: skip
    text = (
        f"{region}{year}年政府信息公开工作年度报告\n"
        f"本年度共收到行政复议申请{total}件。\n"
        f"四、政府信息公开行政复议、行政诉讼情况\n{row}\n"
        "联系电话：0531-12345678\n"
    )
    return Document(doc_id, f"{doc_id}.txt", text, f"{region}{year}年政府信息公开工作年度报告",
                    ANNUAL, region, year, issuer="人民政府")  # fmt: skip


def review_facts(doc: Document, fixed: int | None, total: int) -> list[Fact]:
    """The 行政复议 row's 结果纠正 and 总计 cells, spanning the row as printed."""
    start = doc.text.index("行政复议\t")
    end = doc.text.index("\n", start)
    common = {"start": start, "end": end, "region": doc.region, "year": doc.year}
    return [
        Fact(doc.doc_id, "复议诉讼", "行政复议", "结果纠正", None if fixed is None else float(fixed),
             blank=fixed is None, **common),
        Fact(doc.doc_id, "复议诉讼", "行政复议", "总计", float(total), **common),
    ]  # fmt: skip


TASK_ROWS = (
    (1, "更新完善权责清单。", ["区委编办"], "2022年6月底前"),
    (2, "做好政府信息公开申请办理工作。", ["区司法局"], "年底"),
    (3, "推进养老服务信息公开。", ["区民政局"], "全年"),
)


def work_points(doc_id: str, region: str, year: int) -> tuple[Document, list[Task]]:
    lines = [f"{n}\t{req}\t{'、'.join(units)}\t{deadline}" for n, req, units, deadline in TASK_ROWS]
    text = (
        f"{region}{year}年政务公开工作要点\n{region}{year}年政务公开重点工作任务分解表\n"
        + "\n".join(lines)
    )
    doc = Document(doc_id, f"{doc_id}.txt", text, f"{region}{year}年政务公开工作要点",
                   WORK_POINTS, region, year, issuer="办公室")  # fmt: skip
    tasks = []
    for line, (n, req, units, deadline) in zip(lines, TASK_ROWS, strict=True):
        start = text.index(line)
        tasks.append(Task(doc_id, n, "政务公开", "", req, units, deadline, start,
                          start + len(line), region, year))  # fmt: skip
    return doc, tasks


class MemoryStore:
    """The store protocol a Corpus reads (generation, documents, facts, tasks), in memory."""

    def __init__(self, documents: list[Document], facts: list[Fact], tasks: list[Task]):
        self.docs, self.fact_rows, self.task_rows = documents, facts, tasks

    def generation(self) -> int:
        return 1

    def documents(self) -> list[Document]:
        return list(self.docs)

    def facts(self, doc_id: str | None = None) -> list[Fact]:
        return [f for f in self.fact_rows if doc_id is None or f.doc_id == doc_id]

    def tasks(self, doc_id: str | None = None) -> list[Task]:
        return [t for t in self.task_rows if doc_id is None or t.doc_id == doc_id]


def small_store() -> MemoryStore:
    """槐荫区 2019 (结果纠正 2 of 10) and 2020 (结果纠正 printed empty, 总计 4) annual reports,
    and 济南市莱芜区 2022 work points with three tasks."""
    r2019 = annual("hy2019", "槐荫区", 2019, 2, 10)
    r2020 = annual("hy2020", "槐荫区", 2020, None, 4)
    points, tasks = work_points("lw2022", "济南市莱芜区", 2022)
    facts = review_facts(r2019, 2, 10) + review_facts(r2020, None, 4)
    return MemoryStore([r2019, r2020, points], facts, tasks)


_HELD: list[MemoryStore] = []  # a snapshot reads cells through a weak reference to its store


def small_corpus(store: MemoryStore | None = None) -> Corpus:
    """A snapshot of ``store`` (of :func:`small_store` when none is given, kept alive here)."""
    if store is None:
        store = small_store()
        _HELD.append(store)
    return Corpus.load(store)


def ask_tool(tool: Tool, question: str, corpus: Corpus) -> Answer | NotMine:
    """What ``tool`` answers to ``question`` understood against ``corpus``."""
    return tool.answer(understand(question, corpus.documents), corpus)
