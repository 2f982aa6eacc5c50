"""What collect-posts costs with every campaign live versus 90 % archived.

Builds the same workspace twice in a scratch SQLite file under bench/out/ (or a
PostgreSQL database given with --postgres-url), each campaign with one creator
and due now, then runs the job once and counts what it did: campaigns claimed,
fetches asked of the source, SQL statements and seconds. Archived campaigns
should cost nothing: no fetch and no statement of their own.

    .venv/bin/python -m bench.bench_collect [--campaigns 100000]
"""

import time
from contextlib import contextmanager
from datetime import date, timedelta

import click
from sqlalchemy import event, insert, text

from app import create_app
from app.extensions import db
from app.models import Campaign, Creator, User, Workspace
from app.services.collection.collector import collect_all
from app.services.collection.sources import DemoPostSource
from app.timeutil import utcnow
from bench.common import OUT, check_writable, normalise_url

CHUNK = 5_000


class CountingSource(DemoPostSource):
    """The demo source, counting the fetches it answers."""

    def __init__(self) -> None:
        self.fetches = 0

    def fetch(self, platform, handle, since):
        self.fetches += 1
        return super().fetch(platform, handle, since)


@contextmanager
def counting_statements(engine):
    counter = {"statements": 0}

    def count(*_args) -> None:
        counter["statements"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


def reset(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
                connection.execute(text("DROP TABLE IF EXISTS campaign_search"))
        upgrade()


def populate(campaigns: int, archived_share: float) -> None:
    """One workspace, `campaigns` started campaigns, each with its own creator."""
    workspace = Workspace(name="Collect Bench")
    db.session.add(workspace)
    db.session.flush()
    owner = User(
        workspace_id=workspace.id,
        name="Bench",
        email="bench@collect.test",
        password_hash="-",
        role="lead",
    )
    db.session.add(owner)
    db.session.commit()

    now = utcnow()
    archived_count = int(campaigns * archived_share)
    start = date.today() - timedelta(days=60)
    for first in range(0, campaigns, CHUNK):
        numbers = range(first, min(first + CHUNK, campaigns))
        db.session.execute(
            insert(Creator),
            [{"platform": "instagram", "handle": f"creator{n}"} for n in numbers],
        )
        db.session.execute(
            insert(Campaign),
            [
                {
                    "workspace_id": workspace.id,
                    "owner_id": owner.id,
                    "name": f"Campaign {n}",
                    "brand": "Bench",
                    "start_date": start,
                    "end_date": start + timedelta(days=30),
                    "creators_count": 1,
                    "archived_at": now if n < archived_count else None,
                    "next_collect_at": None if n < archived_count else now,
                    "created_at": now,
                    "posts_count": 0,
                }
                for n in numbers
            ],
        )
        db.session.commit()
    # Campaign n and creator n were inserted in the same order, one each.
    db.session.execute(
        text(
            "INSERT INTO campaign_creator (campaign_id, creator_id, collected_since) "
            "SELECT id, id, :since FROM campaign"
        ),
        {"since": now - timedelta(hours=12)},
    )
    db.session.commit()


def measure(url: str, campaigns: int, archived_share: float) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_FORMAT": "text"})
    reset(app)
    with app.app_context():
        populate(campaigns, archived_share)
        source = CountingSource()
        app.extensions["canopy_post_source"] = source
        with counting_statements(db.engine) as counter:
            started = time.perf_counter()
            report = collect_all()
            seconds = time.perf_counter() - started
        db.engine.dispose()
    return {
        "archived": f"{archived_share:.0%}",
        "campaigns": campaigns,
        "collected": report.campaigns,
        "fetches": source.fetches,
        "statements": counter["statements"],
        "seconds": seconds,
    }


@click.command()
@click.option("--campaigns", default=100_000, show_default=True)
@click.option("--postgres-url", help="Measure on this PostgreSQL database instead.")
def main(campaigns: int, postgres_url: str | None) -> None:
    """Print the cost of one collect-posts run, 0 % and 90 % archived."""
    OUT.mkdir(exist_ok=True)
    url = (
        normalise_url(postgres_url)
        if postgres_url
        else (f"sqlite:///{OUT / 'collect-bench.sqlite3'}")
    )
    check_writable(url)
    rows = [measure(url, campaigns, share) for share in (0.0, 0.9)]

    click.echo(f"collect-posts over {campaigns:,} campaigns ({url.split(':')[0]})")
    click.echo("| archived | collected | fetches | SQL statements | seconds |")
    click.echo("|---|---|---|---|---|")
    for row in rows:
        click.echo(
            f"| {row['archived']} | {row['collected']:,} | {row['fetches']:,} | "
            f"{row['statements']:,} | {row['seconds']:.1f} |"
        )
    live, mostly_archived = rows
    ratio = mostly_archived["statements"] / max(live["statements"], 1)
    click.echo(f"statements at 90 % archived / at 0 %: {ratio:.2f} (live share 0.10)")


if __name__ == "__main__":
    main()
