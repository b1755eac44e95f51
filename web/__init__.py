"""Parley's web face: create_app() builds the Flask app (pages, JSON API, CSV export).

Views live in pages.py (HTML), api.py (JSON and CSV), feeds.py (Atom) and saved.py
(saved searches, the one thing the app writes); errors become responses in errors.py.
No search logic here: every view builds a SearchRequest and calls the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def is_web_link(url) -> bool:
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


def create_app(test_config: dict | None = None) -> Flask:
    """The application factory: defaults, then PARLEY_* environment variables, then test_config."""
    # Imported here: the `parley` CLI lives in this package and most commands never serve
    # pages; importing Flask took 0.37 of the CLI's 0.67 s start-up.
    from flask import Flask

    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=".parley/index", JSON_SORT_KEYS=False)
    app.config.from_prefixed_env("PARLEY")
    if test_config:
        app.config.update(test_config)
    # Only http(s) URLs become links: an index built elsewhere may hold javascript: URLs.
    app.jinja_env.tests["web_link"] = is_web_link
    app.json.sort_keys = False  # type: ignore[attr-defined]  # Flask's DefaultJSONProvider
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from web import api, errors, feeds, pages, saved

    app.register_blueprint(pages.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(saved.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.export_bp)
    errors.register(app)
    app.after_request(add_security_headers)
    return app


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
