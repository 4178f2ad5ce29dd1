"""problem+json (RFC 9457) for every error, with stable codes."""
from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, errors=None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.errors = status, code, detail, errors


def problem(status: int, code: str, title: str, detail: str, errors=None):
    body = {"type": f"https://zhx.dev/problems/{code.lower().replace('_', '-')}", "title": title,
            "status": status, "detail": detail, "code": code}
    if errors is not None:
        body["errors"] = errors
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


def init_app(app):
    @app.errorhandler(ApiError)
    def _api(e: ApiError):
        from http import HTTPStatus
        return problem(e.status, e.code, HTTPStatus(e.status).phrase, e.detail, e.errors)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        return problem(e.code, (e.name or "error").upper().replace(" ", "_"), e.name, e.description or e.name)

    @app.errorhandler(Exception)
    def _internal(e: Exception):
        app.logger.exception("unhandled error")
        return problem(500, "INTERNAL", "Internal Server Error", "the server failed to handle this request")
