"""text → Doc through ordered components; nothing here knows Flask.

Each component is a function ``Doc -> Doc``.  The extractors run only when their
output (or a later component that needs it) was asked for.
"""
from __future__ import annotations

import datetime as _dt
import gc
from typing import Iterable, Optional

from . import dates, entities, normalize, quantities, segment, sentences, stance
from .doc import Doc

ALL_SECTIONS = ("quantities", "entities", "stances")


def _normalize(doc: Doc) -> Doc:
    doc.norm = normalize.normalize(doc.text)
    return doc


def _sentences(doc: Doc) -> Doc:
    """Sentences of the normalised text, and the language, read sentence by sentence."""
    doc.sentences = sentences.split(doc.norm)
    doc.language = normalize.detect_language(doc.text, doc.norm, doc.sentences)
    return doc


def _segment(doc: Doc) -> Doc:
    """jieba POS tokens, computed once here and shared by entities and stances."""
    if "entities" in doc.include or "stances" in doc.include:
        doc.pos_tokens  # noqa: B018  (computes and caches)
    return doc


def _dates(doc: Doc) -> Doc:
    """Dates first: quantities must not read them, entities report them."""
    return dates.extract(doc)


def _quantities(doc: Doc) -> Doc:
    if "quantities" in doc.include or "stances" in doc.include:
        quantities.extract(doc)
    return doc


def _entities(doc: Doc) -> Doc:
    if "entities" in doc.include or "stances" in doc.include:
        entities.extract(doc)
    return doc


def _stances(doc: Doc) -> Doc:
    if "stances" in doc.include:
        stance.extract(doc)
    return doc


COMPONENTS = (
    ("normalize", _normalize),
    ("sentences", _sentences),
    ("segment", _segment),
    ("dates", _dates),
    ("quantities", _quantities),
    ("entities", _entities),
    ("stances", _stances),
)

_loaded = False


def load() -> None:
    """Load every lexicon and model once; a bad data file fails here, at start-up."""
    global _loaded
    normalize.load()
    segment.load()
    dates.load()
    quantities.load()
    entities.load()
    stance.load()
    # the lexicons are ~a million long-lived objects: keep them out of every later garbage
    # collection (and, under gunicorn's preload, out of copy-on-write page faults in the workers)
    gc.collect()
    gc.freeze()
    _loaded = True


def ready() -> bool:
    return _loaded


def make_doc(text: str, published: Optional[_dt.date] = None, targets: Optional[Iterable[str]] = None,
             include: Optional[Iterable[str]] = None) -> Doc:
    inc = frozenset(include) if include else frozenset(ALL_SECTIONS)
    return Doc(text=text, published=published, targets=list(targets or []), include=inc)


def run(doc: Doc, timings: Optional[dict] = None) -> Doc:
    """Run every component in order; with ``timings``, record seconds per component."""
    if not _loaded:
        load()
    if timings is None:
        for _, comp in COMPONENTS:
            doc = comp(doc)
        return doc
    import time
    for name, comp in COMPONENTS:
        t0 = time.perf_counter()
        doc = comp(doc)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return doc


def analyze(text: str, published=None, targets=None, include=None) -> dict:
    """The Analysis dict of the contract for one text."""
    if isinstance(published, str):
        published = _dt.date.fromisoformat(published)
    return run(make_doc(text, published, targets, include)).to_analysis()
