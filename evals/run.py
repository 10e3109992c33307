"""The evaluation runner: ingest a corpus into its own home, ask every question, score, report.

    python -m evals run [--llm none|local] [--questions FILE…] [--out DIR] [--subset ci]
                        [--baselines] [--corpus PATH…] [--compare OLD_DIR]

Questions go through the same ``Assistant.answer`` the UI and CLI use (follow-up chains carry
their history). Each system's answers land in ``results.jsonl``; ``summary.json`` holds the
metrics, ``report.md`` and ``charts/*.png`` show them.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from evals import metrics as m

EVALS_DIR = Path(__file__).resolve().parent
REPO = EVALS_DIR.parent
QUESTIONS = EVALS_DIR / "questions.jsonl"
# The earlier issues' sets, merged by reference: read in their own formats (see normalize_item).
STRUCTURED_QUESTIONS = EVALS_DIR / "structured_questions.jsonl"
RETRIEVAL_QUESTIONS = EVALS_DIR / "retrieval_questions.jsonl"
HOLDOUT_QUESTIONS = [EVALS_DIR / "holdout_questions.jsonl", EVALS_DIR / "holdout2_questions.jsonl"]
DEFAULT_QUESTIONS = [QUESTIONS, STRUCTURED_QUESTIONS, RETRIEVAL_QUESTIONS, *HOLDOUT_QUESTIONS]
DEFAULT_CORPUS = REPO / "data" / "sample"
RETRIEVAL_DEPTH = 10
K = 4  # recall@K: the baselines' context size


# -- questions ---------------------------------------------------------------------------
@dataclass
class Turn:
    """One question to ask: a single item, or one turn of a follow-up chain."""

    id: str
    item: str
    turn: int
    category: str
    question: str
    route: str | list[str] | None
    gold: dict
    sources: list[dict] = field(default_factory=list)
    chain: bool = False


def load_questions(path: Path) -> list[dict]:
    """Items of a question file (one JSON object a line; blank lines and # comments skipped),
    in this runner's format whatever format the file uses."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            items.append(normalize_item(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: 不是合法的 JSON（{exc.msg}）") from exc
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: 题目缺少字段 {exc}") from exc
    return items


def load_question_files(paths: Sequence[Path]) -> list[dict]:
    items = [item for path in paths for item in load_questions(path)]
    seen: set[str] = set()
    for item in items:
        if item["id"] in seen:
            raise ValueError(f"题目编号重复：{item['id']}")
        seen.add(item["id"])
    return items


def normalize_item(raw: dict) -> dict:
    """An item in this runner's format; the structured and retrieval sets keep their gold.

    - native: ``gold`` has ``refuse`` (or the item has ``turns``): returned as is;
    - retrieval set (``doc`` + ``quote``, no gold): a retrieval-only item whose sources are the
      quote and its ``also`` quotes; no answer gold, no expected route;
    - structured set (``gold`` with value / series / tasks / refused / none): ids prefixed
      ``structured:``, ``series`` values must all be stated, ``tasks`` must all be cited,
      ``warning`` must be shown, ``none`` judges only the route.
    """
    if "turns" in raw or "refuse" in raw.get("gold", {}):
        return raw
    if "quote" in raw and "gold" not in raw:
        docs = [{"doc": raw["doc"], "quote": q} for q in [raw["quote"], *raw.get("also", [])]]
        return {
            "id": f"retrieval:{raw['id']}",
            "question": raw["question"],
            "category": f"retrieval:{raw.get('type', 'other')}",
            "route": None,
            "gold": {"value": None, "phrases": [], "refuse": False},
            "source": docs,
        }
    g = raw.get("gold", {})
    gold: dict = {"value": g.get("value"), "unit": g.get("unit", ""), "phrases": [],
                  "refuse": bool(g.get("refused"))}  # fmt: skip
    if g.get("warning"):
        gold["warn"] = g["warning"]
    if g.get("series"):
        gold["values"] = [point["value"] for point in g["series"]]
    sources = []
    if g.get("tasks"):
        sources = [
            {"doc": t["doc"], "task": t["number"]}
            if "number" in t
            else {"doc": t["doc"], "quote": t["contains"]}
            for t in g["tasks"]
        ]
        gold["cite_all"] = True
    return {
        "id": f"structured:{raw['id']}",
        "question": raw["question"],
        "category": f"structured:{raw.get('category', 'other')}",
        "route": raw.get("route"),
        "gold": gold,
        "source": sources,
        "note": raw.get("source", ""),
    }


def select_items(
    items: Sequence[dict], subset: str | None = None, limit: int | None = None
) -> list[dict]:
    """The items of a named subset ('ci' = items flagged ``"ci": true``), at most ``limit``."""
    chosen = [i for i in items if not subset or subset == "all" or i.get(subset)]
    return chosen[:limit] if limit else chosen


def as_list(source: Any) -> list[dict]:
    if not source:
        return []
    return list(source) if isinstance(source, list) else [source]


def expand_turns(items: Iterable[dict]) -> list[list[Turn]]:
    """Each item as a list of turns (one for a single question, several for a chain)."""
    out = []
    for item in items:
        if "turns" in item:
            turns = [
                Turn(f"{item['id']}#{n}", item["id"], n, item["category"], t["question"],
                     t["route"], t["gold"], as_list(t.get("source")), chain=True)
                for n, t in enumerate(item["turns"], 1)
            ]  # fmt: skip
        else:
            turns = [
                Turn(item["id"], item["id"], 1, item["category"], item["question"], item["route"],
                     item["gold"], as_list(item.get("source")))
            ]  # fmt: skip
        out.append(turns)
    return out


# -- gold spans --------------------------------------------------------------------------
@dataclass
class Corpus:
    """What gold sources are resolved against: documents by file name, facts and tasks by doc."""

    docs_by_name: dict
    facts_by_doc: dict
    tasks_by_doc: dict = field(default_factory=dict)


def occurrences(text: str, quote: str) -> list[tuple[int, int]]:
    """Every [start, end) at which ``quote`` occurs in ``text``."""
    spans, start = [], text.find(quote)
    while quote and start >= 0:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return spans


def source_spans(source: dict, corpus: Corpus) -> tuple[list[m.Span], str]:
    """Where one gold source sits: its spans, or a reason it cannot be located.

    ``quote``: every occurrence in the document's cleaned text; ``table``: the parsed cell (and
    prose stating the same figure); ``task``: the parsed task-table row with that number.
    """
    doc = corpus.docs_by_name.get(Path(source.get("doc", "")).name)
    if doc is None:
        return [], f"文档未入库：{source.get('doc')}"
    if "quote" in source:
        found = occurrences(doc.text, source["quote"])
        spans = [(doc.doc_id, s, e) for s, e in found]
        return spans, "" if spans else f"{source['doc']} 中找不到原文：{source['quote'][:30]}"
    if "table" in source:
        cell = source["table"]
        key = (cell["table"], cell["row"], cell["col"])
        facts = corpus.facts_by_doc.get(doc.doc_id, [])
        cells = [f for f in facts if (f.table, f.row, f.col) == key]
        spans = [(doc.doc_id, f.start, f.end) for f in cells + same_figure_in_prose(cells, facts)]
        return spans, "" if spans else f"{source['doc']} 解析结果中没有单元格 {'/'.join(key)}"
    if "task" in source:
        tasks = [t for t in corpus.tasks_by_doc.get(doc.doc_id, []) if t.number == source["task"]]
        spans = [(doc.doc_id, t.start, t.end) for t in tasks]
        return spans, "" if spans else f"{source['doc']} 解析结果中没有第{source['task']}项任务"
    return [], f"无法识别的出处：{source}"


def gold_spans(sources: Sequence[dict], corpus: Corpus) -> tuple[list[list[m.Span]], list[str]]:
    """Spans of each of a turn's gold sources, and the sources that could not be located."""
    located = [source_spans(s, corpus) for s in sources]
    return [spans for spans, _ in located], [why for _, why in located if why]


def same_figure_in_prose(cells: Sequence, facts: Sequence) -> list:
    """Prose facts stating the same figure as a table cell (e.g. 共收到申请331件): equally good
    evidence for retrieval and citation."""
    wanted = {(f.row, f.col, f.value) for f in cells}
    return [f for f in facts if f.table == "text" and (f.row, f.col, f.value) in wanted]


# -- systems -----------------------------------------------------------------------------
class System(Protocol):
    """Something that answers questions: gongkai itself or a baseline."""

    name: str

    def answer(self, question: str, history: list[dict]) -> dict: ...

    def retrieve(self, question: str, k: int) -> list[m.Span] | None: ...


class Gongkai:
    """gongkai through ``Assistant.answer``, exactly as the UI calls it."""

    name = "gongkai"

    def __init__(self, assistant, llm: str):
        self.assistant = assistant
        self.llm = llm
        self.retrieval_error = ""

    def answer(self, question: str, history: list[dict]) -> dict:
        return self.assistant.answer(question, history, llm=self.llm).to_dict()

    def retrieve(self, question: str, k: int) -> list[m.Span] | None:
        """The hybrid search's top ``k`` for the question (None when search is unavailable)."""
        if self.retrieval_error:
            return None
        try:
            hits = self._search(question, k)
        except Exception as exc:  # retrieval metrics are then reported as unavailable
            self.retrieval_error = f"{type(exc).__name__}: {exc}"
            return None
        return [(h.doc_id, int(h.start), int(h.end)) for h in hits]

    def _search(self, question: str, k: int) -> list:
        """gongkai's hybrid search with the filters it derives from the question itself."""
        if hasattr(self.assistant, "retrieval"):
            engine = self.assistant.retrieval()
        else:
            from assistant.retrieve import open_retrieval

            engine = open_retrieval(self.assistant.settings)
        return engine.search(question, k, engine.filters_for(question))


# -- running -----------------------------------------------------------------------------
def open_corpus(store) -> Corpus:
    facts: dict[str, list] = {}
    for fact in store.facts():
        facts.setdefault(fact.doc_id, []).append(fact)
    tasks: dict[str, list] = {}
    for task in store.tasks():
        tasks.setdefault(task.doc_id, []).append(task)
    return Corpus({Path(d.source).name: d for d in store.documents()}, facts, tasks)


def run_system(
    system: System,
    chains: Sequence[Sequence[Turn]],
    corpus: Corpus,
    progress: Callable[[int], None] = lambda n: None,
    sink: Callable[[dict], None] = lambda record: None,
) -> list[dict]:
    """Ask every turn (chains in order, with history) and score each answer.

    ``sink`` receives each record as soon as it is scored (a long run keeps what finished).
    """
    records = []
    for turns in chains:
        history: list[dict] = []
        for turn in turns:
            started = time.perf_counter()
            try:
                answer = system.answer(turn.question, history)
            except Exception as exc:  # a crash is a wrong answer, listed with its reason
                answer = {"question": turn.question, "answer": "", "route": "error", "refused": False,
                          "citations": [], "warnings": [f"error: {type(exc).__name__}: {exc}"]}  # fmt: skip
            answer.setdefault("latency_ms", int((time.perf_counter() - started) * 1000))
            history.append(answer)
            query = answer.get("rewritten") or turn.question
            hits = system.retrieve(query, RETRIEVAL_DEPTH) if turn.sources else None
            records.append(score_turn(system.name, turn, answer, hits, corpus))
            sink(records[-1])
            progress(1)
    return records


def score_turn(
    name: str, turn: Turn, answer: dict, hits: list[m.Span] | None, corpus: Corpus
) -> dict:
    """One result line: the question, its gold, what the system said and every score."""
    per_source, missing = gold_spans(turn.sources, corpus)
    spans = [span for spans in per_source for span in spans]
    scoreable = bool(spans) and not turn.gold.get("refuse")
    rank = m.first_relevant_rank(hits, spans) if hits is not None and scoreable else None
    routed = answer.get("router", True)  # baselines have no router: route accuracy n/a
    return {
        "system": name,
        "id": turn.id,
        "item": turn.item,
        "turn": turn.turn,
        "category": turn.category,
        "question": turn.question,
        "expected_route": turn.route,
        "gold": turn.gold,
        "answer": answer.get("answer", ""),
        "rewritten": answer.get("rewritten", ""),
        "route": answer.get("route", ""),
        "value": answer.get("value"),
        "refused": bool(answer.get("refused")),
        "warnings": answer.get("warnings") or [],
        "citations": [
            {k: c.get(k) for k in ("n", "doc_id", "title", "start", "end", "quote")}
            for c in answer.get("citations") or []
        ],
        "latency_ms": answer.get("latency_ms", 0),
        "gold_missing": missing,
        "scores": {
            "route_ok": m.route_ok(answer.get("route", ""), turn.route) if routed else None,
            "correct": m.answer_correct(answer, turn.gold, per_source),
            "numeric_exact": m.numeric_exact(answer, turn.gold),
            "retrieval_rank": rank,
            "retrieval_scored": hits is not None and scoreable,
            "citation_precision": m.citation_precision(answer, spans) if scoreable else None,
            "faithfulness": m.faithfulness(answer),
            "unquoted_number": m.unquoted_number(answer),
        },
    }


def prepare_home(home: Path, corpus_paths: Sequence[Path], ingest: bool = True):
    """Point GONGKAI_HOME at ``home``, ingest the corpus into it and return (settings, store)."""
    os.environ["GONGKAI_HOME"] = str(home.resolve())
    from config import load_settings
    from index.pipeline import ingest_paths
    from index.search_indexes import open_search_indexes
    from index.stores.sqlite import SQLiteStore

    settings = load_settings()
    share_model_file(settings.home)
    store = SQLiteStore(settings.db_path)
    if ingest:
        results = ingest_paths(list(corpus_paths), store, open_search_indexes(settings))
        failed = [r.error for r in results if r.status == "failed"]
        if failed:
            raise RuntimeError("入库失败：" + "；".join(failed))
    return settings, store


def share_model_file(home: Path) -> None:
    """Link the local GGUF already assembled in the default home, instead of a 1 GB copy."""
    from assistant.llm import MODEL_FILE

    source = (REPO / "var" / "models" / MODEL_FILE).resolve()
    target = home / "models" / MODEL_FILE
    if source.is_file() and not target.exists() and source != target.resolve():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(source)


@dataclass
class RunOptions:
    questions: list[Path] = field(default_factory=lambda: list(DEFAULT_QUESTIONS))
    corpus: list[Path] = field(default_factory=lambda: [DEFAULT_CORPUS])
    out: Path | None = None
    home: Path | None = None
    ingest: bool = True
    llm: str = "none"
    subset: str | None = None
    limit: int | None = None
    baselines: bool = False
    only: list[str] = field(default_factory=list)  # baseline names to run (default: all)
    progress: bool = True
    charts: bool = True


def default_out() -> Path:
    return REPO / "var" / "evals" / time.strftime("%Y%m%d-%H%M%S")


def run_evaluation(opts: RunOptions) -> dict:
    """Run gongkai (and the baselines) over the questions; write the report; return the summary."""
    from evals.report import write_outputs

    out = opts.out or default_out()
    out.mkdir(parents=True, exist_ok=True)
    items = select_items(load_question_files(opts.questions), opts.subset, opts.limit)
    chains = expand_turns(items)
    started = time.time()
    settings, store = prepare_home(opts.home or out / "home", opts.corpus, opts.ingest)
    corpus = open_corpus(store)
    systems = build_systems(opts, settings, store)
    meta = {
        "command": command_line(opts),
        "questions": ", ".join(short_path(p) for p in opts.questions),
        "subset": opts.subset or "all",
        "items": len(items),
        "turns": sum(len(t) for t in chains),
        "llm": opts.llm,
        "embed": settings.embed,
        "systems": [s.name for s in systems],
        "corpus": [str(p) for p in opts.corpus],
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    total = sum(len(t) for t in chains) * len(systems)
    records: list[dict] = []
    notes: list[str] = []
    partial = out / "results.partial.jsonl"
    with progress_bar(total, opts.progress) as bar, open(partial, "w", encoding="utf-8") as f:

        def sink(record: dict) -> None:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()

        for system in systems:
            bar.set_description(system.name)
            records += run_system(system, chains, corpus, bar.update, sink)
            error = getattr(system, "retrieval_error", "")
            if error:
                notes.append(f"{system.name}：检索指标不可用（{error}）")
    meta |= {"seconds": round(time.time() - started, 1), "notes": notes}
    summary = write_outputs(out, records, meta, charts=opts.charts)
    partial.unlink(missing_ok=True)
    return summary


def build_systems(opts: RunOptions, settings, store) -> list[System]:
    from assistant.api import Assistant

    systems: list[System] = [Gongkai(Assistant(settings=settings, llm=opts.llm), opts.llm)]
    if opts.baselines:
        from evals.baselines import make_baselines

        systems += make_baselines(store, settings, opts.llm, only=opts.only)
    return systems


def command_line(opts: RunOptions) -> str:
    parts = ["python -m evals run", f"--llm {opts.llm}"]
    if list(opts.questions) != DEFAULT_QUESTIONS:
        parts.append("--questions " + " ".join(short_path(p) for p in opts.questions))
    if opts.subset:
        parts.append(f"--subset {opts.subset}")
    if opts.baselines:
        parts.append(" ".join(["--baselines", *opts.only]))
    if opts.corpus != [DEFAULT_CORPUS]:
        parts.append("--corpus " + " ".join(str(p) for p in opts.corpus))
    return " ".join(parts)


def short_path(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int = 1) -> None:
        pass

    def set_description(self, text: str) -> None:
        pass


def progress_bar(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="问", dynamic_ncols=True)


# -- comparing two runs ------------------------------------------------------------------
def load_results(folder: Path) -> list[dict]:
    path = folder / "results.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"{folder} 中没有 results.jsonl")
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def compare_runs(old: Sequence[dict], new: Sequence[dict]) -> dict[str, list[dict]]:
    """Question-by-question differences per system: fixed, broken, changed route, new, gone."""
    before = {(r["system"], r["id"]): r for r in old}
    after = {(r["system"], r["id"]): r for r in new}
    diff: dict[str, list[dict]] = {
        "fixed": [],
        "broken": [],
        "route_changed": [],
        "added": [],
        "removed": [],
    }
    for key, now in after.items():
        then = before.get(key)
        if then is None:
            diff["added"].append(now)
        elif now["scores"]["correct"] is True and then["scores"]["correct"] is False:
            diff["fixed"].append(now)
        elif then["scores"]["correct"] is True and now["scores"]["correct"] is False:
            diff["broken"].append({**now, "old_answer": then["answer"]})
        elif now["route"] != then["route"]:
            diff["route_changed"].append({**now, "old_route": then["route"]})
    diff["removed"] = [r for key, r in before.items() if key not in after]
    return diff


def format_comparison(
    diff: dict[str, list[dict]], old_summary: dict | None, new_summary: dict | None
) -> str:
    """Text for the terminal: metric deltas, then every changed question."""
    lines = []
    if old_summary and new_summary:
        before, after = old_summary.get("meta", {}), new_summary.get("meta", {})
        for key, label in (("questions", "题目文件"), ("subset", "子集"), ("llm", "生成模型")):
            if before.get(key) != after.get(key):
                lines.append(
                    f"注意：两次运行的{label}不同（{before.get(key)} → {after.get(key)}），指标不可直接比较。"
                )
        lines.append("指标变化（旧 → 新）：")
        for system, now in new_summary.get("systems", {}).items():
            then = old_summary.get("systems", {}).get(system, {})
            for key in ("answer_correctness", "route_accuracy", "numeric_exact", f"recall@{K}", "mrr",
                        "citation_precision", "faithfulness", "refusal_precision", "refusal_recall"):  # fmt: skip
                a, b = then.get(key), now.get(key)
                if a is None and b is None:
                    continue
                mark = "" if a == b else ("↑" if (b or 0) > (a or 0) else "↓")
                lines.append(f"  {system:<10} {key:<20} {fmt(a)} → {fmt(b)} {mark}")
    labels = {
        "fixed": "改对",
        "broken": "改错",
        "route_changed": "路由变化",
        "added": "新增",
        "removed": "删除",
    }
    for kind, label in labels.items():
        rows = diff[kind]
        lines.append(f"\n{label}：{len(rows)} 题")
        for r in rows:
            extra = ""
            if kind == "broken":
                extra = f"\n      旧答：{short(r['old_answer'])}\n      新答：{short(r['answer'])}"
            elif kind == "route_changed":
                extra = f"（{r['old_route']} → {r['route']}）"
            lines.append(f"  [{r['system']}] {r['id']} {r['question']}{extra}")
    return "\n".join(lines)


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def short(text: str, width: int = 80) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
