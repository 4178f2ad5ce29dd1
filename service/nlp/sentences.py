"""Sentence splitting with exact offsets: Chinese and English terminators, and newlines."""
from __future__ import annotations

import re

from .doc import Span

# a sentence ends after 。！？；… (and their ASCII forms in Chinese text), with any
# closing quotes or brackets that follow; English . ! ? end one only before white
# space; a newline always ends one.
_END = re.compile(
    r"""(?:[。！？；!?;]+|…+|\.(?=\s|$))[”’"'」』）)\]]*|\n"""
)
_SPACE = " \t\r\n\u3000\xa0"


def split(text: str) -> list:
    spans = []
    start = 0
    for m in _END.finditer(text):
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
