"""Which language a request is answered in."""

from flask import current_app, request, session
from flask_login import current_user


def select_locale() -> str:
    """Pick the person's setting, else the session's choice, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "en"
