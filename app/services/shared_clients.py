"""One outbound client per app, built on first use and shared by its threads."""

from collections.abc import Callable
from typing import Any

from flask import current_app


def shared_client(key: str, build: Callable[[dict], Any]) -> Any:
    """Return the app's client stored under `key`, building it from the config."""
    client = current_app.extensions.get(key)
    if client is None:
        client = current_app.extensions[key] = build(current_app.config)
    return client
