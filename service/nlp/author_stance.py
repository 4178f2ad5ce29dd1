"""The author's own stance toward a target (SPEC: ArticleStance).

For each requested target (any phrase: matched through entity names, aliases and
mentions, else literally, else by its content words), or the three most salient
actors when none is asked for, ``score`` in [-1, 1] sums the evaluative words of
the genre (data/sentiment.yaml) near the target's mentions:

* a word counts fully in the clause of a mention, half in its sentence, a little
  elsewhere (short texts — a Weibo post — are about their topic throughout);
* a negator just before a word flips it, an intensifier scales it;
* the headline (the first sentence) weighs more;
* voice: words inside quotes or after a reporting verb (表示, 称, said) are the
  speaker's, not the author's, and weigh less;
* 支持/反对 + the target is the strongest evidence of all;
* in a clause where an actor stance says who did it, a hostile act's words are
  held against its agent, not against its victim.

``label`` comes from the score with a neutral band; ``evidence`` lists the
sentences that drove it.
"""
from __future__ import annotations

import bisect
import math
import re
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from typing import Optional

from . import entities as _entities
from . import normalize
from . import stance as _stance     # (a cycle: only its functions are used, at call time)
from . import stance_lexicon as L
from .doc import Doc

ACTOR_TYPES = ("GPE", "ORG", "PERSON")
# [,，;；:：] | \s[-–—]\s, led by one character class (the regex engine skips to candidates)
_CLAUSE = re.compile(r"[,，;；:：\s](?:(?<!\s)|(?<=\s)[-–—]\s)")
# its two halves for _clause_ends: punctuation, and the dashes of " - "
_CLAUSE_PUNCT_CHARS = ",，;；:："
_ASCII_UPPER = re.compile(r"[A-Z]")
_FIRST_PERSON = re.compile(r"(?:我|我们|本人|笔者|个人|小编)$")
_STOP = frozenset({"的", "在", "了", "是", "和", "与", "对", "中", "将"})

_NONE = ((), ())
_FIRST = itemgetter(0)
_START_KEY = itemgetter("start")
_lex: Optional[L.SentimentLexicon] = None


def load() -> None:
    global _lex
    _lex = L.load_sentiment()


def lexicon() -> L.SentimentLexicon:
    if _lex is None:
        load()
    return _lex


# ---------------------------------------------------------------------------- voice

def _voice_mask(norm: str, lex: L.SentimentLexicon, cache: Optional[dict] = None):
    """Sorted (start, end) regions inside quotation marks, read from the quote marks (and
    newlines) alone, in text order."""
    opening = {o: c for o, c in lex.quotes}
    regions = []
    if not any(o in norm for o in opening):
        return regions
    close = None
    start = 0
    for pos in L.positions(norm, _mark_chars(lex), cache):
        ch = norm[pos]
        if close is not None:
            if ch == close:
                if pos - start <= 400:
                    regions.append((start, pos))
                close = None
            elif ch == "\n":
                close = None
        elif ch in opening:
            close = opening[ch]
            start = pos + 1
    return regions


def _mark_chars(lex: L.SentimentLexicon) -> tuple:
    """The quote marks of the lexicon and the newline (the characters of ``lex.quote_marks``)."""
    chars = _MARKS.get(id(lex))
    if chars is None or chars[0] is not lex:
        chars = _MARKS[id(lex)] = (lex, tuple(sorted({c for q in lex.quotes for c in q} | {"\n"})))
    return chars[1]


_MARKS: dict = {}


def _inside(regions, starts, pos):
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and regions[i][0] <= pos < regions[i][1]


# ---------------------------------------------------------------------------- scoring

class _Scored:
    """Polar hits of the document with negation, intensity and voice applied."""

    def __init__(self, doc: Doc, lex: L.SentimentLexicon, units, mentions, low):
        norm = doc.norm
        # the hits by kind (each list in text order): the actor-stance pass's index, else one pass here
        index = doc.user.get("_stance_index")
        if index is not None:
            polar = index["_evaluative"][0]
            negs = index.get("s_negator", _NONE)[0]
            reps = index.get("s_reporting", _NONE)[0]
            voided = [(h.start, h.end) for h in index.get("s_not_negator", _NONE)[0]]
            int_at = {}
            for h in index.get("intensifier", _NONE)[0]:
                int_at[h.end] = max(int_at.get(h.end, 1.0), float(h.value))
        else:
            voided, polar, negs, reps, int_at = [], [], [], [], {}
            for h in lex.scanner.scan(low):
                kind = h.kind
                if kind == "polar" or kind == "stance_verb":
                    polar.append(h)
                elif kind == "s_negator":
                    negs.append(h)
                elif kind == "s_not_negator":
                    voided.append((h.start, h.end))
                elif kind == "intensifier":
                    int_at[h.end] = max(int_at.get(h.end, 1.0), float(h.value))
                elif kind == "s_reporting":
                    reps.append(h)
        vstarts = [v[0] for v in voided]

        def void(h):
            i = bisect.bisect_right(vstarts, h.start) - 1
            while i >= 0 and voided[i][1] > h.start:
                a, b = voided[i]
                if a <= h.start and b >= h.end and (b - a) > (h.end - h.start):
                    return True
                i -= 1
            return False

        chars = doc.user.get("_stance_chars")     # (the actor-stance pass's character positions)
        quotes = _voice_mask(norm, lex, chars)
        qstarts = [q[0] for q in quotes]
        # polar hits: leftmost-longest among polar/stance-verb hits
        chosen = []
        last = -1
        for h in polar:
            if voided and void(h):
                continue
            if h.start >= last:
                chosen.append(h)
                last = h.end
            elif chosen and h.start == chosen[-1].start and h.end > chosen[-1].end:
                chosen[-1] = h
                last = h.end
        if voided:
            negs = [h for h in negs if not void(h)]
        # "我认为" is the author's own voice; "X认为" is X's
        reps = [h for h in reps if not _FIRST_PERSON.search(norm, max(0, h.start - 3), h.start)]
        neg_ends = sorted(h.end for h in negs)
        sent_starts = self.sent_starts = [u.start for u in units]
        self.units = units
        items = self.items = []        # (pos, end, weight, is_stance_verb, sentence index)
        rep_pos = sorted(h.end for h in reps)
        headline_end = units[0].end if units else 0
        several = len(units) > 1
        quoted, reported_w, headline_w = lex.voice["quoted"], lex.voice["reported"], lex.voice["headline"]
        negation_window = lex.negation_window
        bisect_right = bisect.bisect_right
        for start, end, key, kind, value in chosen:
            sv = kind == "stance_verb"
            w = float(value) * (1.5 if sv else 1.0)
            si = bisect_right(sent_starts, start) - 1
            s0 = sent_starts[si] if si >= 0 else 0
            win = negation_window if not key[:1].isascii() else 12
            # negation: a negator ending within the window before the word (same sentence)
            j = bisect_right(neg_ends, start) - 1
            if j >= 0 and neg_ends[j] >= max(s0, start - win) and not (sv and key.startswith("不")):
                w = -w * 0.8
            if int_at:
                for gap in range(4):
                    f_int = int_at.get(start - gap)
                    if f_int:
                        w *= f_int
                        break
            own_voice = True
            k = bisect_right(rep_pos, start) - 1
            reported = k >= 0 and rep_pos[k] >= s0
            if quotes and _inside(quotes, qstarts, start):
                # a quotation; introduced by 表示/称 it is surely the speaker's
                w *= quoted * (reported_w if reported else 1.0)
                own_voice = False
            elif reported:
                w *= reported_w
                own_voice = False
            if own_voice and start < headline_end and several:
                w *= headline_w
            items.append((start, end, w, sv, si))
        # clause boundaries of the whole text, once, and the actor that owns each evaluative word:
        # the nearest actor before it in its clause (else the nearest after it)
        cuts = [0] + _clause_ends(norm, chars) + [len(norm) + 1]
        self.cuts = cuts
        owner = self.owner = []
        clause_of = self.clause_of = []     # the start of each word's clause
        ms = [m for m in mentions if m[3] in ACTOR_TYPES]
        self.names_in_doc = {e.get("name") for e in doc.entities or [] if e.get("type") in ACTOR_TYPES}
        # sentences that name some actor (words there are about that actor, not about everything)
        mst = list(map(_FIRST, ms))
        self.actor_sents = {i - 1 for i in set(map(bisect_right, repeat(sent_starts, len(mst)), mst))}
        for pos, end, _w, _sv, _si in items:
            c = bisect_right(cuts, pos) - 1
            a, b = cuts[c], cuts[c + 1]
            clause_of.append(a)
            k = bisect_right(mst, pos) - 1
            own = None
            if k >= 0 and ms[k][0] >= a and ms[k][1] <= pos:
                own = ms[k]
            elif k + 1 < len(ms) and ms[k + 1][0] >= end and ms[k + 1][1] <= b:
                own = ms[k + 1]
            elif k >= 0 and _si >= 0 and ms[k][0] >= units[_si].start:
                # "The EU expresses …, highlighting its vulnerability": the sentence's first actor
                f0 = bisect.bisect_left(mst, units[_si].start)
                own = ms[f0] if f0 <= k else ms[k]
            owner.append(own)


def _units(doc: Doc):
    return _stance.units(doc)


def _clause_ends(norm: str, cache: Optional[dict] = None) -> list:
    """End offsets of the _CLAUSE matches of ``norm``, in order (as ``[m.end() for m in
    _CLAUSE.finditer(norm)]``, cheaper): a punctuation match is one character and a " - " match
    holds no punctuation, so the matches are those of the punctuation alone, merged with the
    non-overlapping whitespace-dash-whitespace triples, found by their (rare) dashes."""
    ends = [p + 1 for p in L.positions(norm, _CLAUSE_PUNCT_CHARS, cache)]
    dashes = L.positions(norm, "-–—", cache)
    if dashes and dashes[0] == 0:
        dashes = dashes[1:]     # (a dash that begins the text has no space before it)
    if not dashes:
        return ends
    n = len(norm)
    last = -1
    triples = []
    for d in dashes:
        if d - 1 >= last and d + 1 < n and norm[d - 1].isspace() and norm[d + 1].isspace():
            triples.append(d + 2)   # " - - ": the second triple overlaps the first, as in one scan
            last = d + 2
    if not triples:
        return ends
    ends += triples
    ends.sort()
    return ends


def _clause_bounds(norm, s, e, pos):
    a = s
    for m in _CLAUSE.finditer(norm, s, e):
        if m.end() <= pos:
            a = m.end()
        else:
            return a, m.start()
    return a, e


@lru_cache(maxsize=4096)
def _target_forms(target: str):
    """A requested target normalised, as a lookup key, and its content words
    (开放二胎 → 开放, 二胎; 春节放鞭炮 → 春节, 鞭炮) — once per distinct target."""
    from . import segment
    tn = normalize.normalize(target) if target else ""
    key = L.ascii_lower(tn).replace(" ", "")
    # a phrase, not a document: at most 8 content words of its first 200 characters
    parts = tuple(w for w, _s, _e in segment.tokenize(tn[:200]) if len(w.strip()) >= 2 and w not in _STOP)[:8] if tn else ()
    return tn, key, parts


def _entity_forms(doc: Doc, low: str) -> dict:
    """Every surface form of every entity (name, English name, mentions), lowercased, once per doc."""
    forms = doc.user.get("_author_forms")
    if forms is None:
        forms = {}
        for e in doc.entities or []:
            ms = e.get("mentions") or []
            for f in {e.get("name") or "", e.get("en") or ""} | {low[m["start"]:m["end"]] for m in ms}:
                if f:
                    if _ASCII_UPPER.search(f):
                        f = L.ascii_lower(f)
                    forms.setdefault(f.replace(" ", ""), e)
        doc.user["_author_forms"] = forms
    return forms


def _target_mentions(doc: Doc, target: str, low: str):
    """Spans of ``target`` in the doc: entity mentions, else literal, else its content words."""
    tn, key, parts = _target_forms(target or "")
    e = None
    if key:
        e = next((x for x in doc.entities or [] if x.get("name") == tn), None) or _entity_forms(doc, low).get(key)
    if e is not None:
        return [(m["start"], m["end"]) for m in e.get("mentions") or []], e.get("name"), 1.0
    spans = _find_all(doc.norm, tn) if tn else []
    if not spans and tn:
        spans = _find_all(low, L.ascii_lower(tn))
    if spans:
        return spans, None, 1.0
    spans = []
    for p in parts:
        spans += _find_all(doc.norm, p)
    return sorted(spans), None, 0.7


def _negated_target(lex, pre: str) -> bool:
    """Does the text just before a target phrase negate it (不放鞭炮, 别买, 禁止…)?"""
    for w in lex.target_negators:
        i = pre.rfind(w)
        if i >= 0 and not any(pre[i:].startswith(x) or pre[max(0, i - 1):].startswith(x) for x in lex.not_negators):
            return True
    return False


def _find_all(hay: str, needle: str):
    out = []
    if not needle:
        return out
    i = hay.find(needle)
    while i >= 0:
        out.append((i, i + len(needle)))
        i = hay.find(needle, i + len(needle))
    return out


def _attribution(norm: str, m: dict, lex) -> bool:
    """路透社11月20日报道, 据彭博社消息, according to Reuters: a news source, not an actor."""
    s, e = m["start"], m["end"]
    after = norm[e:e + 12].lower()
    before = norm[max(0, s - 14):s].lower()
    # (a date may stand between the source and its verb: 路透社11月20日报道)
    return any(after.startswith(a) or (a in after and not any(c in after[:after.find(a)] for c in "，。,;；"))
               for a in lex.attribution_after) or before.endswith(lex.attribution_before)


def _salient(doc: Doc, units, lex):
    """The three actors the article is most about: mentions, a headline bonus, and a bonus for
    taking part in actor stances; a name used only to attribute the report (路透社报道) is none."""
    head_end = units[0].end if units else 0
    acts: dict = {}
    for st in doc.stances or []:
        for n in (st.get("source"), st.get("target")):
            acts[n] = acts.get(n, 0) + 1
    norm = doc.norm
    media = _entities.media_names()
    scores = []
    for e in doc.entities or []:
        if e.get("type") not in ACTOR_TYPES:
            continue
        ms = e.get("mentions") or []
        name = e.get("name")
        if not ms or (name not in acts and e.get("type") == "ORG" and (
                name in media or all(_attribution(norm, m, lex) for m in ms[:20]))):
            continue
        first = min(map(_START_KEY, ms))
        s = len(ms) + (3 if first < head_end else 0) + 2 * min(acts.get(name, 0), 3)
        scores.append((-s, first, name))
    scores.sort()
    return [n for _s, _p, n in scores[:3]]


def _agents(doc: Doc):
    """Clause spans where a hostile act has a known agent: (start, end, source, target)."""
    out = []
    for st in doc.stances or []:
        if st.get("label") == "against":
            ev = st["evidence"]
            out.append((ev["start"], ev["end"], st["source"], st["target"]))
    return out


def extract(doc: Doc) -> Doc:
    lex = lexicon()
    units = _units(doc)
    if not units:
        doc.article_stances = []
        return doc
    mentions = _stance.entity_mentions(doc)
    low = doc.user.get("_stance_low") or L.ascii_lower(doc.norm)
    scored = _Scored(doc, lex, units, mentions, low)
    targets = list(doc.targets or []) or _salient(doc, units, lex)
    agents = _agents(doc)
    short = len(doc.norm) <= 400 or len(units) <= 4
    result = []
    for target in targets:
        spans, ename, tw = _target_mentions(doc, target, low)
        result.append(_score_target(doc, lex, scored, units, target, spans, ename, tw, short, agents))
    doc.article_stances = result
    doc.user.pop("_author_forms", None)
    return doc


def _score_target(doc, lex, scored, units, target, spans, ename, tw, short, agents):
    norm = doc.norm
    n = len(units)
    # which sentences mention the target, and the clause spans of those mentions
    # (sentence index → the starts of the clauses that name the target)
    clause_starts = {}
    cuts = scored.cuts
    sent_starts = scored.sent_starts
    bisect_right = bisect.bisect_right
    span_starts = list(map(_FIRST, spans))
    for a in span_starts:
        si = bisect_right(sent_starts, a) - 1
        if si < 0:
            continue
        c = cuts[bisect_right(cuts, a) - 1]
        cl = clause_starts.get(si)
        if cl is None:
            clause_starts[si] = {c}
        else:
            cl.add(c)
    by_sent = clause_starts
    per_sent = [0.0] * n
    total = 0.0
    tstarts = set(span_starts)
    names_in_doc = scored.names_in_doc
    # clauses where the target suffers a hostile act of another actor
    victim = sorted((a, b) for a, b, src, tgt in agents if ename is not None and tgt == ename and src != ename)
    victim_starts = [a for a, _b in victim]
    victim_reach = []
    reach = -1
    for _a, b in victim:
        reach = max(reach, b)
        victim_reach.append(reach)
    owner, clause_of, actor_sents = scored.owner, scored.clause_of, scored.actor_sents
    for idx, (pos, end, w, is_sv, si) in enumerate(scored.items):
        if si < 0:
            continue
        k = bisect_right(span_starts, pos) - 1
        if k >= 0 and spans[k][0] <= pos and end <= spans[k][1]:
            continue            # the target's own words (反恐 in 俄罗斯在叙利亚的反恐行动) say nothing of it
        if si in by_sent:
            own = owner[idx]
            if own is not None and ename is None:
                # a phrase target: an actor named inside the phrase (俄罗斯 in 俄罗斯在叙利亚的反恐行动)
                # is the target; another actor's words are its own
                own = None if own[2] in target or own[2] not in names_in_doc else own
            if own is not None and own[0] in tstarts:
                f = 1.0             # said of the target itself
            elif own is not None:
                f = 0.05            # said of another actor in the sentence
            elif clause_of[idx] in clause_starts.get(si, ()):
                f = 1.0
            else:
                f = 0.5
            if is_sv:
                k2 = bisect.bisect_left(span_starts, end)
                if k2 < len(span_starts) and span_starts[k2] - end <= 4 and \
                        (ename is None or norm[pos:end] not in lex.proposition_only):
                    f = 2.0          # 支持/反对 + the target (取消/禁止 + a proposal only)
                elif ename is not None:
                    f = 0.0          # 取消/反对 something else says nothing of this actor
        elif not spans:
            f = 1.0 if short else 0.15
        elif ename is not None and si in actor_sents:
            f = 0.05            # a sentence about other actors, not about this one
        elif short:
            f = 0.6
        else:
            near = (si - 1 in by_sent) or (si + 1 in by_sent)
            f = 0.25 if near else 0.05
        if w < 0 and victim:
            # a hostile act's words belong to its agent, not to its victim
            j = bisect.bisect_right(victim_starts, pos) - 1
            if j >= 0 and pos < victim_reach[j]:
                f = 0.0
        c = w * f * tw
        per_sent[si] += c
        total += c
    if ename is None:
        # a phrase target is a proposition (春节放鞭炮, 开放二胎): 不/别/禁止 + it is against it
        for a, b in spans:
            pre = norm[max(0, a - 3):a]
            si = bisect.bisect_right(scored.sent_starts, a) - 1
            if si < 0:
                continue
            hit = _negated_target(lex, pre)
            if hit:
                c = -lex.target_negation * tw
                per_sent[si] += c
                total += c
    score = math.tanh(total / lex.scale)
    if score >= lex.neutral_band:
        label = "favor"
    elif score <= -lex.neutral_band:
        label = "against"
    else:
        label = "neutral"
    sign = 1 if label == "favor" else -1 if label == "against" else 0
    ev = []
    if sign:
        ranked = sorted((i for i in range(n) if per_sent[i] * sign > 0), key=lambda i: -abs(per_sent[i]))[:3]
        ev = [doc.mention(units[i].start, units[i].end) for i in sorted(ranked)]
    return {"target": target, "label": label, "score": round(score, 3), "evidence": ev}
