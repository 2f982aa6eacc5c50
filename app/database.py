"""Engine tuning and the one way services open a write transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Date, cast, event, func
from sqlalchemy.engine import Engine

from app.extensions import db

WRITE_FLAG = "canopy_write"


def tune_sqlite(engine: Engine) -> None:
    """Make SQLite safe for concurrent readers and one writer at a time.

    pysqlite's own transaction handling is switched off so that SQLAlchemy emits
    BEGIN itself: BEGIN IMMEDIATE for write transactions takes the write lock up
    front, instead of failing with "database is locked" when a read transaction
    later tries to upgrade.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        # SQLite's LIKE folds ASCII only; short searches match on this instead.
        dbapi_connection.create_function(
            "casefold",
            1,
            lambda value: value and value.casefold(),
            deterministic=True,
        )
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "busy_timeout=10000",
            "foreign_keys=ON",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        writing = connection.get_execution_options().get(WRITE_FLAG, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in its own write transaction, committed at the end.

    Whatever read transaction the session had is ended first, so on SQLite the
    new one starts with the write lock held.
    """
    db.session.commit()
    db.session.connection(execution_options={WRITE_FLAG: True})
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def dialect_name() -> str:
    """Return "sqlite" or "postgresql" for the session's database."""
    return db.session.get_bind().dialect.name


def days_before(moment_column, days: int):
    """Return SQL for the calendar date `days` before a timestamp column."""
    if dialect_name() == "sqlite":
        return func.date(moment_column, f"-{days} days")
    return cast(moment_column - timedelta(days=days), Date)
