"""The pipeline's base: Doc/Span, length-preserving normalisation, sentences, language, segmentation."""
from __future__ import annotations

import json
from pathlib import Path

import jieba
import pytest

from service.nlp import normalize, pipeline, segment, sentences
from service.nlp.doc import Doc, Span

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "dev"

AWKWARD = [
    "美國對中國加徵１００％關稅，稀土出口量暴增７５％。",
    "😀🇺🇸 emoji and 𠀀𪚥 astral Han\r\n美国\r\n\r\n中国",
    "ＡＢＣ　ｄｅｆ！？；：，（）［］",
    "tabs\tand  spaces \u00a0 and \u2028 separators",
    "",
    "\r\n",
    "1,000,000.5 tons; 2.5% — 3½ 〇一二",
]


# --- normalisation -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", AWKWARD)
def test_normalize_keeps_length(text):
    assert len(normalize.normalize(text)) == len(text)


def test_fullwidth_to_ascii():
    assert normalize.normalize("１００％，ＡＢＣ　ｘ！？") == "100%,ABC x!?"


def test_other_ascii_forms():
    assert normalize.normalize("10〜20吨\xa0\u2009\u202f\u2212５") == "10~20吨   -5"


def test_traditional_to_simplified():
    assert normalize.normalize("美國對中國加徵關稅，臺灣與東協") == "美国对中国加征关税,台湾与东协"


def test_non_han_untouched():
    text = "😀 U.S. \r\n 𠀀 café"
    assert normalize.normalize(text) == text


def test_length_changing_conversion_falls_back_per_character(monkeypatch):
    class Stretch:
        def convert(self, s):
            return s + "x" if len(s) > 1 else {"國": "国"}.get(s, s)
    monkeypatch.setattr(normalize, "_converter", lambda: Stretch())
    assert normalize.to_simplified("中國人") == "中国人"


# --- language ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,lang", [
    ("美国对中国加征100%关税，中方坚决反对。", "zh-Hans"),
    ("美國對中國加徵100%關稅，中方堅決反對。", "zh-Hant"),
    ("The U.S. imposed a 100% tariff on Chinese goods.", "en"),
    ("MP Materials", "en"),
    ("Xi Jinping (习近平) met Donald Trump in Busan on Thursday.", "en"),
    ("苹果发布iPhone 16 Pro Max和Apple Watch Series 10。", "zh-Hans"),
    ("中国稀土出口暴增75%\nCore Viewpoint - China's rare earth exports to the U.S. rose sharply in June.", "mixed"),
    ("美国总统特朗普周三表示，关税下周生效。He said the tariffs will take effect next week.", "mixed"),
    ("12345", "zh-Hans"),
    ("😀", "zh-Hans"),
])
def test_detect_language(text, lang):
    assert normalize.detect_language(text, normalize.normalize(text)) == lang


@pytest.mark.skipif(not DEV.is_dir(), reason="no shared dev data beside the repo")
def test_language_of_dev_articles():
    for path in sorted(DEV.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if gold.get("script"):
            assert pipeline.analyze(gold["text"], include=["quantities"])["language"] == gold["script"], path.name


# --- sentences ---------------------------------------------------------------------------------

def _sents(text):
    return [text[s.start:s.end] for s in sentences.split(normalize.normalize(text))]


@pytest.mark.parametrize("text,expected", [
    ("美国加征关税。中方坚决反对！会谈何时举行？", ["美国加征关税。", "中方坚决反对！", "会谈何时举行？"]),
    ("他说：“我们反对。”随后离开", ["他说：“我们反对。”", "随后离开"]),
    ("第一；第二……第三", ["第一；", "第二……", "第三"]),
    ("标题\r\n正文第一句。\r\n\r\n第二段", ["标题", "正文第一句。", "第二段"]),
    ("全角！问号？分号；结束", ["全角！", "问号？", "分号；", "结束"]),
    ("Mr. Smith met Dr. Li in the U.S. on Jan. 5. He left.",
     ["Mr. Smith met Dr. Li in the U.S. on Jan. 5.", "He left."]),
    ("Prices rose 3.5% to $1,200.50 per ton. Demand fell.", ["Prices rose 3.5% to $1,200.50 per ton.", "Demand fell."]),
    ("John F. Kennedy spoke. MP Materials Inc. said so.", ["John F. Kennedy spoke.", "MP Materials Inc. said so."]),
    ("Tariffs rose.中国回应", ["Tariffs rose.", "中国回应"]),
    ("Really?! Yes!", ["Really?!", "Yes!"]),
    ("  ", []),
    ("", []),
])
def test_sentence_split(text, expected):
    assert _sents(text) == expected


@pytest.mark.parametrize("text", AWKWARD)
def test_sentences_ordered_trimmed_inside_text(text):
    spans = sentences.split(normalize.normalize(text))
    last = 0
    for s in spans:
        assert last <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == text[s.start:s.end].strip(" \t\r\n\u3000\xa0\u2028\u2029")
        last = s.end


def test_sentence_split_is_linear_on_long_runs():
    for text in ("." * 200_000, "a." * 100_000, "U.S." * 50_000, "。" * 200_000, "\n" * 200_000):
        sentences.split(text)  # must return promptly (a backtracking pattern would not)


# --- segmentation ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", AWKWARD + ["0" * 20_000, "美" * 5_000, "a b  c\r\n\r\nd"])
def test_tokens_cover_the_text_exactly(text):
    for toks in (segment.tokenize(text), [(w, s, e) for w, _, s, e in segment.pos_tokenize(text)]):
        assert "".join(w for w, _, _ in toks) == text
        assert sum(len(w) for w, _, _ in toks) == len(text)
        pos = 0
        for w, s, e in toks:
            assert (s, e) == (pos, pos + len(w)) and text[s:e] == w
            pos = e


def test_prose_is_tagged_by_posseg_unchanged():
    text = "美国商务部周三宣布，对中国稀土磁铁加征关税；滕斌圣教授表示反对。The U.S. said no."
    assert list(segment._pieces(text)) == [(text, True)]
    expected = [(p.word, p.flag) for p in segment._pos.cut(text, HMM=True)]
    assert [(w, f) for w, f, _, _ in segment.pos_tokenize(text)] == expected


def test_machine_made_blocks_are_tagged_without_the_hmm():
    # a 20,000-character unpunctuated block would cost the POS HMM about a millisecond a character
    text = "前言。" + "中美" * 10_000 + "，美国对中国加征关税。"
    pieces = list(segment._pieces(text))
    assert "".join(p for p, _ in pieces) == text
    assert [hmm for _, hmm in pieces] == [True, False, True]
    assert pieces[1][0] == "中美" * 10_000
    toks = segment.pos_tokenize(text)
    assert "".join(w for w, *_ in toks) == text


def test_private_tokenizer_with_own_cache():
    tok = segment.tokenizer()
    assert tok is not jieba.dt
    assert "zhx-jieba" in tok.tmp_dir or tok.tmp_dir == __import__("os").environ.get("ZHX_JIEBA_CACHE_DIR")


def test_add_words_keeps_a_name_whole():
    name = "钕铁硼永磁体测试名"
    segment.add_words([name], tag="nz")
    words = [(w, f) for w, f, _, _ in segment.pos_tokenize(f"他们生产{name}。")]
    assert (name, "nz") in words
    assert name not in [w for w, *_ in jieba.lcut(f"他们生产{name}。")]  # the global tokenizer is untouched


def test_coverage_check_raises_on_a_gap():
    with pytest.raises(RuntimeError):
        segment._check_cover("abc", 2)


# --- Doc, Span, pipeline -------------------------------------------------------------------------

def test_stage_names_and_order():
    assert [n for n, _ in pipeline.COMPONENTS] == ["normalize", "sentences", "segment", "dates", "quantities",
                                                   "entities", "stances"]


def test_run_records_timings_per_stage():
    timings = {}
    doc = pipeline.run(pipeline.make_doc("美国对中国加征关税。"), timings)
    assert set(timings) == {n for n, _ in pipeline.COMPONENTS}
    assert all(t >= 0 for t in timings.values())
    assert doc.sentences and doc.norm == "美国对中国加征关税。"


def test_segment_stage_shares_pos_tokens():
    doc = pipeline.run(pipeline.make_doc("美國對中國加徵關稅", include=["entities"]))
    assert doc._pos_tokens is not None
    assert "".join(w for w, *_ in doc.pos_tokens) == doc.norm  # tokens of the Simplified text, same offsets


def test_make_doc_defaults():
    doc = pipeline.make_doc("中国")
    assert doc.include == frozenset(pipeline.ALL_SECTIONS) and doc.targets == [] and doc.published is None


def test_analyze_accepts_iso_string_and_date():
    import datetime as dt
    a = pipeline.analyze("中国", published="2025-08-20")
    b = pipeline.analyze("中国", published=dt.date(2025, 8, 20))
    assert a == b and a["length"] == 2


def test_doc_mention_and_sentence_at():
    text = "美國對中國。\r\n中方反對！"
    doc = pipeline.run(pipeline.make_doc(text))
    assert doc.mention(0, 2) == {"text": "美國", "start": 0, "end": 2}
    assert doc.sentence_at(8).start == 8 and doc.sentence_at(6) is None
    assert doc.sentence_at(0) == Span(0, 6, "sentence", "sentences.split")


def test_span_is_half_open():
    doc = Doc(text="abcdef")
    assert len(Span(1, 4)) == 3 and Span(1, 4).text_of(doc) == "bcd"
