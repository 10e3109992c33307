"""The CI gate: the 'ci' subset of evals/questions.jsonl, answered with --llm none, must keep
every core metric at or above the floor recorded in evals/floors.json.

This ingests the whole sample corpus (vectors included) into a fresh home and runs the same
``Assistant.answer`` the UI uses. When a change lowers a metric, the failure lists the
questions that now fail; raise a floor (never lower it) when the system gets better.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.run import RunOptions, load_results, run_evaluation

REPO = Path(__file__).resolve().parent.parent
FLOORS = REPO / "evals" / "floors.json"


def evaluate(out: Path, **options) -> tuple[dict, list[dict]]:
    """One evaluation run into ``out`` with its own GONGKAI_HOME (restored afterwards)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GONGKAI_HOME", str(out / "home"))
        summary = run_evaluation(RunOptions(out=out, progress=False, charts=False, **options))
    return summary, load_results(out)


def below_floors(ours: dict, floors: dict, results: list[dict]) -> str:
    """The metrics under their floor and the questions failing, or '' when none is."""
    below = [
        f"{name} = {'n/a' if ours.get(name) is None else f'{ours[name]:.3f}'} < 下限 {floor}"
        for name, floor in floors.items()
        if ours.get(name) is None or ours[name] < floor
    ]
    failing = [
        f"{r['id']} {r['question']} → {r['answer'][:60]}"
        for r in results
        if not r["scores"]["correct"]
    ]
    return "\n".join(below + ["未通过的题目："] + failing) if below else ""


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory):
    """The ci subset, run once for this module."""
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    out = tmp_path_factory.mktemp("eval-ci")
    summary, results = evaluate(out, subset=floors["subset"], llm=floors["llm"])
    return floors, summary, results


def test_ci_subset_meets_recorded_floors(ci_run):
    floors, summary, results = ci_run
    problems = below_floors(summary["systems"]["gongkai"], floors["floors"], results)
    assert not problems, problems


def test_ci_subset_covers_every_category(ci_run):
    floors, summary, _ = ci_run
    categories = set(summary["categories"]["gongkai"])
    assert {
        "cell_lookup",
        "derived",
        "tasks",
        "narrative",
        "followup",
        "unanswerable",
        "spam",
    } <= categories
    assert summary["meta"]["turns"] >= 45


@pytest.fixture(scope="module")
def realdocs_run(tmp_path_factory):
    """The staff questions about the real dev reports, on the dev corpus (its documents only)."""
    spec = json.loads(FLOORS.read_text(encoding="utf-8"))["realdocs"]
    corpus = (REPO / spec["corpus"]).resolve()
    if not corpus.is_dir():
        pytest.skip(f"dev corpus absent: {corpus}")
    documents = sorted(p for p in corpus.iterdir() if p.is_file() and "_" in p.name)
    out = tmp_path_factory.mktemp("eval-realdocs")
    questions = [REPO / spec["questions"]]
    summary, results = evaluate(out, questions=questions, corpus=documents, llm="none")
    return spec, summary, results


def test_real_report_questions_meet_their_floors(realdocs_run):
    spec, summary, results = realdocs_run
    problems = below_floors(summary["systems"]["gongkai"], spec["floors"], results)
    assert not problems, problems
