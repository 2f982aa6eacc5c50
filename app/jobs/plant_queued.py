"""plant-queued: at the start of a month, plant the trees the quota queued.

Queued trees are planted oldest first within the month's quota, grouped into
one Tree-Nation order per person; then each person is told by email. What
does not fit stays queued for the following month.
"""

import logging
from itertools import groupby

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.database import write_transaction
from app.extensions import db
from app.jobs import outbox
from app.jobs.report import JobReport
from app.models import Planting, PlantingOrder, User
from app.services import planting as planting_service
from app.services import quota
from app.services.mailer import render_email

log = logging.getLogger("canopy.jobs")

JOB = "plant-queued"


def run(period: str) -> JobReport:
    """Plant what fits of the queue in `period`'s quota, then tell people."""
    for order_pk in unsettled_orders(period):
        planting_service.dispatch(order_pk)

    order_pks = reserve_queued(period)
    for order_pk in order_pks:
        planting_service.dispatch(order_pk)

    outbox.owe_emails(JOB, period, recipients_planted(period))
    emails = outbox.deliver(JOB, period, lambda user: planted_email(user, period))

    unsettled = len(unsettled_orders(period, include_in_flight=True))
    done = unsettled == 0 and emails.remaining == 0
    summary = (
        f"{len(order_pks)} order(s) sent, {unsettled} awaiting Tree-Nation, "
        f"{emails.sent} email(s) sent, {emails.remaining} to retry, "
        f"{quota.queued_count()} tree(s) still queued"
    )
    return JobReport(JOB, period, done, summary)


def reserve_queued(period: str) -> list[int]:
    """Give queued trees the period's free slots; return the orders created."""
    with write_transaction():
        queued = db.session.scalars(
            select(Planting)
            .where(Planting.state == "queued")
            .order_by(Planting.queued_at, Planting.id)
            .options(joinedload(Planting.campaign), joinedload(Planting.archiver))
            .with_for_update(of=Planting)
        ).all()
        slots = quota.take_slots(period, len(queued), behind_queue=False)
        fitting = sorted(queued[:slots], key=lambda p: (p.archiver_id, p.id))

        orders = []
        for _archiver_id, group in groupby(fitting, key=lambda p: p.archiver_id):
            plantings = list(group)
            for planting in plantings:
                planting.quota_month = period
            archiver = plantings[0].archiver
            names = [p.campaign.name for p in plantings]
            orders.append(
                planting_service.create_order(
                    archiver, plantings, names, archiver.locale or "en"
                )
            )
        db.session.flush()
        order_pks = [order.id for order in orders]

    log.info("%s %s: %d queued tree(s) got a slot", JOB, period, len(fitting))
    return order_pks


def unsettled_orders(period: str, include_in_flight: bool = False) -> list[int]:
    """Orders of trees planted from the queue in `period` with no outcome yet."""
    statement = (
        select(PlantingOrder.id)
        .join(Planting, Planting.order_id == PlantingOrder.id)
        .where(
            Planting.quota_month == period,
            Planting.queued_at.is_not(None),
            PlantingOrder.state.in_(("reserved", "pending")),
        )
        .distinct()
    )
    if not include_in_flight:
        cutoff = planting_service.in_flight_cutoff()
        statement = statement.where(
            db.func.coalesce(PlantingOrder.sent_at, PlantingOrder.created_at) < cutoff
        )
    return list(db.session.scalars(statement))


def planted_from_queue(period: str):
    return select(Planting).where(
        Planting.quota_month == period,
        Planting.queued_at.is_not(None),
        Planting.state.in_(("planted", "planted_unconfirmed")),
    )


def recipients_planted(period: str) -> list[int]:
    statement = planted_from_queue(period).with_only_columns(Planting.archiver_id)
    return sorted(set(db.session.scalars(statement)))


def planted_email(user: User, period: str) -> tuple[str, str, str]:
    """Build the "your queued tree is planted" email for one person."""
    plantings = db.session.scalars(
        planted_from_queue(period)
        .where(Planting.archiver_id == user.id)
        .options(joinedload(Planting.campaign))
        .order_by(Planting.id)
    ).all()
    locale = user.locale or "en"
    text, html = render_email("tree_planted", locale, user=user, plantings=plantings)
    with force_locale(locale):
        subject = _("Your tree is planted")
    return subject, text, html
