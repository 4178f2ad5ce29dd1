"""Corpus runner for stances (the Duckling idea): every case of tests/corpus/stances*.yaml is a
test, run through the whole pipeline (entities included), with exact offsets checked."""
from __future__ import annotations

import glob
import os

import pytest
import yaml

from service.nlp import pipeline

HERE = os.path.dirname(__file__)
FILES = sorted(glob.glob(os.path.join(HERE, "corpus", "stances*.yaml")))
SYMMETRIC = {"agree", "negotiate", "cooperate"}
LABELS = {"favor", "against", "neutral"}
ACTIONS = {"tariff", "sanction", "export_control", "criticize", "threaten", "oppose", "negotiate",
           "agree", "cooperate", "support", "invest", "trade", "other"}


def _load(section):
    out = []
    for path in FILES:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        for i, case in enumerate(data.get(section) or []):
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=False)] if case.get("xfail") else []
            out.append(pytest.param(case, id=f"{os.path.basename(path)}#{section}{i}-{case['text'][:14]}",
                                    marks=marks))
    return out


def _check_shape(text, out):
    names = {e["name"] for e in out["entities"]}
    for s in out["stances"]:
        assert set(s) == {"source", "target", "label", "action", "evidence", "confidence"}
        assert s["label"] in LABELS and s["action"] in ACTIONS
        assert s["source"] in names and s["target"] in names and s["source"] != s["target"]
        assert 0.0 <= s["confidence"] <= 1.0
        ev = s["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"] and ev["text"]
    for a in out["article_stances"]:
        assert -1.0 <= a["score"] <= 1.0 and a["label"] in LABELS
        for ev in a["evidence"]:
            assert text[ev["start"]:ev["end"]] == ev["text"]


def _alts(v):
    """A name, or a list of acceptable names (entity naming may differ: 日本 / 日本政府)."""
    return v if isinstance(v, list) else [v]


def _found(exp, stances):
    for s in stances:
        pairs = [(s["source"], s["target"])]
        if s["action"] in SYMMETRIC:
            pairs.append((s["target"], s["source"]))
        for src, tgt in pairs:
            if ("source" not in exp or src in _alts(exp["source"])) and tgt in _alts(exp["target"]) \
                    and exp["label"] == s["label"] and exp.get("action", s["action"]) == s["action"]:
                return True
    return False


@pytest.mark.parametrize("case", _load("cases"))
def test_stance_case(case):
    text = case["text"]
    out = pipeline.analyze(text)
    _check_shape(text, out)
    got = out["stances"]
    for exp in case.get("stances") or []:
        assert _found(exp, got), (exp, got)
    for a, b, *lab in case.get("none") or []:
        bad = [s for s in got if {s["source"], s["target"]} == {a, b} and (not lab or s["label"] == lab[0])]
        assert not bad, bad
    if case.get("only"):
        assert len(got) == len(case.get("stances") or []), got


@pytest.mark.parametrize("case", _load("article"))
def test_article_case(case):
    text = case["text"]
    out = pipeline.analyze(text, targets=[case["target"]])
    _check_shape(text, out)
    arts = out["article_stances"]
    assert [a["target"] for a in arts] == [case["target"]]
    assert arts[0]["label"] == case["label"], arts[0]
