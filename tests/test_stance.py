"""Unit tests of the stance stage on Docs with injected entities (independent of entities.py),
plus lexicon validation, offsets on awkward text, and linear-time guards."""
from __future__ import annotations

import os
import random
import re
import time

import pytest
import yaml

from service.nlp import author_stance, normalize, pipeline, segment, sentences, stance
from service.nlp import stance_lexicon as L
from service.nlp.doc import Doc

# canonical name, type, surface forms (found literally in the normalised text)
ACTORS = [
    ("美国", "GPE", ["美国", "美方", "U.S.", "United States", "the US", "Washington"]),
    ("中国", "GPE", ["中国", "中方", "China", "Chinese"]),
    ("日本", "GPE", ["日本", "Japan"]),
    ("欧盟", "ORG", ["欧盟", "EU", "European Union"]),
    ("巴西", "GPE", ["巴西", "Brazil"]),
    ("德国", "GPE", ["德国", "Germany"]),
    ("印度", "GPE", ["印度", "India"]),
    ("俄罗斯", "GPE", ["俄罗斯", "Russia"]),
    ("外交部", "ORG", ["外交部"]),
    ("美国商务部", "ORG", ["美国商务部"]),
    ("特斯拉", "ORG", ["特斯拉", "Tesla"]),
    ("通用汽车", "ORG", ["通用汽车", "General Motors"]),
]


def make_doc(text, targets=()):
    """A Doc with normalisation, sentences and entity mentions found literally (longest first)."""
    doc = Doc(text=text, targets=list(targets))
    doc.norm = normalize.normalize(text)
    doc.sentences = sentences.split(doc.norm)
    taken = [False] * len(doc.norm)
    forms = sorted(((f, n, t) for n, t, fs in ACTORS for f in fs), key=lambda x: -len(x[0]))
    found = {}
    for form, name, typ in forms:
        pat = re.compile(r"(?<![A-Za-z])" + re.escape(form) + r"(?![A-Za-z])") if form.isascii() else re.compile(re.escape(form))
        for m in pat.finditer(doc.norm):
            if any(taken[m.start():m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            found.setdefault((name, typ), []).append(doc.mention(m.start(), m.end()))
    doc.entities = [{"name": n, "type": t, "id": None, "en": None, "value": None,
                     "mentions": sorted(ms, key=lambda m: m["start"])} for (n, t), ms in found.items()]
    return doc


def run(text, targets=()):
    doc = make_doc(text, targets)
    stance.extract(doc)
    for s in doc.stances:
        ev = s["evidence"]
        assert doc.text[ev["start"]:ev["end"]] == ev["text"]
    for a in doc.article_stances:
        for ev in a["evidence"]:
            assert doc.text[ev["start"]:ev["end"]] == ev["text"]
    return doc


def triples(doc):
    return {(s["source"], s["target"], s["label"], s["action"]) for s in doc.stances}


@pytest.fixture(scope="module", autouse=True)
def _load():
    normalize.load()
    segment.load()
    stance.load()


# --------------------------------------------------------------------------- actor stances

@pytest.mark.parametrize("text, expected", [
    ("美国对中国加征100%关税。", ("美国", "中国", "against", "tariff")),
    ("中国宣布对美国实施稀土出口管制。", ("中国", "美国", "against", "export_control")),
    ("日本遭到美国制裁。", ("美国", "日本", "against", "sanction")),
    ("中国被欧盟指责倾销。", ("欧盟", "中国", "against", "criticize")),
    ("巴西与中国签署合作协议。", ("巴西", "中国", "favor", "agree")),
    ("美国宣布暂停对中国商品加征关税90天。", ("美国", "中国", "favor", "tariff")),
    ("中国暂停向日本出口镓和锗。", ("中国", "日本", "against", "export_control")),
    ("美国商务部将多家中国企业列入实体清单。", ("美国商务部", "中国", "against", "sanction")),
    ("The U.S. imposed a 32% tariff on Japan.", ("美国", "日本", "against", "tariff")),
    ("China's rare earth exports to the U.S. increased to 353 tons.", ("中国", "美国", "favor", "trade")),
    ("Indonesia has completed a battery center funded by China, says Japan.", None),
])
def test_patterns(text, expected):
    got = triples(run(text))
    if expected is None:
        assert all(s[0] != s[1] for s in got)
    else:
        assert expected in got, got


def test_passive_swaps_source_and_target():
    got = triples(run("日本遭到美国制裁。"))
    assert ("日本", "美国", "against", "sanction") not in got


def test_negated_friendly_act_is_not_favor():
    got = triples(run("美国与中国未达成协议。"))
    assert not any(s[2] == "favor" for s in got), got


def test_refusal_is_against():
    got = triples(run("印度拒绝与中国合作。"))
    assert ("印度", "中国", "against", "cooperate") in got, got


def test_negated_hostile_act_is_not_against():
    got = triples(run("德国不反对中国的提议。"))
    assert not any(s[:2] == ("德国", "中国") and s[2] == "against" for s in got), got


def test_modality_keeps_label_lowers_confidence():
    plain = run("美国对中国实施制裁。").stances
    modal = run("美国可能对中国实施制裁。").stances
    p = next(s for s in plain if s["action"] == "sanction")
    m = next(s for s in modal if s["action"] == "sanction")
    assert p["label"] == m["label"] == "against"
    assert m["confidence"] < p["confidence"]


def test_subject_carried_to_next_clause():
    got = triples(run("美国却回赠三记闷棍,逼中国付出更高代价。"))
    assert ("美国", "中国", "against", "threaten") in got, got


def test_subject_not_carried_across_sentences():
    got = triples(run("美国发表声明。逼中国付出代价。"))
    assert not any(s[0] == "美国" for s in got), got


def test_spokesperson_of_ministry_speaks_for_country():
    got = triples(run("外交部发言人表示,中方坚决反对美方的做法。"))
    assert ("中国", "美国", "against", "oppose") in got, got


def test_coordinated_sources():
    got = triples(run("General Motors and Tesla oppose the U.S. plan."))
    assert ("特斯拉", "美国", "against", "oppose") in got and ("通用汽车", "美国", "against", "oppose") in got, got
    assert not any({s[0], s[1]} == {"特斯拉", "通用汽车"} for s in got), got


def test_from_x_to_y_names_source_and_target():
    got = triples(run("The agreement includes technology transfer from China to Brazil."))
    assert ("中国", "巴西", "favor", "cooperate") in got, got


def test_coordinated_possessives():
    got = triples(run("Both India's and Japan's efforts reduce reliance on China's supply."))
    assert ("印度", "中国", "against", "other") in got and ("日本", "中国", "against", "other") in got, got


def test_symmetric_once_and_no_duplicates_per_sentence():
    doc = run("中国与欧盟举行会谈,欧盟与中国举行会谈。")
    keys = [(frozenset((s["source"], s["target"])), s["label"], s["action"]) for s in doc.stances]
    assert len(keys) == len(set(keys))


def test_no_stance_without_two_actors():
    assert run("中国掌握着全球90%的稀土加工能力。").stances == []
    assert run("稀土出口管制持续收紧。").stances == []


def test_confidence_in_unit_interval_and_rule_recorded():
    doc = run("美国或将对中国加征关税,中方坚决反对。")
    assert doc.stances
    for s in doc.stances:
        assert 0.0 < s["confidence"] <= 1.0


def test_offsets_with_traditional_fullwidth_crlf_emoji():
    text = "🇺🇸 美國對中國加徵１００％關稅。\r\n😀 中方堅決反對！"
    doc = run(text)
    got = triples(doc)
    assert ("美国", "中国", "against", "tariff") in got, got
    for s in doc.stances:
        ev = s["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]


def test_doc_without_entities_is_fine():
    doc = Doc(text="美国对中国加征关税。")
    doc.norm = normalize.normalize(doc.text)
    doc.sentences = sentences.split(doc.norm)
    stance.extract(doc)
    assert doc.stances == []


def test_entity_mentions_from_user_key_are_used():
    doc = make_doc("美国对中国加征关税。")
    doc.user["entity_mentions"] = [(0, 2, "美国", "GPE"), (3, 5, "中国", "GPE")]
    doc.entities = []
    stance.extract(doc)
    assert ("美国", "中国", "against", "tariff") in triples(doc)


@pytest.mark.parametrize("given, kept", [
    # sorted, named, apart: kept as they are
    ([(0, 2, "美国", "GPE"), (3, 5, "中国", "GPE")], [(0, 2, "美国", "GPE"), (3, 5, "中国", "GPE")]),
    # overlapping: the longest at a start, then none that starts inside it
    ([(0, 2, "美国", "GPE"), (0, 4, "美国商务", "ORG"), (3, 5, "中国", "GPE"), (5, 7, "日本", "GPE")],
     [(0, 4, "美国商务", "ORG"), (5, 7, "日本", "GPE")]),
    # unnamed dropped, lists made tuples (and an extra field cut), unsorted sorted
    ([[3, 5, "中国", "GPE", "x"], (0, 2, "", "GPE")], [(3, 5, "中国", "GPE")]),
    ([(3, 5, "中国", "GPE"), (0, 2, "美国", "GPE")], [(0, 2, "美国", "GPE"), (3, 5, "中国", "GPE")]),
])
def test_entity_mentions_sorted_non_overlapping_named(given, kept):
    doc = Doc(text="美国商务中国日本", targets=[])
    doc.user["entity_mentions"] = given
    out = stance.entity_mentions(doc)
    assert out == kept and all(type(m) is tuple for m in out)


# --------------------------------------------------------------------------- author stances

def test_author_stance_toward_requested_targets():
    doc = run("美国的霸凌行径暴露无遗,这种打压注定失败。中国拿出了十足的诚意。", targets=["美国", "中国"])
    arts = {a["target"]: a for a in doc.article_stances}
    assert arts["美国"]["label"] == "against" and arts["美国"]["score"] < 0
    assert arts["中国"]["label"] == "favor" and arts["中国"]["score"] > 0
    assert arts["美国"]["evidence"]


def test_author_stance_quoted_words_are_not_the_authors():
    doc = run("外交部发言人表示:“美方的做法是霸凌,是失败的。”", targets=["美国"])
    assert doc.article_stances[0]["label"] == "neutral"


def test_author_stance_neutral_wire():
    doc = run("新华社北京7月1日电 中国与巴西今天举行会谈。", targets=["巴西"])
    assert doc.article_stances[0]["label"] == "neutral"
    assert doc.article_stances[0]["evidence"] == []


def test_author_stance_literal_phrase_and_negation():
    doc = run("春节不放鞭炮,空气好多了。", targets=["春节放鞭炮"])
    assert doc.article_stances[0]["label"] == "against"
    doc = run("坚决支持开放二胎!", targets=["开放二胎"])
    assert doc.article_stances[0]["label"] == "favor"


def test_author_stance_target_absent_keeps_shape():
    doc = run("今天天气不错。", targets=["稀土出口管制"])
    a = doc.article_stances[0]
    assert a["target"] == "稀土出口管制" and -1 <= a["score"] <= 1


def test_author_stance_three_salient_actors_without_targets():
    doc = run("美国对中国加征关税。日本表示关切。美国再次施压。欧盟观望。中国回应。")
    names = [a["target"] for a in doc.article_stances]
    assert len(names) == 3 and names[0] in ("美国", "中国")


# --------------------------------------------------------------------------- lexicons, robustness

def test_lexicons_load_and_cover_every_action():
    lex = L.load_stance()
    actions = {h.value[0] for h in lex.scanner.scan("加征关税 制裁 出口管制 批评 威胁 反对 谈判 达成协议 合作 支持 投资 采购 遏制")
               if h.kind == "trigger"}
    assert actions == set(L.ACTIONS)
    L.load_sentiment()


def test_bad_lexicon_fails_at_load(tmp_path, monkeypatch):
    src = os.path.join(L.DATA, "stance_verbs.yaml")
    data = yaml.safe_load(open(src, encoding="utf-8"))
    data["triggers"][0]["action"] = "invade"
    (tmp_path / "stance_verbs.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(L, "DATA", str(tmp_path))
    with pytest.raises(L.LexiconError):
        L.load_stance()


def test_english_keys_match_whole_words_only():
    lex = L.load_stance()
    keys = {h.key for h in lex.scanner.scan(L.ascii_lower("Countervailing, counterpart, sanctions, tariffs."))}
    assert "sanction" in keys or "sanctions" in keys
    assert "counter" not in keys          # "counterpart" is no counter-measure


@pytest.mark.parametrize("text", [
    "1" * 200_000,
    "1,2," * 50_000,
    "美国对中国" * 20_000,
    "中国,美国,欧盟,日本," * 10_000,
    "“" * 100_000,
    "not " * 50_000,
])
def test_linear_time_on_pathological_input(text):
    doc = make_doc(text, targets=["美国"])
    t0 = time.perf_counter()
    stance.extract(doc)
    assert time.perf_counter() - t0 < 20     # a hang guard, not a benchmark


# --------------------------------------------------------------------------- fast paths = their regex

def _split_at(pattern, norm, start, end):
    """What splitting [start, end) at ``pattern.finditer`` gives (the reference of the fast splitters)."""
    out, pos = [], start
    for m in pattern.finditer(norm, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        out.append((pos, end))
    return out


# pieces of bullets, citations, dashes, clause punctuation, abbreviations and quotes, joined at random
_PIECES = [" ", "\n", "\t", "\u3000", "-", "–", "—", " - ", "- -", "[", "]", "[1]", "[12][3]", "1", "Group ",
           "Group 2:", "xGroup 3", "Core ", "Core Viewpoint", "Core Insightsx", "G", "C", ",", "，", ";", "；",
           ":", "：", "、", "(", "）", "中国", "a", "U.S.", "Corp.", "Mr.", "x.y.", "“", "”", "「", "」", "『", "』",
           '"', "rare-earth", "美国" * 40]


def _random_texts(n, seed):
    rnd = random.Random(seed)
    for _ in range(n):
        text = "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 16)))
        start = rnd.randint(0, len(text))
        yield text, start, rnd.randint(start, len(text))


def test_segments_and_clauses_split_as_their_regexes():
    for text, start, end in _random_texts(4000, 1):
        shared: dict = {}
        hard = stance._hard_starts(text, shared)
        cuts = stance._clause_starts(text, shared)
        assert list(stance._segments(text, start, end, hard)) == _split_at(stance._HARD, text, start, end)
        assert list(stance._segments(text, start, end)) == _split_at(stance._HARD, text, start, end)
        assert list(stance._clauses(text, start, end, cuts)) == _split_at(stance._CLAUSE, text, start, end)
        assert stance._abbrev_end(text, start, end) == bool(stance._ABBREV_END.search(text[start:end]))


def test_author_marks_and_clause_ends_as_their_regexes():
    lex = author_stance.lexicon()
    clause = re.compile(r"[,，;；:：\s](?:(?<!\s)|(?<=\s)[-–—]\s)")
    for text, _s, _e in _random_texts(4000, 2):
        shared: dict = {}
        regions, close, begin = [], None, 0
        for m in lex.quote_marks.finditer(text):
            ch = m.group()
            if close is not None:
                if ch == close:
                    if m.start() - begin <= 400:
                        regions.append((begin, m.start()))
                    close = None
                elif ch == "\n":
                    close = None
            elif ch in dict(lex.quotes):
                close, begin = dict(lex.quotes)[ch], m.end()
        assert author_stance._voice_mask(text, lex) == author_stance._voice_mask(text, lex, shared) == regions
        ends = [m.end() for m in clause.finditer(text)]
        assert author_stance._clause_ends(text) == author_stance._clause_ends(text, shared) == ends
        assert L.positions(text, "-“") == sorted(i for i, ch in enumerate(text) if ch in "-“")


def test_end_only_kind_is_not_listed_and_ends_at_the_latest_start():
    sc = L.Scanner(ends_only=("prep",))
    for key, kind in (("对", "prep"), ("to", "prep"), ("对于", "prep"), ("对", "other"), ("tariff", "trigger")):
        sc.add(key, kind)
    sc.build()
    text = L.ascii_lower("美国对于中国，对日本 tariffs to Japan; into")
    ends: dict = {}
    hits = sc.scan(text, ends)
    assert {h.kind for h in hits} == {"other", "trigger"}
    assert [(h.start, h.end) for h in hits if h.kind == "other"] == [(2, 3), (7, 8)]
    # 对 ends at 3 and 8, 对于 at 4 (both start at 2), "to" at 21 ("into" is no "to")
    assert ends == {"prep": {3: 2, 4: 2, 8: 7, 21: 19}}
    plain = L.Scanner()
    for key, kind in (("对", "prep"), ("to", "prep"), ("对于", "prep"), ("对", "other"), ("tariff", "trigger")):
        plain.add(key, kind)
    plain.build()
    listed = plain.scan(text)
    assert [h for h in listed if h.kind != "prep"] == hits
    assert {(h.end, h.start) for h in listed if h.kind == "prep"} == set(ends["prep"].items())


@pytest.mark.parametrize("text", [
    "美国对中国加征关税",
    "😀美国 tariffs on 中国😀 sanctions",
    "\ud800中国\udfff制裁 tariff\ud83d",          # lone surrogates (possible in JSON input)
    "é tariffs ü 关税 à",
    "tariffs on China",
])
def test_scan_offsets_are_character_offsets(text):
    """Byte offsets of the automaton become character offsets by counting UTF-8 lead bytes."""
    low = L.ascii_lower(text)
    stance.lexicon()            # (loads the merged scanner)
    hits = stance._scanner.scan(low, {})
    assert hits
    for h in hits:
        if h.key.isascii():
            assert low[h.start:h.end].startswith(h.key)
        else:
            assert low[h.start:h.end] == h.key


def test_default_targets_skip_the_news_source_and_favour_actors():
    text = ("路透社11月20日报道，据彭博社消息，美国对越南加征关税。越南表示强烈不满。"
            "路透社还称，美国官员将访问越南。")
    out = pipeline.analyze(text, include=["stances"])
    targets = [a["target"] for a in out["article_stances"]]
    assert "路透社" not in targets and "彭博社" not in targets
    assert {"美国", "越南"} <= set(targets)
