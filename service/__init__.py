"""zhx: Chinese news → quantities, entities and stances, as JSON."""
from __future__ import annotations

from .nlp.pipeline import analyze  # noqa: F401  (the library entry point)

__all__ = ["analyze", "create_app"]
__version__ = "0.1.0"


def create_app(test_config=None):
    """The Flask app factory: config, logging, extensions, blueprints — nothing else.

    Lexicons, jieba and the contract file are loaded here, once, so a bad data
    file fails the start (and, under gunicorn's preload, before any worker forks).
    """
    from flask import Flask

    from . import config, logging_setup
    from .api import errors, observe, openapi, routes
    from .nlp import pipeline

    app = Flask(__name__)
    app.config.from_mapping(config.from_env())
    if test_config:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BYTES"]
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    logging_setup.configure(app.config["LOG_LEVEL"])
    app.extensions["zhx.openapi"], app.extensions["zhx.openapi_30"] = openapi.load_both()
    if app.config.get("LOAD_PIPELINE", True) and not pipeline.ready():
        pipeline.load()  # once per process: a second app (tests, tools) shares the loaded lexicons
    observe.init_app(app)
    errors.init_app(app)
    app.register_blueprint(routes.bp)
    return app
