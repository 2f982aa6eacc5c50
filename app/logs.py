"""Logging, configured once per process with a request id on every line."""

import logging
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user_id)s %(route)s] "
    "%(message)s"
)
JSON_FIELDS = (
    "%(asctime)s %(levelname)s %(name)s %(request_id)s %(user_id)s %(route)s "
    "%(message)s"
)

_configured = False


class RequestContextFilter(logging.Filter):
    """Stamp each record with the request id, the person and the route."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = record.user_id = record.route = "-"
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            record.route = request.endpoint or request.path
            record.user_id = g.get("log_user_id", "-")
        return True


def configure_logging(log_format: str) -> None:
    """Send Canopy's logs to stderr as text or JSON; later calls do nothing."""
    global _configured
    if _configured:
        return

    handler = logging.StreamHandler()
    handler.addFilter(RequestContextFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))

    canopy = logging.getLogger("canopy")
    canopy.addHandler(handler)
    canopy.setLevel(logging.INFO)
    _configured = True


def init_request_ids(app: Flask) -> None:
    """Take X-Request-ID from the caller (or make one) and echo it back."""

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        valid = 0 < len(incoming) <= 64 and incoming.isascii()
        g.request_id = incoming if valid else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response


def remember_user_for_logs(user_id: int | None) -> None:
    """Name the signed-in person on this request's log lines."""
    if has_request_context():
        g.log_user_id = str(user_id) if user_id is not None else "-"
