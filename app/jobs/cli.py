"""Commands: `flask jobs list`, `flask jobs run NAME`, `flask scheduler`."""

import logging
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.jobs import JobRefused, run_job

log = logging.getLogger("canopy.collection")

jobs_cli = AppGroup("jobs", help="List and run Canopy's scheduled jobs.")


@jobs_cli.command("list")
def list_jobs() -> None:
    """Show each job and when it runs next (business time)."""
    from app.scheduler import next_runs

    for name, description, next_run in next_runs():
        click.echo(f"{name:<18} next {next_run:%Y-%m-%d %H:%M %Z}  {description}")


@jobs_cli.command("run")
@click.argument("name")
@click.option("--period", help="The month the work is about, as YYYY-MM.")
@click.option(
    "--include-failed",
    is_flag=True,
    help="retry-plantings only: also re-send orders Tree-Nation refused.",
)
def run_command(name: str, period: str | None, include_failed: bool) -> None:
    """Run one job now; exits 0 once the run has recorded its outcome."""
    try:
        report = run_job(name, period, include_failed)
    except JobRefused as refusal:
        raise click.UsageError(str(refusal)) from None
    state = "skipped" if report.skipped else "done" if report.done else "incomplete"
    where = f" for {report.period}" if report.period else ""
    click.echo(f"{report.job}{where}: {state}. {report.summary}")


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler process (only one per deployment)."""
    from app.scheduler import run_forever

    run_forever(current_app._get_current_object())


@click.command("collector")
@click.option(
    "--idle-seconds",
    default=30,
    show_default=True,
    help="How long to wait when no campaign is due.",
)
@click.option("--once", is_flag=True, help="Collect what is due, then stop.")
def collector_command(idle_seconds: int, once: bool) -> None:
    """Collect posts in a loop, apart from the scheduler; run several to scale."""
    from app.services.collection.collector import collect_due

    log.info("Collector starting")
    while True:
        report = collect_due()
        if report.campaigns:
            log.info(
                "Collected %d campaign(s): %d new post(s), %d failed",
                report.campaigns,
                report.posts,
                report.failures,
            )
            continue
        if once:
            return
        time.sleep(idle_seconds)


def init_app(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(collector_command)
