"""What every request of the web app shares: settings, the store, the assistant, the indexes,
and the background work of the first start (the server and the page both read it)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from config import SAMPLE_DIR, Settings
from index.isolation import IsolatedBuilder
from index.stores.base import SearchIndex
from ui.chat import section_at
from ui.library import describe_result

log = logging.getLogger("gongkai.ui")


@dataclass
class StartupStatus:
    """First-start ingest of the sample corpus, as the page and /healthz report it."""

    state: str = "ready"  # ingesting | ready | failed
    message: str = ""
    done: int = 0
    total: int = 0


class AppContext:
    """What every request shares: settings, the store, the assistant and the indexes."""

    def __init__(self, settings: Settings):
        from assistant.api import Assistant

        self.settings = settings
        self.first_start = not settings.db_path.exists()
        self.assistant = Assistant(settings)
        self.store = self.assistant.store  # one store per process: answers see every write
        self.startup = StartupStatus("ingesting" if self.first_start else "ready")
        self._indexes: list[SearchIndex] | None = None
        self._lock = threading.Lock()
        self.model_error = ""
        self.builder = IsolatedBuilder(settings.ingest_seconds)  # parsing never blocks requests
        self._armed_delete: tuple[str, float] | None = None

    def confirm_delete(self, doc_id: str, window: float = 60.0) -> bool:
        """True on the second request to delete the same document within ``window`` seconds."""
        now = time.monotonic()
        with self._lock:
            armed = self._armed_delete
            if armed and armed[0] == doc_id and now - armed[1] <= window:
                self._armed_delete = None
                return True
            self._armed_delete = (doc_id, now)
            return False

    def indexes(self) -> list[SearchIndex]:
        """The search indexes that answering reads, to write uploads into.

        They must be the very objects retrieval searches: a second Chroma client on the same
        folder in this process does not see what the first one writes (uploads stayed
        partly invisible to questions).
        """
        from assistant.retrieve import open_retrieval

        with self._lock:
            if self._indexes is None:
                retrieval = open_retrieval(self.settings)
                self._indexes = [i for i in (retrieval.keyword, retrieval.dense) if i is not None]
            return self._indexes

    @property
    def max_bytes(self) -> int:
        return self.settings.max_file_mb * 1024 * 1024

    def sections_for(self, citations: Sequence[dict]) -> dict[int, str]:
        """The heading path (一、总体情况 › （二）…) of each citation's span, by its number."""
        chunks = self.assistant.corpus().chunks  # read once per document and store generation
        out = {}
        for c in citations:
            spans = [(ch.start, ch.end, ch.section) for ch in chunks.of_document(c["doc_id"])]
            out[int(c["n"])] = section_at(spans, int(c["start"]))
        return out

    def model_status(self) -> dict:
        """The LLM's state (backend, state, reason, queue) for /healthz and the page header."""
        from assistant.llm import model_status

        if self.model_error:
            return {"backend": "local", "state": "unavailable", "reason": self.model_error}
        return model_status(self.assistant.llm_backend, self.settings)

    # -- background work ----------------------------------------------------------------
    def start_model(self) -> None:
        """Start the model process (and its self-test) now, not at the first question."""
        from assistant.llm import resolve_backend

        try:
            if resolve_backend(self.assistant.llm_backend, self.settings) == "local":
                self.assistant.chat_model("local")
        except Exception as exc:  # the app serves extractive answers without a model
            log.warning("本地模型无法启动：%s", exc)
            self.model_error = f"本地模型无法启动：{exc}"

    def ingest_sample(self, folder: Path = SAMPLE_DIR) -> None:
        """First start: ingest the sample corpus, reporting each file (page and terminal)."""
        from index.pipeline import collect_files, ingest_file, sync_indexes

        files = collect_files([folder])
        status = self.startup
        status.total = len(files)
        say(f"首次启动：正在入库示例文档（{len(files)} 个文件，来自 {folder}）")
        try:
            for i, path in enumerate(files, start=1):
                status.message = f"正在入库示例文档 {i}/{len(files)}：{path.name}"
                result = ingest_file(path, self.store, self.max_bytes, self.builder)
                status.done = i
                say(f"[{i}/{len(files)}] {describe_result(result, path.name).message}")
            status.message = "正在建立检索索引（向量与关键词），首次需要一两分钟…"
            say(status.message)
            sync_indexes(self.store, self.indexes())
        except Exception as exc:  # the page must say what went wrong, not hang
            log.exception("示例文档入库失败")
            status.state, status.message = "failed", f"示例文档入库失败：{exc}"
            return
        status.state, status.message = "ready", "示例文档入库完成"
        say("示例文档入库完成，可以提问了。")

    def warm_up(self) -> None:
        """Bring the indexes in step with the store if a crash left them behind (a killed
        first-start ingest), then load what the first question needs ahead of it."""
        from index.pipeline import indexes_in_step, sync_indexes

        try:
            if not indexes_in_step(self.store, self.indexes()):
                self.startup.state = "syncing"
                self.startup.message = "检索索引与文档库不一致（上次入库可能中断），正在补齐…"
                say(self.startup.message)
                sync_indexes(self.store, self.indexes())
        except Exception as exc:  # the page must say what went wrong, not hang
            log.exception("检索索引补齐失败")
            self.startup.state, self.startup.message = "failed", f"检索索引补齐失败：{exc}"
            return
        self.startup.state, self.startup.message = "ready", ""
        try:
            self.assistant.documents()
            self.assistant.answer("莱芜区2020年行政复议结果纠正多少件？", [], llm="none")
            for index in self.indexes():  # loads the embedding model and the keyword index
                index.search("政务公开", 1)
        except Exception:  # answering reports its own errors; warming up is best effort
            log.warning("预热失败", exc_info=True)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
