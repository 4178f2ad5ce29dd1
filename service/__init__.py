"""zhx: Chinese news → quantities, entities and stances, as JSON."""
from __future__ import annotations

from .nlp.pipeline import analyze  # noqa: F401  (the library entry point)

__all__ = ["analyze", "create_app"]
__version__ = "0.1.0"


def create_app(test_config=None):
    """The Flask app factory: config, extensions, blueprints — nothing else."""
    from flask import Flask

    from . import config
    from .api import errors, routes
    from .nlp import pipeline

    app = Flask(__name__)
    app.config.from_mapping(config.from_env())
    if test_config:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    pipeline.load()
    errors.init_app(app)
    app.register_blueprint(routes.bp)
    return app
