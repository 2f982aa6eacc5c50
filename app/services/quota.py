"""The monthly planting quota, shared by every workspace.

A month's row counts the slots taken. Slots are taken with one conditional
UPDATE so that concurrent archives can never push a month over the limit.
"""

import math
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import dialect_name
from app.extensions import db
from app.models import Planting, QuotaMonth


@dataclass(frozen=True)
class QuotaUse:
    month: str
    used: int
    limit: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


def monthly_limit() -> int:
    """Return the quota as configured now; it is read at each use on purpose."""
    return int(current_app.config["PLANTING_MONTHLY_QUOTA"])


def ensure_month(month: str) -> None:
    """Create the month's row at zero unless it exists."""
    insert = pg_insert if dialect_name() == "postgresql" else sqlite_insert
    statement = insert(QuotaMonth).values(month=month, used=0)
    db.session.execute(statement.on_conflict_do_nothing(index_elements=["month"]))


def quota_use(month: str) -> QuotaUse:
    used = db.session.scalar(select(QuotaMonth.used).where(QuotaMonth.month == month))
    return QuotaUse(month, used or 0, monthly_limit())


def queued_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Planting).where(Planting.state == "queued")
    )


def try_take(month: str, count: int, behind_queue: bool) -> bool:
    """Take `count` slots if they fit; with behind_queue, only when none is queued."""
    condition = QuotaMonth.used + count <= monthly_limit()
    statement = update(QuotaMonth).where(QuotaMonth.month == month, condition)
    if behind_queue:
        queued = exists().where(Planting.state == "queued")
        statement = statement.where(~queued)
    result = db.session.execute(statement.values(used=QuotaMonth.used + count))
    return result.rowcount == 1


def take_slots(month: str, wanted: int, behind_queue: bool = True) -> int:
    """Take as many of `wanted` slots as the month allows; return how many."""
    if wanted <= 0:
        return 0
    ensure_month(month)
    # Holding the month's row serialises archives on PostgreSQL, so each one
    # counts the queue only after the previous one committed its trees.
    db.session.execute(
        select(QuotaMonth.used).where(QuotaMonth.month == month).with_for_update()
    )

    # Another request may take slots between the read and the update; the
    # conditional update then fails and the remaining count is read again.
    for _attempt in range(5):
        fitting = min(wanted, quota_use(month).remaining)
        if fitting == 0 or (behind_queue and queued_count() > 0):
            return 0
        if try_take(month, fitting, behind_queue):
            return fitting
    return 0


def give_back(month: str, count: int) -> None:
    """Return slots of a refused order to its month."""
    larger = func.max if dialect_name() == "sqlite" else func.greatest
    db.session.execute(
        update(QuotaMonth)
        .where(QuotaMonth.month == month)
        .values(used=larger(QuotaMonth.used - count, 0))
    )


def months_ahead(position: int) -> int:
    """Return in how many months a tree at this queue position gets planted."""
    return max(1, math.ceil(position / max(monthly_limit(), 1)))
