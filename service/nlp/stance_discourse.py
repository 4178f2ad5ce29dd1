"""Discourse over the actor stances of one document (run after :mod:`stance`).

The actor-stance pass reads one clause at a time. Three things need more than a clause:

* **coordinated parties**: 美国对越南和泰国征收反倾销税 is an act toward both countries,
  日本和荷兰同意限制出口 an act by both;
* **reactions**: 越南工贸部对此表示强烈不满, 中方将采取反制措施, "Beijing said it firmly
  opposes the move" name no target; the other party is the last actor that acted against
  the reacting one in this or the previous sentences (after an anaphor such as 对此 or
  "the move", the last one that acted at all);
* **topics of talks**: in 双方就汽车关税达成共识 the tariff is what they agreed about, not
  a tariff one side imposes: such a stance is dropped.

Word lists live in ``data/stance_discourse.yaml``. Every pass is linear in the number of
stances, mentions and cue hits; nothing is rescanned per stance.
"""
from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from . import lexicons, normalize
from . import stance as _stance     # (a cycle: stance runs this pass; only its functions are used, at call time)
from .doc import Doc

PATH = os.path.join(lexicons.DATA_DIR, "stance_discourse.yaml")
_F = "stance_discourse.yaml"

ACTOR_TYPES = frozenset({"GPE", "ORG", "PERSON"})
TARGET_TYPES = frozenset({"GPE", "ORG", "PERSON", "LOC"})
SYMMETRIC = frozenset({"agree", "negotiate", "cooperate"})
HOSTILE = frozenset({"tariff", "sanction", "export_control", "threaten", "criticize", "oppose"})
REACTIONS = frozenset({"criticize", "oppose"})
_CLAUSE_END = "，,。；;！!？?\n"
_REACTION_CONF = 0.5
_COORD_FACTOR = 0.9


@dataclass
class Rules:
    coordinators: Tuple[str, ...]
    anaphors: Tuple[str, ...]
    lookback: int
    topic_markers: Tuple[str, ...]
    topic_verbs: Tuple[str, ...]
    topic_max: int
    listing_verbs: Tuple[str, ...] = ()
    listing_lists: Tuple[str, ...] = ()
    listing_max: int = 160


_rules: Optional[Rules] = None


def _zh(words):
    return [normalize.to_simplified(w) if not w.isascii() else w.lower() for w in words]


def load(path: str = PATH) -> Rules:
    """Read and check the data file; a bad file fails here, at start-up."""
    global _rules
    d = lexicons.load_yaml(path)
    an = lexicons.mapping(d, "anaphors", _F)
    anaphors = tuple(_zh(lexicons.str_list(an, "zh", lexicons.at(_F, "anaphors")))
                     + _zh(lexicons.str_list(an, "en", lexicons.at(_F, "anaphors"))))
    topic = lexicons.mapping(d, "topic", _F)
    lookback = d.get("lookback_sentences")
    tmax = topic.get("max_chars")
    if not isinstance(lookback, int) or not 0 <= lookback <= 5:
        raise lexicons.DataFileError(f"{_F}: lookback_sentences must be an integer 0..5")
    if not isinstance(tmax, int) or not 1 <= tmax <= 80:
        raise lexicons.DataFileError(f"{_F}: topic.max_chars must be an integer 1..80")
    lst = lexicons.mapping(d, "listing", _F)
    lmax = lst.get("max_chars")
    if not isinstance(lmax, int) or not 10 <= lmax <= 400:
        raise lexicons.DataFileError(f"{_F}: listing.max_chars must be an integer 10..400")
    _rules = Rules(
        coordinators=tuple(_zh(lexicons.str_list(d, "coordinators", _F, non_empty=True))),
        anaphors=anaphors,
        lookback=lookback,
        topic_markers=tuple(_zh(lexicons.str_list(topic, "markers", lexicons.at(_F, "topic"), non_empty=True))),
        topic_verbs=tuple(_zh(lexicons.str_list(topic, "verbs", lexicons.at(_F, "topic"), non_empty=True))),
        topic_max=tmax,
        listing_verbs=tuple(w.lower() for w in lexicons.str_list(lst, "verbs", lexicons.at(_F, "listing"), non_empty=True)),
        listing_lists=tuple(w.lower() for w in lexicons.str_list(lst, "lists", lexicons.at(_F, "listing"), non_empty=True)),
        listing_max=lmax,
    )
    return _rules


def _get() -> Rules:
    return _rules if _rules is not None else load()


# ---------------------------------------------------------------------------

def apply(doc: Doc, mentions: List[tuple], org_country: Optional[Dict[str, str]] = None) -> None:
    """Amend ``doc.stances`` in place. ``mentions``: ``(start, end, name, type)`` sorted by start."""
    if not doc.stances and not mentions:
        return
    r = _get()
    norm = doc.norm
    low = doc.user.get("_stance_low") or norm.lower()
    stances = _drop_topics(doc, r, low, doc.stances)
    seen = {_key(s) for s in stances}
    starts = [m[0] for m in mentions]
    added = _listing(doc, low, r, mentions, starts, seen)
    added += _coordinated(norm, low, r, stances + added, mentions, starts, seen)
    added += _reactions(doc, norm, low, r, stances + added, mentions, starts, seen, org_country or {})
    if added:
        stances = sorted(stances + added, key=lambda s: (s["evidence"]["start"], s["evidence"]["end"]))
    doc.stances = stances


def _key(s: dict) -> tuple:
    if s["action"] in SYMMETRIC:
        return (tuple(sorted((s["source"], s["target"]))), s["label"], s["action"])
    return (s["source"], s["target"], s["label"], s["action"])


def _clause_bounds(norm: str, lo: int, hi: int, pos: int) -> Tuple[int, int]:
    """The clause of ``norm[lo:hi]`` that holds ``pos``."""
    s = pos
    while s > lo and norm[s - 1] not in _CLAUSE_END:
        s -= 1
    e = pos
    while e < hi and norm[e] not in _CLAUSE_END:
        e += 1
    return s, e


# -- topics of talks ----------------------------------------------------------

def _drop_topics(doc: Doc, r: Rules, low: str, stances: List[dict]) -> List[dict]:
    """双方就汽车关税达成共识: a tariff stance whose trigger sits in the topic is no act."""
    if not any(m in low for m in r.topic_markers):
        return stances
    rules = doc.user.get("stance_rules") or []
    trig_of = {}
    for sp in rules:
        key = sp.value
        rule = sp.rule or ""
        if rule.startswith("lexicon:"):
            trig_of.setdefault((key, sp.start, sp.end), rule[len("lexicon:"):].split("+", 1)[0])
    out = []
    for s in stances:
        ev = s["evidence"]
        trig = trig_of.get((_key(s), ev["start"], ev["end"])) if s["action"] not in SYMMETRIC else None
        if trig and s["action"] in HOSTILE and _in_topic(low, r, ev["start"], ev["end"], trig.lower()):
            continue
        out.append(s)
    return out


def _in_topic(low: str, r: Rules, s: int, e: int, trig: str) -> bool:
    i = low.find(trig, s, e)
    while i != -1:
        cs, ce = _clause_bounds(low, s, e, i)
        before = low[max(cs, i - r.topic_max):i]
        after = low[i + len(trig):min(ce, i + len(trig) + r.topic_max)]
        if any(m in before for m in r.topic_markers) and any(v in after for v in r.topic_verbs):
            return True
        i = low.find(trig, i + 1, e)
    return False


# -- English listing ------------------------------------------------------------

def _listing(doc, low, r, mentions, starts, seen) -> List[dict]:
    """"X added 23 Chinese entities to the Entity List": X sanctions whoever is named in between."""
    if "list" not in low:
        return []
    out = []
    ustarts = [u.start for u in _stance.units(doc)]     # sentences, "U.S." rejoined
    for lst in r.listing_lists:
        i = low.find(lst)
        while i != -1:
            j = i + len(lst)
            if (i == 0 or not low[i - 1].isalpha()) and (j >= len(low) or not low[j].isalpha()):
                out.extend(_listing_at(doc, low, r, mentions, starts, seen, ustarts, i, j))
            i = low.find(lst, j)
    return out


def _listing_at(doc, low, r, mentions, starts, seen, ustarts, i, j) -> List[dict]:
    k = bisect.bisect_right(ustarts, i) - 1
    lo = max(ustarts[k] if k >= 0 else 0, i - r.listing_max)
    # the verb: the last listing verb before "to the … list"
    best = None
    for v in r.listing_verbs:
        k = low.rfind(" " + v + " ", lo, i)
        if k != -1 and (best is None or k > best[0]):
            best = (k + 1, k + 1 + len(v))
    if best is None:
        return []
    vs, ve = best
    between = [mentions[k] for k in range(bisect.bisect_left(starts, ve), bisect.bisect_left(starts, i))
               if mentions[k][3] in TARGET_TYPES and mentions[k][1] <= i]
    subj = None
    for k in range(bisect.bisect_left(starts, vs) - 1, bisect.bisect_left(starts, lo) - 1, -1):
        m = mentions[k]
        if m[3] in ACTOR_TYPES and m[1] <= vs:
            subj = m
            break
    if subj is None or not between:
        return []
    out = []
    s, e = _stance._strip(doc.norm, lo, j)
    for m in between:
        new = {"source": subj[2], "target": m[2], "label": "against", "action": "sanction",
               "evidence": doc.mention(s, e), "confidence": 0.8}
        key = _key(new)
        if key in seen or m[2] == subj[2]:
            continue
        seen.add(key)
        out.append(new)
    return out


# -- coordinated parties ------------------------------------------------------

def _joined(low: str, r: Rules, a_end: int, b_start: int) -> bool:
    """Only a coordinator (and spaces) between two mentions: 越南和泰国, Japan and the Netherlands."""
    gap = low[a_end:b_start].strip()
    if gap.startswith("the "):
        gap = gap[4:]
    if gap.endswith(" the"):
        gap = gap[:-4].strip()
    return 0 < len(gap) <= 4 and gap in r.coordinators


def _chain(mentions, joined, k, step):
    """Mentions coordinated with ``mentions[k]``, walking left (step -1) or right (+1);
    ``joined[i]``: mentions i-1 and i are joined by a coordinator."""
    out = []
    j = k
    while 0 <= j + step < len(mentions) and joined[j if step < 0 else j + 1]:
        j += step
        out.append(mentions[j])
    return out


def _same_class(m, ref_type) -> bool:
    if ref_type == "PERSON":
        return m[3] == "PERSON"
    return m[3] in ("GPE", "ORG") if ref_type in ("GPE", "ORG") else m[3] == ref_type


def _coordinated(norm, low, r, stances, mentions, starts, seen) -> List[dict]:
    if not stances:
        return []
    n = len(mentions)
    joined = [False] * (n + 1)
    found = False
    for k, (a, b) in enumerate(zip(mentions, mentions[1:]), 1):
        g = b[0] - a[1]
        # a coordinator is at most 4 characters; English ones come with spaces (" and the ")
        if 0 < g <= 4 or (g <= 9 and low[a[1]] == " "):
            if _joined(low, r, a[1], b[0]):
                joined[k] = found = True
    if not found:
        return []
    by_name: Dict[str, List[int]] = {}       # name -> indexes of its coordinated mentions, in order
    for k in range(n):
        if joined[k] or joined[k + 1]:
            by_name.setdefault(mentions[k][2], []).append(k)
    out = []
    for s in stances:
        ev = s["evidence"]
        lo, hi = ev["start"], ev["end"]
        own = []
        for role, name in (("target", s["target"]), ("source", s["source"])):
            ks = by_name.get(name)
            if ks:
                a = bisect.bisect_left(ks, bisect.bisect_left(starts, lo))
                b = bisect.bisect_left(ks, bisect.bisect_left(starts, hi))
                own.extend((k, role) for k in ks[a:b])
        for k, role in own:
            m = mentions[k]
            for step in (-1, 1):
                for o in _chain(mentions, joined, k, step):
                    if o[0] < lo or o[1] > hi or o[2] in (s["source"], s["target"]):
                        break
                    if not _same_class(o, m[3]) or (role == "source" and o[3] not in ACTOR_TYPES):
                        break
                    new = dict(s)
                    new[role] = o[2]
                    new["confidence"] = round(max(0.05, s["confidence"] * _COORD_FACTOR), 3)
                    key = _key(new)
                    if key in seen or new["source"] == new["target"]:
                        continue
                    seen.add(key)
                    out.append(new)
    return out


# -- reactions ------------------------------------------------------------------

def _reactions(doc, norm, low, r, stances, mentions, starts, seen, org_country) -> List[dict]:
    # earlier hostile acts, in order of their evidence: without one there is nothing to react to
    acts = sorted([s for s in stances if s["label"] == "against" and s["action"] in HOSTILE],
                  key=lambda s: s["evidence"]["start"])
    if not acts:
        return []
    # the clause pass's criticize / oppose triggers after the first act
    first = acts[0]["evidence"]["start"]
    hits = [(h.start, h.value[0]) for h in doc.user.get("_stance_triggers") or ()
            if h.start >= first and h.value[0] in REACTIONS]
    if not hits:
        return []
    sents = _stance.units(doc)
    sstarts = [sp.start for sp in sents]
    act_starts = [a["evidence"]["start"] for a in acts]
    covered = bytearray(len(norm) + 1)
    for a, b in {(s["evidence"]["start"], s["evidence"]["end"]) for s in stances
                 if s["action"] in ("criticize", "oppose")}:
        covered[a:b] = b"\x01" * (b - a)
    gpes = {m[2] for m in mentions if m[3] == "GPE"}
    out = []
    done_clauses = set()
    for pos, action in hits:
        if covered[pos]:
            continue        # the clause pass read this reaction already
        si = bisect.bisect_right(sstarts, pos) - 1
        if si < 0:
            continue
        sent = sents[si]
        cs, ce = _clause_bounds(norm, sent.start, sent.end, pos)
        if (cs, ce) in done_clauses:
            continue
        # the reacting actor: in the clause before the cue, else the sentence's first actor before it
        subj = _first_actor(mentions, starts, cs, pos) or _first_actor(mentions, starts, sent.start, pos)
        if subj is None or _after_prep(norm, subj):
            continue
        me = {subj[2], org_country.get(subj[2]) or _country_prefix(subj[2], gpes)}
        me.discard(None)
        lo_sent = sents[max(0, si - r.lookback)].start
        j = bisect.bisect_left(act_starts, pos)
        earlier = [a for a in acts[bisect.bisect_left(act_starts, lo_sent):j] if a["source"] not in me]
        target = next((a["source"] for a in reversed(earlier) if a["target"] in me), None)
        if target is None and any(a in low[cs:ce] for a in r.anaphors):
            target = earlier[-1]["source"] if earlier else None
        if target is None:
            continue
        new = {"source": subj[2], "target": target, "label": "against", "action": action,
               "evidence": doc.mention(*_stance._strip(norm, cs, ce)), "confidence": _REACTION_CONF}
        key = _key(new)
        if key in seen:
            continue
        seen.add(key)
        done_clauses.add((cs, ce))
        out.append(new)
    return out


def _first_actor(mentions, starts, lo, hi):
    for k in range(bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi)):
        m = mentions[k]
        if m[3] in ACTOR_TYPES and m[1] <= hi:
            return m
    return None


def _after_prep(norm: str, m) -> bool:
    """对中国 / 向美方: the object of a preposition is no reacting subject."""
    return m[0] > 0 and norm[m[0] - 1] in "对向与跟同给被"


def _country_prefix(name: str, gpes) -> Optional[str]:
    """越南工贸部 speaks for 越南: the longest GPE named in the document that starts its name."""
    for k in range(min(len(name) - 1, 12), 0, -1):
        if name[:k] in gpes:
            return name[:k]
    return None
