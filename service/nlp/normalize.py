"""Length-preserving normalisation: full-width forms → ASCII, Traditional → Simplified.

Every output character stands at the offset of the input character it came
from, so offsets found in the normalised text are offsets in the submitted one.
"""
from __future__ import annotations

import re
from functools import lru_cache

import opencc

# U+FF01..U+FF5E are the full-width forms of U+0021..U+007E; U+3000 is the ideographic space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# other one-character forms news text uses for ASCII signs: minus sign, small percent,
# the wave dash of ranges (10〜20), and the no-break and fixed-width spaces
_FULLWIDTH.update({0x2212: ord("-"), 0xFE6A: ord("%"), 0x301C: ord("~"), 0x00A0: 0x20, 0x202F: 0x20})
_FULLWIDTH.update({cp: 0x20 for cp in range(0x2000, 0x200B)})

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_CHUNK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=1)
def _converter() -> "opencc.OpenCC":
    return opencc.OpenCC("t2s")


def load() -> None:
    """Build the converter at start-up, not on the first request."""
    _converter().convert("測試")


def _t2s_same_length(run: str) -> str:
    """Convert one run of Han characters, phrase-aware where OpenCC keeps the length."""
    conv = _converter()
    out = conv.convert(run)
    if len(out) == len(run):
        return out
    # a phrase mapping changed the length: fall back to one character at a time
    chars = []
    for ch in run:
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


def to_simplified(text: str) -> str:
    """Traditional → Simplified, same length, non-Han characters untouched."""
    return _HAN.sub(lambda m: _t2s_same_length(m.group(0)), text)


def fullwidth_to_ascii(text: str) -> str:
    return text.translate(_FULLWIDTH)


def normalize(text: str) -> str:
    out = to_simplified(fullwidth_to_ascii(text))
    assert len(out) == len(text)
    return out


_LATIN_WORD = re.compile(r"[A-Za-z]+")
# a sentence is Chinese with at least this many Han characters, English with this many Latin words
_MIN_HAN, _MIN_WORDS = 4, 4
# English grammar words: Latin words without any of them are names in a Chinese sentence
# ("苹果发布iPhone 16 Pro Max"), not English
_FUNCTION_WORDS = frozenset("""
a an the of to in on at by for from with about as into over after before than
and or but not no is are was were be been being has have had will would can could
should may might must do does did it its this that these those which who whom
he she they we you i his her their our said says say
""".split())


def _script(han: int, words: list) -> str:
    """``zh``, ``en`` or ``""`` for a stretch of text; a Latin word weighs as much as two Han characters."""
    n = len(words)
    if n and 2 * n > han and any(w.lower() in _FUNCTION_WORDS for w in words):
        return "en"
    if han:
        return "zh"
    return ""


def detect_language(text: str, norm: str, sentences=None) -> str:
    """``zh-Hans``, ``zh-Hant``, ``en`` or ``mixed``.

    Each sentence is Chinese or English by its script (Han characters against
    Latin words); a text with substantial sentences of both is ``mixed`` (a
    Chinese headline over an English summary, an English quote in a Chinese
    report), else it is the language of its sentences — an English name in a
    Chinese sentence, or a Chinese name in an English one, does not make it
    mixed.  Among Han characters, the share that Traditional → Simplified
    changes decides ``zh-Hant`` (5% or more) against ``zh-Hans``.
    """
    if sentences is None:
        from .sentences import split
        sentences = split(norm)
    zh = en = False
    for s in sentences:
        part = norm[s.start:s.end]
        han = sum(len(m) for m in _HAN.findall(part))
        words = _LATIN_WORD.findall(part)
        kind = _script(han, words)
        zh |= kind == "zh" and han >= _MIN_HAN
        en |= kind == "en" and len(words) >= _MIN_WORDS
    han = sum(len(m) for m in _HAN.findall(text))
    if zh and en:
        return "mixed"
    if en or (not zh and _script(han, _LATIN_WORD.findall(text)) == "en"):
        return "en"
    if han == 0:  # no Chinese at all: English if it has Latin words (digits or emoji alone: the default)
        return "en" if _LATIN_WORD.search(text) else "zh-Hans"
    changed = sum(1 for a, b in zip(text, norm) if a != b and 0x3400 <= ord(a) <= 0xFAFF)
    return "zh-Hant" if changed / han >= 0.05 else "zh-Hans"
