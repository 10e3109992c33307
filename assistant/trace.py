"""Why a question went where it went: one step per stage of the answering flow.

Each stage (follow-up → correct → understand → route → tool / retrieval → compose) records what
it decided; the steps are logged at debug level (logger ``gongkai.answer``), carried on the
Answer, and printed by ``python -m assistant ask --explain``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger("gongkai.answer")


@dataclass(frozen=True)
class Step:
    """One decision: the stage, the module that made it, what it decided and on what grounds."""

    stage: str
    module: str
    decision: str
    detail: str = ""

    def line(self) -> str:
        detail = f" — {self.detail}" if self.detail else ""
        return f"{self.stage:<10} {self.module:<22} {self.decision}{detail}"


@dataclass
class Trace:
    steps: list[Step] = field(default_factory=list)

    def add(self, stage: str, module: str, decision: str, detail: str = "") -> None:
        step = Step(stage, module, decision, detail)
        self.steps.append(step)
        log.debug("%s", step.line())


def describe_query(query) -> str:
    """The slots understanding filled, for the trace (empty slots left out)."""
    parts = []
    for name in ("regions", "issuers", "years", "table", "rows", "cols", "unit", "keyword"):
        value = getattr(query, name, None)
        if value:
            shown = "、".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{name}={shown}")
    if getattr(query, "measure", "value") != "value":
        parts.append(f"measure={query.measure}")
    if getattr(query, "unexplained", None):
        parts.append(f"unexplained={'、'.join(query.unexplained)}")
    return "; ".join(parts) or "(no slots)"
