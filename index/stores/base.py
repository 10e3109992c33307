"""Storage protocols: what the pipeline and the assistant need from each store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from index.models import Chunk, Document, Fact, Task


class IndexUnusable(RuntimeError):
    """A derived index (vectors, keywords) cannot be opened; the message says how to rebuild it."""


class DocumentStore(Protocol):
    """The source of truth: documents, chunks, facts, tasks and the file manifest."""

    def manifest_entry(self, source: str) -> tuple[str, str] | None:
        """(file_sha, doc_id) recorded for a source path, if any."""

    def replace_document(
        self,
        source: str,
        doc: Document,
        chunks: Sequence[Chunk],
        facts: Sequence[Fact],
        tasks: Sequence[Task],
    ) -> None:
        """Atomically store ``doc`` for ``source``, replacing what the source held before."""

    def remove_source(self, source: str) -> bool:
        """Forget a source path (and its document when no other path holds it)."""

    def documents(self) -> list[Document]: ...

    def document(self, doc_id: str) -> Document | None: ...

    def chunks(self, doc_id: str | None = None) -> list[Chunk]: ...

    def facts(self, doc_id: str | None = None) -> list[Fact]: ...

    def tasks(self, doc_id: str | None = None) -> list[Task]: ...


class SearchIndex(Protocol):
    """A derived index (vectors, keywords) kept in step with the document store."""

    def sync(self, chunks: Sequence[Chunk]) -> None:
        """Make the index hold exactly ``chunks``: add the missing, delete the rest."""

    def search(self, query: str, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk_id, score) pairs, best first."""
