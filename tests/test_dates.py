"""Dates stage: the corpus (tests/corpus/dates.yaml), the data file's validation, and bad input."""
from __future__ import annotations

import datetime as dt
import glob
import os
import re

import pytest
import yaml

from service.nlp import dates, normalize
from service.nlp.doc import Doc

CORPORA = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "corpus", "dates*.yaml")))


def _load_corpora():
    examples, negatives = [], []
    for path in CORPORA:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        for case in data.get("examples") or []:
            examples.append(dict(case, published=case.get("published", data["published"])))
        negatives += [(text, data["published"]) for text in data.get("negatives") or []]
    return examples, negatives


_EXAMPLES, _NEGATIVES = _load_corpora()
DEFAULT = dt.date(2025, 8, 25)

ISO = re.compile(
    r"^(\d{4}(-(\d{2}(-\d{2})?|W\d{2}))?)(/\d{4}(-(\d{2}(-\d{2})?|W\d{2}))?)?$"
)


def run(text: str, published=None) -> Doc:
    doc = Doc(text=text, norm=normalize.normalize(text), published=published)
    return dates.extract(doc)


def spans_of(doc: Doc) -> list:
    out = []
    for s in doc.user["dates"]:
        # offsets index the text as submitted, whatever its script or width
        assert doc.text[s.start:s.end] == doc.text[s.start:s.end].strip() != ""
        assert s.rule, "every span names the rule that made it"
        out.append([doc.text[s.start:s.end], s.value, s.label])
    return out


def _check_invariants(doc: Doc) -> None:
    spans = doc.user["dates"]
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start, "sorted and non-overlapping"
    for s in spans:
        assert s.label in ("DATE", "TIME")
        if s.label == "TIME":
            assert s.value is None
        elif s.value is not None:
            assert ISO.match(s.value), s.value


@pytest.mark.parametrize("case", _EXAMPLES, ids=lambda c: c["text"][:30])
def test_corpus_example(case):
    doc = run(case["text"], case["published"])
    _check_invariants(doc)
    expected = [[e[0], e[1], e[2] if len(e) > 2 else "DATE"] for e in case["expect"]]
    assert spans_of(doc) == expected, [(s.rule, s.value) for s in doc.user["dates"]]


@pytest.mark.parametrize("text,published", _NEGATIVES, ids=lambda t: str(t)[:30])
def test_corpus_negative(text, published):
    doc = run(text, published)
    assert spans_of(doc) == []


def test_values_need_the_anchor_only_when_relative():
    doc = run("7月、去年、2025年8月20日、上周三、前11个月", None)
    assert [s.value for s in doc.user["dates"]] == [None, None, "2025-08-20", None, None]


def test_bare_month_rule_around_new_year():
    assert spans_of(run("12月出口下降，1月回升", dt.date(2026, 1, 5))) == [
        ["12月", "2025-12", "DATE"], ["1月", "2026-01", "DATE"]]
    assert spans_of(run("3月的数据", dt.date(2025, 1, 5))) == [["3月", "2025-03", "DATE"]]
    assert spans_of(run("4月的数据", dt.date(2025, 1, 5))) == [["4月", "2024-04", "DATE"]]


def test_weekday_is_most_recent_not_after_anchor():
    # 2025-08-27 is a Wednesday
    doc = run("周三、周四、星期日", dt.date(2025, 8, 27))
    assert [s.value for s in doc.user["dates"]] == ["2025-08-27", "2025-08-21", "2025-08-24"]


def test_invalid_calendar_dates_have_no_value():
    doc = run("2025年2月30日，2月31日", dt.date(2025, 8, 25))
    assert [s.value for s in doc.user["dates"]] == [None, None]


def test_datetime_anchor_is_accepted():
    doc = run("昨天", dt.datetime(2025, 8, 25, 13, 0))
    assert doc.user["dates"][0].value == "2025-08-24"


def test_pipeline_runs_the_stage_before_quantities():
    from service.nlp import pipeline
    names = [n for n, _ in pipeline.COMPONENTS]
    assert names.index("dates") < names.index("quantities") < names.index("entities")
    doc = pipeline.run(pipeline.make_doc("7月稀土出口暴增75%，8月20日公布。", published=dt.date(2025, 8, 25),
                                         include=["quantities"]))
    assert spans_of(doc) == [["7月", "2025-07", "DATE"], ["8月20日", "2025-08-20", "DATE"]]


@pytest.mark.parametrize("text", [
    "2" * 200_000,
    "2025年" * 10_000,
    "1-" * 50_000 + "月",
    "5月至" * 15_000,
    "前" * 100_000 + "7个月",
    "20日" * 15_000,
    "August " * 10_000 + "20, 2025",
    "in " * 50_000 + "2024",
    "1:" * 100_000,
    "下午" * 50_000 + "3点",
    "，" * 200_000,
])
def test_pathological_input_is_handled(text):
    doc = run(text, dt.date(2025, 8, 25))
    _check_invariants(doc)


# --------------------------------------------------------------------------- the data file

def _write(tmp_path, data) -> str:
    p = tmp_path / "dates.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(p)


@pytest.fixture
def raw():
    with open(dates._DATA, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.mark.parametrize("breakage", [
    lambda d: d.update(version=2),
    lambda d: d["resolution"].update(month_lookahead="two"),
    lambda d: d["relative_years"].update({"今年": {"offset": "zero"}}),
    lambda d: d["month_parts"].update({"下旬": [21, 40]}),
    lambda d: d["holidays"].update({"国庆节": {"month": 13, "day": 1}}),
    lambda d: d["lunar_holidays"]["春节"].update({2031: dt.date(2030, 2, 3)}),
    lambda d: d["english"].update(months={"January": 13}),
    lambda d: d.update(connectors="到"),
])
def test_bad_data_file_fails_at_load(tmp_path, raw, breakage):
    breakage(raw)
    with pytest.raises(dates.DatesDataError):
        dates.load(_write(tmp_path, raw))
    dates.load()


def test_shipped_data_file_loads():
    dates.load()
    assert dates.find("7月", dt.date(2025, 8, 25))[0].value == "2025-07"


def test_random_date_words_never_break_the_stage():
    import random
    toks = ("2025 年 月 日 号 1 12 31 0 - 至 到 从 前 个 今年 去年 上月 本周 周一 星期日 上 下 旬 初 中 底 末 "
            "季度 一 二 十 三 半 后 天 点 时 分 下午 : 30 / . , May June August 20 in by from to between and "
            "last year Q H the first months of ago 春节 国庆 节 世纪 年代 80").split(" ") + [" ", "，"]
    rnd = random.Random(7)
    anchors = [None, dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 2, 29), dt.date(2025, 12, 31)]
    for _ in range(3000):
        text = "".join(rnd.choice(toks) for _ in range(rnd.randint(1, 12)))
        _check_invariants(run(text, rnd.choice(anchors)))


def test_anchor_at_the_edge_of_the_calendar():
    doc = run("明天、下个月、明年", dt.date(9999, 12, 31))
    assert [s.value for s in doc.user["dates"]] == [None, None, None]
    doc = run("昨天、上个月、去年", dt.date(1, 1, 1))
    assert [s.value for s in doc.user["dates"]] == [None, None, None]


def test_opener_is_only_read_before_the_interval():
    # an opener index must not wrap around to the end of the text
    assert spans_of(run("5月到7月从", dt.date(2025, 8, 25))) == [["5月到7月", "2025-05/2025-07", "DATE"]]


@pytest.mark.parametrize("published,value", [("2025-08-25", "2024"), ("not a date", None), (20250825, None)])
def test_published_given_loosely(published, value):
    doc = Doc(text="去年", norm="去年", published=published)
    assert dates.extract(doc).user["dates"][0].value == value
