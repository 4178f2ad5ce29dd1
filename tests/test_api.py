"""The HTTP contract of SPEC.md: endpoints, problem+json errors, request ids, logs, metrics."""
from __future__ import annotations

import datetime
import io
import json
import logging
import random
import re
from pathlib import Path

import pytest
import yaml

from service.api import routes
from service.logging_setup import JsonFormatter, RequestIdFilter
from service.nlp import pipeline

from .conftest import assert_offsets

ROOT = Path(__file__).resolve().parent.parent
ANALYSIS_KEYS = ["language", "length", "quantities", "entities", "stances", "article_stances"]
PROBLEM = "application/problem+json"

TEXTS = {
    "simplified": "美国对中国加征100%关税，中方坚决反对。稀土出口量在7月下降30.9%。",
    "traditional": "美國對中國加徵100%關稅，中方堅決反對。稀土出口量在7月下降30.9%。",
    "fullwidth": "美国对中国加征１００％关税，出口额约５．９亿美元。",
    "emoji": "😀🇺🇸 美国对中国加征100%关税 🔥，中方坚决反对。",
    "crlf": "美国对中国加征100%关税。\r\n中方坚决反对。\r\n\r\nU.S. officials said tariffs rose 20%.",
    "english": "The U.S. imposed a 100% tariff on Chinese goods; Beijing said it firmly opposes it.",
}


def problem_of(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json(force=True)
    assert set(body) >= {"type", "title", "status", "detail", "code"}
    assert body["status"] == status and body["code"] == code
    assert body["type"].startswith("https://")
    assert "Traceback" not in resp.get_data(as_text=True)
    assert resp.headers.get("X-Request-ID")
    return body


@pytest.fixture
def calls(monkeypatch):
    """Record the arguments the views pass to service.analyze."""
    seen = []

    def fake(text, published=None, targets=None, include=None):
        seen.append({"text": text, "published": published, "targets": targets, "include": include})
        return pipeline.analyze(text, published, targets, include)

    monkeypatch.setattr(routes, "analyze", fake)
    return seen


# --- operations endpoints -------------------------------------------------------------------

def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_readyz_ready_after_load(client):
    assert pipeline.ready()
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json() == {"status": "ready"}


def test_readyz_503_until_loaded(client, monkeypatch):
    monkeypatch.setattr(pipeline, "_loaded", False)
    problem_of(client.get("/readyz"), 503, "NOT_READY")


def test_openapi_served_byte_for_byte(client):
    r = client.get("/openapi.yaml")
    assert r.status_code == 200
    assert r.mimetype == "application/yaml"
    assert r.get_data() == (ROOT / "openapi.yaml").read_bytes()


def test_docs_offline(client):
    r = client.get("/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "no asset may come from another host"
    for src in re.findall(r"(?:src|href)=\"([^\"]+)\"", html):
        assert client.get(src).status_code == 200, src
    assert "swagger-ui-bundle.js" in html


def test_docs_spec_is_valid_openapi_30(client):
    from openapi_spec_validator import validate
    spec = client.get("/docs/openapi.json").get_json()
    assert spec["openapi"].startswith("3.0")
    validate(spec)
    assert spec["paths"].keys() == yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))["paths"].keys()


def test_demo_page(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<textarea" in html and "<button" in html and 'class="legend"' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    for src in re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html):
        assert client.get(src).status_code == 200, src
    js = client.get("/static/demo.js").get_data(as_text=True)
    assert "/v1/analyze" in js and "Array.from" in js  # code-point offsets


# --- analyze ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(TEXTS))
def test_analyze_json_shape_and_offsets(client, name):
    text = TEXTS[name]
    r = client.post("/v1/analyze", json={"text": text, "published": "2025-08-20"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    a = r.get_json()
    assert list(a) == ANALYSIS_KEYS
    assert a["length"] == len(text)
    assert a["language"] in {"zh-Hans", "zh-Hant", "en", "mixed"}
    assert_offsets(text, a)


def test_analyze_calls_service_analyze(client, calls):
    r = client.post("/v1/analyze", json={"text": "中国", "published": "2025-01-31", "targets": ["美国"],
                                         "include": ["entities"]})
    assert r.status_code == 200
    assert calls == [{"text": "中国", "published": datetime.date(2025, 1, 31),
                      "targets": ["美国"], "include": ["entities"]}]


def test_library_equals_http(client):
    from service import analyze
    text = TEXTS["traditional"]
    assert client.post("/v1/analyze", json={"text": text}).get_json() == analyze(text)


def test_text_plain_with_query_params(client, calls):
    text = TEXTS["crlf"]
    r = client.post("/v1/analyze?published=2025-08-20&targets=美国&targets=稀土出口管制"
                    "&include=quantities,entities&include=stances",
                    data=text.encode(), content_type="text/plain; charset=utf-8")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["length"] == len(text)  # CRLF kept: offsets index the text as sent
    c = calls[-1]
    assert c["text"] == text
    assert str(c["published"]) == "2025-08-20"
    assert c["targets"] == ["美国", "稀土出口管制"]
    assert c["include"] == ["quantities", "entities", "stances"]


def test_text_plain_without_charset_is_utf8(client):
    r = client.post("/v1/analyze", data="中國".encode(), content_type="text/plain")
    assert r.status_code == 200 and r.get_json()["language"] == "zh-Hant"


def test_text_plain_bom_is_not_text(client):
    r = client.post("/v1/analyze", data="\ufeff中国".encode(), content_type="text/plain")
    assert r.get_json()["length"] == 2


def test_include_limits_sections(client, monkeypatch):
    def fake_run(doc, timings=None):
        doc.quantities = [{"x": 1}]
        doc.entities = [{"y": 1}]
        doc.stances, doc.article_stances = [{"z": 1}], [{"w": 1}]
        return doc
    monkeypatch.setattr(pipeline, "run", fake_run)
    a = client.post("/v1/analyze", json={"text": "中国", "include": ["entities"]}).get_json()
    assert a["entities"] and not a["quantities"] and not a["stances"] and not a["article_stances"]


def test_text_plain_bad_query_params(client):
    body = problem_of(client.post("/v1/analyze?published=2025-13-01&include=foo", data=b"x",
                                  content_type="text/plain"), 422, "VALIDATION_FAILED")
    assert set(body["errors"]) == {"published", "include"}


def test_json_body_ignores_query_params(client, calls):
    r = client.post("/v1/analyze?include=nonsense", json={"text": "中国"})
    assert r.status_code == 200 and calls[-1]["include"] is None


# --- errors ----------------------------------------------------------------------------------

def _j(obj) -> dict:
    return {"data": json.dumps(obj), "content_type": "application/json"}


BAD = [
    # (id, request kwargs, status, code, fields in errors)
    ("malformed", {"data": b'{"text": ', "content_type": "application/json"}, 400, "MALFORMED_JSON", None),
    ("empty json", {"data": b"", "content_type": "application/json"}, 400, "MALFORMED_JSON", None),
    ("trailing garbage", {"data": b'{"text": "a"} x', "content_type": "application/json"}, 400, "MALFORMED_JSON", None),
    ("deep arrays", {"data": b"[" * 200_000, "content_type": "application/json"}, 400, "MALFORMED_JSON", None),
    ("deep objects", {"data": b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "content_type": "application/json"},
     400, "MALFORMED_JSON", None),
    ("huge int", {"data": b'{"text": ' + b"9" * 100_000 + b"}", "content_type": "application/json"},
     400, "MALFORMED_JSON", None),
    ("latin-1 json", {"data": '{"text": "café"}'.encode("latin-1"), "content_type": "application/json"},
     400, "INVALID_ENCODING", None),
    ("binary text", {"data": bytes(range(256)), "content_type": "text/plain"}, 400, "INVALID_ENCODING", None),
    ("lone surrogate", {"data": b'{"text": "\\ud800x"}', "content_type": "application/json"},
     400, "INVALID_ENCODING", None),
    ("surrogate key", {"data": b'{"text": "a", "\\udfff": 1}', "content_type": "application/json"},
     400, "INVALID_ENCODING", None),
    ("xml", {"data": b"<a/>", "content_type": "application/xml"}, 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("form", {"data": {"text": "x"}}, 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("no content type", {"data": b"x"}, 415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("other charset", {"data": "中".encode("gb18030"), "content_type": "text/plain; charset=gb18030"},
     415, "UNSUPPORTED_MEDIA_TYPE", None),
    ("not an object", _j(["text"]), 422, "VALIDATION_FAILED", {"_schema"}),
    ("string body", _j("text"), 422, "VALIDATION_FAILED", {"_schema"}),
    ("missing text", _j({}), 422, "VALIDATION_FAILED", {"text"}),
    ("blank text", _j({"text": " \r\n\u3000 "}), 422, "VALIDATION_FAILED", {"text"}),
    ("empty text", _j({"text": ""}), 422, "VALIDATION_FAILED", {"text"}),
    ("null text", _j({"text": None}), 422, "VALIDATION_FAILED", {"text"}),
    ("number text", _j({"text": 123}), 422, "VALIDATION_FAILED", {"text"}),
    ("list text", _j({"text": ["a"]}), 422, "VALIDATION_FAILED", {"text"}),
    ("impossible date", _j({"text": "a", "published": "2025-02-30"}), 422, "VALIDATION_FAILED", {"published"}),
    ("short date", _j({"text": "a", "published": "2025-1-5"}), 422, "VALIDATION_FAILED", {"published"}),
    ("datetime", _j({"text": "a", "published": "2025-01-05T10:00:00"}), 422, "VALIDATION_FAILED", {"published"}),
    ("number date", _j({"text": "a", "published": 20250105}), 422, "VALIDATION_FAILED", {"published"}),
    ("unknown include", _j({"text": "a", "include": ["quantities", "sentiment"]}), 422, "VALIDATION_FAILED",
     {"include"}),
    ("include string", _j({"text": "a", "include": "quantities"}), 422, "VALIDATION_FAILED", {"include"}),
    ("empty include", _j({"text": "a", "include": []}), 422, "VALIDATION_FAILED", {"include"}),
    ("21 targets", _j({"text": "a", "targets": [f"t{i}" for i in range(21)]}), 422, "TOO_MANY_TARGETS",
     {"targets"}),
    ("100 targets", _j({"text": "a", "targets": ["美国"] * 100}), 422, "TOO_MANY_TARGETS", {"targets"}),
    ("number target", _j({"text": "a", "targets": [1]}), 422, "VALIDATION_FAILED", {"targets"}),
    ("blank target", _j({"text": "a", "targets": [" "]}), 422, "VALIDATION_FAILED", {"targets"}),
    ("targets string", _j({"text": "a", "targets": "美国"}), 422, "VALIDATION_FAILED", {"targets"}),
    ("unknown field", _j({"text": "a", "lang": "zh"}), 422, "VALIDATION_FAILED", {"lang"}),
    ("nested unknown", _j({"text": "a", "x": [[[[[[[[{"y": 1}]]]]]]]]}), 422, "VALIDATION_FAILED", {"x"}),
    ("several", _j({"published": "x", "targets": ["a"] * 30}), 422, "VALIDATION_FAILED",
     {"text", "published", "targets"}),
]


@pytest.mark.parametrize("kwargs,status,code,fields", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_is_a_problem(client, kwargs, status, code, fields):
    body = problem_of(client.post("/v1/analyze", **kwargs), status, code)
    if fields is None:
        assert "errors" not in body
    else:
        assert set(body["errors"]) == fields
        assert all(isinstance(v, (list, dict)) for v in body["errors"].values())


@pytest.mark.options(MAX_CHARS=10)
def test_text_too_long(client):
    assert client.post("/v1/analyze", json={"text": "中" * 10}).status_code == 200
    body = problem_of(client.post("/v1/analyze", json={"text": "中" * 11}), 422, "TEXT_TOO_LONG")
    assert body["errors"]["text"] == ["text is longer than 10 characters"]
    problem_of(client.post("/v1/analyze", data=("中" * 11).encode(), content_type="text/plain"),
               422, "TEXT_TOO_LONG")


@pytest.mark.options(MAX_BYTES=1000)
def test_413_from_content_length(client):
    assert client.post("/v1/analyze", data=b"a" * 1000, content_type="text/plain").status_code == 200
    problem_of(client.post("/v1/analyze", data=b"a" * 1001, content_type="text/plain"), 413, "PAYLOAD_TOO_LARGE")


class CountingStream(io.RawIOBase):
    """An endless chunked body that counts what the server reads from it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, b):
        n = len(b)
        b[:n] = b"a" * n
        self.read_bytes += n
        return n


@pytest.mark.options(MAX_BYTES=100_000)
def test_413_while_streaming_without_content_length(app, client):
    stream = CountingStream()
    env = {"wsgi.input": io.BufferedReader(stream), "wsgi.input_terminated": True,
           "CONTENT_TYPE": "text/plain", "HTTP_TRANSFER_ENCODING": "chunked"}
    r = client.post("/v1/analyze", environ_overrides=env)
    problem_of(r, 413, "PAYLOAD_TOO_LARGE")
    assert stream.read_bytes < 100_000 + 2 * 65536 + 8192  # stopped near the limit, not at the end


def test_chunked_body_under_limit(client):
    data = "中国对美国出口稀土。".encode()
    env = {"wsgi.input": io.BytesIO(data), "wsgi.input_terminated": True, "CONTENT_TYPE": "text/plain"}
    r = client.post("/v1/analyze", environ_overrides=env)
    assert r.status_code == 200 and r.get_json()["length"] == 10


def test_default_byte_limit_is_one_mib(app):
    assert app.config["MAX_BYTES"] == 1024 * 1024


def test_404_and_405(client):
    problem_of(client.get("/v2/nothing"), 404, "NOT_FOUND")
    r = client.get("/v1/analyze")
    problem_of(r, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in r.headers["Allow"]
    problem_of(client.delete("/healthz"), 405, "METHOD_NOT_ALLOWED")


def test_500_has_no_traceback_and_is_logged(client, monkeypatch, caplog):
    def boom(*a, **k):
        raise ZeroDivisionError("secret internals")
    monkeypatch.setattr(routes, "analyze", boom)
    with caplog.at_level(logging.ERROR):
        r = client.post("/v1/analyze", json={"text": "中国"}, headers={"X-Request-ID": "req-500"})
    body = problem_of(r, 500, "INTERNAL")
    assert "secret" not in json.dumps(body) and "ZeroDivision" not in r.get_data(as_text=True)
    rec = [x for x in caplog.records if x.levelno == logging.ERROR]
    assert rec and rec[0].exc_info and rec[0].request_id == "req-500"


def test_binary_noise_never_500(client):
    rnd = random.Random(7)
    for ctype in ("application/json", "text/plain", "text/plain; charset=utf-8", "application/octet-stream"):
        for n in (1, 7, 100, 5000):
            data = bytes(rnd.randrange(256) for _ in range(n))
            assert client.post("/v1/analyze", data=data, content_type=ctype).status_code < 500
            assert client.post("/v1/analyze/batch", data=data, content_type=ctype).status_code < 500


@pytest.mark.parametrize("text", ["0" * 200_000, "，" * 100_000, "1,000," * 30_000, "😀" * 50_000,
                                  "\r\n" * 50_000, "美" * 50_000])
def test_pathological_texts_answered(client, text):
    r = client.post("/v1/analyze", json={"text": text})
    if text.strip():
        assert r.status_code == 200
        assert_offsets(text, r.get_json())
    else:
        assert r.status_code == 422


# --- batch -----------------------------------------------------------------------------------

def test_batch_mixed(client):
    docs = [{"id": "a", "text": TEXTS["simplified"]},
            {"id": "b", "text": ""},
            {"id": "c", "text": TEXTS["traditional"], "published": "2025-08-20", "targets": ["美国"]},
            {"id": "d", "text": "x", "published": "2025-02-30"},
            "not an object",
            {"text": "no id"},
            {"id": "a", "text": "duplicate id"},
            {"id": "e", "text": "x", "color": "red"}]
    r = client.post("/v1/analyze/batch", json={"documents": docs})
    assert r.status_code == 200
    out = r.get_json()
    assert [x["id"] for x in out["results"]] == ["a", "c"]
    for x in out["results"]:
        assert list(x) == ["id"] + ANALYSIS_KEYS
    assert_offsets(TEXTS["traditional"], out["results"][1])
    errs = {e["index"]: e for e in out["errors"]}
    assert sorted(errs) == [1, 3, 4, 5, 6, 7]
    assert errs[1]["id"] == "b" and errs[1]["problem"]["code"] == "VALIDATION_FAILED"
    assert set(errs[3]["problem"]["errors"]) == {"published"}
    assert errs[4]["id"] is None and errs[5]["id"] is None
    assert errs[6]["problem"]["errors"] == {"id": ["must be unique within the batch"]}
    assert errs[7]["problem"]["status"] == 422


@pytest.mark.options(MAX_CHARS=5)
def test_batch_text_too_long_per_document(client):
    r = client.post("/v1/analyze/batch", json={"documents": [{"id": "a", "text": "中国"},
                                                             {"id": "b", "text": "中" * 6}]})
    out = r.get_json()
    assert [x["id"] for x in out["results"]] == ["a"]
    assert out["errors"][0]["problem"]["code"] == "TEXT_TOO_LONG"


def test_batch_one_failure_does_not_fail_the_others(client, monkeypatch):
    def fragile(text, **kw):
        if text == "boom":
            raise RuntimeError("bug")
        return pipeline.analyze(text, **kw)
    monkeypatch.setattr(routes, "analyze", fragile)
    out = client.post("/v1/analyze/batch", json={"documents": [{"id": "1", "text": "boom"},
                                                               {"id": "2", "text": "中国"}]}).get_json()
    assert [x["id"] for x in out["results"]] == ["2"]
    assert out["errors"][0]["problem"]["code"] == "INTERNAL" and "bug" not in json.dumps(out)


def test_batch_limits(client):
    docs = [{"id": str(i), "text": "中国"} for i in range(100)]
    out = client.post("/v1/analyze/batch", json={"documents": docs}).get_json()
    assert len(out["results"]) == 100 and out["errors"] == []
    body = problem_of(client.post("/v1/analyze/batch", json={"documents": docs + [{"id": "x", "text": "a"}]}),
                      422, "TOO_MANY_DOCUMENTS")
    assert set(body["errors"]) == {"documents"}


@pytest.mark.parametrize("payload,fields", [({}, {"documents"}), ({"documents": []}, {"documents"}),
                                            ({"documents": "a"}, {"documents"}),
                                            ({"documents": [], "x": 1}, {"documents", "x"}),
                                            ([], {"_schema"})])
def test_batch_envelope_errors(client, payload, fields):
    body = problem_of(client.post("/v1/analyze/batch", json=payload), 422, "VALIDATION_FAILED")
    assert set(body["errors"]) == fields


def test_batch_is_json_only(client):
    problem_of(client.post("/v1/analyze/batch", data=b"x", content_type="text/plain"), 415,
               "UNSUPPORTED_MEDIA_TYPE")


# --- request ids, logs, metrics ---------------------------------------------------------------

def test_request_id_echoed(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"


def test_request_id_sanitised_and_bounded(client):
    r = client.get("/healthz", headers={"X-Request-ID": 'a"b<script>c d' + "x" * 500})
    rid = r.headers["X-Request-ID"]
    assert rid.startswith("abscriptcdx") and len(rid) == 128


@pytest.mark.parametrize("path,method", [("/healthz", "get"), ("/nope", "get"), ("/v1/analyze", "post"),
                                         ("/metrics", "get"), ("/", "get")])
def test_request_id_generated_everywhere(client, path, method):
    r = getattr(client, method)(path, headers={"X-Request-ID": "\x01\x02"})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-ID"])


def test_every_log_line_is_json_with_the_request_id(client):
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        client.post("/v1/analyze", json={"text": "中国"}, headers={"X-Request-ID": "log-1"})
        client.post("/v1/analyze", data=b"{", content_type="application/json", headers={"X-Request-ID": "log-2"})
    finally:
        root.removeHandler(handler)
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert {x["request_id"] for x in lines} == {"log-1", "log-2"}
    req = [x for x in lines if x["msg"] == "request"]
    assert [(x["request_id"], x["status"]) for x in req] == [("log-1", 200), ("log-2", 400)]
    assert all({"ts", "level", "logger", "msg"} <= set(x) for x in lines)


def test_metrics(client):
    client.post("/v1/analyze", json={"text": "中国"})
    client.post("/v1/analyze", data=b"{", content_type="application/json")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    page = r.get_data(as_text=True)
    assert re.search(r'zhx_http_requests_total\{method="POST",route="/v1/analyze",status="200"\} [1-9]', page)
    assert re.search(r'zhx_http_requests_total\{method="POST",route="/v1/analyze",status="400"\} [1-9]', page)
    assert 'zhx_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/v1/analyze"}' in page
    assert re.search(r'zhx_http_request_size_bytes_sum\{route="/v1/analyze"\} [1-9]', page)
    assert "zhx_http_requests_in_flight " in page
    assert re.search(r'zhx_http_errors_total\{code="MALFORMED_JSON"\} [1-9]', page)
    assert re.search(r"zhx_documents_analyzed_total [1-9]", page)


def test_metrics_multiprocess(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR (as under gunicorn) /metrics adds up the workers' files."""
    import subprocess
    import sys
    code = ("from service import create_app\n"
            "c = create_app({'LOAD_PIPELINE': False}).test_client()\n"
            "c.get('/healthz')\n"
            "print(c.get('/metrics').get_data(as_text=True))\n")
    env = {**__import__("os").environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert 'zhx_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in out
    assert list(tmp_path.glob("*.db")), "metrics are written to the multiprocess directory"
