"""Reading request bodies safely: size cap while streaming, strict UTF-8, bounded JSON.

A body over ``MAX_BYTES`` is refused from its Content-Length, or — for a
chunked body with no length — as soon as the bytes read pass the limit, so an
oversized body never sits in memory whole.
"""
from __future__ import annotations

import json

from flask import request

from .errors import ApiError

_CHUNK = 64 * 1024
_UTF8 = {"utf-8", "utf8", "us-ascii", "ascii"}
JSON_TYPES = ("application/json",)
TEXT_TYPES = ("text/plain",)


def media_type() -> str:
    """``json`` or ``text``; anything else (or a charset other than UTF-8) is 415."""
    mt = (request.mimetype or "").lower()
    charset = (request.mimetype_params.get("charset") or "utf-8").strip().lower()
    if mt in JSON_TYPES or (mt.startswith("application/") and mt.endswith("+json")):
        kind = "json"
    elif mt in TEXT_TYPES:
        kind = "text"
    else:
        raise ApiError("UNSUPPORTED_MEDIA_TYPE",
                       f"send application/json or text/plain; charset=utf-8, not {mt or 'no Content-Type'!r}")
    if charset not in _UTF8:
        raise ApiError("UNSUPPORTED_MEDIA_TYPE", f"only UTF-8 bodies are accepted, not charset={charset!r}")
    return kind


def read_body(max_bytes: int) -> bytes:
    length = request.content_length
    if length is not None and length > max_bytes:
        raise ApiError("PAYLOAD_TOO_LARGE", f"the request body is over the limit of {max_bytes} bytes")
    stream = request.stream
    chunks, total = [], 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise ApiError("PAYLOAD_TOO_LARGE", f"the request body is over the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def decode(raw: bytes) -> str:
    """Strict UTF-8 (a leading byte-order mark is an encoding mark, not text, and is dropped)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ApiError("INVALID_ENCODING",
                       f"the body is not valid UTF-8 (byte {e.start}: {e.reason})") from None


def parse_json(raw: bytes):
    text = decode(raw)
    if not text.strip():
        raise ApiError("MALFORMED_JSON", "the body is empty; send a JSON object")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ApiError("MALFORMED_JSON", f"malformed JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except ValueError as e:  # e.g. an integer literal longer than Python's digit limit
        raise ApiError("MALFORMED_JSON", f"malformed JSON: {e}") from None
    except RecursionError:
        raise ApiError("MALFORMED_JSON", "JSON nested too deeply") from None
    check_strings(data)
    return data


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_strings(data) -> None:
    """Reject lone surrogates (``"\\ud800"``): they are no text and cannot be written back as UTF-8.

    Walks the value without recursion, so any nesting depth that json.loads
    accepted is fine here.
    """
    stack = [data]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if _has_surrogate(v):
                raise ApiError("INVALID_ENCODING", "the JSON holds a lone surrogate escape (\\ud800-\\udfff)")
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
