"""Scheduled jobs: what each does, when it runs and which period it works on."""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.jobs import collect, leaderboard_email, plant_queued, retry
from app.jobs.report import JobReport
from app.jobs.runs import claim_run, exclusive, finish_run
from app.jobs.triggers import MonthlyTrigger
from app.models import JobRun
from app.timeutil import business_today, business_zone, month_key

log = logging.getLogger("canopy.jobs")


class JobRefused(Exception):
    """A job that cannot run with these arguments (unknown name, bad period)."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    description: str
    monthly: bool
    # Which month a run on a given business day works on, for monthly jobs.
    default_period: Callable[[date], str] | None = None
    rerun_when_done: bool = False


def this_month(today: date) -> str:
    return month_key(today)


def last_month(today: date) -> str:
    return month_key(today.replace(day=1) - timedelta(days=1))


JOBS = {
    "plant-queued": JobSpec(
        "plant-queued",
        "plants queued trees within the new month's quota",
        monthly=True,
        default_period=this_month,
        # Planting states gate its effects, so trees queued later still get
        # planted by a second run of the same month.
        rerun_when_done=True,
    ),
    "leaderboard-email": JobSpec(
        "leaderboard-email",
        "emails each team lead last month's Top Tree Planters",
        monthly=True,
        default_period=last_month,
    ),
    "retry-plantings": JobSpec(
        "retry-plantings",
        "re-sends orders Tree-Nation did not confirm",
        monthly=False,
    ),
    "collect-posts": JobSpec(
        "collect-posts",
        "collects new posts of campaigns not archived",
        monthly=False,
    ),
}


def trigger_for(spec: JobSpec):
    """Return the APScheduler trigger of a job, in the business time zone."""
    zone = business_zone()
    if spec.monthly:
        return MonthlyTrigger(zone, hour=0, minute=5)
    if spec.name == "retry-plantings":
        return IntervalTrigger(minutes=10, timezone=zone)
    minutes = int(current_app.config["COLLECT_INTERVAL_MINUTES"])
    return IntervalTrigger(minutes=minutes, timezone=zone)


PERIOD = re.compile(r"(20\d\d)-(0[1-9]|1[0-2])", re.ASCII)


def parse_period(text: str) -> str:
    """Check a YYYY-MM period; it keys run rows, so only one spelling passes."""
    if not PERIOD.fullmatch(text):
        raise JobRefused(f"The period must look like 2026-12, not {text!r}.")
    return text


def run_job(
    name: str, period: str | None = None, include_failed: bool = False
) -> JobReport:
    """Run one job now, the way the scheduler does."""
    spec = JOBS.get(name)
    if spec is None:
        raise JobRefused(f"Unknown job {name!r}; see `flask jobs list`.")
    if include_failed and name != "retry-plantings":
        raise JobRefused("--include-failed is only for retry-plantings.")
    if not spec.monthly:
        if period is not None:
            raise JobRefused(f"{name} runs on what is due now and takes no period.")
        return run_plain(spec, include_failed)
    period = parse_period(period) if period else spec.default_period(business_today())
    return run_monthly(spec, period)


def run_plain(spec: JobSpec, include_failed: bool) -> JobReport:
    """Run a job that works on current states rather than on a period."""
    if spec.name == "collect-posts":
        # Collectors share the work through leases; they need no exclusion.
        report = collect.run()
    else:
        with exclusive(spec.name, "-") as held:
            if not held:
                return JobReport(
                    spec.name, None, False, "another process runs it", skipped=True
                )
            report = retry.run(include_failed)
        resume_incomplete_runs()
    log.info("Job %s: %s", spec.name, report.summary)
    return report


def resume_incomplete_runs() -> None:
    """Finish monthly runs left with work to do (emails, trees) without waiting.

    A run stopped by an SMTP error or Tree-Nation being down would otherwise
    wait a month for its next scheduled run.
    """
    for job, period in incomplete_runs():
        run_monthly(JOBS[job], period)


def incomplete_runs() -> list[tuple[str, str]]:
    statement = (
        select(JobRun.job, JobRun.period)
        .where(JobRun.state == "incomplete", JobRun.job.in_(MONTHLY_JOB_NAMES))
        .order_by(JobRun.period, JobRun.job)
    )
    return [tuple(row) for row in db.session.execute(statement)]


def run_monthly(spec: JobSpec, period: str) -> JobReport:
    """Run a monthly job for a period once, resuming an incomplete run."""
    with exclusive(spec.name, period) as held:
        if not held:
            return JobReport(
                spec.name, period, False, "another process is on it", skipped=True
            )
        run = claim_run(spec.name, period, rerun_done=spec.rerun_when_done)
        if run is None:
            return unclaimed_report(spec.name, period)
        run_id = run.id
        log.info("Job %s for %s started", spec.name, period)
        try:
            report = MONTHLY_WORK[spec.name](period)
        except Exception:
            log.exception("Job %s for %s failed", spec.name, period)
            finish_run(run_id, False, "failed; the next run resumes")
            raise
        finish_run(run_id, report.done, report.summary)
    return report


def unclaimed_report(job: str, period: str) -> JobReport:
    state = db.session.scalar(
        select(JobRun.state).where(JobRun.job == job, JobRun.period == period)
    )
    if state == "done":
        return JobReport(job, period, True, "already done; nothing to do")
    return JobReport(job, period, False, "another process is on it", skipped=True)


MONTHLY_WORK = {
    "plant-queued": plant_queued.run,
    "leaderboard-email": leaderboard_email.run,
}
MONTHLY_JOB_NAMES = tuple(MONTHLY_WORK)
