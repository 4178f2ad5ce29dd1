"""Logs as one JSON object per line, each with the request id of the request it belongs to."""
from __future__ import annotations

import datetime as _dt
import json
import logging
import sys

from gunicorn import glogging

# attributes every LogRecord has; anything else was passed with ``extra=`` and is logged too
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


def current_request_id() -> str:
    """The id of the request being handled, or ``-`` outside a request."""
    from flask import g, has_request_context
    if has_request_context():
        return getattr(g, "request_id", "-")
    return "-"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": _dt.datetime.fromtimestamp(record.created, _dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "msg": record.getMessage(),
        }
        for k, v in vars(record).items():
            if k not in _STANDARD and not k.startswith("_"):
                out[k] = v
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure(level: str = "INFO") -> None:
    """Send the root logger's records to stderr as JSON lines (idempotent)."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    root.setLevel(level.upper())


class GunicornLogger(glogging.Logger):
    """gunicorn's access log as one JSON object per line, with the response's X-Request-ID."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        status = str(atoms["s"])
        record = {
            "ts": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": "INFO", "logger": "gunicorn.access",
            "request_id": atoms.get("{x-request-id}o", "-"),
            "remote": atoms["h"], "method": atoms["m"], "path": atoms["U"], "query": atoms["q"],
            "status": int(status) if status.isdigit() else status,
            "response_bytes": atoms["B"], "duration_ms": round(atoms["D"] / 1000, 2),
            "user_agent": atoms["a"],
        }
        self.access_log.info(json.dumps(record, ensure_ascii=False, default=str))
