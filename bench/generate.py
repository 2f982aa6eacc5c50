"""Build the scale dataset the benchmarks run against.

    .venv/bin/python -m bench.generate                       # SQLite, 100,000 campaigns
    .venv/bin/python -m bench.generate --database postgresql
    .venv/bin/python -m bench.generate --campaigns 10000     # a quick one

The database is emptied, migrated (`flask_migrate.upgrade()`), then filled with bulk
inserts: one workspace of `--campaigns` campaigns (about 80% ended, 12% active, 3%
drafts, 5% archived) owned by four people, `--posts` posts, a few days of collection
statistics per campaign, one planted tree for a tenth of the campaigns (earned over
the last twelve months: every archived campaign, plus ended ones archived and
restored since), and three small workspaces beside it. Everyone's password is
`canopy-bench`; the big workspace's lead is lead@scale.canopy.test.
"""

import random
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from itertools import islice
from pathlib import Path

import click
from sqlalchemy import insert, text
from sqlalchemy.engine import Connection, make_url
from werkzeug.security import generate_password_hash

from bench.common import (
    BENCH_PASSWORD,
    LEAD_EMAIL,
    MIGRATIONS,
    POSTGRES_DEFAULT,
    SCALE_WORKSPACE,
    check_writable,
    dialect_of,
    ensure_postgres_database,
    make_app,
    normalise_url,
    sqlite_default,
)

RANDOM_SEED = 2026
CHUNK = 20_000
STATUS_SHARES = (("archived", 0.05), ("draft", 0.03), ("active", 0.12))
SMALL_WORKSPACES = 3
SMALL_CAMPAIGNS = 400
SMALL_POSTS_EACH = 10
FETCHES_PER_CREATOR_DAY = 96  # every 15 minutes

THEMES = (
    "Spring Glow", "Fresh Start", "Easter Brunch", "Bloom", "Green Week",
    "Summer Run", "Beach Days", "Festival Season", "Road Trip", "Sun Care",
    "Back to School", "Autumn Layers", "Cosy Nights", "Black Friday",
    "Holiday Gift Guide", "Winter Warmth", "New Year Reset", "Ski Week",
)  # fmt: skip
FORMATS = ("Launch", "Teaser", "Takeover", "Challenge", "Giveaway", "Drop", "Collab")
BRAND_STEMS = (
    "Lumière", "Nordic", "Maison", "Atlas", "Solstice", "Brume", "Ferro", "Oat",
    "Calanque", "Trailhead", "Blue Heron", "Velvet", "Cedar", "Marlow", "Koru",
    "Alder", "Pico", "Sable", "Juniper", "Orca",
)  # fmt: skip
BRAND_KINDS = ("Cosmetics", "Outdoors", "Coffee")
PLATFORMS = ("instagram", "tiktok", "youtube")
PEOPLE = (
    ("lead", "Léa Martin", "lead"),
    ("member1", "Hugo Bernard", "member"),
    ("member2", "Inès Moreau", "member"),
    ("member3", "Samuel Petit", "member"),
)


@dataclass
class Plan:
    """One campaign before it is inserted."""

    id: int
    workspace_id: int
    owner_id: int
    name: str
    brand: str
    start: date
    end: date
    status: str
    creators: list[tuple[int, str]] = field(default_factory=list)
    posts: int = 0
    last_post_at: datetime | None = None
    archived_at: datetime | None = None
    tree_at: datetime | None = None  # when it earned its tree
    archiver_id: int | None = None
    restored_at: datetime | None = None


class Ids:
    """Hands out primary keys, so rows can point at each other before insert."""

    def __init__(self) -> None:
        self._next: Counter[str] = Counter()

    def take(self, table: str) -> int:
        self._next[table] += 1
        return self._next[table]

    def last(self, table: str) -> int:
        return self._next[table]


@dataclass
class Clock:
    today: date
    now: datetime

    def at(self, day: date, hour: int = 9) -> datetime:
        return datetime.combine(day, day_time(hour))


def default_url(database: str, campaigns: int) -> str:
    return sqlite_default(campaigns) if database == "sqlite" else POSTGRES_DEFAULT


def reset_database(url: str) -> None:
    """Start from nothing: a new SQLite file, or an empty public schema."""
    check_writable(url)
    if dialect_of(url) == "sqlite":
        path = Path(make_url(url).database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    ensure_postgres_database(url)
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def generate(
    url: str,
    campaigns: int,
    posts: int,
    plantings: int | None,
    stat_days: int,
    echo=click.echo,
) -> dict:
    """Empty, migrate and fill the database; return the counts inserted."""
    from flask_migrate import upgrade

    url = normalise_url(url)
    reset_database(url)
    app = make_app(url)
    with app.app_context():
        from app.extensions import db
        from app.timeutil import business_today, utcnow

        echo(f"Migrating {make_url(url).render_as_string(hide_password=True)}")
        upgrade(directory=str(MIGRATIONS))
        clock = Clock(business_today(), utcnow())
        dataset = Dataset(random.Random(RANDOM_SEED), clock)
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # Outside any transaction: a bulk load needs no fsync.
                raw = connection.connection.driver_connection
                raw.execute("PRAGMA synchronous=OFF")
                raw.execute("PRAGMA cache_size=-200000")
            counts = dataset.load(connection, campaigns, posts, plantings, stat_days)
            finish(connection)
        db.engine.dispose()
    return counts


def finish(connection: Connection) -> None:
    """Move sequences past the ids given by hand and refresh planner statistics."""
    if connection.dialect.name != "postgresql":
        connection.commit()
        return
    for table in (
        "workspace", "user", "creator", "campaign", "post",
        "planting_order", "planting", "archive_event",
    ):  # fmt: skip
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'coalesce(max(id), 1)) FROM "{table}"'
            )
        )
    connection.commit()
    # What autovacuum would do soon after a bulk load: statistics and the
    # visibility map (index-only scans).
    connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
        "VACUUM ANALYZE"
    )


class Dataset:
    def __init__(self, rng: random.Random, clock: Clock) -> None:
        self.rng = rng
        self.clock = clock
        self.ids = Ids()
        self.password_hash = generate_password_hash(BENCH_PASSWORD)
        self.counts: Counter[str] = Counter()

    # -- the whole load ---------------------------------------------------------

    def load(
        self,
        connection: Connection,
        campaigns: int,
        posts: int,
        plantings: int | None,
        stat_days: int,
    ) -> dict:
        from app.models import Workspace

        creators = self.insert_creators(connection, max(2_000, campaigns // 5))
        workspaces = [(SCALE_WORKSPACE, "scale", campaigns, posts, plantings)]
        for number in range(1, SMALL_WORKSPACES + 1):
            workspaces.append(
                (
                    f"Small Brand {number}",
                    f"small{number}",
                    SMALL_CAMPAIGNS,
                    SMALL_CAMPAIGNS * SMALL_POSTS_EACH,
                    None,
                )
            )
        for name, domain, count, post_count, tree_count in workspaces:
            workspace_id = self.ids.take("workspace")
            self.insert(
                connection,
                Workspace,
                [{"id": workspace_id, "name": name, "created_at": self.clock.now}],
            )
            people = self.insert_people(connection, workspace_id, domain)
            plans = self.plan_campaigns(workspace_id, people, count, creators)
            self.plan_posts(plans, post_count)
            self.plan_trees(plans, people, tree_count)
            self.insert_workspace(connection, name, plans, stat_days)
        self.insert_quota(connection)
        return dict(self.counts)

    def insert_workspace(
        self, connection: Connection, name: str, plans: list[Plan], stat_days: int
    ) -> None:
        from app.models import (
            ArchiveEvent,
            Campaign,
            CampaignCreator,
            CollectionStat,
            Post,
        )

        label = name.lower()
        campaigns = map(self.campaign_row, plans)
        self.insert(connection, Campaign, campaigns, f"{label}: campaigns", len(plans))
        links = (
            {"campaign_id": p.id, "creator_id": c, "collected_since": self.cursor(p)}
            for p in plans
            for c, _platform in p.creators
        )
        self.insert(connection, CampaignCreator, links)
        self.insert(connection, ArchiveEvent, self.event_rows(plans))
        self.insert_trees(connection, plans)
        stats = self.stat_rows(plans, stat_days)
        stat_count = sum(len(self.stat_days(p, stat_days)) for p in plans)
        self.insert(connection, CollectionStat, stats, f"{label}: stats", stat_count)
        total_posts = sum(p.posts for p in plans)
        if connection.dialect.name == "postgresql":
            self.copy_posts(connection, plans, f"{label}: posts", total_posts)
        else:
            rows = self.post_rows(plans)
            self.insert(connection, Post, rows, f"{label}: posts", total_posts)

    # -- people and creators ----------------------------------------------------

    def insert_people(self, connection: Connection, workspace_id: int, domain: str):
        from app.models import User

        rows = []
        for local, name, role in PEOPLE if domain == "scale" else PEOPLE[:2]:
            email = (
                LEAD_EMAIL
                if domain == "scale" and local == "lead"
                else (f"{local}@{domain}.canopy.test")
            )
            rows.append(
                {
                    "id": self.ids.take("user"),
                    "workspace_id": workspace_id,
                    "name": name,
                    "email": email,
                    "password_hash": self.password_hash,
                    "role": role,
                    "locale": None,
                    "leaderboard_opt_out": False,
                    "tree_nation_may_email": True,
                    "created_at": self.clock.now,
                }
            )
        self.insert(connection, User, rows)
        return [row["id"] for row in rows]

    def insert_creators(self, connection: Connection, count: int):
        from app.models import Creator

        creators = []
        rows = []
        for _ in range(count):
            creator_id = self.ids.take("creator")
            platform = self.rng.choice(PLATFORMS)
            creators.append((creator_id, platform))
            rows.append(
                {
                    "id": creator_id,
                    "platform": platform,
                    "handle": f"creator{creator_id}",
                }
            )
        self.insert(connection, Creator, rows)
        return creators

    # -- campaigns --------------------------------------------------------------

    def plan_campaigns(self, workspace_id, people, count, creators) -> list[Plan]:
        rng = self.rng
        statuses = [
            s for s, share in STATUS_SHARES for _ in range(round(count * share))
        ]
        statuses += ["ended"] * (count - len(statuses))
        rng.shuffle(statuses)
        brands = [f"{stem} {kind}" for stem in BRAND_STEMS for kind in BRAND_KINDS]
        names: Counter[str] = Counter()
        plans = []
        for status in statuses:
            start, end = self.dates(status)
            name = f"{rng.choice(THEMES)} {rng.choice(FORMATS)} {start.year}"
            names[name] += 1
            if names[name] > 1:
                name = f"{name} #{names[name]}"
            low, high = (0, 2) if status == "draft" else (2, 8)
            plan = Plan(
                id=self.ids.take("campaign"),
                workspace_id=workspace_id,
                owner_id=rng.choice(people),
                name=name,
                brand=rng.choice(brands),
                start=start,
                end=end,
                status=status,
                creators=rng.sample(creators, rng.randint(low, high)),
            )
            plans.append(plan)
        return plans

    def dates(self, status: str) -> tuple[date, date]:
        rng, today = self.rng, self.clock.today
        length = timedelta(days=rng.randint(14, 120))
        if status == "draft":
            start = today + timedelta(days=rng.randint(3, 60))
            return start, start + length
        if status == "active":
            start = today - timedelta(days=rng.randint(1, 90))
            return start, today + timedelta(days=rng.randint(1, 90))
        if status == "archived":
            # Archived within the last year, some weeks after the end.
            end = today - timedelta(days=rng.randint(20, 400))
            return end - length, end
        # About two years of the platform's history: 4,000 campaigns a month.
        end = today - timedelta(days=rng.randint(1, 760))
        return end - length, end

    def campaign_row(self, plan: Plan) -> dict:
        clock = self.clock
        if plan.archived_at is not None:
            next_collect_at = None
        elif plan.start <= clock.today:
            next_collect_at = clock.now + timedelta(minutes=self.rng.randint(0, 15))
        else:
            next_collect_at = clock.at(plan.start, 0)
        return {
            "id": plan.id,
            "workspace_id": plan.workspace_id,
            "owner_id": plan.owner_id,
            "name": plan.name,
            "brand": plan.brand,
            "start_date": plan.start,
            "end_date": plan.end,
            "created_at": clock.at(min(plan.start, clock.today)) - timedelta(days=14),
            "archived_at": plan.archived_at,
            "creators_count": len(plan.creators),
            "posts_count": plan.posts,
            "last_post_at": plan.last_post_at,
            "next_collect_at": next_collect_at,
            "lease_until": None,
        }

    def cursor(self, plan: Plan) -> datetime | None:
        if plan.archived_at is not None:
            return plan.archived_at
        if plan.restored_at is not None:
            return plan.restored_at
        return self.clock.now if plan.start <= self.clock.today else None

    # -- trees ------------------------------------------------------------------

    def plan_trees(self, plans: list[Plan], people: list[int], count: int | None):
        """Every archived campaign earned a tree; ended ones were archived and
        restored until `count` trees were earned, all within the last year."""
        rng, clock = self.rng, self.clock
        year_ago = clock.now - timedelta(days=365)
        archived = [p for p in plans if p.status == "archived"]
        for plan in archived:
            moment = self.after(max(clock.at(plan.end + timedelta(days=1)), year_ago))
            plan.archived_at = plan.tree_at = moment
            plan.archiver_id = rng.choice(people)
        wanted = len(archived) if count is None else count
        restorable = [
            p
            for p in plans
            if p.status == "ended" and clock.at(p.end) > year_ago + timedelta(days=2)
        ]
        rng.shuffle(restorable)
        for plan in restorable[: max(0, wanted - len(archived))]:
            plan.tree_at = self.after(clock.at(plan.end + timedelta(days=1)))
            plan.archiver_id = rng.choice(people)
            plan.restored_at = self.after(plan.tree_at)
        for plan in archived:
            self.clip_posts(plan, plan.archived_at)

    def after(self, moment: datetime) -> datetime:
        """A random moment between `moment` and now."""
        span = max(60, int((self.clock.now - moment).total_seconds()))
        return min(
            self.clock.now, moment + timedelta(seconds=self.rng.randint(0, span))
        )

    def insert_trees(self, connection: Connection, plans: list[Plan]) -> None:
        """Plant the earned trees, a few per order, as bulk archives do."""
        from app.models import Planting, PlantingOrder

        earned = sorted((p for p in plans if p.tree_at), key=lambda p: p.tree_at)
        orders, trees = [], []
        position = 0
        while position < len(earned):
            group = earned[position : position + self.rng.choice((1, 1, 1, 2, 3, 5, 8))]
            position += len(group)
            order_pk = self.ids.take("planting_order")
            moment, archiver = group[0].tree_at, group[0].archiver_id
            orders.append(
                {
                    "id": order_pk,
                    "order_id": f"canopy-{uuid.UUID(int=self.rng.getrandbits(128))}",
                    "recipient_id": archiver,
                    "quantity": len(group),
                    "state": "planted",
                    "language": "en",
                    "message": f"Archived in Canopy: «{group[0].name}»"[:199],
                    "demo": False,
                    "attempts": 1,
                    "created_at": moment,
                    "sent_at": moment,
                    "confirmed_at": moment + timedelta(seconds=2),
                }
            )
            for plan in group:
                tree_id = self.ids.take("planting")
                token = f"{self.rng.getrandbits(80):020x}"
                month = month_of(moment)
                self.quota[month] += 1
                trees.append(
                    {
                        "id": tree_id,
                        "campaign_id": plan.id,
                        "workspace_id": plan.workspace_id,
                        "archiver_id": archiver,
                        "order_id": order_pk,
                        "state": "planted",
                        "quota_month": month,
                        "earned_at": moment,
                        "queued_at": None,
                        "planted_at": moment + timedelta(seconds=2),
                        "demo": False,
                        "tree_id": str(900_000 + tree_id),
                        "token": token,
                        "collect_url": f"https://tree-nation.com/trees/collect/{token}",
                        "certificate_url": (
                            f"https://tree-nation.com/certificate/{token}"
                        ),
                        "species_id": "112",
                        "species_name": "Rhizophora mucronata",
                        "life_time_co2_kg": 308.5,
                        "project_id": "31",
                        "project_name": "Mangrove restoration",
                        "country": "Madagascar",
                    }
                )
        self.insert(connection, PlantingOrder, orders)
        self.insert(connection, Planting, trees)

    @property
    def quota(self) -> Counter[str]:
        if not hasattr(self, "_quota"):
            self._quota: Counter[str] = Counter()
        return self._quota

    def insert_quota(self, connection: Connection) -> None:
        from app.models import QuotaMonth

        rows = [{"month": m, "used": used} for m, used in sorted(self.quota.items())]
        self.insert(connection, QuotaMonth, rows)

    def event_rows(self, plans: list[Plan]) -> Iterator[dict]:
        for plan in plans:
            if plan.tree_at is None:
                continue
            yield {
                "id": self.ids.take("archive_event"),
                "campaign_id": plan.id,
                "action": "archived",
                "user_id": plan.archiver_id,
                "at": plan.tree_at,
            }
            if plan.restored_at is not None:
                yield {
                    "id": self.ids.take("archive_event"),
                    "campaign_id": plan.id,
                    "action": "restored",
                    "user_id": plan.archiver_id,
                    "at": plan.restored_at,
                }

    # -- posts and statistics ---------------------------------------------------

    def plan_posts(self, plans: list[Plan], total: int) -> None:
        """Share `total` posts among started campaigns, and set each last post."""
        rng, clock = self.rng, self.clock
        started = [p for p in plans if p.start <= clock.today and p.creators]
        if not started:
            return
        weights = [rng.uniform(0.2, 1.8) for _ in started]
        scale = total / sum(weights)
        given = 0
        for plan, weight in zip(started, weights, strict=True):
            plan.posts = int(weight * scale)
            given += plan.posts
        for plan in rng.sample(started, min(len(started), total - given)):
            plan.posts += 1
        for plan in started:
            if plan.posts:
                first, last = self.post_window(plan, None)
                quiet = timedelta(
                    days=rng.choice((0, 0, 0, 1, 3, 10, 70)),
                    seconds=rng.randint(0, 86_400),
                )
                plan.last_post_at = max(first, last - quiet)

    def post_window(
        self, plan: Plan, until: datetime | None
    ) -> tuple[datetime, datetime]:
        clock = self.clock
        first = clock.at(plan.start, 8)
        last = min(clock.at(plan.end + timedelta(days=1), 0), clock.now)
        if until is not None:
            last = min(last, until)
        last -= timedelta(minutes=90)
        return first, max(first, last)

    def clip_posts(self, plan: Plan, until: datetime) -> None:
        """No post is collected after an archive."""
        if plan.last_post_at is not None and plan.last_post_at >= until:
            _first, last = self.post_window(plan, until)
            plan.last_post_at = last

    def post_times(self, plan: Plan) -> Iterator[tuple[datetime, datetime]]:
        """(published, collected) of each post, the last one at last_post_at."""
        rng = self.rng
        first = self.clock.at(plan.start, 8)
        last = plan.last_post_at
        span = max(1, int((last - first).total_seconds()))
        limit = plan.archived_at or self.clock.now
        for number in range(plan.posts):
            if number == plan.posts - 1:
                published = last
            else:
                published = first + timedelta(seconds=rng.randint(0, span))
            collected = min(limit, published + timedelta(minutes=rng.randint(1, 45)))
            yield published, collected

    def post_tuples(self, plans: list[Plan]) -> Iterator[tuple]:
        rng = self.rng
        for plan in plans:
            if not plan.posts:
                continue
            for published, collected in self.post_times(plan):
                post_id = self.ids.take("post")
                creator_id, platform = rng.choice(plan.creators)
                yield (
                    post_id,
                    plan.id,
                    creator_id,
                    platform,
                    f"bench-{post_id}",
                    f"https://www.{platform}.com/p/{post_id:x}/",
                    published,
                    rng.randint(2_000, 60_000),
                    collected,
                )

    POST_COLUMNS = (
        "id", "campaign_id", "creator_id", "platform", "external_id", "url",
        "published_at", "size_bytes", "collected_at",
    )  # fmt: skip

    def post_rows(self, plans: list[Plan]) -> Iterator[dict]:
        for values in self.post_tuples(plans):
            yield dict(zip(self.POST_COLUMNS, values, strict=True))

    def copy_posts(self, connection, plans: list[Plan], label: str, total: int) -> None:
        """PostgreSQL: stream the posts through COPY, the fastest bulk path."""
        columns = ", ".join(self.POST_COLUMNS)
        connection.commit()
        raw = connection.connection.driver_connection
        with progress(label, total) as bar, raw.cursor() as cursor:
            with cursor.copy(f"COPY post ({columns}) FROM STDIN") as copy:
                for number, row in enumerate(self.post_tuples(plans), 1):
                    copy.write_row(row)
                    if number % CHUNK == 0:
                        bar.update(CHUNK)
            bar.update(total % CHUNK)
        raw.commit()
        self.counts["post"] += total

    def stat_days(self, plan: Plan, days: int) -> list[date]:
        """The last `days` days of collection before its archive, or up to today."""
        today = self.clock.today
        if plan.start > today or not plan.creators:
            return []
        if plan.archived_at is not None:
            last = plan.archived_at.date() - timedelta(days=1)
        else:
            last = today
        first = max(plan.start, last - timedelta(days=days - 1))
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def stat_rows(self, plans: list[Plan], days: int) -> Iterator[dict]:
        rng = self.rng
        for plan in plans:
            for day in self.stat_days(plan, days):
                per_day = len(plan.creators) * FETCHES_PER_CREATOR_DAY
                fetches = round(per_day * rng.uniform(0.97, 1))
                yield {
                    "campaign_id": plan.id,
                    "day": day,
                    "fetches": fetches,
                    "bytes_received": fetches * rng.randint(1_000, 4_000),
                    "bytes_stored": rng.randint(0, 4) * rng.randint(2_000, 60_000),
                }

    # -- inserting --------------------------------------------------------------

    def insert(
        self,
        connection: Connection,
        model,
        rows: Iterable[dict],
        label: str | None = None,
        length: int | None = None,
    ) -> None:
        """executemany in chunks of CHUNK rows, one commit per chunk."""
        table = model.__table__
        iterator = iter(rows)
        with progress(label, length) as bar:
            while chunk := list(islice(iterator, CHUNK)):
                connection.execute(insert(table), chunk)
                connection.commit()
                self.counts[table.name] += len(chunk)
                bar.update(len(chunk))


class _Silent:
    """A progress bar that shows nothing, for small tables."""

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        return None

    def update(self, _steps: int) -> None:
        return None


def progress(label: str | None, length: int | None):
    if label is None:
        return _Silent()
    return click.progressbar(length=length, label=label.ljust(26))


def month_of(moment: datetime) -> str:
    """The business month (YYYY-MM) of a naive UTC moment."""
    from app.timeutil import business_zone

    local = moment.replace(tzinfo=UTC).astimezone(business_zone())
    return f"{local.year:04d}-{local.month:02d}"


@click.command()
@click.option(
    "--database",
    type=click.Choice(["sqlite", "postgresql"]),
    default="sqlite",
    show_default=True,
    help="Which default database to build (see --url).",
)
@click.option("--url", help="A SQLAlchemy URL instead of the default one.")
@click.option(
    "--campaigns", type=click.IntRange(min=100), default=100_000, show_default=True
)
@click.option(
    "--posts",
    type=click.IntRange(min=0),
    help="Posts of the big workspace [default: 10 per campaign].",
)
@click.option(
    "--plantings",
    type=click.IntRange(min=0),
    help="Trees of the big workspace [default: one per 10 campaigns].",
)
@click.option("--stat-days", type=click.IntRange(min=1), default=3, show_default=True)
def main(database, url, campaigns, posts, plantings, stat_days) -> None:
    """Empty a database, migrate it and fill it with the scale dataset."""
    url = normalise_url(url or default_url(database, campaigns))
    posts = campaigns * 10 if posts is None else posts
    plantings = campaigns // 10 if plantings is None else plantings
    started = time.perf_counter()
    counts = generate(url, campaigns, posts, plantings, stat_days)
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{table} {count:,}" for table, count in sorted(counts.items()))
    click.echo(f"Done in {elapsed:.0f} s: {summary}")


if __name__ == "__main__":
    main()
