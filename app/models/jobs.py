"""Runs of monthly jobs and the emails they send, kept to do the work once."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.people import User
from app.timeutil import utcnow

# running: a process works on it; incomplete: stopped with work left, the next
# run resumes; done: all its work is finished.
RUN_STATES = ("running", "incomplete", "done")
# pending: to send; sending: handed to SMTP (never resent automatically); sent.
OUTBOX_STATES = ("pending", "sending", "sent")


class JobRun(db.Model):
    """One monthly job's run for one period (a YYYY-MM month)."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(7))
    state: Mapped[str] = mapped_column(String(12), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    host: Mapped[str | None] = mapped_column(String(120))
    summary: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.period} {self.state}>"


class OutboxEmail(db.Model):
    """One email a job owes one person for one period."""

    __tablename__ = "outbox_email"
    __table_args__ = (
        UniqueConstraint("job", "period", "recipient_id"),
        Index("ix_outbox_email_job_state", "job", "period", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(7))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    recipient: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxEmail {self.job} {self.period} to {self.recipient_id}>"
