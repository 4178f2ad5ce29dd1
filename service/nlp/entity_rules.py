"""Loads and validates ``data/entity_rules.yaml`` (head words, titles, suffixes, stop-lists)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from . import lexicons, normalize

PATH = os.path.join(lexicons.DATA_DIR, "entity_rules.yaml")
_F = "entity_rules.yaml"

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
    abbrev_beside: dict = field(default_factory=dict)
    loc_words: tuple = ()
    person_trailing: tuple = ()
    person_not_endings: frozenset = frozenset()
    person_not_endings_translit: frozenset = frozenset()
    person_not_before: frozenset = frozenset()
    surname_titles: tuple = ()
    org_extensions: tuple = ()
    org_branches: tuple = ()
    road_suffixes: tuple = ()
    road_heads_alone: frozenset = frozenset()
    not_road: frozenset = frozenset()
    address_units: frozenset = frozenset()
    sports_context: tuple = ()
    sports_before: frozenset = frozenset()
    sports_after: frozenset = frozenset()
    sports_fixture: tuple = ()
    team_heads: tuple = ()
    org_channel_owners: frozenset = frozenset()
    org_company_compound: frozenset = frozenset()
    org_walk_stops: frozenset = frozenset()
    commoner_roles: tuple = ()
    honorifics: tuple = ()
    name_clitics: frozenset = frozenset()
    not_place_initials: frozenset = frozenset()
    not_org_endings: tuple = ()
    local_title_tails: frozenset = frozenset()
    org_unit_parents: tuple = ()
    org_units: tuple = ()
    local_levels: frozenset = frozenset()
    local_after: frozenset = frozenset()
    local_bodies: tuple = ()
    org_channels: tuple = ()
    venue_heads: tuple = ()
    venue_place_heads: tuple = ()
    venue_generic: frozenset = frozenset()
    venue_units: tuple = ()
    venue_named_places: tuple = ()
    venue_single_not_before: frozenset = frozenset()
    district_suffixes: tuple = ()
    neighbourhood_ends: frozenset = frozenset()
    hotels: tuple = ()
    venue_centres: tuple = ()
    venue_centre_services: tuple = ()
    venue_glued: frozenset = frozenset()
    place_class_nouns: tuple = ()
    extra: dict = field(default_factory=dict)


def _beside(m) -> dict:
    """abbrev.beside: {abbreviation: (the name it means, the abbreviations it must stand beside)}."""
    out = {}
    for ab, v in (m or {}).items():
        if not isinstance(v, dict) or not isinstance(v.get("means"), str) or not isinstance(v.get("with"), list) \
                or not all(isinstance(w, str) and w for w in v["with"]):
            raise RulesError(f"entity_rules.yaml: abbrev.beside.{ab} needs means (a name) and with (a list)")
        out[normalize.to_simplified(str(ab))] = (normalize.to_simplified(v["means"]),
                                                 frozenset(normalize.to_simplified(w) for w in v["with"]))
    return out


def _metonyms(m) -> dict:
    if not isinstance(m, dict) or not all(isinstance(k, str) and isinstance(v, str) and k and v for k, v in m.items()):
        raise RulesError("entity_rules.yaml: metonyms must map words to gazetteer names")
    return {normalize.to_simplified(k): normalize.to_simplified(v) for k, v in m.items()}


# field of Rules, section of entity_rules.yaml ('' for the top level), key, kind:
# list (as written), set (frozenset), or by_length (WordList, longest first)
_FIELDS = (
    ("blockers", "", "blockers", "list"),
    ("abbrev_prefixes", "abbrev", "prefixes", "set"),
    ("abbrev_suffixes", "abbrev", "suffixes", "by_length"),
    ("abbrev_not_before", "abbrev", "not_before", "by_length"),
    ("abbrev_not_in_runs", "abbrev", "not_in_runs", "set"),
    ("org_company", "org_heads", "company", "by_length"),
    ("org_institution", "org_heads", "institution", "by_length"),
    ("org_gov", "org_heads", "gov", "by_length"),
    ("not_org", "org_heads", "not_org", "set"),
    ("org_generic", "org_heads", "generic_modifiers", "set"),
    ("org_company_compound", "org_heads", "company_compound", "set"),
    ("org_walk_stops", "org_heads", "walk_stops", "set"),
    ("commoner_roles", "", "commoner_roles", "by_length"),
    ("honorifics", "", "honorifics", "by_length"),
    ("name_clitics", "", "name_clitics", "set"),
    ("not_place_initials", "", "not_place_initials", "set"),
    ("not_org_endings", "org_heads", "not_org_endings", "by_length"),
    ("local_title_tails", "local_bodies", "title_tails", "set"),
    ("org_english", "org_heads", "english", "by_length"),
    ("titles", "", "person_titles", "set"),
    ("person_verbs", "", "person_verbs", "set"),
    ("not_name_chars", "", "not_name_chars", "set"),
    ("not_person", "", "not_person", "set"),
    ("surnames", "", "surnames", "set"),
    ("translit", "", "translit_chars", "set"),
    ("gpe_suffixes", "", "gpe_suffixes", "by_length"),
    ("loc_suffixes", "", "loc_suffixes", "by_length"),
    ("not_place", "", "not_place", "set"),
    ("law_heads", "", "law_heads", "by_length"),
    ("law_weak", "", "law_heads_need_title", "set"),
    ("media_suffixes", "", "media_suffixes", "by_length"),
    ("law_generic", "", "law_generic_modifiers", "set"),
    ("product_class", "product", "class_nouns", "by_length"),
    ("product_named_class", "product", "named_class_nouns", "set"),
    ("product_generic", "product", "generic_modifiers", "set"),
    ("not_codes", "product", "not_codes", "set"),
    ("abbrev_single", "abbrev", "single", "set"),
    ("abbrev_suffix_only", "abbrev", "suffix_only", "set"),
    ("abbrev_compound_flags", "abbrev", "compound_flags", "set"),
    ("titles_en", "", "person_titles_en", "by_length"),
    ("law_heads_en", "", "law_heads_en", "by_length"),
    ("loc_words", "", "loc_words", "by_length"),
    ("person_trailing", "", "person_trailing", "by_length"),
    ("person_not_endings", "", "person_not_endings", "set"),
    ("person_not_endings_translit", "", "person_not_endings_unless_translit", "set"),
    ("person_not_before", "", "person_not_before", "set"),
    ("surname_titles", "", "surname_titles", "by_length"),
    ("org_extensions", "", "org_extensions", "by_length"),
    ("org_branches", "", "org_branches", "by_length"),
    ("org_channel_owners", "", "org_channel_owners", "set"),
    ("org_unit_parents", "", "org_unit_parents", "by_length"),
    ("org_units", "", "org_units", "by_length"),
    ("local_levels", "local_bodies", "levels", "set"),
    ("local_after", "local_bodies", "after", "set"),
    ("local_bodies", "local_bodies", "bodies", "by_length"),
    ("org_channels", "", "org_channels", "by_length"),
    ("road_suffixes", "address", "road_suffixes", "by_length"),
    ("road_heads_alone", "address", "road_heads_alone", "set"),
    ("not_road", "address", "not_road", "set"),
    ("address_units", "address", "units", "set"),
    ("sports_context", "sports", "context", "by_length"),
    ("sports_before", "sports", "before", "set"),
    ("sports_after", "sports", "after", "set"),
    ("sports_fixture", "sports", "fixture", "by_length"),
    ("team_heads", "sports", "team_heads", "by_length"),
    ("venue_heads", "venue", "heads", "by_length"),
    ("venue_place_heads", "venue", "place_heads", "by_length"),
    ("venue_generic", "venue", "generic", "set"),
    ("venue_units", "venue", "units", "by_length"),
    ("venue_named_places", "venue", "named_place_suffixes", "by_length"),
    ("venue_single_not_before", "venue", "single_not_before", "set"),
    ("district_suffixes", "venue", "district_suffixes", "by_length"),
    ("neighbourhood_ends", "venue", "neighbourhood_ends", "set"),
    ("hotels", "venue", "hotels", "by_length"),
    ("venue_centres", "venue", "centres", "by_length"),
    ("venue_centre_services", "venue", "centre_services", "by_length"),
    ("venue_glued", "venue", "glued_conjunctions", "set"),
    ("place_class_nouns", "", "place_class_nouns", "by_length"),
)
_KINDS = {"list": list, "set": frozenset, "by_length": WordList}


def load(path: str = PATH) -> Rules:
    d = lexicons.load_yaml(path)
    joiners = d.get("name_joiners")
    if not isinstance(joiners, str) or not joiners:
        raise RulesError("entity_rules.yaml: name_joiners must be a string of characters")
    sections = {"": d}
    for k in ("abbrev", "org_heads", "product", "address", "sports", "local_bodies", "venue"):
        sections[k] = lexicons.mapping(d, k, _F, optional=True)
    fields = {f: _KINDS[kind](_words(sections[sec], key, lexicons.at(_F, sec) if sec else _F))
              for f, sec, key, kind in _FIELDS}
    r = Rules(joiners=frozenset(joiners), metonyms=_metonyms(d.get("metonyms") or {}),
              abbrev_beside=_beside(sections["abbrev"].get("beside")), **fields)
    for s in r.surnames:
        if len(s) > 2:
            raise RulesError(f"entity_rules.yaml: surname {s!r} longer than two characters")
    for c in r.person_not_endings | r.person_not_endings_translit:
        if len(c) != 1:
            raise RulesError(f"entity_rules.yaml: person_not_endings* take single characters, not {c!r}")
    return r
