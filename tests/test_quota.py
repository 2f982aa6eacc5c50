"""The monthly planting quota: queueing beyond it, planting the queue when the
month turns, and holding under concurrent archives."""

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.models import User
from app.timeutil import business_today
from tests.conftest import POSTGRES_URL, tree_nation_settings
from tests.factories import make_campaign, make_user
from tests.helpers_archive import (
    Race,
    count_by_state,
    ended_campaigns,
    next_month_key,
    plantings,
    quota_used,
    sign_in,
    squash,
    text_of,
)

LEAD = "lead@demo.canopy.test"
MEMBER = "member@demo.canopy.test"
POSITION = re.compile(r"\(positions? ([\d–]+) in the queue\)")


@pytest.fixture
def settings(fake_tree_nation):
    return {
        **tree_nation_settings(fake_tree_nation),
        "PLANTING_MONTHLY_QUOTA": 2,
    }


@pytest.fixture
def lead(app, people):
    return sign_in(app, LEAD)


@pytest.fixture
def member(app, people):
    return sign_in(app, MEMBER)


@pytest.fixture
def fake(fake_tree_nation):
    return fake_tree_nation


def run_job(runner, *args: str):
    """Run a job from the command line in an application context of its own."""
    later = datetime.now(UTC) + timedelta(minutes=5)
    with time_machine.travel(later, tick=True), runner.app.app_context():
        result = runner.invoke(args=["jobs", "run", *args])
    assert result.exit_code == 0, result.output
    return result


def queue_place(page: str) -> str:
    """Return the queue position a confirmation names, e.g. "1" or "1–2"."""
    found = POSITION.search(squash(page))
    assert found, "the answer names no queue position"
    return found.group(1)


# --- Beyond this month's quota ------------------------------------------------


def test_one_by_one_beyond_the_quota_plants_two_and_queues_one(people, lead):
    """With a quota of 2, the third campaign archived alone is queued."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    for campaign_id in ids:
        assert lead.archive([campaign_id]).status_code == 200

    states = {p.campaign_id: p.state for p in plantings()}
    assert states == {ids[0]: "planted", ids[1]: "planted", ids[2]: "queued"}


def test_queued_tree_has_its_queue_time(people, lead):
    """A queued tree records when it was queued and has no quota month yet."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]
    for campaign_id in ids:
        lead.archive([campaign_id])

    queued = [p for p in plantings() if p.state == "queued"]
    assert len(queued) == 1
    assert queued[0].queued_at is not None
    assert queued[0].quota_month is None
    assert queued[0].order_id is None


def test_queued_tree_calls_nobody(people, lead, fake):
    """Archiving beyond the quota makes no call to Tree-Nation."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]
    for campaign_id in ids:
        lead.archive([campaign_id])

    assert [call.body["quantity"] for call in fake.calls] == [1, 1]
    assert quota_used() == 2


def test_queued_tree_is_told_next_month_and_first_in_line(people, lead):
    """The third archive reads that its tree is queued for next month, position 1."""
    first, second, third = ended_campaigns(people["lead"], 3)
    lead.archive([first.id])
    lead.archive([second.id])

    page = squash(text_of(lead.archive([third.id])))

    assert "This month's tree budget is used up, so your tree is queued and " in page
    assert "will be planted next month (position 1 in the queue)." in page
    assert "Archiving still stopped collection and reduces CO₂." in page


def test_bulk_with_one_slot_left_plants_one_in_one_call(people, lead, fake):
    """One slot left and three campaigns: one call for one tree."""
    first, *bulk = ended_campaigns(people["lead"], 4)
    lead.archive([first.id])

    lead.archive([c.id for c in bulk])

    assert [call.body["quantity"] for call in fake.calls] == [1, 1]


def test_bulk_with_one_slot_left_queues_the_other_two(people, lead):
    """One slot left and three campaigns: one planted, two queued."""
    first, *bulk = ended_campaigns(people["lead"], 4)
    lead.archive([first.id])

    lead.archive([c.id for c in bulk])

    states = {p.campaign_id: p.state for p in plantings()}
    assert [states[c.id] for c in bulk] == ["planted", "queued", "queued"]
    assert quota_used() == 2


def test_bulk_with_one_slot_left_names_positions_1_to_2(people, lead):
    """The two queued trees of a bulk are told positions 1–2, next month."""
    first, *bulk = ended_campaigns(people["lead"], 4)
    lead.archive([first.id])

    page = squash(text_of(lead.archive([c.id for c in bulk])))

    assert "so 2 trees are queued and will be planted next month " in page
    assert queue_place(page) == "1–2"


def test_toast_and_dialog_agree_on_the_queue_position(people, lead):
    """The position the dialog announces is the one the confirmation gives."""
    first, second, third = ended_campaigns(people["lead"], 3)
    lead.archive([first.id])
    lead.archive([second.id])

    dialog = text_of(lead.get(f"/campaigns/archive?ids={third.id}", htmx=True))
    toast = text_of(lead.archive([third.id]))

    assert queue_place(toast) == queue_place(dialog)


def test_new_tree_queues_behind_older_ones_despite_free_slots(app, people, lead, fake):
    """While a tree is queued, a new archive queues even when slots are free."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 1
    first, second, third = ended_campaigns(people["lead"], 3)
    lead.archive([first.id])
    lead.archive([second.id])
    app.config["PLANTING_MONTHLY_QUOTA"] = 5  # read at each use

    lead.archive([third.id])

    states = {p.campaign_id: p.state for p in plantings()}
    assert states[third.id] == "queued"
    assert len(fake.calls) == 1
    assert quota_used() == 1


def test_tree_queued_behind_another_takes_position_2(app, people, lead):
    """A tree queued behind one other is told position 2."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 1
    first, second, third = ended_campaigns(people["lead"], 3)
    lead.archive([first.id])
    lead.archive([second.id])
    app.config["PLANTING_MONTHLY_QUOTA"] = 5

    page = text_of(lead.archive([third.id]))

    assert queue_place(page) == "2"


def test_draft_beyond_the_quota_is_not_queued(people, lead):
    """A draft archived when the quota is used up is archived with no tree."""
    first, second = ended_campaigns(people["lead"], 2)
    draft = make_campaign(people["lead"], status="draft")
    lead.archive([first.id, second.id])

    lead.archive([draft.id])

    assert draft.id not in {p.campaign_id for p in plantings()}


# --- plant-queued -------------------------------------------------------------


@pytest.fixture
def queue(app, people, lead, member) -> dict:
    """One tree planted this month, then four queued: lead, member, lead, member."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 1
    planted, *queued = ended_campaigns(people["lead"], 5)
    lead.archive([planted.id])
    for person, campaign in zip([lead, member, lead, member], queued, strict=True):
        assert person.archive([campaign.id]).status_code == 200
    app.config["PLANTING_MONTHLY_QUOTA"] = 3
    return {"queued": [c.id for c in queued]}


def test_plant_queued_plants_the_oldest_within_the_quota(queue, runner):
    """Next month's quota of 3 plants the three oldest queued trees."""
    run_job(runner, "plant-queued", "--period", next_month_key())

    states = {p.campaign_id: p.state for p in plantings()}
    assert [states[i] for i in queue["queued"]] == [
        "planted",
        "planted",
        "planted",
        "queued",
    ]


def test_plant_queued_makes_one_call_per_person(queue, people, runner, fake):
    """The trees of each person go in one call: the lead's two, the member's one."""
    run_job(runner, "plant-queued", "--period", next_month_key())

    sent = sorted(
        (call.body["recipients"][0]["internal_id"], call.body["quantity"])
        for call in fake.calls[1:]
    )
    assert sent == sorted(
        [
            (f"canopy-user-{people['lead'].id}", 2),
            (f"canopy-user-{people['member'].id}", 1),
        ]
    )


def test_plant_queued_fills_the_months_quota_row(queue, runner):
    """The month's quota row counts exactly the trees given a slot."""
    month = next_month_key()

    run_job(runner, "plant-queued", "--period", month)

    reserved = [p for p in plantings() if p.quota_month == month]
    assert quota_used(month) == len(reserved) == 3


def test_plant_queued_leaves_this_month_alone(queue, runner):
    """Planting the queue for next month takes nothing of this month's quota."""
    run_job(runner, "plant-queued", "--period", next_month_key())

    assert quota_used() == 1


def test_plant_queued_twice_sends_nothing_more(queue, runner, fake):
    """A second run of the same month makes no call and plants nothing more."""
    period = next_month_key()
    run_job(runner, "plant-queued", "--period", period)
    calls = len(fake.calls)

    run_job(runner, "plant-queued", "--period", period)

    assert len(fake.calls) == calls
    assert count_by_state() == {"planted": 4, "queued": 1}


def test_plant_queued_logs_one_email_per_person(queue, runner, caplog):
    """Without a mail server, each person's email is written to canopy.mail once."""
    with caplog.at_level(logging.INFO, logger="canopy.mail"):
        run_job(runner, "plant-queued", "--period", next_month_key())

    mails = [r.getMessage() for r in caplog.records if r.name == "canopy.mail"]
    assert len(mails) == 2
    assert sum(f"to {LEAD}:" in mail for mail in mails) == 1
    assert sum(f"to {MEMBER}:" in mail for mail in mails) == 1


def test_plant_queued_email_names_the_campaigns(queue, runner, caplog):
    """The lead's email names the two campaigns whose trees were planted."""
    with caplog.at_level(logging.INFO, logger="canopy.mail"):
        run_job(runner, "plant-queued", "--period", next_month_key())

    [mail] = [
        r.getMessage()
        for r in caplog.records
        if r.name == "canopy.mail" and f"to {LEAD}:" in r.getMessage()
    ]
    assert "Campaign 002" in mail and "Campaign 004" in mail
    assert "Campaign 003" not in mail


def test_plant_queued_second_run_sends_no_email(queue, runner, caplog):
    """A second run of the same month writes no email."""
    period = next_month_key()
    run_job(runner, "plant-queued", "--period", period)

    with caplog.at_level(logging.INFO, logger="canopy.mail"):
        caplog.clear()
        run_job(runner, "plant-queued", "--period", period)

    assert [r for r in caplog.records if r.name == "canopy.mail"] == []


def test_plant_queued_with_an_empty_queue_calls_nobody(people, runner, fake):
    """With nothing queued, the job runs and sends nothing."""
    run_job(runner, "plant-queued", "--period", next_month_key())

    assert fake.calls == []
    assert quota_used(next_month_key()) == 0


# --- Concurrent archives ------------------------------------------------------


def archive_at_once(app, people: dict, count: int, quota: int) -> Race:
    """Sign `count` new people in, each with a campaign, and archive all at once."""
    app.config["PLANTING_MONTHLY_QUOTA"] = quota
    workspace = people["demo"]
    users: list[User] = [
        make_user(workspace, f"planter{n:02d}@demo.canopy.test") for n in range(count)
    ]
    today = business_today()
    campaigns = [
        make_campaign(
            user,
            name=f"Race {n:02d}",
            start=today - timedelta(days=90),
            end=today - timedelta(days=45),
        )
        for n, user in enumerate(users)
    ]
    persons = [sign_in(app, user.email) for user in users]
    race = Race(
        [
            lambda person=person, campaign_id=c.id: person.archive([campaign_id])
            for person, c in zip(persons, campaigns, strict=True)
        ]
    )
    race.run()
    return race


def test_concurrent_archives_all_succeed(app, people):
    """Twenty people archiving at once all get their confirmation."""
    race = archive_at_once(app, people, 20, quota=5)

    assert race.errors == []
    assert sorted(r.status_code for r in race.results) == [200] * 20


def test_concurrent_archives_never_exceed_the_quota(app, people, fake):
    """Twenty archives at once with a quota of 5: 5 trees, 15 queued, used 5."""
    archive_at_once(app, people, 20, quota=5)

    states = count_by_state()
    assert states.get("queued") == 15
    assert sum(n for s, n in states.items() if s != "queued") == 5
    assert set(states) <= {"queued", "reserved", "pending", "planted"}
    assert quota_used() == 5
    assert sum(call.body["quantity"] for call in fake.calls) == 5


def test_concurrent_queued_trees_get_distinct_positions(app, people):
    """The fifteen queued trees are told positions 1 to 15, each once."""
    race = archive_at_once(app, people, 20, quota=5)

    places = sorted(
        int(queue_place(text_of(r)))
        for r in race.results
        if "in the queue" in text_of(r)
    )
    assert places == list(range(1, 16))


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL")
def test_fifty_concurrent_archives_on_postgresql(app, people, fake):
    """Fifty archives at once, quota 10: 10 trees asked, 40 queued, quota row 10."""
    race = archive_at_once(app, people, 50, quota=10)

    assert race.errors == []
    assert sorted(r.status_code for r in race.results) == [200] * 50
    assert sum(call.body["quantity"] for call in fake.calls) == 10
    assert count_by_state().get("queued") == 40
    assert quota_used() == 10
