"""Logging, configured once per process with a request id on every line."""

import logging
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"

_configured = False


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id, or '-' outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        in_request = has_request_context() and "request_id" in g
        record.request_id = g.request_id if in_request else "-"
        return True


def configure_logging(log_format: str) -> None:
    """Send Canopy's logs to stderr as text or JSON; later calls do nothing."""
    global _configured
    if _configured:
        return

    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
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
