"""One place that turns errors into responses: JSON under /api and /export, a page elsewhere.

ParleyError carries its own HTTP status (400 bad query or filter, 404 not found or no index,
503 busy). Anything unexpected is a 500 whose page never shows a traceback.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from indexer.errors import IndexNotFound, ParleyError

MACHINE_PREFIXES = ("/api/", "/export/", "/feeds/")
TITLES = {400: "That search could not be run", 404: "Not found", 405: "Method not allowed",
          500: "Something went wrong", 503: "The index is busy"}


def register(app: Flask) -> None:
    app.register_error_handler(ParleyError, handle_parley_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)


def handle_parley_error(exc: ParleyError):
    response = error_response(exc.status, str(exc), missing_index=isinstance(exc, IndexNotFound))
    if exc.status == 503:
        response.headers["Retry-After"] = "5"
    return response


def handle_http_error(exc: HTTPException):
    if exc.code and exc.code >= 500:
        return handle_unexpected(exc)
    code = exc.code or 400
    message = {404: "There is no page at this address."}.get(code, exc.description or "")
    return error_response(code, message)


def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException) and not isinstance(exc, InternalServerError):
        return handle_http_error(exc)
    original = getattr(exc, "original_exception", None) or exc
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s", request.path, exc_info=original)
    return error_response(500, "An unexpected error occurred. It has been logged; please try "
                               "again.")


def error_response(status: int, message: str, *, missing_index: bool = False):
    if request.path.startswith(MACHINE_PREFIXES) or request.path in ("/api", "/export"):
        response = jsonify({"ok": False, "status": status, "error": message})
        response.status_code = status
        return response
    html = render_template("error.html", status=status, title=TITLES.get(status, "Error"),
                           message=message, missing_index=missing_index,
                           query=request.args.get("q", "")[:500])
    return html, status
