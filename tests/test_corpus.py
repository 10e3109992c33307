"""assistant.corpus: one snapshot per store generation, owned by whoever answers."""

from __future__ import annotations

import gc

from assistant import corpus as corpus_module
from assistant.corpus import Corpus, CorpusSnapshots, load_corpus
from index.models import Chunk, Document, Fact, Task


class FakeStore:
    """A store whose generation moves when the test says so, counting its reads."""

    def __init__(self):
        self.gen = 1
        self.reads = 0
        self.fact_reads: list[str | None] = []
        self.docs = [Document("d1", "a.txt", "text", kind="annual_report", region="槐荫区")]
        self.fact_rows = [
            Fact("d1", "复议诉讼", "行政复议", "结果纠正", 10.0),
            Fact("d1", "复议诉讼", "行政复议", "结果纠正", 99.0),  # a repeat: the first wins
            Fact("d1", "依申请", "本年新收政府信息公开申请数量", "总计", None, blank=True),
        ]
        self.task_rows = [Task("d2", 1, "任务", "", "要求", ["区民政局"], "年底")]

    def generation(self):
        return self.gen

    def documents(self):
        self.reads += 1
        return list(self.docs)

    def facts(self, doc_id=None):
        self.fact_reads.append(doc_id)
        return [f for f in self.fact_rows if doc_id is None or f.doc_id == doc_id]

    def tasks(self, doc_id=None):
        return list(self.task_rows)


def test_cells_are_indexed_by_table_row_and_column():
    store = FakeStore()  # held: a snapshot reads cells through a weak reference to its store
    corpus = Corpus.load(store)
    cells = corpus.cells.get("d1")
    assert cells[("复议诉讼", "行政复议", "结果纠正")].value == 10.0
    blank = cells[("依申请", "本年新收政府信息公开申请数量", "总计")]
    assert blank.value is None and blank.blank  # a blank cell stays blank, never 0
    assert corpus.by_id["d1"].region == "槐荫区"
    assert [t.number for t in corpus.tasks["d2"]] == [1]


def test_a_snapshot_lasts_until_the_generation_moves():
    store = FakeStore()
    snapshots = CorpusSnapshots(store)
    first = snapshots.current()
    assert snapshots.current() is first and store.reads == 1
    store.docs.append(Document("d2", "b.txt", "text", kind="work_points"))
    assert len(snapshots.current().documents) == 1  # same generation: the old snapshot
    store.gen = 2
    second = snapshots.current()
    assert second is not first and len(second.documents) == 2 and store.reads == 2


def test_load_corpus_keeps_one_snapshot_per_live_store():
    store, other = FakeStore(), FakeStore()
    assert load_corpus(store) is load_corpus(store)
    assert load_corpus(other) is not load_corpus(store)
    store.gen = 3
    assert load_corpus(store).generation == 3
    held = len(corpus_module._SNAPSHOTS)
    del other
    gc.collect()  # a dropped store takes its snapshot with it (no id() reuse)
    assert len(corpus_module._SNAPSHOTS) == held - 1


def test_a_documents_cells_are_read_when_first_asked_for_and_only_its_own():
    store = FakeStore()
    corpus = Corpus.load(store)
    assert store.fact_reads == []  # a snapshot of 10,000 reports does not read millions of cells
    assert len(corpus.cells.get("d1")) == 2 and corpus.cells.get("d2") == {}
    corpus.cells.get("d1")
    assert store.fact_reads == ["d1", "d2"]  # each document read once, by its id


class ChunkedStore(FakeStore):
    """A FakeStore with chunks, counting which documents' chunks were read (None: all)."""

    def __init__(self):
        super().__init__()
        self.chunk_rows = [Chunk("d1-0000", "d1", 0, "一、总体情况", 0, 6, ["一、总体情况"])]
        self.chunk_rows.append(Chunk("d2-0000", "d2", 0, "任务", 0, 2, ["二、任务"]))
        self.chunk_reads: list[str | None] = []

    def chunks(self, doc_id=None):
        self.chunk_reads.append(doc_id)
        return [c for c in self.chunk_rows if doc_id is None or c.doc_id == doc_id]


def test_chunks_are_read_when_first_asked_for_once_per_snapshot():
    store = ChunkedStore()
    snapshots = CorpusSnapshots(store)
    corpus = snapshots.current()
    assert store.chunk_reads == []  # answering from a table never reads the chunks
    assert [c.section for c in corpus.chunks.of_document("d2")] == ["二、任务"]
    assert set(corpus.chunks.by_id()) == {"d1-0000", "d2-0000"}
    corpus.chunks.of_document("d2")
    corpus.chunks.by_id()
    assert store.chunk_reads == ["d2", None]
    store.chunk_rows.pop()
    assert set(snapshots.current().chunks.by_id()) == {"d1-0000", "d2-0000"}  # same generation
    store.gen = 2
    assert set(snapshots.current().chunks.by_id()) == {"d1-0000"}  # the store changed


def test_a_snapshot_built_without_a_store_has_no_chunks():
    corpus = Corpus(1, [], {}, corpus_module.CellsByDoc(FakeStore()), {})
    assert corpus.chunks.by_id() == {} and corpus.chunks.of_document("d1") == []
