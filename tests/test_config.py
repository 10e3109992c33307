"""config: settings from the environment, and the answering knobs an evaluation may vary."""

from __future__ import annotations

import dataclasses

from assistant.retrieve import Retrieval
from config import DEFAULT_TUNING, REPO_ROOT, Tuning, load_settings
from index.models import Chunk


def test_the_repo_root_is_where_config_lives():
    assert (REPO_ROOT / "config.py").is_file() and (REPO_ROOT / "data" / "sample").is_dir()


def test_settings_read_the_environment_and_carry_default_tuning(monkeypatch, tmp_path):
    monkeypatch.setenv("GONGKAI_HOME", str(tmp_path))
    settings = load_settings()
    assert settings.home == tmp_path.resolve() and settings.tuning == DEFAULT_TUNING
    tuned = dataclasses.replace(settings, tuning=Tuning(fusion_depth=3))
    assert tuned.tuning.fusion_depth == 3 and tuned.tuning.rrf_k == DEFAULT_TUNING.rrf_k


class Store:
    def generation(self):
        return 1

    def documents(self):
        return []

    def chunks(self, doc_id=None):
        return [Chunk(f"c{i}", "d", i, f"段落{i}", 0, 4) for i in range(5)]

    def tasks(self, doc_id=None):
        return []


class Keyword:
    """A keyword index that ranks c0 … c4 and records the depth asked for."""

    def __init__(self):
        self.depths: list[int] = []

    def search(self, query, k, where=None):
        self.depths.append(k)
        return [(f"c{i}", 1.0 / (i + 1)) for i in range(min(k, 5))]


def test_retrieval_reads_its_depth_from_the_tuning():
    keyword = Keyword()
    hits = Retrieval(Store(), None, keyword, tuning=Tuning(fusion_depth=2)).search("段落", k=1)
    assert keyword.depths == [2] and [h.chunk_id for h in hits] == ["c0"]
    Retrieval(Store(), None, keyword).search("段落", k=1)
    assert keyword.depths[-1] == DEFAULT_TUNING.fusion_depth
