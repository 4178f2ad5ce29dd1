"""The one module that imports jieba.

A private ``jieba.Tokenizer`` (never the global one), its own cache directory,
quiet logging, loaded at start-up.  Other modules ask for tokens with offsets
and may add words (gazetteer names) through :func:`add_words`.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import threading

import jieba
import jieba.posseg

_lock = threading.Lock()
_tokenizer = None
_pos = None
_added: set = set()


def _cache_dir() -> str:
    d = os.environ.get("ZHX_JIEBA_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "zhx-jieba")
    os.makedirs(d, exist_ok=True)
    return d


def load() -> None:
    """Build (or read from its cache) jieba's prefix dictionary once."""
    global _tokenizer, _pos
    with _lock:
        if _tokenizer is not None:
            return
        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.tmp_dir = _cache_dir()
        tok.initialize()
        _pos = jieba.posseg.POSTokenizer(tok)
        _tokenizer = tok


def loaded() -> bool:
    return _tokenizer is not None


def tokenizer():
    if _tokenizer is None:
        load()
    return _tokenizer


def word_tag(word: str) -> str:
    """jieba's dictionary POS tag of ``word`` ('' when it has none)."""
    if _pos is None:
        tokenizer()
    return (_pos.word_tag_tab.get(word) or "") if _pos is not None else ""


def add_words(words, tag: str = None, freq: int = None) -> None:
    """Teach the private tokenizer words it must not split (names from the gazetteers)."""
    tok = tokenizer()
    for w in words:
        if w and w not in _added:
            tok.add_word(w, freq=freq, tag=tag)
            if tag and _pos is not None:
                _pos.word_tag_tab[w] = tag
            _added.add(w)


def tokenize(text: str) -> list:
    """``[(word, start, end)]`` covering ``text`` exactly (HMM on for unknown words)."""
    out = []
    pos = 0
    for w in tokenizer().cut(text, HMM=True):
        out.append((w, pos, pos + len(w)))
        pos += len(w)
    _check_cover(text, pos)
    return out


def _check_cover(text: str, pos: int) -> None:
    """Offsets are cumulative lengths: they hold only if jieba gave back every character."""
    if pos != len(text):
        raise RuntimeError(f"jieba tokens cover {pos} of {len(text)} characters")


# jieba.posseg reads each run of these characters as one block and tags the
# unknown single characters in it with an HMM whose cost per character is about
# a millisecond (every POS x BMES state).  Real prose breaks such runs at
# punctuation within a few dozen characters; a run this long is machine-made
# (repeated or unpunctuated text), and there the HMM is switched off so that
# tagging stays cheap and linear.
_LONG_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._]{%d,}" % 200)


def pos_tokenize(text: str) -> list:
    """``[(word, flag, start, end)]`` from jieba.posseg on the private tokenizer."""
    if _pos is None:
        load()
    out = []
    pos = 0
    for piece, hmm in _pieces(text):
        for pair in _pos.cut(piece, HMM=hmm):
            w = pair.word
            out.append((w, pair.flag, pos, pos + len(w)))
            pos += len(w)
    _check_cover(text, pos)
    return out


def _pieces(text: str):
    """``(piece, use_hmm)``: the text as is, with over-long blocks cut out to tag without the HMM."""
    last = 0
    for m in _LONG_BLOCK.finditer(text):
        if m.start() > last:
            yield text[last:m.start()], True
        yield m.group(0), False
        last = m.end()
    if last < len(text) or not text:
        yield text[last:], True
