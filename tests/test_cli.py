"""``python -m service analyze|serve`` and a real gunicorn start with the project's config."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from service import __main__ as cli

ROOT = Path(__file__).resolve().parent.parent


def test_analyze_files_and_stdin(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("美國對中國加徵關稅。\r\n中方堅決反對。", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_bytes("\ufeffChina's rare earth exports rose 75% in July.".encode())
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    stdin = "稀土出口量暴增75%😀"
    r = subprocess.run([sys.executable, "-m", "service", "analyze", str(a), "-", str(tmp_path / "missing.txt"),
                        str(bad), str(b), "--published", "2025-08-20", "--target", "美国"],
                       input=stdin.encode(), cwd=ROOT, capture_output=True, timeout=120)
    assert r.returncode == 1  # two inputs could not be read
    lines = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert [x["id"] for x in lines] == [str(a), "-", str(b)]
    assert lines[0]["length"] == len(a.read_bytes().decode()) and lines[0]["language"] == "zh-Hant"
    assert lines[1]["length"] == len(stdin)
    assert lines[2]["language"] == "en"
    err = r.stderr.decode()
    assert "missing.txt" in err and "bad.txt" in err


def test_analyze_rejects_bad_date(capsys):
    with pytest.raises(SystemExit):
        cli.main(["analyze", "-", "--published", "2025-02-30"])
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_serve_execs_gunicorn_with_the_config(monkeypatch):
    seen = {}
    monkeypatch.setattr(os, "execv", lambda exe, argv: seen.update(exe=exe, argv=argv))
    monkeypatch.setattr(os, "chdir", lambda d: seen.update(cwd=d))
    cli.main(["serve", "--bind", "127.0.0.1:9999", "--workers", "2"])
    argv = seen["argv"]
    assert argv[:3] == [sys.executable, "-m", "gunicorn"]
    assert argv[argv.index("-c") + 1] == str(ROOT / "gunicorn.conf.py")
    assert argv[-1] == "service:create_app()" and "127.0.0.1:9999" in argv and "2" in argv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, data: bytes = None, headers: dict = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_serve_starts_gunicorn_for_real(tmp_path):
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "2", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "service", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.3)
        assert _get(base + "/readyz")[0] == 200
        status, headers, body = _get(base + "/v1/analyze?include=entities", "美國對中國加徵關稅".encode(),
                                     {"Content-Type": "text/plain", "X-Request-ID": "cli-1"})
        assert status == 200 and headers["X-Request-ID"] == "cli-1"
        assert json.loads(body)["language"] == "zh-Hant"
        for _ in range(4):  # spread over the workers
            _get(base + "/healthz")
        page = _get(base + "/metrics")[2].decode()
        assert 'zhx_http_requests_total{method="GET",route="/healthz",status="200"}' in page
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0  # graceful shutdown on SIGTERM
    access = [json.loads(x) for x in out.decode().splitlines() if x.strip()]
    assert any(x.get("request_id") == "cli-1" and x["status"] == 200 for x in access)
    for line in err.decode().splitlines():  # every log line is one JSON object
        json.loads(line)
