"""The collector: claim due campaigns, fetch outside any transaction, store.

1. One short transaction claims a batch of due campaigns with a lease (on
   PostgreSQL with SKIP LOCKED, so several collectors share the work).
2. Each creator's posts are fetched with no transaction open.
3. A short write stores a campaign's posts, but only if it is still not
   archived: a campaign archived meanwhile gets nothing collected after its
   archive time.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, text, update

from app.database import dialect_name, write_transaction
from app.extensions import db
from app.models import Campaign, CampaignCreator, Creator
from app.services.collection.sources import (
    DemoPostSource,
    Fetched,
    HttpPostSource,
    SourceError,
)
from app.services.collection.store import store_posts
from app.services.shared_clients import shared_client
from app.timeutil import business_today, business_zone, utcnow

log = logging.getLogger("canopy.collection")

LEASE = timedelta(minutes=5)
BATCH_SIZE = 50


@dataclass
class CollectReport:
    campaigns: int = 0
    posts: int = 0
    failures: int = 0
    skipped_archived: int = 0
    failed_ids: list[int] = field(default_factory=list)


def build_source(config: dict):
    """The HTTP source when configured, else the demo source."""
    if not config["POST_SOURCE_URL"]:
        return DemoPostSource()
    return HttpPostSource(
        config["POST_SOURCE_URL"],
        config["POST_SOURCE_TOKEN"],
        config["POST_SOURCE_TIMEOUT"],
    )


def get_source():
    return shared_client("canopy_post_source", build_source)


CLAIM_SQL = """
UPDATE campaign SET lease_until = :lease_until, next_collect_at = :next_at
WHERE id IN (
    SELECT id FROM campaign
    WHERE next_collect_at <= :now AND archived_at IS NULL
      AND start_date <= :today
      AND (lease_until IS NULL OR lease_until < :now)
    ORDER BY next_collect_at
    LIMIT :limit {lock}
)
RETURNING id
"""


def claim_due(limit: int = BATCH_SIZE) -> list[int]:
    """Lease a batch of due campaigns and schedule their next collection."""
    now = utcnow()
    interval = timedelta(minutes=int(current_app.config["COLLECT_INTERVAL_MINUTES"]))
    lock = "FOR UPDATE SKIP LOCKED" if dialect_name() == "postgresql" else ""
    with write_transaction():
        ids = db.session.scalars(
            text(CLAIM_SQL.format(lock=lock)),
            {
                "lease_until": now + LEASE,
                "next_at": now + interval,
                "now": now,
                "today": business_today(),
                "limit": limit,
            },
        ).all()
    return sorted(ids)


def creators_of(campaign_id: int) -> list[tuple[int, str, str, datetime]]:
    """Return (creator id, platform, handle, since) for a campaign's creators."""
    rows = db.session.execute(
        select(
            Creator.id,
            Creator.platform,
            Creator.handle,
            CampaignCreator.collected_since,
            Campaign.start_date,
        )
        .join(CampaignCreator, CampaignCreator.creator_id == Creator.id)
        .join(Campaign, Campaign.id == CampaignCreator.campaign_id)
        .where(CampaignCreator.campaign_id == campaign_id)
        .order_by(Creator.id)
    ).all()
    db.session.commit()  # end the read transaction before any HTTP call
    return [
        (cid, platform, handle, since or start_of_day(start))
        for cid, platform, handle, since, start in rows
    ]


def start_of_day(day: date) -> datetime:
    """Return the first moment of a business day, as naive UTC."""
    moment = datetime.combine(day, time(0), tzinfo=business_zone())
    return moment.astimezone(UTC).replace(tzinfo=None)


def fetch_campaign(campaign_id: int) -> tuple[dict[int, Fetched], datetime] | None:
    """Fetch every creator's new posts; None if any fetch failed."""
    started = utcnow()
    fetched: dict[int, Fetched] = {}
    source = get_source()
    for creator_id, platform, handle, since in creators_of(campaign_id):
        try:
            fetched[creator_id] = source.fetch(platform, handle, since)
        except SourceError as error:
            log.warning(
                "Collecting campaign %s, creator %s:%s failed: %s; retried next run",
                campaign_id,
                platform,
                handle,
                error,
            )
            return None
    return fetched, started


def collect_due(limit: int = BATCH_SIZE) -> CollectReport:
    """Collect one batch of due campaigns; report what happened."""
    report = CollectReport()
    for campaign_id in claim_due(limit):
        report.campaigns += 1
        stored = collect_campaign(campaign_id)
        if stored is FAILED:
            report.failures += 1
            report.failed_ids.append(campaign_id)
        elif stored is None:
            report.skipped_archived += 1
        else:
            report.posts += stored
    return report


FAILED = object()


def collect_campaign(campaign_id: int):
    """Fetch and store one campaign; FAILED leaves it as it was, to retry."""
    try:
        result = fetch_campaign(campaign_id)
        if result is not None:
            return store_posts(campaign_id, *result)
    except Exception:  # noqa: BLE001 - one campaign's failure stops no other
        db.session.rollback()
        log.exception("Storing posts of campaign %s failed", campaign_id)
    release_lease(campaign_id)
    return FAILED


def release_lease(campaign_id: int) -> None:
    """Let the next run retry a campaign whose collection failed."""
    with write_transaction():
        db.session.execute(
            update(Campaign).where(Campaign.id == campaign_id).values(lease_until=None)
        )


def collect_all(limit: int = BATCH_SIZE) -> CollectReport:
    """Collect batches until no campaign is due."""
    total = CollectReport()
    while True:
        report = collect_due(limit)
        if report.campaigns == 0:
            return total
        total.campaigns += report.campaigns
        total.posts += report.posts
        total.failures += report.failures
        total.skipped_archived += report.skipped_archived
        total.failed_ids += report.failed_ids
