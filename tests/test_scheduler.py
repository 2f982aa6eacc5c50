"""The scheduler process: how its jobs are configured, catching up missed
monthly runs, and monthly jobs doing their work once even when several
processes run them at the same moment."""

import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.base import STATE_PAUSED, BaseScheduler
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.jobs.runs import exclusive
from app.models import JobRun, OutboxEmail, Planting, PlantingOrder
from app.scheduler import build_scheduler, catch_up, job_runner
from app.timeutil import utcnow
from tests import conftest
from tests.conftest import POSTGRES_URL, tree_nation_settings
from tests.factories import make_campaign, make_user, make_workspace
from tests.smtp import SENDER, mail_settings, smtp_server  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
JOB_NAMES = ["plant-queued", "leaderboard-email", "retry-plantings", "collect-posts"]
PERIOD = "2026-11"
PARIS = ZoneInfo("Europe/Paris")
# Settings a subprocess must not inherit from whoever runs the tests.
INHERITED = (
    "CANOPY_",
    "DATABASE_URL",
    "TREE_NATION_",
    "MAIL_",
    "BUSINESS_TIMEZONE",
    "PLANTING_MONTHLY_QUOTA",
    "POST_SOURCE_",
    "LOG_FORMAT",
    "SECRET_KEY",
)


@pytest.fixture
def settings(smtp_server, fake_tree_nation):  # noqa: F811
    return {
        **mail_settings(smtp_server),
        **tree_nation_settings(fake_tree_nation),
    }


@pytest.fixture
def scheduled_jobs(app) -> dict:
    """The jobs of a built scheduler once started (paused), defaults applied."""
    scheduler = build_scheduler(app)
    thread = threading.Thread(target=scheduler.start, kwargs={"paused": True})
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while scheduler.state != STATE_PAUSED and time.monotonic() < deadline:
            time.sleep(0.01)
        assert scheduler.state == STATE_PAUSED
        return {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
        thread.join(10)


def queue(user, name: str) -> int:
    campaign = make_campaign(user, name=name)
    planting = Planting(
        campaign_id=campaign.id,
        workspace_id=user.workspace_id,
        archiver_id=user.id,
        state="queued",
        earned_at=utcnow(),
        queued_at=utcnow(),
    )
    db.session.add(planting)
    db.session.commit()
    return planting.id


def snapshot(smtp) -> tuple:
    """What the jobs have done so far: runs, orders, outbox rows, emails received."""
    db.session.rollback()
    runs = db.session.execute(
        select(JobRun.job, JobRun.period, JobRun.state).order_by(JobRun.id)
    ).all()
    orders = db.session.scalar(select(func.count()).select_from(PlantingOrder))
    outbox = db.session.execute(
        select(OutboxEmail.recipient_id, OutboxEmail.state).order_by(OutboxEmail.id)
    ).all()
    return (
        [tuple(r) for r in runs],
        orders,
        [tuple(o) for o in outbox],
        len(smtp.messages),
    )


# --- Building the scheduler -----------------------------------------------------------


def test_scheduler_holds_the_four_jobs(scheduled_jobs):
    """The scheduler schedules exactly the four jobs, by name."""
    assert sorted(scheduled_jobs) == sorted(JOB_NAMES)


def test_every_job_coalesces_missed_runs(scheduled_jobs):
    """Each job runs once for several missed fire times (coalesce)."""
    assert {
        name: job.coalesce for name, job in scheduled_jobs.items()
    } == dict.fromkeys(JOB_NAMES, True)


def test_every_job_runs_one_instance_at_a_time(scheduled_jobs):
    """Each job has max_instances=1."""
    assert {
        name: job.max_instances for name, job in scheduled_jobs.items()
    } == dict.fromkeys(JOB_NAMES, 1)


def test_every_job_tolerates_hours_of_delay(scheduled_jobs):
    """Each job's misfire grace time is at least an hour, not APScheduler's 1 s."""
    grace = {name: job.misfire_grace_time for name, job in scheduled_jobs.items()}
    assert all(seconds is not None and seconds >= 3600 for seconds in grace.values())


def test_scheduler_and_triggers_use_the_business_time_zone(app):
    """The scheduler and every trigger carry BUSINESS_TIMEZONE explicitly."""
    app.config["BUSINESS_TIMEZONE"] = "America/Toronto"
    toronto = ZoneInfo("America/Toronto")

    scheduler = build_scheduler(app)

    assert scheduler.timezone == toronto
    assert [job.trigger.timezone for job in scheduler.get_jobs()] == [toronto] * 4


def test_create_app_starts_no_scheduler(database_url, monkeypatch):
    """Building the app never starts a scheduler, nor an APScheduler thread."""
    started = []
    monkeypatch.setattr(BaseScheduler, "start", lambda *a, **k: started.append(a))

    app = create_app(conftest.test_settings(database_url))
    with app.app_context():
        db.engine.dispose()

    assert started == []
    assert not [t for t in threading.enumerate() if "APScheduler" in t.name]


# --- Catching up ----------------------------------------------------------------------


def test_catch_up_plants_a_queued_tree_in_a_free_month(app, people):
    """At start, the month's missed plant-queued run plants the queued tree."""
    tree = queue(people["member"], "Autumn Drop")

    catch_up(app)

    db.session.rollback()
    assert db.session.get(Planting, tree).state == "planted"


def test_catch_up_sends_last_months_board(app, people, smtp_server):  # noqa: F811
    """At start, the missed leaderboard-email run sends each lead last month's board."""
    catch_up(app)

    assert smtp_server.recipients() == [
        "lead@demo.canopy.test",
        "lead@other.canopy.test",
    ]


def test_second_catch_up_does_nothing(app, people, smtp_server):  # noqa: F811
    """A second catch-up plants, records and sends nothing more."""
    queue(people["member"], "Autumn Drop")
    catch_up(app)
    before = snapshot(smtp_server)

    catch_up(app)

    assert snapshot(smtp_server) == before


def test_a_run_left_running_by_a_dead_process_is_resumed(app, people, runner):
    """A run row "running" for an hour (its process died) is taken over."""
    db.session.add(
        JobRun(
            job="leaderboard-email",
            period=PERIOD,
            state="running",
            started_at=utcnow() - timedelta(hours=1),
        )
    )
    db.session.commit()

    result = runner.invoke(
        args=["jobs", "run", "leaderboard-email", "--period", PERIOD]
    )

    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.scalar(select(JobRun.state)) == "done"


# --- Resuming an incomplete run -------------------------------------------------------

FIRST = datetime(2027, 1, 1, 0, 5, tzinfo=PARIS)


def run_jobs_due(app, start: datetime, end: datetime) -> list[str]:
    """Run, as the scheduler would, each job that fires between start and end."""
    with time_machine.travel(start, tick=False):
        jobs = build_scheduler(app).get_jobs()
        due = [(job, job.trigger.get_next_fire_time(None, start)) for job in jobs]
    ran = []
    for job, fire in sorted(due, key=lambda pair: pair[1]):
        if fire <= end:
            with time_machine.travel(fire, tick=True):
                job.func()
            ran.append(job.id)
    return ran


def test_incomplete_board_run_is_resumed_the_same_day(
    app,
    people,
    smtp_server,  # noqa: F811
):
    """After SMTP refused a lead at 00:05 on the 1st, the jobs of that day send it."""
    smtp_server.refuse_next(1)
    with time_machine.travel(FIRST, tick=True):
        job_runner(app, "leaderboard-email")()
    assert len(smtp_server.messages) == 1

    run_jobs_due(app, FIRST + timedelta(minutes=1), FIRST + timedelta(hours=12))

    assert smtp_server.recipients() == [
        "lead@demo.canopy.test",
        "lead@other.canopy.test",
    ]


def test_incomplete_plant_queued_run_tells_people_the_same_day(
    app,
    people,
    fake_tree_nation,
    smtp_server,  # noqa: F811
):
    """After Tree-Nation answered 503 at 00:05 on the 1st, the day's jobs plant the
    tree and email its archiver."""
    queue(people["member"], "Autumn Drop")
    fake_tree_nation.fail_next("503")
    with time_machine.travel(FIRST, tick=True):
        job_runner(app, "plant-queued")()

    run_jobs_due(app, FIRST + timedelta(minutes=1), FIRST + timedelta(hours=12))

    assert smtp_server.recipients() == ["member@demo.canopy.test"]


# --- Several processes at once --------------------------------------------------------


def job_env(database_url: str, smtp) -> dict:
    """The environment of a separate `flask jobs run` process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED)}
    env.update(
        DATABASE_URL=database_url,
        MAIL_SERVER=smtp.host,
        MAIL_PORT=str(smtp.port),
        MAIL_DEFAULT_SENDER=SENDER,
        CANOPY_BASE_URL="http://localhost",
        CANOPY_ENV="development",
        LOG_FORMAT="text",
    )
    return env


def start_job(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, f"{out}\n{err}"
    return out


def more_leads(count: int) -> list[str]:
    """Add `count` workspaces, each with a lead; return their addresses."""
    addresses = []
    for n in range(count):
        workspace = make_workspace(f"Brand {n}")
        lead = make_user(workspace, f"lead{n}@brand.canopy.test", role="lead")
        addresses.append(lead.email)
    return addresses


def race_board_runs(database_url: str, smtp, count: int) -> list[str]:
    """Start `count` leaderboard-email runs together; return every lead's address."""
    leads = ["lead@demo.canopy.test", "lead@other.canopy.test", *more_leads(4)]
    db.session.commit()
    # Slow SMTP keeps the first process sending while the others start.
    smtp.recorder.delay_seconds = 0.3
    env = job_env(database_url, smtp)

    processes = [
        start_job(env, "leaderboard-email", "--period", PERIOD) for _ in range(count)
    ]
    for process in processes:
        finish(process)
    return leads


def test_two_processes_send_one_email_per_lead(
    people,
    database_url,
    smtp_server,  # noqa: F811
):
    """Two `jobs run leaderboard-email` processes started together: one email each."""
    leads = race_board_runs(database_url, smtp_server, 2)

    assert smtp_server.recipients() == sorted(leads)
    db.session.rollback()
    assert db.session.scalar(select(JobRun.state)) == "done"


@pytest.mark.postgres
def test_processes_on_postgres_send_one_email_per_lead(
    people,
    smtp_server,  # noqa: F811
):
    """On PostgreSQL (advisory locks), three runs started together: one email each."""
    if not POSTGRES_URL:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")

    leads = race_board_runs(POSTGRES_URL, smtp_server, 3)

    assert smtp_server.recipients() == sorted(leads)


@pytest.mark.postgres
def test_a_run_sends_nothing_while_another_holds_the_lock(
    people,
    smtp_server,  # noqa: F811
):
    """On PostgreSQL, a run while another process holds the advisory lock waits."""
    if not POSTGRES_URL:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    env = job_env(POSTGRES_URL, smtp_server)

    with exclusive("leaderboard-email", PERIOD) as held:
        assert held
        output = finish(start_job(env, "leaderboard-email", "--period", PERIOD))

    assert "another process is on it" in output
    assert smtp_server.messages == []
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
