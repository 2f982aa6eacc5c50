"""Fixtures: a fresh database per test, built once per session from migrations.

SQLite tests copy a migrated template file; PostgreSQL tests (TEST_DATABASE_URL)
truncate every table. Each test gets `app`, `client`, `runner` and `auth`.
"""

import os
import re
import shutil

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from tests.factories import two_workspaces
from tests.fake_tree_nation import fake_tree_nation  # noqa: F401

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def test_settings(database_url: str, **extra) -> dict:
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "TREE_NATION_API_TOKEN": None,
        "MAIL_SERVER": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PLANTING_MONTHLY_QUOTA": 500,
        "CANOPY_BASE_URL": "http://localhost",
    }
    settings.update(extra)
    return settings


def postgres_url() -> str:
    url = POSTGRES_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_schema(database_url: str) -> None:
    """Run every migration against an empty database."""
    app = create_app(test_settings(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory) -> str:
    """Return the database to copy (SQLite) or reset (PostgreSQL) per test."""
    if POSTGRES_URL:
        engine = create_engine(postgres_url())
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        build_schema(postgres_url())
        return postgres_url()

    template = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    build_schema(f"sqlite:///{template}")
    return str(template)


@pytest.fixture
def database_url(schema_template, tmp_path) -> str:
    """Return the URL of an empty, migrated database for one test."""
    if POSTGRES_URL:
        truncate_all(schema_template)
        return schema_template
    path = tmp_path / "canopy.sqlite3"
    shutil.copyfile(schema_template, path)
    return f"sqlite:///{path}"


def truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def tree_nation_settings(fake) -> dict:
    """Settings that point the app at a local Tree-Nation."""
    return {
        "TREE_NATION_API_URL": fake.base_url,
        "TREE_NATION_API_TOKEN": fake.token,
        "TREE_NATION_TIMEOUT": 1,
    }


@pytest.fixture
def people(app) -> dict:
    """Demo Agency (a lead and a member) and Other Brand (a lead)."""
    return two_workspaces()


@pytest.fixture
def settings() -> dict:
    """Extra settings for the app under test; tests override this fixture."""
    return {}


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates kept across the session's many apps.

    Each test builds its own app, and each app would otherwise compile every
    template again, which costs more than most tests themselves.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = SharedBytecodeCache()


@pytest.fixture
def app(database_url, settings):
    app = create_app(test_settings(database_url, **settings))
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    app.test_client_class = CanopyClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class CanopyClient(FlaskClient):
    """A test client that behaves like a browser talking to a server.

    Each request runs in its own app context, as on a server: the `app` fixture
    keeps one context pushed for the test's own queries, and without a fresh
    one per request whatever extensions keep in `g` (the signed-in person, the
    CSRF token, the locale) would leak between requests and clients. Every POST
    carries a valid CSRF token unless `csrf=False` is passed.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    _csrf_token: str | None = None

    def csrf_token(self) -> str:
        """Return the session's token; it lives as long as the session cookie."""
        if self._csrf_token is None:
            # A signed-in person asking for /login is sent on to the list,
            # which carries the token too.
            page = self.get("/login", follow_redirects=True).get_data(as_text=True)
            self._csrf_token = CSRF_META.search(page).group(1)
        return self._csrf_token

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app) -> CanopyClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client: CanopyClient) -> None:
        self._client = client

    def login(
        self, email: str = "lead@demo.canopy.test", password: str = "canopy-demo"
    ):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
