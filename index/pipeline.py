"""Ingest: load → clean → tag → chunk / parse tables → store, one file at a time.

The SQLite store is the source of truth and is replaced per file in one transaction; derived
indexes (vectors, BM25) are synced to it at the end of every run, so a run killed at any point
leaves the previous state queryable and the next run completes what it left.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.chunk import chunk_document
from index.clean import clean_text
from index.load import SUPPORTED_SUFFIXES, load_file
from index.models import Chunk, Document, Fact, IngestError, Task, content_id
from index.provenance import locate_facts, to_clean_boxes
from index.stores.base import SearchIndex
from index.stores.sqlite import SQLiteStore
from index.tag import tag_document

# Bump when loading, cleaning, tagging or table reading changes what a file yields: files
# recorded under another version are rebuilt on the next ingest even though their bytes match.
BUILD_VERSION = "2"


def file_stamp(data: bytes) -> str:
    """What the manifest records for a file: its byte hash plus the build version."""
    return f"{hashlib.sha256(data).hexdigest()}+b{BUILD_VERSION}"


@dataclass
class BuiltDocument:
    doc: Document
    chunks: list[Chunk]
    facts: list[Fact]
    tasks: list[Task]


@dataclass
class IngestResult:
    """What happened to one file: status is added | updated | unchanged | failed."""

    source: str
    status: str
    doc: Document | None = None
    chunks: int = 0
    facts: int = 0
    tasks: int = 0
    error: str = ""
    warnings: list[str] = field(default_factory=list)


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and the supported files found (recursively) in folders named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES)
            )
        else:
            files.append(path)
    return files


def build_document(path: Path, max_bytes: int) -> BuiltDocument:
    """Everything gongkai knows about one file, computed without touching any store."""
    from index.tables.annual import parse_report_tables
    from index.tables.prose import extract_prose_facts
    from index.tables.tasks import parse_task_tables
    from index.tables.validate import check_identities, check_text_vs_table

    loaded = load_file(path, max_bytes=max_bytes)
    cleaned = clean_text(loaded.text, join_wrapped_lines=bool(loaded.pages))
    if not cleaned.text.strip():
        raise IngestError(str(path), "清洗后没有正文（全部为乱码或网页杂项）")
    tags = tag_document(cleaned.text)
    pages = [(cleaned.from_raw(start), number) for start, number in loaded.pages]
    doc = Document(
        doc_id=content_id(cleaned.text),
        source=str(path),
        text=cleaned.text,
        title=tags.title or path.stem,
        kind=tags.kind,
        region=tags.region,
        year=tags.year,
        issuer=tags.issuer,
        doc_number=tags.doc_number,
        pub_date=tags.pub_date,
        table_format=tags.table_format,
        warnings=loaded.warnings + cleaned.warnings + tags.warnings,
        pages=pages,
        file_sha=file_stamp(path.read_bytes()),
    )
    facts: list[Fact] = []
    tasks: list[Task] = []
    if doc.kind == "annual_report":
        parsed = parse_report_tables(doc.text, doc.doc_id)
        facts = parsed.facts + extract_prose_facts(doc.text, doc.doc_id)
        doc.table_format = parsed.table_format or doc.table_format
        doc.warnings += parsed.problems
        doc.warnings += check_identities(parsed.facts)
        doc.warnings += check_text_vs_table(doc.text, parsed.facts)
    elif doc.kind == "work_points":
        task_parse = parse_task_tables(doc.text, doc.doc_id)
        tasks = task_parse.tasks
        doc.warnings += task_parse.problems
    for item in (*facts, *tasks):
        item.region, item.year = doc.region, doc.year
    locate_facts(facts, to_clean_boxes(loaded.boxes, cleaned), doc)
    return BuiltDocument(doc, chunk_document(doc), facts, tasks)


def ingest_file(path: Path, store: SQLiteStore, max_bytes: int) -> IngestResult:
    """Ingest one file; unchanged files (same bytes) are skipped, changed ones replaced."""
    source = str(path.resolve())
    try:
        data_sha = file_stamp(path.read_bytes())
    except OSError as exc:
        return IngestResult(source, "failed", error=f"{path}: 无法读取文件（{exc.strerror}）")
    entry = store.manifest_entry(source)
    if entry and entry[0] == data_sha and store.document(entry[1]):
        doc = store.document(entry[1])
        return IngestResult(source, "unchanged", doc=doc, warnings=doc.warnings if doc else [])
    try:
        built = build_document(path, max_bytes)
    except IngestError as exc:
        return IngestResult(source, "failed", error=str(exc))
    built.doc.source = source
    store.replace_document(source, built.doc, built.chunks, built.facts, built.tasks)
    return IngestResult(
        source,
        "updated" if entry else "added",
        doc=built.doc,
        chunks=len(built.chunks),
        facts=len(built.facts),
        tasks=len(built.tasks),
        warnings=built.doc.warnings,
    )


def ingest_paths(
    paths: Sequence[Path],
    store: SQLiteStore,
    indexes: Sequence[SearchIndex] = (),
    max_bytes: int = 20 * 1024 * 1024,
    on_result: Callable[[IngestResult], None] | None = None,
) -> list[IngestResult]:
    """Ingest files and folders, then bring every derived index in step with the store."""
    results = []
    for path in collect_files(paths):
        result = ingest_file(path, store, max_bytes)
        results.append(result)
        if on_result:
            on_result(result)
    sync_indexes(store, indexes)
    return results


def sync_indexes(store: SQLiteStore, indexes: Sequence[SearchIndex]) -> None:
    """Make each derived index hold exactly the store's chunks."""
    if indexes:
        chunks = store.chunks()
        for index in indexes:
            index.sync(chunks)
