"""Dates, date intervals and clock times, found on ``doc.norm``, resolved against ``doc.published``.

``extract(doc)`` sets ``doc.user["dates"]`` to a sorted list of non-overlapping
``Span(start, end, label, rule, value)``:

* ``label="DATE"``: ``value`` is an ISO 8601 string when it can be resolved — a
  day ``2025-08-20``, a month ``2025-07``, a year ``2025``, an ISO week
  ``2025-W30`` or an interval ``2025-05/2025-07`` — else ``None`` (a relative
  date without ``published``, a month or day without a year, a holiday outside
  the table).
* ``label="TIME"``: clock times (``下午3点``, ``15:30``, ``3 p.m.``), ``value=None``;
  they are reported only so that the quantities stage skips them.

How it works (Duckling's grammar, Recognizers-Text's data-driven patterns):

1. *Atoms*: bounded regexes, built from the word tables in ``data/dates.yaml``,
   find the pieces of a Chinese date — an absolute year ``2025年``, a relative
   year ``去年``, a month ``7月份`` (with a part: ``初``, ``下旬``), a day
   ``20日``, a month range ``1-7月``, ``前11个月``, ``一季度``, ``上半年``,
   ``上月``, ``昨天``, ``上周三``, ``春节``, ``80年代``, ``三年前`` …
2. *Chains*: adjacent atoms combine in calendar order — year, then a period of
   the year (month, quarter, half, first N months, season, holiday), then a
   day — ``去年`` + ``12月`` → ``去年12月``.  English dates (``August 20, 2025``,
   ``in July``, ``last year``, ``Q1 2025``) and numeric ones (``2025-08-20``,
   ``2025/8/20``) come whole from their own patterns.
3. *Intervals*: two dates joined by a connector (``到``, ``至``, ``-``, ``to``),
   with an optional opener (``从``, ``from``): ``从5月到7月``, ``8月20日至22日``;
   the right side inherits the year and month it leaves out.
4. *Selection*: leftmost-longest, non-overlapping.

Resolution rules (documented here and in ``data/dates.yaml``):

* a year-less month or month range ends in the latest such month not after the
  publication month + ``month_lookahead`` (2): published 2025-08-25, ``7月`` →
  2025-07, ``10月`` → 2025-10, ``11月`` → 2024-11, ``前11个月`` →
  2024-01/2024-11 (published 2025-12-10: 2025-01/2025-11); published
  2025-12-15, ``1月`` → 2026-01, published 2026-01-05, ``12月`` → 2025-12;
* quarters, halves and year parts use the start month and ``period_lookahead`` (4);
* a bare day ``20日`` right after a full date takes that date's month
  (``中方于4月4日宣布反制，4日晚…`` → 4 April, within 400 characters);
  otherwise it is the nearest 20th (previous, current or next month), a future
  distance counting double;
* a bare weekday ``周一`` is the most recent Monday on or before the anchor;
  ``上周三`` is the Wednesday of the previous ISO week; ``本周`` is an ISO week;
* a holiday without a year (``春节``, ``国庆节``) is its nearest occurrence, a
  future distance counting double; lunar ones come from a table (2015-2030);
* after a future marker (``将于``, ``定于``, ``计划于`` …) a year-less date is the
  next occurrence: ``将于20日`` → the coming 20th, ``将于12月`` → the coming December;
* ``N年前``/``N个月前``/``N天前`` are dates (N units before the anchor);
  ``N日前`` is "before the Nth" and ``数十年前`` is vague: neither is read;
* English: ``August 20, 2025``, ``20 August 2025``, ``Aug. 2025``, ``in July``
  (``May`` and ``March`` only after a cue such as *in*, *since*, *by*), a bare
  year only after a cue (*in 2018*, *by 2030*, *the 2025 Summit*, not
  *of 2000 tons*), ``Q1 2025``, ``first half of 2025``, ``first seven months
  of this year``, ``1980s``, ``last year``, ``three years ago``, ``Monday``;
* durations are not dates: ``10年``, ``三个月``, ``近三个月``, ``过去三个月``,
  ``两年内``, ``多年来`` produce nothing here (the quantities stage reads them);
  ``前11个月`` (the first 11 months of a year) is a date interval;
* ``近日``, ``日前``, ``目前``, ``当前``, ``如今``, ``当天``, ``同期`` are not resolvable
  dates and produce nothing.

Every regex is bounded (no nested or unbounded quantifier over the same
characters), and digits are guarded by look-behinds, so the stage is linear in
the length of the text; a pattern is skipped outright when the text lacks every
substring its matches need (``_GATES``).
"""
from __future__ import annotations

import calendar
import datetime as _dt
import os
import re
from dataclasses import dataclass, replace
from typing import Optional

from . import lexicons
from .doc import Doc, Span
from .lexicons import at, mapping, str_list

_DATA = os.path.join(lexicons.DATA_DIR, "dates.yaml")

_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


# --------------------------------------------------------------------------- values

@dataclass(frozen=True)
class Unit:
    """One calendar unit: ``gran`` is Y, M, W or D; ``day`` its first day."""

    gran: str
    day: _dt.date

    def iso(self) -> str:
        d = self.day
        if self.gran == "Y":
            return f"{d.year:04d}"
        if self.gran == "M":
            return f"{d.year:04d}-{d.month:02d}"
        if self.gran == "W":
            y, w, _ = d.isocalendar()
            return f"{y:04d}-W{w:02d}"
        return d.isoformat()


@dataclass(frozen=True)
class Period:
    lo: Unit
    hi: Unit

    def iso(self) -> str:
        a, b = self.lo.iso(), self.hi.iso()
        return a if a == b else f"{a}/{b}"


def _month_unit(y: int, m: int) -> Optional[Unit]:
    y, m = _add_months(y, m, 0)
    if not 1 <= y <= 9999:
        return None
    return Unit("M", _dt.date(y, m, 1))


def _year_unit(y: int) -> Optional[Unit]:
    return Unit("Y", _dt.date(y, 1, 1)) if 1 <= y <= 9999 else None


def _day_unit(y: int, m: int, d: int) -> Optional[Unit]:
    try:
        return Unit("D", _dt.date(y, m, d))
    except ValueError:
        return None


def _add_months(y: int, m: int, k: int) -> tuple:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _period(lo: Optional[Unit], hi: Optional[Unit] = None) -> Optional[Period]:
    if lo is None:
        return None
    hi = lo if hi is None else hi
    if hi is None or hi.day < lo.day:
        return None
    return Period(lo, hi)


# --------------------------------------------------------------------------- expressions

@dataclass
class Expr:
    """What a (chain of) atom(s) says, before it is resolved against the anchor."""

    year: Optional[int] = None          # absolute year
    ryear: Optional[int] = None         # year offset from the anchor (去年 = -1)
    ryear_end: Optional[int] = None     # last year offset of a span of years (今明两年)
    ayear: Optional[int] = None         # year offset from the year the text last named (同年, 次年)
    ypart: Optional[tuple] = None       # (first, last) month of a year part (年底)
    years: Optional[tuple] = None       # (first, last) absolute years (decade, year range)
    rcentury: Optional[int] = None      # century offset (本世纪 = 0)
    months: Optional[tuple] = None      # (first, last) month of the year; 14 = next February
    mkind: str = ""                     # month | range | first | quarter | half | season
    holiday: Optional[str] = None
    rmonth: Optional[int] = None        # month offset from the anchor (上月 = -1)
    mpart: Optional[tuple] = None       # (first, last) day of a month part (下旬)
    day: Optional[int] = None
    days: Optional[tuple] = None        # (first, last) day (20-22日)
    rday: Optional[int] = None
    rweek: Optional[int] = None
    weekday: Optional[int] = None       # 1 = Monday
    rquarter: Optional[int] = None
    ago: Optional[tuple] = None         # (n, unit) — 三年前
    fixed: Optional[Period] = None      # resolved already (2025-08-20)
    future: bool = False                # after 将于/定于…: the next occurrence, not the last

    def has_year(self) -> bool:
        return self.year is not None or self.ryear is not None or self.ayear is not None

    def day_only(self) -> bool:
        return (self.day is not None or self.days is not None) and self.months is None \
            and self.rmonth is None and not self.has_year() and self.fixed is None


@dataclass
class Atom:
    start: int
    end: int
    kind: str
    expr: Expr
    bare_ok: bool = True                # may stand alone as a date
    nxt: tuple = ()                     # kinds of atom that may follow in a chain


@dataclass
class Cand:
    start: int
    end: int
    label: str
    rule: str
    expr: Optional[Expr] = None
    pair: Optional[tuple] = None        # (Expr, Expr) for an interval


# --------------------------------------------------------------------------- tables

DatesDataError = lexicons.DataFileError     # dates.yaml is malformed: raised at start-up, never during a request


@dataclass
class _Tables:
    raw: dict
    month_lookahead: int
    period_lookahead: int
    day_future_weight: float
    numerals: dict
    rel: dict                 # kind -> {word: (offset, not_before, not_after)}
    rel_year_spans: dict
    ana_years: dict
    weekday_prefixes: list
    weekdays: dict
    weekday_not_after: frozenset
    weekday_not_before: tuple
    year_parts: dict
    year_part_not_before: frozenset
    year_not_after: tuple
    month_parts: dict
    zhong_before: frozenset
    chu_not_before: frozenset
    fm_prefixes: list
    fm_not_before: frozenset
    halves: dict
    quarter_words: dict
    seasons: dict
    season_suffixes: list
    season_relative: dict
    decade_parts: dict
    holidays: dict            # word -> (name, month, day, lunar table or None, require_after)
    duration_markers: tuple
    future_markers: list
    day_not_after: tuple
    connectors: list
    openers: list
    day_periods: list
    en: dict
    regex: dict


_T: Optional[_Tables] = None


_F = "dates.yaml"
_EN = at(_F, "english")


def _fail(msg: str):
    raise DatesDataError(f"{_F}: {msg}")


def _int_map(d: dict, key: str, lo: int, hi: int, where: str = _F) -> dict:
    v = mapping(d, key, where, non_empty=True)
    out = {}
    for k, n in v.items():
        if not isinstance(n, int) or isinstance(n, bool) or not lo <= n <= hi:
            raise DatesDataError(f"{at(at(where, key), k)} must be an integer in [{lo}, {hi}]")
        out[str(k)] = n
    return out


def _range_map(d: dict, key: str, lo: int, hi: int) -> dict:
    v = mapping(d, key, _F, non_empty=True)
    out = {}
    for k, pair in v.items():
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(x, int) and lo <= x <= hi for x in pair) or pair[0] > pair[1]):
            _fail(f"{key}.{k} must be [first, last] within [{lo}, {hi}]")
        out[str(k)] = tuple(pair)
    return out


def _rel_table(d: dict, key: str) -> dict:
    v = mapping(d, key, _F, non_empty=True)
    out = {}
    for word, spec in v.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("offset"), int):
            _fail(f"{key}.{word} needs an integer offset")
        w = at(at(_F, key), word)
        nb, na = str_list(spec, "not_before", w, optional=True), str_list(spec, "not_after", w, optional=True)
        out[str(word)] = (spec["offset"], frozenset(nb), tuple(na))
    return out


def _ana_table(d: dict) -> dict:
    v = mapping(d, "anaphoric_years", _F, non_empty=True)
    out = {}
    for word, spec in v.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("offset"), int) \
                or not isinstance(spec.get("alone", False), bool):
            _fail(f"anaphoric_years.{word} needs an integer offset (and alone: true/false)")
        w = at(at(_F, "anaphoric_years"), word)
        nb, na = str_list(spec, "not_before", w, optional=True), str_list(spec, "not_after", w, optional=True)
        out[str(word)] = (spec["offset"], frozenset(nb), tuple(na), spec.get("alone", False))
    return out


def _alt(words) -> str:
    """A regex alternation of literal words, longest first (so the longest wins)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _build(raw: dict) -> _Tables:
    if not isinstance(raw, dict) or raw.get("version") != 1:
        _fail("expected a mapping with version: 1")
    res = mapping(raw, "resolution", _F)
    for k in ("month_lookahead", "period_lookahead"):
        if not isinstance(res.get(k), int) or not 0 <= res[k] <= 11:
            _fail(f"resolution.{k} must be an integer in [0, 11]")
    w = res.get("day_future_weight")
    if not isinstance(w, (int, float)) or w <= 0:
        _fail("resolution.day_future_weight must be a positive number")

    numerals = _int_map(raw, "numerals", 0, 10)
    rel = {k: _rel_table(raw, f"relative_{k}") for k in ("years", "months", "days", "weeks", "quarters")}

    holidays = {}
    hv = mapping(raw, "holidays", _F)
    for word, spec in hv.items():
        try:
            _dt.date(2024, spec["month"], spec["day"])
        except (TypeError, KeyError, ValueError):
            _fail(f"holidays.{word} needs a valid month and day")
        ra = str_list(spec, "require_after", at(at(_F, "holidays"), word), optional=True)
        holidays[str(word)] = (str(word), spec["month"], spec["day"], None, tuple(ra))
    lv = mapping(raw, "lunar_holidays", _F)
    lunar = {}
    for name, table in lv.items():
        if not isinstance(table, dict):
            _fail(f"lunar_holidays.{name} must map years to dates")
        t = {}
        for y, d in table.items():
            if not isinstance(y, int) or not isinstance(d, _dt.date) or d.year != y:
                _fail(f"lunar_holidays.{name}.{y} must be a date in that year")
            t[y] = d
        lunar[str(name)] = t
        holidays[str(name)] = (str(name), None, None, t, ())
    derived = mapping(raw, "lunar_derived", _F, optional=True)
    for word, spec in derived.items():
        if (not isinstance(spec, list) or len(spec) != 2 or spec[0] not in lunar
                or not isinstance(spec[1], int) or not -30 <= spec[1] <= 30):
            _fail(f"lunar_derived.{word} must be [lunar holiday, day offset within ±30]")
        shift = _dt.timedelta(days=spec[1])
        table = {y: d + shift for y, d in lunar[spec[0]].items()}
        holidays[str(word)] = (str(word), None, None, table, ())
    for alias, name in (raw.get("holiday_aliases") or {}).items():
        if name not in lunar and name not in holidays:
            _fail(f"holiday_aliases.{alias} names an unknown holiday {name}")
        holidays[str(alias)] = (name,) + holidays[name][1:]

    en = mapping(raw, "english", _F)
    en_t = {
        "months": _int_map(en, "months", 1, 12, _EN),
        "abbr": _int_map(en, "month_abbreviations", 1, 12, _EN),
        "may_cues": str_list(en, "may_cues", _EN),
        "weekdays": _int_map(en, "weekdays", 1, 7, _EN),
        "numbers": _int_map(en, "number_words", 1, 12, _EN),
        "ordinals": _int_map(en, "ordinals", 1, 4, _EN),
        "cues_strong": str_list(en, "year_cues_strong", _EN),
        "cues_weak": str_list(en, "year_cues_weak", _EN),
        "weak_followers": frozenset(str_list(en, "year_weak_followers", _EN)),
        "connectors": str_list(en, "connectors", _EN),
        "openers": str_list(en, "interval_openers", _EN),
    }
    relv = mapping(en, "relative", _EN)
    en_t["relative"] = {}
    for phrase, spec in relv.items():
        if (not isinstance(spec, list) or len(spec) != 2 or spec[0] not in ("year", "quarter", "month", "week", "day")
                or not isinstance(spec[1], int)):
            _fail(f"english.relative.{phrase} must be [year|quarter|month|week|day, offset]")
        en_t["relative"][phrase.lower()] = tuple(spec)

    fm = mapping(raw, "first_months", _F)
    fm_at = at(_F, "first_months")

    t = _Tables(
        raw=raw,
        month_lookahead=res["month_lookahead"],
        period_lookahead=res["period_lookahead"],
        day_future_weight=float(w),
        numerals=numerals,
        rel=rel,
        rel_year_spans=_range_map(raw, "relative_year_spans", -3, 3),
        ana_years=_ana_table(raw),
        weekday_prefixes=str_list(raw, "weekday_prefixes", _F),
        weekdays=_int_map(raw, "weekdays", 1, 7),
        weekday_not_after=frozenset(str_list(raw, "weekday_not_after", _F)),
        weekday_not_before=tuple(str_list(raw, "weekday_not_before", _F)),
        year_parts=_range_map(raw, "year_parts", 1, 12),
        year_part_not_before=frozenset(str_list(raw, "year_part_not_before", _F)),
        year_not_after=tuple(str_list(raw, "year_not_after", _F)),
        month_parts=_range_map(raw, "month_parts", 1, 31),
        zhong_before=frozenset(str_list(raw, "part_zhong_before", _F)),
        chu_not_before=frozenset(str_list(raw, "part_chu_not_before", _F)),
        fm_prefixes=str_list(fm, "prefixes", fm_at),
        fm_not_before=frozenset(str_list(fm, "not_before", fm_at)),
        halves=_range_map(raw, "halves", 1, 12),
        quarter_words=_int_map(raw, "quarter_words", 1, 4),
        seasons=_range_map(raw, "seasons", 1, 14),
        season_suffixes=str_list(raw, "season_suffixes", _F),
        season_relative=_int_map(raw, "season_relative", -1, 1),
        decade_parts=_range_map(raw, "decade_parts", 0, 9),
        holidays=holidays,
        duration_markers=tuple(str_list(raw, "duration_markers", _F)),
        future_markers=str_list(raw, "future_markers", _F),
        day_not_after=tuple(str_list(raw, "day_not_after", _F)),
        connectors=str_list(raw, "connectors", _F),
        openers=str_list(raw, "interval_openers", _F),
        day_periods=str_list(raw, "day_periods", _F),
        en=en_t,
        regex={},
    )
    t.regex = _compile(t)
    return t


def _compile(t: _Tables) -> dict:
    cn = "[" + re.escape("".join(k for k in t.numerals)) + "]"
    cn_year = "[" + re.escape("".join(k for k, v in t.numerals.items() if v < 10)) + "]"
    num = rf"(?:\d{{1,2}}|{cn}{{1,3}})"             # 1..31, 一..三十一
    nb = rf"(?<![\d.{re.escape(''.join(t.numerals))}])"  # no digit right before a number
    rng = "(?:" + _alt(t.connectors) + ")"
    mparts = _alt(t.month_parts)
    yparts = _alt(t.year_parts)
    r = {}
    r["year"] = rf"{nb}(?P<y>\d{{4}}|{cn_year}{{4}})[ ]?年(?P<part>{yparts})?"
    r["roc_year"] = rf"民国(?P<y>\d{{1,3}}|{cn}{{1,4}})年(?P<part>{yparts})?"
    r["year_range"] = rf"(?<![\d.])(?P<y1>\d{{4}})年?{rng}(?P<y2>\d{{4}})年"
    r["year_part"] = rf"(?<![\d.{re.escape(''.join(t.numerals))}])年(?P<part>{yparts})"
    r["ana_year"] = rf"(?P<w>{_alt(t.ana_years)})"
    r["rel_year"] = rf"(?P<w>{_alt(t.rel['years'])})(?P<part>{yparts})?"
    r["decade"] = (rf"(?:(?P<c>上|20|二十)世纪)?(?<![\d.])(?P<y>\d{{4}}|\d0|[二三四五六七八九]十)年代"
                   rf"(?P<part>{_alt(t.decade_parts)})?")
    r["century"] = r"(?<![\d.])(?P<c>\d{2}|二十一|二十|十九|本|上)世纪(?!\d|[二三四五六七八九]十年代)"
    r["month"] = rf"(?<![同每这那几数第单胎]){nb}(?P<m>{num}|元)[ ]?月(?P<fen>份)?(?P<part>{mparts})?"
    r["month_range"] = rf"{nb}(?P<m1>{num}){rng}(?P<m2>{num})月(?P<fen>份)?"
    r["first_months"] = (rf"(?P<p>{_alt(t.fm_prefixes)})(?:(?P<n>{num})个?月(?P<fen>份)?"
                         rf"|(?P<q>[一二两三123])个?季度)")
    r["quarter"] = (rf"(?:第?(?P<q>{_alt(t.quarter_words)})季度"
                    r"|(?<![A-Za-z\d])Q(?P<q2>[1-4])(?![\d]))(?P<part>末|底|初)?")
    r["year_quarter"] = r"(?<![\d.])(?P<y>19\d\d|20\d\d)[ ]?Q(?P<q>[1-4])(?![\dA-Za-z])"
    r["half"] = rf"(?P<h>{_alt(t.halves)})(?P<part>末|底|初)?"
    r["rel_year_span"] = _alt(t.rel_year_spans)
    r["season"] = rf"(?P<s>{_alt(t.seasons)})(?:{_alt(t.season_suffixes)})"
    r["season_rel"] = rf"(?P<r>{_alt(t.season_relative)})(?P<s>{_alt(t.seasons)})(?:{_alt(t.season_suffixes)})?"
    r["holiday"] = _alt(t.holidays)
    r["rel_month"] = rf"(?P<w>{_alt(t.rel['months'])})(?P<part>{mparts})?"
    r["day"] = rf"{nb}(?P<d>{num})[ ]?(?P<u>日|号)"
    r["day_range"] = rf"{nb}(?P<d1>{num}){rng}(?P<d2>{num})(?P<u>日|号)"
    r["rel_day"] = _alt(t.rel["days"])
    r["rel_quarter"] = _alt(t.rel["quarters"])
    wd_rel = "上上|上个|下个|这个|上|下|本|这"
    r["weekday"] = (rf"(?P<r>{wd_rel})?(?P<p>{_alt(t.weekday_prefixes)})"
                    rf"(?P<d>{_alt(t.weekdays)})")
    r["rel_week"] = _alt(t.rel["weeks"])
    r["ago"] = (rf"{nb}(?P<n>\d{{1,3}}|{cn}{{1,3}}|半)(?P<u>年|个月|个多月|周|个星期|星期|天)之?前"
                rf"(?![后\d{re.escape(''.join(t.numerals))}个])")
    r["iso_day"] = r"(?<![\d.])(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?!\d|\.\d)"
    r["iso_month"] = r"(?<![\d.])(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])(?!\d|-\d)"
    periods = _alt(t.day_periods)
    r["period_before"] = rf"(?:{periods})$"
    r["time_cn"] = (rf"{nb}(?P<h>\d{{1,2}}|{cn}{{1,3}})(?P<u>点|时)"
                    rf"(?:(?P<mi>\d{{1,2}}|{cn}{{1,3}})分|(?P<half>半|一刻|三刻|钟|整))?")
    r["bare_clock"] = (rf"(?:\d{{1,2}}|{cn}{{1,3}})[点时](?:(?:\d{{1,2}}|{cn}{{1,3}})分|半)?(?![\d{re.escape(''.join(t.numerals))}])")
    r["time_hm"] = rf"(?<![\d:.])(?P<h>[01]?\d|2[0-4]):(?P<mi>[0-5]\d)(?::[0-5]\d)?(?![\d:])"

    e = t.en
    mon = "|".join([re.escape(m) for m in sorted(e["months"], key=len, reverse=True)]
                   + [re.escape(a) + r"\.?" for a in sorted(e["abbr"], key=len, reverse=True)])
    mon = rf"(?<![A-Za-z])(?P<mon>{mon})(?![A-Za-z])"
    mon2 = mon.replace("?P<mon>", "?P<mon2>")
    sp = r"[ \t\u00a0]{1,3}"
    ordn = r"(?:st|nd|rd|th)?"
    year4 = r"(?P<y>1[89]\d\d|20\d\d|2100)(?!\d)"
    words = _alt(e["numbers"])
    r["en_mdy"] = rf"{mon}{sp}(?P<d>\d{{1,2}}){ordn}(?!\d)(?:,?{sp}{year4})?"
    wd = rf"(?<![A-Za-z])(?:{_alt(e['weekdays'])}),?{sp}"
    r["en_wd_mdy"] = wd + r["en_mdy"]
    r["en_dmy"] = rf"(?<![\d.])(?P<d>\d{{1,2}}){ordn}{sp}(?:of{sp})?{mon}(?:,?{sp}{year4})?"
    r["en_my"] = rf"{mon},?{sp}(?:of{sp})?{year4}"
    r["en_month"] = mon
    r["en_year"] = r"(?<![\w.,$£€¥/])(?P<y>1[89]\d\d|20\d\d|2100)(?![\w%/]|[.,]\d|-\d)"
    r["en_year_range"] = (r"(?<![\w.,$£€¥/])(?P<y1>1[89]\d\d|20\d\d)[ ]?[-–—][ ]?(?P<y2>1[89]\d\d|20\d\d|\d\d)"
                          r"(?![\w%]|[.,]\d)")
    r["en_decade"] = r"(?<![\w.,$])(?P<y>1[89]\d0|20\d0)s(?![A-Za-z])"
    r["en_rel"] = rf"(?i)(?<![A-Za-z])(?P<w>{_alt(e['relative'])})(?![A-Za-z])"
    r["en_quarter"] = (rf"(?<![A-Za-z\d])(?:Q(?P<q>[1-4])|(?P<qw>{_alt(e['ordinals'])})[ -]quarter)"
                       rf"(?:(?:{sp}of)?{sp}{year4}|{sp}of{sp}(?P<rel>this|last|next){sp}year"
                       rf"|{sp}of{sp}the{sp}year)?(?![A-Za-z\d])")
    r["en_half"] = (rf"(?<![A-Za-z\d])(?:H(?P<h>[12])(?={sp}\d{{4}})|(?P<hw>first|second){sp}half)"
                    rf"(?:(?:{sp}of)?{sp}{year4}|{sp}of{sp}(?P<rel>this|last|next){sp}year"
                    rf"|{sp}of{sp}the{sp}year)?(?![A-Za-z\d])")
    r["en_first_months"] = (rf"(?<![A-Za-z])first{sp}(?P<n>\d{{1,2}}|{words}){sp}months"
                            rf"(?:{sp}of{sp}(?:{year4}|(?P<rel>this|last|next){sp}year|the{sp}year))?(?![A-Za-z])")
    r["en_weekday"] = rf"(?<![A-Za-z])(?P<wd>{_alt(e['weekdays'])})(?![A-Za-z])"
    r["en_ago"] = (rf"(?i)(?<![A-Za-z\d.])(?P<n>\d{{1,3}}|{words}){sp}(?P<u>years?|months?|weeks?|days?)"
                   rf"{sp}ago(?![A-Za-z])")
    r["en_time"] = (r"(?<![\d:.])(?P<h>\d{1,2})(?::(?P<mi>[0-5]\d))?[ ]?"
                    r"(?:a\.m\.|p\.m\.|a\.m|p\.m|am|pm|AM|PM)(?![A-Za-z])")
    r["en_cue"] = (r"(?i)(?:^|[^A-Za-z])(?P<cue>" + _alt(e["cues_strong"] + e["cues_weak"] + e["may_cues"])
                   + r")[ \t\u00a0-]{1,3}[\"“‘']?$")
    r["en_connector"] = r"[ ]{0,2}(?:[-–—])[ ]{0,2}|[ ]{1,2}(?:to|through|until|and)[ ]{1,2}"
    r["en_opener"] = r"(?i)(?:^|[^A-Za-z])(?P<o>from|between)[ ]{1,2}$"
    r["cn_connector"] = "[ ]?(?:" + _alt(t.connectors) + ")[ ]?"
    r["duration_marker"] = "(?:" + _alt(t.duration_markers) + ")$"
    r["future"] = "(?:" + _alt(t.future_markers) + ")$"
    r["day_not_after"] = "(?:" + _alt(t.day_not_after) + ")"
    months = sorted(set(e["months"]) | set(e["abbr"]), key=len, reverse=True)
    gates = dict(_GATES)
    for k in ("en_mdy", "en_wd_mdy", "en_dmy", "en_my", "en_month"):
        gates[k] = "|".join(re.escape(m) for m in months)
    r.update({"gate:" + k: v for k, v in gates.items()})
    return {k: re.compile(v) for k, v in r.items()}


def load(path: Optional[str] = None) -> None:
    """Read and validate ``data/dates.yaml`` and compile the patterns (once, at start-up)."""
    global _T
    _T = _build(lexicons.load_yaml(path or _DATA))


def _tables() -> _Tables:
    if _T is None:
        load()
    return _T


# --------------------------------------------------------------------------- numbers

def _cn_int(s: str, t: _Tables) -> Optional[int]:
    """1..99 from ASCII digits or Chinese numerals (十二, 二十一, 三十); None if malformed."""
    if s.isascii():
        return int(s) if s.isdigit() else None
    vals = [t.numerals.get(ch) for ch in s]
    if any(v is None for v in vals):
        return None
    if 10 not in vals:
        return vals[0] if len(vals) == 1 else None
    if len(vals) == 1:
        return 10
    if len(vals) == 2:
        if vals[0] == 10 and vals[1] < 10:
            return 10 + vals[1]
        if vals[1] == 10 and 1 < vals[0] < 10:
            return vals[0] * 10
        return None
    if len(vals) == 3 and vals[1] == 10 and 1 < vals[0] < 10 and 0 < vals[2] < 10:
        return vals[0] * 10 + vals[2]
    return None


def _cn_year(s: str, t: _Tables) -> Optional[int]:
    if s.isascii():
        return int(s) if s.isdigit() else None
    vals = [t.numerals.get(ch) for ch in s]
    if any(v is None or v >= 10 for v in vals):
        return None
    return int("".join(str(v) for v in vals))


# Substrings at least one of which every match of a pattern contains: a text
# without any of them skips that pattern (most texts have no English months,
# no 世纪, no "ago").  Case-folded for the (?i) English patterns.
_GATES = {
    "year": "年", "roc_year": "民国", "year_range": "年", "year_part": "年", "rel_year": "年",
    "ana_year": "年", "rel_year_span": "年", "decade": "年代", "century": "世纪",
    "month": "月", "month_range": "月", "rel_month": "月", "first_months": "月|季度",
    "quarter": "季度|Q", "year_quarter": r"\dQ|\d Q", "half": "半年",
    "season": "[春夏秋冬]", "season_rel": "[春夏秋冬]",
    "day": "[日号]", "day_range": "[日号]", "rel_day": "[天日]", "rel_quarter": "季度",
    "weekday": "周|星期|礼拜", "rel_week": "周|星期|礼拜", "ago": "前",
    "iso_day": r"\d{4}[-/.]\d", "iso_month": r"\d{4}-[01]\d", "time_cn": "[点时]", "time_hm": r":[0-5]\d",
    "en_year": r"(?:19|20)\d\d", "en_year_range": r"\d\d ?[-–—] ?\d\d", "en_decade": r"\d0s",
    "en_rel": "(?i)year|month|week|quarter|today|yesterday|tomorrow",
    "en_quarter": "Q[1-4]|quarter", "en_half": "H[12]|half", "en_first_months": "first",
    "en_weekday": "day", "en_ago": "(?i) ago", "en_time": r"\d ?(?:[ap]\.?m|[AP]M)",
}


def _scan(t: "_Tables", name: str, text: str, memo: dict):
    """``finditer`` of one pattern, skipped outright when its gate (a cheap search for
    what every match must contain) finds nothing in the text; ``memo`` keeps each
    gate's answer for the text (several patterns share one)."""
    gate = t.regex.get("gate:" + name)
    if gate is not None:
        hit = memo.get(gate.pattern)
        if hit is None:
            hit = memo[gate.pattern] = gate.search(text) is not None
        if not hit:
            return ()
    return t.regex[name].finditer(text)


# --------------------------------------------------------------------------- atoms

def _prev(text: str, i: int) -> str:
    return text[i - 1] if i > 0 else ""


def _is_han(ch: str) -> bool:
    return bool(ch) and _HAN_RE.match(ch) is not None


def _after_duration_marker(text: str, start: int, t: _Tables) -> bool:
    return t.regex["duration_marker"].search(text, max(0, start - 4), start) is not None


def _part_ok(text: str, end: int, part: str, t: _Tables) -> bool:
    """初/中 as a year or month part only where they do not start another word (初步, 中国)."""
    nxt = text[end:end + 1]
    if part == "中":
        return not _is_han(nxt) or nxt in t.zhong_before
    if part == "初":
        return nxt not in t.chu_not_before
    if part in ("底", "末"):
        return nxt not in ("线", "部", "层", "座", "牌", "期")
    return True


def _rel_plain(t, text, memo, add, kind, table, code, field):
    """本季度 / 上周: a relative quarter or week, unless the character before it says otherwise."""
    for m in _scan(t, kind, text, memo):
        spec = table[m.group(0)]
        if _prev(text, m.start()) in spec[1]:
            continue
        add(Atom(m.start(), m.end(), code, Expr(**{field: spec[0]})))


def _rel_atoms(t, text, memo, add, kind, table, code, field, part_field, parts, nxt):
    """今年 / 上月 (and 今年上半年, 上月底): a relative year or month, with its part when one follows."""
    for m in _scan(t, kind, text, memo):
        spec = table[m["w"]]
        if not _rel_ok(text, m, spec):
            continue
        part = m["part"]
        if part and _part_ok(text, m.end(), part, t):
            add(Atom(m.start(), m.end(), code, Expr(**{field: spec[0], part_field: parts[part]})))
        add(Atom(m.start(), m.end("w"), code, Expr(**{field: spec[0]}), nxt=nxt))


def _rel_ok(text: str, m, spec) -> bool:
    _, not_before, not_after = spec
    if _prev(text, m.start()) in not_before:
        return False
    end = m.end("w") if "w" in m.re.groupindex else m.end()
    return not any(text.startswith(x, end) for x in not_after)


def _add_period(add, m, months: tuple, kind: str, mkind: str, text: str, t: _Tables) -> None:
    """A quarter or half, and with 末/底/初 its last or first month (三季度末 → September)."""
    part = m["part"]
    end = m.end("part") - len(part) if part else m.end()
    if part and _part_ok(text, m.end(), part, t):
        mo = months[0] if part == "初" else months[1]
        add(Atom(m.start(), m.end(), kind, Expr(months=(mo, mo), mkind=mkind)))
    add(Atom(m.start(), end, kind, Expr(months=months, mkind=mkind)))


def _atoms(text: str, t: _Tables, memo: dict) -> list:
    R = t.regex
    out = []
    add = out.append
    year_next = ("M", "MR", "FM", "Q", "H", "SEAS", "HOL", "YP")

    for m in _scan(t, "year", text, memo):
        y = _cn_year(m["y"], t)
        if y is None or not 1900 <= y <= 2100 or _after_duration_marker(text, m.start(), t):
            continue
        if text.startswith(t.year_not_after, m.end()):
            continue            # 2000年的历史, 2000多年: a duration
        part = m["part"]
        if part and _part_ok(text, m.end(), part, t):
            add(Atom(m.start(), m.end(), "Y", Expr(year=y, ypart=t.year_parts[part])))
        end = m.end("part") - len(part) if part else m.end()
        add(Atom(m.start(), end, "Y", Expr(year=y), nxt=year_next))
    for m in _scan(t, "roc_year", text, memo):      # Taiwan's calendar: 民國114年 is 2025
        n = int(m["y"]) if m["y"].isdigit() else _cn_int(m["y"], t)
        if n is None or not 1 <= n <= 200:
            continue
        part = m["part"]
        if part and _part_ok(text, m.end(), part, t):
            add(Atom(m.start(), m.end(), "Y", Expr(year=1911 + n, ypart=t.year_parts[part])))
        end = m.end("part") - len(part) if part else m.end()
        add(Atom(m.start(), end, "Y", Expr(year=1911 + n), nxt=year_next))
    for m in _scan(t, "year_range", text, memo):
        y1, y2 = int(m["y1"]), int(m["y2"])
        if 1900 <= y1 < y2 <= 2100:
            add(Atom(m.start(), m.end(), "YR", Expr(years=(y1, y2))))
    for m in _scan(t, "year_part", text, memo):
        if _prev(text, m.start()) in t.year_part_not_before or not _part_ok(text, m.end(), m["part"], t):
            continue
        add(Atom(m.start(), m.end(), "YP", Expr(ypart=t.year_parts[m["part"]]),
                 bare_ok=_prev(text, m.start()) != "年"))      # 09年年底: not this year's
    for m in _scan(t, "ana_year", text, memo):       # 同年10月: the year last named
        off, not_before, not_after, bare = t.ana_years[m["w"]]
        if _prev(text, m.start()) in not_before or any(text.startswith(x, m.end()) for x in not_after):
            continue
        add(Atom(m.start(), m.end(), "AY", Expr(ayear=off), bare_ok=bare, nxt=year_next))
    _rel_atoms(t, text, memo, add, "rel_year", t.rel["years"], "RY", "ryear", "ypart", t.year_parts, year_next)
    for m in _scan(t, "decade", text, memo):
        raw = m["y"]
        if len(raw) == 4:
            y = int(raw)
        elif raw.isdigit():
            n = int(raw)
            y = 1900 + n if (m["c"] or n >= 20) else 2000 + n
        else:
            y = 1900 + (_cn_int(raw, t) or 1)
        if y % 10 or not 1800 <= y <= 2090:
            continue
        lo, hi = y, y + 9
        part = m["part"]
        if part:
            if part == "中" and not _part_ok(text, m.end(), part, t):
                continue
            a, b = t.decade_parts[part]
            lo, hi = y + a, y + b
        add(Atom(m.start(), m.end(), "DEC", Expr(years=(lo, hi))))
    for m in _scan(t, "century", text, memo):
        c = m["c"]
        if c == "本":
            add(Atom(m.start(), m.end(), "CENT", Expr(rcentury=0)))
        elif c == "上":
            add(Atom(m.start(), m.end(), "CENT", Expr(rcentury=-1)))
        else:
            n = int(c) if c.isdigit() else _cn_int(c, t)
            if n and 15 <= n <= 22:
                add(Atom(m.start(), m.end(), "CENT", Expr(years=((n - 1) * 100 + 1, n * 100))))
    for m in _scan(t, "month", text, memo):
        mo = 1 if m["m"] == "元" else _cn_int(m["m"], t)
        if mo is None or not 1 <= mo <= 12 or _after_duration_marker(text, m.start(), t):
            continue
        part = m["part"]
        base_end = m.end("part") - len(part) if part else m.end()
        if part and _part_ok(text, m.end(), part, t):
            add(Atom(m.start(), m.end(), "M", Expr(months=(mo, mo), mkind="month", mpart=t.month_parts[part])))
        add(Atom(m.start(), base_end, "M", Expr(months=(mo, mo), mkind="month"), nxt=("D", "DR")))
    for m in _scan(t, "month_range", text, memo):
        a, b = _cn_int(m["m1"], t), _cn_int(m["m2"], t)
        if a and b and 1 <= a < b <= 12 and not _after_duration_marker(text, m.start(), t):
            add(Atom(m.start(), m.end(), "MR", Expr(months=(a, b), mkind="range")))
    for m in _scan(t, "first_months", text, memo):
        if _prev(text, m.start()) in t.fm_not_before:
            continue
        if m["p"] == "头" and "个" not in m.group(0):
            continue            # 龙头3月: 头 ends another word
        if m["n"]:
            n = _cn_int(m["n"], t)
            if n is None or not 1 <= n <= 12:
                continue
        else:
            q = {"一": 1, "1": 1, "二": 2, "两": 2, "2": 2, "三": 3, "3": 3}[m["q"]]
            n = 3 * q
        add(Atom(m.start(), m.end(), "FM", Expr(months=(1, n), mkind="first")))
    for m in _scan(t, "quarter", text, memo):
        q = t.quarter_words[m["q"]] if m["q"] else int(m["q2"])
        if m["q"] and _prev(text, m.start()) in ("每", "单", "个", "各", "上", "下", "本"):
            continue
        _add_period(add, m, (3 * q - 2, 3 * q), "Q", "quarter", text, t)
    for m in _scan(t, "year_quarter", text, memo):
        q = int(m["q"])
        add(Atom(m.start(), m.end(), "Q", Expr(year=int(m["y"]), months=(3 * q - 2, 3 * q), mkind="quarter")))
    for m in _scan(t, "half", text, memo):
        _add_period(add, m, t.halves[m["h"]], "H", "half", text, t)
    for m in _scan(t, "rel_year_span", text, memo):
        a, b = t.rel_year_spans[m.group(0)]
        add(Atom(m.start(), m.end(), "RYS", Expr(ryear=a, ryear_end=b)))
    for m in _scan(t, "season", text, memo):
        add(Atom(m.start(), m.end(), "SEAS", Expr(months=t.seasons[m["s"]], mkind="season"), bare_ok=False))
    for m in _scan(t, "season_rel", text, memo):
        if _prev(text, m.start()) in ("如", "至", "迄"):
            continue
        if m.end() - m.start() == 2 and text[m.end():m.end() + 1] in ("天", "日", "节"):
            continue            # 今春节: 今 + 春节
        add(Atom(m.start(), m.end(), "SEAS", Expr(ryear=t.season_relative[m["r"]], months=t.seasons[m["s"]],
                                                  mkind="season")))
    for m in _scan(t, "holiday", text, memo):
        name, _, _, _, req = t.holidays[m.group(0)]
        if req and not any(text.startswith(x, m.end()) for x in req):
            continue
        add(Atom(m.start(), m.end(), "HOL", Expr(holiday=m.group(0))))
    _rel_atoms(t, text, memo, add, "rel_month", t.rel["months"], "RM", "rmonth", "mpart", t.month_parts, ("D", "DR"))
    for m in _scan(t, "day", text, memo):
        d = _cn_int(m["d"], t)
        if d is None or not 1 <= d <= 31 or R["day_not_after"].match(text, m.end()):
            continue
        if _after_duration_marker(text, m.start(), t):
            continue
        bare = m["u"] == "日" and m["d"].isascii()
        add(Atom(m.start(), m.end(), "D", Expr(day=d), bare_ok=bare))
    for m in _scan(t, "day_range", text, memo):
        a, b = _cn_int(m["d1"], t), _cn_int(m["d2"], t)
        if a and b and 1 <= a < b <= 31 and not R["day_not_after"].match(text, m.end()):
            bare = m["u"] == "日" and m["d1"].isascii()
            add(Atom(m.start(), m.end(), "DR", Expr(days=(a, b)), bare_ok=bare))
    for m in _scan(t, "rel_day", text, memo):
        spec = t.rel["days"][m.group(0)]
        if _prev(text, m.start()) in spec[1] or any(text.startswith(x, m.end()) for x in spec[2]):
            continue
        add(Atom(m.start(), m.end(), "RD", Expr(rday=spec[0])))
    _rel_plain(t, text, memo, add, "rel_quarter", t.rel["quarters"], "RQ", "rquarter")
    for m in _scan(t, "weekday", text, memo):
        wd = t.weekdays[m["d"]]
        nxt = text[m.end():m.end() + 1]
        if nxt in t.weekday_not_after or (m["d"] == "日" and nxt == "本"):
            continue
        r = m["r"]
        if r is None:
            head = text[max(0, m.start() - 2):m.start()]
            if any(head.endswith(x) for x in t.weekday_not_before):
                continue
            add(Atom(m.start(), m.end(), "WD", Expr(weekday=wd)))
        else:
            if _prev(text, m.start()) in ("以", "之", "马") and r in ("上", "下"):
                continue
            off = {"上上": -2, "上个": -1, "上": -1, "下个": 1, "下": 1, "这个": 0, "本": 0, "这": 0}[r]
            add(Atom(m.start(), m.end(), "WD", Expr(weekday=wd, rweek=off)))
    _rel_plain(t, text, memo, add, "rel_week", t.rel["weeks"], "RW", "rweek")
    for m in _scan(t, "ago", text, memo):
        if _after_duration_marker(text, m.start(), t) or _prev(text, m.start()) in tuple("数几多上近百千万"):
            continue            # 数十年前, 上百年前: vague, not a date
        n = 0.5 if m["n"] == "半" else _cn_int(m["n"], t) if len(m["n"]) <= 3 else None
        if n is None:
            continue
        u = m["u"]
        unit = "Y" if u == "年" else "M" if "月" in u else "W" if u in ("周", "个星期", "星期") else "D"
        if u == "个多月":
            continue
        if n == 0.5:
            if unit != "Y":
                continue
            n, unit = 6, "M"
        if unit == "Y" and n > 200:
            continue
        add(Atom(m.start(), m.end(), "AGO", Expr(ago=(int(n), unit))))
    for m in _scan(t, "iso_day", text, memo):
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        u = _day_unit(y, mo, d) if 1900 <= y <= 2100 else None
        if u:
            add(Atom(m.start(), m.end(), "ISO", Expr(fixed=Period(u, u))))
    for m in _scan(t, "iso_month", text, memo):
        y = int(m["y"])
        if text.startswith(("赛季", "年度", " season", "季"), m.end()):
            continue            # 2006-07赛季 is a season, not July 2006
        if 1900 <= y <= 2100:
            u = _month_unit(y, int(m["m"]))
            add(Atom(m.start(), m.end(), "ISO", Expr(fixed=Period(u, u))))
    return out


def _en_atoms(text: str, t: _Tables, memo: dict) -> list:
    """English dates, each already a whole expression."""
    R, e = t.regex, t.en
    out = []
    add = out.append
    if _LATIN.search(text) is None:
        return out                      # no English here

    def month_of(s: str) -> int:
        return e["months"].get(s) or e["abbr"][s.rstrip(".")]

    def cue_before(start: int) -> Optional[str]:
        m = R["en_cue"].search(text[max(0, start - 16):start])
        return m["cue"].lower() if m else None

    def year_of(m) -> Optional[int]:
        return int(m["y"]) if m["y"] else None

    def rel_year(m) -> Optional[int]:
        rel = m["rel"] if "rel" in m.re.groupindex else None
        return {"this": 0, "last": -1, "next": 1}.get(rel) if rel else None

    for m in _scan(t, "en_mdy", text, memo):
        add(Atom(m.start(), m.end(), "EN", Expr(year=year_of(m), months=(month_of(m["mon"]),) * 2,
                                                 mkind="month", day=int(m["d"]))))
    for m in _scan(t, "en_wd_mdy", text, memo):      # Friday, Sept. 5: the weekday only confirms
        add(Atom(m.start(), m.end(), "EN", Expr(year=year_of(m), months=(month_of(m["mon"]),) * 2,
                                                 mkind="month", day=int(m["d"]))))
    for m in _scan(t, "en_dmy", text, memo):
        add(Atom(m.start(), m.end(), "EN", Expr(year=year_of(m), months=(month_of(m["mon"]),) * 2,
                                                 mkind="month", day=int(m["d"]))))
    for m in _scan(t, "en_my", text, memo):
        add(Atom(m.start(), m.end(), "EN", Expr(year=int(m["y"]), months=(month_of(m["mon"]),) * 2,
                                                 mkind="month")))
    for m in _scan(t, "en_month", text, memo):
        mon = m["mon"]
        if mon.rstrip(".") in ("May", "March", "Mar") and cue_before(m.start()) not in set(e["may_cues"]):
            continue
        add(Atom(m.start(), m.end(), "EN", Expr(months=(month_of(mon),) * 2, mkind="month")))
    strong, weak = set(e["cues_strong"]), set(e["cues_weak"])
    for m in _scan(t, "en_year", text, memo):
        cue = cue_before(m.start())
        nxt = text[m.end():m.end() + 24]
        ok = False
        if cue in strong:
            ok = True
        elif cue in weak:
            w = re.match(r"[ ]{1,3}([a-z]+)", nxt)
            ok = w is None or w.group(1) in e["weak_followers"]
            if cue == "the":
                ok = re.match(r"[ ]{1,3}[A-Z]", nxt) is not None
        elif nxt.startswith("'s") or (_prev(text, m.start()) == "(" and nxt.startswith(")")):
            ok = True
        if ok:
            add(Atom(m.start(), m.end(), "EN", Expr(year=int(m["y"]))))
    for m in _scan(t, "en_year_range", text, memo):
        y1, y2 = int(m["y1"]), m["y2"]
        y2 = int(y2) if len(y2) == 4 else (y1 // 100) * 100 + int(y2)
        if y1 < y2 <= 2100:
            add(Atom(m.start(), m.end(), "EN", Expr(years=(y1, y2))))
    for m in _scan(t, "en_decade", text, memo):
        y = int(m["y"])
        add(Atom(m.start(), m.end(), "EN", Expr(years=(y, y + 9))))
    for m in _scan(t, "en_rel", text, memo):
        unit, off = e["relative"][re.sub(r"\s+", " ", m["w"].lower())]
        ex = {"year": Expr(ryear=off), "quarter": Expr(rquarter=off), "month": Expr(rmonth=off),
              "week": Expr(rweek=off), "day": Expr(rday=off)}[unit]
        add(Atom(m.start(), m.end(), "EN", ex))
    for m in _scan(t, "en_quarter", text, memo):
        q = int(m["q"]) if m["q"] else e["ordinals"][m["qw"].lower()]
        add(Atom(m.start(), m.end(), "EN", Expr(year=year_of(m), ryear=rel_year(m),
                                                 months=(3 * q - 2, 3 * q), mkind="quarter")))
    for m in _scan(t, "en_half", text, memo):
        h = int(m["h"]) if m["h"] else (1 if m["hw"].lower() == "first" else 2)
        if m["hw"] and not (m["y"] or m["rel"] or m.group(0).endswith("year")):
            continue        # "the first half" of anything: only of a year
        add(Atom(m.start(), m.end(), "EN", Expr(year=year_of(m), ryear=rel_year(m),
                                                 months=(1, 6) if h == 1 else (7, 12), mkind="half")))
    for m in _scan(t, "en_first_months", text, memo):
        n = int(m["n"]) if m["n"].isdigit() else e["numbers"][m["n"].lower()]
        if 1 <= n <= 12:
            add(Atom(m.start(), m.end(), "EN", Expr(year=year_of(m), ryear=rel_year(m),
                                                     months=(1, n), mkind="first")))
    for m in _scan(t, "en_weekday", text, memo):
        add(Atom(m.start(), m.end(), "EN", Expr(weekday=e["weekdays"][m["wd"]])))
    for m in _scan(t, "en_ago", text, memo):
        n = int(m["n"]) if m["n"].isdigit() else e["numbers"].get(m["n"].lower())
        if n:
            unit = m["u"][0].upper()
            add(Atom(m.start(), m.end(), "EN", Expr(ago=(n, unit))))
    return out


_SHI_WORDS = ("间", "期", "代", "候", "尚", "髦", "事", "段", "局", "势", "速")


def _times(text: str, t: _Tables, memo: dict) -> list:
    R = t.regex
    out = []
    def period_before(i: int) -> str:
        pm = R["period_before"].search(text, max(0, i - 3), i)
        return pm.group(0) if pm else ""

    for m in _scan(t, "time_cn", text, memo):
        per = period_before(m.start())
        h = _cn_int(m["h"], t) if m["h"] not in ("零", "〇") else 0
        if h is None or h > 24:
            continue
        if m["mi"] is not None:
            mi = _cn_int(m["mi"], t) if m["mi"] not in ("零", "〇") else 0
            if mi is None or mi > 59:
                continue
        nxt = text[m.end():m.end() + 1]
        if m["u"] == "点" and not (m["mi"] or m["half"]) and (nxt.isdigit() or nxt in t.numerals):
            continue            # 零点五, 三点五: a decimal, not a clock time
        anchored = (per or m["mi"] or m["half"] or m["h"] in ("零", "〇")
                    or text.endswith("时间", 0, m.start()))      # 北京时间20点
        if m["u"] == "点" and not anchored:
            continue
        if m["u"] == "时":
            if not m["h"].isascii() and not (per or m["mi"] or m["h"] in ("零", "〇")):
                continue        # 一时, 一时半会: not a clock time
            if m["h"].isascii() and not per and _prev(text, m.start()).isascii() \
                    and _prev(text, m.start()).isalpha():
                continue        # iOS6时
            if not m["mi"] and text[m.end():m.end() + 1] in _SHI_WORDS:
                continue        # 3时期, 10时段: 时 starts another word
        if _after_duration_marker(text, m.start("h"), t) and not per:
            continue
        out.append(Cand(m.start() - len(per), m.end(), "TIME", "time_cn"))
    for m in _scan(t, "time_hm", text, memo):
        out.append(Cand(m.start() - len(period_before(m.start())), m.end(), "TIME", "time_hm"))
    for m in _scan(t, "en_time", text, memo):
        h = int(m["h"])
        if 1 <= h <= 12:
            out.append(Cand(m.start(), m.end(), "TIME", "time_en"))
    # 9:00～10:00, 上午9点至11点: one clock-time range
    by_start = {c.start: c for c in out}
    for c in list(out):
        conn = R["cn_connector"].match(text, c.end) or R["en_connector"].match(text, c.end)
        if conn is None:
            continue
        if conn.end() in by_start:
            out.append(Cand(c.start, by_start[conn.end()].end, "TIME", "time_range"))
        elif c.rule == "time_cn":
            bare = R["bare_clock"].match(text, conn.end())     # 上午9点至11点: the right end needs no 上午
            if bare is not None:
                out.append(Cand(c.start, bare.end(), "TIME", "time_range"))
    return out


# --------------------------------------------------------------------------- chains and intervals

def _merge(exprs) -> Expr:
    out = Expr()
    for ex in exprs:
        for k, v in ex.__dict__.items():
            if v is not None and v != "":
                setattr(out, k, v)
    return out


def _chains(text: str, atoms: list) -> list:
    """Every chain of adjacent atoms in calendar order: year → period → day
    (one space may separate them: ``2025 年 8 月 20 日``)."""
    by_start: dict = {}
    for a in atoms:
        by_start.setdefault(a.start, []).append(a)
    cands = []
    for a in atoms:
        if a.bare_ok and a.kind != "EN":
            cands.append(Cand(a.start, a.end, "DATE", a.kind, a.expr))
        elif a.kind == "EN":
            cands.append(Cand(a.start, a.end, "DATE", "en", a.expr))
        if not a.nxt:
            continue
        for b in _next_atoms(text, by_start, a.end):
            if b.kind not in a.nxt:
                continue
            rule = f"{a.kind}+{b.kind}"
            cands.append(Cand(a.start, b.end, "DATE", rule, _merge((a.expr, b.expr))))
            if not b.nxt:
                continue
            for c in _next_atoms(text, by_start, b.end):
                if c.kind in b.nxt:
                    cands.append(Cand(a.start, c.end, "DATE", f"{rule}+{c.kind}",
                                      _merge((a.expr, b.expr, c.expr))))
    return cands


def _next_atoms(text: str, by_start: dict, end: int) -> list:
    nxt = by_start.get(end, [])
    if text[end:end + 1] == " ":
        nxt = nxt + by_start.get(end + 1, [])
    return nxt


def _intervals(text: str, dates: list, t: _Tables) -> list:
    """``E1 connector E2`` (with an optional opener before E1) as one interval."""
    R = t.regex
    by_start: dict = {}
    for c in dates:
        by_start.setdefault(c.start, []).append(c)
    out = []
    for c1 in dates:
        english = c1.rule == "en"
        conn = (R["en_connector"] if english else R["cn_connector"]).match(text, c1.end)
        if conn is None:
            continue
        opener_start = None
        if english:
            ws = max(0, c1.start - 10)
            om = R["en_opener"].search(text[ws:c1.start])
            if om:
                opener_start = ws + om.start("o")
            is_and = conn.group(0).strip() == "and"
            between = om is not None and om["o"].lower() == "between"
            if is_and != between:
                continue
        else:
            for o in t.openers:
                if c1.start >= len(o) and text.startswith(o, c1.start - len(o)):
                    opener_start = c1.start - len(o)
                    break
        for c2 in by_start.get(conn.end(), ()):
            if c2.label != "DATE" or (c2.rule == "en") != english:
                continue
            if not _compatible(c1.expr, c2.expr):
                continue
            start = opener_start if opener_start is not None else c1.start
            out.append(Cand(start, c2.end, "DATE", f"interval({c1.rule},{c2.rule})", pair=(c1.expr, c2.expr)))
    return out


def _level(e: Expr) -> int:
    """Coarse granularity: 3 year, 2 month/period, 1 day/week, 0 other."""
    if e.day is not None or e.days is not None or e.rday is not None or e.weekday is not None:
        return 1
    if e.fixed is not None:
        return {"Y": 3, "M": 2}.get(e.fixed.lo.gran, 1)
    if e.months is not None or e.rmonth is not None or e.holiday or e.rquarter is not None:
        return 2
    if e.year is not None or e.ryear is not None or e.years is not None:
        return 3
    return 0


def _compatible(e1: Expr, e2: Expr) -> bool:
    if e1.ago or e2.ago or e1.rweek is not None or e2.rweek is not None:
        return False
    l1, l2 = _level(e1), _level(e2)
    if e2.day_only():
        return l1 in (1, 2) and (e1.months is not None or e1.rmonth is not None or e1.fixed is not None)
    return l1 == l2 and l1 > 0


def _select(cands: list) -> list:
    """Leftmost-longest, non-overlapping."""
    cands.sort(key=lambda c: (c.start, -(c.end - c.start), c.label != "DATE"))
    out, last = [], -1
    for c in cands:
        if c.start >= last and c.end > c.start:
            out.append(c)
            last = c.end
    return out


# --------------------------------------------------------------------------- resolution

def _bare_year(e: Expr, anchor: _dt.date, t: _Tables) -> int:
    a, b = e.months
    if e.future:                # 将于10月: the next such period that has not ended
        return anchor.year if min(b, 12) >= anchor.month else anchor.year + 1
    if e.mkind in ("month", "range", "first"):
        # the latest such month not after the anchor month + look-ahead (wrapping the year end)
        ahead = (b - anchor.month) % 12
        if ahead <= t.month_lookahead:
            return anchor.year + (1 if b < anchor.month else 0)
        return anchor.year if b <= anchor.month else anchor.year - 1
    # quarters, halves, seasons: within the publication year unless they start too far ahead
    return anchor.year if a <= anchor.month + t.period_lookahead else anchor.year - 1


def _in_month(y: int, m: int, e: Expr) -> Optional[Period]:
    if e.day is not None:
        return _period(_day_unit(y, m, e.day))
    if e.days is not None:
        return _period(_day_unit(y, m, e.days[0]), _day_unit(y, m, e.days[1]))
    if e.mpart is not None:
        last = _last_day(y, m)
        return _period(_day_unit(y, m, e.mpart[0]), _day_unit(y, m, min(e.mpart[1], last)))
    return _period(_month_unit(y, m))


def _holiday(e: Expr, y: int, t: _Tables) -> Optional[Period]:
    _, mo, d, lunar, _ = t.holidays[e.holiday]
    if lunar is not None:
        day = lunar.get(y)
        return _period(Unit("D", day)) if day else None
    return _period(_day_unit(y, mo, d))


def _resolve(e: Expr, anchor: Optional[_dt.date], t: _Tables) -> Optional[Period]:
    if e.fixed is not None:
        return e.fixed
    if e.years is not None:
        return _period(_year_unit(e.years[0]), _year_unit(e.years[1]))
    explicit = e.year is not None
    if not explicit and anchor is None:
        return None                     # relative or year-less: needs the anchor
    if e.ryear_end is not None:
        return _period(_year_unit(anchor.year + e.ryear), _year_unit(anchor.year + e.ryear_end))
    if e.rcentury is not None:
        c = (anchor.year - 1) // 100 + 1 + e.rcentury
        return _period(_year_unit((c - 1) * 100 + 1), _year_unit(c * 100))
    if e.ago is not None:
        n, unit = e.ago
        if unit == "Y":
            return _period(_year_unit(anchor.year - n))
        if unit == "M":
            return _period(_month_unit(*_add_months(anchor.year, anchor.month, -n)))
        if unit == "W":
            return _period(Unit("W", _monday(anchor) - _dt.timedelta(weeks=n)))
        return _period(Unit("D", anchor - _dt.timedelta(days=n)))
    if e.rday is not None:
        return _period(Unit("D", anchor + _dt.timedelta(days=e.rday)))
    if e.weekday is not None:
        if e.rweek is not None:
            d = _monday(anchor) + _dt.timedelta(weeks=e.rweek, days=e.weekday - 1)
        elif e.future:
            d = anchor + _dt.timedelta(days=(e.weekday - anchor.isoweekday()) % 7)
        else:
            d = anchor - _dt.timedelta(days=(anchor.isoweekday() - e.weekday) % 7)
        return _period(Unit("D", d))
    if e.rweek is not None:
        return _period(Unit("W", _monday(anchor) + _dt.timedelta(weeks=e.rweek)))
    if e.rquarter is not None:
        q0 = (anchor.month - 1) // 3 + e.rquarter
        y, m = _add_months(anchor.year, 1, 3 * q0)
        return _period(_month_unit(y, m), _month_unit(y, m + 2))
    if e.rmonth is not None:
        y, m = _add_months(anchor.year, anchor.month, e.rmonth)
        return _in_month(y, m, e)
    y = e.year if explicit else (anchor.year + e.ryear if e.ryear is not None else None)
    if e.holiday is not None:
        if y is None:               # the nearest occurrence, a future one counting double
            best, cost = None, None
            for yy in (anchor.year - 1, anchor.year, anchor.year + 1):
                p = _holiday(e, yy, t)
                if p is None:
                    continue
                delta = (p.lo.day - anchor).days
                if e.future:
                    c = delta if delta >= 0 else None
                else:
                    c = -delta if delta <= 0 else delta * t.day_future_weight
                if c is not None and (cost is None or c < cost):
                    best, cost = p, c
            return best
        return _holiday(e, y, t)
    if e.months is not None:
        if y is None:
            y = _bare_year(e, anchor, t)
        a, b = e.months
        if a == b and e.mkind == "month":
            return _in_month(y, a, e)
        return _period(_month_unit(y, a), _month_unit(*_add_months(y, b, 0)))
    if e.day is not None or e.days is not None:
        if y is not None:
            return None
        return _bare_day(e, anchor, t)
    if e.ypart is not None:
        y = anchor.year if y is None else y
        return _period(_month_unit(y, e.ypart[0]), _month_unit(y, e.ypart[1]))
    if y is not None:
        return _period(_year_unit(y))
    return None


def _monday(d: _dt.date) -> _dt.date:
    return d - _dt.timedelta(days=d.isoweekday() - 1)


def _bare_day(e: Expr, anchor: _dt.date, t: _Tables) -> Optional[Period]:
    first = e.day if e.day is not None else e.days[0]
    best, best_cost = None, None
    for k in (-1, 0, 1):
        y, m = _add_months(anchor.year, anchor.month, k)
        u = _day_unit(y, m, first)
        if u is None:
            continue
        delta = (u.day - anchor).days
        if e.future:
            cost = delta if delta >= 0 else None
        else:
            cost = -delta if delta <= 0 else delta * t.day_future_weight
        if cost is not None and (best_cost is None or cost < best_cost):
            best, best_cost = (y, m), cost
    return _in_month(*best, e) if best else None


def _left_takes_year(e1, e2, anchor, t):
    """An interval whose left month has no year: it takes the right side's year (the year before
    when its month comes later: November to February 2025 is 2024-11/2025-02)."""
    p2 = _resolve(e2, anchor, t)
    if p2 is None:
        return None, None
    y = p2.lo.day.year - (1 if e1.months[0] > e2.months[0] else 0)
    return _resolve(replace(e1, year=y), anchor, t), p2


def _resolve_pair(e1: Expr, e2: Expr, anchor, t: _Tables) -> Optional[Period]:
    if e2.day_only():
        p1 = _resolve(e1, anchor, t)
        if p1 is None:
            return None
        p2 = _in_month(p1.hi.day.year, p1.hi.day.month, e2)
    elif e2.months is not None and not e2.has_year() and e2.rmonth is None and e2.fixed is None:
        if e1.has_year() or e1.fixed is not None:
            p1 = _resolve(e1, anchor, t)
            if p1 is None:
                return None
            y = p1.hi.day.year
            if e2.months[0] < p1.hi.day.month and e1.months is not None:
                y += 1
            p2 = _resolve(replace(e2, year=y), anchor, t)
        elif e1.months is not None and not e1.has_year() and e1.rmonth is None:
            p1, p2 = _left_takes_year(e1, e2, anchor, t)
        else:
            p1, p2 = _resolve(e1, anchor, t), _resolve(e2, anchor, t)
    elif (e1.months is not None and not e1.has_year() and e1.rmonth is None and e1.fixed is None
          and e2.months is not None and e2.has_year()):
        p1, p2 = _left_takes_year(e1, e2, anchor, t)     # January to March 2025
    else:
        p1, p2 = _resolve(e1, anchor, t), _resolve(e2, anchor, t)
    if p1 is None or p2 is None or p2.hi.day < p1.lo.day:
        return None
    return Period(p1.lo, p2.hi)


# --------------------------------------------------------------------------- entry points

def find(norm: str, published: Optional[_dt.date] = None) -> list:
    """Date and time spans of a normalised text, sorted and non-overlapping."""
    t = _tables()
    memo: dict = {}
    atoms = _atoms(norm, t, memo) + _en_atoms(norm, t, memo)
    dates = _chains(norm, atoms)
    dates += _intervals(norm, dates, t)
    chosen = _select(dates + _times(norm, t, memo))
    spans = []
    ctx = None          # (offset, Unit) of the last full day named (4月4日 …, 5日)
    year_ctx = None     # (offset, year) of the last year named (2019年5月 … 同年8月)
    for c in chosen:
        value = None
        if c.label == "DATE":
            if _anaphoric(c):
                if year_ctx is None or c.start - year_ctx[0] > _CONTEXT_CHARS:
                    if c.rule == "AY":
                        continue    # 同年 with no year before it: nothing to read
                    spans.append(Span(c.start, c.end, c.label, c.rule, None))
                    continue        # 同年8月: a date, but of which year?
                c = _with_year(c, year_ctx[1])
            if t.regex["future"].search(norm, max(0, c.start - 6), c.start):
                c = _as_future(c)
            try:
                p = _resolve_candidate(c, published, ctx, t)
            except (OverflowError, ValueError):
                p = None        # beyond the calendar (an anchor near year 1 or 9999)
            if p is not None:
                value = p.iso()
                if _names_day(c) and p.lo.day.replace(day=1) == p.hi.day.replace(day=1):
                    ctx = (c.end, p.hi)
                if _names_year(c) and p.lo.day.year == p.hi.day.year:
                    year_ctx = (c.end, p.lo.day.year)
        spans.append(Span(c.start, c.end, c.label, c.rule, value))
    return spans


def _exprs(c: Cand) -> tuple:
    return c.pair if c.pair else (c.expr,)


def _anaphoric(c: Cand) -> bool:
    return any(e.ayear is not None for e in _exprs(c))


def _with_year(c: Cand, year: int) -> Cand:
    def fix(e):
        return replace(e, year=year + e.ayear, ayear=None) if e.ayear is not None else e
    if c.pair:
        return replace(c, pair=(fix(c.pair[0]), fix(c.pair[1])))
    return replace(c, expr=fix(c.expr))


def _names_year(c: Cand) -> bool:
    """The date names its year outright (2019年5月, 2025-08-20, 民國114年), not 去年."""
    return any(e.year is not None or (e.fixed is not None and e.fixed.lo.gran != "W") for e in _exprs(c))


def _as_future(c: Cand) -> Cand:
    if c.pair:
        return replace(c, pair=(replace(c.pair[0], future=True), replace(c.pair[1], future=True)))
    return replace(c, expr=replace(c.expr, future=True))


def _names_day(c: Cand) -> bool:
    """The date names a day of a named month (4月4日, 2025-04-04), not a holiday or 昨天."""
    for e in (c.pair if c.pair else (c.expr,)):
        if e.fixed is not None and e.fixed.hi.gran == "D":
            return True
        if (e.day is not None or e.days is not None) and (e.months is not None or e.rmonth is not None):
            return True
    return False


def _resolve_candidate(c: Cand, published, ctx, t: _Tables) -> Optional[Period]:
    """A bare day (20日) right after a date that named its month takes that month:
    中方于4月4日宣布反制，4日晚美方回应 → 4日 is 4 April, whatever the anchor."""
    e = c.pair[0] if c.pair else c.expr
    if ctx is not None and e.day_only() and c.start - ctx[0] <= _CONTEXT_CHARS:
        unit = ctx[1]
        y, m = unit.day.year, unit.day.month
        first = e.day if e.day is not None else e.days[0]
        if unit.gran == "D" and first < unit.day.day:
            y, m = _add_months(y, m, 1)
        p1 = _in_month(y, m, e)
        if p1 is None:
            return None
        if not c.pair:
            return p1
        return _resolve_pair(Expr(fixed=p1), c.pair[1], published, t)
    if c.pair:
        return _resolve_pair(*c.pair, published, t)
    return _resolve(c.expr, published, t)


# how far (in characters) a date's month carries over to a following bare day
_CONTEXT_CHARS = 400


def extract(doc: Doc) -> Doc:
    """Set ``doc.user["dates"]`` to the DATE and TIME spans of ``doc.norm``."""
    published = doc.published
    if isinstance(published, _dt.datetime):
        published = published.date()
    elif isinstance(published, str):            # a caller that skipped the schema
        try:
            published = _dt.date.fromisoformat(published)
        except ValueError:
            published = None
    elif not isinstance(published, _dt.date):
        published = None
    doc.user["dates"] = find(doc.norm, published)
    return doc
