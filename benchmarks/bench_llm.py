"""The local model in its own process: what the process hop costs, and the retrieval route.

    python -m benchmarks.bench_llm [--home DIR] [--questions N] [--concurrent 10]

1. Hop: the same short prompt (served from the prompt cache) with one output token, and with
   up to 32 output tokens, in-process (llama_cpp.Llama, the old path) and through the supervised
   ``llama_cpp.server`` process (the ServedChat client gongkai uses). The difference of the
   medians is the cost of the hop (HTTP + SSE + the OpenAI client).
2. Retrieval route: time to first token and total latency p50/p95 of ``Assistant.answer`` for
   retrieval questions, before (in-process model) and after (served model), one at a time.
3. Throughput: ``--concurrent`` retrieval questions asked at once against the served model (one
   generation at a time, the rest queued): wall time, questions/minute, latency p50/p95.

Before and after alternate (prompt by prompt, question by question) and are compared as paired
differences, so the load of a shared machine drifts over both alike; the idle one uses no CPU.
"""

from __future__ import annotations

import argparse
import os
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


def one_generation(chat: Any, max_tokens: int) -> float:
    """Seconds for one generation of the hop prompt with ``max_tokens`` output tokens."""
    started = time.perf_counter()
    "".join(c.content for c in chat.bind(max_tokens=max_tokens).stream(HOP_PROMPT))
    return time.perf_counter() - started


def paired_hops(before: Any, after: Any, max_tokens: int, rounds: int) -> dict[str, list[float]]:
    """The same cached prompt, in-process then served, alternately (load drift hits both)."""
    for chat in (before, after):  # fill the prompt caches
        one_generation(chat, max_tokens)
    out: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(rounds):
        out["before"].append(one_generation(before, max_tokens))
        out["after"].append(one_generation(after, max_tokens))
    return out


def route_time(assistant: Any, question: str, chat: Any) -> tuple[float, float, bool]:
    """First-token and total seconds of one question answered with ``chat``; model's words?"""
    assistant._chat_models["local"] = chat
    stamps: list[float] = []
    started = time.perf_counter()
    result = assistant.answer(
        question, llm="local", on_token=lambda _t, s=stamps: s.append(time.perf_counter())
    )
    total = time.perf_counter() - started
    return (stamps[0] if stamps else time.perf_counter()) - started, total, result.mode == "llm"


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
    args = parser.parse_args()
    if args.home:
        os.environ["GONGKAI_HOME"] = args.home
    from assistant.api import Assistant
    from assistant.llm import assemble_model, get_chat_model, local_endpoint
    from config import SAMPLE_DIR, load_settings
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
    served = get_chat_model("local", settings)
    process = local_endpoint(str(settings.home), settings)
    while process.self_test_result == "pending" and process.state != "unavailable":
        time.sleep(0.5)
    print(f"model process: {process.status()}")
    before = in_process_chat(str(assemble_model(settings.home)))  # idle while the other runs
    hops = {n: paired_hops(before, served, n, args.hop_rounds) for n in (1, 32)}
    route: dict[str, list[float]] = {k: [] for k in ("bf", "bt", "af", "at", "df", "dt")}
    words = {"before": 0, "after": 0}
    for question in questions:  # each question in-process, then served
        bf, bt, bw = route_time(assistant, question, before)
        af, at, aw = route_time(assistant, question, served)
        for key, value in zip(("bf", "bt", "af", "at"), (bf, bt, af, at), strict=True):
            route[key].append(value)
        route["df"].append(af - bf)
        route["dt"].append(at - bt)
        words["before"] += bw
        words["after"] += aw
    assistant._chat_models["local"] = served
    before.client.close()
    del before
    wall, latencies, deepest, worded = concurrent(assistant, RAG_QUESTIONS[: args.concurrent])

    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end\n")
    print("| hop: same cached prompt | n | p50 | p95 |\n|---|---:|---:|---:|")
    for n, pair in hops.items():
        print(line(f"in-process, {n} output token(s)", pair["before"], ms))
        print(line(f"served, {n} output token(s)", pair["after"], ms))
        diffs = [a - b for a, b in zip(pair["after"], pair["before"], strict=True)]
        print(line(f"hop cost (paired difference), {n} token(s)", diffs, ms))
    print("\n| retrieval route, local model | n | p50 | p95 |\n|---|---:|---:|---:|")
    names = {"bf": "in-process: first token", "bt": "in-process: total",
             "af": "served: first token", "at": "served: total",
             "df": "paired difference: first token", "dt": "paired difference: total"}  # fmt: skip
    for key, name in names.items():
        print(line(name, route[key], sec))
    print(f"answers in the model's words: in-process {words['before']}, served {words['after']}")
    print(
        f"\n{len(latencies)} concurrent retrieval questions: wall {wall:.1f} s, "
        f"{len(latencies) / wall * 60:.1f} questions/min, latency p50 {percentile(latencies, 0.5):.1f} s "
        f"p95 {percentile(latencies, 0.95):.1f} s, deepest queue position {deepest}, "
        f"{worded} in the model's words"
    )
    process.stop()


if __name__ == "__main__":
    main()
