"""The shared data-file reader and validators: good input passes through, each kind of bad
input raises DataFileError naming the file and the key."""
import os

import pytest

from service.nlp import lexicons
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
