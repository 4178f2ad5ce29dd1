"""The benchmark script runs and prints its ratios (a test never asserts a time)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_smoke():
    r = subprocess.run([sys.executable, "bench/bench.py", "--kb", "2", "--rounds", "1", "--texts", "bench/sample.txt"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout
    assert "baseline jieba.lcut" in out and "peak memory" in out and "throughput" in out
    for stage in ("normalize", "segment", "quantities", "entities", "stances"):
        assert any(line.startswith(stage) for line in out.splitlines()), stage
