"""The demo data of `flask seed-demo`: two workspaces, their people and campaigns."""

import random
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert, select

from app.database import write_transaction
from app.extensions import db
from app.models import (
    ArchiveEvent,
    Campaign,
    CampaignCreator,
    CollectionStat,
    Creator,
    Planting,
    PlantingOrder,
    Post,
    QuotaMonth,
    User,
    Workspace,
)
from app.timeutil import business_today, business_zone, month_key, utcnow

DEMO_PASSWORD = "canopy-demo"
AGENCY, OTHER = "Demo Agency", "Other Brand"
PEOPLE = (  # email, name, role, workspace
    ("lead@demo.canopy.test", "Léa Martin", "lead", AGENCY),
    ("member@demo.canopy.test", "Hugo Bernard", "member", AGENCY),
    ("lead@other.canopy.test", "Sofia Lindqvist", "lead", OTHER),
)
OTHER_BRAND_CAMPAIGNS = 20
# A fixed seed: two runs on empty databases build the same demo.
RANDOM_SEED = 2026
STAT_DAYS = 60
INSERT_CHUNK = 20_000
# NULLs written out keep every row's columns the same, so the ORM sends each
# insert as one batch instead of one per run of rows with the same NULL columns.
BULK = {"render_nulls": True}
# Share of a workspace's campaigns for each status; Ended takes the rest.
STATUS_SHARES = {"archived": 0.08, "draft": 0.07, "active": 0.25}
PLATFORMS = ("instagram", "tiktok", "youtube")
# The season of each month, January first.
SEASONS = ("winter",) * 2 + ("spring",) * 3 + ("summer",) * 3 + ("autumn",) * 3
SEASONS += ("winter",)
THEMES = {
    "spring": ("Spring Glow", "Fresh Start", "Easter Brunch", "Bloom", "Green Week"),
    "summer": ("Summer Run", "Beach Days", "Festival Season", "Road Trip", "Sun Care"),
    "autumn": ("Back to School", "Autumn Layers", "Cosy Nights", "Black Friday"),
    "winter": ("Holiday Gift Guide", "Winter Warmth", "New Year Reset", "Ski Week"),
}
FORMATS = ("Launch", "Teaser", "Takeover", "Challenge", "Giveaway", "Drop", "Collab")
BRANDS = [
    "Lumière Cosmetics",
    "Nordic Outdoors",
    "Maison Verde",
    "Atlas Running",
    "Solstice Skincare",
    "Brume Fragrances",
    "Ferro Bikes",
    "Oat & Ember",
    "Calanque Swimwear",
    "Trailhead Coffee",
    "Blue Heron Audio",
    "Velvet Fern Home",
]
HANDLE_NAMES = "lea hugo chloe noah ines lucas maya sami zoe theo nina leo jules emma"
HANDLE_TOPICS = "travels eats fit style beauty outdoors runs cooks daily studio home"
HANDLE_PATTERNS = ("{n}.{t}", "{n}_{t}", "{t}with{n}", "{n}{t}")
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"

CreatorRef = tuple[int, str, str]  # id, platform, handle
PostPlan = tuple[CreatorRef, datetime, datetime, int]  # published, collected, size


class DemoExists(Exception):
    """The demo people exist already; seeding again would duplicate them."""


@dataclass(frozen=True)
class SeedSummary:
    workspaces: int
    campaigns: int
    archived: int
    creators: int
    posts: int
    stats: int
    demo_trees: int
    logins: list[tuple[str, str, str]]  # email, role, workspace


@dataclass(frozen=True)
class _Clock:
    """Today in business time, and the matching instant in naive UTC."""

    today: date
    now: datetime
    zone: ZoneInfo

    def utc(self, day: date, hour: int = 0, minute: int = 0) -> datetime:
        """Return a business-time moment of a day as naive UTC."""
        moment = datetime.combine(day, time(hour, minute), tzinfo=self.zone)
        return moment.astimezone(UTC).replace(tzinfo=None)

    def day_of(self, moment: datetime) -> date:
        """Return the business-time day of a naive UTC moment."""
        return moment.replace(tzinfo=UTC).astimezone(self.zone).date()


@dataclass
class _Plan:
    """One campaign before it is inserted, with its creators and posts."""

    owner: User
    name: str
    brand: str
    start: date
    end: date
    archived_at: datetime | None = None
    archiver_id: int | None = None
    creators: list[CreatorRef] = field(default_factory=list)
    posts: list[PostPlan] = field(default_factory=list)
    id: int | None = None


def demo_exists() -> bool:
    """Tell whether the demo's lead can sign in already."""
    email = PEOPLE[0][0]
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def seed_demo(campaign_count: int = 120, today: date | None = None) -> SeedSummary:
    """Create the demo in one transaction; raise DemoExists when it is there."""
    if campaign_count < 1:
        raise ValueError("campaign_count must be at least 1")
    clock = _make_clock(today)
    rng = random.Random(RANDOM_SEED)

    with write_transaction():
        if demo_exists():
            raise DemoExists()
        users = _create_people()
        creators = _create_creators(rng, max(60, campaign_count * 2))
        agency = [user for user in users if user.workspace.name == AGENCY]
        other = [user for user in users if user.workspace.name == OTHER]
        plans = _plan_workspace(rng, clock, agency, campaign_count, creators, BRANDS)
        plans += _plan_workspace(
            rng, clock, other, OTHER_BRAND_CAMPAIGNS, creators, [OTHER]
        )
        _insert_campaigns(plans, clock)
        posts = _insert_details(rng, plans, clock)
        stats = _insert_in_chunks(CollectionStat, _stat_rows(rng, plans, clock))
        trees = _insert_demo_trees(rng, plans, clock)

    return SeedSummary(
        workspaces=2,
        campaigns=len(plans),
        archived=sum(plan.archived_at is not None for plan in plans),
        creators=len(creators),
        posts=posts,
        stats=stats,
        demo_trees=trees,
        logins=[(email, role, workspace) for email, _, role, workspace in PEOPLE],
    )


def _make_clock(today: date | None) -> _Clock:
    """Use the real time for today, and noon of any other day asked for."""
    zone = business_zone()
    if today is None or today == business_today():
        return _Clock(business_today(), utcnow(), zone)
    noon = datetime.combine(today, time(12), tzinfo=zone)
    return _Clock(today, noon.astimezone(UTC).replace(tzinfo=None), zone)


def _create_people() -> list[User]:
    """Create both workspaces and their people, hashing the password only once."""
    workspaces = {name: Workspace(name=name) for name in (AGENCY, OTHER)}
    users = [
        User(email=email, name=name, role=role, workspace=workspaces[workspace])
        for email, name, role, workspace in PEOPLE
    ]

    users[0].set_password(DEMO_PASSWORD)
    for user in users[1:]:
        user.password_hash = users[0].password_hash
    db.session.add_all(users)
    db.session.flush()
    return users


def _create_creators(rng: random.Random, count: int) -> list[CreatorRef]:
    """Insert the creators campaigns share; return (id, platform, handle) each."""
    names, topics = HANDLE_NAMES.split(), HANDLE_TOPICS.split()
    seen: set[tuple[str, str]] = set()
    rows = []
    while len(rows) < count:
        platform = rng.choice(PLATFORMS)
        pattern = rng.choice(HANDLE_PATTERNS)
        handle = pattern.format(n=rng.choice(names), t=rng.choice(topics))
        while (platform, handle) in seen:
            handle = f"{handle}{rng.randint(1, 9)}"
        seen.add((platform, handle))
        rows.append({"platform": platform, "handle": handle})

    statement = insert(Creator).returning(Creator.id, sort_by_parameter_order=True)
    ids = db.session.scalars(statement, rows, execution_options=BULK).all()
    return [
        (id_, row["platform"], row["handle"])
        for id_, row in zip(ids, rows, strict=True)
    ]


def _plan_workspace(
    rng: random.Random,
    clock: _Clock,
    owners: list[User],
    count: int,
    creators: list[CreatorRef],
    brands: list[str],
) -> list[_Plan]:
    """Plan a workspace's campaigns in the demo's mix of statuses."""
    statuses = [
        status
        for status, share in STATUS_SHARES.items()
        for _ in range(round(count * share))
    ]
    statuses += ["ended"] * (count - len(statuses))
    rng.shuffle(statuses)
    names: Counter[str] = Counter()

    plans = []
    for status in statuses:
        start, end, archive_day = _dates(rng, clock.today, status)
        name = _unique_name(rng, start, names)
        plan = _Plan(rng.choice(owners), name, rng.choice(brands), start, end)
        if archive_day is not None:
            plan.archived_at = clock.utc(archive_day, rng.randint(8, 18), 30)
            plan.archiver_id = rng.choice(owners).id
        low, high = (0, 2) if status == "draft" else (2, 8)
        plan.creators = rng.sample(creators, rng.randint(low, high))
        recent = status == "active" and rng.random() < 0.7
        plan.posts = _plan_posts(rng, clock, plan, recent)
        plans.append(plan)
    return plans


def _dates(
    rng: random.Random, today: date, status: str
) -> tuple[date, date, date | None]:
    """Return start, end and archive day (or None) for a campaign of a status."""
    length = _days(rng, 14, 120)
    if status == "draft":
        start = today + _days(rng, 3, 60)
        return start, start + length, None
    if status == "active":
        return today - _days(rng, 1, 90), today + _days(rng, 1, 90), None
    if status == "archived":
        archive_day = today - _days(rng, 1, 150)
        end = archive_day - _days(rng, 0, 45)
        return end - length, end, archive_day

    # Most ended campaigns ended long ago; a few only just ended.
    recently = rng.random() < 0.15
    end = today - (_days(rng, 1, 30) if recently else _days(rng, 31, 400))
    return end - length, end, None


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _unique_name(rng: random.Random, start: date, taken: Counter[str]) -> str:
    """Name a campaign after its season, adding a number when the name is taken."""
    theme = rng.choice(THEMES[SEASONS[start.month - 1]])
    name = f"{theme} {rng.choice(FORMATS)} {start.year}"
    taken[name] += 1
    return name if taken[name] == 1 else f"{name} #{taken[name]}"


def _plan_posts(
    rng: random.Random, clock: _Clock, plan: _Plan, recent: bool
) -> list[PostPlan]:
    """Plan a started campaign's posts: (creator, published, collected, size)."""
    first = clock.utc(plan.start)
    last = min(clock.utc(plan.end + timedelta(days=1)), clock.now)
    if plan.archived_at is not None:
        last = min(last, plan.archived_at)
    last -= timedelta(minutes=90)
    if not plan.creators or last <= first:
        return []

    span = int((last - first).total_seconds())
    moments = [
        first + timedelta(seconds=rng.randint(0, span))
        for _ in range(rng.randint(3, 36))
    ]
    if recent:
        moments.append(max(first, last - timedelta(hours=rng.randint(0, 144))))

    return [
        (
            rng.choice(plan.creators),
            moment,
            moment + timedelta(minutes=rng.randint(1, 45)),
            rng.randint(2_000, 60_000),
        )
        for moment in sorted(moments)
    ]


def _insert_campaigns(plans: list[_Plan], clock: _Clock) -> None:
    """Insert the campaigns with their counters, and note each one's id."""
    rows = [_campaign_row(plan, clock) for plan in plans]
    statement = insert(Campaign).returning(Campaign.id, sort_by_parameter_order=True)
    ids = db.session.scalars(statement, rows, execution_options=BULK).all()
    for plan, campaign_id in zip(plans, ids, strict=True):
        plan.id = campaign_id


def _campaign_row(plan: _Plan, clock: _Clock) -> dict:
    # A draft becomes due on its start day; archived campaigns never are.
    if plan.archived_at is not None:
        next_collect_at = None
    elif plan.start <= clock.today:
        next_collect_at = clock.now
    else:
        next_collect_at = clock.utc(plan.start)
    created = min(clock.utc(plan.start), clock.now) - timedelta(days=14)
    return {
        "workspace_id": plan.owner.workspace_id,
        "owner_id": plan.owner.id,
        "name": plan.name,
        "brand": plan.brand,
        "start_date": plan.start,
        "end_date": plan.end,
        "created_at": created,
        "archived_at": plan.archived_at,
        "creators_count": len(plan.creators),
        "posts_count": len(plan.posts),
        "last_post_at": max((post[1] for post in plan.posts), default=None),
        "next_collect_at": next_collect_at,
        "lease_until": None,
    }


def _insert_details(rng: random.Random, plans: list[_Plan], clock: _Clock) -> int:
    """Insert creator links, archive events and posts; return the post count."""
    links = [
        {
            "campaign_id": plan.id,
            "creator_id": creator[0],
            "collected_since": _cursor(plan, clock),
        }
        for plan in plans
        for creator in plan.creators
    ]
    _insert_in_chunks(CampaignCreator, links)

    events = [
        {
            "campaign_id": plan.id,
            "action": "archived",
            "user_id": plan.archiver_id,
            "at": plan.archived_at,
        }
        for plan in plans
        if plan.archived_at is not None
    ]
    _insert_in_chunks(ArchiveEvent, events)

    return _insert_in_chunks(Post, _post_rows(rng, plans))


def _cursor(plan: _Plan, clock: _Clock) -> datetime | None:
    """Return where collection stands: at the archive, now, or not started."""
    if plan.archived_at is not None:
        return plan.archived_at
    return clock.now if plan.start <= clock.today else None


def _post_rows(rng: random.Random, plans: list[_Plan]) -> Iterator[dict]:
    for plan in plans:
        for number, (creator, published, collected, size) in enumerate(plan.posts, 1):
            creator_id, platform, handle = creator
            yield {
                "campaign_id": plan.id,
                "creator_id": creator_id,
                "platform": platform,
                "external_id": f"demo-{plan.id}-{number}",
                "url": _post_url(rng, platform, handle),
                "published_at": published,
                "size_bytes": size,
                "collected_at": collected,
            }


def _post_url(rng: random.Random, platform: str, handle: str) -> str:
    code = "".join(rng.choices(CODE_ALPHABET, k=11))
    if platform == "instagram":
        return f"https://www.instagram.com/p/{code}/"
    if platform == "youtube":
        return f"https://www.youtube.com/watch?v={code}"
    return f"https://www.tiktok.com/@{handle}/video/{rng.randint(10**18, 10**19)}"


def _stat_rows(rng: random.Random, plans: list[_Plan], clock: _Clock) -> Iterator[dict]:
    """Yield the daily collection costs of the last 60 days, from each start day."""
    per_day = 24 * 60 // current_app.config["COLLECT_INTERVAL_MINUTES"]
    elapsed = clock.now - clock.utc(clock.today)
    today_share = min(1.0, elapsed.total_seconds() / 86_400)
    first_day = clock.today - timedelta(days=STAT_DAYS - 1)

    for plan in plans:
        last = clock.day_of(plan.archived_at) if plan.archived_at else clock.today
        day = max(first_day, plan.start)
        stored: Counter[date] = Counter()
        for _, _, collected, size in plan.posts:
            stored[clock.day_of(collected)] += size
        while day <= last:
            share = today_share if day == clock.today else 1.0
            fetches = round(len(plan.creators) * per_day * share * rng.uniform(0.97, 1))
            yield {
                "campaign_id": plan.id,
                "day": day,
                "fetches": fetches,
                "bytes_received": fetches * rng.randint(1_000, 4_000),
                "bytes_stored": stored[day],
            }
            day += timedelta(days=1)


def _insert_demo_trees(rng: random.Random, plans: list[_Plan], clock: _Clock) -> int:
    """Give some campaigns archived before this month a demo tree of that month."""
    this_month = month_key(clock.today)
    chosen = [
        plan
        for plan in plans
        if plan.archived_at is not None
        and month_key(clock.day_of(plan.archived_at)) < this_month
        and rng.random() < 0.5
    ]
    if not chosen:
        return 0

    orders = [_order_row(plan) for plan in chosen]
    statement = insert(PlantingOrder).returning(
        PlantingOrder.id, sort_by_parameter_order=True
    )
    order_ids = db.session.scalars(statement, orders, execution_options=BULK).all()
    plantings = [
        _planting_row(plan, order_id, number, clock)
        for number, (plan, order_id) in enumerate(
            zip(chosen, order_ids, strict=True), 1
        )
    ]
    db.session.execute(insert(Planting), plantings, execution_options=BULK)

    _count_quota(Counter(row["quota_month"] for row in plantings))
    return len(chosen)


def _order_row(plan: _Plan) -> dict:
    return {
        "order_id": f"canopy-{uuid.uuid4().hex}",
        "recipient_id": plan.archiver_id,
        "quantity": 1,
        "state": "planted",
        "language": "en",
        "message": f"Archived in Canopy: «{plan.name}»"[:200],
        "demo": True,
        "attempts": 1,
        "created_at": plan.archived_at,
        "sent_at": plan.archived_at,
        "confirmed_at": plan.archived_at + timedelta(seconds=2),
    }


def _planting_row(plan: _Plan, order_id: int, number: int, clock: _Clock) -> dict:
    return {
        "campaign_id": plan.id,
        "workspace_id": plan.owner.workspace_id,
        "archiver_id": plan.archiver_id,
        "order_id": order_id,
        "state": "planted",
        "quota_month": month_key(clock.day_of(plan.archived_at)),
        "earned_at": plan.archived_at,
        "planted_at": plan.archived_at + timedelta(seconds=2),
        "demo": True,
        "tree_id": f"demo-seed-{number}",
        "species_name": "Demo tree",
    }


def _count_quota(used_by_month: Counter[str]) -> None:
    """Count the demo trees against the quota of the months they were planted in."""
    for month, used in sorted(used_by_month.items()):
        row = db.session.get(QuotaMonth, month)
        if row is None:
            db.session.add(QuotaMonth(month=month, used=used))
        else:
            row.used += used


def _insert_in_chunks(model, rows: Iterable[dict]) -> int:
    """Bulk-insert rows a chunk at a time, and return how many there were."""
    total = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, INSERT_CHUNK)):
        db.session.execute(insert(model), chunk, execution_options=BULK)
        total += len(chunk)
    return total
