"""Parley's web face: create_app() builds the Flask app (pages, JSON API, CSV export)."""

from __future__ import annotations

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=".parley/index")
    app.config.from_prefixed_env("PARLEY")
    if test_config:
        app.config.update(test_config)
    return app
