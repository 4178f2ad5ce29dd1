"""Numerals: Arabic (separators, decimals, 万/亿 suffixes), Chinese (〇一二两…十百千万亿兆,
formal 壹贰叁, vague 几/数/二三十), and English (four, 1.5 billion, 400 million).

Everything works on the normalised text (Simplified, ASCII digits).  ``find(s)``
yields every numeral in ``s`` with its bounds; quantities.py decides which of them
carry a unit.  Arithmetic is decimal, so ``1,100.9亿`` is exactly 110090000000.

One compiled pattern finds numeral runs; a small state machine reads each run
(linear in its length); nothing here can backtrack on long digit or comma runs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterator, Optional

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "壹": 1, "幺": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
             "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
             "九": 9, "玖": 9}
CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10 ** 4, "亿": 10 ** 8, "兆": 10 ** 12}
CN_VAGUE = "几数"
CN_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL) + "".join(CN_BIG) + CN_VAGUE

# Arabic digits with optional thousands separators (exactly three digits after each comma) and decimals
ARABIC = r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?"
# the leading lookahead lets the regex engine skip to candidate characters (3x faster scans)
RUN_RE = re.compile(r"(?=[0-9" + CN_CHARS + r"])(?>(?:" + ARABIC + r"|[" + CN_CHARS + r"]|点(?=[\d" + "".join(CN_DIGITS) + r"]))+)")
TOKEN_RE = re.compile(ARABIC + r"|.", re.S)

MAX_DIGITS = 18     # longer digit strings are codes, ids, phone numbers, not amounts
MAX_RUN = 64
_PURE_AR = re.compile(r"[0-9][0-9,.]*")
CURRENCY_CODES_GLUED = set()    # filled by quantities.load() from currencies.yaml
_NAME_BEFORE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz[#_/\\@№")
_PLAIN_AR = re.compile(r"[0-9]{1,18}(?:\.[0-9]+)?|[0-9]{1,3}(?:,[0-9]{3}){1,5}(?:\.[0-9]+)?")


@dataclass(slots=True)
class Numeral:
    start: int
    end: int
    lo: Decimal
    hi: Decimal
    vague: bool = False        # 几百, 二三十, 数万 …
    big: int = 1               # product of the trailing 万/亿/兆 (and million/billion) scale, for shared ranges
    bare: Decimal = Decimal(0)  # value before that trailing scale
    script: str = "cn"         # "ar" (pure Arabic), "cn" (any Chinese numeral char), "en" (English words)
    leading_one: bool = False  # the whole numeral is 一 (an article, not a count)
    int_digits: int = 0        # digits before the decimal point of a pure Arabic numeral
    has_comma: bool = False
    bare_start: bool = False   # begins with 百/千/万/亿 and no digit (上千亿, 逾百家, 万亿布局)


def to_json_number(d: Decimal):
    """A Decimal as a JSON number: int when integral, else float."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


class _Reader:
    """Reads one run of numeral tokens; stops (without error) at the first token that cannot continue it."""

    def __init__(self, tokens, allow_bare: bool, pick_hi: bool):
        self.tokens = tokens
        self.allow_bare = allow_bare
        self.pick_hi = pick_hi

    def read(self):
        toks = self.tokens
        total = Decimal(0)
        section = Decimal(0)
        num: Optional[Decimal] = None
        prev = None            # type of the previous accepted token
        last_unit = 0          # value of the last unit read
        last_small = 10 ** 9   # smallest small unit in this section, to refuse 十百
        max_big = 0
        positional = False     # a digit string like 二〇二五 or 三八
        vague = False
        consumed = 0           # tokens accepted
        trailing_big = 1
        bare_before_big = None
        cn_digit_after_unit = False
        i = 0
        n = len(toks)
        while i < n:
            t = toks[i]
            c = t[0]
            if c.isdigit() and c.isascii():
                if prev not in (None, "big", "small"):
                    break
                try:
                    num = Decimal(t.replace(",", ""))
                except InvalidOperation:
                    break
                prev = "arabic"
                cn_digit_after_unit = False
            elif t in CN_DIGITS or t in CN_VAGUE:
                if t in CN_VAGUE:
                    if prev in ("arabic", "digit", "vague"):
                        break
                    nxt = toks[i + 1] if i + 1 < n else ""
                    lead = prev is None and (nxt in CN_SMALL or nxt in CN_BIG)
                    if t == "数" and not lead:
                        break
                    lo, hi = (1, 10) if lead else (1, 9)
                    num = Decimal(hi if self.pick_hi else lo)
                    vague = True
                    prev = "vague"
                    cn_digit_after_unit = False
                    i += 1
                    consumed = i
                    continue
                d = CN_DIGITS[t]
                if prev == "arabic":
                    break
                if prev == "digit":
                    nxt = toks[i + 1] if i + 1 < n else ""
                    pair = (int(num), d)
                    if not positional and not last_unit and (d == int(num) + 1 or pair in ((3, 5), (1, 3))) \
                            and (nxt in CN_SMALL or nxt in CN_BIG or pair in ((3, 5), (1, 2), (2, 3), (1, 3)) or nxt == ""
                                 and toks[i - 1] not in ("〇", "零")):
                        # 二三十, 三四百: between the two digits
                        if self.pick_hi:
                            num = Decimal(d)
                        vague = True
                        prev = "vague"
                        i += 1
                        consumed = i
                        continue
                    if last_unit or vague:
                        break
                    positional = True
                    num = num * 10 + d
                elif prev == "dot":
                    break
                else:
                    if d == 0 and prev in ("small", "big"):
                        prev = "zero"          # 一百零五: a place holder
                        i += 1
                        consumed = i
                        continue
                    num = Decimal(d)
                    cn_digit_after_unit = prev in ("small", "big")
                prev = "digit"
            elif t == "点":
                if prev == "small" and num is None:
                    num = Decimal(0)             # 一百二十点五: the decimals follow the whole section
                elif num is None or prev not in ("digit", "arabic") or positional and last_unit:
                    break
                # decimal digits: Chinese or Arabic
                j = i + 1
                frac = ""
                while j < n and (toks[j] in CN_DIGITS or (toks[j][0].isdigit() and toks[j][0].isascii())):
                    if toks[j] in CN_DIGITS:
                        frac += str(CN_DIGITS[toks[j]])
                    else:
                        if "," in toks[j] or "." in toks[j]:
                            break
                        frac += toks[j]
                    j += 1
                if not frac:
                    break
                num = num + Decimal("0." + frac)
                i = j
                consumed = i
                prev = "dot"
                cn_digit_after_unit = False
                continue
            elif t in CN_SMALL:
                u = CN_SMALL[t]
                if positional or prev == "dot":
                    break
                if num is None:
                    if prev is None and (u == 10 or self.allow_bare):
                        num = Decimal(1)
                    elif prev == "zero" and u == 10:
                        num = Decimal(1)   # 一百零十 is not written, but 十万零十 is
                    else:
                        break
                if u >= last_small:
                    break
                section += num * u
                num = None
                last_small = u
                last_unit = u
                prev = "small"
                cn_digit_after_unit = False
            elif t in CN_BIG:
                u = CN_BIG[t]
                if positional and num is not None and num >= 10:
                    break
                val = section + (num if num is not None else 0)
                if val == 0 and num is None:
                    if prev == "big":
                        total = total * u          # 万亿: the scales compound
                    elif prev is None and self.allow_bare:
                        total = Decimal(u)
                    else:
                        break
                elif total and u > max_big:
                    total = (total + val) * u
                else:
                    total += val * u
                if prev == "big":
                    trailing_big *= u
                else:
                    trailing_big = u
                    bare_before_big = val if val else Decimal(1)
                section = Decimal(0)
                num = None
                last_small = 10 ** 9
                last_unit = u
                max_big = max(max_big, u)
                prev = "big"
                cn_digit_after_unit = False
            else:
                break
            i += 1
            consumed = i
        if consumed == 0:
            return None
        # an unfinished 点 or dangling state was cut off above; finish the sum
        if num is not None and cn_digit_after_unit and prev == "digit" and last_unit >= 100:
            num = num * (last_unit // 10)        # 三万五 = 35000, 一百二 = 120
        value = total + section + (num if num is not None else 0)
        if prev != "big":
            trailing_big = 1
            bare_before_big = value
        return value, consumed, vague, trailing_big, bare_before_big


def tokenize(run: str) -> list:
    return TOKEN_RE.findall(run)


def parse_run(run: str, allow_bare: bool = False):
    """Read the longest numeral prefix of ``run``.

    Returns ``(lo, hi, chars_consumed, vague, big, bare)`` or None.
    """
    toks = tokenize(run)
    lo_r = _Reader(toks, allow_bare, False).read()
    if lo_r is None:
        return None
    hi_r = _Reader(toks, allow_bare, True).read() if lo_r[2] else lo_r
    if hi_r is None or hi_r[1] != lo_r[1]:
        hi_r = lo_r
    n_chars = len("".join(toks[: lo_r[1]]))
    lo, hi = lo_r[0], hi_r[0]
    if hi < lo:
        lo, hi = hi, lo
    return lo, hi, n_chars, lo_r[2], lo_r[3], lo_r[4]


def arabic_ok(text: str) -> bool:
    digits = text.split(".")[0].replace(",", "")
    return 0 < len(digits) <= MAX_DIGITS


def find(s: str, pos: int = 0, endpos: Optional[int] = None) -> Iterator[Numeral]:
    """Every maximal Chinese/Arabic numeral run in ``s`` (English words: see ``english``)."""
    endpos = len(s) if endpos is None else endpos
    for m in RUN_RE.finditer(s, pos, endpos):
        a = m.start()
        if m.end() - a > MAX_RUN:
            continue            # a run of 65+ numeral characters is a code or noise, never an amount
        if a and (s[a - 1] in _NAME_BEFORE) and not (a >= 3 and s[a - 3:a] in CURRENCY_CODES_GLUED):
            continue            # F35, DS592, [4], #3: names, codes, citations (RMB100 is money)
        yield from numerals_in_run(s, a, m.end())


def numerals_in_run(s: str, start: int, end: int, allow_bare: bool = False) -> Iterator[Numeral]:
    run = s[start:end]
    if _PLAIN_AR.fullmatch(run):
        # the common case: a plain Arabic number, no state machine needed
        v = Decimal(run.replace(",", ""))
        yield Numeral(start, end, v, v, False, 1, v, "ar", False, len(run.split(".")[0].replace(",", "")), "," in run)
        return
    r = parse_run(run, allow_bare)
    bare_start = False
    if r is None and run[0] in "百千万亿兆佰仟":
        r = parse_run(run, True)
        bare_start = True
    if r is None:
        return
    lo, hi, n, vague, big, bare = r
    text = run[:n]
    pure_ar = _PURE_AR.fullmatch(text) is not None
    if pure_ar and not arabic_ok(text):
        return
    yield Numeral(start, start + n, lo, hi, vague, big, bare if bare is not None else lo,
                  "ar" if pure_ar else "cn", text in ("一", "壹"),
                  len(text.split(".")[0].replace(",", "")) if pure_ar else 0, "," in text, bare_start)


# ---------------------------------------------------------------- English number words
EN_ONES = {}
EN_TENS = {}
EN_SCALES = {}


def configure_english(ones: dict, tens: dict, scales: dict) -> None:
    EN_ONES.clear(); EN_ONES.update(ones)
    EN_TENS.clear(); EN_TENS.update(tens)
    EN_SCALES.clear(); EN_SCALES.update(scales)


def english_words_value(words: list) -> Optional[Decimal]:
    """``["four", "hundred", "and", "twenty"]`` → 420 (None when the words are not a number)."""
    total = Decimal(0)
    current = Decimal(0)
    seen = False
    for w in words:
        if w == "and":
            continue
        if w in ("a", "an") and not seen:
            current = Decimal(1)
            continue
        if w in EN_ONES:
            current += EN_ONES[w]
        elif w in EN_TENS:
            current += EN_TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in EN_SCALES:
            total += (current or 1) * EN_SCALES[w]
            current = Decimal(0)
        else:
            return None
        seen = True
    if not seen:
        return None
    return total + current
