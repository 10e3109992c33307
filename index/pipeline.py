"""Ingest: load → clean → tag → chunk / parse tables → store, one file at a time.

The SQLite store is the source of truth and is replaced per file in one transaction; derived
indexes (vectors, BM25) are synced to it at the end of every run, so a run killed at any point
leaves the previous state queryable and the next run completes what it left.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.chunk import chunk_document
from index.clean import clean_text
from index.images import PageProgress
from index.load import SUPPORTED_SUFFIXES, load_file
from index.locks import writer_lock
from index.models import Chunk, Document, Fact, IngestError, Task, content_id
from index.provenance import locate_facts, screen_ocr_facts, to_clean_boxes
from index.stores.base import SearchIndex
from index.stores.sqlite import SQLiteStore
from index.tag import tag_document

log = logging.getLogger("gongkai.ingest")
# Bump when loading, cleaning, tagging or table reading changes what a file yields: files
# recorded under another version are rebuilt on the next ingest even though their bytes match.
BUILD_VERSION = "9"
# From this many files, parsing runs in one process per core unless the caller says otherwise
# (starting the processes costs a second or two: not worth it for an upload or a few files).
PARALLEL_FILES = 64


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
    """Files named directly, and the supported files found (recursively) in folders named,
    except the parts of saved web pages (read with their page)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix.lower() in SUPPORTED_SUFFIXES and not is_saved_page_part(p)
                )
            )
        else:
            files.append(path)
    return files


# Browsers save "NAME.html" with its images and frames in "NAME_files" (localised Internet
# Explorer: "NAME.files") beside it.
_PAGE_PART_FOLDERS = ("_files", ".files")


def is_saved_page_part(path: Path) -> bool:
    """Is ``path`` inside the parts folder of a saved web page that sits beside it?"""
    for folder in path.parents:
        for tail in _PAGE_PART_FOLDERS:
            if folder.name.endswith(tail) and len(folder.name) > len(tail):
                stem = folder.name[: -len(tail)]
                if any((folder.parent / f"{stem}{s}").is_file() for s in (".html", ".htm")):
                    return True
    return False


def build_document(
    path: Path, max_bytes: int, on_page: PageProgress | None = None
) -> BuiltDocument:
    """Everything gongkai knows about one file, computed without touching any store.

    ``on_page(done, total)`` reports the pages read by OCR (image files and pictures).
    """
    from index.tables.annual import carries_table_labels, parse_report_tables
    from index.tables.prose import extract_prose_facts
    from index.tables.tasks import parse_task_tables
    from index.tables.validate import check_identities, check_text_vs_table

    loaded = load_file(path, max_bytes=max_bytes, on_page=on_page)
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
    # Tables are read wherever their labels are printed, whatever the title says.
    if doc.kind == "annual_report" or carries_table_labels(doc.text):
        parsed = parse_report_tables(doc.text, doc.doc_id)
        facts = parsed.facts + extract_prose_facts(doc.text, doc.doc_id)
        doc.table_format = parsed.table_format or doc.table_format
        doc.warnings += parsed.problems
        doc.warnings += check_identities(parsed.facts)
        doc.warnings += check_text_vs_table(doc.text, parsed.facts)
    if doc.kind == "work_points":
        task_parse = parse_task_tables(doc.text, doc.doc_id)
        tasks = task_parse.tasks
        doc.warnings += task_parse.problems
    for item in (*facts, *tasks):
        item.region, item.year = doc.region, doc.year
    facts, uncertain = screen_ocr_facts(facts, loaded.ocr, cleaned, doc.warnings)
    doc.warnings += uncertain
    locate_facts(facts, to_clean_boxes(loaded.boxes, cleaned), doc)
    return BuiltDocument(doc, chunk_document(doc), facts, tasks)


# build(path, max_bytes) or build(path, max_bytes, on_page=…): build_document, IsolatedBuilder.
Builder = Callable[..., BuiltDocument]


def ingest_file(
    path: Path,
    store: SQLiteStore,
    max_bytes: int,
    build: Builder | None = None,
    on_page: PageProgress | None = None,
) -> IngestResult:
    """Ingest one file; unchanged files (same bytes) are skipped, changed ones replaced.

    ``on_page(done, total)`` reports OCR progress (passed to ``build`` only when given).
    """
    skipped = unchanged_result(path, store)
    if skipped is not None:
        return skipped
    built = _build_or_fail(build or build_document, path, max_bytes, on_page)
    return store_built(path, store, built)


def unchanged_result(path: Path, store: SQLiteStore) -> IngestResult | None:
    """The result for a file that needs no work (unreadable, or recorded with the same bytes)."""
    source = str(path.resolve())
    try:
        data_sha = file_stamp(path.read_bytes())
    except OSError as exc:
        return IngestResult(source, "failed", error=f"{path}: 无法读取文件（{exc.strerror}）")
    entry = store.manifest_entry(source)
    if entry and entry[0] == data_sha and store.document(entry[1]):
        doc = store.document(entry[1])
        return IngestResult(source, "unchanged", doc=doc, warnings=doc.warnings if doc else [])
    return None


def _build_or_fail(
    build: Builder, path: Path, max_bytes: int, on_page: PageProgress | None = None
) -> BuiltDocument | IngestResult:
    source = str(path.resolve())
    try:
        return build(path, max_bytes, on_page=on_page) if on_page else build(path, max_bytes)
    except IngestError as exc:
        return IngestResult(source, "failed", error=str(exc))
    except Exception as exc:  # a parser bug must not abort the batch or lose the old version
        log.exception("ingest of %s failed", path)
        reason = f"解析时出错（{type(exc).__name__}: {str(exc)[:120]}），原有内容保持不变"
        return IngestResult(source, "failed", error=f"{path}: {reason}")


def store_built(
    path: Path, store: SQLiteStore, built: BuiltDocument | IngestResult
) -> IngestResult:
    """Replace the file's previous version in the store with what was built from it."""
    if isinstance(built, IngestResult):
        return built
    source = str(path.resolve())
    entry = store.manifest_entry(source)
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
    workers: int | None = None,
    on_page: Callable[[Path, int, int], None] | None = None,
) -> list[IngestResult]:
    """Ingest files and folders, then bring every derived index in step with the store.

    With ``workers`` > 1 files are parsed in that many processes; the store is still written
    by this process alone, one file per transaction, in the files' order. By default, one
    process per core (at most 4) from ``PARALLEL_FILES`` files on, else this process.
    ``on_page(path, done, total)`` reports OCR progress (one worker only).
    """
    files = collect_files(paths)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(files) >= PARALLEL_FILES else 1
    results = []
    with writer_lock(store.path.parent):
        for result in _ingest_each(files, store, max_bytes, workers, on_page):
            results.append(result)
            if on_result:
                on_result(result)
        sync_indexes(store, indexes)
    return results


def _ingest_each(
    files: Sequence[Path],
    store: SQLiteStore,
    max_bytes: int,
    workers: int,
    on_page: Callable[[Path, int, int], None] | None = None,
) -> Iterator[IngestResult]:
    if workers <= 1 or len(files) < 2:
        for path in files:
            report = functools.partial(on_page, path) if on_page else None
            yield ingest_file(path, store, max_bytes, on_page=report)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from index.parallel import exit_with_parent

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=exit_with_parent) as pool:
        window: deque = deque()  # a few files ahead of the store writer, not the whole batch
        for path in files:
            skipped = unchanged_result(path, store)
            window.append(
                (path, skipped or pool.submit(_build_or_fail, build_document, path, max_bytes))
            )
            if len(window) >= 4 * workers:
                yield _finish(window.popleft(), store)
        while window:
            yield _finish(window.popleft(), store)


def _finish(item, store: SQLiteStore) -> IngestResult:
    path, outcome = item
    return (
        outcome if isinstance(outcome, IngestResult) else store_built(path, store, outcome.result())
    )


def indexes_in_step(store: SQLiteStore, indexes: Sequence[SearchIndex]) -> bool:
    """Do the derived indexes hold exactly the store's chunks?"""
    chunk_ids = {c.chunk_id for c in store.chunks()}
    return all(set(index.ids()) == chunk_ids for index in indexes)


def sync_indexes(store: SQLiteStore, indexes: Sequence[SearchIndex]) -> None:
    """Make each derived index hold exactly the store's chunks (one writer at a time)."""
    if indexes:
        with writer_lock(store.path.parent):
            chunks = store.chunks()
            for index in indexes:
                index.sync(chunks)
