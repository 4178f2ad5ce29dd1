"""The contract file: read once at start-up, served byte for byte, and seen as OpenAPI 3.0 for /docs.

The Swagger UI that ships in the ``swagger-ui-bundle`` package (4.x) renders
OpenAPI 3.0 only, so /docs reads a 3.0 rendering of the same document: the
version string, ``info.summary`` dropped, ``type: [X, "null"]`` → ``type: X, nullable: true``, ``const``
→ a one-value ``enum``, schema ``examples`` → ``example``.  /openapi.yaml stays
the 3.1 file itself.
"""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"


def read(path: Path = PATH) -> bytes:
    return path.read_bytes()


def to_30(spec: dict) -> dict:
    out = copy.deepcopy(spec)
    out["openapi"] = "3.0.3"
    out.pop("jsonSchemaDialect", None)
    out.pop("webhooks", None)
    out.get("info", {}).pop("summary", None)
    stack = [out]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            t = node.get("type")
            if isinstance(t, list):
                kinds = [k for k in t if k != "null"]
                if len(kinds) == 1:
                    node["type"] = kinds[0]
                else:
                    node.pop("type")
                    node["anyOf"] = [{"type": k} for k in kinds]
                if "null" in t:
                    node["nullable"] = True
            if "const" in node:
                node["enum"] = [node.pop("const")]
            if isinstance(node.get("examples"), list) and ("type" in node or "$ref" in node or "properties" in node):
                ex = node.pop("examples")
                if ex:
                    node["example"] = ex[0]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def load_both(path: Path = PATH) -> tuple[bytes, dict]:
    raw = read(path)
    return raw, to_30(yaml.safe_load(raw))
