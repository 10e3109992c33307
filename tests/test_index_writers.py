"""Index writers: one at a time across threads, and no second process on an embedded store."""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from config import load_settings
from index.locks import claim_embedded, writer_lock
from index.pipeline import ingest_paths
from index.search_indexes import open_search_indexes
from index.stores.sqlite import SQLiteStore
from tests.app_process import REPO, app_env

SAMPLE = REPO / "data" / "sample"


def test_writer_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(tmp_path):
    order: list[str] = []
    with writer_lock(tmp_path):
        with writer_lock(tmp_path):  # the same thread again: no deadlock
            order.append("outer")

        def write() -> None:
            with writer_lock(tmp_path):
                order.append("other")

        other = threading.Thread(target=write)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive() and order == ["outer"]  # waits while we hold it
    other.join(timeout=10)
    assert order == ["outer", "other"]


@pytest.mark.slow
def test_concurrent_ingests_leave_every_index_equal_to_the_store(tmp_path):
    settings = replace(load_settings(), home=tmp_path / "home", embed="use", chroma_url="")
    store = SQLiteStore(settings.db_path)
    indexes = open_search_indexes(settings)
    files = sorted(p for p in SAMPLE.iterdir() if p.suffix == ".txt")
    errors: list[BaseException] = []

    def ingest(path: Path) -> None:
        try:
            ingest_paths([path], SQLiteStore(settings.db_path), indexes)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=ingest, args=(p,)) for p in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors
    chunk_ids = {c.chunk_id for c in store.chunks()}
    bm25, chroma = indexes
    assert len(store.documents()) == len(files)
    assert chroma.ids() == chunk_ids == set(bm25.ids())


def test_a_second_process_is_refused_the_embedded_store_with_the_way_out(tmp_path):
    home = tmp_path / "home"
    claim_embedded(home / "chroma")  # this test process plays the running app
    claim_embedded(home / "chroma")  # claiming again in the owner process is fine
    doc = SAMPLE / "huaiyin_2020_work_points.txt"
    run = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(doc)],
        cwd=REPO, env=app_env(home), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 2
    assert "正由另一个进程使用" in run.stderr and "GONGKAI_CHROMA_URL" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_parser_bug_fails_one_file_and_the_batch_goes_on(tmp_path, monkeypatch):
    import index.tables.prose as prose

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("laiwu_2020_annual_report.txt", "huaiyin_2020_work_points.txt"):
        (corpus / name).write_bytes((SAMPLE / name).read_bytes())
    store = SQLiteStore(tmp_path / "home" / "gongkai.sqlite3")
    ingest_paths([corpus], store)
    before = {d.doc_id for d in store.documents()}
    report = corpus / "laiwu_2020_annual_report.txt"
    report.write_text(report.read_text("utf-8") + "\n补充说明。\n", "utf-8")
    (corpus / "zz_new.txt").write_text(
        "某区人民政府办公室\n关于做好培训工作的通知\n内容。\n", "utf-8"
    )

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(prose, "extract_prose_facts", broken)
    results = {Path(r.source).name: r for r in ingest_paths([corpus], store)}
    failed = results["laiwu_2020_annual_report.txt"]
    assert failed.status == "failed" and "ZeroDivisionError" in failed.error
    assert "laiwu_2020_annual_report.txt" in failed.error and "原有内容保持不变" in failed.error
    assert results["zz_new.txt"].status == "added"
    assert before <= {d.doc_id for d in store.documents()}  # the old version is still there
