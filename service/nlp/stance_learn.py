"""Offline: derive target-agnostic evaluative words from labelled stance data.

    python -m service.nlp.stance_learn /work/shared/peer/nlpcc2016_stance.jsonl [--split train]

Reads ONLY rows of the given split (train), never test rows.  A word is kept only
when it leans the same way (favor vs against, measured against each target's own
prior) for at least ``--min-targets`` different targets, and only non-nouns
(verbs, adjectives, adverbs, interjections) are considered, so topic words
(雾霾 for fireworks, 空袭 for Syria, 政府) drop out and what is left is the
stance vocabulary of the language (支持, 希望, 呵呵, 凭什么 …), open to any target.
Prints the YAML block ``learned:`` for data/sentiment.yaml; nothing reads the
data file at run time but the lexicon loader.
"""
from __future__ import annotations

import argparse
import json
import math
import re
from collections import defaultdict

_HAN = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
# nouns, names, numerals, times, measure words and function words name topics, not stances
_NOT_EVALUATIVE = ("n", "m", "t", "q", "r", "p", "u", "c", "f", "s")


def learn(rows, min_targets=3, min_count=3, min_effect=0.35):
    from . import normalize, segment
    segment.load()
    normalize.load()
    per = defaultdict(lambda: defaultdict(lambda: [0, 0]))     # word -> target -> [favor, against]
    prior = defaultdict(lambda: [0, 0])
    for r in rows:
        if r["label"] not in ("favor", "against"):
            continue
        i = 0 if r["label"] == "favor" else 1
        t = r["target"]
        prior[t][i] += 1
        tgt = normalize.normalize(t)
        words = {w for w, flag, _s, _e in segment.pos_tokenize(normalize.normalize(r["text"]))
                 if _HAN.match(w) and w not in tgt and not flag.startswith(_NOT_EVALUATIVE)}
        for w in words:
            per[w][t][i] += 1
    out = {}
    for w, by_t in per.items():
        effects = []
        for t, (f, a) in by_t.items():
            if f + a < min_count:
                continue
            pf, pa = prior[t]
            effects.append(math.log((f + 0.5) / (a + 0.5)) - math.log(pf / pa))
        if len(effects) < min_targets:
            continue
        if not (all(e > 0 for e in effects) or all(e < 0 for e in effects)):
            continue
        mean = sum(effects) / len(effects)
        if abs(mean) >= min_effect:
            out[w] = round(max(-1.5, min(1.5, mean)), 2)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--split", default="train")
    ap.add_argument("--min-targets", type=int, default=3)
    a = ap.parse_args()
    if a.split != "train":
        raise SystemExit("learn from the train split only")
    rows = [json.loads(line) for line in open(a.file, encoding="utf-8")]
    rows = [r for r in rows if r.get("split") == a.split]
    words = learn(rows, a.min_targets)
    print("# derived by service/nlp/stance_learn.py from the NLPCC 2016 Task A *train* split only:")
    print(f"# words leaning the same way for >= {a.min_targets} different targets (target-agnostic)")
    print("learned:")
    for w, v in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {w}: {v}")


if __name__ == "__main__":
    main()
