"""The shared data-file reader and validators: good input passes through, each kind of bad
input raises DataFileError naming the file and the key."""
import os
import shutil

import pytest
import yaml

from service.nlp import dates, entity_rules, lexicons, quantities, stance_lexicon
from service.nlp.lexicons import DataFileError, at, load_yaml, mapping, str_list


def test_at_names_the_file_then_the_path():
    assert at("dates.yaml", "english") == "dates.yaml: english"
    assert at("dates.yaml: english", "months") == "dates.yaml: english.months"
    assert at(at("sentiment.yaml", "positive"), 1.5) == "sentiment.yaml: positive.1.5"


# --------------------------------------------------------------------------- load_yaml

def test_load_yaml_reads_a_mapping(tmp_path):
    p = tmp_path / "words.yaml"
    p.write_text("version: 1\nwords: [关税, tariff]\n", encoding="utf-8")
    assert load_yaml(str(p)) == {"version": 1, "words": ["关税", "tariff"]}


@pytest.mark.parametrize("text,why", [
    ("words: [关税, tariff\n", "not valid YAML"),
    ("key: value\n  bad indent: 1\n", "not valid YAML"),
    ("- 关税\n- tariff\n", "top level must be a mapping, not list"),
    ("just a string\n", "top level must be a mapping, not str"),
    ("", "top level must be a mapping, not NoneType"),
])
def test_load_yaml_names_the_file_on_a_bad_file(tmp_path, text, why):
    p = tmp_path / "broken.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as ei:
        load_yaml(str(p))
    assert str(ei.value).startswith("broken.yaml: ")
    assert why in str(ei.value)


def test_load_yaml_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_yaml(str(tmp_path / "absent.yaml"))


@pytest.mark.parametrize("name", sorted(n for n in os.listdir(lexicons.DATA_DIR) if n.endswith(".yaml")))
def test_every_shipped_yaml_file_is_a_mapping(name):
    assert load_yaml(os.path.join(lexicons.DATA_DIR, name))


# --------------------------------------------------------------------------- str_list

def test_str_list_returns_the_list_itself():
    words = ["关税", "tariff", " 美 "]
    d = {"words": words, "none": []}
    assert str_list(d, "words", "f.yaml") is words
    assert str_list(d, "none", "f.yaml") == []


def test_str_list_optional_key_may_be_missing_or_null():
    assert str_list({}, "words", "f.yaml", optional=True) == []
    assert str_list({"words": None}, "words", "f.yaml", optional=True) == []


@pytest.mark.parametrize("d,where,message", [
    ({}, "f.yaml", "f.yaml: words is missing"),
    ({"words": None}, "f.yaml: group", "f.yaml: group.words is missing"),
    ({"words": "关税"}, "f.yaml", "f.yaml: words must be a list of non-empty strings"),
    ({"words": {"a": 1}}, "f.yaml", "f.yaml: words must be a list of non-empty strings"),
    ({"words": ["关税", ""]}, "f.yaml: g", "f.yaml: g.words must be a list of non-empty strings"),
    ({"words": ["关税", "  "]}, "f.yaml", "f.yaml: words must be a list of non-empty strings"),
    ({"words": ["关税", 3]}, "f.yaml", "f.yaml: words must be a list of non-empty strings"),
    ({"words": [["关税"]]}, "f.yaml", "f.yaml: words must be a list of non-empty strings"),
])
def test_str_list_bad_input(d, where, message):
    with pytest.raises(DataFileError) as ei:
        str_list(d, "words", where)
    assert str(ei.value) == message


def test_str_list_non_empty():
    assert str_list({"words": ["关税"]}, "words", "f.yaml", non_empty=True) == ["关税"]
    with pytest.raises(DataFileError) as ei:
        str_list({"words": []}, "words", "f.yaml: s", non_empty=True)
    assert str(ei.value) == "f.yaml: s.words must be a non-empty list of non-empty strings"


def test_str_list_optional_still_checks_a_present_value():
    with pytest.raises(DataFileError, match=r"^f\.yaml: words must be a list"):
        str_list({"words": [""]}, "words", "f.yaml", optional=True)


# --------------------------------------------------------------------------- mapping

def test_mapping_returns_the_mapping_itself():
    m = {"a": 1}
    assert mapping({"m": m}, "m", "f.yaml") is m
    assert mapping({"m": {}}, "m", "f.yaml") == {}
    assert mapping({"m": m}, "m", "f.yaml", non_empty=True) is m
    assert mapping({}, "m", "f.yaml", optional=True) == {}
    assert mapping({"m": None}, "m", "f.yaml", optional=True) == {}


@pytest.mark.parametrize("d,kw,message", [
    ({}, {}, "f.yaml: s.m is missing"),
    ({"m": None}, {}, "f.yaml: s.m is missing"),
    ({"m": [1, 2]}, {}, "f.yaml: s.m must be a mapping"),
    ({"m": "a: 1"}, {"optional": True}, "f.yaml: s.m must be a mapping"),
    ({"m": {}}, {"non_empty": True}, "f.yaml: s.m must be a non-empty mapping"),
    ({"m": [{"a": 1}]}, {"non_empty": True}, "f.yaml: s.m must be a non-empty mapping"),
])
def test_mapping_bad_input(d, kw, message):
    with pytest.raises(DataFileError) as ei:
        mapping(d, "m", "f.yaml: s", **kw)
    assert str(ei.value) == message


def test_data_file_error_is_a_value_error():
    assert issubclass(DataFileError, ValueError)


# --------------------------------------------------------------------------- the loaders use them

def _broken_copy(tmp_path, name, breakage):
    with open(os.path.join(lexicons.DATA_DIR, name), encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    breakage(data)
    (tmp_path / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(tmp_path / name)


@pytest.mark.parametrize("breakage,message", [
    (lambda d: d["abbrev"].update(prefixes=["中", ""]), "entity_rules.yaml: abbrev.prefixes must be a list"),
    (lambda d: d.pop("surnames"), "entity_rules.yaml: surnames is missing"),
    (lambda d: d.update(org_heads=["公司"]), "entity_rules.yaml: org_heads must be a mapping"),
])
def test_entity_rules_bad_file_names_file_and_key(tmp_path, breakage, message):
    path = _broken_copy(tmp_path, "entity_rules.yaml", breakage)
    with pytest.raises(entity_rules.RulesError, match="^" + message):
        entity_rules.load(path)


def test_entity_rules_yaml_syntax_error_names_the_file(tmp_path):
    (tmp_path / "entity_rules.yaml").write_text("blockers: [的\n", encoding="utf-8")
    with pytest.raises(entity_rules.RulesError, match="^entity_rules.yaml: not valid YAML"):
        entity_rules.load(str(tmp_path / "entity_rules.yaml"))


@pytest.mark.parametrize("breakage,message", [
    (lambda d: d["english"].update(may_cues="in"), "dates.yaml: english.may_cues must be a list"),
    (lambda d: d["first_months"].pop("prefixes"), "dates.yaml: first_months.prefixes is missing"),
    (lambda d: d.update(holidays=[]), "dates.yaml: holidays must be a mapping"),
])
def test_dates_bad_file_names_file_and_key(tmp_path, breakage, message):
    try:
        with pytest.raises(dates.DatesDataError, match="^" + message):
            dates.load(_broken_copy(tmp_path, "dates.yaml", breakage))
    finally:
        dates.load()


@pytest.mark.parametrize("name,breakage,message", [
    ("stance_verbs.yaml", lambda d: d["triggers"][0].update(en=["ok", " "]),
     r"stance_verbs.yaml: triggers\[0\].en must be a list"),
    ("sentiment.yaml", lambda d: d.update(not_negators="不"), "sentiment.yaml: not_negators must be a list"),
])
def test_stance_lexicon_bad_file_names_file_and_key(tmp_path, monkeypatch, name, breakage, message):
    for n in ("stance_verbs.yaml", "sentiment.yaml"):
        shutil.copy(os.path.join(lexicons.DATA_DIR, n), tmp_path / n)
    _broken_copy(tmp_path, name, breakage)
    monkeypatch.setattr(stance_lexicon, "DATA", str(tmp_path))
    load = stance_lexicon.load_stance if name == "stance_verbs.yaml" else stance_lexicon.load_sentiment
    with pytest.raises(stance_lexicon.LexiconError, match="^" + message):
        load()


@pytest.mark.parametrize("name,breakage,message", [
    ("quantity_words.yaml", lambda d: d["english"].pop("tens"), "quantity_words.yaml: english.tens is missing"),
    ("quantity_words.yaml", lambda d: d.update(measure_words=[]),
     "quantity_words.yaml: measure_words must be a non-empty list"),
    ("currencies.yaml", lambda d: d["bare_money"].update(before="美"),
     "currencies.yaml: bare_money.before must be a list"),
])
def test_quantities_bad_file_names_file_and_key(tmp_path, monkeypatch, name, breakage, message):
    for n in ("units.yaml", "currencies.yaml", "quantity_words.yaml"):
        shutil.copy(os.path.join(lexicons.DATA_DIR, n), tmp_path / n)
    _broken_copy(tmp_path, name, breakage)
    monkeypatch.setattr(quantities, "DATA_DIR", str(tmp_path))
    saved = dict(quantities._L)
    quantities._L.clear()
    try:
        with pytest.raises(quantities.DataError, match="^" + message):
            quantities.load()
    finally:
        quantities._L.clear()
        quantities._L.update(saved)


def test_abbrev_beside_needs_means_and_with(tmp_path):
    d = yaml.safe_load(open(entity_rules.PATH, encoding="utf-8"))
    d["abbrev"]["beside"] = {"澳": {"means": "澳门"}}
    p = tmp_path / "entity_rules.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    with pytest.raises(entity_rules.RulesError, match="beside"):
        entity_rules.load(str(p))
