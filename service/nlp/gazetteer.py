"""Gazetteers: every ``*.tsv`` under ``service/data/gazetteer/``, validated once, one automaton.

Formats (see ``data/gazetteer/README.md``):

* entity files: header ``name  type  id  en  aliases`` (tab-separated), ``aliases``
  ``|``-separated; ``name`` is the canonical Simplified name;
* ``country_abbrev.tsv``: header ``char  name``: one-character country (or bloc)
  abbreviations used inside compounds (中美, 对美, 访华).

Every surface form (name, aliases, English name) goes into ONE pyahocorasick
automaton.  Chinese forms are converted to Simplified with the same
length-preserving converter as the text, so a Traditional alias and a
Traditional text meet in the middle.  English forms are keyed lower-case and
checked afterwards for word boundaries and case (see :func:`_case_mode`).
"""
from __future__ import annotations

import csv
import glob
import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import logging

import ahocorasick

from . import normalize

log = logging.getLogger(__name__)

TYPES = ("PERSON", "ORG", "GPE", "LOC", "PRODUCT", "MATERIAL", "LAW")
ENTITY_HEADER = ("name", "type", "id", "en", "aliases")
ABBREV_HEADER = ("char", "name")
DEFAULT_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "gazetteer")

_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_HAS_ASCII_LETTER = re.compile(r"[A-Za-z]")
_DOTS = {ord("•"): "·", ord("・"): "·", ord("‧"): "·"}
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# the only non-ASCII characters whose lower case is (or contains) ASCII: KELVIN SIGN, İ
_LOWER_TO_ASCII = ("\u212a", "\u0130")
_ID_RE = re.compile(r"^[A-Z]{2}$")


class GazetteerError(ValueError):
    """A gazetteer file is malformed: raised at start-up, never during a request."""


@dataclass(frozen=True)
class Entry:
    name: str
    type: str
    id: Optional[str]
    en: Optional[str]
    source: str          # file:line, for error messages and Span.rule


@dataclass(frozen=True)
class Surface:
    entry: int           # index into Gazetteer.entries (-1: a blocker)
    form: str            # the surface as written in the data (case kept)
    english: bool        # matched with word-boundary and case checks


def ascii_lower(s: str) -> str:
    """Lower-case ASCII letters only: same length, every other character untouched."""
    return s.translate(_ASCII_LOWER)


def is_english(form: str) -> bool:
    return bool(_HAS_ASCII_LETTER.search(form))


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Gazetteer:
    def __init__(self):
        self.entries: List[Entry] = []
        self.by_name: Dict[Tuple[str, str], int] = {}
        self.abbrev: Dict[str, int] = {}           # char -> entry index
        self.surfaces: Dict[str, int] = {}         # simplified surface -> entry (first wins)
        # the keys as UTF-8 bytes (spelt as Latin-1 str): with ~7,000 first characters a
        # character automaton's root is a long child list; over bytes it has at most 256 children
        # and iterating is ~2x faster.  Byte offsets are mapped back to characters in match_list.
        self._bytes_automaton = ahocorasick.Automaton()
        self._keys: Dict[str, List[Surface]] = {}

    # -- building -------------------------------------------------------
    def add_entry(self, name, type_, id_=None, en=None, aliases=(), source="") -> int:
        name = (name or "").strip()
        if not name:
            raise GazetteerError(f"{source}: empty name")
        if type_ not in TYPES:
            raise GazetteerError(f"{source}: unknown type {type_!r} (one of {', '.join(TYPES)})")
        id_ = (id_ or "").strip() or None
        if id_ is not None and type_ == "GPE" and not _ID_RE.match(id_) and "-" not in id_:
            raise GazetteerError(f"{source}: id {id_!r} is not an ISO 3166 code")
        en = (en or "").strip() or None
        key = (normalize.to_simplified(name), type_)
        if key in self.by_name:
            idx = self.by_name[key]           # the same thing listed twice: merge its forms
        else:
            idx = len(self.entries)
            self.entries.append(Entry(name, type_, id_, en, source))   # the name as written (昇腾 stays 昇腾)
            self.by_name[key] = idx
        forms = [name] + ([en] if en else []) + [a.strip() for a in aliases if a and a.strip()]
        for f in forms:
            self.add_surface(f, idx)
        return idx

    def add_surface(self, form: str, idx: int) -> None:
        eng = is_english(form) and not any("\u3400" <= c <= "\u9fff" for c in form)
        key = ascii_lower(normalize.to_simplified(form)).translate(_DOTS)
        if not key.strip():
            return
        lst = self._keys.setdefault(key, [])
        if any(s.entry == idx and s.form == form for s in lst):
            return
        lst.append(Surface(idx, form, eng))
        if idx >= 0 and not eng:
            self.surfaces.setdefault(key, idx)

    def add_blocker(self, form: str) -> None:
        """A word that contains a name but is not one (美元, 中东): it occupies its span.

        A listed name is never blocked (中东 is a region when regions.tsv lists it)."""
        key = ascii_lower(normalize.to_simplified(form))
        if any(sf.entry >= 0 for sf in self._keys.get(key, ())):
            return
        self.add_surface(form, -1)

    def _mode(self, sf: "Surface") -> int:
        """-1 for Chinese forms; materials are common nouns: any case unless an acronym (REE)."""
        if not sf.english:
            return -1
        mode = _case_mode(sf.form)
        if mode == 2 and sf.entry >= 0 and self.entries[sf.entry].type == "MATERIAL":
            return 0
        return mode

    def finalize(self) -> None:
        for key, lst in self._keys.items():
            checks = tuple((sf.entry, sf.form, self._mode(sf),
                            _alnum(sf.form[0]), _alnum(sf.form[-1])) for sf in lst)
            bkey = key.encode("utf-8").decode("latin-1")
            self._bytes_automaton.add_word(bkey, (len(key), len(bkey), checks))
        if len(self._keys):
            self._bytes_automaton.make_automaton()

    # -- loading --------------------------------------------------------
    def load_dir(self, directory: str) -> None:
        files = sorted(glob.glob(os.path.join(directory, "*.tsv")))
        abbrev_files = [f for f in files if os.path.basename(f) == "country_abbrev.tsv"]
        for f in files:
            if f not in abbrev_files:
                self._load_entities(f)
        for f in abbrev_files:
            self._load_abbrev(f)

    def _rows(self, path: str, header: tuple):
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            head = None
            for lineno, row in enumerate(reader, 1):
                if not row or not "".join(row).strip() or row[0].startswith("#"):
                    continue
                if head is None:
                    head = tuple(c.strip().lower() for c in row)
                    if head[: len(header)] != header[: len(head)] or len(head) < 2:
                        raise GazetteerError(f"{path}:{lineno}: header {head} != {header}")
                    continue
                if len(row) > len(head):
                    raise GazetteerError(f"{path}:{lineno}: {len(row)} columns, header has {len(head)}")
                row = list(row) + [""] * (len(head) - len(row))
                yield f"{os.path.basename(path)}:{lineno}", dict(zip(head, row))

    def _load_entities(self, path: str) -> None:
        for src, r in self._rows(path, ENTITY_HEADER):
            aliases = (r.get("aliases") or "").split("|")
            self.add_entry(r.get("name"), (r.get("type") or "").strip(), r.get("id"), r.get("en"), aliases, src)

    def _load_abbrev(self, path: str) -> None:
        for src, r in self._rows(path, ABBREV_HEADER):
            ch = normalize.to_simplified((r.get("char") or "").strip())
            name = normalize.to_simplified((r.get("name") or "").strip())
            if not 1 <= len(ch) <= 2:
                raise GazetteerError(f"{src}: abbreviation {ch!r} is not one or two characters")
            idx = next((i for (n, _t), i in self.by_name.items() if n == name), None)
            if idx is None:
                # the row it names may live in a file not written yet: skip, loudly
                log.warning("%s: abbreviation %s names %r, which no gazetteer lists", src, ch, name)
                continue
            self.abbrev.setdefault(ch, idx)

    # -- matching -------------------------------------------------------
    def matches(self, norm: str, low: Optional[str] = None):
        """Yield ``(start, end, Surface)`` for every surface found in ``norm`` (all overlaps)."""
        if not len(self._keys):
            return
        if low is None:
            low = norm.lower()
            if len(low) != len(norm):
                low = ascii_lower(norm)
        for start, end, entry in self.match_list(norm, low):
            yield start, end, next(sf for sf in self._keys[low[start:end]] if sf.entry == entry)

    def match_list(self, norm: str, low: Optional[str] = None, longest: bool = False) -> list:
        """``[(start, end, entry)]`` (entry -1: a blocker), checks applied; the hot path.

        Every overlapping match, or with ``longest`` the leftmost-longest ones only (no overlaps).
        """
        if not len(self._keys):
            return []
        exact = low is not None
        if low is None:
            low = norm.lower()
            if len(low) != len(norm):
                low = ascii_lower(norm)
            if "•" in low or "・" in low or "‧" in low:
                low = low.translate(_DOTS)        # 洛克希德•马丁 is listed as 洛克希德·马丁
        raw = low.encode("utf-8")
        lat = raw.decode("latin-1")
        hits = self._bytes_automaton.iter_long(lat) if longest else self._bytes_automaton.iter(lat)
        # the word-boundary checks read the bytes around a match: an ASCII letter or digit there is
        # one in norm too, unless norm has a character whose lower case is ASCII (or low came from
        # the caller): then they read norm itself
        if exact or any(c in norm for c in _LOWER_TO_ASCII):
            return self._match_exact(norm, raw, hits, longest)
        out = []
        n_bytes = len(raw)
        ascii_only = n_bytes == len(low)
        b_at, c_at = 0, 0          # a byte offset and its character offset (matches come by end)
        for end_idx, (n, nb, checks) in hits:
            bend = end_idx + 1     # a match is whole UTF-8 characters: it ends on a boundary
            start = -1             # character offsets: computed for a match that passes the checks
            for entry, form, case, left, right in checks:
                if left and bend > nb and lat[bend - nb - 1] in _ASCII_ALNUM:
                    continue
                if case >= 0 and right and bend < n_bytes and lat[bend] in _ASCII_ALNUM:
                    continue
                if start < 0:      # the first match here to pass the boundary checks
                    if ascii_only:
                        end = bend
                    else:
                        if bend != b_at:
                            c_at += len(raw[b_at:bend].decode("utf-8"))
                            b_at = bend
                        end = c_at
                    start = end - n
                if case == 1 and norm[start:end] != form:
                    continue
                if case > 1 and not next((c for c in norm[start:end] if c.isalpha()), "").isupper():
                    continue
                out.append((start, end, entry))
                if longest:
                    break
        return out

    @staticmethod
    def _match_exact(norm: str, raw: bytes, hits, longest: bool) -> list:
        """match_list's loop with every check read from ``norm`` at character offsets."""
        out = []
        n_text = len(norm)
        ascii_only = len(raw) == n_text
        b_at, c_at = 0, 0
        for end_idx, (n, _nb, checks) in hits:
            end = end_idx + 1
            if not ascii_only:
                if end != b_at:
                    c_at += len(raw[b_at:end].decode("utf-8"))
                    b_at = end
                end = c_at
            start = end - n
            for entry, form, case, left, right in checks:
                if left and start > 0:
                    c = norm[start - 1]
                    if c.isascii() and c.isalnum():
                        continue
                if case >= 0:
                    if right and end < n_text:
                        c = norm[end]
                        if c.isascii() and c.isalnum():
                            continue
                    if case == 1:
                        if norm[start:end] != form:
                            continue
                    elif case == 2:
                        first = next((c for c in norm[start:end] if c.isalpha()), "")
                        if not first.isupper():
                            continue
                out.append((start, end, entry))
                if longest:
                    break
        return out


def _case_mode(form: str) -> int:
    """0: any case (rare earths), 1: exact (US, WTO, U.S.), 2: capitalised (China, Trump)."""
    letters = [c for c in form if c.isalpha() and c.isascii()]
    if not letters:
        return 0
    upper = sum(1 for c in letters if c.isupper())
    if upper == len(letters) or (upper >= 2 and len(letters) <= 5):
        return 1
    return 2 if form[0].isupper() else 0


def load(directory: str = DEFAULT_DIR, blockers=()) -> Gazetteer:
    gz = Gazetteer()
    if os.path.isdir(directory):
        gz.load_dir(directory)
    for b in blockers:
        gz.add_blocker(b)
    gz.finalize()
    return gz
