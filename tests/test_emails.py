"""Emails written by the monthly jobs, delivered to a real SMTP server on
loopback: one per person and period, in their language, resumed after a
refusal and never sent twice."""

import logging
from datetime import datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import JobRun, OutboxEmail, Planting
from app.timeutil import current_month_key, utcnow
from tests.conftest import tree_nation_settings
from tests.factories import make_campaign
from tests.smtp import mail_settings, smtp_server  # noqa: F401

PERIOD = "2026-11"
IN_PERIOD = datetime(2026, 11, 15, 12, 0)
LEAD = "lead@demo.canopy.test"
MEMBER = "member@demo.canopy.test"
OTHER_LEAD = "lead@other.canopy.test"


@pytest.fixture
def settings(smtp_server, fake_tree_nation):  # noqa: F811
    return {
        **mail_settings(smtp_server),
        **tree_nation_settings(fake_tree_nation),
    }


@pytest.fixture
def smtp(smtp_server):  # noqa: F811
    return smtp_server


def earn(user, name: str, when: datetime = IN_PERIOD, **fields) -> Planting:
    """Record a planted tree earned by `user` at `when` (naive UTC)."""
    campaign = make_campaign(user, name=name)
    planting = Planting(
        campaign_id=campaign.id,
        workspace_id=user.workspace_id,
        archiver_id=user.id,
        state=fields.pop("state", "planted"),
        earned_at=when,
        **fields,
    )
    db.session.add(planting)
    db.session.commit()
    return planting


def queue(user, name: str) -> Planting:
    """Record a tree of `user` waiting in the queue for a slot."""
    return earn(user, name, when=utcnow(), state="queued", queued_at=utcnow())


def jobs_run(runner, *args: str):
    result = runner.invoke(args=["jobs", "run", *args])
    assert result.exit_code == 0, result.output
    return result


def send_boards(runner, period: str = PERIOD):
    return jobs_run(runner, "leaderboard-email", "--period", period)


def run_state(job: str, period: str) -> str:
    db.session.rollback()
    return db.session.scalar(
        select(JobRun.state).where(JobRun.job == job, JobRun.period == period)
    )


def only_message_to(smtp, address: str):
    [received] = smtp.to(address)
    return received


# --- leaderboard-email ----------------------------------------------------------------


def test_one_board_email_per_lead(people, runner, smtp):
    """Each of the two leads gets exactly one email; members get none."""
    send_boards(runner)

    assert smtp.recipients() == [LEAD, OTHER_LEAD]
    assert all(len(m.recipients) == 1 for m in smtp.messages)


def test_board_email_has_text_and_html_parts(people, runner, smtp):
    """The board email carries a plain-text part and an HTML part."""
    send_boards(runner)

    received = only_message_to(smtp, LEAD)
    assert received.message.is_multipart()
    assert "Top Tree Planters board" in received.text
    assert received.html.lstrip().lower().startswith("<!doctype html>")


def test_board_email_names_the_month_in_english(people, runner, smtp):
    """An English-speaking lead's subject names the month in English."""
    send_boards(runner)

    assert only_message_to(smtp, LEAD).subject == "Top Tree Planters of November 2026"


def test_board_email_is_in_the_leads_language(people, runner, smtp):
    """A lead whose language is French gets a French email."""
    people["lead"].locale = "fr"
    db.session.commit()

    send_boards(runner)

    french = only_message_to(smtp, LEAD)
    english = only_message_to(smtp, OTHER_LEAD)
    assert 'lang="fr"' in french.html
    assert "novembre 2026" in french.subject
    assert french.subject != english.subject


def test_board_email_shows_the_leads_own_workspace(people, runner, smtp):
    """A lead's board names their workspace's planters and no one else's."""
    earn(people["member"], "A")
    earn(people["member"], "B")
    earn(people["other_lead"], "C")

    send_boards(runner)

    demo = only_message_to(smtp, LEAD).text
    other = only_message_to(smtp, OTHER_LEAD).text
    assert "Hugo Bernard: 2 trees" in demo
    assert "Olga Brandt" not in demo
    assert "Olga Brandt: 1 tree" in other
    assert "Hugo Bernard" not in other


def test_board_email_counts_only_the_period(people, runner, smtp):
    """Trees earned outside the period are not on its board."""
    earn(people["member"], "October", when=datetime(2026, 10, 15, 12, 0))
    earn(people["member"], "November")

    send_boards(runner)

    assert "Team total: 1 tree." in only_message_to(smtp, LEAD).text


def test_rerun_for_the_same_period_sends_nothing(people, runner, smtp):
    """A second run for a period sends no email and says it was done."""
    send_boards(runner)

    result = send_boards(runner)

    assert len(smtp.messages) == 2
    assert "already done" in result.output


def test_refused_email_does_not_stop_the_others(people, runner, smtp):
    """When SMTP refuses the second lead, the first lead's email is sent."""
    smtp.refuse_recipient(OTHER_LEAD)

    send_boards(runner)

    assert smtp.recipients() == [LEAD]


def test_refused_email_leaves_the_run_incomplete(people, runner, smtp):
    """A run with an email left to send is recorded as incomplete."""
    smtp.refuse_recipient(OTHER_LEAD)

    send_boards(runner)

    assert run_state("leaderboard-email", PERIOD) == "incomplete"


def test_jobs_run_exits_zero_with_an_email_left(people, runner, smtp):
    """`jobs run` exits 0 and says "incomplete" when an email is left to send."""
    smtp.refuse_next(1)

    result = runner.invoke(
        args=["jobs", "run", "leaderboard-email", "--period", PERIOD]
    )

    assert result.exit_code == 0, result.output
    assert "incomplete" in result.output


def test_next_run_sends_only_the_missing_email(people, runner, smtp):
    """After a refusal, the next run sends the missing email and no other."""
    smtp.refuse_recipient(OTHER_LEAD)
    send_boards(runner)
    smtp.accept_recipient(OTHER_LEAD)

    send_boards(runner)

    assert smtp.recipients() == [LEAD, OTHER_LEAD]
    assert run_state("leaderboard-email", PERIOD) == "done"


def test_temporary_refusal_is_retried_by_the_next_run(people, runner, smtp):
    """A 451 on the first email leaves it pending; the next run sends it once."""
    smtp.refuse_next(1)
    send_boards(runner)
    assert smtp.recipients() == [OTHER_LEAD]

    send_boards(runner)

    assert smtp.recipients() == [LEAD, OTHER_LEAD]


def test_email_found_sending_is_not_resent(people, runner, smtp):
    """An email a stopped process left in "sending" is not sent again."""
    db.session.add(
        OutboxEmail(
            job="leaderboard-email",
            period=PERIOD,
            recipient_id=people["lead"].id,
            state="sending",
            attempts=1,
        )
    )
    db.session.commit()

    send_boards(runner)

    assert smtp.recipients() == [OTHER_LEAD]


def test_email_found_sending_is_logged(people, runner, smtp, caplog):
    """An email left in "sending" is reported on canopy.jobs for the operator."""
    db.session.add(
        OutboxEmail(
            job="leaderboard-email",
            period=PERIOD,
            recipient_id=people["lead"].id,
            state="sending",
            attempts=1,
        )
    )
    db.session.commit()

    with caplog.at_level(logging.INFO, logger="canopy.jobs"):
        send_boards(runner)

    reports = [
        r
        for r in caplog.records
        if r.name == "canopy.jobs" and r.levelno >= logging.ERROR
    ]
    assert len(reports) == 1
    assert LEAD in reports[0].getMessage()
    assert PERIOD in reports[0].getMessage()


# --- plant-queued ---------------------------------------------------------------------


def test_planted_queued_tree_is_emailed_to_each_archiver(people, runner, smtp):
    """Each person whose queued tree got planted gets one email."""
    queue(people["member"], "Autumn Drop")
    queue(people["other_lead"], "Winter Sale")

    jobs_run(runner, "plant-queued", "--period", current_month_key())

    assert smtp.recipients() == sorted([MEMBER, OTHER_LEAD])


def test_planted_email_carries_the_claim_link(people, runner, smtp, fake_tree_nation):
    """The email gives the tree's claim link from Tree-Nation, in both parts."""
    queue(people["member"], "Autumn Drop")

    jobs_run(runner, "plant-queued", "--period", current_month_key())

    [call] = fake_tree_nation.calls
    link = call.response["trees"][0]["collect_url"]
    received = only_message_to(smtp, MEMBER)
    assert received.subject == "Your tree is planted"
    assert link in received.text
    assert f'href="{link}"' in received.html


def test_planted_email_lists_each_of_the_persons_trees(people, runner, smtp):
    """One email to a person names every campaign of theirs planted from the queue."""
    queue(people["member"], "Autumn Drop")
    queue(people["member"], "Winter Sale")

    jobs_run(runner, "plant-queued", "--period", current_month_key())

    received = only_message_to(smtp, MEMBER)
    assert "Autumn Drop" in received.text
    assert "Winter Sale" in received.text


def test_planted_email_is_sent_once(people, runner, smtp):
    """Running plant-queued again for the month sends no second email."""
    queue(people["member"], "Autumn Drop")
    jobs_run(runner, "plant-queued", "--period", current_month_key())

    jobs_run(runner, "plant-queued", "--period", current_month_key())

    assert smtp.recipients() == [MEMBER]


def test_no_planted_email_for_a_tree_still_queued(app, people, runner, smtp):
    """A person whose queued tree found no slot gets no email."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 1
    queue(people["member"], "Autumn Drop")
    queue(people["other_lead"], "Winter Sale")

    jobs_run(runner, "plant-queued", "--period", current_month_key())

    assert smtp.recipients() == [MEMBER]
