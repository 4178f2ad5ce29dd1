"""Prometheus metrics: requests, latency, request size, in-flight, errors by code.

Defined once per process (module level).  Under gunicorn with several workers,
set ``PROMETHEUS_MULTIPROC_DIR`` (gunicorn.conf.py does) and ``/metrics``
aggregates every worker's files.
"""
from __future__ import annotations

import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram,
                               generate_latest, multiprocess)

REQUESTS = Counter("zhx_http_requests_total", "HTTP requests by route, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("zhx_http_request_duration_seconds", "Request latency by route and method",
                    ["route", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
REQUEST_SIZE = Histogram("zhx_http_request_size_bytes", "Request body size by route",
                         ["route"],
                         buckets=(0, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304))
IN_FLIGHT = Gauge("zhx_http_requests_in_flight", "Requests being handled now",
                  multiprocess_mode="livesum")
ERRORS = Counter("zhx_http_errors_total", "Error responses by stable error code", ["code"])
DOCUMENTS = Counter("zhx_documents_analyzed_total", "Documents analysed (single and batch)")


def exposition() -> tuple[bytes, str]:
    """The metrics page and its content type (all workers' metrics in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
