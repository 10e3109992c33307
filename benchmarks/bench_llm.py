"""The local model in its own process: what the process hop costs, and the retrieval route.

    python -m benchmarks.bench_llm [--home DIR] [--questions N] [--concurrent 10] [--skip-before]

1. Hop: the same short prompt (served from the prompt cache) with one output token, and with
   32 output tokens, in-process (llama_cpp.Llama, the old path) and through the supervised
   ``llama_cpp.server`` process (the ServedChat client gongkai uses). The difference of the
   medians is the cost of the hop (HTTP + SSE + the OpenAI client).
2. Retrieval route: time to first token and total latency p50/p95 of ``Assistant.answer`` for
   retrieval questions, before (in-process model) and after (served model), one at a time.
3. Throughput: ``--concurrent`` retrieval questions asked at once against the served model (one
   generation at a time, the rest queued): wall time, questions/minute, latency p50/p95.

The in-process model and the server are never loaded at the same time (2 cores, 1.1 GB each).
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

RAG_QUESTIONS = [
    "2019年槐荫区存在哪些主要问题？",
    "政务新媒体有什么要求？",
    "莱芜区2020年如何推进政府网站集约化建设？",
    "淮安市2024年政策解读工作是怎么做的？",
    "重大行政决策目录公开有什么要求？",
    "洪泽区2024年政府信息公开工作存在哪些不足？",
    "莱芜区2020年依申请公开收费情况如何？",
    "淮安市2024年政务公开存在哪些需要改进的地方？",
    "洪泽区2023年怎样把好政府信息发布审核关？",
    "槐荫区2019年有几人专门负责政务公开工作？",
]
HOP_PROMPT = "用一句话说明什么是政府信息公开。"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def in_process_chat(model_path: str) -> Any:
    """The old path: llama.cpp loaded into gongkai's own process (as before the issue)."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
    from llama_cpp import Llama, LlamaRAMCache

    class InProcessChat(BaseChatModel):
        client: Any = None
        max_tokens: int = 200

        @property
        def _llm_type(self) -> str:
            return "in-process"

        def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
            text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

        def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator:
            roles = {"human": "user", "ai": "assistant", "system": "system"}
            stream = self.client.create_chat_completion(
                messages=[{"role": roles.get(m.type, "user"), "content": m.content} for m in messages],
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=0.0,
                stop=stop,
                stream=True,
            )  # fmt: skip
            for part in stream:
                token = part["choices"][0].get("delta", {}).get("content") or ""
                if token:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
                    if run_manager:
                        run_manager.on_llm_new_token(token, chunk=chunk)
                    yield chunk

    llama = Llama(model_path=model_path, n_ctx=2048, n_threads=2, n_batch=256, verbose=False)
    llama.set_cache(LlamaRAMCache(capacity_bytes=256 << 20))
    return InProcessChat(client=llama)


def hop_times(chat: Any, max_tokens: int, rounds: int) -> list[float]:
    """Seconds per generation of the same cached prompt, ``max_tokens`` output tokens."""
    bound = chat.bind(max_tokens=max_tokens) if max_tokens else chat
    for _ in range(2):  # fill the prompt cache
        "".join(c.content for c in bound.stream(HOP_PROMPT))
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        "".join(c.content for c in bound.stream(HOP_PROMPT))
        times.append(time.perf_counter() - started)
    return times


def route_times(assistant: Any, questions: list[str]) -> tuple[list[float], list[float], int]:
    """First-token and total seconds of each question; how many answers kept the model's words."""
    first, total, worded = [], [], 0
    for question in questions:
        stamps: list[float] = []
        started = time.perf_counter()
        result = assistant.answer(
            question, llm="local", on_token=lambda _t, s=stamps: s.append(time.perf_counter())
        )
        total.append(time.perf_counter() - started)
        first.append((stamps[0] if stamps else time.perf_counter()) - started)
        worded += result.mode == "llm"
    return first, total, worded


def concurrent(assistant: Any, questions: list[str]) -> tuple[float, list[float], int, int]:
    """Wall seconds, each question's seconds, the deepest queue position seen, model answers."""
    from assistant.model_server import RequestControl, set_request_control

    latencies: list[float] = [0.0] * len(questions)
    deepest, worded, lock = [0], [0], threading.Lock()

    def seen(ahead: int) -> None:
        with lock:
            deepest[0] = max(deepest[0], ahead)

    def ask(i: int, question: str) -> None:
        set_request_control(RequestControl(on_wait=seen))
        started = time.perf_counter()
        result = assistant.answer(question, llm="local")
        latencies[i] = time.perf_counter() - started
        with lock:
            worded[0] += result.mode == "llm"

    threads = [threading.Thread(target=ask, args=(i, q)) for i, q in enumerate(questions)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, deepest[0], worded[0]


def line(name: str, values: list[float], unit: Callable[[float], str]) -> str:
    return f"| {name} | {len(values)} | {unit(percentile(values, 0.5))} | {unit(percentile(values, 0.95))} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", help="GONGKAI_HOME with the sample corpus ingested")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--concurrent", type=int, default=10)
    parser.add_argument("--hop-rounds", type=int, default=10)
    parser.add_argument("--skip-before", action="store_true")
    args = parser.parse_args()
    if args.home:
        os.environ["GONGKAI_HOME"] = args.home
    from assistant.api import Assistant
    from assistant.config import SAMPLE_DIR, load_settings
    from assistant.llm import assemble_model, get_chat_model, local_endpoint
    from index.pipeline import ingest_paths
    from index.search_indexes import open_search_indexes

    settings = load_settings()
    assistant = Assistant(settings, llm="local")
    if not assistant.store.documents():
        ingest_paths([SAMPLE_DIR], assistant.store, open_search_indexes(settings))
    questions = (RAG_QUESTIONS * 2)[: args.questions]
    for q in questions:  # warm up retrieval: embedding model, jieba, indexes
        assistant.answer(q, llm="none")
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    sec = lambda s: f"{s:.2f} s"  # noqa: E731
    rows: list[str] = []
    hop: dict[str, list[float]] = {}

    if not args.skip_before:
        chat = in_process_chat(str(assemble_model(settings.home)))
        hop["before 1"] = hop_times(chat, 1, args.hop_rounds)
        hop["before 32"] = hop_times(chat, 32, args.hop_rounds)
        assistant._chat_models["local"] = chat  # the route as it was: model in this process
        first, total, worded = route_times(assistant, questions)
        rows += [line("before: first token", first, sec), line("before: total", total, sec)]
        rows.append(f"| before: answers in the model's words | {worded} | | |")
        del assistant._chat_models["local"]
        chat.client.close()  # free its memory before the server loads the same model
        del chat

    served = get_chat_model("local", settings)
    process = local_endpoint(str(settings.home), settings)
    while process.self_test_result == "pending" and process.state != "unavailable":
        time.sleep(0.5)
    print(f"model process: {process.status()}")
    hop["after 1"] = hop_times(served, 1, args.hop_rounds)
    hop["after 32"] = hop_times(served, 32, args.hop_rounds)
    first, total, worded = route_times(assistant, questions)
    rows += [line("after: first token", first, sec), line("after: total", total, sec)]
    rows.append(f"| after: answers in the model's words | {worded} | | |")
    wall, latencies, deepest, worded = concurrent(assistant, RAG_QUESTIONS[: args.concurrent])

    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end\n")
    print("| hop (same cached prompt) | n | p50 | p95 |\n|---|---:|---:|---:|")
    for name, values in hop.items():
        print(line(f"{name} token(s)", values, ms))
    for n in ("1", "32"):
        if f"before {n}" in hop:
            cost = statistics.median(hop[f"after {n}"]) - statistics.median(hop[f"before {n}"])
            print(f"| hop cost, {n} token(s) (median after − before) | | {cost * 1000:.0f} ms | |")
    print("\n| retrieval route, local model | n | p50 | p95 |\n|---|---:|---:|---:|")
    print("\n".join(rows))
    print(
        f"\n{len(latencies)} concurrent retrieval questions: wall {wall:.1f} s, "
        f"{len(latencies) / wall * 60:.1f} questions/min, latency p50 {percentile(latencies, 0.5):.1f} s "
        f"p95 {percentile(latencies, 0.95):.1f} s, deepest queue position {deepest}, "
        f"{worded} in the model's words"
    )
    process.stop()


if __name__ == "__main__":
    main()
