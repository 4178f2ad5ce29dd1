"""Actor stances: who does what to whom, clause by clause.

A stance is read where a source entity — (negation / modality) — a verb of the
lexicon (data/stance_verbs.yaml) — a target entity stand in one clause:

* 对/向/与/同/跟 X + verb, 将 X 列入 …, English "… on/to/with X": X is the target;
* passive 被/遭 X + verb, English "verb … by X": X is the source, the subject the target;
* an actor right before the verb ("U.S. tariff threats", "China's export controls") is its source;
* with no actor before the verb in its clause, the subject of the previous clause of the
  same sentence (or its speaker: X表示/称 …) is carried over;
* negation (不, 未, 没有, 拒绝): a negated friendly act is `neutral` (`against` when refused),
  a negated hostile act `neutral`; easing (取消, 暂停, 放宽, 豁免 …) a tariff, sanction or control
  is `favor`; restricting (限制, 暂停, 禁止 …) trade is an `export_control`;
  modality (可能, 或将, 拟) keeps the label and lowers the confidence;
* a government body's spokesperson speaks for its country too (data: org_country);
  日本政府 acts as 日本 when 日本 is an entity (data: government_suffixes);
* "from X to Y", buyer nouns (X的买家: X sells), refused proposals (拒绝了X提出的协议),
  coordinated sources (德国、美国和越南; General Motors and Tesla), apposition
  (同俄罗斯外长拉夫罗夫), verb objects and 的-possessors are no subjects, 在X is a place;
* label from the verb's group; confidence = the group's strength, lowered for carried
  subjects, implicit targets, negation, modality and distance.

Symmetric acts (agree, negotiate, cooperate) are given once per pair; no two stances of one
sentence share (source, target, label, action).  Each stance's rule chain is recorded in
``doc.user["stance_rules"]`` (Span.rule), so a wrong stance names its culprit.

One pass of one automaton (stance and sentiment keys) over the document, then per sentence
bisect lookups of hits and mentions; each clause is read once (its actors, the places among
them, the kinds of hits in it) for all of its triggers; actors are looked for within 60
(Chinese) / 200 (English) characters of their verb: linear in the text, never quadratic in
entities.  Segment and clause cuts are tried only where a cue character stands (str.find).
The author's own stance lives in :mod:`author_stance`.
"""
from __future__ import annotations

import bisect
import operator
import re
from operator import itemgetter
from typing import List, Optional

from . import author_stance, stance_discourse
from . import stance_lexicon as L
from .doc import Doc, Span

ACTOR_TYPES = frozenset({"GPE", "ORG", "PERSON"})
TARGET_TYPES = frozenset({"GPE", "ORG", "PERSON", "LOC"})
SYMMETRIC = frozenset({"agree", "negotiate", "cooperate"})
# hostile acts whose target may be left implicit in their clause (中方坚决反对)
IMPLICIT_TARGET = frozenset({"oppose", "criticize", "threaten", "export_control", "tariff", "sanction"})
# acts named by nouns that keep their owner even inside a prepositional phrase ("to U.S. tariffs")
# how far from its verb a source or target may stand (characters)
WINDOW_ZH = 60
WINDOW_EN = 200
HOSTILE_NOUNS = frozenset({"tariff", "sanction", "export_control", "threaten"})

# sentences the splitter cut after an abbreviation ("The U.S." | "imposed …") are joined again
_ABBREV_END = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|No|vs|Inc|Co|Ltd|Corp|Jr|Sr|Gen|Gov)\.)$")
# hard boundaries inside a sentence: bullets and citation marks of the English summaries
# (\s[-–—]\s | \n | (?:\[\d+\])+ | \bGroup \d+:? | \bCore (?:Viewpoint|Insights)\b, written to begin with
# one character class, so that the regex engine skips to candidate characters instead of trying
# every alternative at every position; the lookbehinds tell which alternative the class began)
_HARD = re.compile(r"[\s\[GC](?:(?<=\s)[-–—]\s|(?<=\n)|(?<=\[)\d+\](?:\[\d+\])*|(?<=G)(?<!\wG)roup \d+:?"
                   r"|(?<=C)(?<!\wC)ore (?:Viewpoint|Insights)\b)")
# clause boundaries
# ([,，;；:：、] | \s[-–—]\s | parentheses, led by one character class as _HARD)
_CLAUSE = re.compile(r"[,，;；:：、()（）\s](?:(?<!\s)|(?<=\s)[-–—]\s)")
_LATIN = re.compile(r"[A-Za-z]")
_CONTINUE = re.compile(r"\s*(?:并且|并|还|随即|随后|同时|而且|也)")
_QUANT = re.compile(r"(?:原产于|原产自|产自|来自|源自|进口自|多家|多个|多名|部分|一些|这些|所有|全部|若干|数家|几家|各|多|该|其"
                    r"|(?:[0-9]+|[一二两三四五六七八九十百千几数]+)(?:家|个|名|所|位|款|项|批|类|种)(?:其他|其它)?)")

_TOKEN_END = itemgetter(3)
_MENTION_START = itemgetter(0)
_MENTION_END = itemgetter(1)
_MENTION_NAME = itemgetter(2)
_HIT_START = itemgetter(0)
_KIND = itemgetter(3)
_bisect_left = bisect.bisect_left

_lex: Optional[L.StanceLexicon] = None
_scanner: Optional[L.Scanner] = None      # stance and sentiment keys in one automaton


def load() -> None:
    """Load and validate the lexicons (a bad data file fails here, at start-up)."""
    global _lex, _scanner
    _lex = L.load_stance()
    author_stance.load()
    stance_discourse.load()
    # (the target prepositions are asked only where they end: no hit of theirs is listed)
    _scanner = _lex.scanner.merged(author_stance.lexicon().scanner, ends_only=("target_preps",))
    _derived.clear()


def _lexicon_sets(lex) -> tuple:
    """(the countries and blocs of org_country, the same longest first, the government suffixes and
    the titles as tuples), once per lexicon."""
    d = _derived.get(id(lex))
    if d is None or d[0] is not lex:
        countries = frozenset(lex.org_country.values())
        d = _derived[id(lex)] = (lex, countries, tuple(sorted(countries, key=len, reverse=True)),
                                 tuple(lex.government_suffixes), tuple(lex.titles))
    return d[1:]


_derived: dict = {}


def lexicon() -> L.StanceLexicon:
    if _lex is None:
        load()
    return _lex


# ---------------------------------------------------------------------------- inputs

def entity_mentions(doc: Doc) -> list:
    """Sorted, non-overlapping ``(start, end, name, type)`` of the document's entity mentions."""
    cached = doc.user.get("_stance_mentions")
    if cached is not None:
        return cached
    ms = doc.user.get("entity_mentions")
    if ms is None:
        ms = []
        for e in doc.entities or []:
            for m in e.get("mentions") or []:
                ms.append((m["start"], m["end"], e.get("name"), e.get("type")))
    starts = list(map(_MENTION_START, ms))
    if len(set(starts)) < len(starts) or starts != sorted(starts):
        ms = sorted(ms, key=lambda m: (m[0], -(m[1] - m[0])))     # (else already in that order)
    elif set(map(type, ms)) == {tuple} and set(map(len, ms)) == {4} and all(map(_MENTION_NAME, ms)) \
            and all(map(operator.ge, starts[1:], map(_MENTION_END, ms))):
        # (the common case, checked in C: named (start, end, name, type) tuples, none overlapping)
        out = list(ms)
        doc.user["_stance_mentions"] = out
        return out
    out = []
    last_end = -1
    for m in ms:
        if m[0] >= last_end and m[2]:
            out.append(m if type(m) is tuple and len(m) == 4 else tuple(m[:4]))
            last_end = m[1]
    doc.user["_stance_mentions"] = out
    return out


def units(doc: Doc) -> List[Span]:
    """The document's sentences, re-joined where the splitter cut after an abbreviation."""
    cached = doc.user.get("_stance_units")
    if cached is not None:
        return cached
    sents = doc.sentences or ([Span(0, len(doc.norm), "sentence", "stance.whole")] if doc.norm.strip() else [])
    out: List[Span] = []
    for s in sents:
        # (the pattern ends in "." at the end of the text: no other sentence can match it)
        if out and s.start - out[-1].end <= 2 and doc.norm[out[-1].end - 2:out[-1].end].rstrip("\n")[-1:] == "." \
                and _abbrev_end(doc.norm, out[-1].start, out[-1].end):
            out[-1] = Span(out[-1].start, s.end, "sentence", "stance.join_abbrev")
        else:
            out.append(s)
    doc.user["_stance_units"] = out
    return out


def _abbrev_end(norm: str, s: int, e: int) -> bool:
    """``_ABBREV_END.search(norm[s:e])``, read in the sentence's last characters only: a match
    ends at the end (or before a final newline) and, when one exists, one starts in the last 7
    characters ("Corp.", or the last two letter-dot pairs of "U.S.A.", whose letter follows a
    dot).  Searched from a position (not a slice), ``\b`` sees the character before it, which is
    the sentence's own when the sentence is longer than the window."""
    if e - s <= _ABBREV_TAIL:
        return _ABBREV_END.search(norm[s:e]) is not None
    return _ABBREV_END.search(norm, e - _ABBREV_TAIL, e) is not None


_ABBREV_TAIL = 10


def _hard_starts(norm: str, cache: Optional[dict] = None) -> list:
    """Every position of the text where a _HARD match can begin, sorted: a space before a dash,
    a newline, "[" before a digit, "Group", "Core" (str.find, once per document: far cheaper than
    _HARD's stop at every space of an English text, or any regex scan).  A superset: _HARD.match
    decides.  (``cache``: the document's character positions, see ``L.positions``.)"""
    # \s[-–—]\s: the dash of "rare-earth" or "US-China" follows no space
    out = [d - 1 for d in L.positions(norm, "-–—", cache) if d and norm[d - 1].isspace()]
    out += L.positions(norm, "\n", cache)
    out += [i for i in L.positions(norm, "[", cache) if norm[i + 1:i + 2].isdecimal()]     # \[\d+\]
    find = norm.find
    for cue in ("Group", "Core"):
        i = find(cue)
        while i >= 0:
            out.append(i)
            i = find(cue, i + 1)
    out.sort()
    return out


def _split_at(start: int, end: int, starts: list, stop_at):
    """Pieces of ``[start, end)`` cut at the candidate positions ``starts`` (sorted) where
    ``stop_at(c)`` gives the end of a separator beginning at ``c`` (None: no separator there)."""
    pos = start
    for k in range(_bisect_left(starts, start), len(starts)):
        c = starts[k]
        if c >= end:
            break
        if c < pos:
            continue
        stop = stop_at(c)
        if stop is None:
            continue
        if c > pos:
            yield pos, c
        pos = stop
    if end > pos:
        yield pos, end


def _segments(norm: str, start: int, end: int, starts=None):
    """Hard segments of a sentence: bullets and citation marks end a segment.

    As splitting at ``_HARD.finditer(norm, start, end)``, with the regex tried only where a
    match can begin (``starts``: the document's ``_hard_starts``): the leftmost match at or
    after each position is the same."""
    if starts is None:
        starts = _hard_starts(norm)

    def stop_at(c):
        m = _HARD.match(norm, c, end)
        return None if m is None else m.end()
    return _split_at(start, end, starts, stop_at)


def _clause_starts(norm: str, cache: Optional[dict] = None) -> list:
    """Every position of the text where a _CLAUSE match can begin, sorted: its punctuation, and
    the character before a dash (\\s[-–—]\\s).  A superset: _CLAUSE.match decides the dashes."""
    out = L.positions(norm, _CLAUSE_PUNCT, cache)
    dashes = L.positions(norm, "-–—", cache)
    if dashes:
        # (\s[-–—]\s: the dash of "rare-earth" follows no space)
        out += [d - 1 for d in dashes if d and norm[d - 1].isspace()]
        out.sort()
    return out


# _CLAUSE's punctuation: one character, a match by itself
_CLAUSE_PUNCT = ",，;；:：、()（）"


def _clauses(norm: str, start: int, end: int, starts=None):
    """The clauses of a segment: as splitting at ``_CLAUSE.finditer(norm, start, end)``, with the
    regex tried only where a match can begin (``starts``: the document's ``_clause_starts``)."""
    if starts is None:
        starts = _clause_starts(norm)
    punct = _CLAUSE_PUNCT

    def stop_at(c):
        if norm[c] in punct:
            return c + 1
        m = _CLAUSE.match(norm, c, end)
        return None if m is None else m.end()
    return _split_at(start, end, starts, stop_at)


def _strip(norm: str, s: int, e: int):
    while s < e and norm[s] in " \t\r\n\u3000“”\"'「」『』《》【】":
        s += 1
    while e > s and norm[e - 1] in " \t\r\n\u3000“”\"'「」『』《》【】":
        e -= 1
    return s, e


# ---------------------------------------------------------------------------- the pass

def _hit_index(hits):
    """The document's hits by kind: ``{kind: (hits, their starts)}``, each in text order; the
    author stance's evaluative words (polar and stance_verb together) also under ``"_evaluative"``."""
    index = {}
    ev = index["_evaluative"] = ([], [])
    for h in hits:
        kind = h.kind
        e = index.get(kind)
        if e is None:
            e = index[kind] = ([], [])
        e[0].append(h)
        e[1].append(h.start)
        if kind == "polar" or kind == "stance_verb":
            ev[0].append(h)
    return index


_NONE = ((), ())


class _Sentence:
    """Hits and mentions of one hard segment, with lookups by position.

    The hits of a kind are looked up in the document's index (``_hit_index``), clipped to the
    segment: those that start in [s, e) and end by e, exactly the segment's own."""

    def __init__(self, doc, low, s, e, index, mentions, hits=(), hit_starts=(), clause_starts=None,
                 prep_ends=None, targets=None):
        self.doc, self.low, self.s, self.e = doc, low, s, e
        # the document's mentions of TARGET_TYPES and their starts (else the segment's own)
        if targets is None:
            tm = [m for m in mentions if m[3] in TARGET_TYPES]
            targets = (tm, [m[0] for m in tm])
        self.targets = targets
        # the document's target prepositions, {end: latest start} (the scan's end-only kind)
        self.prep_end = prep_ends if prep_ends is not None else {}
        self.clause_starts = clause_starts     # the document's (_clause_starts), else found per segment
        self.index = index
        self.hits, self.hit_starts = hits, hit_starts     # all of the document's, by start
        self.mentions = mentions
        self._prev_mention = None
        self.titles = _lexicon_sets(_lex)[3] if _lex is not None else ()     # (a tuple, for str.endswith)
        # negators inside a longer not-negator of the segment (不断, not only) do not negate
        voided = [(h.start, h.end) for h in self.of("not_negator")] if "not_negator" in index else ()
        self.lists = index
        if voided:
            vstarts = [v[0] for v in voided]
            self.lists = dict(index)
            for kind in ("negator", "refusal"):
                hs = [h for h in self.of(kind) if not _covered(voided, vstarts, h)]
                self.lists[kind] = (hs, [h.start for h in hs])
        self._vo_memo = {}
        self._prep_memo = {}
        self.mstarts = list(map(_MENTION_START, mentions))

    def of(self, kind):
        """The segment's hits of ``kind``, in text order."""
        hs, st = self.index.get(kind, _NONE)
        e = self.e
        return [h for h in hs[bisect.bisect_left(st, self.s):bisect.bisect_left(st, e)] if h.end <= e]

    @property
    def prev_mention(self):
        """The mention before each mention of the segment, by start (built on first use)."""
        if self._prev_mention is None:
            ms = self.mentions
            self._prev_mention = {b[0]: a for a, b in zip(ms, ms[1:])}
        return self._prev_mention

    def verb_object(self, m) -> bool:
        """Chinese: a mention right after a verb token (接受中国帮助) is that verb's object, not a subject.
        (memoised by start)"""
        p = m[0]
        r = self._vo_memo.get(p)
        if r is None:
            r = self._vo_memo[p] = not _is_latin_at(self.doc.norm, p) and _verb_ends_at(self.doc, p)
        return r

    def possessor(self, m) -> bool:
        """中方的做法: a mention followed by 的 owns a noun; it is not the clause's subject."""
        return self.doc.norm[m[1]:m[1] + 1] == "的"

    def locative(self, m) -> bool:
        """在吉隆坡举行磋商: a place where something happens is no party to it."""
        return _locative_zh(self.doc.norm, self.s, m[0])

    def kinds_in(self, lo, hi) -> set:
        """The kinds of the document's hits that start inside [lo, hi) (those of ``has`` and more:
        a kind not among them has no hit there)."""
        st = self.hit_starts
        return set(map(_KIND, self.hits[_bisect_left(st, lo):_bisect_left(st, hi)]))

    def has(self, kind, lo, hi):
        """Hits of ``kind`` inside [lo, hi) of the segment (bisect: never a scan of the whole sentence)."""
        hs, st = self.lists.get(kind, _NONE)
        if not st or hi <= lo:
            return []
        if lo < self.s:
            lo = self.s
        if hi > self.e:
            hi = self.e
        i = _bisect_left(st, lo)
        if i == len(st) or st[i] >= hi:
            return []           # (the common case: nothing of the kind starts in the range)
        j = _bisect_left(st, hi, i)
        return [h for h in hs[i:j] if h.end <= hi]

    def mentions_in(self, lo, hi):
        """Mentions inside [lo, hi)."""
        i, j = bisect.bisect_left(self.mstarts, lo), bisect.bisect_left(self.mstarts, hi)
        return [m for m in self.mentions[i:j] if m[1] <= hi]

    def prep_object(self, m) -> bool:
        """Is mention ``m`` introduced by a target preposition (对X, to X, on the X)? (memoised)"""
        r = self._prep_memo.get(m[0])      # (by start: a mention's start fixes its end)
        if r is None:
            r = self._prep_memo[m[0]] = self._prep_object(m)
        return r

    def _prep_object(self, m) -> bool:
        j = m[0]
        norm = self.doc.norm
        if norm[m[1]:m[1] + 2] in ("'s", "’s"):
            return False        # a possessor ("with ASEAN's trade …") is no prepositional object
        pe = self.prep_end     # (one of the segment ends at k iff pe.get(k, -1) >= s: none straddles k < e)
        s = self.s
        if pe.get(j, -1) >= s:
            return True
        if not _is_latin_at(norm, j) or (j > 0 and norm[j - 1] == "的"):
            # apposition inside the phrase: 同俄罗斯外长拉夫罗夫 — the person is in the phrase too;
            # a possessor before the head: 向澳大利亚的Lynas — the head is the object
            prev = self.prev_mention.get(m[0])
            if prev is not None and 0 < m[0] - prev[1] <= 6 and (
                    _ends_with_title(norm[prev[1]:m[0]], self.titles) or norm[prev[1]:m[0]] == "的") \
                    and self.prep_object(prev):
                return True
            if _is_latin_at(norm, j):
                return False
            # 将多家中国企业, 对部分日本产品: a short quantifier between the marker and the name
            for k in range(j - 1, j - 7, -1):
                if pe.get(k, -1) >= s and k >= s and _QUANT.fullmatch(norm, k, j):
                    return True
            return False
        k = j
        while k > self.s and norm[k - 1] == " ":
            k -= 1
        if self.low[max(self.s, k - 3):k] == "the":
            k -= 3
            while k > self.s and norm[k - 1] == " ":
                k -= 1
        return k != j and pe.get(k, -1) >= s


def extract(doc: Doc) -> Doc:
    lex = lexicon()
    norm = doc.norm
    low = L.ascii_lower(norm)
    ends: dict = {}
    all_hits = _scanner.scan(low, ends)
    prep_ends = ends.get("target_preps", {})
    index = _hit_index(all_hits)
    hit_starts = list(map(_HIT_START, all_hits))
    chars = doc.user["_stance_chars"] = {}     # character positions, shared by the cue finders
    hard = clause_starts = None     # (on first use: a text with no sentence to read needs neither)
    mentions = entity_mentions(doc)
    m_starts = [m[0] for m in mentions]
    names = {e.get("name"): e for e in doc.entities or []}
    out = []
    trigs, trig_starts = index.get("trigger", _NONE)
    doc.user["_stance_triggers"] = trigs        # (read by the discourse pass: reactions)
    for sent in units(doc):
        # a stance needs a trigger and two mentions in the sentence
        if bisect.bisect_left(trig_starts, sent.start) == bisect.bisect_left(trig_starts, sent.end) or \
                bisect.bisect_left(m_starts, sent.end) - bisect.bisect_left(m_starts, sent.start) < 2:
            continue
        seen = set()
        first = len(out)
        if hard is None:
            hard = _hard_starts(norm, chars)
        for s, e in _segments(norm, sent.start, sent.end, hard):
            mi = bisect.bisect_left(m_starts, s)
            mj = bisect.bisect_left(m_starts, e)
            if mj - mi < 2:
                continue            # a stance needs a source and a target
            sm = mentions[mi:mj]
            if sm[-1][1] > e:
                sm.pop()            # (sorted, non-overlapping: only the last may run past e)
            if len(sm) < 2:
                continue
            ti = bisect.bisect_left(trig_starts, s)
            tj = bisect.bisect_left(trig_starts, e)
            for h in trigs[ti:tj]:
                if h.end <= e:
                    break
            else:
                continue
            if clause_starts is None:
                clause_starts = _clause_starts(norm, chars)
                tm = [m for m in mentions if m[3] in TARGET_TYPES]
                targets = (tm, list(map(_MENTION_START, tm)))
            S = _Sentence(doc, low, s, e, index, sm, all_hits, hit_starts, clause_starts, prep_ends, targets)
            triggers = _select_triggers(S)
            if triggers:
                _read_segment(doc, lex, S, triggers, names, seen, out)
        _drop_controlled_trade(out, first)
    doc.stances = out
    doc.user["_stance_low"] = low
    doc.user["_stance_index"] = index
    # coordinated parties, reactions, topics of talks: before the author stance, which reads them
    stance_discourse.apply(doc, mentions, lex.org_country)
    author_stance.extract(doc)
    for k in ("_stance_low", "_stance_index", "_stance_units", "_stance_mentions", "_stance_chars",
              "_stance_triggers"):
        doc.user.pop(k, None)
    return doc


def _verb_ends_at(doc, pos) -> bool:
    """Does a jieba verb token end at ``pos`` (where a mention starts)?  (bisect on the tokens' ends)"""
    toks = doc.pos_tokens
    i = bisect.bisect_left(toks, pos, key=_TOKEN_END)
    return i < len(toks) and toks[i][3] == pos and toks[i][1][:1] == "v"


def _overlap(x, y):
    return x["evidence"]["start"] < y["evidence"]["end"] and y["evidence"]["start"] < x["evidence"]["end"]


def _drop_controlled_trade(out, first):
    """Within one sentence, where two stances of the same source toward the same target overlap,
    the trade that a control, sanction or tariff restricts (对向韩国出口的材料实施出口管制) is no
    friendly act.  (Talks beside a stance with a side are kept: both are said.)"""
    part = out[first:]
    if len(part) < 2:
        return
    keep = []
    for st in part:
        rivals = [o for o in part if o is not st and o["source"] == st["source"] and o["target"] == st["target"]
                  and _overlap(o, st)]
        if st["action"] == "trade" and st["label"] == "favor" and any(
                o["label"] == "against" and o["action"] in ("export_control", "sanction", "tariff") for o in rivals):
            continue
        keep.append(st)
    out[first:] = keep


def _head(norm, S, actors, m):
    """The head of "China's Foreign Minister Wang Yi" / 中国外长王毅 is the person, not the state."""
    i = actors.index(m) if m in actors else -1
    if 0 <= i < len(actors) - 1:
        n = actors[i + 1]
        gap = norm[m[1]:n[0]]
        if n[3] == "PERSON" and ((gap[:2] in ("'s", "’s") and len(gap) <= 40 and "," not in gap)
                                 or _ends_with_title(gap, S.titles)):
            return n
    return m


def _affiliation(norm, S, source):
    """美国总统特朗普, 中国外交部发言人林剑: the name before the source and its title is the source's own
    side, never its counterpart."""
    if source is None:
        return None
    prev = S.prev_mention.get(source[0])
    if prev is not None and 0 < source[0] - prev[1] <= 6 and _ends_with_title(norm[prev[1]:source[0]], S.titles):
        return prev[2]
    return None


def _ends_with_title(gap, titles):
    return gap.endswith(tuple(titles)) if gap and len(gap) <= 6 else False


def _covered(spans, starts, h):
    """Is hit ``h`` inside a longer span of ``spans`` (sorted by start)?"""
    i = bisect.bisect_right(starts, h.start) - 1
    while i >= 0 and h.start - starts[i] <= 12:
        a, b = spans[i]
        if a <= h.start < b and (b - a) > (h.end - h.start):
            return True
        i -= 1
    return False


def _select_triggers(S):
    """Leftmost-longest, non-overlapping trigger hits, none inside a not-trigger phrase (供应链)."""
    blocks = [(h.start, h.end) for h in S.of("not_triggers")] if "not_triggers" in S.index else ()
    bstarts = [b[0] for b in blocks]
    out = []
    last = -1
    e = S.e
    hs, st = S.index.get("trigger", _NONE)
    for h in hs[_bisect_left(st, S.s):_bisect_left(st, e)]:      # (S.of("trigger"), without the list)
        if h.end > e:
            continue
        if blocks:
            # inside one of the (up to four) not-trigger phrases that start before it ends
            i = bisect.bisect_left(bstarts, h.end) - 1
            blocked = False
            for k in range(max(0, i - 3), i + 1):
                if blocks[k][1] > h.start:
                    blocked = True
                    break
            if blocked:
                continue
        if h.start >= last:
            out.append(h)
            last = h.end
        elif out and h.start == out[-1].start and h.end > out[-1].end:
            out[-1] = h
            last = h.end
    return out


class _Clause:
    """One clause of a segment, read once for all of its triggers: its bounds, the kinds of the
    lexicon hits that start in it (a kind that is not among them is looked up no further), its
    actors, those of them that are no place (在吉隆坡, 在白宫宣布), and what its earlier triggers
    found (the shared subject, the last target, their objects)."""
    __slots__ = ("cs", "ce", "kinds", "actors", "astarts", "parties", "pstarts", "source", "target",
                 "objects", "carried_object", "next_trigger", "prev_trigger_end")

    def __init__(self, S, cs, ce, kinds, actors, carried_object):
        self.cs, self.ce, self.kinds = cs, ce, kinds
        self.actors = actors
        self.astarts = [m[0] for m in actors]
        # the place (or the seat of an office) where it happens is no party (but to an investment)
        norm, s = S.doc.norm, S.s
        parties = actors
        for m in actors:
            if m[3] in _PLACE_TYPES and _locative_zh(norm, s, m[0]):
                parties = [m for m in actors if not (m[3] in _PLACE_TYPES and _locative_zh(norm, s, m[0]))]
                break
        self.parties = parties
        self.pstarts = self.astarts if len(parties) == len(actors) else [m[0] for m in parties]
        self.source = self.target = None
        self.objects = set()
        self.carried_object = carried_object
        self.next_trigger = ce
        self.prev_trigger_end = cs


_PLACE_TYPES = frozenset({"GPE", "LOC", "ORG"})


def _read_segment(doc, lex, S: _Sentence, triggers, names, seen, out):
    norm = doc.norm
    carried = None      # subject (or speaker) carried from a previous clause
    carried_object = None   # the other party of the previous clause's act
    main_speaker = None
    tstarts = [t.start for t in triggers]
    last_trigger = tstarts[-1]
    # the document's actors and targets (sorted, non-overlapping: of those that start in a clause
    # of the segment, only the last may run past its end)
    tm, tmstarts = S.targets
    # a clause without a trigger is read for its speaker only: not when the segment has none
    index = S.index
    may_speak = ("reporting" in index or "spokesperson" in index) and \
        bool(S.has("reporting", S.s, S.e) or S.has("spokesperson", S.s, S.e))
    for cs, ce in _clauses(norm, S.s, S.e, S.clause_starts):
        clause_actors = tm[_bisect_left(tmstarts, cs):_bisect_left(tmstarts, ce)]
        if clause_actors and clause_actors[-1][1] > ce:
            clause_actors.pop()
        # (the selected triggers do not overlap either)
        ctrig = triggers[_bisect_left(tstarts, cs):_bisect_left(tstarts, ce)]
        if ctrig and ctrig[-1].end > ce:
            ctrig.pop()
        kinds = S.kinds_in(cs, ce) if ctrig or (clause_actors and may_speak) else _NO_KINDS
        speaker = _speaker(S, clause_actors, cs, ce) if clause_actors and \
            ("reporting" in kinds or "spokesperson" in kinds) else None
        if speaker is not None:
            main_speaker = speaker
        # 并/还/随即 … continue the main subject (the speaker of reported words)
        if main_speaker is not None and _CONTINUE.match(norm, cs):
            carried = main_speaker
        C = None
        if ctrig:
            C = _Clause(S, cs, ce, kinds, clause_actors, carried_object)
            n = len(ctrig)
            for k, t in enumerate(ctrig):
                C.next_trigger = ctrig[k + 1].start if k + 1 < n else ce
                C.prev_trigger_end = ctrig[k - 1].end if k else cs
                _read_trigger(doc, lex, S, C, t, carried, names, seen, out)
        if last_trigger < ce:
            break           # no trigger in a later clause: what this clause carries over is not read
        subj = speaker
        if subj is None:
            for m in clause_actors:
                if m[3] in ACTOR_TYPES and not S.prep_object(m) and not S.verb_object(m) and not S.possessor(m):
                    subj = m
                    break
        if subj is not None:
            carried = _head(norm, S, clause_actors, subj)
        if C is not None and C.target is not None:
            carried_object = C.target


_NO_KINDS = frozenset()


def _speaker(S, actors, cs, ce):
    """An actor followed closely by a reporting verb or a spokesperson title speaks for the sentence."""
    starts = None
    for kind in ("reporting", "spokesperson"):
        for h in S.has(kind, cs, ce):
            if starts is None:
                starts = [m[0] for m in actors]
            i = bisect.bisect_left(starts, h.start) - 1
            while i >= 0 and h.start - actors[i][1] <= 12:
                m = actors[i]
                if m[1] <= h.start and m[3] in ACTOR_TYPES and not (m[3] != "PERSON" and S.locative(m)):
                    return m
                i -= 1
    return None


def _gap_ok(norm, a, b, limit):
    return 0 <= b - a <= limit


def _is_latin_at(norm: str, i: int) -> bool:
    """``_LATIN.match(norm[i:i + 1])``: an ASCII letter at ``i``."""
    ch = norm[i:i + 1]
    return ("a" <= ch <= "z" or "A" <= ch <= "Z") and ch != ""


def _english(key) -> bool:
    """Is a lexicon key English (Latin-led)? (cached: the keys are the lexicon's)"""
    r = _ENGLISH_KEY.get(key)
    if r is None:
        r = _ENGLISH_KEY[key] = bool(_LATIN.match(key))
    return r


_ENGLISH_KEY: dict = {}


def _read_trigger(doc, lex, S, C, t, carried, names, seen, out):
    norm = doc.norm
    cs, ce, kinds = C.cs, C.ce, C.kinds
    ts, te = t.start, t.end
    action, label, strength = t.value
    english = _ENGLISH_KEY.get(t.key)
    if english is None:
        english = _english(t.key)
    conf = strength
    rule = ["lexicon:" + t.key]
    # only actors near the verb: a clause of thousands of names stays linear
    w = WINDOW_EN if english else WINDOW_ZH
    if action != "invest":
        pool, pstarts = C.parties, C.pstarts     # 在吉隆坡 / 在白宫宣布: no party to it
    else:
        pool, pstarts = C.actors, C.astarts
    actors = pool[_bisect_left(pstarts, ts - w):_bisect_left(pstarts, te + w)]
    # (sorted and non-overlapping: those that end by the verb, then those after it)
    before = actors[:bisect.bisect_right(actors, ts, key=_MENTION_END)]
    after = actors[_bisect_left(actors, te, key=_MENTION_START):]
    source = target = None

    # passive: 被/遭 X verb  |  verb … by X
    if "passive" in kinds:
        for p in S.has("passive", cs, ts if not english else ce):
            if not english and p.end <= ts:
                agent = next((m for m in before if m[0] == p.end or (m[0] - p.end <= 1 and m[0] > p.end)), None)
                if agent:
                    source = agent
                    target = next((m for m in reversed(before) if m[1] <= p.start), None) or carried
                    rule.append("passive")
                    break
            elif english and p.start >= te and p.start - te <= 12:
                agent = next((m for m in after if 0 <= m[0] - p.end <= 5), None)
                if agent:
                    source = agent
                    target = next((m for m in reversed(before) if m is not agent), None) or carried
                    rule.append("passive_by")
                    break

    if source is None:
        # the last prepositional object before the verb (Chinese only: an English one is no target)
        prep = None
        if not english:
            for m in reversed(before):
                if S.prep_object(m):
                    prep = m
                    break
        # an actor right before the verb is its source ("U.S. tariff threats", "China's export controls")
        attributive = None
        if before:
            last = before[-1]
            if english:
                limit = 30 if norm[last[1]:min(last[1] + 2, ts)] in ("'s", "’s") else 2
                if S.prep_object(last) and action not in HOSTILE_NOUNS:
                    limit = -1      # "with China rather than …": an object, not an owner
            else:
                limit = -1 if S.prep_object(last) else 6
            # (the gap norm[last[1]:ts] is ts - last[1] long: last ends by the verb)
            if ts - last[1] <= limit and not ("reporting" in kinds and S.has("reporting", last[1], ts)):
                attributive = last
                if _compound(norm, actors, attributive):
                    return          # "US-China tariff war": who does what to whom is not said
        if attributive is not None and t.key in lex.buyer_nouns:
            # 越南是中国稀土的重要买家: the one named before "buyer" is the seller
            target, attributive = attributive, None
            rule.append("buyer_of")
        # 印度政府拒绝了美国提出的协议: the refuser is the source, the proposer the target
        refuser = None
        if attributive is not None and "refusal" in kinds:
            refused = S.has("refusal", cs, ts)
            if refused and refused[-1].end <= attributive[0]:
                by = [m for m in before if m[1] <= refused[-1].start and m[3] in ACTOR_TYPES]
                if by:
                    target, attributive = attributive, None
                    refuser = by[-1]
                    rule.append("refused_proposal")
        if prep is not None and target is None and (attributive is None or prep[0] > attributive[0]):
            target = prep
            rule.append("prep_target")
        # the last actor before the verb that is no object (of a preposition or of a verb)
        cand = None
        embedded = None     # 中方注意到美方对中国企业实施管制: the object of 注意到 is the act's subject
        tname = target[2] if target is not None else None
        for m in reversed(before):
            if m[3] in ACTOR_TYPES and not S.prep_object(m) and m is not target and m[2] != tname:
                if not S.verb_object(m):
                    cand = m
                    break
                if embedded is None and target is not None and not norm[max(cs, m[0] - 4):m[0]].endswith(
                        lex.comitative_verbs):
                    embedded = m
        if embedded is not None and (cand is None or embedded[0] > cand[0]):
            cand = embedded
            rule.append("embedded_subject")
        by_attribute = False
        if refuser is not None:
            source = refuser
        elif attributive is not None and attributive is not target and attributive[3] in ACTOR_TYPES:
            source = attributive
            by_attribute = True
            rule.append("attributive")
        elif cand is not None and (cand is embedded or not (C.source and cand[2] in C.objects)):
            source = cand
        elif C.source is not None:
            source = C.source          # shared subject of an earlier verb in this clause
            rule.append("shared_subject")
        elif carried is not None:
            source = carried
            conf *= 0.85
            rule.append("carried_subject")
        if target is None:
            # the object after the verb, up to the next verb (which owns what follows it)
            lim = min(C.next_trigger, te + (60 if english else 40))
            src_name = source[2] if source else None
            nxt = None
            for m in after:
                if m[0] > lim:
                    break           # (in order of start)
                if m[2] != src_name and (not english or (
                        (S.prep_object(m) or m[0] - te <= 30)
                        and not (m[3] in ("GPE", "LOC") and action != "invest" and _locative(S.low, m[0])))):
                    nxt = m
                    break
            if nxt is not None:
                target = nxt
            else:
                # the last other party before the verb (no coordinated co-source)
                rest = co_party = None
                own = _affiliation(norm, S, source)
                for m in reversed(before):
                    if (source is None or m[2] != source[2]) and m[2] != own:
                        if source is not None and _coordinated(norm, S, m, source):
                            if co_party is None and m[3] in ACTOR_TYPES:
                                co_party = m
                            continue
                        rest = m
                        break
                if rest is None and co_party is not None and action in SYMMETRIC:
                    rest = co_party     # "the EU and Japan agreed to cooperate": each is the other's party
                    rule.append("coordinated_parties")
                carried_object = C.carried_object
                if rest is None and action in SYMMETRIC and carried_object is not None \
                        and source is not None and carried_object[2] != source[2]:
                    rest = carried_object      # "…with the EU, signaling a desire for cooperation"
                    rule.append("carried_object")
                if rest is not None and (by_attribute or action in SYMMETRIC):
                    target = rest       # "Indonesia's strategy to escape U.S. tariff threats"
                    conf *= 0.75
                    rule.append("target_before")
                elif action in IMPLICIT_TARGET and source is not None:
                    # 中方坚决反对: the other party is named elsewhere in the sentence
                    near = S.mentions_in(max(S.s, cs - 2 * WINDOW_ZH), min(S.e, ce + 2 * WINDOW_ZH))
                    own = _affiliation(norm, S, source)
                    other = [m for m in near if m[2] != source[2] and m[2] != own and m[3] in ACTOR_TYPES
                             and (m[0] >= ce or m[1] <= cs)]
                    # the other party of a dispute: a state, or a bloc that acts as one (欧盟)
                    blocs = _lexicon_sets(lex)[0]
                    other = [m for m in other if (m[3] == "GPE" and (names.get(m[2]) or {}).get("id"))
                             or m[2] in blocs]
                    later = [m for m in other if m[0] >= ce]
                    if later or other:
                        target = later[0] if later else other[-1]
                        conf *= 0.6
                        rule.append("implicit_target")
    if source is not None and source[3] == "ORG":
        state = _state_of(lex, source[2], names)
        if state:
            source = (source[0], source[1], state, "GPE")   # 日本政府 acts as 日本
            rule.append("government_is_state")
    if target is not None and target[3] == "ORG":
        state = _state_of(lex, target[2], names)
        if state:
            target = (target[0], target[1], state, "GPE")
    if english and action in ("trade", "cooperate", "invest", "support", "export_control"):
        # "… technology transfer from China to Brazil", "exports from X to Y": from names the source
        low = S.low
        frm = None
        for m in after:
            if m[0] - te <= 40 and low[max(0, m[0] - 5):m[0]] == "from " and m[3] in ACTOR_TYPES:
                frm = m
                break
        if frm is not None:
            to = next((m for m in after if m[0] > frm[0] and m[0] - frm[1] <= 12
                       and low[max(0, m[0] - 3):m[0]] == "to "), None)
            if to is not None:
                source, target = frm, to
                rule.append("from_to")
    if source is None or target is None or source[2] == target[2]:
        return
    if source[3] not in ACTOR_TYPES:
        return
    if source[3] == "ORG" and _country_of(lex, source[2], names) == target[2]:
        return              # a state's own body acting "toward" that state is no stance between actors

    # modifiers in a window before the verb (and easing just after it in English); every window
    # lies in the clause, so a kind with no hit in the clause has none in it
    if english:
        lo = max(cs, _word_window_start(norm, ts, lex.window_en))
    else:
        lo = max(cs, ts - lex.window_zh)
    neg_lo = lo
    if not english and source[1] <= ts and cs <= source[1]:
        neg_lo = min(lo, max(source[1], ts - 15))     # 中方未与美方达成协议: 未 scopes over the phrase
    neg_lo = max(neg_lo, C.prev_trigger_end)  # 不反对…合作: 不 belongs to 反对
    neg = S.has("negator", neg_lo, ts) if "negator" in kinds else []
    refusal = S.has("refusal", neg_lo, ts) if "refusal" in kinds else []
    src_lo = max(cs, source[1] if source[1] <= ts else cs)
    modal = (S.has("modality", src_lo, ts) or S.has("modality", lo, ts)) if "modality" in kinds else []
    ease = restrict = []
    if "easing" in kinds:
        # easing reaches over the object (暂停对中国商品加征关税): from the source to the verb
        ease = S.has("easing", lo if english else src_lo, ts) + \
            (S.has("easing", te, min(ce, te + 14)) if english else [])
    if "restricting" in kinds:
        restrict = S.has("restricting", lo, ts) + (S.has("restricting", te, min(ce, te + 3)) if not english else [])
    if action in lex.ease_heads and ease:
        label = "favor"
        rule.append("easing:" + ease[-1].key)
    elif action in lex.restrict_heads and restrict:
        action, label = "export_control", "against"
        rule.append("restricting:" + restrict[-1].key)
    if neg or refusal:
        if refusal:
            label = "against" if label in ("favor", "neutral") else "neutral"
        else:
            label = "neutral"
        conf *= 0.8
        rule.append("negated:" + (refusal or neg)[-1].key)
    if modal:
        conf *= 0.7
        rule.append("modality:" + modal[-1].key)
    dist = abs(target[0] - source[0])
    if dist > 60:
        conf *= 0.85
    C.source = source
    C.target = target
    C.objects.add(target[2])
    _emit(doc, lex, S, source, target, label, action, t, cs, ce, conf, rule, names, seen, out)
    # coordinated sources: "General Motors and Tesla oppose", 德国、美国和越南
    prev = source
    for m in reversed([m for m in actors if m[1] <= source[0]]):
        gap = norm[m[1]:prev[0]]
        gap = gap.replace("'s", "").replace("’s", "")
        if not gap.strip() or (len(gap) <= 6 and (S.has("coordinators", m[1], prev[0]) or gap.strip() == ",") and
                               not _LATIN.search(gap.replace("and", ""))):
            if m[3] in ACTOR_TYPES and m[2] != target[2] and not S.prep_object(m):
                _emit(doc, lex, S, m, target, label, action, t, cs, ce, conf * 0.9, rule + ["coordinated"],
                      names, seen, out)
                prev = m
                continue
        break
    # a government body's speaker speaks for its country too
    if source[3] == "ORG" and [h for h in S.has("spokesperson", source[1], t.start) if h.start - source[1] <= 3]:
        country = _country_of(lex, source[2], names)
        if country and country != target[2]:
            _emit(doc, lex, S, (source[0], source[1], country, "GPE"), target, label, action, t, cs, ce,
                  conf * 0.9, rule + ["speaker_country"], names, seen, out)


def _locative_zh(norm, s, p) -> bool:
    """Is the mention at ``p`` led by 在 / 位于 / 来到 inside the segment that starts at ``s``?"""
    return (p > s and norm[p - 1] == "在") or (p - 2 >= s and norm[p - 2:p] in ("位于", "来到"))


def _locative(low, pos):
    """English "in X" / "at X" before a place: where something happens, not whom it concerns."""
    k = pos
    while k > 0 and low[k - 1] == " ":
        k -= 1
    if low[max(0, k - 3):k] == "the":
        k -= 3
        while k > 0 and low[k - 1] == " ":
            k -= 1
    return low[max(0, k - 3):k] in (" in", " at") or low[max(0, k - 2):k] in ("in", "at") and (k < 3 or low[k - 3] == " ")


def _coordinated(norm, S, a, b):
    """Are mentions ``a`` and ``b`` joined only by a coordinator (General Motors and Tesla, 德国、美国)?"""
    x, y = (a, b) if a[0] < b[0] else (b, a)
    gap = norm[x[1]:y[0]]
    gap = gap.replace("'s", "").replace("’s", "")       # "Indonesia's and Japan's efforts"
    return len(gap) <= 6 and (bool(S.has("coordinators", x[1], y[0])) or gap.strip() == ",") \
        and not gap.strip(" ,、和与及and")


def _compound(norm, actors, m):
    """Is mention ``m`` one half of a hyphenated pair of actors ("US-China", "中-美")?"""
    for o in actors:
        if o is m:
            continue
        if (o[1] == m[0] - 1 and norm[o[1]] in "-–") or (m[1] == o[0] - 1 and norm[m[1]] in "-–"):
            return True
    return False


def _word_window_start(norm, pos, words):
    """The offset of the (words + 1)-th space before ``pos`` (0 when there are fewer)."""
    k = pos
    for _ in range(words + 1):
        k = norm.rfind(" ", 0, k)
        if k < 0:
            return 0
    return k


def _state_of(lex, org, names):
    """日本政府, 美国当局: an ORG that is the government of a state acts as that state."""
    suffixes = _lexicon_sets(lex)[2]
    if not org.endswith(suffixes):
        return None         # (one call for the common case: no suffix at all)
    for suf in suffixes:
        if org.endswith(suf) and len(org) > len(suf):
            country = org[: -len(suf)]
            if country in names and (names[country].get("type") == "GPE"):
                return country
    return None


def _country_of(lex, org, names):
    c = lex.org_country.get(org)
    if c is None:
        # (longest first: a body of 中国香港 would not be read as one of 中国)
        for country in _lexicon_sets(lex)[1]:
            if org.startswith(country) and len(org) > len(country):
                c = country
                break
    if c is None:
        e = names.get(org) or {}
        name = e.get("name") or ""
        for country in ("中国", "美国", "日本", "俄罗斯", "英国", "欧盟"):
            if name.startswith(country) and name != country:
                c = country
    return c if c in names else None


def _emit(doc, lex, S, source, target, label, action, t, cs, ce, conf, rule, names, seen, out):
    a, b = source[2], target[2]
    key = (((a, b) if a <= b else (b, a)), label, action) if action in SYMMETRIC else (a, b, label, action)
    if key in seen:
        return
    seen.add(key)
    s = min(cs, source[0], target[0])
    e = max(ce, source[1], target[1], t.end)
    s, e = _strip(doc.norm, s, e)
    out.append({
        "source": source[2], "target": target[2], "label": label, "action": action,
        "evidence": doc.mention(s, e),
        "confidence": round(max(0.05, min(1.0, conf)), 3),
    })
    doc.user.setdefault("stance_rules", []).append(Span(s, e, label, "+".join(rule), key))
