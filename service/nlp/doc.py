"""The document every pipeline component reads and enriches.

Offsets are zero-based code-point offsets into ``Doc.text`` (the text exactly as
submitted), ``end`` exclusive.  ``Doc.norm`` is the normalised text: the same
length, character for character, so an offset found in ``norm`` is an offset in
``text`` too.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class Span:
    """A half-open character span ``[start, end)`` with the rule that produced it."""

    start: int
    end: int
    label: str = ""
    rule: str = ""
    value: Any = None

    def text_of(self, doc: "Doc") -> str:
        return doc.text[self.start:self.end]

    def __len__(self) -> int:
        return self.end - self.start


@dataclass
class Doc:
    text: str                                   # as submitted
    norm: str = ""                              # length-preserving normalisation of text
    published: Optional[_dt.date] = None        # anchor for relative dates
    targets: list = field(default_factory=list)  # author-stance targets asked for
    include: frozenset = frozenset({"quantities", "entities", "stances"})
    language: str = "zh-Hans"
    sentences: list = field(default_factory=list)   # [Span(label="sentence")]
    _tokens: Optional[list] = None
    _pos_tokens: Optional[list] = None
    # extractor results, in the contract's JSON shape
    quantities: list = field(default_factory=list)
    entities: list = field(default_factory=list)
    stances: list = field(default_factory=list)
    article_stances: list = field(default_factory=list)
    # free-form scratch space for components (e.g. internal entity spans)
    user: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.norm:
            self.norm = self.text

    @property
    def tokens(self) -> list:
        """jieba tokens of ``norm`` as ``(word, start, end)``, computed once."""
        if self._tokens is None:
            from . import segment
            self._tokens = segment.tokenize(self.norm)
        return self._tokens

    @property
    def pos_tokens(self) -> list:
        """jieba POS tokens of ``norm`` as ``(word, flag, start, end)``, computed once."""
        if self._pos_tokens is None:
            from . import segment
            self._pos_tokens = segment.pos_tokenize(self.norm)
        return self._pos_tokens

    def sentence_at(self, offset: int) -> Optional[Span]:
        """The sentence that contains ``offset`` (binary search)."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.start:
                hi = mid - 1
            elif offset >= s.end:
                lo = mid + 1
            else:
                return s
        return None

    def mention(self, start: int, end: int) -> dict:
        """The contract's ``{text, start, end}`` for a span of the submitted text."""
        return {"text": self.text[start:end], "start": start, "end": end}

    def to_analysis(self) -> dict:
        return {
            "language": self.language,
            "length": len(self.text),
            "quantities": self.quantities if "quantities" in self.include else [],
            "entities": self.entities if "entities" in self.include else [],
            "stances": self.stances if "stances" in self.include else [],
            "article_stances": self.article_stances if "stances" in self.include else [],
        }
