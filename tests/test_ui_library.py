"""The document library: checked uploads, per-file results, re-ingest and delete (real files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.load import load_file
from index.models import IngestError
from index.stores.sqlite import SQLiteStore
from ui import library

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
MB = 1024 * 1024


@pytest.fixture
def store(tmp_path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "home" / "gongkai.sqlite3")


@pytest.fixture
def uploads(tmp_path) -> Path:
    return tmp_path / "home" / "uploads"


def browser_upload(tmp_path: Path, name: str, data: bytes) -> tuple[Path, str]:
    """A file as Gradio hands it over: a temporary path and the name the user picked."""
    folder = tmp_path / "gradio-tmp"
    folder.mkdir(exist_ok=True)
    path = folder / Path(name.replace("\\", "/")).name
    path.write_bytes(data)
    return path, name


# -- names, types, sizes ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\科员\\报告.PDF", "报告.pdf"),
        (".hidden.txt", "hidden.txt"),
        ("a\x00b|c?.txt", "a_b_c.txt"),
        ("2020年报 (终稿).docx", "2020年报 (终稿).docx"),
    ],
)
def test_upload_names_are_reduced_to_a_plain_file_name(sent, kept):
    assert library.safe_upload_name(sent) == kept


@pytest.mark.parametrize("sent", ["", "..", "/", "../..", "\x00"])
def test_names_without_a_file_name_are_refused(sent):
    with pytest.raises(IngestError, match="文件名无效"):
        library.safe_upload_name(sent)


def test_long_names_keep_their_suffix():
    name = library.safe_upload_name("报" * 300 + ".txt")
    assert len(name) <= library.MAX_NAME_CHARS and name.endswith(".txt")


def test_destination_never_leaves_the_upload_folder(uploads):
    for name in ("../../x.txt", "/etc/x.txt", "sub/../../x.txt", "..\\..\\x.txt"):
        assert library.upload_destination(uploads, name).parent == uploads.resolve()


def test_type_and_size_are_checked_before_keeping(tmp_path):
    exe, _ = browser_upload(tmp_path, "setup.exe", b"MZ")
    with pytest.raises(IngestError, match=r"不支持的文件类型 \.exe"):
        library.check_upload(exe, "setup.exe", MB)
    big, _ = browser_upload(tmp_path, "big.txt", b"x" * (MB + 1))
    with pytest.raises(IngestError, match=r"文件过大（1\.0 MB，上限 1 MB）"):
        library.check_upload(big, "big.txt", MB)
    empty, _ = browser_upload(tmp_path, "empty.txt", b"")
    with pytest.raises(IngestError, match="空文件"):
        library.check_upload(empty, "empty.txt", MB)


# -- ingesting uploads ------------------------------------------------------------------
def test_uploads_are_ingested_with_a_result_per_file(tmp_path, store, uploads):
    report = (SAMPLE / "laiwu_2020_annual_report.txt").read_bytes()
    files = [
        browser_upload(tmp_path, "../莱芜2020年报.txt", report),
        browser_upload(tmp_path, "setup.exe", b"MZ\x90\x00"),
    ]
    seen = []
    outcomes = library.ingest_uploads(
        files, store, [], uploads, 20 * MB, progress=lambda f, m: seen.append((f, m))
    )
    assert [o.status for o in outcomes] == ["added", "failed"]
    assert outcomes[0].message.startswith("✓ 新增 莱芜2020年报.txt：《济南市莱芜区人民政府2020年")
    assert "济南市莱芜区 2020" in outcomes[0].message
    assert outcomes[1].message == "✗ setup.exe: 不支持的文件类型 .exe"
    assert sorted(p.name for p in uploads.iterdir()) == ["莱芜2020年报.txt"]
    assert [d.doc_id for d in store.documents()] == [outcomes[0].doc_id]
    assert seen[0] == (0.0, "正在入库 1/2：../莱芜2020年报.txt") and seen[-1] == (1.0, "完成")
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)

    again = library.ingest_uploads(files[:1], store, [], uploads, 20 * MB)
    assert again[0].status == "unchanged"


def test_a_file_the_pipeline_refuses_gets_the_cli_error_and_is_not_kept(tmp_path, store, uploads):
    path, name = browser_upload(tmp_path, "伪装.txt", b"\x00\x01\x02binary" * 100)
    with pytest.raises(IngestError) as cli_error:  # what `python -m assistant ingest` reports
        load_file(path)
    [outcome] = library.ingest_uploads([(path, name)], store, [], uploads, 20 * MB)
    assert outcome.message == f"✗ 伪装.txt: {cli_error.value.reason}"
    assert not (uploads / "伪装.txt").exists()
    assert store.documents() == []


def test_a_refused_replacement_restores_the_previous_upload(tmp_path, store, uploads):
    good = (SAMPLE / "huaiyin_2019_annual_report.txt").read_bytes()
    library.ingest_uploads(
        [browser_upload(tmp_path, "年报.txt", good)], store, [], uploads, 20 * MB
    )
    [outcome] = library.ingest_uploads(
        [browser_upload(tmp_path, "年报.txt", b"\x00" * 50)], store, [], uploads, 20 * MB
    )
    assert outcome.status == "failed"
    assert (uploads / "年报.txt").read_bytes() == good
    assert len(store.documents()) == 1


def test_delete_removes_the_document_and_its_uploaded_file(tmp_path, store, uploads):
    report = (SAMPLE / "laiwu_2022_work_points.txt").read_bytes()
    [added] = library.ingest_uploads(
        [browser_upload(tmp_path, "要点.txt", report)], store, [], uploads, 20 * MB
    )
    outside = tmp_path / "elsewhere" / "spam_2021_annual_report.txt"
    outside.parent.mkdir()
    shutil.copy(SAMPLE / "spam_2021_annual_report.txt", outside)
    from index.pipeline import ingest_paths

    [kept] = ingest_paths([outside], store)
    outcome = library.delete_document(store, [], added.doc_id, uploads)
    assert outcome.status == "deleted" and outcome.message.startswith("✓ 已删除《")
    assert store.document(added.doc_id) is None and not (uploads / "要点.txt").exists()
    library.delete_document(store, [], kept.doc.doc_id, uploads)
    assert outside.exists()  # files staff did not upload here are never deleted
    assert library.delete_document(store, [], "0000", uploads).status == "failed"


def test_reingest_parses_again_and_reports_missing_sources(tmp_path, store, uploads):
    report = (SAMPLE / "laiwu_2020_annual_report.txt").read_bytes()
    [added] = library.ingest_uploads(
        [browser_upload(tmp_path, "年报.txt", report)], store, [], uploads, 20 * MB
    )
    facts_before = len(store.facts(added.doc_id))
    [again] = library.reingest_document(store, [], added.doc_id, 20 * MB)
    assert again.status == "updated" and again.message.startswith("✓ 更新 年报.txt")
    assert len(store.facts(added.doc_id)) == facts_before > 0
    (uploads / "年报.txt").unlink()
    [missing] = library.reingest_document(store, [], added.doc_id, 20 * MB)
    assert missing.message == "✗ 年报.txt: 源文件已不存在，无法重新入库"
    assert store.document(added.doc_id) is not None  # the indexed version stays


def test_an_upload_is_visible_to_readers_in_other_threads(tmp_path, store, uploads):
    """Answering runs in other threads with its own connections; its caches must refresh."""
    import threading

    reader = SQLiteStore(store.path)
    generations = []

    def read_generation():
        generations.append(reader.generation())

    for step in ("before", "after"):
        if step == "after":
            report = (SAMPLE / "laiwu_2020_annual_report.txt").read_bytes()
            library.ingest_uploads(
                [browser_upload(tmp_path, "年报.txt", report)], store, [], uploads, 20 * MB
            )
        thread = threading.Thread(target=read_generation)
        thread.start()
        thread.join()
    assert generations[0] != generations[1]
