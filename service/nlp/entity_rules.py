"""Loads and validates ``data/entity_rules.yaml`` (head words, titles, suffixes, stop-lists)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from . import lexicons, normalize

PATH = os.path.join(lexicons.DATA_DIR, "entity_rules.yaml")
_F = "entity_rules.yaml"
_AB, _OH, _PR, _AD = (lexicons.at(_F, k) for k in ("abbrev", "org_heads", "product", "address"))

RulesError = lexicons.DataFileError     # entity_rules.yaml is malformed: raised at start-up


def _words(d: dict, key: str, where: str = _F) -> list:
    """A word list, Simplified; a string stands for the list of its characters."""
    v = d.get(key)
    if isinstance(v, str):
        return [normalize.to_simplified(ch) for ch in v]
    return [normalize.to_simplified(w) if not w.isascii() else w for w in lexicons.str_list(d, key, where)]


class WordList(tuple):
    """Words longest first (suffix tests find 有限公司 before 公司), with set-speed ``in``."""

    def __new__(cls, words):
        obj = super().__new__(cls, sorted(set(words), key=lambda w: (-len(w), w)))
        obj._set = frozenset(obj)
        obj.words = obj._set
        obj.lengths = sorted({len(w) for w in obj._set}, reverse=True)
        obj.memo = {}
        return obj

    def __contains__(self, w) -> bool:
        return w in self._set

    def __add__(self, other) -> "WordList":
        return WordList(tuple(self) + tuple(other))


def _by_length(words) -> WordList:
    return WordList(words)


@dataclass
class Rules:
    blockers: list
    abbrev_prefixes: frozenset
    abbrev_suffixes: tuple
    abbrev_not_before: tuple
    abbrev_not_in_runs: frozenset
    org_company: tuple
    org_institution: tuple
    org_gov: tuple
    not_org: frozenset
    org_generic: frozenset
    org_english: tuple
    titles: frozenset
    person_verbs: frozenset
    not_name_chars: frozenset
    not_person: frozenset
    surnames: frozenset
    translit: frozenset
    joiners: frozenset
    gpe_suffixes: tuple
    loc_suffixes: tuple
    not_place: frozenset
    law_heads: tuple
    law_weak: frozenset
    media_suffixes: tuple
    law_generic: frozenset
    product_class: tuple
    product_named_class: frozenset
    product_generic: frozenset
    not_codes: frozenset
    abbrev_single: frozenset = frozenset()
    abbrev_suffix_only: frozenset = frozenset()
    abbrev_compound_flags: frozenset = frozenset()
    titles_en: tuple = ()
    law_heads_en: tuple = ()
    metonyms: dict = field(default_factory=dict)
    loc_words: tuple = ()
    person_trailing: tuple = ()
    surname_titles: tuple = ()
    org_extensions: tuple = ()
    org_branches: tuple = ()
    road_suffixes: tuple = ()
    road_heads_alone: frozenset = frozenset()
    not_road: frozenset = frozenset()
    address_units: frozenset = frozenset()
    extra: dict = field(default_factory=dict)


def _metonyms(m) -> dict:
    if not isinstance(m, dict) or not all(isinstance(k, str) and isinstance(v, str) and k and v for k, v in m.items()):
        raise RulesError("entity_rules.yaml: metonyms must map words to gazetteer names")
    return {normalize.to_simplified(k): normalize.to_simplified(v) for k, v in m.items()}


def load(path: str = PATH) -> Rules:
    d = lexicons.load_yaml(path)
    ab, oh, pr, ad = (lexicons.mapping(d, k, _F, optional=True) for k in ("abbrev", "org_heads", "product", "address"))
    joiners = d.get("name_joiners")
    if not isinstance(joiners, str) or not joiners:
        raise RulesError("entity_rules.yaml: name_joiners must be a string of characters")
    r = Rules(
        blockers=_words(d, "blockers"),
        abbrev_prefixes=frozenset(_words(ab, "prefixes", _AB)),
        abbrev_suffixes=_by_length(_words(ab, "suffixes", _AB)),
        abbrev_not_before=_by_length(_words(ab, "not_before", _AB)),
        abbrev_not_in_runs=frozenset(_words(ab, "not_in_runs", _AB)),
        org_company=_by_length(_words(oh, "company", _OH)),
        org_institution=_by_length(_words(oh, "institution", _OH)),
        org_gov=_by_length(_words(oh, "gov", _OH)),
        not_org=frozenset(_words(oh, "not_org", _OH)),
        org_generic=frozenset(_words(oh, "generic_modifiers", _OH)),
        org_english=_by_length(_words(oh, "english", _OH)),
        titles=frozenset(_words(d, "person_titles")),
        person_verbs=frozenset(_words(d, "person_verbs")),
        not_name_chars=frozenset(_words(d, "not_name_chars")),
        not_person=frozenset(_words(d, "not_person")),
        surnames=frozenset(_words(d, "surnames")),
        translit=frozenset(_words(d, "translit_chars")),
        joiners=frozenset(joiners),
        gpe_suffixes=_by_length(_words(d, "gpe_suffixes")),
        loc_suffixes=_by_length(_words(d, "loc_suffixes")),
        not_place=frozenset(_words(d, "not_place")),
        law_heads=_by_length(_words(d, "law_heads")),
        law_weak=frozenset(_words(d, "law_heads_need_title")),
        media_suffixes=_by_length(_words(d, "media_suffixes")),
        law_generic=frozenset(_words(d, "law_generic_modifiers")),
        product_class=_by_length(_words(pr, "class_nouns", _PR)),
        product_named_class=frozenset(_words(pr, "named_class_nouns", _PR)),
        product_generic=frozenset(_words(pr, "generic_modifiers", _PR)),
        not_codes=frozenset(_words(pr, "not_codes", _PR)),
        abbrev_single=frozenset(_words(ab, "single", _AB)),
        abbrev_suffix_only=frozenset(_words(ab, "suffix_only", _AB)),
        abbrev_compound_flags=frozenset(_words(ab, "compound_flags", _AB)),
        titles_en=_by_length(_words(d, "person_titles_en")),
        law_heads_en=_by_length(_words(d, "law_heads_en")),
        metonyms=_metonyms(d.get("metonyms") or {}),
        loc_words=_by_length(_words(d, "loc_words")),
        person_trailing=_by_length(_words(d, "person_trailing")),
        surname_titles=_by_length(_words(d, "surname_titles")),
        org_extensions=_by_length(_words(d, "org_extensions")),
        org_branches=_by_length(_words(d, "org_branches")),
        road_suffixes=_by_length(_words(ad, "road_suffixes", _AD)),
        road_heads_alone=frozenset(_words(ad, "road_heads_alone", _AD)),
        not_road=frozenset(_words(ad, "not_road", _AD)),
        address_units=frozenset(_words(ad, "units", _AD)),
    )
    for s in r.surnames:
        if len(s) > 2:
            raise RulesError(f"entity_rules.yaml: surname {s!r} longer than two characters")
    return r
