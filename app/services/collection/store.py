"""Storing collected posts and what collecting them cost."""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import dialect_name, write_transaction
from app.extensions import db
from app.models import (
    ArchiveEvent,
    Campaign,
    CampaignCreator,
    CollectionStat,
    Creator,
    Post,
)
from app.services.collection.sources import Fetched
from app.timeutil import business_today, utcnow


def insert_for_dialect():
    return pg_insert if dialect_name() == "postgresql" else sqlite_insert


def store_posts(
    campaign_id: int, fetched: dict[int, Fetched], started: datetime
) -> int | None:
    """Store a campaign's new posts; None when it was archived meanwhile."""
    with write_transaction():
        campaign = db.session.scalar(
            select(Campaign).where(Campaign.id == campaign_id).with_for_update()
        )
        if campaign is None or campaign.archived_at is not None:
            return None
        if archived_since(campaign_id, started):
            # Archived and restored while the fetch ran: what came back may
            # hold posts published while it was archived, and the restore
            # already set the cursors.
            return None

        now = utcnow()
        platforms = platforms_of(list(fetched))
        inserted = insert_posts(campaign_id, fetched, platforms, now)
        move_cursors(campaign_id, list(fetched), started)
        record_stats(campaign_id, fetched, inserted)
        refresh_counters(campaign)
        campaign.lease_until = None
    return inserted[0]


def archived_since(campaign_id: int, moment: datetime) -> bool:
    found = db.session.scalar(
        select(ArchiveEvent.id)
        .where(ArchiveEvent.campaign_id == campaign_id, ArchiveEvent.at >= moment)
        .limit(1)
    )
    return found is not None


def platforms_of(creator_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Creator.id, Creator.platform).where(Creator.id.in_(creator_ids))
    )
    return dict(rows.all())


def insert_posts(campaign_id, fetched, platforms, now) -> tuple[int, int]:
    """Insert posts not seen before; return (count, bytes) of the new ones."""
    rows = [
        {
            "campaign_id": campaign_id,
            "creator_id": creator_id,
            "platform": platforms[creator_id],
            "external_id": post.external_id,
            "url": post.url,
            "published_at": post.published_at,
            "size_bytes": post.size_bytes,
            "collected_at": now,
        }
        for creator_id, result in fetched.items()
        for post in result.posts
    ]
    if not rows:
        return 0, 0
    statement = (
        insert_for_dialect()(Post)
        .on_conflict_do_nothing(index_elements=["platform", "external_id"])
        .returning(Post.size_bytes)
    )
    sizes = db.session.scalars(statement, rows).all()
    return len(sizes), sum(sizes)


def move_cursors(campaign_id: int, creator_ids: list[int], started: datetime):
    """Next time, ask only for posts published since this fetch began."""
    db.session.execute(
        update(CampaignCreator)
        .where(
            CampaignCreator.campaign_id == campaign_id,
            CampaignCreator.creator_id.in_(creator_ids),
        )
        .values(collected_since=started)
    )


def record_stats(campaign_id: int, fetched, inserted: tuple[int, int]) -> None:
    fetches = sum(result.fetches for result in fetched.values())
    received = sum(result.bytes_received for result in fetched.values())
    statement = insert_for_dialect()(CollectionStat).values(
        campaign_id=campaign_id,
        day=business_today(),
        fetches=fetches,
        bytes_received=received,
        bytes_stored=inserted[1],
    )
    excluded = statement.excluded
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["campaign_id", "day"],
            set_={
                "fetches": CollectionStat.fetches + excluded.fetches,
                "bytes_received": CollectionStat.bytes_received
                + excluded.bytes_received,
                "bytes_stored": CollectionStat.bytes_stored + excluded.bytes_stored,
            },
        )
    )


def refresh_counters(campaign: Campaign) -> None:
    """Recount the campaign's posts so the list's counters stay exact."""
    count, last = db.session.execute(
        select(func.count(), func.max(Post.published_at)).where(
            Post.campaign_id == campaign.id
        )
    ).one()
    campaign.posts_count = count
    campaign.last_post_at = last
