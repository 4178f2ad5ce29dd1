"""numbers.py: numeral reading, value by value (the corpus covers them in sentences)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from service.nlp import numbers


@pytest.mark.parametrize("text,value", [
    ("4,000.3", "4000.3"), ("1,463", "1463"), ("2100万", "21000000"), ("3万4000", "34000"),
    ("1,100.9亿", "110090000000"), ("6万2585", "62585"), ("7.88984万", "78898.4"),
    ("五十九亿", "5900000000"), ("二十万亿", "20000000000000"), ("一百二十点五", "120.5"),
    ("四十九兆九千五百九十二亿", "49959200000000"), ("拾万零五十六点叁叁", "100056.33"),
    ("壹佰贰拾", "120"), ("十五", "15"), ("三万五", "35000"), ("一百二", "120"), ("两千五", "2500"),
    ("十万零五十六", "100056"), ("二〇二五", "2025"), ("1万亿", "1000000000000"),
])
def test_exact_values(text, value):
    r = numbers.parse_run(text)
    assert r is not None
    lo, hi, n, vague, _, _ = r
    assert n == len(text)
    assert lo == hi == Decimal(value)
    assert not vague


@pytest.mark.parametrize("text,lo,hi", [
    ("几百亿", "1e10", "1e11"), ("数万亿", "1e12", "1e13"), ("一百二十几亿", "1.21e10", "1.29e10"),
    ("十几", "11", "19"), ("二十几万", "210000", "290000"), ("二三十", "20", "30"), ("三四百", "300", "400"),
])
def test_vague_bounds(text, lo, hi):
    r = numbers.parse_run(text)
    assert r is not None and r[3]
    assert r[0] == Decimal(lo) and r[1] == Decimal(hi)


@pytest.mark.parametrize("text,prefix", [
    ("1234两", "1234"),      # 两 after Arabic digits is the unit, not a digit
    ("10万千", "10万"),       # 千 with no digit after 万 starts 千瓦 / 千克
    ("3.0", "3.0"),
])
def test_longest_valid_prefix(text, prefix):
    r = numbers.parse_run(text)
    assert r[2] == len(prefix)


def test_bare_units_need_permission():
    assert numbers.parse_run("万亿") is None
    assert numbers.parse_run("万亿", allow_bare=True)[0] == Decimal(10) ** 12
    assert numbers.parse_run("百", allow_bare=True)[0] == 100


def test_find_skips_codes_and_long_runs():
    s = "订单号A2021072113213635885 和 " + "1" * 500 + " 以及 12吨"
    found = [s[n.start:n.end] for n in numbers.find(s)]
    assert "12" in found
    assert not any(len(f) > 20 for f in found)


def test_english_words():
    numbers.configure_english({"four": Decimal(4), "twenty": Decimal(20), "one": Decimal(1)}, {"twenty": Decimal(20)},
                              {"thousand": Decimal(1000), "million": Decimal(10 ** 6)})
    assert numbers.english_words_value(["four", "hundred", "and", "twenty"]) == 420
    assert numbers.english_words_value(["four", "million"]) == 4000000
    assert numbers.english_words_value(["apple"]) is None
    # restore the real tables
    from service.nlp import quantities
    quantities._L.clear()
    quantities.load()
