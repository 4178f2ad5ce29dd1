"""Entities: gazetteer longest match + rules over jieba POS + canonical linking.

Pipeline of one call to :func:`extract`:

1. **gazetteer**: one Aho-Corasick automaton over every surface form of every
   ``data/gazetteer/*.tsv`` row (and the blockers of ``entity_rules.yaml``,
   words such as 美元 or 中东 that contain a name but are not one), run on
   ``doc.norm``; overlapping matches resolved longest first.
2. **country abbreviations** in compounds (中美, 对美, 美方, 访华) on the
   characters no gazetteer match took.
3. **rules** over ``doc.pos_tokens`` (jieba's POS, computed once by the
   segment stage): PERSON (nr + titles, transliterated chains with ·), ORG
   (proper-noun modifiers + head words 公司/集团/部/局 …, English Inc./Corp.),
   GPE/LOC (ns + suffixes 省/州/矿/港), LAW (《…》, 法案/协定/协议 heads),
   PRODUCT (F-35, iPhone 16, 战斧导弹).  A rule span may swallow gazetteer
   matches (中国稀土集团 is an ORG) but never cut one in two.
4. **linking**: one entity per gazetteer row or per rule name; short forms
   (雷神 after 雷神公司, 门德斯 after 古斯塔沃·门德斯, 王部长 after 王毅),
   English names in brackets after a Chinese mention (雷神公司(Raytheon)) and
   their later uses join the entity.
5. **dates** from ``doc.user["dates"]`` (the dates stage) become DATE entities.

Every internal span records its rule; ``doc.user["entity_rules"]`` maps each
entity name to the rules of its mentions, for debugging, ``doc.user["entity_mentions"]`` is what the stance stage reads.
"""
from __future__ import annotations

import bisect
import operator
import re
import threading
from typing import Dict, List, Optional, Tuple

import ahocorasick

from . import entity_rules, gazetteer, segment
from .doc import Doc

_lock = threading.Lock()
_state: Optional["_State"] = None

PROPER = frozenset({"ns", "nt", "nz", "nr", "nrt", "nrfg", "j", "eng"})
PERSON_FLAGS = frozenset({"nr", "nrfg", "nrt"})
RULE_FLAGS = PERSON_FLAGS | {"ns", "nt"}
ORG_JOINERS = frozenset("—–-·")   # 秘鲁—中国文化协会
# jieba flags of tokens that may sit inside an ORG/LAW name between its proper part and its head
MOD_FLAGS = frozenset({"n", "nz", "ns", "nt", "nr", "nrt", "nrfg", "j", "eng", "vn", "an", "ng", "b", "l", "i"})
_NOT_GIVEN_FLAGS = frozenset({"d", "p", "c", "u", "uj", "ul", "uz", "r", "m", "q", "f", "x", "eng", "y", "o"})
NAME_FLAGS_AFTER_SURNAME = frozenset({"j", "n", "ng", "nr", "nrfg", "a", "ag", "b", "g", "e", "z", "nz", "x"})

# priorities: a blocker beats a gazetteer form of the same length, which beats any rule
P_BLOCK, P_GAZ, P_RULE_HI, P_RULE, P_RULE_LO = 5, 4, 3, 2, 1

_CODE_RE = re.compile(r"([A-Z]{1,3}-?\d{1,4}[A-Z]{0,2})(?![A-Za-z0-9])")   # left edge checked in code
_CODE_HINT_RE = re.compile(r"[A-Z]-?[0-9]")     # where a code can be: the pattern is tried only there
_MODEL_WORDS = ("iPhone", "iPad", "Galaxy", "Pixel", "Model")
_IPHONE_RE = re.compile(r"(?<![A-Za-z])(iPhone|iPad|Galaxy|Pixel|Model)\s?(\d{1,2}|[SXY])(?:\s?(Pro Max|Pro|Plus|Max|Ultra|mini))?(?![A-Za-z0-9])")
_TITLE_RE = re.compile(r"《([^《》\n]{1,40})》")
_PAREN_EN_RE = re.compile(r"\s?[(]\s?([A-Z][A-Za-z0-9.&'\- ]{1,60}?)\s?[)]")
_EN_WORD = r"[A-Z][A-Za-z0-9&'.\-]*"
_HAS_UPPER = re.compile(r"[A-Z]")
_N_COUNTRIES = re.compile(r"^[一二三四五六七八九十两几多各数诸]+国$")


class _State:
    def __init__(self, gz: gazetteer.Gazetteer, rules: entity_rules.Rules):
        self.gz = gz
        self.rules = rules
        media = [i for i, e in enumerate(gz.entries) if e.source.startswith("media.tsv")]
        self.media = frozenset(gz.entries[i].name for i in media)
        # the media and portals whose channels are units of their own (新浪财经, 央视新闻)
        self.channel_owners = frozenset(media) | frozenset(gz.surfaces[w] for w in rules.org_channel_owners
                                                           if w in gz.surfaces)
        r = rules
        tl = "".join(sorted(r.translit))
        jn = "".join(sorted(r.joiners))
        self.translit_re = re.compile(f"[{re.escape(tl)}]{{1,8}}(?:[{re.escape(jn)}][{re.escape(tl)}]{{1,8}}){{1,4}}")
        titles = "|".join(re.escape(t) for t in r.titles_en)
        first = "".join(sorted({re.escape(t[0]) for t in r.titles_en}))
        self.en_person_re = re.compile(
            rf"(?=[{first}])(?<![A-Za-z])(?:{titles})(?: of(?: the)? [A-Z][a-z]+(?: and [A-Z][a-z]+)?)?,? "
            rf"([A-Z][a-z]+(?:[ -](?:[A-Z]\.|[A-Z][a-z]+|van|von|de|da|bin|al-?[A-Z][a-z]+)){{0,3}})(?![A-Za-z])")
        # the English cue words (titles, ORG heads, law heads) found in one automaton pass; each rule's
        # pattern is then tried only there (scanning English prose with the patterns cost more)
        cue_kinds: Dict[str, list] = {}
        for kind, words in (("title", r.titles_en), ("org", r.org_english), ("law", r.law_heads_en)):
            for w in words:
                cue_kinds.setdefault(w, []).append(kind)
        self.en_cues = ahocorasick.Automaton()
        for w, kinds in cue_kinds.items():
            self.en_cues.add_word(w, (len(w), tuple(kinds)))
        if cue_kinds:
            self.en_cues.make_automaton()
        self.en_org_prefix_re = re.compile(rf"(?<![A-Za-z0-9])(?:{_EN_WORD}[ ]){{1,4}}$")
        self.en_law_prefix_re = re.compile(r"(?<![A-Za-z])(?:[A-Z][A-Za-z\-]*[ ]|of[ ]|and[ ]|the[ ]|on[ ]|for[ ]){1,10}$")
        ab = sorted(gz.abbrev, key=lambda s: -len(s))
        self.abbrev_re = re.compile("|".join(re.escape(a) for a in ab)) if ab else None
        self.gov_inst = r.org_gov + r.org_institution
        self.company_inst = r.org_company + r.org_institution
        self.suffixes_titles = r.abbrev_suffixes + tuple(r.titles)
        self.org_last = frozenset(h[-1] for h in r.org_company + r.org_institution + r.org_gov)
        self.law_last = frozenset(h[-1] for h in r.law_heads)
        self.place_suffix_words = frozenset(r.loc_suffixes + r.gpe_suffixes)
        self.abbrev_chars = frozenset(gz.abbrev)
        self.all_titles = entity_rules.WordList(tuple(r.titles) + tuple(r.surname_titles))
        # 澳 beside 港/台 is 澳门: abbreviation -> (entry index, the abbreviations it must stand beside)
        self.abbrev_beside = {ab: (gz.surfaces[name], with_) for ab, (name, with_) in r.abbrev_beside.items()
                              if name in gz.surfaces}
        self.metonyms = {}
        for word, name in r.metonyms.items():
            idx = next((i for (nm, _t), i in gz.by_name.items() if nm == name), None)
            if idx is not None:
                self.metonyms[word] = (idx, gz.entries[idx].type)
        self.org_ext_first = frozenset("第" + "一二三四五六七八九十百零〇") | frozenset(x[0] for x in r.org_extensions)
        self.gz_keys = [("G", i) for i in range(len(gz.entries))]
        self.gz_rules = ["gazetteer:" + e.source for e in gz.entries]
        self.venue = _VenueLex(r)
        self.commoner_roles = tuple(r.commoner_roles)
        self.surname_titles_set = frozenset(r.surname_titles)
        self.titles_tuple = tuple(sorted(r.titles))
        self.interesting_words = frozenset(r.titles) | self.surname_titles_set | self.place_suffix_words \
            | frozenset(r.product_named_class)
        self.interesting_last = self.org_last | self.law_last | frozenset(t[-1] for t in r.surname_titles) \
            | frozenset(t[-1] for t in r.titles) | frozenset(w[-1] for w in self.interesting_words) \
            | frozenset(w[-1] for w in r.road_suffixes)
        self.lasts_re = re.compile("[" + "".join(re.escape(c) for c in sorted(self.interesting_last)) + "]")
        # 市教委, 省公安厅: a level character, then a body's short name (longest first)
        self.local_re = re.compile(
            "[" + "".join(sorted(r.local_levels)) + "](?:" + "|".join(re.escape(b) for b in r.local_bodies) + ")") \
            if r.local_levels and r.local_bodies else None
        self.sports_re = re.compile("|".join(re.escape(w) for w in r.sports_context)) if r.sports_context else None
        # the result words of two characters or more, matched on the text (平/过/罗马 is 平过 + 罗马)
        self.sports_after2 = tuple(w for w in r.sports_after if len(w) >= 2)
        self.sports_before2 = tuple(w for w in r.sports_before if len(w) >= 2)
        self.fixture_re = re.compile(
            "(?<![A-Za-z])(?:" + "|".join(re.escape(w) for w in r.sports_fixture) + ")") if r.sports_fixture else None


def load(directory: str = gazetteer.DEFAULT_DIR, rules_path: str = entity_rules.PATH, teach_jieba: bool = True) -> None:
    """Load and validate the rules and gazetteers once; build the automaton; teach jieba the names."""
    global _state
    with _lock:
        st = build(directory, rules_path)
        if teach_jieba:
            _teach_jieba(st.gz)
        _state = st


def build(directory: str = gazetteer.DEFAULT_DIR, rules_path: str = entity_rules.PATH) -> _State:
    rules = entity_rules.load(rules_path)
    gz = gazetteer.load(directory, blockers=rules.blockers)
    return _State(gz, rules)


def _teach_jieba(gz: gazetteer.Gazetteer) -> None:
    tags = {"PERSON": "nr", "GPE": "ns", "LOC": "ns", "ORG": "nt"}
    known = getattr(segment.tokenizer(), "FREQ", {})
    by_tag: Dict[str, list] = {}
    for form, idx in gz.surfaces.items():
        if len(form) < 2 or form.isascii() or known.get(form):
            continue
        by_tag.setdefault(tags.get(gz.entries[idx].type, "nz"), []).append(form)
    for tag, words in by_tag.items():
        segment.add_words(words, tag=tag, freq=2000)


def _get() -> _State:
    if _state is None:
        load()
    return _state


def media_names() -> frozenset:
    """Canonical names of the news media and agencies the gazetteers list (路透社, 彭博社):
    in an article they are usually its sources, not its actors."""
    return _get().media


# ---------------------------------------------------------------------------
# candidate spans

class Cand:
    __slots__ = ("start", "end", "type", "key", "rule", "prio", "contain", "name")

    def __init__(self, start, end, type_, key, rule, prio=P_RULE, contain=False, name=None):
        self.start, self.end, self.type, self.key = start, end, type_, key
        self.rule, self.prio, self.contain, self.name = rule, prio, contain, name

    def __repr__(self):
        return f"Cand({self.start},{self.end},{self.type},{self.key},{self.rule})"


class _Affixes:
    """A word list for suffix/prefix tests: a set per length, longest first (有限公司 before 公司)."""
    __slots__ = ("src", "words", "lengths", "memo")

    def __init__(self, words):
        self.src = words                      # kept alive, so its id() stays unique
        self.words = frozenset(words)
        self.lengths = sorted({len(w) for w in self.words}, reverse=True)
        self.memo = {}


_AFFIXES: Dict[int, _Affixes] = {}


def _aff(words) -> _Affixes:
    if type(words) is entity_rules.WordList:
        return words
    a = _AFFIXES.get(id(words))
    if a is None or a.src is not words:
        a = _AFFIXES[id(words)] = _Affixes(words)
    return a


def _ends_with(word: str, heads) -> Optional[str]:
    a = _aff(heads)
    hit = a.memo.get(word, 0)
    if hit != 0:
        return hit
    hit = None
    n = len(word)
    for L in a.lengths:
        if L <= n and word[n - L:] in a.words:
            hit = word[n - L:]
            break
    if len(a.memo) < 100_000:
        a.memo[word] = hit
    return hit


def _starts_any(s: str, words) -> Optional[str]:
    a = _aff(words)
    n = len(s)
    for L in a.lengths:
        if L <= n and s[:L] in a.words:
            return s[:L]
    return None


_FLAG, _START = operator.itemgetter(1), operator.itemgetter(2)


def _indexes(lst: list, value) -> list:
    """Every index of ``value`` in ``lst``; the scan runs in C (list.index)."""
    out = []
    i = -1
    index = lst.index
    while True:
        try:
            i = index(value, i + 1)
        except ValueError:
            return out
        out.append(i)


class _Boundaries:
    """Token start offsets, sorted, with ``in`` by binary search (no per-document set to build)."""
    __slots__ = ("starts", "n")

    def __init__(self, starts, n):
        self.starts, self.n = starts, n

    def __contains__(self, i) -> bool:
        if i == self.n:
            return True
        j = bisect.bisect_left(self.starts, i)
        return j < len(self.starts) and self.starts[j] == i


class _Ctx:
    """Per-document working state."""

    def __init__(self, doc: Doc, st: _State):
        self.doc, self.st, self.r = doc, st, st.rules
        self.norm = doc.norm
        self.n = len(self.norm)
        self.toks = toks = doc.pos_tokens
        self.starts = list(map(_START, toks))
        self.tok_start = _Boundaries(self.starts, self.n)   # `i in cx.tok_start`: a token starts (or the text ends) at i
        norm = self.norm
        self.has_upper = _HAS_UPPER.search(norm) is not None
        # the indexes each rule looks at; words and last characters are found by regex (C speed)
        flags = list(map(_FLAG, toks))
        # one hashing pass says which flags occur: a scan for an absent flag reads every token
        fs = set(flags)
        self.i_person = sorted([i for f in ("nr", "nrt", "nrfg") if f in fs for i in _indexes(flags, f)])
        self.i_ns = _indexes(flags, "ns") if "ns" in fs else []
        self.i_nt = _indexes(flags, "nt") if "nt" in fs else []
        ts = self.tok_start
        self.i_last = [self.tok_index(m.start()) for m in st.lasts_re.finditer(norm) if m.end() in ts]
        words = st.interesting_words      # their last characters are in lasts_re
        self.i_word = [k for k in self.i_last if toks[k][0] in words]
        # one-token "surname + title" (江主席): rare, found by the title at its end
        self.i_sur1 = [k for k in self.i_last if toks[k][0][1:] in st.surname_titles_set]
        self.freq = getattr(segment.tokenizer(), "FREQ", {})
        self.gz_owner = [-1] * self.n       # char -> index into self.gz_spans
        self.gz_spans: List[Cand] = []
        self.titles: List[Tuple[int, int]] = []     # spans of 《…》 work titles (not laws, not media)
        self._en_hits: Optional[Dict[str, list]] = None

    def en_hits(self, kind: str) -> list:
        """``[(start, end)]`` of the English cue words of one kind (title, org, law), all overlaps."""
        if self._en_hits is None:
            hits: Dict[str, list] = {"title": [], "org": [], "law": []}
            if self.has_upper and len(self.st.en_cues):
                for last, (n, kinds) in self.st.en_cues.iter(self.norm):
                    for k in kinds:
                        hits[k].append((last + 1 - n, last + 1))
            self._en_hits = hits
        return self._en_hits[kind]

    def tok_index(self, i: int) -> int:
        return bisect.bisect_right(self.starts, i) - 1

    def free_gz(self, s: int, e: int) -> bool:
        e = min(e, self.n)
        return s >= e or not self.gz_spans or self.gz_owner[s:e].count(-1) == e - s

    def gz_type_at(self, s: int, e: int) -> Optional[str]:
        """The type of a gazetteer span exactly covering [s, e), if any."""
        o = self.gz_owner[s] if s < self.n else -1
        if o >= 0:
            c = self.gz_spans[o]
            if c.start == s and c.end == e:
                return c.type
        return None


def _leftmost(spans) -> list:
    """``(start, end, payload)`` spans as ``re.finditer`` would give them: leftmost first, the longest
    at one start, none overlapping one already taken."""
    out, upto = [], -1
    for sp in sorted(spans, key=lambda x: (x[0], -x[1])):
        if sp[0] >= upto:
            out.append(sp)
            upto = sp[1]
    return out


def _en_head_spans(cx: _Ctx, kind: str, prefix_re, right_ok) -> list:
    """``(start, end)`` of '<1-n words> <head>' runs ending at a cue word of ``kind`` (an ORG or a
    law head): the leftmost start the words allow, as the anchored-at-head reading of one regex."""
    norm = cx.norm
    spans = []
    for hs, he in cx.en_hits(kind):
        if not right_ok(norm, he):
            continue
        m = prefix_re.search(norm, max(0, hs - 240), hs)
        if m:
            spans.append((m.start(), he, None))
    return [(s, e) for s, e, _ in _leftmost(spans)]


def _right_alnum_free(norm: str, e: int) -> bool:
    return e >= len(norm) or not (norm[e].isascii() and norm[e].isalnum())


def _right_alpha_free(norm: str, e: int) -> bool:
    return e >= len(norm) or not (norm[e].isascii() and norm[e].isalpha())


def _resolve(cands: List[Cand], n: int) -> List[Cand]:
    """Longest first, then priority, then leftmost; no two kept spans overlap."""
    occ = bytearray(n + 1)
    kept = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), -c.prio, c.start)):
        if c.end <= c.start or occ.find(1, c.start, c.end) != -1:
            continue
        occ[c.start:c.end] = b"\x01" * (c.end - c.start)
        kept.append(c)
    kept.sort(key=lambda c: c.start)
    return kept


def _two_ok(cx: _Ctx, s: int, e: int, etype: str) -> bool:
    """A two-character name is one word, or the start or end of one, never half of two;
    a person's name starts a longer word only before a title (李鹏总理, not 陈云/林)."""
    ts = cx.tok_start
    if s in ts and e in ts:
        return True
    toks = cx.toks
    if s in ts:
        t = toks[cx.tok_index(s)]
        if etype == "PERSON":
            rest = t[0][e - s:]
            return rest in cx.r.titles or rest in cx.r.surname_titles or rest in cx.r.person_trailing
        if t[3] == s + 1 and etype == "ORG" and (s == 0 or not "\u4e00" <= cx.norm[s - 1] <= "\u9fff"):
            # jieba read the second character with a function word after it: ，建/行为 is 建行 + 为
            # (only where a word starts: 交易/中/行为 is no 中行)
            t2 = toks[cx.tok_index(s + 1)]
            return t2[2] == s + 1 and len(t2[0]) == 2 and t2[0][1] in cx.r.name_clitics
        return t[3] > e
    t = toks[cx.tok_index(e - 1)]
    if t[2] < s:
        return True
    # jieba glued a preposition to the name's first character: 对华/为 is 对 + 华为
    t0 = toks[cx.tok_index(s)]
    return t0[2] == s - 1 and t0[3] == s + 1 and t0[0][0] in cx.r.abbrev_prefixes


def _one_ok(cx: _Ctx, s: int, e: int) -> bool:
    """A one-character name (铜, 锡) may start or end a word (铜价, 白铜) but not a place's or a
    person's name (铜川 is a city, 锡耶纳 Siena)."""
    if s in cx.tok_start and e in cx.tok_start:
        return True
    f = cx.toks[cx.tok_index(s)][1]
    return f != "ns" and f not in PERSON_FLAGS


def _gazetteer_cands(cx: _Ctx) -> None:
    gz = cx.st.gz
    cands = []
    entries, keys, rules_ = gz.entries, cx.st.gz_keys, cx.st.gz_rules
    # longest first, blockers before names of the same length, then leftmost (plain tuple sort)
    ts = cx.tok_start
    # a listed name strictly inside one jieba word, or across two, is no mention (发展中国家, 其中国有);
    # a two-character form may begin or end a longer word (亚太地区, 东亚各国) but not cut
    # into the next one (中/行政 is no 中行)
    norm = cx.norm
    dec = [(s - e, 0 if x < 0 else 1, s, e, x) for s, e, x in gz.match_list(norm)
           if x < 0 or norm[s].isascii() or ((s in ts or e in ts) and (e - s > 2 or (
               _two_ok(cx, s, e, entries[x].type) if e - s == 2 else _one_ok(cx, s, e))))]
    dec.sort()
    occ = bytearray(cx.n + 1)
    kept = []
    for _neg, _p, s, e, x in dec:
        if occ.find(1, s, e) != -1:
            continue
        occ[s:e] = b"\x01" * (e - s)
        if x < 0:
            kept.append(Cand(s, e, None, None, "blocker", P_BLOCK))
        else:
            kept.append(Cand(s, e, entries[x].type, keys[x], rules_[x], P_GAZ))
    kept.sort(key=lambda c: c.start)
    cx.gz_spans = kept
    owner = cx.gz_owner
    for k, c in enumerate(kept):
        owner[c.start:c.end] = [k] * (c.end - c.start)


# -- country abbreviations --------------------------------------------------

def _abbrev_cands(cx: _Ctx) -> List[Cand]:
    st, r, norm = cx.st, cx.r, cx.norm
    if st.abbrev_re is None:
        return []
    owner, ab_map = cx.gz_owner, st.gz.abbrev
    hits = [(m.start(), m.end(), ab_map[m.group()]) for m in st.abbrev_re.finditer(norm)
            if owner[m.start()] == -1 and owner[m.end() - 1] == -1]   # (start, end, entry)
    out = []
    i = 0
    while i < len(hits):
        # a run of adjacent abbreviations
        j = i
        while j + 1 < len(hits) and hits[j + 1][0] == hits[j][1]:
            j += 1
        run = hits[i:j + 1]
        rs, re_ = run[0][0], run[-1][1]
        i = j + 1
        after = norm[re_:re_ + 2]
        if _starts_any(after, r.abbrev_not_before):
            continue
        if len(run) >= 2:
            entries = [h[2] for h in run]
            if (len(set(entries)) == len(entries) and _compound_ok(cx, rs, re_, run)
                    and not any(norm[h[0]:h[1]] in r.abbrev_not_in_runs for h in run)):
                if st.abbrev_beside:
                    abs_ = {norm[s:e] for s, e, _x in run}
                    run = [(s, e, st.abbrev_beside[norm[s:e]][0]
                            if norm[s:e] in st.abbrev_beside and abs_ & st.abbrev_beside[norm[s:e]][1] else x)
                           for s, e, x in run]
                out.extend(Cand(s, e, st.gz.entries[x].type, ("G", x), "abbrev:compound", P_RULE_HI) for s, e, x in run)
                continue
        # one abbreviation (or a run that failed as a compound): needs a prefix or a suffix
        for s, e, x in run:
            ab = norm[s:e]
            if ab not in r.abbrev_single:
                continue
            ok = False
            pre = norm[max(0, s - 2):s]
            suf = norm[e:e + 4]
            has_pre = ab not in r.abbrev_suffix_only and (pre[-1:] in r.abbrev_prefixes or pre in r.abbrev_prefixes)
            has_suf = _starts_any(suf, r.abbrev_suffixes)
            if has_pre or has_suf:
                w, _f, ts, te = cx.toks[cx.tok_index(s)]
                if ts == s and te == e:
                    ok = True                      # jieba split it alone: 对/美/出口
                elif has_pre and te == e and any(w == p + ab for p in r.abbrev_prefixes):
                    ok = True                      # 访华, 对华
                elif has_pre and te > e and ts == s - 1 and _starts_any(w[2:], st.suffixes_titles):
                    ok = True                      # 驻华大使
                elif has_suf and ts == s and _starts_any(w[e - s:], r.abbrev_suffixes) and len(w) <= 4:
                    ok = True                      # 美方, 美企, 日媒
            if ok and (e < cx.n and (cx.gz_owner[e] == -1 or has_pre)):
                out.append(Cand(s, e, st.gz.entries[x].type, ("G", x), "abbrev:context", P_RULE_HI))
    return out


_IN_NOUN_FLAGS = frozenset(("n", "vn", "nz", "an"))


def _compound_ok(cx: _Ctx, rs: int, re_: int, run) -> bool:
    """中俄/ns, 中美关系/nt, 美/中/贸易: a compound; 非法/b, 新老交替/n, 法西斯/ns: words."""
    if not (rs in cx.tok_start):
        return False
    k = cx.tok_index(rs)
    w, f, ts, te = cx.toks[k]
    if te == re_:
        if (cx.norm[rs] == "中" and k > 0 and cx.toks[k - 1][1] in _IN_NOUN_FLAGS and k + 1 < len(cx.toks)
                and cx.toks[k + 1][1] == "v"):
            return False      # 小说/中加/插: 中 is "in" after a noun, and a verb follows (中加关系 stays)
        return f in cx.r.abbrev_compound_flags
    if te < re_:
        # several tokens: each exactly one abbreviation (美/中/贸易), or a compound token first (中日/韩三国)
        return f in cx.r.abbrev_compound_flags or all(s in cx.tok_start and e in cx.tok_start for s, e, _x in run)
    # one token longer than the run: 中美关系/nt, not 法西斯/ns or 中西部/nt
    return f in cx.r.abbrev_compound_flags and te - re_ >= 2


# -- rules over tokens ------------------------------------------------------

def _is_translit(w: str, r) -> bool:
    return len(w) > 0 and all(c in r.translit for c in w)


def _is_chinese_name(w: str, r) -> bool:
    return (2 <= len(w) <= 4 and (w[0] in r.surnames or w[:2] in r.surnames)
            and not any(c in r.not_name_chars for c in w[1:]))


def _ends_as_thing(name: str, r) -> bool:
    """卢浮宫, 少林寺, 世界杯: the last character makes the word a place, building or thing, whatever
    jieba tags it.  卡, 塔, 门 also end transliterated names (莫妮卡, 科斯塔, 杜鲁门), so they count only
    after a part that is not a transliteration (银行卡, 雷峰塔, 凯旋门)."""
    last = name[-1:]
    if last in r.person_not_endings:
        return True
    return last in r.person_not_endings_translit and not _is_translit(name[:-1], r)


def _extends_listed_name(cx: _Ctx, s: int, core_end: int, end: int) -> bool:
    """刘秀/英/说, 戴蒙/德/,: a listed two-character name jieba now splits off (the gazetteer teaches it
    to jieba) plus the one-character piece that ends a longer name; the longer name may take the
    listed one in."""
    return end > core_end and core_end - s == 2 and cx.gz_type_at(s, core_end) == "PERSON"


def _person_cands(cx: _Ctx) -> List[Cand]:
    r, toks, norm = cx.r, cx.toks, cx.norm
    out = []
    n = len(toks)
    titles = r.titles
    todo = sorted(set(cx.i_person) | {k + 1 for k in cx.i_word if toks[k][0] in titles and k + 1 < n})
    done_to = -1
    for k in todo:
        if k <= done_to:
            continue
        w, f, s, e = toks[k]
        after_title = k > 0 and toks[k - 1][0] in titles
        if (f in PERSON_FLAGS and w not in r.not_person and len(w) >= 2) or (
                after_title and len(w) >= 2 and (_is_translit(w, r) or _is_chinese_name(w, r)) and f not in ("v", "d", "p", "c", "u")):
            j = k
            end = e
            # merge nr pieces and joiners: 古斯塔/沃/·/门德斯
            while j + 1 < n:
                w2, f2, s2, e2 = toks[j + 1]
                if f2 in PERSON_FLAGS and w2 not in r.not_person and (_is_translit(w2, r) or _is_translit(norm[s:end], r)):
                    j += 1; end = e2; continue
                if (len(w2) == 1 and w2 in r.joiners and j + 2 < n and _is_translit(toks[j + 2][0], r)):
                    j += 2; end = toks[j][3]; continue
                break
            name = norm[s:end]
            # a one-character piece jieba split off: 艾尔朗/加, 滕斌/圣
            core_end = end
            if j + 1 < n:
                w2, f2, s2, e2 = toks[j + 1]
                nxt = toks[j + 2][0] if j + 2 < n else ""
                if len(w2) == 1 and cx.gz_owner[s2] == -1 and (w2 not in r.not_name_chars or (
                        nxt in r.person_verbs and _is_translit(name, r))):   # 塞茹/内/说: a common character, then a verb
                    if _is_translit(name, r) and w2 in r.translit and len(name) >= 2 and (
                            nxt in r.person_verbs or nxt in r.titles or not nxt or not nxt[0].isalnum()
                            or (nxt and nxt[0] in "，。、；：,.;:")):
                        end = e2; j += 1
                    elif (len(name) == 2 and name[0] in r.surnames and (f2 in NAME_FLAGS_AFTER_SURNAME or (
                            f2 == "ns" and cx.gz_type_at(s, end) == "PERSON"))     # 王兴/华/表示
                          and (nxt in r.person_verbs or nxt in r.titles or (nxt and nxt[0] in "，。、；：,.;:“”\"(（"))):
                        end = e2; j += 1
            name = norm[s:end]
            tr = _ends_with(name, r.person_trailing)
            if tr and len(name) - len(tr) >= 2:
                end -= len(tr)
                name = norm[s:end]
            if _person_ok(name, r, after_title, toks, j, cx.freq):
                out.append(Cand(s, end, "PERSON", None, "person:nr" if not after_title else "person:title",
                                P_RULE, contain=_extends_listed_name(cx, s, core_end, end)))
            done_to = j
    # a surname jieba left alone, then the given name as its own word: 经理/杨/建新, 曹/新民/表示,
    # 村民/刘/秀英/说 (the surname tagged zg, the given name nr)
    for k in sorted(set(todo) | {k - 1 for k in cx.i_person if k > 0 and len(toks[k - 1][0]) == 1}):
        w, f, s, e = toks[k]
        if len(w) != 1 or w not in r.surnames or w in r.not_name_chars or k + 1 >= n:
            continue
        w2, f2, s2, e2 = toks[k + 1]
        if not 1 <= len(w2) <= 2 or f2 in _NOT_GIVEN_FLAGS or w2 in titles or w2 in r.surname_titles \
                or cx.gz_owner[s2] != -1 or any(c in r.not_name_chars or not "\u4e00" <= c <= "\u9fff" for c in w2):
            continue
        nxt = toks[k + 2][0] if k + 2 < n else ""
        after_title = k > 0 and toks[k - 1][0] in titles
        if (nxt in r.person_verbs or nxt in titles or nxt in r.surname_titles
                or (after_title and (not nxt or nxt[0] in "，。、；：,:" or f2 in PERSON_FLAGS))   # 董事长/阮/英俊/因
                or (f in PERSON_FLAGS and nxt in ("：", ":"))) \
                and not _ends_as_thing(w2, r):
            out.append(Cand(s, e2, "PERSON", None, "person:surname+given", P_RULE))
    # a surname alone before a title: 江主席, 王部长
    st_titles = r.surname_titles
    sts = cx.st.surname_titles_set
    for k in sorted(set(cx.i_sur1) | {k - 1 for k in cx.i_word if k > 0 and toks[k][0] in sts}):
        w, f, s, e = toks[k]
        sur = None
        if w in r.surnames and w not in r.not_name_chars and k + 1 < n and toks[k + 1][0] in r.surname_titles:
            sur = (s, e)
        elif 2 <= len(w) <= 5 and w[0] in r.surnames and w[0] not in r.not_name_chars and w[1:] in r.surname_titles:
            sur = (s, s + 1)
        if sur and (k == 0 or toks[k - 1][1] not in ("nr", "nrt", "nrfg")) and cx.gz_owner[sur[0]] == -1:
            out.append(Cand(sur[0], sur[1], "PERSON", None, "person:surname+title", P_RULE_LO))
    # English: a title, then a capitalised name (Minister of Mining, Gustavo Mendes)
    found = []
    for hs, _he in cx.en_hits("title"):
        m = cx.st.en_person_re.match(norm, hs)
        if m:
            found.append((m.start(), m.end(), (m.start(1), m.end(1))))
    for _a, _b, (s, e) in _leftmost(found):
        if cx.free_gz(s, e) and (e - s) >= 4:
            out.append(Cand(s, e, "PERSON", None, "person:title-en", P_RULE))
    # a Latin name after a Chinese title or role, or before an honorific: 选手Alex, 制片人Steven Spielberg, Berg先生
    if cx.has_upper:
        spans = set()
        for m in _CJK_THEN_UPPER.finditer(norm):
            if norm.endswith(cx.st.titles_tuple, 0, m.start() + 1):
                mm = _LATIN_NAME_RE.match(norm, m.end() - 1)
                if mm:
                    spans.add((mm.start(), mm.end()))
        for h in r.honorifics:
            i = norm.find(h)
            while i != -1:
                if i > 0 and "a" <= norm[i - 1] <= "z":
                    mm = _LATIN_TAIL_RE.search(norm, max(0, i - 40), i)
                    if mm:
                        spans.add((mm.start(), mm.end()))
                i = norm.find(h, i + len(h))
        for s, e in sorted(spans):
            if cx.free_gz(s, e):
                out.append(Cand(s, e, "PERSON", None, "person:latin", P_RULE))
    # transliterated chains with a middle dot anywhere (古斯塔沃·门德斯)
    for m in (cx.st.translit_re.finditer(norm) if any(j in norm for j in r.joiners) else ()):
        s, e = m.start(), m.end()
        while s < e and (s not in cx.tok_start or cx.gz_owner[s] != -1):
            s += 1
        if e - s >= 4 and any(c in r.joiners for c in norm[s:e]) and norm[s] not in r.joiners:
            out.append(Cand(s, e, "PERSON", None, "person:translit", P_RULE_HI))
    return out


# a capitalised Latin name of up to three words (Alex, McGee, Steven Spielberg), not an acronym (IBM)
_LATIN_NAME_RE = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)?(?: [A-Z][a-z]+){0,2}(?![A-Za-z0-9])")
_LATIN_TAIL_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z][a-z]+(?:[A-Z][a-z]+)?(?: [A-Z][a-z]+){0,2}$")
_CJK_THEN_UPPER = re.compile(r"[\u4e00-\u9fff] ?[A-Z]")     # where a Latin name can follow a Chinese title

COMMON_WORD_FREQ = 100   # a two-character "name" this frequent in jieba's dictionary is usually a word (文明, 友谊)


def _person_ok(name: str, r, after_title: bool, toks, j: int, freq) -> bool:
    if name in r.not_person or len(name) < 2 or _ends_as_thing(name, r):
        return False
    nxt = toks[j + 1][0] if j + 1 < len(toks) else ""
    if nxt in r.person_not_before:     # 奥斯卡/最佳, 普利策/奖: a prize; 尼米兹/号: a ship
        return False
    if after_title or nxt in r.person_verbs or nxt in r.titles:
        return True
    if _is_chinese_name(name, r) and len(name) <= 3:
        return len(name) == 3 or (freq.get(name) or 0) < COMMON_WORD_FREQ
    if any(c in r.joiners for c in name):
        return True
    if _is_translit(name, r) and len(name) >= 3:
        return True
    return False


def _place_cands(cx: _Ctx) -> List[Cand]:
    r, toks = cx.r, cx.toks
    out = []
    n = len(toks)
    sufs = cx.st.place_suffix_words
    owner = cx.gz_owner
    for k in sorted(set(cx.i_ns) | {k for k in cx.i_word if toks[k][0] in sufs}):
        w, f, s, e = toks[k]
        if owner[s] >= 0 and owner[e - 1] == owner[s] and f == "ns":
            continue      # a listed place: the gazetteer has it
        if f == "ns" and owner[s] >= 0 and owner[e - 1] < 0:
            g = cx.gz_spans[owner[s]]
            if g.start == s and g.type == "GPE" and w[g.end - s:] in r.loc_suffixes and cx.free_gz(g.end, e):
                out.append(Cand(s, e, "LOC", None, "place:ns+suffix", P_RULE, contain=True))     # 大连/港, 天津/港
                continue
        h = _ends_with(w, r.place_class_nouns) if f == "ns" else None
        if h and len(w) > len(h) and segment.word_tag(w[:-len(h)]) not in ("ns", "nz"):
            continue      # 沿海地区, 文明城市, 港澳同胞: a kind of place (or its people); a listed name in it is the
            #               gazetteer's; 和田地区, 远东地区 (和田, 远东: proper nouns) are the places themselves
        if f == "ns" and len(w) >= 4 and _ends_with(w, r.hotels):
            out.append(Cand(s, e, "ORG", None, "org:hotel", P_RULE_LO, contain=True))     # 希尔顿饭店
            continue
        if (f == "ns" and len(w) >= 2 and w not in r.not_place and not _N_COUNTRIES.match(w) and not _ends_with(w, cx.st.gov_inst)
                and not (w[0] in r.not_place_initials and (cx.freq.get(w) or 0) < 10)   # 之日起 (jieba: ns, 3)
                and not set(w) <= cx.st.abbrev_chars
                and not (len(w) == 2 and w[0] in r.abbrev_prefixes and w[1] in cx.st.abbrev_chars)):   # 驻沪, 离港: prefix + abbreviation
            end = e
            typ = "GPE"
            if k + 1 < n:
                w2 = toks[k + 1][0]
                if w2 in r.gpe_suffixes and not _ends_with(w, r.gpe_suffixes):
                    end = toks[k + 1][3]
                elif w2 in r.loc_suffixes:
                    end = toks[k + 1][3]; typ = "LOC"
            if end == e and _ends_with(w, r.loc_suffixes) and not _ends_with(w, r.gpe_suffixes) and len(w) >= 3:
                typ = "LOC"
            out.append(Cand(s, end, typ, None, "place:ns", P_RULE_LO, contain=end > e))
        elif (w in r.loc_suffixes or w in r.gpe_suffixes) and k > 0 and w not in r.venue_place_heads:
            # (机场, 港口, 开发区 …: the venue rule reads them, and a country alone names none)
            # a proper or transliterated chain before a suffix: 芒廷/帕斯/矿, 怀俄明/州
            j = k - 1
            while j >= 0 and k - j <= 4:
                wj, fj, sj, ej = toks[j]
                if (fj in ("ns", "nr", "nrt", "nz") or (_is_translit(wj, r) and len(wj) >= 2)) and wj not in r.not_place:
                    j -= 1; continue
                break
            j += 1
            if j < k and not (w in r.gpe_suffixes and _ends_with(toks[k - 1][0], r.gpe_suffixes)):
                # (故城县/乡、村: a division already complete takes no second suffix)
                st_ = toks[j][2]
                if e - st_ >= 3:
                    typ = "LOC" if w in r.loc_suffixes else "GPE"
                    out.append(Cand(st_, e, typ, None, "place:suffix", P_RULE, contain=True))
    out.extend(_district_cands(cx))
    return out


def _district_cands(cx: _Ctx) -> List[Cand]:
    """A district, county or town and the neighbourhood named after it: 槐荫区吴家堡, 朝阳区望京,
    丰台区马家堡 (one LOC; a city and its district stay two names, as 北京市/东城区)."""
    r, toks = cx.r, cx.toks
    if not r.district_suffixes:
        return []
    out = []
    n = len(toks)
    spans, owner = cx.gz_spans, cx.gz_owner
    for k in cx.i_last:
        if k + 1 >= n:
            continue
        w, f, s, e = toks[k]
        if len(w) < 3 or not _ends_with(w, r.district_suffixes) or f not in ("ns", "n", "nz", "nt") or w in r.not_place:
            continue      # (老区, 社区, 园区: kinds of area, no division's name)
        o = owner[s]
        if o >= 0 and (spans[o].start != s or spans[o].end != e or spans[o].type != "GPE"):
            continue
        w2, f2, s2, e2 = toks[k + 1]
        if len(w2) < 2 or w2 in r.not_place or _ends_with(w2, r.gpe_suffixes) or owner[s2] >= 0 or owner[e2 - 1] >= 0:
            continue      # a second division (东城区/王府井 yes, 东城区/东华门街道 is an address's business)
        if f2 in ("ns", "nz") or (f2 in PERSON_FLAGS and w2[-1] in r.neighbourhood_ends):
            out.append(Cand(s, e2, "LOC", None, "place:district", P_RULE, contain=True))
    return out


_ACRONYM_AFTER_RE = re.compile(r" ?[(（][A-Z][A-Z0-9&\-]{1,9}[)）]")
_ROAD_MOD_FLAGS = frozenset(("ns", "nr", "nrt", "nz", "nt", "n", "j", "s"))
_NUM_RE = re.compile(r"[0-9一二三四五六七八九十百零〇甲乙丙丁A-Za-z-]+$")


def _place_token(cx: _Ctx, k: int) -> bool:
    """A token that names a place an address may start with (北京市, 东城区, 朝阳区, 望京)."""
    w, f, s, e = cx.toks[k]
    if w in cx.r.not_place or len(w) < 2:
        return False
    o = cx.gz_owner[s]
    if o >= 0 and cx.gz_spans[o].start == s:
        g = cx.gz_spans[o]
        if g.type in ("GPE", "LOC") and (g.end == e or f == "ns"):
            return True
    elif o >= 0:
        return False
    return f == "ns" or (f in ("nt", "nz", "n") and (_ends_with(w, cx.r.gpe_suffixes) is not None
                                                     or (len(w) > 2 and w.endswith("街道"))))


def _address_cands(cx: _Ctx) -> List[Cand]:
    """Streets and street addresses: 文汇路, 长阳大街, 北京市东城区王府井大街218号 (one LOC)."""
    r, toks = cx.r, cx.toks
    if not r.road_suffixes:
        return []
    out = []
    n = len(toks)
    done = -1
    for k in cx.i_last:
        if k <= done:
            continue
        w, f, s, e = toks[k]
        if not _ends_with(w, r.road_suffixes) or w in r.not_road:
            continue
        lo = k
        if w in r.road_heads_alone or len(w) == 1:
            # a name must stand before it: 南滨/路, 环海/西路, 望京/南湖/南路
            j = k - 1
            while j >= 0 and k - j <= 2:
                wj, fj, sj, ej = toks[j]
                if fj in _ROAD_MOD_FLAGS and 2 <= len(wj) <= 4 and wj not in r.not_place and wj not in r.not_road \
                        and not _ends_with(wj, r.road_suffixes):
                    lo = j; j -= 1; continue
                break
            if lo == k:
                continue
        elif f not in ("ns", "nr", "nz", "nt") or len(w) < 3:
            continue
        hi = k
        # a house number after the street: 218/号, 10号院
        if hi + 2 < n and _NUM_RE.match(toks[hi + 1][0]) and toks[hi + 2][0] in r.address_units:
            hi += 2
        elif hi + 1 < n and len(toks[hi + 1][0]) > 1 and toks[hi + 1][0].endswith("号") \
                and _NUM_RE.match(toks[hi + 1][0][:-1]):
            hi += 1
        # the places the address starts with: 北京市/东城区
        j = lo - 1
        while j >= 0 and lo - j <= 4 and _place_token(cx, j):
            lo = j; j -= 1
        st_, en = toks[lo][2], toks[hi][3]
        if hi > k:
            en = _venue_tail(cx, cx.st.venue, en)     # 218号3号楼2单元: the building numbers go on
        if en - st_ >= 3:
            out.append(Cand(st_, en, "LOC", None, "place:address", P_RULE, contain=True))
            done = hi
    out.extend(_venue_cands(cx))
    return out


class _VenueLex:
    """The venue head words as one regex and the unit pattern of building numbers (built with the state)."""
    __slots__ = ("head_re", "unit_re", "place_heads", "single", "centres")

    def __init__(self, r):
        heads = sorted(set(r.venue_heads) | set(r.venue_place_heads) | set(r.venue_centres), key=lambda w: (-len(w), w))
        self.head_re = re.compile("|".join(map(re.escape, heads))) if heads else None
        units = "|".join(map(re.escape, r.venue_units or r.address_units))
        self.unit_re = re.compile(rf"(?:[0-9A-Za-z一二三四五六七八九十百零〇]{{1,5}}(?:{units})|[东西南北中]区)") if units else None
        self.place_heads = frozenset(r.venue_place_heads)
        self.centres = frozenset(r.venue_centres)
        self.single = frozenset(h for h in heads if len(h) == 1)


_COUNTED_RE = re.compile("[一二两三四五六七八九十几多数百千万]+大?$")     # 四大/景区, 两座/公园: a count, no name
_VENUE_NAME_FLAGS = frozenset(("ns", "nz", "nr", "nrt", "nrfg", "nt", "j", "eng"))
_VENUE_FILL_FLAGS = frozenset(("n", "vn", "b", "nz", "l", "ng", "an"))


def _names_country(cx: _Ctx, g: Cand, form: str) -> bool:
    """A listed GPE span that names a country by its own name (美国; not its capital 华盛顿)."""
    return g.rule.startswith("gazetteer:countries") and cx.st.gz.entries[g.key[1]].name == form


def _venue_kind(cx: _Ctx, j: int) -> str:
    """What token ``j`` is before a venue head: 'country' (美国), 'admin' (北京, 朝阳区),
    'name' (玄武湖, 恒隆, 国贸, 南京东路), 'fill' (商品房, 国际), or '' (anything else: the name stops)."""
    w, f, s, e = cx.toks[j]
    r = cx.r
    if w in r.venue_generic or _COUNTED_RE.match(w):
        return "fill" if f in _VENUE_FILL_FLAGS else ""      # 住宅/小区 is a kind; 该/小区 no name at all
    spans, o1, o2 = cx.gz_spans, cx.gz_owner[s], cx.gz_owner[e - 1]
    if (o1 >= 0 and spans[o1].start < s) or (o2 >= 0 and spans[o2].end > e):
        return ""     # the token cuts a listed name
    if o1 >= 0 and o1 == o2 and spans[o1].end == e and spans[o1].type is not None:
        g = spans[o1]
        if g.type == "GPE":
            return "country" if _names_country(cx, g, w) else "admin"
        return "name"
    if w in r.district_suffixes and j > 0 and cx.toks[j - 1][1] in _VENUE_NAME_FLAGS:
        return "name"     # 清河/街道: the division of the name before it
    if w in r.not_place:
        return ""
    if len(w) >= 2 and f in ("ns", "n", "nz", "nt") and _ends_with(w, r.gpe_suffixes):
        return "name" if _ends_with(w, r.venue_named_places) else "admin"
    if f in _VENUE_NAME_FLAGS:
        if f in PERSON_FLAGS and _ends_with(w, cx.st.all_titles):
            return ""     # 王女士: a person, not a place name
        return "name"
    if len(w) >= 2 and f in _VENUE_FILL_FLAGS:
        return "fill"
    return ""


def _venue_centre_ok(cx: _Ctx, lo: int, kh: int, inner: str) -> bool:
    """中心 is a building after a proper name (乐成/中心, 盖蒂/中心), an organisation after a
    service word (福彩/中心, 研究/中心, 数据中心) or inside an organisation's name (亚洲协会/南加/中心)."""
    if inner:
        return False
    toks, r = cx.toks, cx.r
    w, f, s, e = toks[kh - 1]
    if f not in _VENUE_NAME_FLAGS or f in ("nt", "j", "ns") or _ends_with(w, r.venue_centre_services):
        return False      # (a place's 中心 is its centre: 小镇/中心, 太平洋/中心)
    o = cx.gz_owner[s]
    if o >= 0 and cx.gz_spans[o].type in ("GPE", "LOC"):
        return False
    for t in range(lo, kh):
        o = cx.gz_owner[toks[t][2]]
        if toks[t][1] == "nt" or (o >= 0 and cx.gz_spans[o].type == "ORG"):
            return False
    return True


def _venue_glued(cx: _Ctx, w: str) -> bool:
    """和天通: a conjunction jieba glued to the name after it (no dictionary word, unlike 和平里)."""
    return len(w) >= 3 and w[0] in cx.r.venue_glued and not cx.freq.get(w)


def _venue_inner_kind(cx: _Ctx, k: int, inner: str) -> str:
    """What the name inside a head word is (天通/苑, 首都国际/机场, 巴西/站), as :func:`_venue_kind` says."""
    w, f, s, e = cx.toks[k]
    o = cx.gz_owner[s]
    if o >= 0:
        g = cx.gz_spans[o]
        if g.start == s and g.end == s + len(inner) and g.type == "GPE":
            return "country" if _names_country(cx, g, inner) else "admin"
    r = cx.r
    if len(inner) < 2 or inner in r.not_place:
        return ""
    if inner in r.venue_generic or f not in _VENUE_NAME_FLAGS:
        return "fill"
    return "name"


def _venue_tail(cx: _Ctx, lex: _VenueLex, e: int) -> int:
    """The end of the building numbers after ``e`` (二期, 5号楼, 2单元, 301室, 北区), at a token boundary."""
    if lex.unit_re is None:
        return e
    best, pos = e, e
    norm, ts = cx.norm, cx.tok_start
    while pos < cx.n:
        m = lex.unit_re.match(norm, pos)
        if not m:
            break
        pos = m.end()
        if pos in ts:
            best = pos
    return best


def _venue_cands(cx: _Ctx) -> List[Cand]:
    """Compounds, buildings and venues below the city level: 安贞里小区, 玄武湖公园, 恒隆广场,
    朝阳区天通苑北区, 武汉市江岸区百步亭花园二期5号楼 (one LOC).  A head needs a name before it
    (a city or district is enough for 公园, 火车站, 体育馆 …, never for 小区 or 广场)."""
    r = cx.r
    lex = cx.st.venue
    if lex.head_re is None:
        return []
    toks, ts, norm = cx.toks, cx.tok_start, cx.norm
    out = []
    for m in lex.head_re.finditer(norm):
        hs, e = m.start(), m.end()
        if e not in ts:
            continue
        head = m.group()
        k = cx.tok_index(e - 1)
        w, f, s, _e = toks[k]
        if w in r.not_place and w != head:
            continue      # 高楼大厦: a word, no building (山庄, 新村 alone are heads, though no places)
        if hs in ts:
            kh, inner = cx.tok_index(hs), ""
        elif s < hs:
            kh, inner = k, w[:hs - s]     # 天通苑, 首都国际机场: the name is inside the word
        else:
            continue
        kinds = []
        j = kh - 1
        while j >= 0 and kh - j <= 6:
            kd = _venue_kind(cx, j)
            if not kd:
                wj = toks[j][0]
                # the last syllable jieba split off a transliterated name: 厄普/顿/公园球场
                if len(wj) == 1 and j > 0 and toks[j - 1][1] == "nrt" and "\u4e00" <= wj <= "\u9fff" \
                        and wj not in r.not_name_chars:
                    kd = "name"
                else:
                    break
            kinds.append(kd)
            if kd == "name" and _venue_glued(cx, toks[j][0]):
                break     # jieba glued the conjunction to the name (雅清苑/和天通/苑): the name starts after it
            j -= 1
        kinds.reverse()
        lo = kh - len(kinds)
        while kinds and kinds[0] in ("fill", "country"):
            kinds.pop(0); lo += 1     # a name starts with a name or a place: 美国/黄石/国家公园 is 黄石国家公园
        ik = _venue_inner_kind(cx, k, inner) if inner else ""
        if inner and ik in ("", "fill") and (not kinds or kinds[-1] == "fill"):
            continue
        if "name" not in kinds and ik != "name":
            # only places before the head: a name for a park or a station (芜湖公园), a kind for a compound
            if head not in lex.place_heads or ("admin" not in kinds and ik != "admin") or ik == "fill" or \
                    any(toks[t][0] in r.venue_generic for t in range(lo, kh)):
                continue
        if head in lex.single:
            # 苑, 站, 店 straight after a name (天通/苑, 西桥/站, 王府井/店), or closing a word that is
            # no dictionary word (加油站, 古董店 are: kinds of place); never 站/在, 站/出来
            after_name = bool(kinds) and kinds[-1] == "name"
            if norm[e:e + 1] in r.venue_single_not_before:
                continue
            if inner:
                if not (after_name and f in _VENUE_NAME_FLAGS) and (cx.freq.get(w) or ik not in ("name", "admin")):
                    continue
            elif not after_name:
                continue
        if lo == kh and not inner:
            continue
        if head in lex.centres and not _venue_centre_ok(cx, lo, kh, inner):
            continue
        st_ = toks[lo][2]
        if lo < kh and _venue_glued(cx, toks[lo][0]):
            st_ += 1
        en = e if head in lex.place_heads else _venue_tail(cx, lex, e)
        if en - st_ >= 3 and en - st_ <= 30:
            out.append(Cand(st_, en, "LOC", None, "place:venue", P_RULE_HI, contain=True))
    return out


def _org_head(w: str, r) -> Tuple[Optional[str], str]:
    """(head, kind) when the token ends with an ORG head word."""
    for kind, heads in (("company", r.org_company), ("institution", r.org_institution), ("gov", r.org_gov)):
        h = _ends_with(w, heads)
        if h:
            return h, kind
    return None, ""


def _proper_token(cx: _Ctx, k: int) -> bool:
    w, f, s, e = cx.toks[k]
    if f in PROPER and w not in cx.r.not_place and w not in cx.r.org_generic:
        return True
    o = cx.gz_owner[s]
    return o >= 0 and cx.gz_spans[o].type in ("GPE", "ORG", "LOC", "PERSON")


def _org_cands(cx: _Ctx) -> List[Cand]:
    r, toks = cx.r, cx.toks
    out = []
    org_last = cx.st.org_last
    for k in cx.i_last:
        w, f, s, e = toks[k]
        if w[-1] in org_last:
            head, kind = _org_head(w, r)
        else:
            # jieba glued a title to the head (协会主席, 公司总裁): the name ends before the title
            t = _ends_with(w, cx.st.all_titles)
            head, kind = _org_head(w[:-len(t)], r) if t and len(w) > len(t) else (None, "")
            if not head or w[:-len(t)] != head:
                continue
            w, e = head, e - len(t)
        if not head:
            continue
        if f in PERSON_FLAGS and w != head and len(head) == 1 and w not in r.not_person:
            continue      # 沈东军, 王建军: a person's name that ends like a head (军, 社, 党)
        compound = (kind == "company" and len(w) > len(head) and w[:-len(head)] in r.org_company_compound)
        if w in r.not_org and w != head and not compound:
            continue      # 美军/部署, 中美/格局, 意甲/主队: a word that ends like a head, not a name's head
        if kind == "company" and w not in ("公司", "集团", "银行", "控股", "有限公司", "股份", "证券", "保险", "基金") \
                and len(w) > len(head) and not compound:
            continue  # 子公司, 该公司 …: heads only as separate words
        # compound: 泰隆/商业银行, 中原/证券公司 — a sector word and the head in one token, a name before it
        # walk left over modifiers
        j = k - 1
        lo = k
        while j >= 0 and k - j <= 6:
            wj, fj, sj, ej = toks[j]
            if wj in r.sports_fixture or (wj in r.titles and j < k - 1) or wj in r.org_walk_stops:
                break   # 布莱克本队 vs 利物浦队: two teams; 珠宝/总裁/…: a title ends the name; 日讯: a dateline
            if k - j > 4 and (fj == "nt" or (cx.gz_owner[sj] >= 0 and cx.gz_spans[cx.gz_owner[sj]].type == "ORG")):
                break   # 东亚银行/辟谣/财务危机/传言/港/金管局: a whole clause lies between two bodies
            if wj in r.org_generic and not _proper_token(cx, j) and j == k - 1 and w == head and (head == "公司" or kind != "company") \
                    and not _ACRONYM_AFTER_RE.match(cx.norm, e):
                break   # 美国科技公司, 该委员会: generic, not a name (but 中国稀土集团 is one, and so is
                #         越南稀土公司(VTRE): an acronym in brackets makes the kind a name)
            if fj in MOD_FLAGS or (fj == "a" and len(wj) >= 2) or _proper_token(cx, j) or (fj == "x" and wj in ORG_JOINERS):
                if fj == "x" and wj in ORG_JOINERS and (j == k - 1 or not _proper_token(cx, j + 1)):
                    break
                lo = j; j -= 1; continue
            break
        # the name must start at a proper token
        start_k = None
        for t in range(lo, k):
            if _proper_token(cx, t):
                start_k = t
                break
        self_ok = (w not in r.not_org and len(w) > len(head) and len(w) >= 3 and (f == "nt" or kind != "company")
                   and not _ends_with(w, ("公司", "集团")))
        if start_k is None:
            if kind == "company" and k > 0:
                wp, fp, sp, ep = toks[k - 1]
                if (len(wp) >= 2 and fp in ("a", "nz", "nr", "nrt", "j", "n", "vn", "ns") and wp not in r.org_generic
                        and not _is_translit(wp, r) is False or (len(wp) >= 2 and fp in ("a", "nz", "j"))):
                    if wp not in r.org_generic and fp != "n" and fp != "vn":
                        out.append(Cand(sp, e, "ORG", None, "org:head-modifier", P_RULE, contain=True))
                        continue
            if self_ok and f == "nt":
                out.append(Cand(s, e, "ORG", None, "org:nt", P_RULE, contain=True))
            continue      # (a gov head alone, 调查局, is generic; 国务院 is in the gazetteer)
        st_ = toks[start_k][2]
        w0 = toks[start_k][0]
        if toks[start_k][1] in PERSON_FLAGS and len(w0) >= 3 and w0[0] in r.not_name_chars:
            st_ += 1      # 由林达/集团, 了泽东/公司: jieba glued a function word to the name
        if w == head and head in r.not_org and start_k == k:
            continue
        if compound and start_k == k - 1 and cx.gz_type_at(st_, toks[start_k][3]) in ("GPE", "LOC"):
            continue      # 美国/科技公司, 江苏/商业银行: a place and a kind of firm, no name
        if e - st_ > 24:
            continue
        out.append(Cand(st_, e, "ORG", None, "org:head", P_RULE, contain=True))
    # jieba nt tokens that end like an organisation
    owner = cx.gz_owner
    for w, f, s, e in [toks[k] for k in cx.i_nt]:
        if w.endswith("政府") or (owner[s] >= 0 and cx.gz_spans[owner[s]].type in ("GPE", "LOC")
                                 and owner[e - 1] >= 0 and cx.gz_spans[owner[e - 1]].end == e):
            continue      # 香港特别行政区(政府): a place (and its government), not an organisation
        if len(w) >= 2 and w not in r.not_org and w not in r.not_place and not w.endswith(r.not_org_endings):
            out.append(Cand(s, e, "ORG", None, "org:nt", P_RULE_LO, contain=True))   # not 国际化, 统计学
    # English: MP Materials, Lynas Rare Earths Ltd
    for s, e in _en_head_spans(cx, "org", cx.st.en_org_prefix_re, _right_alnum_free):
        if re.match(r" [A-Z]", cx.norm[e:e + 2]):
            continue      # Critical Minerals Act: the head word is inside a longer title
        words = cx.norm[s:e].split(" ")
        while len(words) > 1 and words[0] in ("The", "A", "An", "In", "At", "On", "For", "And", "But", "By", "With", "From"):
            s += len(words[0]) + 1; words = words[1:]
        if len(words) >= 2:
            out.append(Cand(s, e, "ORG", None, "org:english", P_RULE, contain=True))
    return out


def _law_cands(cx: _Ctx) -> List[Cand]:
    r, toks, norm = cx.r, cx.toks, cx.norm
    out = []
    for m in (_TITLE_RE.finditer(norm) if "《" in norm else ()):
        s, e = m.start(1), m.end(1)
        t = m.group(1)
        if _ends_with(t, r.media_suffixes):
            out.append(Cand(s, e, "ORG", None, "org:title-media", P_RULE_HI, contain=True))
        elif _ends_with(t, r.law_heads) or any(c in t for c in "法规则令制策"):
            out.append(Cand(s, e, "LAW", None, "law:title", P_RULE_HI, contain=True))
        else:
            # the title of a book, film or game: no place is guessed inside it (《伊苏7》, 《黑暗之塔》);
            # listed names and people still count (《美国工厂》, 《邓小平文选》)
            cx.titles.append((s, e))
    for s, e in _en_head_spans(cx, "law", cx.st.en_law_prefix_re, _right_alpha_free):
        words = norm[s:e].split(" ")
        while words and words[0] in ("of", "and", "the", "on", "for", "The"):
            s += len(words[0]) + 1; words = words[1:]
        if len(words) >= 2 and words[0][:1].isupper():
            out.append(Cand(s, e, "LAW", None, "law:english", P_RULE, contain=True))
    law_last = cx.st.law_last
    for k in [k for k in cx.i_last if toks[k][0][-1] in law_last]:
        w, f, s, e = toks[k]
        head = _ends_with(w, r.law_heads)
        if not head:
            continue
        if head in r.law_weak or (head == "法" and w == "法") or w in ("方法", "办法", "想法", "看法", "做法", "说法", "立法", "执法", "司法", "合法", "非法", "违法", "依法", "宪法", "法律"):
            continue
        j = k - 1
        lo = k
        while j >= 0 and k - j <= 6:
            wj, fj, sj, ej = toks[j]
            if fj in MOD_FLAGS or fj in ("a", "m") and wj in ("全",) or _proper_token(cx, j):
                lo = j; j -= 1; continue
            break
        if lo == k:
            continue
        mods = [toks[t][0] for t in range(lo, k)]
        while mods and mods[0] in r.law_generic:
            mods.pop(0); lo += 1
        if not mods:
            continue
        specific = [m_ for m_ in mods if m_ not in r.law_generic]
        has_proper = any(_proper_token(cx, t) for t in range(lo, k))
        if has_proper or sum(len(m_) for m_ in specific) >= 4:
            out.append(Cand(toks[lo][2], e, "LAW", None, "law:head", P_RULE, contain=True))
    return out


def _product_cands(cx: _Ctx) -> List[Cand]:
    r, toks, norm = cx.r, cx.toks, cx.norm
    out = []
    codes = []
    for h in (_CODE_HINT_RE.finditer(norm) if cx.has_upper else ()):
        p = h.start()
        for st_ in range(max(0, p - 2), p + 1):     # the leftmost start a match can have (up to three letters)
            if "A" <= norm[st_] <= "Z" and all("A" <= c <= "Z" for c in norm[st_:p]):
                m = _CODE_RE.match(norm, st_)
                if m:
                    codes.append((m.start(1), m.end(1), m))
                    break
    for s, e, m in _leftmost(codes):
        if s > 0 and (norm[s - 1].isascii() and (norm[s - 1].isalnum() or norm[s - 1] == "-")):
            continue
        code = m.group(1)
        if code in r.not_codes or code.isdigit() or not any(c.isdigit() for c in code):
            continue
        if re.fullmatch(r"[A-Z]{2,3}\d{4}", code):   # FY2025, CY2024
            continue
        # model code + class noun (M4卡宾枪) unless the code alone is a listed product
        cls = _starts_any(norm[e:e + 5], r.product_class)
        gz_alone = cx.gz_type_at(s, e) == "PRODUCT"
        if cls and not gz_alone and cx.free_gz(e, e + len(cls)):
            out.append(Cand(s, e + len(cls), "PRODUCT", None, "product:code+class", P_RULE, contain=True))
        else:
            out.append(Cand(s, e, "PRODUCT", None, "product:code", P_RULE_LO))
    for m in (_IPHONE_RE.finditer(norm) if cx.has_upper and any(w in norm for w in _MODEL_WORDS) else ()):
        out.append(Cand(m.start(), m.end(), "PRODUCT", None, "product:model", P_RULE_HI, contain=True))
    for k in [k for k in cx.i_word if toks[k][0] in r.product_named_class]:
        w, f, s, e = toks[k]
        if k > 0:
            wp, fp, sp, ep = toks[k - 1]
            if len(wp) >= 2 and fp in ("n", "nz", "nr", "nrt", "j") and wp not in r.product_generic and not _ends_with(wp, r.product_class):
                out.append(Cand(sp, e, "PRODUCT", None, "product:named-class", P_RULE_LO))
    return out


_ORDINAL = "一二三四五六七八九十百零〇"
_CONGRESS_RE = re.compile(rf"第?[{_ORDINAL}]{{1,4}}(?:次|届)")
_PARTY_CONGRESS_RE = re.compile(rf"[{_ORDINAL}]{{1,3}}大(?![会学使])")
_SESSION_RE = re.compile(rf"第[{_ORDINAL}]{{1,4}}[届次]")
# 党的十五大, 中共十五大, 十五大精神: a party congress by its number
_CONGRESS_ALONE_RE = re.compile(rf"[{_ORDINAL}]{{1,3}}大")
_CONGRESS_AFTER = ("精神", "报告", "以来", "召开", "提出", "确定", "文件", "政治报告", "代表", "路线")


_UNIT_FLAGS = frozenset(("n", "nt", "nz", "vn"))


def _org_unit(cx: _Ctx, c: Cand) -> int:
    """The end of a department after a university or an academy (清华大学/心理学系, 浙江大学/化学/工程系),
    or 0. The unit word is a token of three characters or more when it ends with 系 (关系, 体系 are none)."""
    r, norm = cx.r, cx.norm
    if c.end not in cx.tok_start or c.end >= cx.n or not _ends_with(norm[c.start:c.end], r.org_unit_parents):
        return 0
    k = cx.tok_index(c.end)
    for j in range(k, min(k + 2, len(cx.toks))):
        w, f, s, e = cx.toks[j]
        if f not in _UNIT_FLAGS or cx.gz_owner[s] != -1:
            return 0
        u = _ends_with(w, r.org_units)
        if u and (u != "系" or len(w) >= 3):
            return e
    return 0


def _org_extension_cands(cx: _Ctx, orgs: List[Cand]) -> List[Cand]:
    """致公党中央, 中国致公党第十一次全国代表大会, 致公党十大: a body's organs and congresses."""
    r, norm = cx.r, cx.norm
    out = []
    first = cx.st.org_ext_first
    owner, spans = cx.gz_owner, cx.gz_spans
    for c in orgs:
        # a branch, with or without a place: 中国电信武汉分公司, 招行广州分行
        pos = c.end
        if pos < cx.n and owner[pos] >= 0 and spans[owner[pos]].start == pos and spans[owner[pos]].type in ("GPE", "LOC"):
            pos = spans[owner[pos]].end
        elif pos in cx.tok_start and pos < cx.n:
            w, f, s_, e_ = cx.toks[cx.tok_index(pos)]
            if f == "ns" and w not in r.not_place:
                pos = e_
        if c.key is not None and c.key[1] in cx.st.channel_owners and c.end < cx.n:
            ch = _starts_any(norm[c.end:c.end + 4], r.org_channels)
            if ch and (c.end + len(ch)) in cx.tok_start:
                out.append(Cand(c.start, c.end + len(ch), "ORG", None, "org:channel", P_RULE, contain=True))
                continue
        unit = _org_unit(cx, c)
        if unit:
            out.append(Cand(c.start, unit, "ORG", None, "org:unit", P_RULE, contain=True))
        br = _starts_any(norm[pos:pos + 3], r.org_branches)
        if br and (pos + len(br)) in cx.tok_start:
            out.append(Cand(c.start, pos + len(br), "ORG", None, "org:branch", P_RULE, contain=True))
        # 第九届全国人民代表大会: the session number belongs to the body
        if c.start >= 3 and norm[c.start - 1] in "届次":
            m = _SESSION_RE.search(norm, max(0, c.start - 7), c.start)
            if m and m.end() == c.start:
                # a listed body keeps its entity: 第六届进博会 is a mention of the import expo
                key = c.key
                if key is None and cx.gz_type_at(c.start, c.end) == "ORG":
                    key = spans[owner[c.start]].key
                out.append(Cand(m.start(), c.end, "ORG", key, "org:session", P_RULE, contain=True))
        e = c.end
        if norm[e:e + 1] not in first:
            continue
        m = _CONGRESS_RE.match(norm, e)
        e2 = m.end() if m else e
        ext = _starts_any(norm[e2:e2 + 8], r.org_extensions)
        if ext:
            out.append(Cand(c.start, e2 + len(ext), "ORG", None, "org:extension", P_RULE, contain=True))
        elif norm[c.end - 1:c.end] == "党":
            m = _PARTY_CONGRESS_RE.match(norm, e)
            if m:
                out.append(Cand(c.start, m.end(), "ORG", None, "org:party-congress", P_RULE, contain=True))
    return out


def _rule_cands(cx: _Ctx) -> List[Cand]:
    cands = []
    for fn in (_person_cands, _place_cands, _org_cands, _law_cands, _product_cands, _address_cands):
        cands.extend(fn(cx))
    if "大" in cx.norm:
        norm = cx.norm
        for m in _CONGRESS_ALONE_RE.finditer(norm):
            s, e = m.start(), m.end()
            if norm[max(0, s - 2):s] in ("党的", "中共") or (norm[s] == "十" and norm.startswith(_CONGRESS_AFTER, e)):
                cands.append(Cand(s, e, "ORG", None, "org:party-congress", P_RULE))
    if cx.st.local_re is not None:
        cands.extend(_local_body_cands(cx))
    for word in cx.r.loc_words:
        i = cx.norm.find(word)
        while i != -1:
            j = i + len(word)
            if i in cx.tok_start and j in cx.tok_start and cx.gz_owner[i] == -1:
                cands.append(Cand(i, j, "LOC", None, "place:word", P_RULE))
            i = cx.norm.find(word, j)
    for word, (idx, etype) in cx.st.metonyms.items():
        i = cx.norm.find(word)
        while i != -1:
            j = i + len(word)
            if i in cx.tok_start and cx.gz_owner[i] == -1:
                cands.append(Cand(i, j, etype, ("G", idx), "metonym", P_RULE_LO))
            i = cx.norm.find(word, j)
    cands.extend(_org_extension_cands(cx, [c for c in cands if c.type == "ORG"] +
                                      [g for g in cx.gz_spans if g.type == "ORG"]))
    ok = []
    for c in cands:
        if c.end <= c.start:
            continue
        o1, o2 = cx.gz_owner[c.start], cx.gz_owner[c.end - 1]
        if o1 >= 0 and cx.gz_spans[o1].start < c.start:
            continue      # would cut a gazetteer name in two
        if o2 >= 0 and cx.gz_spans[o2].end > c.end:
            continue
        if o1 >= 0 and o1 == o2 and cx.gz_spans[o1].start == c.start and cx.gz_spans[o1].end == c.end:
            continue      # exactly a listed name: the gazetteer says what it is
        if not c.contain and not cx.free_gz(c.start, c.end):
            continue
        ok.append(c)
    return ok


def _local_body_cands(cx: _Ctx) -> List[Cand]:
    """市教委, 省公安厅, 县纪委 (a level, then a body's short name) and 故城县委, 永定区委 (a place before it)."""
    r, norm, toks = cx.r, cx.norm, cx.toks
    out = []
    for m in cx.st.local_re.finditer(norm):
        s, e = m.start(), m.end()
        if e < cx.n and e not in cx.tok_start:
            t = toks[cx.tok_index(e)]
            rest = norm[e:t[3]]
            if not (rest in r.titles or rest in r.surname_titles or rest in r.local_title_tails):
                continue      # 市委/托, 区委/员: the body is not a word of its own
        prev = norm[s - 1] if s > 0 else ""
        if prev and "\u4e00" <= prev <= "\u9fff" and prev not in r.local_after:
            # a place right before the level: 故城/县委, 永定/区委 — else 城市委员, 全省教委 are no bodies
            if s not in cx.tok_start:
                continue
            k = cx.tok_index(s) - 1
            if k < 0:
                continue
            w, f, s0, e0 = toks[k]
            o = cx.gz_owner[s0]
            if not ((f == "ns" and w not in r.not_place) or (o >= 0 and cx.gz_spans[o].type == "GPE" and cx.gz_spans[o].start == s0)):
                continue
            s = s0
        out.append(Cand(s, e, "ORG", None, "org:local-body", P_RULE, contain=True))
    return out


# ---------------------------------------------------------------------------
# sports: a place that names a team

def _is_country(cx: _Ctx, c: Cand) -> bool:
    """A mention of a listed country or territory (any of its forms: 美国, U.S., 华盛顿)."""
    return c.type == "GPE" and c.key is not None and cx.st.gz.entries[c.key[1]].id is not None


def _team_key(cx: _Ctx, base: str, text: str):
    """The listed club a team mention names (罗马 -> 罗马队 -> AS Roma), else None (a rule entity)."""
    gz = cx.st.gz
    for form in (text, base + "队", base):
        idx = gz.surfaces.get(form)
        if idx is not None and gz.entries[idx].type == "ORG":
            return ("G", idx)
    return None


def _sports_teams(cx: _Ctx, final: List[Cand]) -> List[Cand]:
    """In a sentence of a match report or a betting preview (a word of sports.context in it), a place
    next to a result verb is its team (逼平/米兰, 罗马/德比), each side of a fixture is a team
    (切沃vs罗马, 霍芬海/vs/比勒菲), and a place or name before a team head is one (克拉科夫/队)."""
    doc, r, norm, toks, starts = cx.doc, cx.r, cx.norm, cx.toks, cx.starts
    sents = []      # (start, end, has a context word other than a fixture marker)
    for m in cx.st.sports_re.finditer(norm):
        sp = doc.sentence_at(m.start())
        if sp is None:
            continue
        strong = m.group() not in r.sports_fixture
        if sents and sents[-1][0] == sp.start:
            if strong and not sents[-1][2]:
                sents[-1] = (sp.start, sp.end, True)
            continue
        sents.append((sp.start, sp.end, strong))
    if not sents:
        return final
    sent_starts = [s[0] for s in sents]

    def sent_of(i: int):
        j = bisect.bisect_right(sent_starts, i) - 1
        return sents[j] if j >= 0 and i < sents[j][1] else None

    def tok_before(i: int) -> str:
        k = cx.tok_index(i)
        return toks[k - 1][0] if k > 0 and starts[k] == i else ""

    def tok_after(i: int) -> str:
        if i >= cx.n:
            return ""
        k = cx.tok_index(i)
        return toks[k][0] if starts[k] == i else ""

    teams: List[Cand] = []
    # a place next to a result verb, or before a team head
    for c in final:
        sent = sent_of(c.start) if c.type == "GPE" else None
        if sent is None or c.rule.startswith("abbrev"):
            continue      # 中美: abbreviations of countries are never teams
        if not sent[2] and _is_country(cx, c):
            continue      # a country next to 'vs' alone ('U.S. vs China'): no word of sport around it
        nxt = tok_after(c.end)
        head = nxt if nxt in r.team_heads else None
        if head:
            end = c.end + len(head)
            base = norm[c.start:c.end]
            teams.append(Cand(c.start, end, "ORG", _team_key(cx, base, norm[c.start:end]), "org:team", P_RULE_HI))
        elif (nxt in r.sports_after or tok_before(c.start) in r.sports_before
              or norm.startswith(cx.st.sports_after2, c.end) or norm.endswith(cx.st.sports_before2, 0, c.start)):
            base = norm[c.start:c.end]
            teams.append(Cand(c.start, c.end, "ORG", _team_key(cx, base, base), "org:team", P_RULE_HI))
    # each side of a fixture
    fx = cx.st.fixture_re
    for m in (fx.finditer(norm) if fx is not None else ()):
        sent = sent_of(m.start())
        if sent is None:
            continue
        for lo, hi in (_fixture_side(cx, m.start(), -1), _fixture_side(cx, m.end(), 1)):
            if hi - lo < 2:
                continue
            inside = [c for c in final if lo <= c.start and c.end <= hi]
            if any(c.type == "PERSON" and (c.key is not None or not sent[2]) for c in inside):
                continue      # a listed person, or a fixture with nothing else of a team sport: 纳达尔vs费德勒
            if not sent[2] and any(_is_country(cx, c) for c in inside):
                continue      # 'the U.S. vs China rivalry': countries on a 'vs' with no word of sport
            if any(c.rule == "abbrev:compound" for c in inside):
                continue      # 中美vs欧盟: a compound of countries is never a team
            base = norm[lo:hi]
            teams.append(Cand(lo, hi, "ORG", _team_key(cx, base, base), "org:team-fixture", P_RULE_HI))
    if not teams:
        return final
    # one sense per discourse: the same name elsewhere in a sports sentence is the same team
    names = {norm[t.start:t.end]: t.key for t in teams}
    taken = [(c.start, c.end) for c in final if not (c.type == "GPE" or (c.type == "PERSON" and c.key is None))]
    taken.sort()
    tk_starts = [a for a, _ in taken]
    ts = cx.tok_start
    for nm, key in names.items():
        i = norm.find(nm)
        while i != -1:
            j = i + len(nm)
            if i in ts and j in ts and sent_of(i) is not None:
                p = bisect.bisect_left(tk_starts, j) - 1
                if p < 0 or taken[p][1] <= i:       # not inside another kind of name
                    teams.append(Cand(i, j, "ORG", key, "org:team-again", P_RULE_HI))
            i = norm.find(nm, j)
    teams = _resolve(teams, cx.n)
    out = []
    occ = bytearray(cx.n + 1)
    for t in teams:
        if any(c.start < t.end and t.start < c.end and (c.start < t.start or c.end > t.end) for c in final):
            continue      # would cut a longer name
        occ[t.start:t.end] = b"\x01" * (t.end - t.start)
        out.append(t)
    out.extend(c for c in final if occ.find(1, c.start, c.end) == -1)
    return out


def _fixture_side(cx: _Ctx, pos: int, step: int) -> Tuple[int, int]:
    """The name on one side of a fixture marker: up to four name tokens (proper, transliterated,
    listed or Latin), stopping at anything else. ``step`` -1 walks left from ``pos``, 1 right."""
    toks, r, norm = cx.toks, cx.r, cx.norm
    n = len(toks)
    if step < 0:
        if pos <= 0:
            return pos, pos
        k = cx.tok_index(pos - 1)
        lo = hi = pos
        first = norm[toks[k][2]:pos]
    else:
        if pos >= cx.n:
            return pos, pos
        k = cx.tok_index(pos)
        lo = hi = pos
        first = norm[pos:toks[k][3]]
    count = 0
    prev = None
    while 0 <= k < n and count < 4:
        w, f, s, e = toks[k]
        piece = first if count == 0 else w
        ok = piece and (piece.isascii() and piece.isalpha() or f in PROPER or _is_translit(piece, r)
                        or (cx.gz_owner[s] >= 0 and cx.gz_spans[cx.gz_owner[s]].type in ("GPE", "ORG", "LOC", "PERSON"))
                        or (count > 0 and piece in r.team_heads))
        if not ok or piece in r.sports_after or piece in r.sports_before or piece == prev:
            break
        if step < 0:
            lo = s        # (the first piece ends at pos, the others at the side's current start)
        else:
            hi = e
        count += 1
        prev = piece
        o = cx.gz_owner[s]
        if o >= 0 and cx.gz_spans[o].start == s and cx.gz_spans[o].end == e:
            # a listed name is the whole side, unless a team head follows it (利物浦/队)
            if not (step > 0 and 0 <= k + 1 < n and toks[k + 1][0] in r.team_heads):
                break
        k += step
    return lo, hi


# ---------------------------------------------------------------------------
# linking

def _rule_name(cx: _Ctx, c: Cand) -> str:
    t = cx.norm[c.start:c.end]
    for j in cx.r.joiners:
        t = t.replace(j, "·")
    return t


def _namesake(cx: _Ctx, c: Cand) -> Cand:
    """记者李强, 村民王毅: after a byline or a commoner's role a listed person's name is a namesake,
    an entity of its own (the Premier is no engineer)."""
    before = cx.norm[max(0, c.start - 5):c.start].rstrip(" 　")
    if before.endswith(cx.st.commoner_roles):
        return Cand(c.start, c.end, "PERSON", None, c.rule + "+namesake", c.prio, c.contain)
    return c


def _merge_gz_org(cx: _Ctx, c: Cand) -> Cand:
    """中国商务部 = GPE + listed ORG: a mention of the listed ORG."""
    if c.type != "ORG" or c.key is not None:
        return c
    inner = []
    i = c.start
    while i < c.end:
        o = cx.gz_owner[i]
        if o < 0:
            i += 1
            continue
        g = cx.gz_spans[o]
        if g.start >= c.start and g.end <= c.end and g.type is not None:
            inner.append(g)
        i = max(g.end, i + 1)
    if inner and inner[-1].end == c.end and inner[-1].type == "ORG" and all(g.type in ("GPE", "ORG") for g in inner):
        pre = cx.norm[c.start:inner[-1].start]
        if all(cx.gz_owner[i] >= 0 for i in range(c.start, inner[-1].start)) or not pre:
            return Cand(c.start, c.end, "ORG", inner[-1].key, c.rule + "+gazetteer", c.prio, c.contain)
    return c


def extract(doc: Doc, state: Optional[_State] = None) -> Doc:
    """Set ``doc.entities`` (the contract's Entity list) and ``doc.user["entity_mentions"]``."""
    st = state or _get()
    cx = _Ctx(doc, st)
    _gazetteer_cands(cx)
    abbrev = _abbrev_cands(cx)
    rules = _rule_cands(cx)
    if cx.titles:
        # which title each character lies in (titles never nest: 《》 is excluded inside one)
        in_title = [0] * (cx.n + 1)
        for k, (s, e) in enumerate(cx.titles, 1):
            in_title[s:e] = [k] * (e - s)
        rules = [c for c in rules if c.key is not None or c.type not in ("GPE", "LOC")
                 or not in_title[c.start] or in_title[c.start] != in_title[c.end - 1]]
    kept_rules = _resolve(rules + abbrev, cx.n)
    occ = bytearray(cx.n + 1)
    for c in kept_rules:
        occ[c.start:c.end] = b"\x01" * (c.end - c.start)
    final = [c for c in kept_rules]
    for g in cx.gz_spans:
        if g.type is None:
            continue
        if occ.find(1, g.start, g.end) == -1:
            final.append(g)
    final = [_merge_gz_org(cx, c) if c.type == "ORG" and c.key is None else c for c in final]
    if cx.r.commoner_roles:
        final = [_namesake(cx, c) if c.type == "PERSON" and c.key is not None else c for c in final]
    if st.sports_re is not None and st.sports_re.search(cx.norm):
        final = _sports_teams(cx, final)
    final.sort(key=lambda c: c.start)
    _link(cx, final)
    return doc


def _link(cx: _Ctx, final: List[Cand]) -> None:
    doc, gz, r, norm = cx.doc, cx.st.gz, cx.r, cx.norm
    text = doc.text
    ents: Dict[tuple, dict] = {}
    order: List[tuple] = []
    occ = bytearray(cx.n + 1)

    def add(key, c_type, start, end, rule, name=None):
        ent = ents.get(key)
        if ent is None:
            if key[0] == "G":
                e = gz.entries[key[1]]
                ent = {"name": e.name, "type": e.type, "id": e.id, "en": e.en, "value": None, "mentions": [], "_rules": []}
            else:
                ent = {"name": name or key[2], "type": c_type, "id": None, "en": None, "value": None, "mentions": [], "_rules": []}
            ents[key] = ent
            order.append(key)
        ent["mentions"].append({"text": text[start:end], "start": start, "end": end})
        ent["_rules"].append(rule)
        occ[start:end] = b"\x01" * (end - start)

    entries, surfaces, abbrev = gz.entries, gz.surfaces, gz.abbrev
    for c in final:
        start, end, ckey = c.start, c.end, c.key
        if ckey is not None:
            if c.type == "GPE" and end - start > 2 and norm[end - 2:end] == "政府" \
                    and surfaces.get(norm[start:end - 2]) == ckey[1]:
                end -= 2     # 美国政府: the country is 美国, 政府 is the word after it
            elif end - start == 2 and norm[end - 1] == "方" and abbrev.get(norm[start]) == ckey[1]:
                end -= 1     # 美方: the country is 美, as in 美企 and 美军
            key = ckey
        else:
            key = ("R", c.type, _rule_name(cx, c))
        # add(key, c.type, start, end, c.rule), inlined: this loop runs once per mention
        ent = ents.get(key)
        if ent is None:
            if key[0] == "G":
                e = entries[key[1]]
                ent = {"name": e.name, "type": e.type, "id": e.id, "en": e.en, "value": None, "mentions": [], "_rules": []}
            else:
                ent = {"name": key[2], "type": c.type, "id": None, "en": None, "value": None, "mentions": [], "_rules": []}
            ents[key] = ent
            order.append(key)
        ent["mentions"].append({"text": text[start:end], "start": start, "end": end})
        ent["_rules"].append(c.rule)
        occ[start:end] = b"\x01" * (end - start)

    # a surname alone (江主席, 王部长) is the person of that surname named before it
    full = [k for k in order if ents[k]["type"] == "PERSON" and len(ents[k]["name"]) >= 2
            and not (k[0] == "R" and ents[k]["name"] in r.surnames)]
    for key in list(order):
        ent = ents[key]
        if key[0] != "R" or ent["type"] != "PERSON" or ent["name"] not in r.surnames:
            continue
        s0 = ent["mentions"][0]["start"]
        cands_ = [k for k in full if ents[k]["name"].startswith(ent["name"]) and ents[k]["mentions"][0]["start"] < s0]
        if len({ents[k]["name"] for k in cands_}) == 1:
            tgt = cands_[0]
            ents[tgt]["mentions"].extend(ent["mentions"])
            ents[tgt]["_rules"].extend(x + "+surname" for x in ent["_rules"])
            del ents[key]
            order.remove(key)

    # short forms: 雷神 after 雷神公司, 门德斯 after 古斯塔沃·门德斯, 滕教授 after 滕斌圣
    aliases: Dict[str, tuple] = {}
    for key in list(order):
        ent = ents[key]
        if key[0] != "R":
            continue
        nm = ent["name"]
        if ent["type"] == "ORG":
            h = _ends_with(nm, cx.st.company_inst)
            short = nm[: -len(h)] if h else ""
            if len(short) >= 2 and short not in r.org_generic and short not in gz.surfaces and not short.isascii():
                aliases.setdefault(short, key)
        elif ent["type"] == "PERSON":
            if "·" in nm:
                last = nm.rsplit("·", 1)[1]
                if len(last) >= 2:
                    aliases.setdefault(last, key)
    relink = {}
    for key in order:
        ent = ents[key]
        if key[0] == "R" and ent["name"] in aliases and aliases[ent["name"]] != key:
            relink[key] = aliases[ent["name"]]
    for old, new in relink.items():
        for m, rule in zip(ents[old]["mentions"], ents[old]["_rules"]):
            ents[new]["mentions"].append(m); ents[new]["_rules"].append(rule + "+short-form")
        del ents[old]
        order.remove(old)
    for short, key in aliases.items():
        first = ents[key]["mentions"][0]["start"] if key in ents else None
        if first is None:
            continue
        i = norm.find(short, first)
        while i != -1:
            j = i + len(short)
            if occ.find(1, i, j) == -1 and i in cx.tok_start and j in cx.tok_start:
                add(key, None, i, j, "link:short-form")
            i = norm.find(short, j)
    # a surname and a title after a Chinese full name: 王部长, 滕教授 (the latest such name before it);
    # each surname is scanned once, however many people share it
    by_sur: Dict[str, list] = {}
    for key in order:
        ent = ents[key]
        if ent["type"] == "PERSON" and key[0] == "R" and _is_chinese_name(ent["name"], r):
            nm = ent["name"]
            sur = nm[:2] if nm[:2] in r.surnames and len(nm) >= 3 else nm[0]
            by_sur.setdefault(sur, []).append((ent["mentions"][0]["end"], key))
    for sur, people in by_sur.items():
        people.sort()
        ends = [p[0] for p in people]
        i = norm.find(sur, ends[0])
        while i != -1:
            j = i + len(sur)
            if occ.find(1, i, j) == -1 and _starts_any(norm[j:j + 5], r.titles) and (
                    i == 0 or not ("\u4e00" <= norm[i - 1] <= "\u9fff") or i in cx.tok_start):
                add(people[bisect.bisect_right(ends, i) - 1][1], None, i, j, "link:surname+title")
            i = norm.find(sur, j)
    # English names in brackets after a mention: 雷神公司(Raytheon); then their later uses
    en_alias: Dict[str, tuple] = {}
    for key in order:
        for m in list(ents[key]["mentions"]):
            if "(" not in norm[m["end"]:m["end"] + 2]:
                continue
            mm = _PAREN_EN_RE.match(norm, m["end"])
            if not mm:
                continue
            s, e = mm.start(1), mm.end(1)
            if occ.find(1, s, e) != -1:
                continue
            en = norm[s:e].strip()
            if len(en) < 2:
                continue
            add(key, None, s, e, "link:bracket-english")
            if ents[key]["en"] is None:
                ents[key]["en"] = en
            en_alias.setdefault(en, key)
    for en, key in en_alias.items():
        i = norm.find(en)
        while i != -1:
            j = i + len(en)
            if occ.find(1, i, j) == -1 and (i == 0 or not norm[i - 1].isalnum()) and (j >= cx.n or not norm[j].isalnum()):
                add(key, None, i, j, "link:english-alias")
            i = norm.find(en, j)

    # dates from the dates stage (its TIME spans only keep clock times away from quantities)
    for sp in doc.user.get("dates") or []:
        if sp.label != "DATE":
            continue
        txt = norm[sp.start:sp.end]
        key = ("D", sp.value if sp.value is not None else txt)
        ent = ents.get(key)
        if ent is None:
            ent = {"name": txt, "type": "DATE", "id": None, "en": None, "value": sp.value, "mentions": [], "_rules": []}
            ents[key] = ent
            order.append(key)
        ent["mentions"].append(doc.mention(sp.start, sp.end))
        ent["_rules"].append(sp.rule or "date")

    out = []
    mentions = []
    for key in order:
        ent = ents.get(key)
        if ent is None:
            continue
        ms = ent["mentions"]
        rules = ent.pop("_rules")
        if len(ms) > 1:
            starts = [m["start"] for m in ms]
            if any(a > b for a, b in zip(starts, starts[1:])):
                # stable sort by start (what sorting the (mention, rule) pairs by start gave)
                idx = sorted(range(len(ms)), key=starts.__getitem__)
                ent["mentions"] = ms = [ms[i] for i in idx]
                rules = [rules[i] for i in idx]
        out.append((ms[0]["start"], ent, rules))
        name, type_ = ent["name"], ent["type"]
        mentions.extend([(m["start"], m["end"], name, type_) for m in ms])
    out.sort(key=lambda t: t[0])
    doc.entities = [t[1] for t in out]
    doc.user["entity_rules"] = {t[1]["name"]: t[2] for t in out}
    doc.user["entity_mentions"] = sorted(mentions)
