"""Thin views: read and validate the request, call ``service.analyze``, return JSON."""
from __future__ import annotations

import logging

import swagger_ui_bundle
from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, send_from_directory

from ..nlp import pipeline
from ..nlp.pipeline import analyze
from . import body, metrics, schemas
from .errors import ApiError, problem, problem_body

bp = Blueprint("api", __name__)
log = logging.getLogger("service.api")


def _limits() -> tuple[int, int]:
    cfg = current_app.config
    return cfg["MAX_CHARS"], cfg["MAX_TARGETS"]


def _read(json_only: bool = False) -> tuple[str, bytes]:
    """The body's kind (``json`` or ``text``) and bytes; the media type is checked before reading."""
    kind = body.media_type()
    if json_only and kind != "json":
        raise ApiError("UNSUPPORTED_MEDIA_TYPE", "a batch is application/json")
    raw = body.read_body(current_app.config["MAX_BYTES"])
    g.body_bytes = len(raw)
    return kind, raw


def _split_include(values: list) -> list:
    """``include`` from a query string: repeated, comma-separated, or both."""
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _analyze_request() -> dict:
    """The validated ``{text, published, targets, include}`` of one analyze request."""
    kind, raw = _read()
    if kind == "json":
        data = body.parse_json(raw)
    else:
        data = {"text": body.decode(raw)}
        args = request.args
        if "published" in args:
            data["published"] = args.get("published")
        if "targets" in args:
            data["targets"] = args.getlist("targets")
        if "include" in args:
            data["include"] = _split_include(args.getlist("include"))
    return schemas.load_analyze(data, *_limits())


def _run(doc: dict) -> dict:
    metrics.DOCUMENTS.inc()
    return analyze(doc["text"], published=doc.get("published"), targets=doc.get("targets"),
                   include=doc.get("include"))


@bp.post("/v1/analyze")
def analyze_one():
    return jsonify(_run(_analyze_request()))


@bp.post("/v1/analyze/batch")
def analyze_batch():
    _, raw = _read(json_only=True)
    docs = schemas.load_batch(body.parse_json(raw), current_app.config["MAX_BATCH"])
    results, errors, seen = [], [], set()
    for i, raw_doc in enumerate(docs):
        given_id = raw_doc.get("id") if isinstance(raw_doc, dict) else None
        doc_id = given_id if isinstance(given_id, str) else None
        try:
            doc = schemas.load_batch_document(raw_doc, *_limits())
            if doc["id"] in seen:
                raise ApiError("VALIDATION_FAILED", f"duplicate document id {doc['id']!r}",
                               {"id": ["must be unique within the batch"]})
            seen.add(doc["id"])
        except ApiError as e:
            errors.append({"id": doc_id, "index": i, "problem": problem_body(e.code, e.detail, e.errors)})
            metrics.ERRORS.labels(code=e.code).inc()
            continue
        try:
            results.append({"id": doc["id"], **_run(doc)})
        except Exception:  # one document's failure must not fail the batch; it is logged, then reported
            log.exception("batch document failed", extra={"index": i, "doc_id": doc["id"]})
            errors.append({"id": doc["id"], "index": i,
                           "problem": problem_body("INTERNAL", "the server failed to analyse this document")})
            metrics.ERRORS.labels(code="INTERNAL").inc()
    return jsonify(results=results, errors=errors)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    if not pipeline.ready():
        return problem("NOT_READY", "lexicons and models are still loading")
    return jsonify(status="ready")


@bp.get("/metrics")
def metrics_page():
    data, ctype = metrics.exposition()
    return Response(data, content_type=ctype)


@bp.get("/openapi.yaml")
def openapi_yaml():
    return Response(current_app.extensions["zhx.openapi"], content_type="application/yaml")


@bp.get("/docs")
def docs():
    return render_template("docs.html")


@bp.get("/docs/openapi.json")
def docs_openapi():
    """The same contract as /openapi.yaml, in the OpenAPI 3.0 dialect the bundled Swagger UI renders."""
    return jsonify(current_app.extensions["zhx.openapi_30"])


@bp.get("/docs/assets/<path:filename>")
def docs_assets(filename: str):
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)


@bp.get("/")
def index():
    return render_template("index.html")
