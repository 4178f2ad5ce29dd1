"""Discourse over actor stances: coordinated parties, reactions to an earlier act, topics of talks."""
from __future__ import annotations

import pytest

from service.nlp import lexicons, pipeline, stance_discourse


@pytest.fixture(scope="module", autouse=True)
def loaded():
    pipeline.load()


def triples(text, **kw):
    out = pipeline.analyze(text, include=["stances"], **kw)
    for s in out["stances"]:
        ev = s["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]
        assert 0 < s["confidence"] <= 1
    return {(s["source"], s["target"], s["label"], s["action"]) for s in out["stances"]}


def test_coordinated_targets_each_get_the_act():
    got = triples("美方将对来自越南和泰国的太阳能电池板征收反倾销税。")
    assert ("美国", "越南", "against", "tariff") in got
    assert ("美国", "泰国", "against", "tariff") in got


def test_coordinated_sources_each_do_the_act():
    got = triples("日本和荷兰同意配合美国限制向中国出口芯片制造设备。")
    assert ("日本", "中国", "against", "export_control") in got
    assert ("荷兰", "中国", "against", "export_control") in got


def test_a_preposition_partner_is_no_coordinated_party():
    # 与 introduces the other party here: no stance of Indonesia toward itself or a third party
    got = triples("印度尼西亚与中国签署镍产业合作协议。")
    assert {s for s, t, _l, _a in got} | {t for s, t, _l, _a in got} <= {"印度尼西亚", "中国"}


def test_reaction_to_the_act_of_an_earlier_sentence():
    got = triples("美国宣布对越南和泰国的太阳能电池板征收反倾销税。越南工贸部对此表示强烈不满。")
    assert ("越南工贸部", "美国", "against", "criticize") in got


def test_reaction_without_anaphor_targets_whoever_acted_against_the_reactor():
    got = triples("欧盟对中国电动汽车加征反补贴税，中国商务部表示强烈不满并将采取反制措施。")
    assert any(s == "商务部" and t == "欧盟" and lab == "against" for s, t, lab, _a in got)


def test_no_reaction_without_an_earlier_act():
    got = triples("越南工贸部对此表示强烈不满。")
    assert got == set()


def test_reaction_does_not_reach_beyond_the_lookback():
    filler = "市场人士称价格平稳。" * 5
    got = triples("美国宣布对越南征收反倾销税。" + filler + "越南工贸部表示强烈不满。")
    assert not any(a == "criticize" for _s, _t, _l, a in got)


def test_english_listing_sanctions_whoever_is_named_between_verb_and_list():
    got = triples("It rose. The U.S. added Huawei and SMIC to the Entity List in 2019.")
    assert ("美国", "华为", "against", "sanction") in got
    assert ("美国", "中芯国际", "against", "sanction") in got
    assert not triples("The entity list grew longer after the review.")


def test_english_reaction_to_the_move():
    got = triples("The Commerce Department's Bureau of Industry and Security added 23 Chinese entities to the "
                  "Entity List. Beijing said it firmly opposes the move.")
    assert ("美国商务部工业与安全局", "中国", "against", "sanction") in got
    assert ("中国", "美国商务部工业与安全局", "against", "oppose") in got


def test_topic_of_talks_is_no_act():
    got = triples("韩国与美国在首尔会谈，双方就汽车关税和半导体合作达成共识。")
    assert not any(a == "tariff" for _s, _t, _l, a in got)
    assert any(a == "agree" for _s, _t, _l, a in got)


def test_tariff_outside_a_topic_stays():
    got = triples("美国宣布对韩国汽车加征25%关税，双方将就此进行磋商。")
    assert ("美国", "韩国", "against", "tariff") in got


def test_long_repetitive_input_is_safe_and_deduplicated():
    text = "美国对中国和日本加征关税，中方表示强烈不满。" * 400
    got = triples(text)
    # one triple per (source, target, label, action) however often it is said
    assert ("美国", "日本", "against", "tariff") in got
    assert len(got) < 10


@pytest.mark.parametrize("bad, msg", [
    ("version: 1\ncoordinators: []\nanaphors: {zh: [此], en: [it]}\n"
     "lookback_sentences: 2\ntopic: {markers: [就], verbs: [达成], max_chars: 10}\n"
     "listing: {verbs: [added], lists: [entity list], max_chars: 100}\n", "coordinators"),
    ("version: 1\ncoordinators: [和]\nanaphors: {zh: [此], en: [it]}\n"
     "lookback_sentences: 2\ntopic: {markers: [就], verbs: [达成], max_chars: 500}\n"
     "listing: {verbs: [added], lists: [entity list], max_chars: 100}\n", "max_chars"),
    ("version: 1\ncoordinators: [和]\nanaphors: {zh: [此], en: [it]}\n"
     "lookback_sentences: 9\ntopic: {markers: [就], verbs: [达成], max_chars: 10}\n"
     "listing: {verbs: [added], lists: [entity list], max_chars: 100}\n", "lookback_sentences"),
    ("version: 1\ncoordinators: [和]\nanaphors: {zh: [此], en: [it]}\n"
     "lookback_sentences: 2\ntopic: {markers: [就], verbs: [达成], max_chars: 10}\n", "listing"),
])
def test_bad_data_file_fails_at_load(tmp_path, bad, msg):
    p = tmp_path / "stance_discourse.yaml"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(lexicons.DataFileError, match=msg):
        stance_discourse.load(str(p))
    stance_discourse.load()     # restore the shipped rules for the other tests
