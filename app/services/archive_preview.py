"""What archiving a selection would stop, avoid and earn, for the dialog."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Campaign, CollectionStat, Planting, Post
from app.services import co2, quota
from app.timeutil import business_today, current_month_key, utcnow

STATS_WINDOW_DAYS = 30
ACTIVE_POST_DAYS = 7


@dataclass(frozen=True)
class QuotaForecast:
    """How the month's quota would cover the trees of a selection."""

    trees: int
    plantable_now: int
    queue_first: int | None
    queue_last: int | None
    months_ahead: int | None

    @property
    def queued(self) -> int:
        return self.trees - self.plantable_now


@dataclass(frozen=True)
class ArchivePreview:
    campaigns: list[Campaign]
    to_archive: list[Campaign]
    already_archived: list[Campaign]
    still_collecting: list[Campaign]
    already_earned: list[Campaign]
    drafts: list[Campaign]
    posts_last_30_days: int
    fetches_per_day: float
    bytes_received_per_day: float
    bytes_stored_per_day: float
    stored_bytes: int
    avoided: co2.Co2Range
    forecast: QuotaForecast

    @property
    def tree_capture_kg(self) -> float:
        return co2.tree_capture_kg(self.forecast.trees)


def preview_archive(campaigns: list[Campaign]) -> ArchivePreview:
    """Describe the effect of archiving these campaigns, in a few queries."""
    today = business_today()
    to_archive = [c for c in campaigns if c.archived_at is None]
    ids = [c.id for c in to_archive]
    earned = campaigns_with_tree([c.id for c in campaigns])
    already_earned = [c for c in campaigns if c.id in earned]
    earning = [c for c in to_archive if c.has_started(today) and c.id not in earned]
    fetches, received, stored_daily = daily_collection(ids, today)

    return ArchivePreview(
        campaigns=campaigns,
        to_archive=to_archive,
        already_archived=[c for c in campaigns if c.archived_at is not None],
        still_collecting=[c for c in to_archive if is_collecting(c, today)],
        already_earned=already_earned,
        drafts=[c for c in to_archive if not c.has_started(today)],
        posts_last_30_days=recent_posts(ids),
        fetches_per_day=fetches,
        bytes_received_per_day=received,
        bytes_stored_per_day=stored_daily,
        stored_bytes=stored_total(ids),
        avoided=co2.avoided_per_year(received, stored_daily),
        forecast=forecast_quota(len(earning)),
    )


def is_collecting(campaign: Campaign, today: date) -> bool:
    """A recent post or an end date ahead means archiving cuts live reporting."""
    recent = utcnow() - timedelta(days=ACTIVE_POST_DAYS)
    posted_recently = campaign.last_post_at is not None and (
        campaign.last_post_at >= recent
    )
    return posted_recently or (
        campaign.has_started(today) and campaign.end_date >= today
    )


def campaigns_with_tree(ids: list[int]) -> set[int]:
    if not ids:
        return set()
    statement = select(Planting.campaign_id).where(Planting.campaign_id.in_(ids))
    return set(db.session.scalars(statement))


def recent_posts(ids: list[int]) -> int:
    """Count posts collected in the last 30 days: what archiving stops."""
    if not ids:
        return 0
    since = utcnow() - timedelta(days=STATS_WINDOW_DAYS)
    statement = select(func.count()).where(
        Post.campaign_id.in_(ids), Post.collected_at >= since
    )
    return db.session.scalar(statement)


def daily_collection(ids: list[int], today: date) -> tuple[float, float, float]:
    """Average fetches, bytes received and bytes stored a day, over 30 days."""
    if not ids:
        return 0.0, 0.0, 0.0
    since = today - timedelta(days=STATS_WINDOW_DAYS - 1)
    statement = select(
        func.coalesce(func.sum(CollectionStat.fetches), 0),
        func.coalesce(func.sum(CollectionStat.bytes_received), 0),
        func.coalesce(func.sum(CollectionStat.bytes_stored), 0),
    ).where(CollectionStat.campaign_id.in_(ids), CollectionStat.day >= since)
    sums = db.session.execute(statement).one()
    # PostgreSQL sums big integers as Decimal.
    fetches, received, stored = (float(value) / STATS_WINDOW_DAYS for value in sums)
    return fetches, received, stored


def stored_total(ids: list[int]) -> int:
    if not ids:
        return 0
    statement = select(func.coalesce(func.sum(Post.size_bytes), 0)).where(
        Post.campaign_id.in_(ids)
    )
    return db.session.scalar(statement)


def forecast_quota(trees: int) -> QuotaForecast:
    """Say how many trees the month can plant now and where the rest queue."""
    use = quota.quota_use(current_month_key())
    queued = quota.queued_count()
    plantable = 0 if queued else min(trees, use.remaining)
    if plantable == trees:
        return QuotaForecast(trees, plantable, None, None, None)
    first = queued + 1
    last = queued + trees - plantable
    return QuotaForecast(trees, plantable, first, last, quota.months_ahead(last))
