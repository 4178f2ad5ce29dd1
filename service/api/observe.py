"""Per-request plumbing: X-Request-ID, one JSON log line per request, Prometheus metrics."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

from . import metrics

log = logging.getLogger("service.access")

REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID = 128
_UNSAFE = re.compile(r"[^A-Za-z0-9._:/+=@-]")


def request_id_from(header: str | None) -> str:
    """The client's id with unsafe characters dropped and its length bounded, or a new one."""
    if header:
        clean = _UNSAFE.sub("", header)[:MAX_REQUEST_ID]
        if clean:
            return clean
    return uuid.uuid4().hex


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


def init_app(app: Flask) -> None:
    @app.before_request
    def _start():
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.t0 = time.perf_counter()
        g.in_flight = True
        metrics.IN_FLIGHT.inc()

    @app.after_request
    def _finish(resp):
        rid = getattr(g, "request_id", None) or request_id_from(None)
        resp.headers[REQUEST_ID_HEADER] = rid
        elapsed = time.perf_counter() - getattr(g, "t0", time.perf_counter())
        route, method = _route(), request.method
        size = getattr(g, "body_bytes", None)
        if size is None:
            size = request.content_length or 0
        metrics.REQUESTS.labels(route=route, method=method, status=str(resp.status_code)).inc()
        metrics.LATENCY.labels(route=route, method=method).observe(elapsed)
        metrics.REQUEST_SIZE.labels(route=route).observe(size)
        log.info("request", extra={"method": method, "path": request.path, "route": route,
                                   "status": resp.status_code, "duration_ms": round(elapsed * 1000, 2),
                                   "request_bytes": size})
        return resp

    @app.teardown_request
    def _teardown(_exc):
        if g.pop("in_flight", False):
            metrics.IN_FLIGHT.dec()
