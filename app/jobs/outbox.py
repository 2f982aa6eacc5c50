"""The email outbox: at most one email per (job, period, person), ever.

A row moves pending → sending (committed before SMTP) → sent. An SMTP error
puts it back to pending for the next run. A row found in "sending" means a
process died mid-send: the email may have gone, so it is reported to the
operator and never resent automatically.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import dialect_name, write_transaction
from app.extensions import db
from app.models import OutboxEmail, User
from app.services.mailer import send_email
from app.timeutil import utcnow

log = logging.getLogger("canopy.jobs")

# Builds (subject, text, html) for a recipient, or None when nothing is owed.
EmailBuilder = Callable[[User], tuple[str, str, str] | None]


@dataclass(frozen=True)
class OutboxReport:
    sent: int
    failed: int
    stuck: int
    remaining: int


def owe_emails(job: str, period: str, recipient_ids: list[int]) -> None:
    """Record that these people are owed this period's email (once each)."""
    if not recipient_ids:
        return
    insert = pg_insert if dialect_name() == "postgresql" else sqlite_insert
    rows = [
        {"job": job, "period": period, "recipient_id": rid, "state": "pending"}
        for rid in recipient_ids
    ]
    with write_transaction():
        db.session.execute(
            insert(OutboxEmail).on_conflict_do_nothing(
                index_elements=["job", "period", "recipient_id"]
            ),
            rows,
        )


def deliver(job: str, period: str, build: EmailBuilder) -> OutboxReport:
    """Send every pending email of (job, period); report what is left."""
    stuck = report_stuck(job, period)
    pending = db.session.scalars(
        select(OutboxEmail.id)
        .where(OutboxEmail.job == job, OutboxEmail.period == period)
        .where(OutboxEmail.state == "pending")
        .order_by(OutboxEmail.id)
    ).all()

    sent = failed = 0
    for email_id in pending:
        if deliver_one(email_id, build):
            sent += 1
        else:
            failed += 1
    return OutboxReport(sent, failed, stuck, remaining=failed)


def claim(email_id: int) -> User | None:
    """Move one email from pending to sending; None if someone else took it."""
    with write_transaction():
        claimed = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, OutboxEmail.state == "pending")
            .values(state="sending", attempts=OutboxEmail.attempts + 1)
        )
        if claimed.rowcount != 1:
            return None
        return db.session.get(OutboxEmail, email_id).recipient


def deliver_one(email_id: int, build: EmailBuilder) -> bool:
    recipient = claim(email_id)
    if recipient is None:
        return True
    address = recipient.email

    try:
        parts = build(recipient)
        if parts is not None:
            send_email(address, *parts)
    except Exception as error:  # noqa: BLE001 - any SMTP failure is retried later
        log.warning("Email %s to %s failed: %s", email_id, address, error)
        set_state(email_id, "pending", error=str(error)[:500])
        return False

    set_state(email_id, "sent")
    return True


def set_state(email_id: int, state: str, error: str | None = None) -> None:
    with write_transaction():
        email = db.session.get(OutboxEmail, email_id)
        email.state = state
        email.last_error = error
        if state == "sent":
            email.sent_at = utcnow()


def report_stuck(job: str, period: str) -> int:
    """Log emails a dead process left mid-send; they are not resent."""
    stuck = db.session.execute(
        select(OutboxEmail.id, User.email)
        .join(User, OutboxEmail.recipient_id == User.id)
        .where(OutboxEmail.job == job, OutboxEmail.period == period)
        .where(OutboxEmail.state == "sending")
    ).all()
    for email_id, address in stuck:
        log.error(
            "Email %s (%s %s) to %s was being sent when a process stopped; it "
            "may or may not have arrived and is not resent",
            email_id,
            job,
            period,
            address,
        )
    return len(stuck)
