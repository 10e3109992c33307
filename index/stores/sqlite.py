"""SQLite document store: documents, chunks, facts, tasks and the file manifest in one file.

Each source file is replaced in a single transaction, so a crash mid-ingest leaves the previous
state intact; WAL mode lets readers (the app) keep querying while an ingest writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from index.models import Chunk, Document, Fact, Task

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT, title TEXT, kind TEXT, region TEXT, year INTEGER,
    issuer TEXT, doc_number TEXT, pub_date TEXT, table_format TEXT, warnings TEXT,
    pages TEXT, text TEXT, file_sha TEXT, ingested_at REAL
);
CREATE TABLE IF NOT EXISTS manifest (
    source TEXT PRIMARY KEY, file_sha TEXT, doc_id TEXT, ingested_at REAL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT, ordinal INTEGER, start INTEGER, "end" INTEGER,
    text TEXT, heading_path TEXT, tokens INTEGER, page INTEGER, kind TEXT, context TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS facts (
    doc_id TEXT, tbl TEXT, row TEXT, col TEXT, value REAL, unit TEXT,
    start INTEGER, "end" INTEGER, origin TEXT, blank INTEGER DEFAULT 0, page INTEGER, bbox TEXT,
    cell_start INTEGER DEFAULT 0, cell_end INTEGER DEFAULT 0
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id);
CREATE TABLE IF NOT EXISTS tasks (
    doc_id TEXT, number INTEGER, area TEXT, subtask TEXT, requirement TEXT, units TEXT,
    deadline TEXT, start INTEGER, "end" INTEGER, lead_units TEXT DEFAULT '[]',
    subarea TEXT DEFAULT '', units_printed INTEGER DEFAULT 1
);
CREATE INDEX IF NOT EXISTS tasks_doc ON tasks(doc_id);
"""
_DOC_COLUMNS = (
    "doc_id, source, title, kind, region, year, issuer, doc_number, pub_date, table_format, "
    "warnings, pages, text, file_sha"
)


_FACT_COLUMNS_ADDED = {
    "blank": "INTEGER DEFAULT 0",
    "page": "INTEGER",
    "bbox": "TEXT",
    "cell_start": "INTEGER DEFAULT 0",
    "cell_end": "INTEGER DEFAULT 0",
}
_TASK_COLUMNS_ADDED = {
    "lead_units": "TEXT DEFAULT '[]'",
    "subarea": "TEXT DEFAULT ''",
    "units_printed": "INTEGER DEFAULT 1",
}


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Bring a store written by an older version to the current facts and tasks schema."""
    for table, added in (("facts", _FACT_COLUMNS_ADDED), ("tasks", _TASK_COLUMNS_ADDED)):
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for name, decl in added.items():
            if name not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")


class SQLiteStore:
    """The document store behind :class:`index.stores.base.DocumentStore`."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        with self._conn() as conn:
            conn.executescript(SCHEMA)
            _add_missing_columns(conn)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def generation(self) -> tuple:
        """A value that changes whenever any source is ingested, replaced or removed.

        Read from the manifest itself: in WAL mode another connection's write leaves the
        database file's mtime unchanged, so file metadata cannot tell.
        """
        return (
            self._conn()
            .execute(
                "SELECT COUNT(*), COALESCE(MAX(ingested_at), 0), "
                "(SELECT COUNT(*) FROM documents) FROM manifest"
            )
            .fetchone()
        )

    def manifest_entry(self, source: str) -> tuple[str, str] | None:
        row = (
            self._conn()
            .execute("SELECT file_sha, doc_id FROM manifest WHERE source = ?", (source,))
            .fetchone()
        )
        return (row[0], row[1]) if row else None

    def replace_document(
        self,
        source: str,
        doc: Document,
        chunks: Sequence[Chunk],
        facts: Sequence[Fact],
        tasks: Sequence[Task],
    ) -> None:
        conn = self._conn()
        with conn:
            old = self.manifest_entry(source)
            conn.execute(
                "INSERT OR REPLACE INTO manifest VALUES (?, ?, ?, ?)",
                (source, doc.file_sha, doc.doc_id, time.time()),
            )
            if old and old[1] != doc.doc_id:
                self._drop_if_orphan(conn, old[1])
            self._delete_doc_rows(conn, doc.doc_id)
            conn.execute(
                f"INSERT INTO documents ({_DOC_COLUMNS}, ingested_at) VALUES ({', '.join('?' * 15)})",
                (
                    doc.doc_id, doc.source, doc.title, doc.kind, doc.region, doc.year, doc.issuer,
                    doc.doc_number, doc.pub_date, doc.table_format,
                    json.dumps(doc.warnings, ensure_ascii=False), json.dumps(doc.pages), doc.text,
                    doc.file_sha, time.time(),
                ),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (c.chunk_id, c.doc_id, c.ordinal, c.start, c.end, c.text,
                     json.dumps(c.heading_path, ensure_ascii=False), c.tokens, c.page, c.kind,
                     c.context)
                    for c in chunks
                ],
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        f.doc_id,
                        f.table,
                        f.row,
                        f.col,
                        f.value,
                        f.unit,
                        f.start,
                        f.end,
                        f.origin,
                        int(f.blank),
                        f.page,
                        json.dumps(f.bbox) if f.bbox else None,
                        f.cell_start,
                        f.cell_end,
                    )
                    for f in facts
                ],  # fmt: skip
            )
            conn.executemany(
                "INSERT INTO tasks (doc_id, number, area, subtask, requirement, units, deadline,"
                ' start, "end", lead_units, subarea, units_printed)'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (t.doc_id, t.number, t.area, t.subtask, t.requirement,
                     json.dumps(t.units, ensure_ascii=False), t.deadline, t.start, t.end,
                     json.dumps(t.lead_units, ensure_ascii=False), t.subarea,
                     int(t.units_printed))
                    for t in tasks
                ],
            )  # fmt: skip

    def remove_source(self, source: str) -> bool:
        conn = self._conn()
        with conn:
            old = self.manifest_entry(source)
            if not old:
                return False
            conn.execute("DELETE FROM manifest WHERE source = ?", (source,))
            self._drop_if_orphan(conn, old[1])
        return True

    def remove_document(self, doc_id: str) -> bool:
        """Forget a document and every source path that held it."""
        conn = self._conn()
        with conn:
            found = conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            conn.execute("DELETE FROM manifest WHERE doc_id = ?", (doc_id,))
            self._delete_doc_rows(conn, doc_id)
        return bool(found)

    def _drop_if_orphan(self, conn: sqlite3.Connection, doc_id: str) -> None:
        held = conn.execute("SELECT 1 FROM manifest WHERE doc_id = ?", (doc_id,)).fetchone()
        if not held:
            self._delete_doc_rows(conn, doc_id)

    @staticmethod
    def _delete_doc_rows(conn: sqlite3.Connection, doc_id: str) -> None:
        for table in ("documents", "chunks", "facts", "tasks"):
            conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))

    def sources(self) -> dict[str, str]:
        """Source path → doc_id for every file in the manifest."""
        return dict(self._conn().execute("SELECT source, doc_id FROM manifest").fetchall())

    def documents(self) -> list[Document]:
        rows = (
            self._conn()
            .execute(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY kind, region, year, title")
            .fetchall()
        )
        return [_document(row) for row in rows]

    def document(self, doc_id: str) -> Document | None:
        row = (
            self._conn()
            .execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,))
            .fetchone()
        )
        return _document(row) if row else None

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        docs = {d.doc_id: d for d in self.documents()}
        sql = "SELECT * FROM chunks" + (" WHERE doc_id = ?" if doc_id else "")
        rows = self._conn().execute(sql + " ORDER BY doc_id, ordinal", (doc_id,) if doc_id else ())
        out = []
        for r in rows.fetchall():
            doc = docs.get(r[1])
            out.append(
                Chunk(
                    chunk_id=r[0], doc_id=r[1], ordinal=r[2], start=r[3], end=r[4], text=r[5],
                    heading_path=json.loads(r[6]), tokens=r[7], page=r[8], kind=r[9],
                    context=r[10], meta=doc.meta() if doc else {},
                )
            )  # fmt: skip
        return out

    def facts(self, doc_id: str | None = None) -> list[Fact]:
        sql = (
            'SELECT f.doc_id, f.tbl, f.row, f.col, f.value, f.unit, f.start, f."end", f.origin,'
            " d.region, d.year, f.blank, f.page, f.bbox, d.issuer, f.cell_start, f.cell_end"
            " FROM facts f JOIN documents d ON d.doc_id = f.doc_id"
        )
        params: tuple = ()
        if doc_id:
            sql, params = sql + " WHERE f.doc_id = ?", (doc_id,)
        rows = self._conn().execute(sql + " ORDER BY f.rowid", params).fetchall()
        return [
            Fact(
                doc_id=r[0], table=r[1], row=r[2], col=r[3], value=r[4], unit=r[5], start=r[6],
                end=r[7], origin=r[8], region=r[9], year=r[10], blank=bool(r[11]), page=r[12],
                bbox=tuple(json.loads(r[13])) if r[13] else None, issuer=r[14] or "",
                cell_start=r[15], cell_end=r[16],
            )
            for r in rows
        ]  # fmt: skip

    def tasks(self, doc_id: str | None = None) -> list[Task]:
        sql = (
            "SELECT t.doc_id, t.number, t.area, t.subtask, t.requirement, t.units, t.deadline,"
            ' t.start, t."end", d.region, d.year, t.lead_units, t.subarea, t.units_printed'
            " FROM tasks t"
            " JOIN documents d ON d.doc_id = t.doc_id"
        )
        params: tuple = ()
        if doc_id:
            sql, params = sql + " WHERE t.doc_id = ?", (doc_id,)
        rows = self._conn().execute(sql + " ORDER BY t.rowid", params).fetchall()
        return [
            Task(
                doc_id=r[0], number=r[1], area=r[2], subtask=r[3], requirement=r[4],
                units=json.loads(r[5]), deadline=r[6], start=r[7], end=r[8], region=r[9],
                year=r[10], lead_units=json.loads(r[11] or "[]"), subarea=r[12] or "",
                units_printed=bool(r[13]),
            )
            for r in rows
        ]  # fmt: skip

    def counts(self) -> dict[str, int]:
        """Row counts per table (documents, chunks, facts, tasks, manifest)."""
        conn = self._conn()
        return {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("documents", "chunks", "facts", "tasks", "manifest")
        }


def _document(row: tuple) -> Document:
    return Document(
        doc_id=row[0], source=row[1], title=row[2], kind=row[3], region=row[4], year=row[5],
        issuer=row[6], doc_number=row[7], pub_date=row[8], table_format=row[9],
        warnings=json.loads(row[10]), pages=[tuple(p) for p in json.loads(row[11])],
        text=row[12], file_sha=row[13],
    )  # fmt: skip
