"""Shared fixtures: the app from the factory (pytest-flask's ``client`` uses it)."""
from __future__ import annotations

import pytest

from service import create_app


@pytest.fixture(scope="session")
def app():
    """One app for the session: lexicons and jieba load once."""
    app = create_app({"TESTING": True})
    return app


def assert_offsets(text: str, analysis: dict) -> None:
    """``text[start:end] == mention["text"]`` for every span an Analysis reports."""
    def check(m):
        assert text[m["start"]:m["end"]] == m["text"], m
    for q in analysis["quantities"]:
        check(q)
    for e in analysis["entities"]:
        for m in e["mentions"]:
            check(m)
    for s in analysis["stances"]:
        check(s["evidence"])
    for a in analysis["article_stances"]:
        for m in a["evidence"]:
            check(m)
