"""Error pages and fragments: a clear message, never a stack trace."""

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.htmx import wants_fragment

log = logging.getLogger("canopy.errors")


class BadInput(Exception):
    """A request Canopy refuses, with the message the person should read."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def default_message(code: int) -> str:
    messages = {
        400: _("This request could not be understood."),
        403: _("You are not allowed to do that."),
        404: _("This page does not exist, or it is not in your workspace."),
        405: _("This action is not available here."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
    }
    return messages.get(code, _("Something went wrong on our side. Please try again."))


def render_error(code: int, message: str | None = None):
    """Render an error page, or for htmx a toast appended to the toast region."""
    message = message or default_message(code)
    if not wants_fragment():
        return render_template("errors/page.html", code=code, message=message), code

    body = render_template("errors/_toast.html", code=code, message=message)
    return body, code, {"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError):
        log.warning("CSRF refused: %s", error.description)
        message = _("Your session has expired or this form is stale. Reload the page.")
        return render_error(400, message)

    @app.errorhandler(BadInput)
    def bad_input(error: BadInput):
        return render_error(error.code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("Unexpected error")
        db.session.rollback()
        return render_error(500)
