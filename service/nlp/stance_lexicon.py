"""Loads and validates the stance lexicons (data/stance_verbs.yaml, data/sentiment.yaml) once,
and scans a text for every lexicon key in one Aho-Corasick pass.

Chinese keys match as substrings of the normalised text.  English keys match on
an ASCII-lowercased copy (same length) at a word start, ending at a word end or
with an inflection (-s, -es, -d, -ed, -ing).
"""
from __future__ import annotations

import os
import re
from operator import itemgetter
from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional, Tuple

import ahocorasick

from . import lexicons
from .lexicons import at

DATA = lexicons.DATA_DIR

ACTIONS = ("tariff", "sanction", "export_control", "criticize", "threaten", "oppose", "negotiate",
           "agree", "cooperate", "support", "invest", "trade", "other")
LABELS = ("favor", "against", "neutral")
_SUFFIXES = ("", "s", "es", "d", "ed", "ing")
# an inflection that ends a word (-s, -es, -d, -ed, -ing), nothing more
_SUFFIX = re.compile(r"(?:ing|es|ed|s|d)(?![a-z])")
_HAS_LATIN = re.compile(r"[a-z]")
# byte tables over UTF-8: bytes below 0x80 are always whole ASCII characters there (every byte of
# a multi-byte character is >= 0x80), so a byte translate maps exactly the ASCII characters, keeps
# the length in characters and costs a fraction of str.translate on CJK text
_LOWER_BYTES = bytes(c + 32 if 65 <= c <= 90 else c for c in range(256))


LexiconError = lexicons.DataFileError   # a data file is malformed: raised at start-up, never during a request


def ascii_lower(s: str) -> str:
    """Lowercase A-Z only, so the result has exactly the length of ``s``."""
    if s.isascii():
        return s.lower()
    # surrogatepass: a lone surrogate (possible in JSON input) goes through unchanged
    return s.encode("utf-8", "surrogatepass").translate(_LOWER_BYTES).decode("utf-8", "surrogatepass")


def positions(text: str, chars, cache: Optional[dict] = None) -> list:
    """The sorted positions of the single characters ``chars`` in ``text`` (str.find per
    character: a regex scan of CJK text costs several times more).  With ``cache`` (a dict kept
    for one text), each character's positions are found once for all callers."""
    out = []
    for ch in chars:
        ps = cache.get(ch) if cache is not None else None
        if ps is None:
            ps = []
            find = text.find
            i = find(ch)
            while i >= 0:
                ps.append(i)
                i = find(ch, i + 1)
            if cache is not None:
                cache[ch] = ps
        out += ps
    out.sort()
    return out


def _is_latin(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9")


def _is_english(key: str) -> bool:
    return any(_is_latin(c) for c in key) and not any("\u3400" <= c <= "\u9fff" for c in key)


class Hit(NamedTuple):
    start: int
    end: int
    key: str
    kind: str
    value: object = None


# ASCII characters other than a-z0-9 become spaces (length-preserving); CJK stays as it is
_EN_SEP = re.compile(r"[\x00-\x2f\x3a-\x60\x7b-\x7f]")
# the same map as _EN_SEP.sub(" ", …) as a byte table (see _LOWER_BYTES)
_SEP_BYTES = bytes(32 if (c <= 0x2f or 0x3a <= c <= 0x60 or 0x7b <= c <= 0x7f) else c for c in range(256))


# 1 for a byte that begins a UTF-8 character, 0 for a continuation byte (the characters of a
# stretch of UTF-8 are the 1s in it)
_LEAD_BYTES = bytes(0 if 0x80 <= c <= 0xBF else 1 for c in range(256))


def _as_bytes(key: str) -> str:
    """A key as the automaton sees it: its UTF-8 bytes, one latin-1 character each."""
    return key.encode("utf-8", "surrogatepass").decode("latin-1")


class Scanner:
    """One automaton over many (key, kind, value) entries, one pass over a text.

    The text is scanned with a space before it and every ASCII character but a-z0-9 turned
    into a space; English keys carry a space before them, so they match only at a word
    start; Chinese keys match anywhere.  An English match may end at a word end or run on
    into an inflection (-s, -es, -d, -ed, -ing).

    Kinds given as ``ends_only`` are not listed as hits: a caller that asks only where they
    end (prepositions before a name) gets ``{end: the latest start of one ending there}``."""

    def __init__(self, ends_only=()):
        self._entries: Dict[str, list] = {}
        self._auto = None
        self._ends_only = tuple(ends_only)

    def add(self, key: str, kind: str, value=None) -> None:
        if not isinstance(key, str) or not key.strip():
            raise LexiconError(f"empty or non-string key for {kind!r}: {key!r}")
        k = ascii_lower(key.strip()) if _is_english(key) else key.strip()
        if _is_english(k) and not _is_latin(k[0]):
            raise LexiconError(f"English key must begin with a letter or digit: {key!r}")
        if not _is_english(k) and _EN_SEP.search(k):
            raise LexiconError(f"Chinese key with ASCII punctuation cannot match: {key!r}")
        self._entries.setdefault(k, []).append((kind, value))

    def build(self) -> "Scanner":
        # The automaton runs over UTF-8 bytes (each byte one latin-1 character): pyahocorasick
        # finds a node's child by a linear search, and over code points the root has a child for
        # each of the ~500 first characters of the keys, searched in full at every character that
        # begins none; over bytes the root has a handful.  UTF-8 is self-synchronising, so a key's
        # bytes match exactly where its characters do.
        a = ahocorasick.Automaton()
        n = 0
        for k, roles in self._entries.items():
            # (the roles listed as hits, and the end-only kinds of the key)
            ends = tuple(dict.fromkeys(kind for kind, _v in roles if kind in self._ends_only))
            roles = tuple(r for r in roles if r[0] not in self._ends_only)
            if _is_english(k):
                pk = " " + _EN_SEP.sub(" ", k)
                a.add_word(_as_bytes(pk), (k, len(pk), True, _is_latin(k[-1]), roles, ends))
            else:
                a.add_word(_as_bytes(k), (k, len(k), False, False, roles, ends))
            n += 1
        if n:
            a.make_automaton()
        self._auto = a if n else None
        return self

    def scan(self, low: str, ends: Optional[dict] = None) -> List[Hit]:
        """Every hit in ``low`` (the ASCII-lowercased normalised text), sorted by start; those of
        the end-only kinds go to ``ends[kind]`` instead, ``{end: latest start}``."""
        out = []
        n = len(low)
        sinks = {}
        if self._ends_only:
            if ends is None:
                ends = {}
            sinks = {kind: ends.setdefault(kind, {}) for kind in self._ends_only}
        if not n or self._auto is None:
            return out
        append = out.append
        new = tuple.__new__
        # padded: a space, then low with ASCII separators as spaces (when it has Latin letters)
        raw = low.encode("utf-8", "surrogatepass")
        raw = b" " + (raw.translate(_SEP_BYTES) if _HAS_LATIN.search(low) else raw)
        ascii_only = len(raw) == n + 1
        # byte offsets to character offsets, counted on from the previous hit (hits come in order):
        # a character is one byte that is no continuation byte (0x80-0xBF), so the characters of a
        # stretch of bytes are its non-continuation bytes, counted in C (no slice to decode)
        leads = raw.translate(_LEAD_BYTES) if not ascii_only else b""
        count = leads.count
        at_byte = at_char = 0
        for last, (key, klen, english, latin_end, roles, end_kinds) in self._auto.iter(raw.decode("latin-1")):
            if not ascii_only:
                b = last + 1
                if b != at_byte:
                    at_char += count(1, at_byte, b)
                    at_byte = b
                last = at_char - 1
            # padded[i] is low[i - 1]
            if english:
                start = last - klen + 1
                end = last
                if latin_end and end < n and "a" <= low[end] <= "z":
                    m = _SUFFIX.match(low, end)
                    if m is None:
                        continue
                    end = m.end()
            else:
                start = last - klen
                end = last
            for kind, value in roles:
                append(new(Hit, (start, end, key, kind, value)))
            if end_kinds:
                for kind in end_kinds:
                    at = sinks[kind]
                    if at.get(end, -1) < start:
                        at[end] = start
        out.sort(key=_START)     # stable; callers prefer the longest hit at a start themselves
        return out

    def merged(self, other: "Scanner", ends_only=()) -> "Scanner":
        """One scanner over the keys of both (one pass over a text for two lexicons)."""
        m = Scanner(ends_only)
        for src in (self, other):
            for k, roles in src._entries.items():
                m._entries.setdefault(k, []).extend(roles)
        return m.build()


_START = itemgetter(0)


_SV, _SE = "stance_verbs.yaml", "sentiment.yaml"


def _words(d: dict, key, where: str) -> List[str]:
    """``d[key]``: a list of words, ``[]`` when missing."""
    return lexicons.str_list(d, key, where, optional=True)


def _zh_en(d: dict, key, where: str) -> List[str]:
    """``d[key]``: a list of words, or a mapping with zh and en lists of words."""
    node = d.get(key)
    if not isinstance(node, dict):
        return _words(d, key, where)
    if set(node) - {"zh", "en"}:
        raise LexiconError(f"{at(where, key)}: expected zh/en lists")
    return _words(node, "zh", at(where, key)) + _words(node, "en", at(where, key))


@dataclass
class StanceLexicon:
    scanner: Scanner
    window_zh: int
    window_en: int
    org_country: Dict[str, str]
    ease_heads: frozenset = frozenset()
    restrict_heads: frozenset = frozenset()
    government_suffixes: tuple = ()
    titles: frozenset = frozenset()
    buyer_nouns: frozenset = frozenset()
    comitative_verbs: tuple = ()


@dataclass
class SentimentLexicon:
    scanner: Scanner
    negation_window: int
    voice: Dict[str, float]
    quotes: List[Tuple[str, str]]
    neutral_band: float
    scale: float
    target_negators: tuple = ()
    quote_marks: object = None
    proposition_only: frozenset = frozenset()
    not_negators: tuple = ()
    target_negation: float = 2.0
    attribution_after: tuple = ()       # 路透社报道: a name before these attributes the report
    attribution_before: tuple = ()      # 据彭博社: … or after these


def load_stance() -> StanceLexicon:
    d = lexicons.load_yaml(os.path.join(DATA, _SV))
    sc = Scanner()
    groups = d.get("triggers")
    if not isinstance(groups, list) or not groups:
        raise LexiconError("stance_verbs.yaml: `triggers` must be a non-empty list")
    seen_actions = set()
    for i, g in enumerate(groups):
        where = f"{_SV}: triggers[{i}]"
        if not isinstance(g, dict):
            raise LexiconError(f"{where}: must be a mapping")
        act, lab, st = g.get("action"), g.get("label"), g.get("strength", 0.8)
        if act not in ACTIONS:
            raise LexiconError(f"{where}: unknown action {act!r}")
        if lab not in LABELS:
            raise LexiconError(f"{where}: unknown label {lab!r}")
        if not isinstance(st, (int, float)) or not 0 < st <= 1:
            raise LexiconError(f"{where}: strength must be in (0, 1]")
        keys = _words(g, "zh", where) + _words(g, "en", where)
        if not keys:
            raise LexiconError(f"{where}: no words")
        seen_actions.add(act)
        for k in keys:
            sc.add(k, "trigger", (act, lab, float(st)))
    missing = set(ACTIONS) - seen_actions
    if missing:
        raise LexiconError(f"stance_verbs.yaml: no triggers for {sorted(missing)}")
    neg, nw = lexicons.mapping(d, "negators", _SV, optional=True), at(_SV, "negators")
    for k in _words(neg, "zh", nw) + _words(neg, "en", nw):
        sc.add(k, "negator")
    for k in _words(neg, "refusal", nw):
        sc.add(k, "refusal")
    for k in _words(neg, "not_negators", nw):
        sc.add(k, "not_negator")
    for kind in ("not_triggers", "modality", "easing", "restricting", "target_preps", "passive", "coordinators",
                 "reporting", "spokesperson"):
        for k in _zh_en(d, kind, _SV):
            sc.add(k, kind)
    for kind in ("ease_heads", "restrict_heads"):
        for a in _words(d, kind, _SV):
            if a not in ACTIONS:
                raise LexiconError(f"stance_verbs.yaml {kind}: unknown action {a!r}")
    org_country = {}
    oc = lexicons.mapping(d, "org_country", _SV, optional=True)
    for country in oc:
        for b in _words(oc, country, at(_SV, "org_country")):
            org_country[b] = country
    for key in ("window_zh", "window_en"):
        if not isinstance(d.get(key), int) or not 0 < d[key] < 40:
            raise LexiconError(f"stance_verbs.yaml {key}: must be a small positive integer")
    return StanceLexicon(sc.build(), d["window_zh"], d["window_en"], org_country,
                         frozenset(d.get("ease_heads") or ()), frozenset(d.get("restrict_heads") or ()),
                         tuple(_words(d, "government_suffixes", _SV)),
                         frozenset(_words(d, "titles", _SV)),
                         frozenset(ascii_lower(w) for w in _words(d, "buyer_nouns", _SV)),
                         tuple(_words(d, "comitative_verbs", _SV)))


def load_sentiment() -> SentimentLexicon:
    d = lexicons.load_yaml(os.path.join(DATA, _SE))
    sc = Scanner()
    for pol, sign in (("positive", 1.0), ("negative", -1.0)):
        tiers = lexicons.mapping(d, pol, _SE, non_empty=True)
        for w in tiers:
            if not isinstance(w, (int, float)) or not 0 < float(w) <= 2:
                raise LexiconError(f"sentiment.yaml {pol}: weight {w!r} not in (0, 2]")
            for k in _zh_en(tiers, w, at(_SE, pol)):
                sc.add(k, "polar", sign * float(w))
    for k in _zh_en(d, "negators", _SE):
        sc.add(k, "s_negator")
    for k in _words(d, "not_negators", _SE):
        sc.add(k, "s_not_negator")
    ints = lexicons.mapping(d, "intensifiers", _SE, optional=True)
    for lang in ("zh", "en"):
        for k, v in (ints.get(lang) or {}).items():
            if not isinstance(v, (int, float)) or not 1 <= v <= 3:
                raise LexiconError(f"sentiment.yaml intensifiers.{lang}.{k}: factor must be in [1, 3]")
            sc.add(k, "intensifier", float(v))
    for k in _zh_en(d, "reporting", _SE):
        sc.add(k, "s_reporting")
    sv = lexicons.mapping(d, "stance_verbs", _SE, optional=True)
    for lab, sign in (("favor", 1.0), ("against", -1.0)):
        for k in _zh_en(sv, lab, at(_SE, "stance_verbs")):
            sc.add(k, "stance_verb", sign)
    quotes = d.get("quotes") or []
    if not all(isinstance(q, list) and len(q) == 2 and all(isinstance(c, str) and len(c) == 1 for c in q)
               for q in quotes):
        raise LexiconError("sentiment.yaml quotes: pairs of single characters")
    voice = d.get("voice") or {}
    for k in ("quoted", "reported", "headline"):
        if not isinstance(voice.get(k), (int, float)) or voice[k] < 0:
            raise LexiconError(f"sentiment.yaml voice.{k}: non-negative number required")
    nb, scale, nw = d.get("neutral_band"), d.get("scale"), d.get("negation_window")
    if not isinstance(nb, (int, float)) or not 0 <= nb < 1:
        raise LexiconError("sentiment.yaml neutral_band: must be in [0, 1)")
    if not isinstance(scale, (int, float)) or scale <= 0:
        raise LexiconError("sentiment.yaml scale: must be positive")
    if not isinstance(nw, int) or not 0 < nw < 10:
        raise LexiconError("sentiment.yaml negation_window: small positive integer")
    tn = lexicons.mapping(d, "target_negation", _SE, optional=True)
    tneg = tuple(_words(tn, "words", at(_SE, "target_negation")))
    tw = tn.get("weight", 2.0)
    if not isinstance(tw, (int, float)) or not 0 <= tw <= 5:
        raise LexiconError("sentiment.yaml target_negation.weight: must be in [0, 5]")
    learned = lexicons.mapping(d, "learned", _SE, optional=True)
    lw = d.get("learned_weight", 1.0)
    for k, v in learned.items():
        if not isinstance(k, str) or not isinstance(v, (int, float)) or not -2 <= v <= 2:
            raise LexiconError(f"sentiment.yaml learned.{k}: weight must be in [-2, 2]")
        if v:
            sc.add(k, "polar", float(v) * float(lw))
    marks = sorted({c for q in quotes for c in q} | {"\n"})
    attr = lexicons.mapping(d, "attribution", _SE)
    return SentimentLexicon(
        scanner=sc.build(), negation_window=nw, voice={k: float(v) for k, v in voice.items()},
        quotes=[tuple(q) for q in quotes], neutral_band=float(nb), scale=float(scale),
        target_negators=tneg, quote_marks=re.compile("[" + re.escape("".join(marks)) + "]"),
        proposition_only=frozenset(_words(sv, "proposition_only", at(_SE, "stance_verbs"))),
        not_negators=tuple(_words(d, "not_negators", _SE)), target_negation=float(tw),
        attribution_after=tuple(ascii_lower(w) for w in _words(attr, "after", at(_SE, "attribution"))),
        attribution_before=tuple(ascii_lower(w) for w in _words(attr, "before", at(_SE, "attribution"))))
