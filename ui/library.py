"""The document library: checked uploads, ingest with per-file results, re-ingest and delete.

Uploads are checked before they are kept: the type (.pdf .docx .html .htm .txt .md, and
.png .jpg .jpeg .tif .tiff images whose bytes must be PNG, JPEG or TIFF), the size limit
(GONGKAI_MAX_FILE_MB) and the name, which is reduced to a plain file name inside the upload
folder. Files the pipeline rejects are not kept. Error messages name the file and the
reason, in the same words as ``python -m assistant ingest``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.images import IMAGE_SUFFIXES, UPLOAD_KINDS, PageProgress, sniff_image
from index.load import SUPPORTED_SUFFIXES
from index.models import IngestError
from index.pipeline import Builder, IngestResult, build_document, ingest_file, sync_indexes
from index.stores.base import SearchIndex
from index.stores.sqlite import SQLiteStore

ALLOWED_SUFFIXES = tuple(sorted(SUPPORTED_SUFFIXES))
MAX_NAME_CHARS = 120
STATUS_NAMES = {"added": "新增", "updated": "更新", "unchanged": "未变", "failed": "失败"}
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')

Progress = Callable[[float, str], None]


@dataclass
class FileOutcome:
    """What happened to one uploaded or re-ingested file, as one line for the staff."""

    name: str
    status: str  # added | updated | unchanged | failed | deleted
    message: str
    doc_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


# -- checks -----------------------------------------------------------------------------
def safe_upload_name(name: str) -> str:
    """A plain file name from whatever the browser sent: no folders, no control characters.

    ``../../etc/passwd.txt`` → ``passwd.txt``; ``C:\\tmp\\报告.pdf`` → ``报告.pdf``.
    Raises IngestError when nothing usable is left.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = _UNSAFE_CHARS.sub("_", base).strip().lstrip(".")
    stem, suffix = os.path.splitext(base)
    stem = stem.strip(" _.")[: MAX_NAME_CHARS - len(suffix)]
    if not stem or base in (".", ".."):
        raise IngestError(name or "(无文件名)", "文件名无效")
    return stem + suffix.lower()


def upload_destination(upload_dir: Path, name: str) -> Path:
    """Where an upload named ``name`` is kept: always directly inside ``upload_dir``."""
    folder = upload_dir.resolve()
    dest = (folder / safe_upload_name(name)).resolve()
    if dest.parent != folder:
        raise IngestError(name, "文件名无效（不能指向上传文件夹之外）")
    return dest


def check_upload(path: Path, name: str, max_bytes: int) -> None:
    """Type and size of an upload, checked before it is kept (IngestError when refused)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(name, f"不支持的文件类型 {suffix or '(无扩展名)'}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(name, f"无法读取文件（{exc.strerror}）") from exc
    if size == 0:
        raise IngestError(name, "空文件")
    if size > max_bytes:
        raise IngestError(
            name, f"文件过大（{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）"
        )
    if suffix in IMAGE_SUFFIXES:
        try:
            with path.open("rb") as handle:
                head = handle.read(16)
        except OSError as exc:
            raise IngestError(name, f"无法读取文件（{exc.strerror}）") from exc
        if sniff_image(head) not in UPLOAD_KINDS:
            raise IngestError(name, f"文件内容不是 PNG/JPEG/TIFF 图片（扩展名为 {suffix}）")


# -- results ----------------------------------------------------------------------------
def describe_result(result: IngestResult, name: str) -> FileOutcome:
    """A pipeline result as the CLI prints it, with the upload's own name instead of its path."""
    if result.status == "failed":
        reason = result.error.removeprefix(f"{result.source}: ")
        return FileOutcome(name, "failed", f"✗ {name}: {reason}")
    doc = result.doc
    tags = f"{doc.region or '地区未知'} {doc.year or '年份未知'}"
    detail = (
        f"，{result.chunks} 块，{result.facts} 个数字，{result.tasks} 项任务"
        if result.chunks
        else ""
    )
    warn = f"；警告：{'；'.join(result.warnings)}" if result.warnings else ""
    message = f"✓ {STATUS_NAMES[result.status]} {name}：《{doc.title}》{tags}{detail}{warn}"
    return FileOutcome(name, result.status, message, doc.doc_id)


def failed(name: str, error: IngestError) -> FileOutcome:
    return FileOutcome(name, "failed", f"✗ {name}: {error.reason}")


# -- operations -------------------------------------------------------------------------
def keep_upload(
    path: Path, name: str, upload_dir: Path, max_bytes: int
) -> tuple[Path, bytes | None]:
    """Check an upload and copy it into the upload folder; returns (destination, old bytes).

    The old bytes (when a file of that name was there) let a failed ingest put it back.
    """
    check_upload(path, name, max_bytes)
    dest = upload_destination(upload_dir, name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    previous = dest.read_bytes() if dest.exists() else None
    tmp = dest.with_name(f".{dest.name}.part")
    tmp.write_bytes(path.read_bytes())
    os.replace(tmp, dest)
    return dest, previous


def restore_upload(dest: Path, previous: bytes | None) -> None:
    """Undo ``keep_upload`` after the pipeline refused the file."""
    if previous is None:
        dest.unlink(missing_ok=True)
    else:
        dest.write_bytes(previous)


def ingest_uploads(
    files: Sequence[tuple[Path, str]],
    store: SQLiteStore,
    indexes: Sequence[SearchIndex],
    upload_dir: Path,
    max_bytes: int,
    progress: Progress | None = None,
    build: Builder | None = None,
) -> list[FileOutcome]:
    """Check, keep and ingest uploaded files ``(temporary path, original name)``, one by one;
    ``build`` (e.g. an IsolatedBuilder) parses them outside the serving process."""
    outcomes: list[FileOutcome] = []
    total = len(files)
    for i, (path, name) in enumerate(files):
        if progress:
            progress(i / (total + 1), f"正在入库 {i + 1}/{total}：{name}")
        display = Path(name.replace("\\", "/")).name or name
        try:
            dest, previous = keep_upload(path, name, upload_dir, max_bytes)
        except IngestError as exc:
            outcomes.append(failed(display, exc))
            continue
        on_page = page_progress(progress, i, total, display) if progress else None
        result = ingest_file(dest, store, max_bytes, build, on_page=on_page)
        if result.status == "failed":
            restore_upload(dest, previous)
        outcomes.append(describe_result(result, dest.name))
    if progress:
        progress(total / (total + 1), "正在更新检索索引…")
    if any(o.status in ("added", "updated") for o in outcomes):
        sync_indexes(store, indexes)
    if progress:
        progress(1.0, "完成")
    return outcomes


def page_progress(progress: Progress, index: int, total: int, name: str) -> PageProgress:
    """OCR page progress of upload ``index`` (of ``total``) as a step of the upload's bar."""

    def report(done: int, pages: int) -> None:
        fraction = (index + done / max(1, pages)) / (total + 1)
        progress(fraction, f"正在入库 {index + 1}/{total}：{name}，第 {done}/{pages} 页 文字识别")

    return report


def document_sources(store: SQLiteStore, doc_id: str) -> list[str]:
    """The source paths that hold a document."""
    return sorted(source for source, held in store.sources().items() if held == doc_id)


def reingest_document(
    store: SQLiteStore,
    indexes: Sequence[SearchIndex],
    doc_id: str,
    max_bytes: int,
    build: Builder | None = None,
    progress: Progress | None = None,
) -> list[FileOutcome]:
    """Parse a document's source files again (after the pipeline improved), even if unchanged.

    A file that now fails keeps its previous version in the index.
    """
    sources = document_sources(store, doc_id)
    if not sources:
        return [FileOutcome(doc_id, "failed", f"✗ {doc_id}: 资料库中没有这份文档")]
    outcomes = []
    for i, source in enumerate(sources):
        path = Path(source)
        if not path.exists():
            outcomes.append(
                FileOutcome(path.name, "failed", f"✗ {path.name}: 源文件已不存在，无法重新入库")
            )
            continue
        builder = build or build_document
        try:
            if progress:
                on_page = page_progress(progress, i, len(sources), path.name)
                built = builder(path, max_bytes, on_page=on_page)
            else:
                built = builder(path, max_bytes)
        except IngestError as exc:
            outcomes.append(failed(path.name, exc))
            continue
        built.doc.source = source
        store.replace_document(source, built.doc, built.chunks, built.facts, built.tasks)
        result = IngestResult(
            source, "updated", doc=built.doc, chunks=len(built.chunks), facts=len(built.facts),
            tasks=len(built.tasks), warnings=built.doc.warnings,
        )  # fmt: skip
        outcomes.append(describe_result(result, path.name))
    sync_indexes(store, indexes)
    return outcomes


def delete_document(
    store: SQLiteStore, indexes: Sequence[SearchIndex], doc_id: str, upload_dir: Path
) -> FileOutcome:
    """Remove a document from the index; its file is deleted too when it was uploaded here."""
    doc = store.document(doc_id)
    if doc is None:
        return FileOutcome(doc_id, "failed", f"✗ {doc_id}: 资料库中没有这份文档")
    sources = document_sources(store, doc_id)
    store.remove_document(doc_id)
    folder = upload_dir.resolve()
    for source in sources:
        path = Path(source).resolve()
        if path.parent == folder:
            path.unlink(missing_ok=True)
    sync_indexes(store, indexes)
    return FileOutcome(doc.title, "deleted", f"✓ 已删除《{doc.title}》（{doc_id}）", doc_id)
