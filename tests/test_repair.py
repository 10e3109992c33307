"""Damaged or unwritable state gives a clear error and is repaired from the document store."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.app_process import REPO, app_env

pytestmark = pytest.mark.slow
DOC = REPO / "data" / "sample" / "laiwu_2020_annual_report.txt"


def cli(home, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=REPO, env=app_env(home), capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_a_corrupt_vector_store_is_named_and_reindex_rebuilds_it(tmp_path):
    home = tmp_path / "home"
    assert cli(home, "ingest", str(DOC)).returncode == 0
    for path in (home / "chroma").rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            path.write_bytes(b"\x00garbage" * 64)
    broken = cli(home, "ingest", str(DOC))
    assert broken.returncode == 2, broken.stderr
    assert "无法打开" in broken.stderr and "reindex" in broken.stderr
    assert "Traceback" not in broken.stderr
    asked = cli(home, "ask", "--json", "莱芜区2020年如何推进政府网站集约化建设？")
    assert asked.returncode == 0 and '"refused": false' in asked.stdout  # keyword search answers
    repaired = cli(home, "reindex")
    assert repaired.returncode == 0, repaired.stderr
    assert "已从文档库重建检索索引" in repaired.stdout
    search = cli(home, "search", "--k", "1", "政府网站集约化")
    assert search.returncode == 0 and "向量" in search.stdout  # the vector index answers again


def test_a_full_disk_is_a_clear_error_and_nothing_is_lost(tmp_path):
    home = tmp_path / "home"
    assert cli(home, "ingest", str(DOC)).returncode == 0
    before = cli(home, "facts", "--json").stdout
    new = tmp_path / "new.txt"
    new.write_text("某区人民政府办公室\n关于培训的通知\n" + "培训安排如下。" * 3000, "utf-8")
    # A full disk as the stores see it: writes past a size fail with EFBIG (no signal).
    run = subprocess.run(
        [sys.executable, "-c",
         "import resource, runpy, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
         "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000));"
         "sys.argv=['assistant','ingest',sys.argv[1]]; runpy.run_module('assistant', run_name='__main__')",
         str(new)],
        cwd=REPO, env=app_env(home), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr[-2000:]
    assert "无法写入" in run.stderr and "Traceback" not in run.stderr
    assert cli(home, "facts", "--json").stdout == before
    healed = cli(home, "ingest", str(new))  # room again: the next run completes the indexes
    assert healed.returncode == 0, healed.stderr
