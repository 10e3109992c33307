"""Document and answer warnings: ``code: detail`` strings, parsed once at the edges."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Warning:  # the name the answer contract uses (not the builtin; never raised)
    code: str  # spam_injected, ambiguous_cells, tables_missing …
    detail: str = ""  # what the reader found: the rows, the injected words …

    @classmethod
    def parse(cls, text: str) -> Warning:
        """``spam_injected: bet365 ×4`` → Warning("spam_injected", "bet365 ×4")."""
        code, _, detail = text.partition(":")
        return cls(code.strip(), detail.strip())

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code
