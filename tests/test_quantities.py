"""quantities.py: offsets on hard text, output shape, data validation, linear time on hostile input."""
from __future__ import annotations

import os
import shutil
import threading

import pytest

from service.nlp import pipeline, quantities

FIELDS = {"text", "start", "end", "kind", "value", "low", "high", "unit", "counted", "approximate", "qualifier",
          "change", "subject"}


def _q(text, **kw):
    return pipeline.analyze(text, include=["quantities"], **kw)["quantities"]


def _check(text, out):
    for q in out:
        assert text[q["start"]:q["end"]] == q["text"]
        assert set(q) == FIELDS


@pytest.mark.parametrize("text,expected", [
    ("😀稀土出口暴增７５％，\r\n５５７７噸稀土磁鐵湧向美國。", ["７５％", "５５７７噸"]),
    ("價格為每噸１０３，９５０元，約合１．４萬美元。", ["每噸１０３，９５０元", "約合１．４萬美元"]),
    ("The U.S. invested $400 million 😀 in MP Materials; 中国出口46吨。", ["$400 million", "46吨"]),
    ("一 百 五 十 个 百 分 点，百 分 之 2.4", ["一 百 五 十 个 百 分 点", "百 分 之 2.4"]),
])
def test_offsets_on_hard_text(text, expected):
    out = _q(text)
    _check(text, out)
    assert [q["text"] for q in out] == expected


def test_values_are_json_numbers():
    out = _q("出口5577吨，占90%，单价1.5万元，约合2,100.5美元")
    _check("出口5577吨，占90%，单价1.5万元，约合2,100.5美元", out)
    for q in out:
        for k in ("value", "low", "high"):
            assert isinstance(q[k], (int, float)) and not isinstance(q[k], bool)
    assert [type(q["value"]) for q in out] == [int, int, int, float]


def test_dates_stage_spans_are_respected():
    from service.nlp.doc import Span
    doc = pipeline.make_doc("2025年出口5577吨，10年内翻番", include=["quantities"])
    doc.norm = doc.text
    doc.user["dates"] = [Span(0, 5, "DATE", "test")]
    quantities.extract(doc)
    texts = [q["text"] for q in doc.quantities]
    assert "5577吨" in texts and "10年" in texts
    assert not any(q["start"] < 5 for q in doc.quantities)


def test_own_date_guards_without_dates_stage():
    doc = pipeline.make_doc("2025年8月20日公布，2024年出口10年来新高，过去10年增长", include=["quantities"])
    doc.norm = doc.text
    doc.user["dates"] = []
    quantities.extract(doc)
    assert [q["text"] for q in doc.quantities] == ["10年", "10年"]


def _run_with_timeout(fn, seconds):
    """Run fn in a thread; fail if it has not returned after `seconds` (a generous bound, not a benchmark)."""
    box = {}

    def target():
        box["out"] = fn()

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "quantities did not return: super-linear behaviour"
    return box.get("out")


@pytest.mark.parametrize("text", [
    "1" * 200_000,
    "," * 200_000,
    "1," * 100_000,
    "一" * 200_000,
    "万" * 200_000,
    "1.1." * 50_000,
    "十几" * 50_000,
    "分之" * 50_000,
    "成" * 100_000,
    "a " * 100_000,
    "$" * 200_000,
    "%" * 200_000,
])
def test_hostile_input_returns(text):
    out = _run_with_timeout(lambda: _q(text), 60)
    assert isinstance(out, list)


def test_many_quantities_stay_linear():
    text = "5吨，" * 5_000
    out = _run_with_timeout(lambda: _q(text), 60)
    assert len(out) == 5_000


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    src = quantities.DATA_DIR
    for name in ("units.yaml", "currencies.yaml", "quantity_words.yaml"):
        shutil.copy(os.path.join(src, name), tmp_path / name)
    monkeypatch.setattr(quantities, "DATA_DIR", str(tmp_path))
    saved = dict(quantities._L)
    quantities._L.clear()
    yield tmp_path
    quantities._L.clear()
    quantities._L.update(saved)


def test_data_files_load(data_copy):
    quantities.load()
    assert quantities._L["zh"]["吨"].unit == "t"
    assert quantities._L["zh"]["美元"].unit == "USD"


@pytest.mark.parametrize("name,bad", [
    ("units.yaml", "units:\n  - {unit: t, kind: weight, zh: [吨]}\n"),
    ("units.yaml", "units:\n  - {unit: t, kind: mass, factor: -1, zh: [吨]}\n"),
    ("currencies.yaml", "currencies:\n  usd: {zh: [美元]}\nbare_money: {before: [], actors: {}}\n"),
    ("quantity_words.yaml", "- not a mapping\n"),
])
def test_bad_data_file_fails_load(data_copy, name, bad):
    (data_copy / name).write_text(bad, encoding="utf-8")
    with pytest.raises((quantities.DataError, KeyError, TypeError, ValueError)):
        quantities.load()


def test_fuzz_never_fails_and_keeps_invariants():
    """Random mixes of numerals, units, signs and punctuation: no exception, exact offsets, sorted, no overlap."""
    import random
    pieces = list("0123456789,.-+%$¥ 一二两三十百千万亿几数多余约近超每吨元/公斤个家年月倍成折分之点半度，。") + [
        "million", " per ", " to ", "tons", "US$", "个百分点", "美元", "\r\n", "😀", "１", "％", "噸", "萬"]
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 50)))
        out = _q(text)
        prev_end = -1
        for q in out:
            assert text[q["start"]:q["end"]] == q["text"]
            assert q["start"] >= prev_end and q["low"] <= q["high"]
            prev_end = q["end"]
