"""Top Tree Planters: who counts, how ties rank, which month a tree belongs
to, and how the board reads on the impact page and in the leads' email."""

import html
import re
from datetime import datetime

import pytest

from app.extensions import db
from app.models import Planting
from app.services.leaderboard import board_for, competition_ranks
from app.timeutil import utcnow
from tests.factories import make_campaign, make_user
from tests.helpers_archive import sign_in, squash
from tests.smtp import mail_settings, smtp_server  # noqa: F401

PERIOD = "2026-11"
IN_PERIOD = datetime(2026, 11, 15, 12, 0)
LEAD = "lead@demo.canopy.test"
OTHER_LEAD = "lead@other.canopy.test"


@pytest.fixture
def settings(smtp_server):  # noqa: F811
    return mail_settings(smtp_server)


def earn(user, count: int = 1, when: datetime = IN_PERIOD, state: str = "planted"):
    """Record `count` trees earned by `user` at `when` (naive UTC)."""
    for n in range(count):
        campaign = make_campaign(user, name=f"{user.name} {n}")
        db.session.add(
            Planting(
                campaign_id=campaign.id,
                workspace_id=user.workspace_id,
                archiver_id=user.id,
                state=state,
                earned_at=when,
            )
        )
    db.session.commit()


def planters(workspace, counts: list[int]) -> list:
    """Create one person per count in the workspace, each with that many trees."""
    people = []
    for n, count in enumerate(counts):
        person = make_user(workspace, f"planter{n}@demo.canopy.test", f"Planter {n}")
        earn(person, count)
        people.append(person)
    return people


def board_rows(board) -> list[tuple[int, str | None, int]]:
    return [(entry.rank, entry.name, entry.trees) for entry in board.entries]


def impact_page(app, email: str) -> str:
    response = sign_in(app, email).get("/impact")
    assert response.status_code == 200
    return squash(html.unescape(response.get_data(as_text=True)))


def board_section(page: str) -> str:
    """The board's section of the page as plain text, tags removed."""
    start = page.index('aria-labelledby="board-title"')
    section = page[start : page.index("</section>", start)]
    return squash(re.sub(r"<[^>]+>", " ", section))


# --- Ranks ----------------------------------------------------------------------------


def test_ties_share_a_competition_rank():
    """Counts 5, 3, 3, 1 rank 1, 2, 2, 4."""
    assert competition_ranks([5, 3, 3, 1]) == [1, 2, 2, 4]


def test_everyone_tied_is_first():
    """Three equal counts all rank first."""
    assert competition_ranks([2, 2, 2]) == [1, 1, 1]


def test_board_ranks_ties_together(people):
    """On a board, two people with the same count share a rank; the next skips."""
    planters(people["demo"], [5, 3, 3, 1])

    board = board_for(people["demo"].id, PERIOD)

    assert [entry.rank for entry in board.entries] == [1, 2, 2, 4]
    assert [entry.trees for entry in board.entries] == [5, 3, 3, 1]


# --- Who is shown ---------------------------------------------------------------------


def test_board_shows_the_top_five_only(people):
    """Seven planters with different counts: only the first five are on the board."""
    planters(people["demo"], [7, 6, 5, 4, 3, 2, 1])

    board = board_for(people["demo"].id, PERIOD)

    assert [entry.rank for entry in board.entries] == [1, 2, 3, 4, 5]
    assert "Planter 5" not in [entry.name for entry in board.entries]


def test_team_total_counts_people_beyond_the_top_five(people):
    """The team total adds up every planter, shown or not."""
    planters(people["demo"], [7, 6, 5, 4, 3, 2, 1])

    assert board_for(people["demo"].id, PERIOD).team_total == 28


def test_opted_out_person_is_ranked_without_a_name(people):
    """Someone who opted out keeps their rank and count but has no name."""
    people["member"].leaderboard_opt_out = True
    db.session.commit()
    earn(people["member"], 3)
    earn(people["lead"], 1)

    board = board_for(people["demo"].id, PERIOD)

    assert board_rows(board) == [(1, None, 3), (2, "Léa Martin", 1)]


def test_opted_out_person_is_a_teammate_on_the_impact_page(app, people):
    """On /impact, an opted-out planter appears as "a teammate", not by name."""
    people["member"].leaderboard_opt_out = True
    db.session.commit()
    earn(people["member"], 2, when=utcnow())
    earn(people["lead"], 1, when=utcnow())

    board = board_section(impact_page(app, LEAD))

    assert "Hugo Bernard" not in board
    assert "a teammate 2 trees" in board
    assert board.index("a teammate") < board.index("Léa Martin")


def test_failed_plantings_do_not_count(people):
    """A tree Tree-Nation refused is not on the board nor in the total."""
    earn(people["member"], 2, state="failed")
    earn(people["lead"], 1)

    board = board_for(people["demo"].id, PERIOD)

    assert board_rows(board) == [(1, "Léa Martin", 1)]
    assert board.team_total == 1


@pytest.mark.parametrize(
    "state", ["queued", "reserved", "pending", "planted", "planted_unconfirmed"]
)
def test_every_earned_state_counts(people, state):
    """Planted, queued and on-their-way trees all count for the month."""
    earn(people["member"], 1, state=state)

    assert board_for(people["demo"].id, PERIOD).team_total == 1


def test_board_counts_only_this_workspace(people):
    """Trees of another workspace are neither ranked nor in the total."""
    earn(people["other_lead"], 4)
    earn(people["member"], 1)

    board = board_for(people["demo"].id, PERIOD)

    assert board_rows(board) == [(1, "Hugo Bernard", 1)]
    assert board.team_total == 1


# --- Which month ----------------------------------------------------------------------


def test_month_is_the_business_time_month(people):
    """A tree earned 2026-03-31 23:30 UTC counts for April in Europe/Paris."""
    earn(people["member"], 1, when=datetime(2026, 3, 31, 23, 30))

    assert board_for(people["demo"].id, "2026-04").team_total == 1
    assert board_for(people["demo"].id, "2026-03").team_total == 0


def test_month_follows_the_configured_time_zone(app, people):
    """With a UTC business time zone, the same tree counts for March."""
    app.config["BUSINESS_TIMEZONE"] = "UTC"
    earn(people["member"], 1, when=datetime(2026, 3, 31, 23, 30))

    assert board_for(people["demo"].id, "2026-03").team_total == 1


def test_first_instant_of_a_month_belongs_to_it(people):
    """A tree earned at 00:00 Paris on the 1st (23:00 UTC the day before) counts."""
    earn(people["member"], 1, when=datetime(2026, 11, 30, 23, 0))

    assert board_for(people["demo"].id, "2026-12").team_total == 1
    assert board_for(people["demo"].id, "2026-11").team_total == 0


# --- How the board reads --------------------------------------------------------------


def test_team_total_comes_first_on_the_impact_page(app, people):
    """On /impact, the team total is read before the first planter."""
    earn(people["member"], 2, when=utcnow())

    board = board_section(impact_page(app, LEAD))

    assert board.index("The team earned 2 trees this month.") < board.index(
        "Hugo Bernard"
    )


def test_team_total_comes_first_in_the_email(people, runner, smtp_server):  # noqa: F811
    """In the lead's email, the team total is read before the first planter."""
    earn(people["member"], 2)

    result = runner.invoke(
        args=["jobs", "run", "leaderboard-email", "--period", PERIOD]
    )

    assert result.exit_code == 0, result.output
    [email] = smtp_server.to(LEAD)
    assert email.text.index("Team total: 2 trees.") < email.text.index("Hugo Bernard")


def test_lead_of_a_workspace_without_trees_gets_the_nudge(
    people,
    runner,
    smtp_server,  # noqa: F811
):
    """A lead whose workspace earned nothing still gets the email, with the nudge."""
    for n in range(3):
        make_campaign(people["other_lead"], name=f"Old {n}")

    result = runner.invoke(
        args=["jobs", "run", "leaderboard-email", "--period", PERIOD]
    )

    assert result.exit_code == 0, result.output
    [email] = smtp_server.to(OTHER_LEAD)
    assert "Team total: 0 trees." in email.text
    assert "3 campaigns look finished" in email.text
    assert "3 campaigns look finished" in email.html
