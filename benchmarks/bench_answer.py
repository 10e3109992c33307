"""Answer latency: extractive (--llm none) per route, and the local LLM against its compute bound.

    python -m benchmarks.bench_answer [--home DIR] [--llm none|local] [--rounds N]

With --llm local it also reports time to first token and total time (p50/p95) with the prompt
token counts, next to the compute bound: prompt tokens × 2 × 1.5e9 FLOP at the machine's FLOP/s
(measured here with a float32 matrix product on the same threads). llama.cpp's quantised
kernels and its cached system-prompt prefix can beat that float32 estimate, so it is a yardstick
rather than a strict bound.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

QUESTIONS = [
    "莱芜区2020年行政复议结果纠正多少件？",
    "槐荫区2019年收到多少申请？",
    "淮安市2024年行政诉讼尚未审结多少件？",
    "洪泽区2024年行政许可处理决定数量是多少？",
    "哪些任务由区民政局负责？",
    "第17项任务的要求是什么？",
    "2019年槐荫区存在哪些主要问题？",
    "政务新媒体有什么要求？",
    "莱芜区2020年如何推进政府网站集约化建设？",
    "淮安市2024年政策解读工作是怎么做的？",
    "历城区2020年收到多少申请？",
    "重大行政决策目录公开有什么要求？",
    "洪泽区2024年政府信息公开工作存在哪些不足？",
    "莱芜区2020年依申请公开收费情况如何？",
    "淮安市2024年政务公开存在哪些需要改进的地方？",
    "槐荫区2019年有几人专门负责政务公开工作？",
    "洪泽区2023年怎样把好政府信息发布审核关？",
]
MODEL_PARAMS = 1.5e9


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measured_flops(threads: int = 2) -> float:
    """FLOP/s of a float32 matrix product on ``threads`` threads (an upper bound for llama.cpp)."""
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    import numpy as np

    a = np.random.rand(1024, 1024).astype(np.float32)
    a @ a
    started, n = time.perf_counter(), 20
    for _ in range(n):
        a @ a
    return n * 2 * 1024**3 / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", help="GONGKAI_HOME with the sample corpus ingested")
    parser.add_argument("--llm", default="none", choices=["none", "local"])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    if args.home:
        os.environ["GONGKAI_HOME"] = args.home
    from assistant.api import Assistant
    from config import SAMPLE_DIR, load_settings
    from index.pipeline import ingest_paths
    from index.search_indexes import open_search_indexes

    assistant = Assistant(llm=args.llm)
    if not assistant.store.documents():
        ingest_paths([SAMPLE_DIR], assistant.store, open_search_indexes(load_settings()))
    for q in QUESTIONS:  # warm up: models, jieba, caches
        assistant.answer(q, llm="none")
    if args.llm == "none":
        by_route: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for q in QUESTIONS:
                started = time.perf_counter()
                result = assistant.answer(q, llm="none")
                by_route.setdefault(result.route, []).append((time.perf_counter() - started) * 1000)
        every = [v for values in by_route.values() for v in values]
        print(
            f"extractive answers: {len(every)} ({args.rounds} rounds × {len(QUESTIONS)} questions)"
        )
        for route, values in sorted(by_route.items()):
            print(
                f"  {route:6s} p50 {percentile(values, 0.5):7.1f} ms   p95 {percentile(values, 0.95):7.1f} ms   n={len(values)}"
            )
        print(
            f"  all    p50 {percentile(every, 0.5):7.1f} ms   p95 {percentile(every, 0.95):7.1f} ms"
        )
        return
    bench_local(assistant, args.rounds)


def bench_local(assistant, rounds: int) -> None:
    from assistant.rag import build_context, format_context, load_prompt
    from index.chunk import count_tokens

    rag_questions = [q for q in QUESTIONS if assistant.answer(q, llm="none").route == "rag"]
    rag_questions = [q for q in rag_questions if not assistant.answer(q, llm="none").refused]
    chat = assistant.chat_model("local")

    def model_tokens(text: str) -> int:  # the model's own tokenizer; cl100k as a fallback
        client = getattr(chat, "client", None)
        if client is None:
            return count_tokens(text)
        return len(client.tokenize(text.encode("utf-8"), add_bos=False))

    first_token, total, prompt_tokens = [], [], []
    for q in rag_questions[: max(1, rounds)]:
        hits = assistant.retrieval().search(q, 6)
        prompt = load_prompt("answer_system") + load_prompt("answer_user").format(
            context=format_context(build_context(hits)), question=q
        )
        prompt_tokens.append(model_tokens(prompt))
        stamps: list[float] = []
        started = time.perf_counter()
        assistant.answer(
            q, llm="local", on_token=lambda _t, s=stamps: s.append(time.perf_counter())
        )
        total.append(time.perf_counter() - started)
        first_token.append((stamps[0] if stamps else time.perf_counter()) - started)
    flops = measured_flops()
    bound = [t * 2 * MODEL_PARAMS / flops for t in prompt_tokens]
    print(f"local LLM over {len(total)} retrieval questions (prompt tokens: the model's tokenizer)")
    print(f"  prompt tokens  p50 {statistics.median(prompt_tokens):.0f}  max {max(prompt_tokens)}")
    print(
        f"  first token    p50 {percentile(first_token, 0.5):.2f} s  p95 {percentile(first_token, 0.95):.2f} s"
    )
    print(
        f"  total          p50 {percentile(total, 0.5):.2f} s  p95 {percentile(total, 0.95):.2f} s"
    )
    rate = statistics.median(prompt_tokens) / statistics.median(first_token)
    print(f"  prompt rate    {rate:.0f} tokens/s to the first token (retrieval included)")
    print(f"  machine        {flops / 1e9:.1f} GFLOP/s (float32 matmul, 2 threads)")
    print(
        f"  compute bound  p50 {statistics.median(bound):.2f} s for the prompt "
        f"(first token / bound = {statistics.median(first_token) / statistics.median(bound):.1f}×)"
    )


if __name__ == "__main__":
    main()
