"""Dates and date intervals: not implemented yet (see the tracker)."""
from __future__ import annotations

from .doc import Doc


def load() -> None:
    """Load this stage's lexicons (none yet)."""


def extract(doc: Doc) -> Doc:
    """Set ``doc.user["dates"]`` to ``[Span(start, end, "DATE", rule, value=ISO str or None)]``."""
    doc.user["dates"] = []
    return doc
