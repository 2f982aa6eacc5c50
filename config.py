"""Canopy's settings, read once from the environment."""

import os
from pathlib import Path
from urllib.parse import urlsplit

DEV_SECRET_KEY = "canopy-development-key-not-for-production"

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str | None = None) -> str | None:
    """Return a setting, treating an empty value as unset."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name: str, default: int) -> int:
    """Return an integer setting, failing loudly on a value that is not one."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be an integer, not {value!r}") from None


def env_float(name: str, default: float) -> float:
    """Return a number setting, failing loudly on a value that is not one."""
    value = env_str(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a number, not {value!r}") from None


def env_bool(name: str, default: bool) -> bool:
    """Return a yes/no setting written as 1/0, true/false or yes/no."""
    value = env_str(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def database_url(default: str) -> str:
    """Return the SQLAlchemy URL, reading plain postgresql:// as psycopg 3."""
    url = env_str("DATABASE_URL", default)
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings of a running Canopy, from the environment with local defaults."""

    def __init__(self, instance_path: str) -> None:
        self.CANOPY_ENV = env_str("CANOPY_ENV", "development")
        self.SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
        self.CANOPY_BASE_URL = env_str("CANOPY_BASE_URL", "http://127.0.0.1:5000")
        sqlite_file = Path(instance_path) / "canopy.sqlite3"
        self.SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{sqlite_file}")

        self.TREE_NATION_API_URL = env_str(
            "TREE_NATION_API_URL", "https://tree-nation.com/api"
        )
        self.TREE_NATION_API_TOKEN = env_str("TREE_NATION_API_TOKEN")
        self.TREE_NATION_PLANTER_ID = env_str("TREE_NATION_PLANTER_ID")
        self.TREE_NATION_SPECIES_ID = env_str("TREE_NATION_SPECIES_ID")
        self.TREE_NATION_TIMEOUT = env_float("TREE_NATION_TIMEOUT", 5.0)
        self.PLANTING_MONTHLY_QUOTA = env_int("PLANTING_MONTHLY_QUOTA", 500)
        self.BUSINESS_TIMEZONE = env_str("BUSINESS_TIMEZONE", "Europe/Paris")

        self.MAIL_SERVER = env_str("MAIL_SERVER")
        self.MAIL_PORT = env_int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
        self.MAIL_USERNAME = env_str("MAIL_USERNAME")
        self.MAIL_PASSWORD = env_str("MAIL_PASSWORD")
        self.MAIL_DEFAULT_SENDER = env_str(
            "MAIL_DEFAULT_SENDER", "Canopy <canopy@localhost>"
        )

        self.POST_SOURCE_URL = env_str("POST_SOURCE_URL")
        self.POST_SOURCE_TOKEN = env_str("POST_SOURCE_TOKEN")
        self.POST_SOURCE_TIMEOUT = env_float("POST_SOURCE_TIMEOUT", 10.0)
        self.COLLECT_INTERVAL_MINUTES = env_int("COLLECT_INTERVAL_MINUTES", 15)

        self.RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI", "memory://")
        self.TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
        self.HTMX_CDN_URL = env_str("HTMX_CDN_URL")
        self.HTMX_CDN_INTEGRITY = env_str("HTMX_CDN_INTEGRITY")
        self.LOG_FORMAT = env_str("LOG_FORMAT")

        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.WTF_CSRF_TIME_LIMIT = None
        self.WTF_CSRF_SSL_STRICT = False
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.BABEL_DEFAULT_LOCALE = "en"
        self.LANGUAGES = ("en", "fr")
        self.SIGN_IN_LIMIT = "10 per 15 minutes"

    def as_mapping(self) -> dict:
        return {key: getattr(self, key) for key in dir(self) if key.isupper()}


def finish_settings(settings: dict) -> dict:
    """Derive the settings that follow from others, then refuse unsafe ones."""
    production = settings["CANOPY_ENV"] == "production"
    settings.setdefault("SESSION_COOKIE_SECURE", production)
    settings.setdefault("REMEMBER_COOKIE_SECURE", production)
    if settings.get("LOG_FORMAT") is None:
        settings["LOG_FORMAT"] = "json" if production else "text"

    parts = urlsplit(settings["CANOPY_BASE_URL"])
    settings["SERVER_NAME"] = parts.netloc
    settings["PREFERRED_URL_SCHEME"] = parts.scheme or "http"
    settings["APPLICATION_ROOT"] = parts.path or "/"

    check_settings(settings)
    return settings


def check_settings(settings: dict) -> None:
    """Refuse settings that would be unsafe or meaningless."""
    if settings["CANOPY_ENV"] not in {"development", "production"}:
        raise RuntimeError("CANOPY_ENV must be 'development' or 'production'")
    if settings["CANOPY_ENV"] == "production" and (
        settings["SECRET_KEY"] == DEV_SECRET_KEY
    ):
        raise RuntimeError("SECRET_KEY must be set in production")
    if settings["LOG_FORMAT"] not in {"text", "json"}:
        raise RuntimeError("LOG_FORMAT must be 'text' or 'json'")
    if settings["PLANTING_MONTHLY_QUOTA"] < 0:
        raise RuntimeError("PLANTING_MONTHLY_QUOTA cannot be negative")
