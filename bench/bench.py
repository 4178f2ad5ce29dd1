"""Benchmark: the pipeline's stages against bare ``jieba.lcut`` on the same texts, in the same run.

Prints each stage's cost as a ratio of the lcut time (the goal for quantities,
entities and stances is ≤ 0.3× each), the throughput and the peak memory.
It never asserts a time: it is a measurement, not a test.

    .venv/bin/python bench/bench.py [--kb 300] [--texts FILE ...]
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "data" / "dev"
GOAL = {"quantities": 0.3, "entities": 0.3, "stances": 0.3}


def load_texts(paths: list) -> tuple[list, str]:
    """The dev articles when they are there, else the sample shipped here (or the files given)."""
    if paths:
        return [Path(p).read_text(encoding="utf-8") for p in paths], ", ".join(paths)
    if DEV.is_dir() and list(DEV.glob("*.json")):
        texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted(DEV.glob("*.json"))]
        return texts, str(DEV)
    return [(HERE / "sample.txt").read_text(encoding="utf-8")], "bench/sample.txt"


def repeat_to(texts: list, kb: int) -> list:
    """Cycle through the texts until they add up to ``kb`` kilobytes of UTF-8."""
    out, size, i = [], 0, 0
    while size < kb * 1024:
        t = texts[i % len(texts)]
        out.append(t)
        size += len(t.encode("utf-8"))
        i += 1
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kb", type=int, default=300, help="how much text to run (KB of UTF-8, default 300)")
    ap.add_argument("--texts", nargs="*", default=[], help="text files to use instead of the dev set")
    ap.add_argument("--rounds", type=int, default=3,
                    help="measure this many times and keep each figure's best (default 3: less noise)")
    args = ap.parse_args(argv)

    import jieba

    from service.nlp import pipeline

    base, source = load_texts(args.texts)
    texts = repeat_to(base, args.kb)
    chars = sum(len(t) for t in texts)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)

    jieba.setLogLevel(60)
    jieba.initialize()           # dictionary loading is not part of either measurement
    pipeline.load()
    jieba.lcut(texts[0])
    pipeline.run(pipeline.make_doc(texts[0]))  # warm caches once

    lcut, total, timings = float("inf"), float("inf"), {}
    for _ in range(max(1, args.rounds)):
        t0 = time.perf_counter()
        for t in texts:
            jieba.lcut(t)
        lcut = min(lcut, time.perf_counter() - t0)

        round_timings: dict = {}
        t0 = time.perf_counter()
        for t in texts:
            pipeline.run(pipeline.make_doc(t), round_timings)
        total = min(total, time.perf_counter() - t0)
        for name, sec in round_timings.items():
            timings[name] = min(timings.get(name, float("inf")), sec)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"texts: {len(texts)} documents from {source}, {chars:,} characters, {nbytes / 1024:,.0f} KB; "
          f"best of {max(1, args.rounds)} rounds")
    print(f"baseline jieba.lcut: {lcut:.3f} s ({chars / lcut / 1000:,.1f} kchar/s)")
    print(f"{'stage':<12}{'seconds':>10}{'× lcut':>10}  goal")
    for name, _ in pipeline.COMPONENTS:
        sec = timings.get(name, 0.0)
        ratio = sec / lcut if lcut else float("inf")
        goal = GOAL.get(name)
        mark = "" if goal is None else (f"≤ {goal}  ok" if ratio <= goal else f"≤ {goal}  OVER")
        print(f"{name:<12}{sec:>10.3f}{ratio:>10.2f}  {mark}")
    print(f"{'pipeline':<12}{total:>10.3f}{total / lcut:>10.2f}")
    print(f"throughput: {chars / total / 1000:,.1f} kchar/s, {nbytes / 1024 / total:,.0f} KB/s, "
          f"{len(texts) / total:,.1f} documents/s")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
