"""Faults: an ingest killed at random points, and uploads, deletes and questions at once.

After either, the document store, the Chroma vectors and the BM25 postings hold exactly the
same chunk ids, none duplicated and none lost.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from config import load_settings
from index.search_indexes import open_search_indexes
from index.stores.bm25 import BM25Index
from index.stores.sqlite import SQLiteStore
from tests.app_process import REPO, app_env

pytestmark = pytest.mark.slow
LAIWU = (REPO / "data" / "sample" / "laiwu_2020_annual_report.txt").read_text("utf-8")
PARAGRAPHS = [p for p in LAIWU.split("\n") if len(p) > 60]


def small_notice(i: int) -> str:
    """A short real-looking document, distinct per ``i`` (its own sentences and figures)."""
    rng = random.Random(i)
    body = "\n".join(rng.sample(PARAGRAPHS, 3))
    return (
        f"济南市莱芜区第{i}号政务公开工作通报\n一、总体情况\n{body}\n"
        f"二、专项工作\n本期共开展专项检查{i + 3}次，发现问题{2 * i + 1}个。\n"
    )


def write_corpus(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"通报{i:03d}.txt"
        path.write_text(small_notice(i), "utf-8")
        paths.append(path)
    return paths


def assert_indexes_equal_store(settings) -> None:
    store = SQLiteStore(settings.db_path)
    chunk_ids = [c.chunk_id for c in store.chunks()]
    bm25, chroma = open_search_indexes(settings)
    bm25_ids = list(BM25Index(settings.bm25_dir).ids())
    assert not [k for k, n in Counter(chunk_ids).items() if n > 1]
    assert not [k for k, n in Counter(bm25_ids).items() if n > 1]
    assert set(chunk_ids) == chroma.ids() == set(bm25_ids)


def test_ingest_killed_at_random_points_recovers_on_the_next_run(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 50)
    home = tmp_path / "home"
    env = app_env(home)
    rng = random.Random(11)
    command = [sys.executable, "-m", "assistant", "ingest", str(corpus)]
    for _ in range(3):
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(1.5, 8.0))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    final = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stdout + final.stderr
    settings = replace(load_settings(), home=home, embed=env["GONGKAI_EMBED"], chroma_url="")
    assert len(SQLiteStore(settings.db_path).documents()) == 50
    assert_indexes_equal_store(settings)


def test_concurrent_uploads_deletes_and_questions_keep_the_indexes_equal(tmp_path):
    from assistant.api import Assistant
    from ui.library import delete_document, ingest_uploads

    settings = replace(
        load_settings(), home=tmp_path / "home", embed="use", llm="none", chroma_url=""
    )
    assistant = Assistant(settings, llm="none")
    store = assistant.store
    indexes = open_search_indexes(settings)
    sources = write_corpus(tmp_path / "incoming", 40)
    errors: list[str] = []
    lock = threading.Lock()

    def upload(path: Path) -> None:
        outcomes = ingest_uploads([(path, path.name)], store, indexes, settings.upload_dir, 10**7)
        with lock:
            errors.extend(o.message for o in outcomes if not o.ok)

    def delete(i: int) -> None:
        time.sleep(0.05 * i)
        docs = store.documents()
        if docs:
            delete_document(store, indexes, docs[i % len(docs)].doc_id, settings.upload_dir)

    def ask(i: int) -> None:
        answer = assistant.answer(f"第{i}号通报中共开展专项检查多少次？", [])
        if not isinstance(answer.answer, str):
            with lock:
                errors.append(f"question {i}: {answer}")

    threads = [threading.Thread(target=upload, args=(p,)) for p in sources[:20]]
    threads += [threading.Thread(target=delete, args=(i,)) for i in range(20)]
    threads += [threading.Thread(target=ask, args=(i,)) for i in range(20)]
    random.Random(5).shuffle(threads)
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[:5]
    assert not list(settings.upload_dir.glob(".*.part"))  # nothing half-written left behind
    assert_indexes_equal_store(settings)
