"""openapi.yaml is valid, matches the app (routes, methods, codes, fields), and real responses fit it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from schemathesis import checks as st_checks

from service import create_app
from service.api.errors import CODES
from service.nlp import pipeline

from .test_api import BAD, TEXTS

ROOT = Path(__file__).resolve().parent.parent
SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
DEV = ROOT.parent / "shared" / "data" / "dev"

# routes that serve assets of the documented pages, not API operations
UNDOCUMENTED = {"/static/<path:filename>", "/docs/assets/<path:filename>", "/docs/openapi.json"}


def validator(name: str) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for ``#/components/schemas/<name>`` (refs resolved in the file)."""
    registry = Registry().with_resource("urn:zhx:openapi", Resource.from_contents(
        SPEC, default_specification=__import__("referencing.jsonschema").jsonschema.DRAFT202012))
    return Draft202012Validator({"$ref": f"urn:zhx:openapi#/components/schemas/{name}"},
                                registry=registry, format_checker=FormatChecker())


def check(name: str, instance) -> None:
    errors = sorted(validator(name).iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_spec_is_valid_openapi_31():
    from openapi_spec_validator import validate
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def test_routes_and_methods_match_the_app(app):
    in_app = {}
    for rule in app.url_map.iter_rules():
        if rule.rule in UNDOCUMENTED:
            continue
        in_app.setdefault(rule.rule, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    in_spec = {path: {m for m in ops if m in {"get", "post", "put", "patch", "delete"}}
               for path, ops in SPEC["paths"].items()}
    assert in_app == in_spec


def test_error_codes_match():
    enum = SPEC["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
    assert sorted(enum) == sorted(CODES)


def test_documented_status_codes_cover_the_errors():
    """Every status a bad input gets (test_api.BAD) is documented on /v1/analyze."""
    documented = set(SPEC["paths"]["/v1/analyze"]["post"]["responses"])
    assert {str(b[2]) for b in BAD} <= documented


def test_analysis_fields_match_doc_to_analysis():
    doc = pipeline.run(pipeline.make_doc("中国"))
    schema = SPEC["components"]["schemas"]["Analysis"]
    assert list(doc.to_analysis()) == list(schema["properties"]) == schema["required"]


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_real_analyze_responses_fit_the_schema(client, name):
    r = client.post("/v1/analyze", json={"text": TEXTS[name], "published": "2025-08-20", "targets": ["美国"]})
    check("Analysis", r.get_json())


@pytest.mark.skipif(not DEV.is_dir(), reason="no shared dev data beside the repo")
def test_dev_articles_fit_the_schema(client):
    """The extractors' real output on realistic articles, through the API, fits the contract."""
    for path in sorted(DEV.glob("*.json"))[:10]:
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = gold["text"]
        body = {"text": text}
        if gold.get("published"):
            body["published"] = gold["published"]
        r = client.post("/v1/analyze", json=body)
        assert r.status_code == 200, path.name
        check("Analysis", r.get_json())


def test_real_batch_response_fits_the_schema(client):
    docs = [{"id": "a", "text": TEXTS["simplified"]}, {"id": "b", "text": " "}, {"text": "x"}, 7]
    check("BatchResponse", client.post("/v1/analyze/batch", json={"documents": docs}).get_json())


@pytest.mark.parametrize("kwargs", [b[1] for b in BAD], ids=[b[0] for b in BAD])
def test_real_problems_fit_the_schema(client, kwargs):
    check("Problem", client.post("/v1/analyze", **kwargs).get_json(force=True))


def test_status_bodies_fit(client):
    check("Status", client.get("/healthz").get_json())
    check("Status", client.get("/readyz").get_json())
    check("Problem", client.get("/nowhere").get_json())


def _examples():
    comps = SPEC["components"]
    yield "Analysis", comps["examples"]["TariffAnalysis"]["value"], comps["examples"]["TariffAnalysis"]["summary"]
    yield "BatchResponse", comps["examples"]["BatchExample"]["value"], None
    for name, resp in comps["responses"].items():
        for media in resp["content"].values():
            if "example" in media:
                yield "Problem", media["example"], None
    yield "AnalyzeRequest", (SPEC["paths"]["/v1/analyze"]["post"]["requestBody"]["content"]["application/json"]
                             ["examples"]["tariff"]["value"]), None
    yield "BatchRequest", (SPEC["paths"]["/v1/analyze/batch"]["post"]["requestBody"]["content"]
                           ["application/json"]["examples"]["two"]["value"]), None


@pytest.mark.parametrize("name,value,text", list(_examples()))
def test_examples_fit_their_schema(name, value, text):
    if name == "BatchRequest":  # the example shows a document the service refuses (blank text)
        value = {"documents": [d for d in value["documents"] if d["text"].strip()]}
    check(name, value)
    if text is not None:
        from .conftest import assert_offsets
        assert value["length"] == len(text)
        assert_offsets(text, value)


# --- schemathesis, in process, seeded and bounded -------------------------------------------

# (schemathesis' from_fixture does not work with this pytest, so the schema gets an app of its own)
schema = schemathesis.openapi.from_wsgi("/openapi.yaml", create_app({"TESTING": True}))

CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_headers_conformance, st_checks.response_schema_conformance]


@schema.parametrize()
@settings(max_examples=30, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_schemathesis(case):
    case.call_and_validate(checks=CHECKS)


# --- random news-like text through the whole pipeline -----------------------------------------

PIECES = list("美国中國对對加征徵关稅税出口稀土磁铁亿万千百十九八七六五四三二一〇零两约近超过逾多余不到至少最多每公斤吨噸元"
              "美元%％．.,，。！？；…：「」“”()（）\r\n \t\u3000") + [
    "😀", "🇺🇸", "𠀀", "１２３", "U.S.", "$400 million", "2025年8月20日", "7月", "第二", "F-35", "[4]", "百分点",
    "倍", "翻番", "反对", "支持", "签署", "协议", "制裁", "中方", "美方", "\u200b", "\x00", "A", "z", "0", "9", "-", "~",
    "到", "至", " tons", " tariffs", " said", "欧盟", "MP Materials"]


def test_random_texts_exact_offsets_and_schema(client):
    """Seeded shuffles of news fragments, every kind of character: 200, exact offsets, the contract's shape."""
    import random

    from .conftest import assert_offsets
    rnd = random.Random(20251128)
    for _ in range(150):
        text = "".join(rnd.choice(PIECES) for _ in range(rnd.choice([1, 3, 10, 40, 150])))
        if not text.strip():
            continue
        r = client.post("/v1/analyze", json={"text": text, "published": "2025-08-20", "targets": ["美国"]})
        assert r.status_code == 200, repr(text)
        assert_offsets(text, r.get_json())
        check("Analysis", r.get_json())
