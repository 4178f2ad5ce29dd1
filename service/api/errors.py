"""problem+json (RFC 9457) for every error, with stable codes clients match on.

Every error response goes through :func:`problem`; views raise :class:`ApiError`
(or werkzeug's HTTP exceptions) and the handlers here turn them into
``application/problem+json`` bodies: ``type``, ``title``, ``status``,
``detail``, ``code`` and, for validation failures, ``errors`` keyed by field.
"""
from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from . import metrics

log = logging.getLogger("service.api")

TYPE_BASE = "https://zhx.dev/problems/"

# code -> (status, title): the stable vocabulary of error codes
CODES = {
    "MALFORMED_JSON": (400, "Malformed JSON"),
    "INVALID_ENCODING": (400, "Invalid encoding"),
    "BAD_REQUEST": (400, "Bad request"),
    "NOT_FOUND": (404, "Not found"),
    "METHOD_NOT_ALLOWED": (405, "Method not allowed"),
    "PAYLOAD_TOO_LARGE": (413, "Payload too large"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported media type"),
    "VALIDATION_FAILED": (422, "Validation failed"),
    "TEXT_TOO_LONG": (422, "Text too long"),
    "TOO_MANY_DOCUMENTS": (422, "Too many documents"),
    "TOO_MANY_TARGETS": (422, "Too many targets"),
    "INTERNAL": (500, "Internal server error"),
    "NOT_READY": (503, "Not ready"),
}

# werkzeug's HTTP exceptions that reach the handler, by status
_HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
               413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 503: "NOT_READY"}


class ApiError(Exception):
    """An error with a stable code; the handler renders it as problem+json."""

    def __init__(self, code: str, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.code, self.detail, self.errors = code, detail, errors
        self.status = CODES[code][0]


def problem_body(code: str, detail: str, errors: dict | None = None, status: int | None = None) -> dict:
    """The problem object as a dict (also used inside batch ``errors``)."""
    st, title = CODES.get(code, (status or 500, HTTPStatus(status or 500).phrase))
    body = {"type": TYPE_BASE + code.lower().replace("_", "-"), "title": title,
            "status": status or st, "detail": detail, "code": code}
    if errors is not None:
        body["errors"] = errors
    return body


def problem(code: str, detail: str, errors: dict | None = None, status: int | None = None):
    body = problem_body(code, detail, errors, status)
    resp = jsonify(body)
    resp.status_code = body["status"]
    resp.mimetype = "application/problem+json"
    metrics.ERRORS.labels(code=code).inc()
    return resp


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api(e: ApiError):
        return problem(e.code, e.detail, e.errors)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        code = _HTTP_CODES.get(e.code or 500)
        if code is None:  # an HTTP status without a code of ours: keep status, generic code
            resp = problem("BAD_REQUEST" if (e.code or 500) < 500 else "INTERNAL",
                           e.description or e.name, status=e.code)
        else:
            detail = e.description or e.name
            if code == "PAYLOAD_TOO_LARGE":
                detail = f"the request body is over the limit of {app.config['MAX_BYTES']} bytes"
            resp = problem(code, detail)
        if e.code == 405 and isinstance(getattr(e, "valid_methods", None), (list, tuple, set)):
            resp.headers["Allow"] = ", ".join(sorted(e.valid_methods))
        return resp

    @app.errorhandler(Exception)
    def _internal(e: Exception):
        # the traceback goes to the log (with the request id), never to the client
        log.exception("unhandled error: %s", type(e).__name__)
        return problem("INTERNAL", "the server failed to handle this request")
