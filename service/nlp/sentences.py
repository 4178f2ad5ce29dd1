"""Sentence splitting with exact offsets: Chinese and English terminators, and newlines.

Run on ``doc.norm`` (full-width ！？；already ASCII there).  A sentence ends
- after 。！？；… (and ASCII ! ? ;), with any closing quotes or brackets that follow;
- after an English ``.`` followed by white space, a Han character or the end —
  but not after a known abbreviation (``Mr.``, ``U.S.``, ``Inc.``), a single-letter
  initial (``John F. Kennedy``), nor inside a number (``3.5``: no space follows);
- at every line break (``\\n``, ``\\r\\n``, ``\\r``, U+2028, U+2029).
Spans are trimmed of surrounding white space; offsets index the given text.
"""
from __future__ import annotations

import re

from .doc import Span

_CLOSERS = "”’\"'」』）)]】》"
_END = re.compile(
    r"(?:[。！？；!?;]+|…+|\.(?=[\s\u3400-\u9fff]|$))[" + re.escape(_CLOSERS) + r"]*"
    r"|\r\n|[\n\r\u2028\u2029]"
)
_SPACE = " \t\r\n\u3000\xa0\u2028\u2029"

# English abbreviations that end in a dot without ending the sentence (lower-cased, dots kept
# inside, final dot dropped): titles, company forms, months, and common Latin/English short forms.
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt gen col lt sgt capt adm gov sen rep pres rev hon
inc ltd co corp plc llc bros dept univ assn est
jan feb mar apr jun jul aug sep sept oct nov dec
vs etc e.g i.e cf al approx no nos vol pp fig
u.s u.k u.n e.u u.s.a p.m a.m
""".split())
_WORD_BEFORE = 12  # an abbreviation is short: look back at most this far (keeps the split linear)


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the ``.`` at ``dot`` the end of an abbreviation or an initial?"""
    i = dot
    lo = max(0, dot - _WORD_BEFORE)
    while i > lo and (text[i - 1].isascii() and (text[i - 1].isalpha() or text[i - 1] == ".")):
        i -= 1
    word = text[i:dot]
    if not word:
        return False
    if i > lo and text[i - 1].isascii() and text[i - 1].isalnum():
        return False  # the word is longer than any abbreviation
    if len(word) == 1 and word.isupper():
        return True  # an initial: "John F. Kennedy"
    return word.lower() in ABBREVIATIONS


def split(text: str) -> list:
    spans = []
    start = 0
    for m in _END.finditer(text):
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        _add(text, start, m.end(), spans)
        start = m.end()
    _add(text, start, len(text), spans)
    return spans


def _add(text, start, end, spans):
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE:
        end -= 1
    if end > start:
        spans.append(Span(start, end, "sentence", "sentences.split"))
