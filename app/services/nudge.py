"""Spotting campaigns that look finished, to suggest archiving them."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Campaign, Planting
from app.services.selection import MAX_SELECTION
from app.timeutil import utcnow

ENDED_FOR_DAYS = 30
SILENT_FOR_DAYS = 60


@dataclass(frozen=True)
class Nudge:
    total: int
    trees: int
    ids: list[int]


def looks_finished(today: date):
    """Started, not archived, and ended a month ago or silent for two months."""
    silent_since = utcnow() - timedelta(days=SILENT_FOR_DAYS)
    never_posted_since = today - timedelta(days=SILENT_FOR_DAYS)
    return and_(
        Campaign.archived_at.is_(None),
        Campaign.start_date <= today,
        or_(
            Campaign.end_date < today - timedelta(days=ENDED_FOR_DAYS),
            Campaign.last_post_at < silent_since,
            and_(
                Campaign.last_post_at.is_(None),
                Campaign.start_date < never_posted_since,
            ),
        ),
    )


def find_nudge(workspace_id: int, today: date) -> Nudge | None:
    """Return the campaigns to suggest, at most 500 of them, or None."""
    condition = and_(Campaign.workspace_id == workspace_id, looks_finished(today))
    total = db.session.scalar(select(func.count()).where(condition))
    if not total:
        return None

    first_ids = (
        select(Campaign.id)
        .where(condition)
        .order_by(Campaign.end_date, Campaign.id)
        .limit(MAX_SELECTION)
    )
    ids = list(db.session.scalars(first_ids))
    return Nudge(total, trees_for(ids), ids)


def trees_for(ids: list[int]) -> int:
    """Count the campaigns among these that have not earned a tree yet."""
    with_tree = select(func.count()).where(Planting.campaign_id.in_(ids))
    return len(ids) - db.session.scalar(with_tree)
