"""What the web app's requests share: the section of a citation, read from the corpus snapshot."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from config import load_settings
from index.pipeline import ingest_paths
from ui.context import AppContext

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def test_citations_get_the_heading_path_of_their_chunk_read_once_per_generation(
    tmp_path, monkeypatch
):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "huaiyin_2019_annual_report.txt", folder)
    settings = dataclasses.replace(load_settings(), home=tmp_path / "home", llm="none")
    ctx = AppContext(settings)
    ingest_paths([folder], ctx.store)
    (doc,) = ctx.store.documents()
    chunks = [c for c in ctx.store.chunks(doc.doc_id) if c.section]
    first, last = chunks[0], chunks[-1]
    reads: list[str | None] = []
    original = ctx.store.chunks
    monkeypatch.setattr(ctx.store, "chunks", lambda d=None: reads.append(d) or original(d))
    citations = [
        {"n": 1, "doc_id": doc.doc_id, "start": first.start + 1},
        {"n": 2, "doc_id": doc.doc_id, "start": last.start},
    ]
    assert ctx.sections_for(citations) == {1: first.section, 2: last.section}
    assert ctx.sections_for(citations[:1]) == {1: first.section}
    assert reads == [doc.doc_id]  # one read for the document in this store generation
    ctx.store.remove_document(doc.doc_id)
    assert ctx.sections_for(citations[:1]) == {1: ""}  # the store changed: read again
    assert reads == [doc.doc_id, doc.doc_id]
