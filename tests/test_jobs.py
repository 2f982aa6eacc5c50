"""The job commands and the monthly jobs' rules: which period a run works on,
doing a period's work once, resuming an incomplete run, the monthly quota,
and months across daylight-saving changes."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import JOBS, trigger_for
from app.models import JobRun, Planting, PlantingOrder, QuotaMonth
from app.services.leaderboard import month_bounds
from app.timeutil import current_month_key, utcnow
from tests.conftest import tree_nation_settings
from tests.factories import make_campaign
from tests.smtp import mail_settings, smtp_server  # noqa: F401

PARIS = ZoneInfo("Europe/Paris")
MONTHLY = ["plant-queued", "leaderboard-email"]
ALL_JOBS = ["plant-queued", "leaderboard-email", "retry-plantings", "collect-posts"]
MEMBER = "member@demo.canopy.test"


@pytest.fixture
def settings(smtp_server, fake_tree_nation):  # noqa: F811
    return {
        **mail_settings(smtp_server),
        **tree_nation_settings(fake_tree_nation),
    }


@pytest.fixture
def fake(fake_tree_nation):
    return fake_tree_nation


def queue(user, name: str, queued_at: datetime | None = None) -> int:
    """Record a tree of `user` waiting for a slot; return the planting's id."""
    campaign = make_campaign(user, name=name)
    moment = queued_at or utcnow()
    planting = Planting(
        campaign_id=campaign.id,
        workspace_id=user.workspace_id,
        archiver_id=user.id,
        state="queued",
        earned_at=moment,
        queued_at=moment,
    )
    db.session.add(planting)
    db.session.commit()
    return planting.id


def invoke(runner, *args: str):
    return runner.invoke(args=["jobs", *args])


def run_ok(runner, *args: str):
    result = invoke(runner, "run", *args)
    assert result.exit_code == 0, result.output
    return result


def states() -> dict[int, str]:
    db.session.rollback()
    return dict(db.session.execute(select(Planting.id, Planting.state)).all())


def run_rows() -> list[tuple[str, str, str]]:
    db.session.rollback()
    rows = db.session.execute(
        select(JobRun.job, JobRun.period, JobRun.state).order_by(JobRun.id)
    ).all()
    return [tuple(row) for row in rows]


def quota_used(month: str) -> int:
    db.session.rollback()
    used = db.session.scalar(select(QuotaMonth.used).where(QuotaMonth.month == month))
    return used or 0


def order_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(PlantingOrder))


# --- jobs list ------------------------------------------------------------------------


def test_jobs_list_names_the_four_jobs(runner):
    """`jobs list` lists exactly the four jobs, each by its name."""
    result = invoke(runner, "list")

    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.output.splitlines() if line.strip()]
    assert sorted(names) == sorted(ALL_JOBS)


def test_jobs_list_gives_each_job_a_next_run(runner):
    """Every line of `jobs list` carries a next run date and time."""
    result = invoke(runner, "list")

    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 4
    assert all(re.search(r"next \d{4}-\d\d-\d\d \d\d:\d\d", line) for line in lines)


def test_jobs_list_gives_monthly_jobs_the_1st_at_0005(runner):
    """On 15 March 2027, the monthly jobs next run at 00:05 on 1 April, Paris time."""
    with time_machine.travel(datetime(2027, 3, 15, 12, 0, tzinfo=PARIS), tick=False):
        result = invoke(runner, "list")

    monthly = [
        line for line in result.output.splitlines() if line.split()[0] in MONTHLY
    ]
    assert len(monthly) == 2
    assert all("next 2027-04-01 00:05 CEST" in line for line in monthly)


# --- Default periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("job", "period"), [("plant-queued", "2027-01"), ("leaderboard-email", "2026-12")]
)
def test_default_period_is_computed_in_business_time(people, runner, job, period):
    """At 00:02 on 1 Jan 2027 in Paris (still 2026 in UTC) the periods are Paris's."""
    new_year = datetime(2027, 1, 1, 0, 2, tzinfo=PARIS)
    assert new_year.astimezone(UTC).year == 2026

    with time_machine.travel(new_year, tick=True):
        result = run_ok(runner, job)

    assert f"for {period}:" in result.output
    assert run_rows() == [(job, period, "done")]


# --- --period and other refusals ------------------------------------------------------


@pytest.mark.parametrize(
    "period", ["2026-13", "abc", "2026-00", "2026-1", "26-12", "2026-+1", "2026-1 "]
)
def test_a_bad_period_is_refused(people, runner, period):
    """A period that is not a YYYY-MM month is refused, non-zero, with no run."""
    result = invoke(runner, "run", "leaderboard-email", "--period", period)

    assert result.exit_code != 0
    assert "2026-12" in result.output  # the message shows the expected form
    assert run_rows() == []


def test_a_month_written_another_way_sends_no_second_board(
    people,
    runner,
    smtp_server,  # noqa: F811
):
    """Once January's board is sent, "2026-+1" is not a way to send it again."""
    run_ok(runner, "leaderboard-email", "--period", "2026-01")

    invoke(runner, "run", "leaderboard-email", "--period", "2026-+1")

    assert len(smtp_server.messages) == 2


@pytest.mark.parametrize("job", ["retry-plantings", "collect-posts"])
def test_jobs_without_a_period_refuse_one(people, runner, job):
    """retry-plantings and collect-posts refuse --period."""
    result = invoke(runner, "run", job, "--period", "2026-12")

    assert result.exit_code != 0
    assert "takes no period" in result.output


def test_an_unknown_job_is_refused(runner):
    """`jobs run` with a name that is not a job exits non-zero."""
    result = invoke(runner, "run", "plant-everything")

    assert result.exit_code != 0
    assert "Unknown job" in result.output


def test_include_failed_is_only_for_retry_plantings(people, runner):
    """--include-failed on a monthly job is refused."""
    result = invoke(runner, "run", "leaderboard-email", "--include-failed")

    assert result.exit_code != 0
    assert run_rows() == []


# --- A period's work, once ------------------------------------------------------------


def test_second_board_run_for_a_period_is_already_done(people, runner):
    """Running leaderboard-email twice for a month: the second run is "already done"."""
    run_ok(runner, "leaderboard-email", "--period", "2026-11")

    result = run_ok(runner, "leaderboard-email", "--period", "2026-11")

    assert "already done" in result.output
    assert run_rows() == [("leaderboard-email", "2026-11", "done")]


def test_board_run_of_another_period_is_its_own(
    people,
    runner,
    smtp_server,  # noqa: F811
):
    """A run for another month is not "already done" and sends that month's board."""
    run_ok(runner, "leaderboard-email", "--period", "2026-10")

    result = run_ok(runner, "leaderboard-email", "--period", "2026-11")

    assert "already done" not in result.output
    assert len(smtp_server.messages) == 4


def test_board_of_the_month_so_far_is_not_sent_again_on_the_1st(
    people,
    runner,
    smtp_server,  # noqa: F811
):
    """A board sent mid-January for January is not sent again on 1 February."""
    with time_machine.travel(datetime(2027, 1, 15, 12, 0, tzinfo=PARIS), tick=True):
        run_ok(runner, "leaderboard-email", "--period", "2027-01")
    with time_machine.travel(datetime(2027, 2, 1, 0, 5, tzinfo=PARIS), tick=True):
        result = run_ok(runner, "leaderboard-email")

    assert "for 2027-01:" in result.output
    assert len(smtp_server.messages) == 2


def test_second_plant_queued_run_plants_nothing_new(people, runner, fake):
    """Running plant-queued twice for a month sends one order to Tree-Nation."""
    queue(people["member"], "Autumn Drop")
    month = current_month_key()
    run_ok(runner, "plant-queued", "--period", month)

    run_ok(runner, "plant-queued", "--period", month)

    assert len(fake.calls) == 1
    assert order_count() == 1
    assert run_rows() == [("plant-queued", month, "done")]


def test_plant_queued_rerun_plants_trees_queued_since(people, runner):
    """After a done run, a new run for the month plants a tree queued meanwhile."""
    month = current_month_key()
    run_ok(runner, "plant-queued", "--period", month)
    later = queue(people["member"], "Late Archive")

    run_ok(runner, "plant-queued", "--period", month)

    assert states()[later] == "planted"


# --- Resuming an incomplete run -------------------------------------------------------


def test_tree_nation_down_leaves_plant_queued_incomplete(people, runner, fake):
    """With Tree-Nation answering 503, the run exits 0 and is recorded incomplete."""
    tree = queue(people["member"], "Autumn Drop")
    fake.fail_next("503")
    month = current_month_key()

    result = run_ok(runner, "plant-queued", "--period", month)

    assert "incomplete" in result.output
    assert run_rows() == [("plant-queued", month, "incomplete")]
    assert states()[tree] == "pending"


def test_no_resend_while_the_call_may_be_in_flight(people, runner, fake):
    """A run right after a 503 does not call Tree-Nation again for the same order."""
    queue(people["member"], "Autumn Drop")
    fake.fail_next("503")
    month = current_month_key()
    run_ok(runner, "plant-queued", "--period", month)

    run_ok(runner, "plant-queued", "--period", month)

    assert len(fake.calls) == 1
    assert run_rows() == [("plant-queued", month, "incomplete")]


def test_incomplete_run_resumes_once_tree_nation_answers(
    people,
    runner,
    fake,
    smtp_server,  # noqa: F811
):
    """Past twice the timeout, the next run plants the tree and sends the email."""
    tree = queue(people["member"], "Autumn Drop")
    fake.fail_next("503")
    month = current_month_key()
    run_ok(runner, "plant-queued", "--period", month)

    later = datetime.now(UTC) + timedelta(seconds=2 * 1 + 30)
    with time_machine.travel(later, tick=True):
        run_ok(runner, "plant-queued", "--period", month)

    assert states()[tree] == "planted"
    assert [m.recipients for m in smtp_server.messages] == [(MEMBER,)]
    assert run_rows() == [("plant-queued", month, "done")]


def test_resumed_order_keeps_its_order_id(people, runner, fake):
    """The resumed call re-sends the same order id as the call that got a 503."""
    queue(people["member"], "Autumn Drop")
    fake.fail_next("503")
    month = current_month_key()
    run_ok(runner, "plant-queued", "--period", month)

    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=1), tick=True):
        run_ok(runner, "plant-queued", "--period", month)

    first, second = (call.body["order_id"] for call in fake.calls)
    assert first == second


# --- The quota ------------------------------------------------------------------------

PERIOD = "2027-01"
FOLLOWING = "2027-02"


def test_plant_queued_takes_slots_despite_the_queue(people, runner):
    """Queued trees get the month's slots although the queue is not empty."""
    trees = [queue(people["member"], f"C{n}") for n in range(3)]

    run_ok(runner, "plant-queued", "--period", PERIOD)

    assert [states()[tree] for tree in trees] == ["planted"] * 3
    assert quota_used(PERIOD) == 3


def test_plant_queued_never_exceeds_the_quota(app, people, runner):
    """With 1 of 2 slots already used, one of three queued trees is planted."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 2
    db.session.add(QuotaMonth(month=PERIOD, used=1))
    db.session.commit()
    for n in range(3):
        queue(people["member"], f"C{n}")

    run_ok(runner, "plant-queued", "--period", PERIOD)

    assert sorted(states().values()) == ["planted", "queued", "queued"]
    assert quota_used(PERIOD) == 2


def test_what_does_not_fit_waits_for_the_following_month(app, people, runner):
    """A tree left queued in one month is planted by the following month's run."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 2
    trees = [queue(people["member"], f"C{n}") for n in range(3)]
    run_ok(runner, "plant-queued", "--period", PERIOD)
    assert states()[trees[2]] == "queued"

    run_ok(runner, "plant-queued", "--period", FOLLOWING)

    assert states()[trees[2]] == "planted"
    assert quota_used(FOLLOWING) == 1


def test_a_month_with_no_slot_left_plants_nothing(app, people, runner, fake):
    """A month whose quota is used up sends no order and keeps the trees queued."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 2
    db.session.add(QuotaMonth(month=PERIOD, used=2))
    db.session.commit()
    tree = queue(people["member"], "C")

    run_ok(runner, "plant-queued", "--period", PERIOD)

    assert states()[tree] == "queued"
    assert fake.calls == []


def test_oldest_queued_tree_is_planted_first(app, people, runner):
    """With one slot, the tree queued earlier wins over one created earlier."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 1
    now = utcnow()
    newer = queue(people["member"], "Newer", queued_at=now)
    older = queue(people["lead"], "Older", queued_at=now - timedelta(hours=1))

    run_ok(runner, "plant-queued", "--period", PERIOD)

    assert (states()[older], states()[newer]) == ("planted", "queued")


def test_queue_ties_go_to_the_lower_id(app, people, runner):
    """With one slot and equal queue times, the lower planting id wins."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 1
    moment = utcnow()
    first = queue(people["lead"], "First", queued_at=moment)
    second = queue(people["member"], "Second", queued_at=moment)

    run_ok(runner, "plant-queued", "--period", PERIOD)

    assert (states()[first], states()[second]) == ("planted", "queued")


def test_planted_trees_use_the_runs_month(people, runner):
    """Trees planted from the queue count against the period's quota month."""
    tree = queue(people["member"], "C")

    run_ok(runner, "plant-queued", "--period", PERIOD)

    db.session.rollback()
    assert db.session.get(Planting, tree).quota_month == PERIOD


# --- Daylight saving ------------------------------------------------------------------


@pytest.mark.parametrize("job", MONTHLY)
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2027, 3, 15, 12, 0), "2027-04-01T00:05:00+02:00"),
        (datetime(2027, 3, 28, 1, 30), "2027-04-01T00:05:00+02:00"),
        (datetime(2027, 10, 15, 12, 0), "2027-11-01T00:05:00+01:00"),
        (datetime(2027, 10, 31, 12, 0), "2027-11-01T00:05:00+01:00"),
        (datetime(2027, 2, 15, 12, 0), "2027-03-01T00:05:00+01:00"),
        (datetime(2027, 9, 15, 12, 0), "2027-10-01T00:05:00+02:00"),
    ],
)
def test_monthly_jobs_fire_at_0005_paris_on_the_1st(app, job, now, expected):
    """The monthly trigger's next fire is 00:05 Paris on the 1st, across DST."""
    trigger = trigger_for(JOBS[job])

    fire = trigger.get_next_fire_time(None, now.replace(tzinfo=PARIS))

    assert fire.isoformat() == expected


@pytest.mark.parametrize("job", MONTHLY)
def test_monthly_jobs_fire_on_every_1st_of_a_year(app, job):
    """Chaining fire times as the scheduler does gives the 1st of all twelve months."""
    trigger = trigger_for(JOBS[job])
    fire, fires = None, []
    now = datetime(2026, 12, 15, 12, 0, tzinfo=PARIS)
    for _ in range(12):
        fire = trigger.get_next_fire_time(fire, now)
        fires.append(fire.strftime("%Y-%m-%d %H:%M"))
        now = fire + timedelta(seconds=1)

    assert fires == [f"2027-{month:02d}-01 00:05" for month in range(1, 13)]


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        ("2027-03", datetime(2027, 2, 28, 23, 0), datetime(2027, 3, 31, 22, 0)),
        ("2027-04", datetime(2027, 3, 31, 22, 0), datetime(2027, 4, 30, 22, 0)),
        ("2027-10", datetime(2027, 9, 30, 22, 0), datetime(2027, 10, 31, 23, 0)),
        ("2026-12", datetime(2026, 11, 30, 23, 0), datetime(2026, 12, 31, 23, 0)),
    ],
)
def test_month_bounds_are_paris_midnights_in_utc(app, month, start, end):
    """A month runs from midnight Paris on the 1st to the next, in naive UTC."""
    assert month_bounds(month) == (start, end)
