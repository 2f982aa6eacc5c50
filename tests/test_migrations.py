"""The migrations build, tear down and rebuild the schema the models describe."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests import conftest
from tests.helpers import IsolatedClient, isolated_client


def include_name(name, type_, parent_names) -> bool:
    """The rule of migrations/env.py: the search index lives outside the models."""
    return not (name and (name.startswith("campaign_search") or name.endswith("_trgm")))


@pytest.fixture
def empty_database_url(tmp_path):
    """Return the URL of a database that holds nothing yet, dropped afterwards."""
    if not conftest.POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return

    name = f"canopy_migrations_{uuid.uuid4().hex[:12]}"
    server = create_engine(conftest.postgres_url(), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(conftest.postgres_url()).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def database_url(empty_database_url) -> str:
    """A migrated database of this test's own, which the test may downgrade."""
    conftest.build_schema(empty_database_url)
    return empty_database_url


@pytest.fixture
def client(app) -> IsolatedClient:
    return isolated_client(app)


def model_tables() -> set[str]:
    return set(db.metadata.tables)


def tables_in_database() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_upgrade_downgrade_upgrade(empty_database_url):
    """On a fresh database, upgrade, downgrade to base and upgrade again work."""
    fresh = create_app(conftest.test_settings(empty_database_url))

    with fresh.app_context():
        upgrade()
        after_first_upgrade = tables_in_database()
        downgrade(revision="base")
        after_downgrade = tables_in_database()
        upgrade()
        after_second_upgrade = tables_in_database()
        db.engine.dispose()

    assert model_tables() <= after_first_upgrade
    assert not model_tables() & after_downgrade
    assert after_second_upgrade == after_first_upgrade


def test_models_match_migrations(app):
    """Autogenerate finds no difference between the models and the migrations."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include_name, "compare_type": True}
        )
        diff = compare_metadata(context, db.metadata)

    assert diff == []


def test_readyz_is_ok_on_a_migrated_database(client):
    """/readyz answers 200 ok when the schema is at the newest migration."""
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_readyz_is_unavailable_after_downgrade(client, runner):
    """/readyz answers 503 once the schema is downgraded to base."""
    db.session.rollback()
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
