"""The HTTP API of a really started app (``python app.py`` on loopback): REST and OpenAI routes.

The app runs on a copy of the ingested sample corpus with a login (GONGKAI_AUTH) and an API
token (GONGKAI_API_TOKEN); answers are extractive (GONGKAI_LLM=none).
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.app_process import REPO, running_app, sample_home_copy

pytestmark = pytest.mark.slow
TOKEN = "test-token-甲".encode().hex()
USER, PASSWORD = "办公室", "口令-1"
FUYI = "莱芜区2020年行政复议结果纠正多少件？"
LOG = REPO / "test-artifacts" / "api" / "app.log"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def base_url(request, tmp_path_factory) -> str:
    home = sample_home_copy(request.config, tmp_path_factory.mktemp("api") / "home")
    env = {"GONGKAI_AUTH": f"{USER}:{PASSWORD}", "GONGKAI_API_TOKEN": TOKEN}
    with running_app(home, LOG, headers=basic(USER, PASSWORD), **env) as url:
        yield url.rstrip("/")


@pytest.fixture(scope="module")
def api(base_url) -> httpx.Client:
    with httpx.Client(base_url=base_url, headers=BEARER, timeout=60) as client:
        yield client


def sse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((lines.get("event", ""), json.loads(lines["data"])))
    return events


def test_openapi_schema_documents_every_route(api):
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/api/ask", "/api/documents", "/api/documents/{doc_id}", "/api/facts",
                 "/api/tasks", "/api/check", "/v1/chat/completions", "/v1/models"):  # fmt: skip
        assert path in paths, path
    assert set(paths["/api/documents"]) == {"get", "post"}


def test_ask_returns_the_answer_contract_with_the_cell_and_its_citation(api):
    body = api.post("/api/ask", json={"question": FUYI}).json()
    assert body["route"] == "table" and body["value"] == 10 and body["unit"] == "件"
    assert body["refused"] is False and body["mode"] == "table"
    quote = body["citations"][0]["quote"]
    assert "10" in quote and body["citations"][0]["title"]
    assert {"question", "answer", "warnings", "latency_ms", "cells"} <= set(body)


def test_follow_up_uses_the_history_sent_by_the_client(api):
    first = api.post("/api/ask", json={"question": FUYI}).json()
    body = api.post("/api/ask", json={"question": "那2019年呢？", "history": [first]}).json()
    assert "2019" in body.get("rewritten", "") or body["refused"]


def test_refusal_for_a_region_the_corpus_does_not_hold(api):
    body = api.post("/api/ask", json={"question": "拉萨市2020年行政复议结果纠正多少件？"}).json()
    assert body["refused"] is True and body["value"] is None


def test_streamed_ask_ends_with_the_final_answer_object(api):
    response = api.post("/api/ask", json={"question": FUYI, "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    assert events[-1][0] == "answer" and events[-1][1]["value"] == 10


def test_documents_facts_and_tasks_can_be_listed_and_filtered(api):
    docs = api.get("/api/documents").json()
    assert len(docs) == 8 and all("text" not in d for d in docs)
    laiwu = next(d for d in docs if d["kind"] == "annual_report" and d["year"] == 2020)
    one = api.get(f"/api/documents/{laiwu['doc_id']}").json()
    assert one["region"] == laiwu["region"] and one["chunks"][0]["end"] > 0
    facts = api.get("/api/facts", params={"doc_id": laiwu["doc_id"], "table": "复议诉讼"}).json()
    corrected = [f for f in facts if f["row"] == "行政复议" and f["col"] == "结果纠正"]
    assert [f["value"] for f in corrected] == [10]
    tasks = api.get("/api/tasks", params={"year": 2022}).json()
    assert tasks and all(t["year"] == 2022 for t in tasks)


def test_login_is_required_and_every_way_in_works(base_url, api):
    assert api.get("/api/documents").status_code == 200
    with httpx.Client(base_url=base_url, timeout=30) as anonymous:
        denied = anonymous.get("/api/documents")
        assert denied.status_code == 401 and denied.json()["error"] == "unauthorized"
        assert anonymous.get("/api/documents", headers=basic(USER, PASSWORD)).status_code == 200
        wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "0"}
        assert anonymous.get("/api/documents", headers=wrong).status_code == 401
        assert anonymous.get("/api/documents", headers=basic(USER, "x")).status_code == 401
        assert anonymous.post("/v1/chat/completions", json={}).status_code == 401


def test_bad_input_gets_json_errors_with_proper_status_codes(api):
    invalid = api.post(
        "/api/ask", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert invalid.status_code == 422 and invalid.json()["error"] == "invalid_request"
    long = api.post("/api/ask", json={"question": "问" * 1001})
    assert long.status_code == 422
    huge = api.post("/api/ask", json={"question": "x", "history": [{"q": "x" * 300_000}]})
    assert huge.status_code == 413 and huge.json()["error"] == "too_large"
    missing = api.get("/api/documents/ffffffffffffffff")
    assert missing.status_code == 404 and "ffffffffffffffff" in missing.json()["detail"]
    assert api.delete("/api/documents/ffffffffffffffff").status_code == 404
    empty = api.post(
        "/v1/chat/completions", json={"messages": [{"role": "system", "content": "x"}]}
    )
    assert empty.status_code == 422


def test_upload_answer_and_delete_a_document(api, tmp_path):
    notice = (
        "济南市莱芜区人民政府办公室\n关于开展政务公开接口联调工作的通知\n"
        "一、联调安排\n接口联调工作由区大数据中心牵头，2024年11月底前完成。\n"
        "济南市莱芜区人民政府办公室\n2024年3月1日\n"
    )
    files = [("files", ("接口联调通知.txt", notice.encode(), "text/plain")),
             ("files", ("bad.exe", b"MZ", "application/octet-stream"))]  # fmt: skip
    body = api.post("/api/documents", files=files).json()
    statuses = {r["name"]: r["status"] for r in body["results"]}
    assert statuses["接口联调通知.txt"] == "added" and statuses["bad.exe"] == "failed"
    assert body["ok"] is False
    doc_id = next(r["doc_id"] for r in body["results"] if r["status"] == "added")
    answer = api.post("/api/ask", json={"question": "接口联调工作由哪个单位牵头？"}).json()
    assert "大数据中心" in answer["answer"]
    assert any(c["doc_id"] == doc_id for c in answer["citations"])
    assert api.delete(f"/api/documents/{doc_id}").json()["status"] == "deleted"
    assert api.get(f"/api/documents/{doc_id}").status_code == 404


def test_openai_client_gets_a_streamed_answer_with_citations(base_url):
    from openai import OpenAI

    client = OpenAI(base_url=f"{base_url}/v1", api_key=TOKEN)
    assert [m.id for m in client.models.list().data] == ["gongkai"]
    stream = client.chat.completions.create(
        model="gongkai", messages=[{"role": "user", "content": FUYI}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "10" in text and "[1]" in text and f"{base_url}/source/" in text
    final = chunks[-1].model_extra["gongkai"]
    assert final["value"] == 10 and final["citations"]


def test_openai_completion_carries_the_answer_object(api):
    body = api.post(
        "/v1/chat/completions",
        json={"model": "gongkai", "messages": [
            {"role": "user", "content": FUYI}, {"role": "assistant", "content": "10件"},
            {"role": "user", "content": "那2019年呢？"}]},
    ).json()  # fmt: skip
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["role"] == "assistant"
    assert body["gongkai"]["question"] == "那2019年呢？"
    assert "2019" in body["gongkai"].get("rewritten", "") or body["gongkai"]["refused"]


def test_schemathesis_finds_no_server_error(base_url, tmp_path):
    """Generated requests for every operation of /openapi.json: none may get a 5xx."""
    import shutil
    import subprocess
    import sys

    cli = shutil.which("schemathesis", path=str(REPO / ".venv" / "bin")) or shutil.which(
        "schemathesis", path=str(__import__("pathlib").Path(sys.executable).parent)
    )
    if cli is None:
        pytest.skip("schemathesis 未安装（requirements-dev.txt）")
    run = subprocess.run(
        [cli, "run", f"{base_url}/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", "25", "--seed", "7", "--request-timeout", "60",
         "-H", f"Authorization: Bearer {TOKEN}", "--exclude-method", "DELETE",
         "--phases", "examples,coverage,fuzzing"],
        capture_output=True, text=True, timeout=480, cwd=tmp_path,
    )  # fmt: skip
    report = run.stdout[-4000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert "not_a_server_error" in run.stdout or "passed" in run.stdout.lower(), report


def test_check_lists_findings_with_citations(api):
    findings = api.get("/api/check", params={"region": "洪泽区", "year": 2023}).json()
    identity = [f for f in findings if f["rule"] == "勾稽关系"]
    assert identity and identity[0]["severity"] == "错误" and "复议诉讼" in identity[0]["message"]
    assert all(f["doc_id"] == identity[0]["doc_id"] for f in findings)
