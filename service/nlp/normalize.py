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
# other one-character forms news text uses for ASCII signs
_FULLWIDTH.update({0x2212: ord("-"), 0xFE6A: ord("%"), 0x2030: 0x2030})

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


def detect_language(text: str, norm: str) -> str:
    """``zh-Hans``, ``zh-Hant``, ``en`` or ``mixed`` from the script of the text.

    Han characters against Latin words decide Chinese, English or mixed (each
    Latin word weighs as much as two Han characters, about the same content);
    among Han characters, the share that Traditional → Simplified changes
    decides the script.
    """
    han = sum(len(m) for m in _HAN.findall(text))
    latin_words = len(_LATIN_WORD.findall(text))
    if han == 0:
        return "en" if latin_words else "zh-Hans"
    changed = sum(1 for a, b in zip(text, norm) if a != b and 0x3400 <= ord(a) <= 0xFAFF)
    zh = "zh-Hant" if changed / han >= 0.05 else "zh-Hans"
    latin_weight = 2 * latin_words
    total = han + latin_weight
    if latin_weight / total >= 0.8:
        return "en"
    if latin_weight / total >= 0.25:
        return "mixed"
    return zh
