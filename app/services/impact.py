"""A workspace's forest: trees by state and month, and the two CO₂ ledgers."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from app.database import days_before
from app.extensions import db
from app.models import Campaign, CollectionStat, Planting
from app.services import co2
from app.services.leaderboard import month_bounds
from app.timeutil import business_today, utcnow

CHART_MONTHS = 12
MY_TREES_SHOWN = 50
# A campaign's daily collection cost is measured over this many days before
# its archive.
RATE_DAYS = 30


@dataclass(frozen=True)
class Forest:
    planted: int
    queued: int
    on_the_way: int
    failed: int
    lifetime_co2_kg: float

    @property
    def earned(self) -> int:
        return self.planted + self.queued + self.on_the_way

    @property
    def captured_kg(self) -> float:
        return co2.tree_capture_kg(self.planted)


@dataclass(frozen=True)
class Avoided:
    archived_campaigns: int
    fetches: float
    bytes_received: float
    bytes_stored: float
    co2: co2.Co2Range


def forest_of(workspace_id: int) -> Forest:
    rows = db.session.execute(
        select(
            Planting.state,
            func.count(),
            func.coalesce(func.sum(Planting.life_time_co2_kg), 0),
        )
        .where(Planting.workspace_id == workspace_id)
        .group_by(Planting.state)
    ).all()
    counts = {state: count for state, count, _kg in rows}
    lifetime = sum(kg for state, _count, kg in rows if state == "planted")
    return Forest(
        planted=counts.get("planted", 0) + counts.get("planted_unconfirmed", 0),
        queued=counts.get("queued", 0),
        on_the_way=counts.get("reserved", 0) + counts.get("pending", 0),
        failed=counts.get("failed", 0),
        lifetime_co2_kg=float(lifetime),
    )


def my_trees(user_id: int) -> list[Planting]:
    return list(
        db.session.scalars(
            select(Planting)
            .where(Planting.archiver_id == user_id)
            .options(joinedload(Planting.campaign))
            .order_by(Planting.earned_at.desc(), Planting.id.desc())
            .limit(MY_TREES_SHOWN)
        )
    )


def chart_months(today: date) -> list[str]:
    """Return the last twelve months, oldest first, as YYYY-MM keys."""
    months = []
    year, month = today.year, today.month
    for _ in range(CHART_MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def trees_per_month(workspace_id: int) -> list[tuple[str, int]]:
    """Trees earned per business month over the last twelve months, one query."""
    months = chart_months(business_today())
    counts = [
        func.count().filter(Planting.earned_at >= start, Planting.earned_at < end)
        for start, end in (month_bounds(month) for month in months)
    ]
    first_start = month_bounds(months[0])[0]
    row = db.session.execute(
        select(*counts).where(
            Planting.workspace_id == workspace_id,
            Planting.state != "failed",
            Planting.earned_at >= first_start,
        )
    ).one()
    return list(zip(months, row, strict=True))


def avoided_by_archiving(workspace_id: int) -> Avoided:
    """Estimate what collection would have cost since each archive.

    Each archived campaign's daily rate is measured over the 30 days before its
    archive and multiplied by the days it has been archived.
    """
    rows = db.session.execute(
        select(
            Campaign.id,
            Campaign.archived_at,
            func.coalesce(func.sum(CollectionStat.fetches), 0),
            func.coalesce(func.sum(CollectionStat.bytes_received), 0),
            func.coalesce(func.sum(CollectionStat.bytes_stored), 0),
        )
        .outerjoin(
            CollectionStat,
            and_(
                CollectionStat.campaign_id == Campaign.id,
                CollectionStat.day >= days_before(Campaign.archived_at, RATE_DAYS),
                CollectionStat.day < days_before(Campaign.archived_at, 0),
            ),
        )
        .where(
            Campaign.workspace_id == workspace_id,
            Campaign.archived_at.is_not(None),
        )
        .group_by(Campaign.id, Campaign.archived_at)
    ).all()
    return sum_avoided(rows)


def sum_avoided(rows) -> Avoided:
    now = utcnow()
    fetches = received = stored = low = high = 0.0
    for _id, archived_at, *sums in rows:
        # PostgreSQL sums big integers as Decimal.
        day_fetches, day_received, day_stored = (float(value) for value in sums)
        days = max((now - archived_at).total_seconds() / 86400, 0)
        fetches += day_fetches / RATE_DAYS * days
        received += day_received / RATE_DAYS * days
        stored += day_stored / RATE_DAYS * days
        yearly = co2.avoided_per_year(day_received / RATE_DAYS, day_stored / RATE_DAYS)
        low += yearly.low_grams * days / 365
        high += yearly.high_grams * days / 365
    return Avoided(len(rows), fetches, received, stored, co2.Co2Range(low, high))
