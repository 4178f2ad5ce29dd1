"""Defaults and ZHX_* environment overrides: the one place configuration is read."""
from __future__ import annotations

import os

DEFAULTS = {
    "MAX_BYTES": 1024 * 1024,          # request body limit (413 above it)
    "MAX_CHARS": 200_000,              # characters in one text (422 TEXT_TOO_LONG above it)
    "MAX_BATCH": 100,                  # documents in one batch request
    "MAX_TARGETS": 20,                 # author-stance targets in one request
    "LOG_LEVEL": "INFO",
    "JIEBA_CACHE_DIR": "",             # where jieba keeps its prefix-dict cache ('' = a per-user cache dir)
}


def _coerce(default, raw: str):
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def from_env(environ=None) -> dict:
    """Return the configuration with every ZHX_<NAME> environment variable applied."""
    environ = os.environ if environ is None else environ
    cfg = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = environ.get("ZHX_" + key)
        if raw is not None and raw != "":
            cfg[key] = _coerce(default, raw)
    return cfg
