"""Shared fixtures: the sample corpus ingested once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO / "data" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """A SQLite store holding the whole sample corpus (no vector or keyword index)."""
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path_factory.mktemp("home") / "gongkai.sqlite3")
    results = ingest_paths([SAMPLE_DIR], store)
    failed = [r.error for r in results if r.status == "failed"]
    assert not failed, failed
    return store


@pytest.fixture(scope="session")
def sample_docs(sample_store):
    """Sample documents keyed by file name (e.g. 'laiwu_2020_annual_report.txt')."""
    return {Path(d.source).name: d for d in sample_store.documents()}
