"""Generic corpus runner (the Duckling idea): every case of tests/corpus/quantities*.yaml is a test.

A case is a sentence and the quantities expected in it (a subset of SPEC fields per item);
by default no other quantity may be reported, and `not` lists substrings that no
reported quantity may overlap.  Every output is checked for exact offsets.
"""
from __future__ import annotations

import glob
import math
import os

import pytest
import yaml

from service.nlp import pipeline

HERE = os.path.dirname(__file__)
FILES = sorted(glob.glob(os.path.join(HERE, "corpus", "quantities*.yaml")))
FIELDS = ("kind", "unit", "counted", "qualifier", "change", "approximate", "subject")


def _cases():
    out = []
    for path in FILES:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        for i, case in enumerate(data["cases"]):
            ident = f"{os.path.basename(path)}#{i}-{case.get('family', '')}"
            out.append(pytest.param(case, id=ident))
    return out


def _close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9)


def _matches(exp, got):
    if str(exp["text"]) != got["text"]:
        return False
    for k in FIELDS:
        if k in exp and exp[k] != got[k]:
            return False
    for k in ("value", "low", "high"):
        if k in exp and not _close(exp[k], got[k]):
            return False
    return True


@pytest.mark.parametrize("case", _cases())
def test_quantity_case(case):
    text = case["text"]
    out = pipeline.analyze(text, include=["quantities"])["quantities"]
    for q in out:
        assert text[q["start"]:q["end"]] == q["text"], q
        assert set(q) == {"text", "start", "end", "kind", "value", "low", "high", "unit", "counted",
                          "approximate", "qualifier", "change", "subject"}
        assert q["low"] <= q["high"]
        if q["value"] is not None:
            assert q["low"] == q["value"] == q["high"]
    starts = [q["start"] for q in out]
    assert starts == sorted(starts)
    assert all(a["end"] <= b["start"] for a, b in zip(out, out[1:])), "overlapping quantities"
    expected = case.get("expect") or []
    used = set()
    for exp in expected:
        hit = next((i for i, q in enumerate(out) if i not in used and _matches(exp, q)), None)
        assert hit is not None, f"missing {exp}\n got {[(q['text'], q['kind'], q['value'], q['low'], q['high'], q['unit'], q['change'], q['qualifier']) for q in out]}"
        used.add(hit)
    if case.get("only", True):
        extra = [q["text"] for i, q in enumerate(out) if i not in used]
        assert not extra, f"unexpected quantities {extra}"
    for neg in case.get("not") or []:
        k = text.find(neg)
        assert k >= 0, f"negative {neg!r} is not in the text"
        for q in out:
            assert not (q["start"] < k + len(neg) and k < q["end"]), f"{neg!r} read as {q}"
