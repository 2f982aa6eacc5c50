"""The one scheduler process: APScheduler 3 running Canopy's jobs on time.

Jobs live in the default memory job store (a shared persistent store would be
run by every scheduler). Monthly runs missed while the process was down are
caught up at start from the run rows, which also make reruns harmless.
"""

import logging
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.jobs import JOBS, JobRefused, resume_incomplete_runs, run_job, trigger_for
from app.timeutil import business_zone

log = logging.getLogger("canopy.scheduler")

# A monthly run missed by a few hours (a restart, a deploy) still runs.
MISFIRE_GRACE_SECONDS = 6 * 3600


def job_runner(app: Flask, name: str):
    def run() -> None:
        with app.app_context():
            try:
                report = run_job(name)
                log.info("%s: %s", name, report.summary)
            except JobRefused as refusal:
                log.error("%s refused: %s", name, refusal)
            except Exception:
                log.exception("%s failed", name)

    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    with app.app_context():
        zone = business_zone()
        scheduler = BlockingScheduler(
            timezone=zone,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )
        for spec in JOBS.values():
            scheduler.add_job(
                job_runner(app, spec.name),
                trigger_for(spec),
                id=spec.name,
                name=spec.name,
                replace_existing=True,
            )
    return scheduler


def catch_up(app: Flask) -> None:
    """Run each monthly job for its current period and resume unfinished runs.

    Runs already done do nothing, so this is safe at every start.
    """
    for spec in JOBS.values():
        if spec.monthly:
            job_runner(app, spec.name)()
    with app.app_context():
        resume_incomplete_runs()


def next_runs(now: datetime | None = None) -> list[tuple[str, str, datetime]]:
    """Return (name, description, next run) for every job, without starting."""
    zone = business_zone()
    now = now or datetime.now(zone)
    return [
        (spec.name, spec.description, trigger_for(spec).get_next_fire_time(None, now))
        for spec in JOBS.values()
    ]


def run_forever(app: Flask) -> None:
    scheduler = build_scheduler(app)
    log.info("Scheduler starting with %d job(s)", len(JOBS))
    catch_up(app)
    scheduler.start()
