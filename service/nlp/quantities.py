"""Quantities: number + unit, rates, ranges, vague amounts, qualifiers and change.

Reads characters, not jieba tokens (jieba glues ``180|亿元``).  The text searched is
``doc.norm`` (Simplified, ASCII digits) with the spaces between two Chinese characters
or a Chinese character and a digit squeezed out (``一 百 五 十 个 百 分 点``); every
offset is mapped back to ``doc.text``.

Flow, for each numeral that numbers.py finds (one regex pass) and each English
number word:  guards on the left (names, ordinals, citations) → currency symbol or
每-unit before → unit after (one longest-match table of units, currencies and
measure words) → per-unit rate (``/吨``, ``per kilogram``) → qualifiers → then, over
the list: ranges (``2.9万至3.2万吨``), elliptical rates (``$95 per kilogram, compared
to $45``), change words, dates, overlaps.  Each item keeps the rule that made it.
"""
from __future__ import annotations

import bisect
import functools
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from . import lexicons, numbers
from .doc import Doc, Span

DATA_DIR = lexicons.DATA_DIR

KINDS = {"money", "mass", "percent", "percentage_point", "multiple", "count", "duration", "length", "area",
         "volume", "energy", "power", "temperature", "rate"}
QUALIFIERS = {"about", "nearly", "more_than", "less_than", "at_least", "at_most"}


DataError = lexicons.DataFileError      # a data file under service/data/ is malformed


@dataclass(slots=True)
class Entry:
    kind: str
    unit: Optional[str]
    factor: Decimal = Decimal(1)
    offset: Decimal = Decimal(0)
    type: str = "unit"          # unit | currency | measure | minor
    form: str = ""
    per: Optional[str] = None   # tpa: a unit that is itself per period


@dataclass(slots=True)
class Q:
    start: int
    end: int
    kind: str
    lo: Decimal
    hi: Decimal
    unit: Optional[str]
    rule: str
    counted: Optional[str] = None
    vague: bool = False
    qualifier: Optional[str] = None
    change: Optional[str] = None
    num_start: int = 0
    num_end: int = 0
    big: int = 1
    bare: Decimal = Decimal(0)
    range: bool = False
    has_unit: bool = True
    script: str = "cn"
    subject: Optional[str] = None
    extra: dict = field(default_factory=dict)


_L: dict = {}


# ---------------------------------------------------------------- loading
def _req(cond, msg):
    if not cond:
        raise DataError(msg)


def _decimal(v, where):
    """A factor from YAML: a number or an exact fraction such as "5/9"."""
    try:
        if isinstance(v, str) and "/" in v:
            a, b = v.split("/")
            return Decimal(a.strip()) / Decimal(b.strip())
        return Decimal(str(v))
    except (ArithmeticError, ValueError) as ex:
        raise DataError(f"{where}: bad factor {v!r}") from ex


def _add(table, form, entry, where):
    _req(isinstance(form, str) and form, f"{where}: empty form")
    old = table.get(form)
    if old is not None and (old.unit, old.kind, old.type) != (entry.unit, entry.kind, entry.type):
        # the first listing wins (e.g. 元 is CNY); a real clash is a data error only within one type
        if old.type == entry.type and old.unit != entry.unit:
            raise DataError(f"{where}: form {form!r} maps to both {old.unit} and {entry.unit}")
        return
    table[form] = Entry(entry.kind, entry.unit, entry.factor, entry.offset, entry.type, form, entry.per)


def load() -> None:
    """Load and validate units.yaml, currencies.yaml and quantity_words.yaml once."""
    if _L:
        return
    units, cur, words = (lexicons.load_yaml(os.path.join(DATA_DIR, name))
                         for name in ("units.yaml", "currencies.yaml", "quantity_words.yaml"))
    zh, en, abbr = {}, {}, {}
    for i, u in enumerate(units.get("units") or []):
        where = f"units.yaml#{i}"
        _req(isinstance(u, dict) and u.get("unit") and u.get("kind") in KINDS, f"{where}: needs unit and a SPEC kind")
        e = Entry(u["kind"], u["unit"], _decimal(u.get("factor", 1), where), Decimal(str(u.get("offset", 0))),
                  per=u.get("per"))
        _req(e.factor > 0, f"{where}: factor must be positive")
        _req(e.per is None or e.per in (units.get("rate_denominators") or {}), f"{where}: unknown per {e.per}")
        for f in u.get("zh") or []:
            _add(zh, f, e, where)
        for f in u.get("en") or []:
            _add(en, f.lower(), e, where)
        for f in u.get("abbr") or []:
            _add(abbr, f, e, where)
    _req(zh and en, "units.yaml: no units")
    rate_den = lexicons.mapping(units, "rate_denominators", "units.yaml", optional=True)
    prefixes = {}
    minors = {}
    for code, c in (cur.get("currencies") or {}).items():
        where = f"currencies.yaml:{code}"
        _req(isinstance(code, str) and re.fullmatch(r"[A-Z]{3}", code), f"{where}: not an ISO 4217 code")
        _req(isinstance(c, dict), f"{where}: must be a mapping")
        e = Entry("money", code, Decimal(1), Decimal(0), "currency")
        for f in c.get("zh") or []:
            _add(zh, f, e, where)
        for f in c.get("en") or []:
            _add(en, f.lower(), e, where)
        for f in c.get("prefix") or []:
            _req(isinstance(f, str) and f, f"{where}: empty prefix")
            prefixes.setdefault(f, code)
        for f, fac in (c.get("minor") or {}).items():
            minors[f] = (code, Decimal(str(fac)))
    bare = lexicons.mapping(cur, "bare_money", "currencies.yaml")
    lexicons.str_list(bare, "before", "currencies.yaml: bare_money")
    lexicons.mapping(bare, "actors", "currencies.yaml: bare_money")
    measure = lexicons.str_list(words, "measure_words", "quantity_words.yaml", non_empty=True)
    for f in measure:
        _add(zh, f, Entry("count", None, Decimal(1), Decimal(0), "measure"), "quantity_words.yaml:measure_words")
    q = words.get("qualifiers") or {}
    for side in ("prefix", "suffix"):
        for lang in ("zh", "en"):
            for lab in (q.get(side) or {}).get(lang) or {}:
                _req(lab in QUALIFIERS, f"quantity_words.yaml: unknown qualifier {lab}")
    ch = words.get("change") or {}
    for k in ("zh", "en", "en_after"):
        _req(set((ch.get(k) or {}).keys()) == {"increase", "decrease"}, f"quantity_words.yaml: change.{k}")
    eng = lexicons.mapping(words, "english", "quantity_words.yaml")
    for k in ("ones", "tens", "scales", "abbr_scales", "vague_scales", "multiples", "fractions"):
        lexicons.mapping(eng, k, "quantity_words.yaml: english")
    numbers.configure_english({k: Decimal(v) for k, v in eng["ones"].items()},
                              {k: Decimal(v) for k, v in eng["tens"].items()},
                              {k: Decimal(v) for k, v in eng["scales"].items() if k != "hundred"})

    L = {}                      # filled completely, then published: a failed load leaves nothing half-set
    L["zh"] = zh
    L["zh_by_first"] = _by_first(zh)
    L["en"] = en
    L["en_maxwords"] = max(len(k.split()) for k in en)
    L["abbr"] = sorted(abbr.items(), key=lambda kv: -len(kv[0]))
    L["abbr_first"] = set(k[0] for k in abbr)
    L["prefixes"] = sorted(prefixes.items(), key=lambda kv: -len(kv[0]))
    zh_names = sorted((f for f, e in zh.items() if e.type == "currency" and len(f) >= 2 and not f.endswith("元")),
                      key=len, reverse=True)
    L["zh_cur_before_re"] = re.compile("(?:" + "|".join(re.escape(f) for f in zh_names) + ")$")
    numbers.CURRENCY_CODES_GLUED.clear()
    numbers.CURRENCY_CODES_GLUED.update(f for f in prefixes if len(f) == 3 and f.isalpha() and f.isupper())
    L["prefix_by_last"] = {}
    for form, code in L["prefixes"]:
        L["prefix_by_last"].setdefault(form[-1], []).append((form, code))
    L["minors"] = minors
    L["rate_den"] = rate_den
    L["bare_before"] = sorted(bare["before"], key=len, reverse=True)
    L["bare_after"] = sorted(bare.get("after") or [], key=len, reverse=True)
    L["actors"] = sorted(((a, code) for code, lst in bare["actors"].items() for a in lst), key=lambda x: -len(x[0]))
    L["actor_re"] = re.compile("|".join(re.escape(a) for a, _ in L["actors"]))
    L["actor_code"] = dict(L["actors"])
    L["q_pre_zh"] = _label_forms(q["prefix"]["zh"])
    L["q_pre_en"] = _label_forms(q["prefix"]["en"])
    L["q_suf_zh"] = _label_forms(q["suffix"]["zh"])
    L["q_suf_en"] = _label_forms(q["suffix"]["en"])
    L["ch_zh"] = _label_forms(ch["zh"])
    L["ch_zh_re"] = re.compile("|".join(re.escape(f) for f, _ in L["ch_zh"]))
    L["ch_comp"] = sorted(ch.get("comparative") or [], key=len, reverse=True)
    L["ch_level"] = sorted(ch.get("level_after_verb") or [], key=len, reverse=True)
    L["ch_en"] = {w.lower(): lab for lab, ws in ch["en"].items() for w in ws}
    L["ch_en_after"] = {w.lower(): lab for lab, ws in ch["en_after"].items() for w in ws}
    L["en_level"] = set(ch.get("en_level") or [])
    L["level_nouns"] = sorted(ch.get("level_nouns_after") or [], key=len, reverse=True)
    L["blockers"] = set(words.get("count_name_blockers") or [])
    unb = lexicons.mapping(words, "unit_not_before", "quantity_words.yaml", optional=True)
    L["unit_not_before"] = {k: tuple(v) for k, v in unb.items()}
    L["year_date_suffixes"] = sorted(words.get("year_date_suffixes") or [], key=len, reverse=True)
    L["duration_after_year"] = sorted(words.get("duration_after_year") or [], key=len, reverse=True)
    L["en_count_stop"] = set(words.get("en_count_stop") or [])
    L["en_skip"] = set(words.get("en_count_skip_words") or [])
    L["en_count_irregular"] = set(words.get("en_count_irregular") or [])
    per = words.get("periods") or {}
    L["per_zh_prefix"] = sorted((per.get("zh_prefix") or {}).items(), key=lambda kv: -len(kv[0]))
    L["per_zh_suffix"] = sorted((per.get("zh_suffix") or {}).items(), key=lambda kv: -len(kv[0]))
    L["per_en_suffix"] = sorted((per.get("en_suffix") or {}).items(), key=lambda kv: -len(kv[0]))
    for d in (per.get("zh_prefix") or {}, per.get("zh_suffix") or {}, per.get("en_suffix") or {}):
        for k, v in d.items():
            _req(v in rate_den, f"quantity_words.yaml: period {k} → {v} is not a rate denominator")
    # compiled lookups: one C call instead of a Python loop per candidate
    L["q_pre_zh_re"] = _before_re([f for f, _ in L["q_pre_zh"]])
    L["q_pre_zh_lab"] = {f: lab for f, lab in L["q_pre_zh"]}
    L["q_pre_en_re"] = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(f) for f, _ in L["q_pre_en"]) + r")[ \u00a0]*$", re.I)
    L["q_pre_en_lab"] = {f.lower(): lab for f, lab in L["q_pre_en"]}
    L["q_suf_zh_re"] = re.compile("|".join(re.escape(f) for f, _ in L["q_suf_zh"]))
    L["q_suf_zh_lab"] = {f: lab for f, lab in L["q_suf_zh"]}
    L["q_suf_en_re"] = re.compile(r" (" + "|".join(re.escape(f) for f, _ in L["q_suf_en"]) + r")(?![A-Za-z])", re.I)
    L["q_suf_en_lab"] = {f.lower(): lab for f, lab in L["q_suf_en"]}
    L["level_nouns_re"] = re.compile(r"\s*(?:的)?(?:" + "|".join(re.escape(n) for n in L["level_nouns"]) + r")", re.I)
    L["per_en_re"] = re.compile(r"(?: (" + "|".join(re.escape(f) for f, _ in L["per_en_suffix"] if not f.startswith("/"))
                                + r")(?![A-Za-z])|(" + "|".join(re.escape(f) for f, _ in L["per_en_suffix"] if f.startswith("/"))
                                + r")(?![A-Za-z]))", re.I)
    L["per_en_lab"] = {f.lower(): per for f, per in L["per_en_suffix"]}
    L["per_zh_suf_re"] = re.compile("|".join(re.escape(f) for f, _ in L["per_zh_suffix"] if f.startswith("/")))
    L["per_zh_suf_lab"] = dict(L["per_zh_suffix"])
    L["per_zh_pre_re"] = _before_re([f for f, _ in L["per_zh_prefix"]])
    L["per_zh_pre_lab"] = dict(L["per_zh_prefix"])
    L["en_abbr_scales"] = {k.lower(): Decimal(v) for k, v in eng["abbr_scales"].items()}
    L["en_scales"] = {k: Decimal(v) for k, v in eng["scales"].items()}
    L["en_vague"] = {k: Decimal(v) for k, v in eng["vague_scales"].items()}
    L["en_multiples"] = {k: Decimal(v) for k, v in eng["multiples"].items()}
    L["en_mult_verbs"] = set(eng.get("multiple_verbs") or [])
    L["en_fractions"] = {k: Decimal(v) for k, v in eng["fractions"].items()}
    subj = lexicons.mapping(words, "subject", "quantity_words.yaml", optional=True)
    lexicons.str_list(subj, "heads", "quantity_words.yaml: subject", non_empty=True)
    L["subj_heads_re"] = re.compile("|".join(re.escape(h) for h in sorted(subj["heads"], key=len, reverse=True)))
    L["subj_stop_re"] = re.compile("|".join(re.escape(h) for h in sorted(subj.get("stops") or ["的"], key=len, reverse=True)))
    L["subj_max"] = int(subj.get("max_chars", 10))
    _compile_english(eng, L)
    _L.clear()
    _L.update(L)


def _before_re(forms):
    """A pattern for 'one of these forms ends here', used with search(s, p - maxlen, p)."""
    forms = sorted(forms, key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(f) for f in forms) + ")$"), max(len(f) for f in forms)


def _find_before(rx, s, p, lo=0):
    pat, n = rx
    m = pat.search(s, max(lo, p - n), p)
    return m


def _by_first(table):
    out = {}
    for form, e in table.items():
        out.setdefault(form[0], []).append((form, e))
    for v in out.values():
        v.sort(key=lambda fe: -len(fe[0]))
    return out


def _label_forms(d):
    return sorted(((f, lab) for lab, fs in (d or {}).items() for f in fs), key=lambda fl: -len(fl[0]))


def _compile_english(eng, L):
    num_words = list(eng["ones"]) + list(eng["tens"]) + list(eng["scales"])
    w = "|".join(sorted(num_words, key=len, reverse=True))
    L["en_num_re"] = re.compile(r"(?:" + w + r")(?:(?:\s+|-)(?:and\s+)?(?:" + w + r"))*(?![A-Za-z])", re.I)
    L["en_scale_re"] = re.compile(r"[ \u00a0]?(million|billion|trillion|thousand|bn|mn|mln|tn|trn)(?![A-Za-z])", re.I)
    L["word_re"] = re.compile(r"[A-Za-z]+(?:'s)?")
    trig = {}
    for k in num_words:
        trig[k.lower()] = "num"
    for k in eng["multiples"]:
        trig[k.lower()] = "mult"
    for k in eng["fractions"]:
        trig[k.lower()] = "frac"
    for k in ("thousands", "millions", "billions", "trillions"):
        trig[k] = "vague"
    trig["fold"] = "fold"
    L["en_trigger"] = trig


# ---------------------------------------------------------------- text view
_HAN = "\u3400-\u9fff\uf900-\ufaff"
_RE_MONTH = re.compile(r"[0-9一二三四五六七八九十〇零]{1,3}月")
_RE_FROM_ZH = re.compile(r"(?:从|由)[^,，。]{0,4}$")
_RE_FROM_EN = re.compile(r"(?i)\bfrom\s*$")
_RE_LATIN_END = re.compile(r"[A-Za-z]\s*$")
_RE_YOY = re.compile(r"(?:同比|环比)[^\d,，。]{0,2}$")
_RE_WS = re.compile(r"\s+")
_RE_PER_EN = re.compile(r"(?i)\s+(?:per|a|an|each)\s+")
# spaces inside spaced-out numerals and units (一 百 五 十 个 百 分 点, 百 分 之 2.4, １０ 成); left side a numeral character
_NUMCH = "0-9" + numbers.CN_CHARS + "点个分之"
_SQUEEZE = re.compile(r" +(?=[" + _HAN + r"0-9])")
_NUMCH_SET = frozenset("0123456789" + numbers.CN_CHARS + "点个分之成")
_CLAUSE_END = set(",.;:!?，。；：！？、\n\r()（）[]【】\"“”")
IS_HAN = re.compile(r"[" + _HAN + r"]")


def _squeeze(norm: str):
    """Remove spaces inside spaced-out numerals and units (一 百 五 十 个 百 分 点, 百 分 之 2.4, １０ 成).

    Returns the text searched and an offset map: ``(starts, shifts)``, where a position p
    of the squeezed text is ``p + shifts[k]`` in ``norm`` for the last ``starts[k] <= p``;
    None when nothing was removed.
    """
    starts, shifts = [], []
    parts = []
    last = 0
    removed = 0
    for m in _SQUEEZE.finditer(norm):
        a = m.start()
        if a == 0:
            continue
        left, right = norm[a - 1], norm[m.end()]
        if not ((left in _NUMCH_SET and IS_HAN.match(right)) or (IS_HAN.match(left) and right.isdigit())):
            continue
        parts.append(norm[last:a])
        removed += m.end() - a
        last = m.end()
        starts.append(a - (removed - (m.end() - a)))   # where the next kept character lands in the squeezed text
        shifts.append(removed)
    if not starts:
        return norm, None
    parts.append(norm[last:])
    return "".join(parts), (starts, shifts)


def _is_letter(ch):
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


# ---------------------------------------------------------------- matching helpers
def _zh_at(s, p):
    """Longest unit/currency/measure form starting at p."""
    if p >= len(s):
        return None
    for form, e in _L["zh_by_first"].get(s[p], ()):
        if s.startswith(form, p):
            return e
    return None


def _en_at(s, p):
    """English unit/currency phrase at p (after one optional space or hyphen): (entry, end)."""
    q = p
    if q < len(s) and s[q] in " -\u00a0":
        q += 1
    if q >= len(s) or not _is_letter(s[q]):
        return None
    words = []
    pos = q
    wr = _L["word_re"]
    for _ in range(_L["en_maxwords"]):
        m = wr.match(s, pos)
        if not m:
            break
        words.append((m.group(0).lower(), m.end()))
        if m.end() < len(s) and s[m.end()] in " -":
            pos = m.end() + 1
        else:
            break
    for k in range(len(words), 0, -1):
        phrase = " ".join(w for w, _ in words[:k])
        e = _L["en"].get(phrase)
        if e is None and "-" in s[q:words[k - 1][1]]:
            e = _L["en"].get(s[q:words[k - 1][1]].lower())
        if e is not None:
            return e, words[k - 1][1]
    return None


def _abbr_at(s, p):
    q = p
    if q < len(s) and s[q] == " ":
        q += 1
    if q >= len(s) or s[q] not in _L["abbr_first"]:
        return None
    for form, e in _L["abbr"]:
        if s.startswith(form, q):
            end = q + len(form)
            if end < len(s) and (_is_letter(s[end]) or s[end].isdigit()):
                continue
            return e, end
    return None


def _left_guard(s, st):
    """True when the numeral at st is part of a name, an ordinal, a code or a citation."""
    if st == 0:
        return False
    c = s[st - 1]
    if _is_letter(c) and st >= 3 and s[st - 3:st] in numbers.CURRENCY_CODES_GLUED:
        return False
    if _is_letter(c) or c in "#№_/\\@":
        return True
    if c == "-" and st >= 2 and (_is_letter(s[st - 2]) or s[st - 2].isdigit()):
        return "range?" if s[st - 2].isdigit() else True
    if c == "第":
        return True
    if c == "." and st >= 2 and s[st - 2].isdigit():
        return True
    if c == "[":
        return True
    return False


_AMOUNT_BEFORE_DASH = re.compile(r"[0-9" + numbers.CN_CHARS + r"][^\s,，。;；:：、]{0,3}$")


def _sign_before(s, st):
    """-2%, 负3.9%, +5%: a sign; 1.5万-2万元, 5万吨-8万吨: a range dash."""
    if st >= 1 and s[st - 1] in "-+" and (st < 2 or not ((s[st - 2].isascii() and s[st - 2].isalnum()) or s[st - 2] in ".%")):
        if st >= 2 and _AMOUNT_BEFORE_DASH.search(s, max(0, st - 6), st - 1):
            return 1, st
        return (-1 if s[st - 1] == "-" else 1), st - 1
    if st >= 1 and s[st - 1] == "负":
        return -1, st - 1
    if st >= 2 and s[st - 2:st] == "零下":
        return -1, st - 2                 # 零下5摄氏度
    return 1, st


def _prefix_currency(s, st):
    """A currency symbol or code right before st (one space allowed): (code, start)."""
    q = st
    if q > 0 and s[q - 1] == " ":
        q -= 1
    if q == 0:
        return None
    cands = _L["prefix_by_last"].get(s[q - 1])
    if not cands:
        return None
    for form, code in cands:
        b = q - len(form)
        if b >= 0 and s.startswith(form, b):
            if _is_letter(form[0]) and b > 0 and _is_letter(s[b - 1]):
                continue
            if IS_HAN.match(form[0]) and b > 0 and (s[b - 1].isdigit() or s[b - 1] in numbers.CN_CHARS):
                continue
            return code, b
    return None


def _unit_after(s, p, script):
    """(entry, end, how) for the unit right after p."""
    # Chinese forms (glued, or after the squeezed view removed a space); % and ‰ too
    e = _zh_at(s, p)
    if e is None and p < len(s) and s[p] == " " and p + 1 < len(s) and s[p + 1] in "%‰":
        e = _zh_at(s, p + 1)
        if e is not None:
            return e, p + 1 + len(e.form), "zh"
    if e is not None:
        return e, p + len(e.form), "zh"
    if p >= len(s):
        return None
    c = s[p]
    if c != " " and c != "-" and c != "\u00a0" and c not in _L["abbr_first"] and not _is_letter(c):
        return None                      # a Chinese character, punctuation or digit: no English unit here
    a = _abbr_at(s, p)
    r = _en_at(s, p)
    if r and a:
        return (r[0], r[1], "en") if r[1] >= a[1] else (a[0], a[1], "abbr")
    if r:
        return r[0], r[1], "en"
    if a:
        return a[0], a[1], "abbr"
    return None


def _en_scale_after(s, p, money_prefix):
    m = _L["en_scale_re"].match(s, p)
    if m:
        w = m.group(1).lower()
        val = _L["en_scales"].get(w) or _L["en_abbr_scales"].get(w)
        if val:
            return val, m.end()
    # glued k/K (12k, 15K), and m/b after a currency symbol ($2m, $3b)
    if p < len(s) and s[p] in "kKmMbB" and (p + 1 >= len(s) or not _is_letter(s[p + 1])):
        ch = s[p].lower()
        if ch == "k" or money_prefix:
            return _L["en_abbr_scales"][ch], p + 1
    return None


def _read(s, num, script, ctx=None):
    """A quantity candidate for one numeral, or a bare numeral record (unit None)."""
    L = _L
    st, en_ = num.start, num.end
    g = _left_guard(s, st)
    if g is True:
        return None
    sign, st2 = _sign_before(s, st)
    if g == "range?":
        sign, st2 = 1, st
    lo, hi = num.lo, num.hi
    big, bare = num.big, num.bare
    vague = num.vague
    bare_ok = None
    if num.bare_start:
        # 上千亿 / 数百家: an order of magnitude; 逾百家, 近万吨: the round number
        if st2 > 0 and s[st2 - 1] in "上数几":
            hi = lo * 10
            vague = True
            st2 -= 1
            bare_ok = "vague"
        elif _find_before(_L["q_pre_zh_re"], s, st2) is not None:
            bare_ok = "qualified"
    cur = _prefix_currency(s, st2)
    q_start = cur[1] if cur else st2
    p = en_
    rule = "num+unit"
    # English scale words after Arabic: 400 million, $2bn, 12k
    if num.script in ("ar", "en"):
        sc = _en_scale_after(s, p, cur is not None)
        if sc:
            lo, hi, bare, big = lo * sc[0], hi * sc[0], lo, int(sc[0])
            p = sc[1]
    qual_mid = None
    # 多/余/来 between the numeral and a multiplier or unit: 100多万吨, 20余家, 十来年
    if p < len(s) and s[p] in "多余来" and num.script != "en":
        nxt = s[p + 1] if p + 1 < len(s) else ""
        if nxt in "万亿" or _zh_at(s, p + 1) is not None:
            qual_mid = "about" if s[p] == "来" else "more_than"
            p += 1
            while p < len(s) and s[p] in "万亿":
                f = numbers.CN_BIG[s[p]]
                lo, hi, big = lo * f, hi * f, big * f
                p += 1
    unit = None
    if cur:
        unit = (Entry("money", cur[0], Decimal(1), Decimal(0), "currency", ""), p, "prefix")
        # "$5 billion dollars" or "US$ 5亿美元": a repeated unit after the number is part of it
        after = _unit_after(s, p, script)
        if after and after[0].type == "currency" and after[0].unit == cur[0]:
            unit = (unit[0], after[1], "prefix")
    else:
        unit = _unit_after(s, p, script)
        # 人民币42亿元, 新台币3000亿元, 港币100元: the currency named before the number, 元 after it
        if unit is not None and unit[0].type == "currency" and unit[0].form in ("元", "圆"):
            m = _L["zh_cur_before_re"].search(s, max(0, st2 - 6), st2)
            if m is not None and m.end() == st2:
                cur_e = _L["zh"][m.group(0)]
                unit = (cur_e, unit[1], "zh-prefix")
                q_start = m.start()
        # a unit that begins with a numeral character: 5千克, 三千两百两, 10兆瓦
        if num.script == "cn" or num.script == "ar":
            sp = _split_unit(s, num)
            if sp is not None and (unit is None or sp[1][1] >= unit[1]):
                k, unit_r, val = sp
                lo = hi = val
                big, bare = 1, val
                en_ = k
                p = k
                unit = unit_r
    if unit is None and s.startswith("度", p) and not s.startswith("度电", p) and not num.leading_one \
            and not num.bare_start:
        dq = _degree(s, q_start, p, lo * sign, hi * sign, num)
        if dq is not None:
            return dq
    if num.bare_start and bare_ok is None and (unit is None or unit[0].type == "measure" or unit[0].kind == "duration"):
        unit = None
        if not (("亿" in s[st:en_]) or ("兆" in s[st:en_])):
            return None
    if unit is None and not _bare_useful(s, st, en_, p, num, ctx):
        return None
    if unit is None:
        return Q(q_start, en_ if p == en_ else p, "number", lo * sign, hi * sign, None, "bare", vague=vague,
                 num_start=st, num_end=en_, big=big, bare=bare * sign, has_unit=False, script=num.script,
                 qualifier=qual_mid)
    e, uend, how = unit
    nb = L["unit_not_before"].get(e.form)
    if nb and s.startswith(nb, uend) and not (e.form == "块" and s.startswith("钱", uend)):
        return None                      # 从3升至5, 5克拉, 3国际: the form is part of another word
    # guards by unit
    if e.type == "measure":
        if num.leading_one or (num.script == "en" and lo == 1):
            return None
        if any(s.startswith(b, uend - len(e.form)) for b in L["blockers"] if b.startswith(e.form)):
            return None
        if st2 > 0 and s[st2 - 1] in "前首头" and e.form != "人":
            return None
        if e.form in ("国", "方", "岸", "地") and s[st:en_] in ("两", "二", "双"):
            return None          # 中美两国, 两国关系: both countries, a determiner
        if vague and "几" in s[st:en_] and not any(c in s[st:en_] for c in "十百千万亿"):
            return None
        if e.form == "块" and not _block_money(s, uend):
            pass
        elif e.form == "块":
            e = Entry("money", "CNY", Decimal(1), Decimal(0), "currency", "块")
    if e.kind == "duration" and num.leading_one and st2 > 0 and s[st2 - 1] in "的某这那每复同另":
        return None                      # 重要的一年, 某一天, 年复一年: a determiner, not a length of time
    if e.kind == "duration" and e.form in ("年", "年间"):
        if _year_is_date(s, num, st, en_, uend):
            return None
    if e.type == "minor":
        return None
    counted_span = None
    val_lo, val_hi = lo, hi
    kind = e.kind
    unit_code = e.unit
    counted = None
    if e.type == "measure":
        counted = s[uend - len(e.form):uend]
        counted_span = (uend - len(e.form), uend)
    if e.offset:
        val_lo = (lo * sign + e.offset) * e.factor
        val_hi = (hi * sign + e.offset) * e.factor
        sign = 1
    else:
        val_lo, val_hi = lo * e.factor, hi * e.factor
    # 一吨半, 三斤半, 三成半 handled for 成 elsewhere
    if uend < len(s) and s[uend] == "半" and e.type in ("unit",) and kind not in ("percent",):
        val_lo += Decimal("0.5") * e.factor
        val_hi += Decimal("0.5") * e.factor
        uend += 1
    q = Q(q_start, uend, kind, val_lo * sign, val_hi * sign, unit_code, rule + ":" + how, counted=counted,
          vague=vague, num_start=st, num_end=en_, big=big, bare=bare * sign, script=num.script,
          qualifier=qual_mid)
    q.extra["factor"] = e.factor
    if counted_span is not None:
        q.extra["counted_span"] = counted_span
    if e.per:
        _make_period(q, unit_code, e.per, None)
    if e.type == "currency":
        _minor_after(s, q)
    return q


_RANGE_NEXT = re.compile(r"\s*(?:到|至|~|～|-|–|—|－|〜)|\s+(?:to|and)\s", re.I)
_ELLIPSIS_CUE = re.compile(r"(?i)(?:compared\s+(?:to|with)|versus|vs\.?|against|than|from|相比|相较|比|而|较)")


_CUE_ZH = re.compile(r"[比而较]")
_CUE_EN = re.compile(r"(?=[CcVvAatFf])\b(?:[Cc]ompared|[Vv]ersus|vs|[Aa]gainst|than|[Ff]rom)\b")


def _bare_useful(s, st, en_, p, num, ctx=None):
    """Keep a numeral with no unit only where a later pass can use it: a range (3至5亿美元),
    an English count (27,000 jobs), a bare amount in 亿 (投资几百亿), an ellipsis (down from 980)."""
    if _RANGE_NEXT.match(s, p):
        return True
    if p + 1 < len(s) and s[p] == " " and "a" <= s[p + 1] <= "z":
        return True
    if p + 1 < len(s) and s[p] == " " and _DEMONYM_AT.match(s, p + 1):
        return True                   # 23 Chinese entities: a count read by _english_count
    if num.script == "cn" and ("亿" in s[st:en_] or "兆" in s[st:en_]):
        return True
    if ctx is None:
        return _ELLIPSIS_CUE.search(s, max(0, st - 40), st) is not None
    cues = ctx.get("cues")
    if cues is None:
        cues = ctx["cues"] = sorted([m.end() for m in _CUE_ZH.finditer(s)] + [m.end() for m in _CUE_EN.finditer(s)])
    k = bisect.bisect_right(cues, st)
    return k > 0 and cues[k - 1] > st - 40


_TEMP_CONTEXT = ("温", "热", "冷", "烧", "华氏", "摄氏", "零下", "寒", "暖", "℃", "°")


def _degree(s, st, p, lo, hi, num):
    """85度 is a temperature only where the sentence speaks of heat (温度, 恒温器, 烧到, 零下, 华氏)."""
    win = s[max(0, st - 12):st]
    if not any(k in win for k in _TEMP_CONTEXT):
        return None
    start = st
    fahr = "华氏" in win
    for pre in ("华氏温度", "摄氏温度", "华氏", "摄氏", "零下"):
        if s.startswith(pre, st - len(pre)):
            start = st - len(pre)
            if pre == "零下":
                lo, hi = -lo, -hi
            break
    if fahr:
        lo = (lo - 32) * Decimal(5) / Decimal(9)
        hi = (hi - 32) * Decimal(5) / Decimal(9)
    return Q(start, p + 1, "temperature", lo, hi, "Cel", "num+度", num_start=num.start, num_end=num.end, script=num.script)


def _block_money(s, p):
    """块 reads as yuan (三块, 五块钱) when no noun follows it."""
    return p >= len(s) or not IS_HAN.match(s[p]) or s.startswith("钱", p)


def _split_unit(s, num):
    """A unit written with a numeral character at the end of the run (千克, 两, 兆瓦, 百分点)."""
    for k in range(num.start + 1, num.end):
        ch = s[k]
        if ch not in "千两兆百万十":
            continue
        for form, e in _L["zh_by_first"].get(ch, ()):
            if k + len(form) >= num.end and s.startswith(form, k) and e.type != "measure":
                r = numbers.parse_run(s[num.start:k])
                if r is not None and r[2] == k - num.start and not r[3]:
                    return k, (e, k + len(form), "zh"), r[0]
    return None


def _year_is_date(s, num, st, en_, uend):
    """2025年 is a date; 10年, 过去10年, 1000多年 are durations."""
    rest = s[uend:uend + 4]
    for suf in _L["year_date_suffixes"]:
        if rest.startswith(suf):
            return True
    # 2025年8月, 25年3月
    m = _RE_MONTH.match(rest)
    if m:
        return True
    v = num.lo
    yearlike = num.script == "ar" and num.int_digits == 4 and not num.has_comma and 1000 <= v <= 2999 and v == int(v)
    if num.script == "cn" and len(s[st:en_]) == 4 and all(c in numbers.CN_DIGITS for c in s[st:en_]):
        yearlike = True
    if num.script == "ar" and num.int_digits == 2 and s[st - 1:st] in ("'", "’"):
        yearlike = True
    if yearlike:
        for suf in _L["duration_after_year"]:
            if rest.startswith(suf):
                return False
        return True
    return False


def _minor_after(s, q):
    """两美元又三美分, 五元三毛, 10日元5日本銭: add the subunit to the amount."""
    p = q.end
    if p < len(s) and s[p] in "又零和":
        p += 1
    m = numbers.RUN_RE.match(s, p)
    if not m:
        return
    r = numbers.parse_run(m.group(0))
    if r is None or r[3]:
        return
    end = p + r[2]
    for form, (code, fac) in _L["minors"].items():
        if code == q.unit and s.startswith(form, end):
            add = r[0] * fac
            q.lo += add
            q.hi += add
            q.end = end + len(form)
            q.rule += "+minor"
            return


# ---------------------------------------------------------------- special forms
_CN_CHARS_CLASS = "[0-9" + numbers.CN_CHARS + "点.]"
# each run of numeral characters is tried once, from its start (no quadratic retries on long runs)
FRACTION_RE = re.compile(r"(?<!" + _CN_CHARS_CLASS + r")(" + _CN_CHARS_CLASS + r"{1,24}+)分之(" + numbers.RUN_RE.pattern + r")")
CHENG_RE = re.compile(r"(?<!" + _CN_CHARS_CLASS + r")(" + _CN_CHARS_CLASS + r"{1,24}+|半)(成|折)(半|[一二三四五六七八九](?![" + numbers.CN_CHARS + r"成折]))?")
FANFAN_RE = re.compile(r"翻(?:了)?(?:([一两二三四五六七八九十0-9]+)番|番|倍)")


def _keyed_fraction(s):
    i = s.find("分之")
    while i >= 0:
        lo = max(0, i - 26)
        m = FRACTION_RE.search(s, lo, min(len(s), i + 90))
        while m is not None and m.end(1) < i:
            m = FRACTION_RE.search(s, m.end(1) + 1, min(len(s), i + 90))
        if m is not None and m.end(1) == i:
            yield m
        i = s.find("分之", i + 2)


def _fractions(s, out):
    for m in _keyed_fraction(s):
        den = numbers.parse_run(m.group(1), allow_bare=True)
        if den is None or den[2] != len(m.group(1)) or den[0] == 0:
            continue
        nr = numbers.parse_run(m.group(2), allow_bare=True)
        if nr is None:
            continue
        end = m.start(2) + nr[2]
        k = 1
        km = re.match(r" ?[kK](?![A-Za-z])", s[end:end + 3])
        if km:
            k, end = 1000, end + km.end()
        lo = nr[0] * k / den[0] * 100
        hi = nr[1] * k / den[0] * 100
        st = m.start()
        if _left_guard(s, st) is True:
            continue
        sign, st = _sign_before(s, st)
        out.append(Q(st, end, "percent", lo * sign, hi * sign, "%", "fraction:分之", num_start=m.start(), num_end=end,
                     vague=nr[3]))


_CHENG_KEY = re.compile(r"(?=[成折])(?<=[0-9" + numbers.CN_CHARS + r"点.半])[成折]")


def _keyed_cheng(s):
    for k in _CHENG_KEY.finditer(s):
        i = k.start()
        m = CHENG_RE.search(s, max(0, i - 26), i + 2)
        while m is not None and m.start(2) < i:
            m = CHENG_RE.search(s, m.start(2) + 1, i + 2)
        if m is not None and m.start(2) == i:
            yield m


def _cheng(s, out):
    """七成 → 70%, 三成半 → 35%; 九折 → 90%, 75折 → 75%, 8.5折 → 85%, 打对折 → 50%."""
    for m in _keyed_cheng(s):
        numtxt, what, half = m.group(1), m.group(2), m.group(3)
        st = m.start()
        if numtxt == "半":
            val, vague, hi_v = (Decimal(5) if what == "成" else Decimal(50)), False, None
        else:
            r = numbers.parse_run(numtxt)
            if r is None or r[2] != len(numtxt):
                continue
            val, vague, hi_v = r[0], r[3], r[1]
        if _left_guard(s, st) is True:
            continue
        nxt = s[m.end(2):m.end(2) + 1] if not half else ""
        if what == "成":
            if val > 10 or nxt in ("本", "员", "为", "功", "交", "立", "果", "绩", "熟", "长", "品", "都", "型", "分", "年", "效"):
                continue
            if numtxt == "半":
                pct = hi = val
            else:
                extra = 5 if half == "半" else (numbers.CN_DIGITS[half] if half else 0)   # 三成半 35%, 七成六 76%
                pct = val * 10 + extra
                hi = hi_v * 10 + extra
        else:
            if half == "半" or nxt in ("叠", "扣", "合", "算", "旧", "射", "腾", "服", "损", "中", "衷", "线", "返", "回"):
                continue
            if s[max(0, st - 1):st] == "波":
                continue                      # 一波三折
            if numtxt == "半":
                pct = val
            elif val < 10:
                pct = val * 10
            elif val < 100 and val == int(val) and not any(c in numtxt for c in "十拾"):
                pct = val
            else:
                continue
            hi = pct
        end = m.end() if not (what == "折") else m.end(2)
        out.append(Q(st, end, "percent", pct, max(pct, hi), "%", "cheng:" + what, num_start=st, num_end=end, vague=vague))
    for m in re.finditer("打(对折)", s):
        out.append(Q(m.start(1), m.end(1), "percent", Decimal(50), Decimal(50), "%", "zhe:对折", num_start=m.start(1),
                     num_end=m.end(1)))


_YIBAN = re.compile(r"一半")


def _yiban(s, out):
    """一半 is 50% where a change verb governs it (下降了一半) or a qualifier follows (一半以上)."""
    for m in _YIBAN.finditer(s):
        st, en_ = m.start(), m.end()
        if s[st - 1:st] in numbers.CN_CHARS or s[en_:en_ + 1] in numbers.CN_CHARS:
            continue
        before = s[max(0, st - 4):st]
        after = s[en_:en_ + 2]
        if _L["ch_zh_re"].search(before) or after in ("以上", "以下", "左右") or after[:1] in "多":
            out.append(Q(st, en_, "percent", Decimal(50), Decimal(50), "%", "yiban", num_start=st, num_end=en_))


def _fanfan(s, out):
    for m in FANFAN_RE.finditer(s):
        if m.group(1):
            r = numbers.parse_run(m.group(1))
            if r is None:
                continue
            val = Decimal(2) ** int(r[0])
        else:
            val = Decimal(2)
        q = Q(m.start(), m.end(), "multiple", val, val, "x", "fanfan", change="increase", num_start=m.start(), num_end=m.end())
        q.extra["fixed_change"] = True
        out.append(q)


_RE_WORDS_L = re.compile(r"[a-z]+")
_A_BEFORE = re.compile(r"(?<![A-Za-z])(an?|An?) $")
_FOLD_BEFORE = re.compile(r"(\d+(?:\.\d+)?)[ -]?$")
_FRAC_BEFORE = re.compile(r"(?<![A-Za-z])(a|one|two|three|four|five|six|seven|eight|nine)[ -]$", re.I)
_VAGUE_BEFORE = re.compile(r"(?<![A-Za-z])(tens|hundreds|thousands)\s+of\s+$", re.I)


@functools.lru_cache(maxsize=512)
def _finder(hits):
    first = "".join(sorted({h[0].lower() for h in hits} | {h[0].upper() for h in hits}))
    return re.compile(r"(?=[" + first + r"])(?<![A-Za-z])(?:" + "|".join(sorted(map(re.escape, hits), key=len, reverse=True))
                      + r")(?![A-Za-z])", re.I)


def _english(s, out, doc_currency):
    """English number words, -fold, doubled/tripled, a third, hundreds of billions.

    One pass over the words of the text; the few trigger words start an anchored match.
    """
    L = _L
    trig = L["en_trigger"]
    sl = s.lower()
    words = set(_RE_WORDS_L.findall(sl))
    hits = words.intersection(trig)
    if "fold" in sl:
        hits.update(w for w in words if w.endswith("fold"))
    if not hits:
        return
    finder = _finder(tuple(sorted(hits)))
    covered = -1
    for wm in finder.finditer(s):
        w = wm.group(0).lower()
        kind = trig.get(w)
        if kind is None:
            if w.endswith("fold") and w[:-4] in trig and trig[w[:-4]] == "num":
                kind = "fold"
            else:
                continue
        st = wm.start()
        if st < covered:
            continue
        if kind == "num":
            if st > 0 and (s[st - 1] == "-" or _is_letter(s[st - 1])):
                continue
            if w in L["en_scales"] and st >= 2 and s[st - 1] == " " and s[st - 2].isdigit():
                continue          # 400 million: read with the digits
            m = L["en_num_re"].match(s, st)
            if m is None:
                continue
            covered = m.end()
            words = [x for x in re.split(r"[\s-]+", m.group(0).lower()) if x]
            v = numbers.english_words_value(words)
            if v is None:
                continue
            a0 = m.start()
            if w in L["en_scales"] or w == "hundred":
                ma = _A_BEFORE.search(s, max(0, a0 - 4), a0)
                if ma is not None:
                    a0 = ma.start(1)              # a million tons, a hundred companies
            num = numbers.Numeral(a0, m.end(), v, v, script="en", leading_one=(v == 1))
            q = _read(s, num, "en", None)
            if q is not None and (q.has_unit or v > 1):
                out.append(q)
        elif kind == "fold":
            if w == "fold":
                m = _FOLD_BEFORE.search(s, max(0, st - 14), st)
                if m is None:
                    continue
                v, a = Decimal(m.group(1)), m.start()
            else:
                v, a = numbers.english_words_value([w[:-4]]), st
                if v is None:
                    continue
            out.append(Q(a, wm.end(), "multiple", v, v, "x", "en:fold", num_start=a, num_end=wm.end(), script="en"))
        elif kind == "mult":
            v = L["en_multiples"][w]
            q = Q(st, wm.end(), "multiple", v, v, "x", "en:multiple", num_start=st, num_end=wm.end(), script="en")
            if w in L["en_mult_verbs"]:
                q.change = "increase"
                q.extra["fixed_change"] = True
            else:
                # only as a comparison: "double the price", "twice as much"
                nxt = s[wm.end():wm.end() + 8].lower()
                if not nxt.startswith((" the ", " that", " as ", " its ", " what", " their")):
                    continue
            out.append(q)
        elif kind == "frac":
            m = _FRAC_BEFORE.search(s, max(0, st - 7), st)
            if m is None:
                continue
            a = m.group(1).lower()
            n = Decimal(1) if a in ("a", "one") else numbers.english_words_value([a])
            if n is None or (a in ("a", "one") and w.endswith("s")):
                continue
            v = n / L["en_fractions"][w] * 100
            out.append(Q(m.start(), wm.end(), "percent", v, v, "%", "en:fraction", num_start=m.start(), num_end=wm.end(),
                         script="en"))
        elif kind == "vague":
            base = L["en_vague"][w]
            a = st
            m = _VAGUE_BEFORE.search(s, max(0, st - 16), st)
            if m is not None:
                base = base * L["en_vague"][m.group(1).lower()]
                a = m.start()
            lo, hi = base, base * 10
            end = wm.end()
            unit = None
            mm = re.match(r"\s+of\s+", s[end:end + 6])
            counted = None
            if mm:
                r = _unit_after(s, end + mm.end() - 1, "en")
                if r is None or r[0].type == "measure":
                    # tens of thousands of jobs: a vague count of the noun
                    fake = Q(a, end + mm.end() - 1, "number", lo, hi, None, "", script="en", has_unit=False,
                             num_start=a, num_end=wm.end())
                    c = _english_count(s, fake)
                    if c is None or (c[2] != end + mm.end()):
                        continue
                    counted = c
                else:
                    unit = r[0]
                    end = r[1]
            if counted is not None:
                q = Q(a, counted[1], "count", lo, hi, None, "en:vague-count", vague=True, num_start=a, num_end=wm.end(),
                      script="en", counted=counted[0])
                q.extra["value_null"] = True
                q.extra["counted_span"] = (counted[2], counted[1])
                out.append(q)
                continue
            if unit is None and w == "thousands":
                continue                          # thousands alone is no amount of money
            if unit is None:
                unit = Entry("money", doc_currency, Decimal(1), Decimal(0), "currency", "")
            q = Q(a, end, unit.kind, lo * unit.factor, hi * unit.factor, unit.unit, "en:vague", vague=True,
                  num_start=a, num_end=wm.end(), script="en")
            q.extra["value_null"] = True
            out.append(q)


_CAP_BEFORE = re.compile(r"(?<![A-Za-z])([A-Z][A-Za-z]*)[ \u00a0]+$")
_EN_LEAD_OK = {"about", "nearly", "over", "some", "around", "almost", "only", "just", "roughly", "approximately",
               "another", "all", "those", "these", "its", "their", "but", "while", "and", "or", "today", "now"}


_DEMONYM = re.compile(r"[A-Z][a-z]+(?:ese|ian|ean|an|ish|ch|i)$")
_DEMONYM_AT = re.compile(r"[A-Z][a-z]+(?:ese|ian|ean|an|ish|ch|i) [a-z]")


def _english_count(s, q):
    """27,000 jobs, 17 elements, 1,463 rare earth refining patents: unit null, counted = the noun."""
    if q.has_unit or q.script not in ("ar", "en"):
        return None
    txt = s[q.num_start:q.num_end]
    if len(txt) > 1 and txt[0] == "0" and txt[1].isdigit():
        return None                       # Type 055: a designation
    if len(txt) == 4 and txt.isdigit() and 1800 <= int(txt) <= 2100:
        return None                       # in 2025 prices rose: a year
    m = _CAP_BEFORE.search(s, max(0, q.num_start - 24), q.num_start)
    if m is not None and m.group(1).lower() not in _L["en_skip"] and m.group(1).lower() not in _EN_LEAD_OK:
        return None                       # Tier 1 suppliers, Chapter 11 filings: a label, not a count
    p = q.end
    wr = _L["word_re"]
    words = []
    pos = p
    for _ in range(4):
        if pos >= len(s) or s[pos] != " ":
            break
        m = wr.match(s, pos + 1)
        if not m:
            break
        words.append((m.group(0), m.start(), m.end()))
        pos = m.end()
    for i, (w, a, b) in enumerate(words):
        lw = w.lower()
        if lw in _L["en_skip"]:
            return None
        if not w.islower():
            if _DEMONYM.match(w):
                continue                  # 23 Chinese entities, 12 European firms
            return None
        if lw in _L["en_count_irregular"] or lw.endswith("s") and len(lw) > 3 and lw not in _L["en_count_stop"] \
                and not lw.endswith("ss") and not lw.endswith("us") and not lw.endswith("is") and not lw.endswith("'s"):
            return w, b, a
    return None


# ---------------------------------------------------------------- context: qualifiers, change, rates
# the last clause-ending character before p (a decimal point or thousands separator is none)
_CLAUSE_LAST = re.compile(r"(?s).*(?:[;:!?，。；：！？、\n\r()（）\[\]【】\"“”]|[.,](?![0-9])|(?<![0-9])[.,])")


def _clause_start(s, p, limit=40):
    lo = max(0, p - limit)
    m = _CLAUSE_LAST.match(s, lo, p)
    return m.end() if m is not None else lo


def _qualify(s, q):
    L = _L
    # prefix
    r = None
    m = _find_before(L["q_pre_zh_re"], s, q.start)
    if m is not None:
        r = (L["q_pre_zh_lab"][m.group(0)], m.start())
    else:
        m = L["q_pre_en_re"].search(s, max(0, q.start - 24), q.start)
        if m is not None:
            r = (L["q_pre_en_lab"][m.group(1).lower()], m.start(1))
    if r is not None and r[0] == "nearly" and q.kind == "duration" and s.startswith(("来", "以来"), q.end):
        r = None                 # 近两年来: the last two years
    if r is not None:
        lab, st = r
        # 近 in 最近/附近, 约 in 合约: the qualifier must not close a longer word
        if not (lab == "nearly" and s[st - 1:st] in "最附接将") and not (s[st - 1:st] == "合" and s[st:st + 1] == "约"):
            q.qualifier = lab
            q.start = st
    # English "nearly a sevenfold": an article between qualifier and number
    if q.qualifier is None and q.script == "en":
        m = re.search(r"(?:^|\s)(an?)\s+$", s[max(0, q.start - 3):q.start])
        if m:
            a_start = q.start - (len(s[max(0, q.start - 3):q.start]) - m.start(1))
            m2 = L["q_pre_en_re"].search(s, max(0, a_start - 24), a_start)
            if m2 is not None:
                q.qualifier, q.start = L["q_pre_en_lab"][m2.group(1).lower()], m2.start(1)
    # suffix
    r = None
    m = L["q_suf_zh_re"].match(s, q.end)
    if m is not None:
        f = m.group(0)
        if not (f in ("多", "余") and s[q.end + 1:q.end + 2] in ("元", "亿", "万")):
            r = (L["q_suf_zh_lab"][f], m.end())
    if r is None:
        m = L["q_suf_en_re"].match(s, q.end)
        if m is not None:
            r = (L["q_suf_en_lab"][m.group(1).lower()], m.end())
    if r is not None:
        if q.qualifier is None:
            q.qualifier = r[0]
        q.end = r[1]


def _change(s, q):
    """increase / decrease when a rise or fall word governs the amount."""
    L = _L
    if q.extra.get("fixed_change"):
        return
    if q.kind in ("temperature",) or q.kind == "count" and q.counted is None:
        return
    # a rate of duty is a level: 34%关税, a 10% tariff
    if L["level_nouns_re"].match(s, q.end):
        return
    cs = _clause_start(s, q.start)
    before = s[cs:q.start]
    # from / 从 … : a starting level
    if _RE_FROM_ZH.search(before) or _RE_FROM_EN.search(before):
        return
    if IS_HAN.search(before[-8:] if before else "") or (q.script != "en" and not _RE_LATIN_END.search(before)):
        lab = _zh_change_before(s, cs, q.start)
        if lab is not None:
            q.change = lab if lab != "level" else None
            return
        # 75%的暴增幅度, 75%暴增
        m = L["ch_zh_re"].match(s, q.end + (1 if s.startswith("的", q.end) else 0))
        if m:
            lab = _zh_label(m.group(0))
            if lab and not s.startswith(("增长至", "增长到", "增至", "降至", "跌至", "升至"), m.start()):
                q.change = lab
                return
        if _RE_YOY.search(before) and q.lo < 0:
            q.change = "decrease"
            return
    # English
    lab = _en_change_before(s, cs, q.start)
    if lab is not None:
        q.change = lab if lab != "level" else None
        return
    wr = _L["word_re"]
    pos = q.end
    for _ in range(3):
        m = _RE_WS.match(s, pos)
        if not m:
            break
        w = wr.match(s, m.end())
        if not w:
            break
        lw = w.group(0).lower()
        if lw in L["ch_en_after"]:
            q.change = L["ch_en_after"][lw]
            return
        if lw in ("of", "in", "the", "and", "to", "for", "with", "from", "at"):
            break
        pos = w.end()


_SUBJ_CHAR = re.compile(r"[" + _HAN + r"A-Za-z]")


def _subject(s, q):
    """稀土磁铁出口量暴增75% → 稀土磁铁出口量: the last measure noun of the clause before the amount."""
    cs = _clause_start(s, q.start)
    seg_lo = max(cs, q.start - 24)
    head = None
    for m in _L["subj_heads_re"].finditer(s, seg_lo, q.start):
        head = m
    if head is None:
        return
    # nothing but verbs, qualifiers and comparison words may stand between the head and the amount
    gap = s[head.end():q.start]
    if any(ch.isdigit() for ch in gap) or len(gap) > 8:
        return
    a = head.start()
    lo = max(cs, head.start() - _L["subj_max"])
    while a > lo and _SUBJ_CHAR.match(s[a - 1]):
        if s[a - 1] in "年月日号" and a >= 2 and (s[a - 2].isdigit() or s[a - 2] in numbers.CN_CHARS):
            break                 # 7月稀土出口量: the date is not part of the subject
        stop = None
        for m in _L["subj_stop_re"].finditer(s, max(lo, a - 2), a):
            if m.end() == a:
                stop = m
        if stop is not None:
            break
        a -= 1
    q.subject = (a, head.end())


def _zh_label(form):
    for f, lab in _L["ch_zh"]:
        if f == form:
            return lab
    return None


_ZH_GAP_OK = set("了约近逾超达将已再又均分别大幅小幅总计共计累计同比环比较上年去年为高近")


def _zh_change_before(s, cs, st):
    """Scan back from st over a short gap for a change verb; 'level' when 至/到/为 follows it."""
    L = _L
    lo = max(cs, st - 10)
    best = None
    for m in L["ch_zh_re"].finditer(s, lo, st):
        best = m
    if best is None:
        return None
    gap = s[best.end():st]
    if len(gap) > 6:
        return None
    if any(ch.isdigit() for ch in gap):
        return None
    for lv in L["ch_level"]:
        if gap.startswith(lv) or (lv in ("至", "到") and lv in gap):
            return "level"
    lab = _zh_label(best.group(0))
    # 增幅为5%, 涨幅达3%: still the size of the change
    return lab


_EN_GAP_OK = {"by", "of", "about", "nearly", "approximately", "around", "some", "a", "an", "the", "than", "more", "over",
              "almost", "just", "only", "roughly", "sharply", "year", "on", "yoy", "another", "further", "as", "much",
              "as", "many", "up", "to", "$", "€", "£", "¥", "-", "s", "'", "annual", "annually", "an", "estimated"}


def _en_change_before(s, cs, st):
    L = _L
    seg = s[max(cs, st - 60):st]
    words = re.findall(r"[A-Za-z]+|[^\sA-Za-z]", seg)
    words = words[-6:]
    for i in range(len(words) - 1, -1, -1):
        w = words[i].lower()
        if w in L["ch_en"]:
            between = [x.lower() for x in words[i + 1:]]
            if any(b in L["en_level"] for b in between):
                return "level"
            if not all(b in _EN_GAP_OK for b in between) and not (between and between[-1] == "by" and len(between) <= 4):
                return None
            return L["ch_en"][w]
        if not words[i][0].isalpha():
            if words[i] in "$€£¥":
                continue
            return None
    return None


def _rate(s, q):
    """每公斤110美元, 110美元/公斤, $110 per kilogram, 720 rounds per minute, 8,000 tons annually."""
    L = _L
    if q.kind in ("percent", "percentage_point", "multiple", "temperature", "duration", "rate"):
        return
    num_unit = q.unit if q.kind != "count" else (q.counted or "").lower()
    if q.kind == "count" and not q.counted:
        return
    # 每吨103,950元 / 每公斤110美元
    b = q.start
    m = _PER_ZH.search(s, max(0, b - 7), b)
    if m and q.kind == "money":
        den = _zh_at(s, m.start(1))
        if den is not None and den.type == "unit" and m.start(1) + len(den.form) == b:
            _make_rate(q, num_unit, den, m.start(), None)
            return
        if den is not None and den.type == "unit":
            # 每吨约103,950元
            rest = s[m.start(1) + len(den.form):b]
            if rest and all(ch in "约近超逾达为是仅" for ch in rest):
                _make_rate(q, num_unit, den, m.start(), None)
                return
    e = q.end
    # 110美元/公斤, 9000美元/吨, $30/kg
    if e < len(s) and s[e] == "/":
        den = _zh_at(s, e + 1)
        if den is not None and den.type == "unit":
            _make_rate(q, num_unit, den, None, e + 1 + len(den.form))
            return
        a = _abbr_at(s, e + 1)
        if a is not None and a[0].type == "unit":
            _make_rate(q, num_unit, a[0], None, a[1])
            return
    # per kilogram, a ton, per minute
    m = _RE_PER_EN.match(s[e:e + 12])
    if m:
        r = _en_at(s, e + m.end() - 1)
        if r is not None and r[0].type == "unit" and not _NOT_PERIOD_AFTER.match(s, r[1]):
            _make_rate(q, num_unit, r[0], None, r[1])
            return
    # periods: 8,000 tons annually, 500 tons daily, 每年 … (only where the text says per period)
    if q.kind in ("money", "mass", "volume", "energy", "count", "length", "area"):
        m = L["per_en_re"].match(s, e)
        if m is None and q.script in ("ar", "en"):
            # over 1,000 tons of rare earth materials annually: the period closes the noun phrase
            mo = _OF_PHRASE.match(s, e)
            if mo is not None:
                ends = [w.end() for w in _RE_WORD_ANY.finditer(s, mo.start() + 3, mo.end())]
                for k in ends[:-1] if len(ends) > 1 else ():
                    m2 = L["per_en_re"].match(s, k)
                    if m2 is not None and not _NOT_PERIOD_AFTER.match(s, m2.end()):
                        _make_period(q, num_unit, L["per_en_lab"][(m2.group(1) or m2.group(2)).lower()], None)
                        return
        if m is not None and _NOT_PERIOD_AFTER.match(s, m.end()):
            m = None                      # 240,000 tonnes a year earlier
        if m is not None:
            _make_period(q, num_unit, L["per_en_lab"][(m.group(1) or m.group(2)).lower()], m.end())
            return
        m = L["per_zh_suf_re"].match(s, e)
        if m is not None:
            _make_period(q, num_unit, L["per_zh_suf_lab"][m.group(0)], m.end())
            return
        m = _find_before(L["per_zh_pre_re"], s, q.start)
        if m is not None:
            _make_period(q, num_unit, L["per_zh_pre_lab"][m.group(0)], None, m.start())
            return


_RE_WORD_ANY = re.compile(r"[A-Za-z][A-Za-z-]*")
_OF_PHRASE = re.compile(r" of(?: [A-Za-z][A-Za-z-]*){2,5}")
_NOT_PERIOD_AFTER = re.compile(r"\s+(?:earlier|ago|before|later|after|prior|old|previously)\b", re.I)
_PER_ZH = re.compile(r"每(?:一)?([^\d\s,，。]{1,5})$")


def _den_name(e):
    if e.kind == "duration":
        return _L["rate_den"].get(e.unit, e.unit)
    return e.unit


def _make_rate(q, num_unit, den, new_start, new_end):
    if den.kind == "duration" and q.kind != "count" and q.kind not in ("money", "mass", "volume", "energy", "length"):
        return
    if q.kind == "count" and den.kind != "duration":
        return
    # a price per 斤 or per 两 is per kg / per g with the factor applied
    if den.factor != 1 and den.kind != "duration":
        q.lo, q.hi = q.lo / den.factor, q.hi / den.factor
    _to_rate(q, f"{num_unit}/{_den_name(den)}", ":rate", new_start, new_end)


def _make_period(q, num_unit, per, new_end, new_start=None):
    _to_rate(q, f"{num_unit}/{_L['rate_den'][per]}", ":period", new_start, new_end)


def _to_rate(q, unit, rule, new_start, new_end):
    """Turn an amount into a rate of ``unit``, widening its span where the per-part lies outside it."""
    q.extra["base_kind"] = q.kind
    q.unit = unit
    q.kind = "rate"
    q.counted = None
    q.rule += rule
    if new_start is not None:
        q.start = new_start
    if new_end is not None:
        q.end = new_end


# ---------------------------------------------------------------- ranges, bare money, ellipsis
_RANGE_GAP = re.compile(r"\s*(?:到|至|~|～|-|–|—|－|〜)\s*|\s+(?:to|and)\s+", re.I)


def _ranges(s, items):
    """Join A–B where B has a unit and A is bare or has the same unit; A shares B's multiplier."""
    items.sort(key=lambda q: q.start)
    out = []
    i = 0
    while i < len(items):
        a = items[i]
        if i + 1 < len(items):
            b = items[i + 1]
            gap = s[a.end:b.start]
            m = _RANGE_GAP.fullmatch(gap) if b.start >= a.end else None
            if m is not None and a.has_unit and not b.has_unit and a.kind == "money" and a.big == 1 and b.big > 1 \
                    and "prefix" in a.rule and gap.strip() in ("-", "–", "to", "~"):
                # $3-5 billion: the currency of the first, the scale of the second
                b = Q(b.start, b.end, "money", b.lo, b.hi, a.unit, a.rule, num_start=b.num_start, num_end=b.num_end,
                      big=b.big, bare=b.bare, script=b.script)
            ok = m is not None and b.has_unit and b.kind != "number"
            if ok and gap.strip().lower() == "and":
                ok = bool(re.search(r"(?i)\bbetween\s+(?:\$|US\$|€|£|¥)?$", s[max(0, a.start - 12):a.start]))
            if ok and gap.strip().lower() == "to" and a.has_unit and re.search(r"(?i)\bfrom\s+$", s[max(0, a.start - 6):a.start]):
                ok = False
            if ok and (s[max(0, a.start - 1):a.start] in ("从", "由") or s[max(0, a.start - 2):a.start] in ("从", "由")) and a.has_unit:
                ok = False
            if ok and a.has_unit and (a.unit != b.unit or a.kind != b.kind):
                ok = False
            if ok and not a.has_unit and a.qualifier is not None:
                ok = False
            if ok:
                alo, ahi = a.lo, a.hi
                if not a.has_unit:
                    f = _unit_factor(b)
                    alo, ahi = alo * f, ahi * f
                if a.big == 1 and b.big > 1 and abs(a.bare) <= abs(b.bare) and (not a.has_unit or "prefix" in a.rule):
                    alo, ahi = alo * b.big, ahi * b.big     # 3至5亿美元, $3-5 billion: the scale is shared
                if alo > b.lo:
                    ok = False
            if ok:
                q = Q(a.start, b.end, b.kind, alo, b.hi, b.unit, "range:" + b.rule, counted=b.counted, vague=a.vague or b.vague,
                      num_start=a.num_start, num_end=b.num_end, big=b.big, bare=b.bare, range=True, script=b.script,
                      qualifier=a.qualifier or b.qualifier, extra=dict(b.extra))
                q.extra["date_check"] = (a, b)
                out.append(q)
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _unit_factor(b):
    f = b.extra.get("factor")
    return f if f is not None else Decimal(1)


def _bare_money(s, q, doc_currency_zh):
    """特朗普投资几百亿, 美国万亿布局: an amount in 亿 after an investment word is money."""
    L = _L
    txt = s[q.num_start:q.num_end]
    if "亿" not in txt and "兆" not in txt:
        return False
    before = s[max(0, q.start - 6):q.start]
    hit = False
    for w in L["bare_before"]:
        k = before.rfind(w)
        if k >= 0 and all(ch in "了约近超逾达高总共计额" for ch in before[k + len(w):]):
            hit = True
            break
    if not hit:
        for w in L["bare_after"]:
            if s.startswith(w, q.end):
                hit = True
                break
    if not hit:
        return False
    cs = _clause_start(s, q.start, 40)
    code = None
    for m in L["actor_re"].finditer(s, cs, q.start):
        code = L["actor_code"][m.group(0)]
    q.kind = "money"
    q.unit = code or doc_currency_zh
    q.has_unit = True
    q.rule = "bare_money"
    return True


_SENT_BREAK = re.compile(r"[;；。！？!?\n\r]|(?<![A-Z])\.\s+[A-Z]")
_DIGIT = re.compile(r"\d")
_FROM_BEFORE = re.compile(r"(?:从|由|from)[^\d,，。;；]{0,6}$", re.I)
_TO_RE = re.compile(r"(?:至|到|\bto\b)", re.I)
_COORD = re.compile(r"\s*(?:和|与|及|、|and|,\s*and|or|或)\s*", re.I)
_CMP_RE = re.compile(r"(?i)(?:compared\s+(?:to|with)|versus|vs\.?|against|than|down\s+from|up\s+from|from|相比|相较|比|而|较)")


def _ellipsis(s, items):
    """$95 per kilogram, compared to $45 …; 720 rounds per minute, down from 980."""
    rates = [q for q in items if q.kind == "rate"]
    if not rates:
        return
    order = sorted(items, key=lambda q: q.start)
    pos = {id(q): i for i, q in enumerate(order)}
    for r in rates:
        base = r.extra.get("base_kind")
        num_unit = r.unit.split("/")[0]
        for q in order[pos[id(r)] + 1:pos[id(r)] + 6]:
            if q.start < r.end or q.start - r.end > 90:
                continue
            between = s[r.end:q.start]
            if _SENT_BREAK.search(between) or _DIGIT.search(between):
                break
            if not _CMP_RE.search(between) and not (_FROM_BEFORE.search(s, max(0, r.start - 10), r.start)
                                                    and _TO_RE.search(between)):
                continue
            comparable = r.lo != 0 and Decimal("0.01") <= abs(q.lo / r.lo) <= 100
            if comparable and (q.kind == "number" or (q.kind == base and q.unit == num_unit)):
                q.kind = "rate"
                q.unit = r.unit
                q.has_unit = True
                q.counted = None
                q.rule = "ellipsis:" + r.rule
            break


# ---------------------------------------------------------------- main
def _doc_currency(items, english_default):
    counts = {}
    for q in items:
        if q.kind == "money" and q.unit:
            counts[q.unit] = counts.get(q.unit, 0) + 1
    if counts:
        return max(counts.items(), key=lambda kv: kv[1])[0]
    return english_default


def extract(doc: Doc) -> Doc:
    if not _L:
        load()
    norm = _keep_cjk_commas(doc.text, doc.norm or doc.text)
    s, idx = _squeeze(norm)
    items = []
    ctx = {}
    for num in numbers.find(s):
        q = _read(s, num, "cn", ctx)
        if q is not None:
            items.append(q)
    _fractions(s, items)
    _cheng(s, items)
    _fanfan(s, items)
    if "一半" in s:
        _yiban(s, items)
    pre_cur = _doc_currency(items, "USD")
    _english(s, items, pre_cur)
    for q in items:
        if not q.has_unit:
            c = _english_count(s, q)
            if c is not None:
                q.kind, q.unit, q.counted, q.has_unit, q.rule = "count", None, c[0], True, "en:count"
                q.end = c[1]
                q.extra["counted_span"] = (c[2], c[1])
    items.sort(key=lambda q: q.start)
    items = _ranges(s, items)
    doc_cur_zh = _doc_currency(items, "CNY")
    final = []
    for q in items:
        if not q.has_unit:
            _bare_money(s, q, doc_cur_zh)
        final.append(q)
    for q in final:
        if q.has_unit:
            _qualify(s, q)
            st0 = q.start
            _rate(s, q)
            if q.qualifier is None and q.start != st0:
                _qualify(s, q)            # 突破每盎司3500美元: the qualifier stands before 每
            if q.script != "en":
                _subject(s, q)
    _ellipsis(s, final)
    prev = None
    for q in final:
        if q.has_unit:
            _change(s, q)
            if q.change == "increase" and q.lo < 0 and q.hi < 0:
                q.change = "decrease"           # 增长-3.9%: a negative growth
            if q.change is None and prev is not None and prev.change and prev.kind == q.kind \
                    and _COORD.fullmatch(s[prev.end:q.start]):
                q.change = prev.change          # 分别增长35.8%和37.9%
            prev = q
    final = [q for q in final if q.has_unit and q.kind in KINDS]
    final = _drop_urls(s, final)
    final = _drop_dates(doc, final, idx)
    final = _resolve(final)
    doc.quantities = [_to_json(doc, q, idx) for q in final]
    doc.user["quantity_spans"] = [Span(_map(idx, q.start), _map_end(idx, q.end), q.kind, q.rule) for q in final]
    return doc


_CJK_COMMA = re.compile(r"(?=[，、])(?<=[0-9])[，、](?=[0-9])")
_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+", re.I)


def _keep_cjk_commas(text, norm):
    """A full-width comma between ASCII digits is Chinese punctuation (20，300 is two numbers), not a separator."""
    if "，" not in text:
        return norm
    pos = [m.start() for m in _CJK_COMMA.finditer(text)]
    if not pos:
        return norm
    chars = list(norm)
    for i in pos:
        chars[i] = "，"
    return "".join(chars)


def _drop_urls(s, items):
    if "://" not in s and "www." not in s and "WWW." not in s:
        return items
    urls = [(m.start(), m.end()) for m in _URL.finditer(s)]
    if not urls:
        return items
    return [q for q in items if not any(a < q.end and q.start < b for a, b in urls)]


def _map(idx, p):
    if idx is None:
        return p
    k = bisect.bisect_right(idx[0], p) - 1
    return p if k < 0 else p + idx[1][k]


def _map_end(idx, p):
    return _map(idx, p - 1) + 1 if p > 0 else 0


def _drop_dates(doc, items, idx):
    dates = doc.user.get("dates") or []
    if not dates:
        return items
    spans = sorted((d.start, d.end) for d in dates)
    out = []
    for q in items:
        a, b = _map(idx, q.num_start), _map_end(idx, max(q.num_end, q.num_start + 1))
        if any(ds < b and a < de for ds, de in spans):
            continue
        out.append(q)
    return out


def _resolve(items):
    """Sorted by start, non-overlapping; the longest expression wins."""
    items = sorted(items, key=lambda q: (q.start, -(q.end - q.start)))
    out = []
    for q in items:
        if out and q.start < out[-1].end:
            if (q.end - q.start) > (out[-1].end - out[-1].start):
                out[-1] = q
            continue
        out.append(q)
    return out


def _num(d):
    if not isinstance(d, Decimal):
        d = Decimal(d)
    i = int(d)
    return i if i == d else float(d)


def _counted_as_written(doc, q, idx):
    sp = q.extra.get("counted_span")
    if sp is None:
        return q.counted
    return doc.text[_map(idx, sp[0]):_map_end(idx, sp[1])]


def _to_json(doc, q, idx):
    a, b = _map(idx, q.start), _map_end(idx, q.end)
    m = doc.mention(a, b)
    lo, hi = q.lo, q.hi
    if lo > hi:
        lo, hi = hi, lo
    value = None if (q.range or q.extra.get("value_null") or lo != hi) else _num(lo)
    return {
        "text": m["text"], "start": m["start"], "end": m["end"],
        "kind": q.kind,
        "value": value,
        "low": _num(lo), "high": _num(hi),
        "unit": q.unit,
        "counted": _counted_as_written(doc, q, idx) if q.kind == "count" else None,
        "approximate": bool(q.qualifier or q.vague or q.extra.get("value_null")),
        "qualifier": q.qualifier,
        "change": q.change,
        "subject": doc.text[_map(idx, q.subject[0]):_map_end(idx, q.subject[1])] if q.subject else None,
    }
