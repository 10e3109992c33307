"""The model in its own process: a crashing, misbehaving or slow model server never takes the
app down. The model servers here are real processes (tests/standins/model_server.py) that die
by a real signal, answer wrongly, or stream until the client goes away."""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from assistant.model_server import (
    Gate,
    GenerationCancelled,
    ModelProcess,
    ModelUnavailable,
    RequestControl,
    free_port,
)
from config import load_settings

REPO = Path(__file__).resolve().parent.parent
STANDIN = REPO / "tests" / "standins" / "model_server.py"
NOTE = "本地模型不可用，已改用原文摘录"
# Retrieval questions with a quoted answer in the sample corpus (not table cells).
QUESTIONS = (
    "2019年槐荫区存在哪些主要问题？",
    "政务新媒体有什么要求？",
    "莱芜区2020年存在哪些不足？",
)


def standin(*args: str) -> list[str]:
    return [sys.executable, str(STANDIN), "--port", "{port}", *args]


def wait_for(predicate, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_crash_in_the_self_test_disables_the_model_with_the_reason():
    process = ModelProcess(standin("--crash", "SIGILL"), backoff=[0.1])
    try:
        wait_for(lambda: process.state == "unavailable")
        assert process.self_test_result == "failed"
        assert "自检失败" in process.reason and "SIGILL" in process.reason
        with pytest.raises(ModelUnavailable):
            process.base_url(1)
    finally:
        process.stop()


def test_a_wrong_looking_self_test_reply_disables_the_model():
    process = ModelProcess(standin("--reply", "function hello() {}"))
    try:
        wait_for(lambda: process.self_test_result != "pending")
        assert process.state == "unavailable" and "回答异常" in process.reason
    finally:
        process.stop()


def test_a_good_self_test_leaves_the_model_ready():
    process = ModelProcess(standin("--reply", "2"))
    try:
        wait_for(lambda: process.self_test_result != "pending")
        assert process.self_test_result == "passed" and process.state == "ready"
    finally:
        process.stop()


def test_the_gate_runs_one_at_a_time_reports_positions_bounds_and_cancels():
    gate = Gate(size=2)
    release, seen = threading.Event(), []
    running = threading.Event()

    def first():
        with gate.slot(RequestControl(), 10):
            running.set()
            release.wait(10)

    def second():
        control = RequestControl(on_wait=seen.append)
        with gate.slot(control, 10):
            seen.append("ran")

    threads = [threading.Thread(target=first)]
    threads[0].start()
    running.wait(5)
    threads.append(threading.Thread(target=second))
    threads[1].start()
    wait_for(lambda: gate.waiting == 1)
    cancelled = RequestControl()
    errors = []

    def third():
        try:
            with gate.slot(cancelled, 10):
                errors.append("ran")
        except GenerationCancelled as exc:
            errors.append(exc)

    threads.append(threading.Thread(target=third))
    threads[2].start()
    wait_for(lambda: gate.waiting == 2)
    with pytest.raises(ModelUnavailable, match="排队已满"), gate.slot(RequestControl(), 1):
        pass
    cancelled.cancel.set()
    threads[2].join(5)
    assert isinstance(errors[0], GenerationCancelled)
    release.set()
    threads[1].join(5)
    assert seen == [1, 0, "ran"]  # one ahead (the running one), then its turn


def test_a_cancelled_question_stops_the_generation_on_the_server(tmp_path):
    from assistant.llm import ServedChat
    from assistant.model_server import set_request_control

    log = tmp_path / "stops.log"
    process = ModelProcess(standin("--slow", str(log)), self_test=False)
    try:
        chat = ServedChat(endpoint=process, timeout=30)
        control = RequestControl()
        set_request_control(control)
        received = 0
        with pytest.raises(GenerationCancelled):
            for _chunk in chat.stream("hi"):
                received += 1
                if received == 3:
                    control.cancel.set()
        wait_for(lambda: log.exists(), 10)
        stopped_after = int(log.read_text().split()[-1])
        assert stopped_after < 40  # it would stream forever; it stopped within ~2 s
    finally:
        set_request_control(None)
        process.stop()


def _healthz(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        return json.load(response)


def _healthz_ok(port: int) -> bool:
    try:
        return _healthz(port)["status"] == "ready"
    except OSError:
        return False


def ask_like_the_browser(port: int, question: str) -> str:
    """Click 提问 through Gradio's queue protocol, as the page does; the final answer's HTML."""
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(f"{base}/config", timeout=10) as response:
        config = json.load(response)
    elem = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    index, trigger = next(
        (i, d["targets"][0][0])
        for i, d in enumerate(config["dependencies"])
        if d["targets"] and elem.get(d["targets"][0][0]) == "gk-ask"
    )
    session = uuid.uuid4().hex[:12]
    body = {"data": [question, [], [], "", "", ""], "event_data": None, "fn_index": index,
            "trigger_id": trigger, "session_hash": session}  # fmt: skip
    join = urllib.request.Request(
        f"{base}/gradio_api/queue/join",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(join, timeout=10).close()
    url = f"{base}/gradio_api/queue/data?session_hash={session}"
    with urllib.request.urlopen(url, timeout=120) as response:
        for raw in response:
            line = raw.decode("utf-8").strip()
            if line.startswith("data:") and json.loads(line[5:]).get("msg") == "process_completed":
                message = json.loads(line[5:])
                break
    assert message["success"], message
    return message["output"]["data"][1][-1]["content"][0]["text"]


@pytest.mark.slow
def test_the_app_answers_through_model_crashes_and_reports_the_model_unavailable(
    answering_home, tmp_path
):
    """``python app.py`` with a model server that dies by SIGILL on every first request."""
    port = free_port()
    home = tmp_path / "home"  # a copy: this test process holds the original's embedded store
    shutil.copytree(answering_home.home, home)
    env = dict(
        os.environ,
        GONGKAI_HOME=str(home),
        GONGKAI_EMBED=answering_home.embed,
        GONGKAI_PORT=str(port),
        GONGKAI_LLM="local",
        GONGKAI_LLM_SERVER_CMD=shlex.join(standin("--crash", "SIGILL")),
        GONGKAI_LLM_SELF_TEST="0",
        GONGKAI_LLM_BACKOFF="0.2,0.2",
        GONGKAI_LLM_MAX_CRASHES="3",
    )
    app = subprocess.Popen(
        [sys.executable, str(REPO / "app.py")], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "app.log").open("w"),
    )  # fmt: skip
    try:
        wait_for(lambda: _healthz_ok(port) or app.poll() is not None, 90)
        wait_for(lambda: _healthz(port)["model"]["state"] == "ready", 30)
        pages = [ask_like_the_browser(port, question) for question in QUESTIONS]
        for html in pages:
            assert 'class="gk-cite"' in html and NOTE in html, html[:300]
        assert app.poll() is None  # the app is alive
        health = _healthz(port)
        assert health["status"] == "ready"
        assert health["model"]["state"] == "unavailable"
        assert "SIGILL" in health["model"]["reason"] and health["model"]["crashes"] == 3
    finally:
        app.terminate()
        app.wait(timeout=30)


def test_settings_default_to_the_llama_cpp_server_on_a_free_port():
    command = load_settings().llm_server_cmd
    assert "-m llama_cpp.server" in command and "{model}" in command and "{port}" in command
    assert "127.0.0.1" in command


@pytest.mark.slow
def test_closing_the_answer_stream_stops_the_model_generation(answering_home, tmp_path):
    """What a closed tab or a replaced question does to the UI's stream: the generation ends."""
    from assistant.api import Assistant
    from ui.chat import Draft, stream_answer

    log = tmp_path / "stops.log"
    settings = dataclasses.replace(
        answering_home, llm="local", llm_server_cmd=shlex.join(standin("--slow", str(log))),
        llm_self_test=False,
    )  # fmt: skip
    assistant = Assistant(settings, llm="local")
    stream = stream_answer(assistant, QUESTIONS[1], [], {})
    items = []
    for item in stream:
        items.append(item)
        if sum(isinstance(i, str) for i in items) == 5:
            break
    assert isinstance(items[0], Draft)  # the quoted answer came first
    stream.close()
    wait_for(lambda: log.exists(), 10)
    assert int(log.read_text().split()[-1]) < 60


def test_the_request_carries_max_tokens_the_llama_cpp_server_reads(tmp_path):
    """langchain-openai renames max_tokens to max_completion_tokens, which llama.cpp's server
    ignores (it then writes until the end of the context)."""
    from assistant.llm import ServedChat

    log = tmp_path / "requests.jsonl"
    process = ModelProcess(standin("--reply", "好", "--record", str(log)), self_test=False)
    try:
        chat = ServedChat(endpoint=process, timeout=30, max_tokens=200)
        assert "".join(c.content for c in chat.stream("hi")) == "好"
        assert "".join(c.content for c in chat.bind(max_tokens=7).stream("hi")) == "好"
        bodies = [json.loads(line) for line in log.read_text().splitlines()]
        assert [b.get("max_tokens") for b in bodies] == [200, 7]
        assert not any("max_completion_tokens" in b for b in bodies)
    finally:
        process.stop()
