"""👍/👎 on answers, appended to ``GONGKAI_HOME/feedback.jsonl`` so the evaluation set can grow."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.answer import AnswerDict
    from assistant.api import Filters

FEEDBACK_FILE = "feedback.jsonl"
_LOCK = threading.Lock()
_ANSWER_KEYS = (
    "question", "rewritten", "answer", "route", "value", "unit", "refused", "citations",
    "warnings", "mode",
)  # fmt: skip


def feedback_path(home: Path) -> Path:
    return home / FEEDBACK_FILE


def feedback_record(
    answer: AnswerDict, liked: bool, filters: Filters | None = None
) -> dict[str, object]:
    """One JSONL line: the rating with the question, answer and citations it rates."""
    record: dict[str, object] = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "rating": "up" if liked else "down",
    }
    record.update({key: answer.get(key) for key in _ANSWER_KEYS if key in answer})
    if filters:
        record["filters"] = {k: v for k, v in filters.items() if v}
    return record


def append_feedback(path: Path, record: Mapping[str, object]) -> None:
    """Append one record as a line (one write under a lock, so lines never interleave), flushed
    and fsynced so that a rating the page confirmed survives a crash."""
    line = json.dumps(record, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, path.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
