"""entities: not implemented yet (see the tracker); returns an empty list."""
from __future__ import annotations

from .doc import Doc


def load() -> None:
    """Load this stage's lexicons (none yet)."""


def extract(doc: Doc) -> Doc:
    return doc
