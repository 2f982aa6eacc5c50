"""Archiving and restoring campaigns, and the trees archiving earns."""

import logging
from dataclasses import dataclass, field

from sqlalchemy import select, update

from app.database import write_transaction
from app.extensions import db
from app.models import ArchiveEvent, Campaign, CampaignCreator, Planting, User
from app.services import planting as planting_service
from app.services import quota
from app.services.selection import load_campaigns
from app.timeutil import business_today, current_month_key, utcnow

log = logging.getLogger("canopy.archiving")


@dataclass(frozen=True)
class ArchiveResult:
    """What one archive action did, as plain values for views and tests."""

    archived_ids: list[int]
    already_archived_ids: list[int]
    trees_earned: int
    trees_reserved: int
    queue_positions: tuple[int, int] | None = None
    order: planting_service.OrderOutcome | None = None
    archived_names: list[str] = field(default_factory=list)

    @property
    def trees_queued(self) -> int:
        return self.trees_earned - self.trees_reserved


@dataclass
class _Reservation:
    order_pk: int | None
    reserved: int
    earned: int
    queue_positions: tuple[int, int] | None


def archive_campaigns(
    user: User, campaign_ids: list[int], language: str
) -> ArchiveResult:
    """Archive the campaigns and plant the trees they earn for `user`.

    Raises NotFound (before changing anything) when an id is not a campaign
    of the person's workspace.
    """
    with write_transaction():
        campaigns = load_campaigns(user.workspace_id, campaign_ids, for_update=True)
        to_archive = [c for c in campaigns if c.archived_at is None]
        already = [c.id for c in campaigns if c.archived_at is not None]
        archive_rows(to_archive, user)
        reservation = reserve_trees(to_archive, user, language)
        archived_ids = [c.id for c in to_archive]
        names = [c.name for c in to_archive]

    log.info(
        "User %s archived %d campaign(s) %s; %d tree(s) earned, %d reserved",
        user.id,
        len(archived_ids),
        archived_ids,
        reservation.earned,
        reservation.reserved,
    )
    outcome = None
    if reservation.order_pk is not None:
        outcome = planting_service.dispatch(reservation.order_pk)
    return ArchiveResult(
        archived_ids=archived_ids,
        already_archived_ids=already,
        trees_earned=reservation.earned,
        trees_reserved=reservation.reserved,
        queue_positions=reservation.queue_positions,
        order=outcome,
        archived_names=names,
    )


def archive_rows(campaigns: list[Campaign], user: User) -> None:
    """Stop collection for these campaigns and record who archived them."""
    now = utcnow()
    for campaign in campaigns:
        campaign.archived_at = now
        campaign.next_collect_at = None
        campaign.lease_until = None
        db.session.add(
            ArchiveEvent(
                campaign_id=campaign.id, action="archived", user_id=user.id, at=now
            )
        )


def reserve_trees(campaigns: list[Campaign], user: User, language: str) -> _Reservation:
    """Create the plantings these campaigns earn; reserve slots or queue them."""
    today = business_today()
    started = [c for c in campaigns if c.has_started(today)]
    earning = without_planting(started)
    if not earning:
        return _Reservation(None, 0, 0, None)

    month = current_month_key()
    reserved_count = quota.take_slots(month, len(earning))
    # Counted before the new plantings exist, so none of them counts itself.
    queued_ahead = quota.queued_count()
    plantings = [new_planting(c, user) for c in earning]
    db.session.add_all(plantings)

    order_pk = None
    if reserved_count:
        fitting = plantings[:reserved_count]
        for planting in fitting:
            planting.quota_month = month
        names = [c.name for c in earning[:reserved_count]]
        order = planting_service.create_order(user, fitting, names, language)
        db.session.flush()
        order_pk = order.id

    positions = queue_rest(plantings[reserved_count:], queued_ahead)
    return _Reservation(order_pk, reserved_count, len(earning), positions)


def without_planting(campaigns: list[Campaign]) -> list[Campaign]:
    """Keep the campaigns that never earned a tree: one tree per campaign, ever."""
    if not campaigns:
        return []
    ids = [c.id for c in campaigns]
    planted = set(
        db.session.scalars(
            select(Planting.campaign_id).where(Planting.campaign_id.in_(ids))
        )
    )
    return [c for c in campaigns if c.id not in planted]


def new_planting(campaign: Campaign, user: User) -> Planting:
    return Planting(
        campaign_id=campaign.id,
        workspace_id=campaign.workspace_id,
        archiver_id=user.id,
        state="queued",
        earned_at=utcnow(),
    )


def queue_rest(plantings: list[Planting], ahead: int) -> tuple[int, int] | None:
    """Queue the trees that got no slot; return their 1-based queue positions."""
    if not plantings:
        return None
    now = utcnow()
    for planting in plantings:
        planting.state = "queued"
        planting.queued_at = now
    return ahead + 1, ahead + len(plantings)


def restore_campaign(user: User, campaign_id: int) -> tuple[Campaign, bool]:
    """Put an archived campaign back to its status by dates; collection resumes.

    Returns the campaign and whether it was archived (and so restored now).

    Posts published while it was archived are not backfilled: each creator's
    cursor moves to the restore time. Its tree, if any, stays.
    """
    with write_transaction():
        campaign = load_campaigns(user.workspace_id, [campaign_id], for_update=True)[0]
        if campaign.archived_at is None:
            return campaign, False
        now = utcnow()
        campaign.archived_at = None
        campaign.next_collect_at = now
        db.session.execute(
            update(CampaignCreator)
            .where(CampaignCreator.campaign_id == campaign.id)
            .values(collected_since=now)
        )
        db.session.add(
            ArchiveEvent(
                campaign_id=campaign.id, action="restored", user_id=user.id, at=now
            )
        )
    log.info("User %s restored campaign %s", user.id, campaign_id)
    return campaign, True
