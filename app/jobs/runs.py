"""Doing a job's work once per period, in one process at a time.

On PostgreSQL a session-level advisory lock, held on a dedicated connection
for the whole run, keeps two processes off the same (job, period). On SQLite,
which has one writer anyway, the run row is claimed with a conditional UPDATE.
"""

import hashlib
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import dialect_name, write_transaction
from app.extensions import db
from app.models import JobRun
from app.timeutil import utcnow

log = logging.getLogger("canopy.jobs")

# Without an advisory lock, a run row still "running" after this long is taken
# to belong to a process that died.
STALE_RUN = timedelta(minutes=30)


def lock_key(job: str, period: str) -> int:
    """Return a stable signed 64-bit key for the advisory lock."""
    digest = hashlib.sha256(f"canopy:{job}:{period}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def exclusive(job: str, period: str) -> Iterator[bool]:
    """Yield whether this process may work on (job, period) now."""
    if dialect_name() != "postgresql":
        yield True
        return

    key = lock_key(job, period)
    connection = db.engine.connect()
    try:
        held = connection.execute(select(func.pg_try_advisory_lock(key))).scalar()
        connection.commit()
        try:
            yield bool(held)
        finally:
            if held:
                connection.execute(select(func.pg_advisory_unlock(key)))
                connection.commit()
    finally:
        connection.close()


def claim_run(job: str, period: str, rerun_done: bool = False) -> JobRun | None:
    """Mark the run as ours, or return None when it is done or someone has it."""
    insert = pg_insert if dialect_name() == "postgresql" else sqlite_insert
    claimable = [JobRun.state == "incomplete"]
    if dialect_name() == "postgresql":
        # The advisory lock is held: a "running" row is a crashed run's.
        claimable.append(JobRun.state == "running")
    else:
        claimable.append(
            (JobRun.state == "running") & (JobRun.started_at < utcnow() - STALE_RUN)
        )
    if rerun_done:
        claimable.append(JobRun.state == "done")

    with write_transaction():
        db.session.execute(
            insert(JobRun)
            .values(job=job, period=period, state="incomplete", started_at=utcnow())
            .on_conflict_do_nothing(index_elements=["job", "period"])
        )
        claimed = db.session.execute(
            update(JobRun)
            .where(JobRun.job == job, JobRun.period == period, or_(*claimable))
            .values(state="running", started_at=utcnow(), host=socket.gethostname())
        )
    if claimed.rowcount != 1:
        return None
    return db.session.scalar(
        select(JobRun).where(JobRun.job == job, JobRun.period == period)
    )


def finish_run(run_id: int, done: bool, summary: str) -> None:
    state = "done" if done else "incomplete"
    with write_transaction():
        run = db.session.get(JobRun, run_id)
        run.state = state
        run.finished_at = utcnow()
        run.summary = summary
        job, period = run.job, run.period
    log.info("Run %s %s finished %s: %s", job, period, state, summary)
