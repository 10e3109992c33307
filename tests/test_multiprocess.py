"""The deployment for a whole city: several app processes, one index, an ingest beside them.

A real ``chroma run`` server on loopback holds the vectors; the SQLite facts store (WAL) and the
BM25 folder sit in one shared GONGKAI_HOME. Two ``python app.py`` processes answer questions
while a third process (``python -m assistant ingest``) adds a document; no request fails, and
afterwards both apps answer from the new document.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.app_process import REPO, app_env, chroma_server, running_app

pytestmark = pytest.mark.slow
NOTICE = """济南市莱芜区人民政府办公室
关于开展政务公开多进程部署演练的通知
一、演练安排
多进程部署演练由区政务服务中心牵头，2025年6月底前完成全部演练。
济南市莱芜区人民政府办公室
2025年3月1日
"""
NEW_QUESTION = "多进程部署演练由哪个单位牵头？"


@pytest.fixture
def chroma_url(tmp_path):
    with chroma_server(tmp_path / "chroma-server") as url:
        yield url


def ingest(home: Path, chroma_url: str, *paths: Path) -> subprocess.Popen:
    env = app_env(home, GONGKAI_CHROMA_URL=chroma_url)
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest", *map(str, paths)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def test_two_apps_answer_while_a_third_process_ingests(tmp_path, chroma_url):
    home = tmp_path / "home"
    first = ingest(home, chroma_url, REPO / "data" / "sample")
    out, _ = first.communicate(timeout=600)
    assert first.returncode == 0, out
    notice = tmp_path / "new" / "多进程部署演练通知.txt"
    notice.parent.mkdir()
    notice.write_text(NOTICE, encoding="utf-8")
    logs = REPO / "test-artifacts" / "multiprocess"
    with ExitStack() as stack:
        urls = [
            stack.enter_context(
                running_app(home, logs / f"app{i}.log", GONGKAI_CHROMA_URL=chroma_url)
            ).rstrip("/")
            for i in (1, 2)
        ]
        failures: list[str] = []
        answered = [0]
        stop = threading.Event()

        def keep_asking(url: str) -> None:
            with httpx.Client(base_url=url, timeout=60) as client:
                while not stop.is_set():
                    for question in (
                        "莱芜区2020年行政复议结果纠正多少件？",
                        "政务新媒体有什么要求？",
                    ):
                        response = client.post("/api/ask", json={"question": question})
                        body = response.json() if response.status_code == 200 else {}
                        if response.status_code != 200 or body.get("refused"):
                            failures.append(f"{url} {question}: {response.status_code} {body}")
                        elif "复议" in question and body.get("value") != 10:
                            failures.append(f"{url} {question}: value {body.get('value')}")
                        answered[0] += 1

        askers = [threading.Thread(target=keep_asking, args=(u,)) for u in urls for _ in (1, 2)]
        for t in askers:
            t.start()
        third = ingest(home, chroma_url, notice.parent)
        out, _ = third.communicate(timeout=300)
        time.sleep(1.0)  # keep asking across the index switch
        stop.set()
        for t in askers:
            t.join(timeout=120)
        assert third.returncode == 0, out
        assert not failures, failures[:5]
        assert answered[0] >= 8
        for url in urls:
            body = httpx.post(f"{url}/api/ask", json={"question": NEW_QUESTION}, timeout=60).json()
            assert "区政务服务中心" in body["answer"], (url, body)
            assert any("区政务服务中心牵头" in c["quote"] for c in body["citations"]), body
