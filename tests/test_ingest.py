"""Ingest on the real sample corpus: tags, cleaning, chunk spans and bounds, bad input, idempotency."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from index.chunk import MAX_TOKENS, count_tokens
from index.clean import clean_text
from index.load import decode_text, load_file
from index.models import IngestError
from index.pipeline import ingest_paths
from index.stores.sqlite import SQLiteStore
from tests.conftest import SAMPLE_DIR

EXPECTED_TAGS = {
    # file: (kind, region, year, 文号, table format)
    "laiwu_2020_annual_report.txt": ("annual_report", "济南市莱芜区", 2020, "", "2019"),
    "huaiyin_2019_annual_report.txt": ("annual_report", "槐荫区", 2019, "", "2019"),
    "huaiyin_2020_work_points.txt": ("work_points", "槐荫区", 2020, "槐政办发〔2020〕1号", ""),
    "laiwu_2022_work_points.txt": (
        "work_points",
        "济南市莱芜区",
        2022,
        "莱芜政办发〔2022〕2号",
        "",
    ),
    "spam_2021_annual_report.txt": ("annual_report", "", 2021, "", ""),
    "hongze_2023_annual_report.pdf": ("annual_report", "淮安市洪泽区", 2023, "", "2021"),
    "hongze_2024_annual_report.pdf": ("annual_report", "淮安市洪泽区", 2024, "", "2021"),
    "huaian_2024_annual_report.pdf": ("annual_report", "淮安市", 2024, "", "2021"),
}
CHROME = [
    "无障碍阅读",
    "关怀版",
    "返回首页",
    "打印整页",
    "打印内容",
    "扫码使用手机浏览本页内容",
    "字号",
]


def test_every_sample_document_is_ingested(sample_docs):
    assert set(sample_docs) == set(EXPECTED_TAGS)


@pytest.mark.parametrize("name", sorted(EXPECTED_TAGS))
def test_tags(sample_docs, name):
    doc = sample_docs[name]
    kind, region, year, number, table_format = EXPECTED_TAGS[name]
    assert (doc.kind, doc.region, doc.year, doc.doc_number, doc.table_format) == (
        kind, region, year, number, table_format,
    )  # fmt: skip
    assert doc.title and "bet365" not in doc.title


def test_publication_dates_and_issuers(sample_docs):
    assert sample_docs["laiwu_2022_work_points.txt"].pub_date == "2022-06-15"
    assert sample_docs["huaiyin_2020_work_points.txt"].pub_date == "2020-08-27"
    # region and issuer are separate fields: 济南市莱芜区人民政府办公室 → 济南市莱芜区 + 办公室
    laiwu_points = sample_docs["laiwu_2022_work_points.txt"]
    assert (laiwu_points.region, laiwu_points.issuer) == ("济南市莱芜区", "办公室")
    assert sample_docs["laiwu_2020_annual_report.txt"].issuer == "人民政府"


def test_spam_is_flagged_only_on_the_contaminated_report(sample_docs):
    for name, doc in sample_docs.items():
        spam = [w for w in doc.warnings if w.startswith("spam_injected")]
        assert bool(spam) == (name == "spam_2021_annual_report.txt"), (name, doc.warnings)
    spam_doc = sample_docs["spam_2021_annual_report.txt"]
    assert "bet365" not in spam_doc.text
    assert not spam_doc.issuer and "region_unknown" in spam_doc.warnings
    assert any(w.startswith("tables_missing") for w in spam_doc.warnings)
    assert "2021年共收到政府信息公开案件70件" in spam_doc.text  # the rest stays usable


def test_spam_span_points_at_the_spam_in_the_raw_text():
    raw = (SAMPLE_DIR / "spam_2021_annual_report.txt").read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    assert cleaned.spam and all(raw[s:e] == w for s, e, w in cleaned.spam)
    assert all("bet365" in w for _, _, w in cleaned.spam)


def test_no_ocr_noise_or_web_chrome_in_any_chunk(sample_store):
    for chunk in sample_store.chunks():
        for word in CHROME:
            assert word not in chunk.text, (chunk.chunk_id, word)
        assert "[image:" not in chunk.text
        assert not re.search(r"^\s*[—\-]\s*\d+\s*[—\-]\s*$", chunk.text, re.M), chunk.chunk_id
        for line in chunk.text.split("\n"):
            # A line without Chinese must be numbers, dates, ids or URLs, never letter soup.
            if line.strip() and not re.search(r"[\u4e00-\u9fff]", line):
                assert not re.search(r"[A-Za-z]{2,}\s+[A-Za-z]", line), (chunk.chunk_id, line)


def test_ocr_noise_is_removed_but_the_text_after_it_is_kept(sample_docs):
    text = sample_docs["laiwu_2020_annual_report.txt"].text
    assert "The People's Government" not in text and "BSHE" not in text
    assert "其中，不予公开1件" in text  # the sentence right after an image marker


def test_every_chunk_span_maps_back_to_exactly_its_text(sample_store, sample_docs):
    docs = {d.doc_id: d for d in sample_docs.values()}
    for chunk in sample_store.chunks():
        assert docs[chunk.doc_id].text[chunk.start : chunk.end] == chunk.text


def test_chunk_token_counts_and_sentence_boundaries(sample_store, sample_docs):
    docs = {d.doc_id: d for d in sample_docs.values()}
    chunks = sample_store.chunks()
    for chunk in chunks:
        assert chunk.tokens == count_tokens(chunk.text)
        assert 0 < chunk.tokens <= MAX_TOKENS, (chunk.chunk_id, chunk.tokens)
        if chunk.kind == "text":
            # A chunk never ends mid-sentence unless its paragraph continues on the next line.
            text = docs[chunk.doc_id].text
            after = text[chunk.end : chunk.end + 1]
            assert after in ("", "\n") or chunk.text[-1] in "。！？；，、", chunk.chunk_id
    text_tokens = [c.tokens for c in chunks if c.kind == "text"]
    assert sum(text_tokens) / len(text_tokens) >= 150


def test_chunks_follow_headings_and_tables_carry_their_header(sample_store, sample_docs):
    doc = sample_docs["laiwu_2020_annual_report.txt"]
    chunks = sample_store.chunks(doc.doc_id)
    paths = {c.section for c in chunks}
    assert any(p.startswith("一、总体情况 › （一）主动公开") for p in paths)
    tables = [c for c in chunks if c.kind == "table"]
    assert any("申请人情况" in c.context and "（四）无法提供" in c.text for c in tables)
    work = sample_docs["laiwu_2022_work_points.txt"]
    task_chunks = [c for c in sample_store.chunks(work.doc_id) if c.kind == "table"]
    assert task_chunks and all("责任单位" in c.context for c in task_chunks)


def test_pdf_chunks_know_their_page(sample_store, sample_docs):
    doc = sample_docs["huaian_2024_annual_report.pdf"]
    pages = {c.page for c in sample_store.chunks(doc.doc_id)}
    assert pages >= {1, 2, 3}
    first_page_end = doc.pages[1][0]
    assert "2024 年政府信息公开工作年度报告" in doc.text[:first_page_end]


def test_pdf_line_wraps_inside_sentences_are_joined(sample_docs):
    text = sample_docs["huaian_2024_annual_report.pdf"].text
    assert "政府信息公开行政复议 351件" in text.replace("\n", "") and "行政复议 351\n" not in text
    assert "2024 年政府信息公开工作年度报告\n" in text  # a short title line is not joined


def test_decoding_gbk_gb18030_and_mixed():
    text = "济南市莱芜区2020年政府信息公开工作年度报告"
    assert decode_text(text.encode("gbk")) == (text, [])
    assert decode_text(text.encode("gb18030")) == (text, [])
    mixed, warnings = decode_text(
        text.encode("utf-8") + b"\n" + text.encode("gbk") + b"\n\xff\xfe\xfa"
    )
    assert mixed.split("\n")[:2] == [text, text] and "mixed_encoding" in warnings


def _bad_files(folder: Path) -> dict[str, str]:
    """Bad inputs and a word their error must contain."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 40)
    pdf = (SAMPLE_DIR / "huaian_2024_annual_report.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(pdf[:1500])
    (folder / "fake.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(folder / "zip_of_other.docx", "w") as zf:
        zf.writestr("readme.txt", "这不是一个 Word 文档")
    with open(folder / "huge.txt", "wb") as fh:
        fh.write(("政府信息公开" * 10).encode() * 90000)  # ~16 MB with a 1 MB limit below
    (folder / "notes.xyz").write_text("不支持的格式", encoding="utf-8")
    return {
        "empty.txt": "空文件",
        "junk.txt": "二进制",
        "truncated.pdf": "PDF",
        "fake.docx": ".docx",
        "zip_of_other.docx": ".docx",
        "huge.txt": "文件过大",
        "notes.xyz": "不支持",
    }


def test_encrypted_pdf_gets_a_clear_error(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(SAMPLE_DIR / "hongze_2023_annual_report.pdf").pages:
        writer.add_page(page)
    writer.encrypt("secret")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    with pytest.raises(IngestError, match="加密") as err:
        load_file(path)
    assert str(path) in str(err.value)


def test_bad_inputs_fail_alone_with_clear_errors_and_lose_nothing(tmp_path):
    store = SQLiteStore(tmp_path / "home" / "db.sqlite3")
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(SAMPLE_DIR / "laiwu_2020_annual_report.txt", good)
    ingest_paths([good], store)
    before = store.counts()

    bad = tmp_path / "bad"
    bad.mkdir()
    expected = _bad_files(bad)
    shutil.copy(SAMPLE_DIR / "huaiyin_2019_annual_report.txt", bad)
    results = ingest_paths(
        [bad / name for name in expected] + [bad / "huaiyin_2019_annual_report.txt"],
        store,
        max_bytes=1024 * 1024,
    )
    by_name = {Path(r.source).name: r for r in results}
    for name, word in expected.items():
        result = by_name[name]
        assert result.status == "failed", name
        assert name in result.error and word in result.error, result.error
        assert "\n" not in result.error
    assert by_name["huaiyin_2019_annual_report.txt"].status == "added"
    after = store.counts()
    assert after["documents"] == before["documents"] + 1
    assert after["chunks"] > before["chunks"]


def test_reingest_is_idempotent_and_a_changed_file_replaces_its_chunks(tmp_path):
    store = SQLiteStore(tmp_path / "db.sqlite3")
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("laiwu_2020_annual_report.txt", "laiwu_2022_work_points.txt"):
        shutil.copy(SAMPLE_DIR / name, folder)
    first = ingest_paths([folder], store)
    counts = store.counts()
    ids = {c.chunk_id for c in store.chunks()}
    second = ingest_paths([folder], store)
    assert {r.status for r in first} == {"added"} and {r.status for r in second} == {"unchanged"}
    assert store.counts() == counts and {c.chunk_id for c in store.chunks()} == ids

    path = folder / "laiwu_2020_annual_report.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "六、其他需要报告的事项\n无。", "六、其他需要报告的事项\n本年度无收费。"
        ),
        encoding="utf-8",
    )
    third = ingest_paths([folder], store)
    assert sorted(r.status for r in third) == ["unchanged", "updated"]
    docs = store.documents()
    assert len(docs) == 2
    texts = "".join(c.text for c in store.chunks())
    assert "本年度无收费。" in texts
    old_doc_ids = {r.doc.doc_id for r in first}
    new_doc_ids = {d.doc_id for d in docs}
    assert len(old_doc_ids & new_doc_ids) == 1  # the changed file got a new content id
    assert all(c.doc_id in new_doc_ids for c in store.chunks())
    assert all(f.doc_id in new_doc_ids for f in store.facts())


def test_docx_and_html_are_loaded_with_their_tables(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("一、总体情况")
    table = document.add_table(rows=2, cols=3)
    for i, cell in enumerate(["信息内容", "本年制发件数", "本年废止件数"]):
        table.rows[0].cells[i].text = cell
    for i, cell in enumerate(["规章", "1", "0"]):
        table.rows[1].cells[i].text = cell
    document.add_paragraph("二、结尾")
    document.save(tmp_path / "t.docx")
    text = load_file(tmp_path / "t.docx").text
    assert text.split("\n") == [
        "一、总体情况",
        "信息内容\t本年制发件数\t本年废止件数",
        "规章\t1\t0",
        "二、结尾",
    ]

    (tmp_path / "t.html").write_text(
        "<html><head><style>p{}</style><script>alert(1)</script></head><body><nav>返回首页</nav>"
        "<p>正文第一段。</p><table><tr><td rowspan=2>行政复议</td><td>1</td></tr>"
        "<tr><td>2</td></tr></table></body></html>",
        encoding="utf-8",
    )
    html = load_file(tmp_path / "t.html").text
    assert html.split("\n") == ["正文第一段。", "行政复议\t1", "\t2"]


def test_every_input_form_ingests_with_tables_and_pdf_facts_know_their_page(tmp_path):
    dev = SAMPLE_DIR.parent.parent.parent / "shared" / "realdocs" / "dev"
    if not dev.exists():
        pytest.skip("dev corpus not mounted")
    crawled = dev / "pingtan-gonganju_2024_annual_report.txt"
    (tmp_path / "utf16.txt").write_bytes(
        b"\xff\xfe" + crawled.read_text(encoding="utf-8").encode("utf-16-le")
    )
    shutil.copy(crawled, tmp_path / "utf8.txt")
    shutil.copy(dev / "pingtan-shehuishiyeju-html_2023_annual_report.html", tmp_path)
    shutil.copy(SAMPLE_DIR / "huaian_2024_annual_report.pdf", tmp_path)
    store = SQLiteStore(tmp_path / "gongkai.sqlite3")
    results = {Path(r.source).name: r for r in ingest_paths([tmp_path], store)}
    assert all(r.status == "added" for r in results.values()), results
    assert results["utf16.txt"].doc.text == results["utf8.txt"].doc.text
    assert results["pingtan-shehuishiyeju-html_2023_annual_report.html"].facts >= 150
    pdf = results["huaian_2024_annual_report.pdf"].doc
    facts = [f for f in store.facts(pdf.doc_id) if f.origin == "table"]
    assert len(facts) >= 196
    assert all(f.page == pdf.page_at(f.cell_start or f.start) for f in facts)
    assert {f.page for f in facts if f.table == "依申请"} == {4, 5}
