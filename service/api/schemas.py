"""marshmallow schemas for the request bodies; the limits come from the app's config.

``load_analyze`` / ``load_batch`` return clean data or raise :class:`ApiError`
with a stable code: ``TEXT_TOO_LONG``, ``TOO_MANY_TARGETS``,
``TOO_MANY_DOCUMENTS`` when that is what broke the schema, else
``VALIDATION_FAILED``; ``errors`` is always keyed by field.
"""
from __future__ import annotations

import datetime as _dt
import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from ..nlp.pipeline import ALL_SECTIONS
from .errors import ApiError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_TARGET_CHARS = 200
MAX_ID_CHARS = 200

# message markers that name a stable code (kept in the messages clients read)
_TOO_LONG = "text is longer than {max} characters"
_TOO_MANY_TARGETS = "at most {max} targets"


class IsoDate(fields.Field):
    """``YYYY-MM-DD``, a real calendar date."""

    default_error_messages = {"invalid": "must be a date as YYYY-MM-DD"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise self.make_error("invalid")
        try:
            return _dt.date.fromisoformat(value)
        except ValueError as e:
            raise ValidationError(f"not a real date: {e}") from None


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be blank")


class AnalyzeSchema(Schema):
    class Meta:
        unknown = RAISE

    text = fields.String(required=True, validate=_not_blank)
    published = IsoDate(load_default=None)
    targets = fields.List(fields.String(validate=[_not_blank, validate.Length(max=MAX_TARGET_CHARS)]),
                          load_default=None)
    include = fields.List(fields.String(validate=validate.OneOf(ALL_SECTIONS)),
                          validate=validate.Length(min=1), load_default=None)

    def __init__(self, max_chars: int, max_targets: int, **kw):
        super().__init__(**kw)
        self.max_chars, self.max_targets = max_chars, max_targets

    @validates("text")
    def _text_length(self, value, data_key, **_):
        if len(value) > self.max_chars:
            raise ValidationError(_TOO_LONG.format(max=self.max_chars))

    @validates("targets")
    def _targets_count(self, value, data_key, **_):
        if value is not None and len(value) > self.max_targets:
            raise ValidationError(_TOO_MANY_TARGETS.format(max=self.max_targets))


class BatchDocumentSchema(AnalyzeSchema):
    id = fields.String(required=True, validate=[_not_blank, validate.Length(max=MAX_ID_CHARS)])


class BatchSchema(Schema):
    """The envelope only: each document is validated on its own, so one bad one fails alone."""

    class Meta:
        unknown = RAISE

    documents = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1))


def _code_for(errors: dict, max_chars: int, max_targets: int) -> str:
    """The precise code when one limit is all that broke the schema, else VALIDATION_FAILED."""
    if len(errors) != 1:
        return "VALIDATION_FAILED"
    if _TOO_LONG.format(max=max_chars) in (errors.get("text") or []):
        return "TEXT_TOO_LONG"
    if _TOO_MANY_TARGETS.format(max=max_targets) in (errors.get("targets") or []):
        return "TOO_MANY_TARGETS"
    return "VALIDATION_FAILED"


def _detail(errors: dict) -> str:
    return "the request does not match the schema: " + ", ".join(sorted(map(str, errors)))


def _require_object(data, what: str = "the body") -> None:
    if not isinstance(data, dict):
        raise ApiError("VALIDATION_FAILED", f"{what} must be a JSON object",
                       {"_schema": ["must be a JSON object"]})


def _load(schema: Schema, data, max_chars: int, max_targets: int, what: str = "the body") -> dict:
    _require_object(data, what)
    try:
        return schema.load(data)
    except ValidationError as e:
        errors = e.normalized_messages()
        raise ApiError(_code_for(errors, max_chars, max_targets), _detail(errors), errors) from None


def load_analyze(data, max_chars: int, max_targets: int) -> dict:
    return _load(AnalyzeSchema(max_chars, max_targets), data, max_chars, max_targets)


def load_batch_document(data, max_chars: int, max_targets: int) -> dict:
    return _load(BatchDocumentSchema(max_chars, max_targets), data, max_chars, max_targets, "a document")


def load_batch(data, max_docs: int) -> list:
    """The list of raw documents, or ApiError when the envelope itself is wrong."""
    _require_object(data)
    try:
        docs = BatchSchema().load(data)["documents"]
    except ValidationError as e:
        errors = e.normalized_messages()
        raise ApiError("VALIDATION_FAILED", _detail(errors), errors) from None
    if len(docs) > max_docs:
        raise ApiError("TOO_MANY_DOCUMENTS", f"at most {max_docs} documents in one batch, got {len(docs)}",
                       {"documents": [f"at most {max_docs} documents"]})
    return docs
