"""Thin views over service.analyze (first cut; the foundation issue completes them)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..nlp import pipeline
from .errors import ApiError

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.post("/v1/analyze")
def analyze():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"].strip():
        raise ApiError(422, "VALIDATION_FAILED", "text is required", {"text": ["required"]})
    return jsonify(pipeline.analyze(body["text"], body.get("published"), body.get("targets"), body.get("include")))
