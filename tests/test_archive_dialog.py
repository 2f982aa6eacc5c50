"""The archive dialog: its markup, what it says a selection stops, avoids and
earns, and how it refuses bad selections."""

import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import Planting, Post
from app.timeutil import business_today, utcnow
from tests.factories import add_posts, add_stats, make_campaign
from tests.helpers_archive import ended_campaigns, sign_in, squash, text_of

LEAD = "lead@demo.canopy.test"


@pytest.fixture
def lead(app, people):
    return sign_in(app, LEAD)


def dialog_url(*ids) -> str:
    return "/campaigns/archive?" + "&".join(f"ids={i}" for i in ids)


def dialog_text(lead, *ids) -> str:
    """Return the htmx dialog for these ids as one line of plain text."""
    response = lead.get(dialog_url(*ids), htmx=True)
    assert response.status_code == 200
    return squash(text_of(response))


def month_name(months_ahead: int) -> str:
    today = business_today()
    index = today.month - 1 + months_ahead
    return date(today.year + index // 12, index % 12 + 1, 1).strftime("%B %Y")


# --- Markup -------------------------------------------------------------------


def test_htmx_request_gets_a_labelled_dialog(people, lead):
    """An htmx GET answers a <dialog> labelled by its title and description."""
    campaign = make_campaign(people["lead"])

    page = lead.get(dialog_url(campaign.id), htmx=True).get_data(as_text=True)

    dialog = re.search(r"<dialog[^>]*>", page).group(0)
    assert 'aria-labelledby="archive-title"' in dialog
    assert 'aria-describedby="archive-description"' in dialog
    assert 'id="archive-title"' in page and 'id="archive-description"' in page
    assert "<html" not in page


def test_dialog_cancel_button_is_focused_and_closes(people, lead):
    """The dialog's Cancel is a button with autofocus that closes the dialog."""
    campaign = make_campaign(people["lead"])

    page = lead.get(dialog_url(campaign.id), htmx=True).get_data(as_text=True)

    cancel = re.search(r"<button[^>]*>\s*Cancel\s*</button>", page).group(0)
    assert "autofocus" in cancel
    assert "data-close-dialog" in cancel
    assert 'type="button"' in cancel


def test_direct_visit_gets_a_full_page_with_the_form(people, lead):
    """A plain GET answers a full page whose form posts the ids and a CSRF token."""
    first = make_campaign(people["lead"], name="First")
    second = make_campaign(people["lead"], name="Second")

    page = lead.get(dialog_url(first.id, second.id)).get_data(as_text=True)

    assert "<html" in page and "<dialog" not in page
    form = re.search(r'<form[^>]*action="/campaigns/archive"[^>]*>', page).group(0)
    assert 'method="post"' in form
    assert f'<input type="hidden" name="ids" value="{first.id}">' in page
    assert f'<input type="hidden" name="ids" value="{second.id}">' in page
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', page)


def test_direct_visit_cancel_is_a_link_back_to_the_list(people, lead):
    """On the full page, Cancel is a focused link to the campaign list."""
    campaign = make_campaign(people["lead"])

    page = lead.get(dialog_url(campaign.id)).get_data(as_text=True)

    cancel = re.search(r"<a[^>]*>\s*Cancel\s*</a>", page).group(0)
    assert 'href="/campaigns"' in cancel
    assert "autofocus" in cancel
    assert "data-close-dialog" not in page


def test_dialog_for_many_ids_names_the_whole_selection(people, lead):
    """A dialog for three ids asks about three campaigns and carries the three ids."""
    campaigns = ended_campaigns(people["lead"], 3, prefix="Bulk")
    ids = [c.id for c in campaigns]

    response = lead.get(dialog_url(*ids), htmx=True)
    page = response.get_data(as_text=True)

    assert "Archive 3 campaigns?" in page
    assert re.findall(r'name="ids" value="(\d+)"', page) == [str(i) for i in ids]
    for campaign in campaigns:
        assert f"<li>{campaign.name}</li>" in page


# --- What archiving stops -----------------------------------------------------


def test_posts_of_the_last_30_days_count_by_collection_time(people, lead):
    """Posts count when collected in the last 30 days, whatever their publication."""
    campaign = make_campaign(people["lead"])
    add_posts(campaign, 2, collected_at=utcnow() - timedelta(days=40), handle="old")
    add_posts(campaign, 3, collected_at=utcnow() - timedelta(days=5), handle="new")
    for post in db.session.query(Post).filter_by(campaign_id=campaign.id):
        post.published_at = utcnow() - timedelta(days=50)
    db.session.commit()

    text = dialog_text(lead, campaign.id)

    assert "3 posts were collected in the last 30 days." in text


def test_fetches_and_bytes_a_day_average_over_30_days(people, lead):
    """Fifteen days of statistics give half their daily figures, averaged over 30."""
    campaign = make_campaign(people["lead"])
    add_stats(campaign, 15, fetches=96, bytes_received=2_000_000, bytes_stored=600_000)

    text = dialog_text(lead, campaign.id)

    assert "About 48 background fetches a day stop (1 MB a day received)." in text
    assert "stops growing by about 300 kB a day" in text


def test_statistics_older_than_30_days_are_left_out(people, lead):
    """Sixty days of statistics give the daily figures of the last thirty only."""
    campaign = make_campaign(people["lead"])
    add_stats(campaign, 60, fetches=96, bytes_received=2_000_000, bytes_stored=600_000)

    text = dialog_text(lead, campaign.id)

    assert "About 96 background fetches a day stop (2 MB a day received)." in text


def test_avoided_co2_is_shown_as_a_range(people, lead):
    """1 MB received and 300 kB stored a day avoid an estimated 3–27 g a year."""
    campaign = make_campaign(people["lead"])
    add_stats(campaign, 15, fetches=96, bytes_received=2_000_000, bytes_stored=600_000)

    text = dialog_text(lead, campaign.id)

    assert "Archiving avoids an estimated 3–27 g CO₂e a year." in text


# --- The tree -----------------------------------------------------------------


def test_one_ended_campaign_earns_a_tree_of_80_kg(people, lead):
    """The dialog promises a tree in your name capturing about 80 kg of CO₂."""
    campaign = make_campaign(people["lead"])

    text = dialog_text(lead, campaign.id)

    assert "Canopy plants a tree in your name" in text
    assert "1 tree will be planted in your name through Tree-Nation." in text
    assert "capture about 80 kg of CO₂ over its first ten years" in text


def test_three_campaigns_capture_three_times_80_kg(people, lead):
    """Three earning campaigns promise three trees and 240 kg of capture."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    text = dialog_text(lead, *ids)

    assert "3 trees will be planted in your name through Tree-Nation." in text
    assert "capture about 240 kg of CO₂" in text


def test_draft_earns_no_tree(people, lead):
    """A draft is said to earn no tree, and the selection earns none."""
    draft = make_campaign(people["lead"], name="Autumn Teaser", status="draft")

    text = dialog_text(lead, draft.id)

    assert "“Autumn Teaser” has not started, so it earns no tree." in text
    assert "This selection earns no new tree." in text


def test_draft_beside_an_ended_campaign_counts_one_tree(people, lead):
    """Of an ended campaign and a draft, only the ended one earns a tree."""
    ended = make_campaign(people["lead"], name="Ended One")
    draft = make_campaign(people["lead"], name="Draft One", status="draft")

    text = dialog_text(lead, ended.id, draft.id)

    assert "1 tree will be planted in your name" in text
    assert "“Draft One” has not started, so it earns no tree." in text


def test_campaign_that_already_earned_a_tree_is_noted(people, lead):
    """A campaign with a tree from an earlier archive is said to earn no second."""
    campaign = make_campaign(people["lead"], name="Summer Drop")
    db.session.add(
        Planting(
            campaign_id=campaign.id,
            workspace_id=campaign.workspace_id,
            archiver_id=people["lead"].id,
            state="planted",
        )
    )
    db.session.commit()

    text = dialog_text(lead, campaign.id)

    assert (
        "“Summer Drop” already earned its tree; archiving it again plants no " in text
    )
    assert "This selection earns no new tree." in text


# --- Still collecting ---------------------------------------------------------


def test_active_campaign_warns_that_reporting_ends(people, lead):
    """A campaign whose end date is ahead is still collecting: a warning says so."""
    campaign = make_campaign(people["lead"], name="Live Now", status="active")

    text = dialog_text(lead, campaign.id)

    assert "“Live Now” is still collecting posts: archiving ends its reporting" in text


def test_ended_campaign_with_a_post_this_week_warns(people, lead):
    """An ended campaign with a post in the last 7 days is still collecting."""
    campaign = make_campaign(people["lead"], name="Late Posts")
    add_posts(campaign, 1, collected_at=utcnow() - timedelta(days=3))

    text = dialog_text(lead, campaign.id)

    assert "“Late Posts” is still collecting posts" in text


def test_quiet_ended_campaign_has_no_warning(people, lead):
    """An ended campaign whose last post is three weeks old gets no warning."""
    campaign = make_campaign(people["lead"], name="Quiet")
    add_posts(campaign, 1, collected_at=utcnow() - timedelta(days=20))

    text = dialog_text(lead, campaign.id)

    assert "still collecting" not in text


def test_many_collecting_campaigns_are_counted_in_the_warning(people, lead):
    """Two active campaigns give one warning naming their number."""
    first = make_campaign(people["lead"], name="A", status="active")
    second = make_campaign(people["lead"], name="B", status="active")

    text = dialog_text(lead, first.id, second.id)

    assert "2 campaigns are still collecting posts: archiving ends their " in text


# --- Quota --------------------------------------------------------------------


def test_quota_short_by_two_says_positions_and_next_month(app, people, lead):
    """Quota 2 and four earning campaigns: positions 1–2, planted next month."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 2
    ids = [c.id for c in ended_campaigns(people["lead"], 4)]

    text = dialog_text(lead, *ids)

    assert "This month's tree budget is used up." in text
    assert (
        "2 trees will be queued and planted next month (positions 1–2 in the " in text
    )


def test_queue_beyond_next_month_names_the_month(app, people, lead):
    """Quota 1 and three campaigns: positions 1–2, the last one two months ahead."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 1
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    text = dialog_text(lead, *ids)

    assert "positions 1–2 in the queue" in text
    assert f"planted in {month_name(2)}" in text
    assert "next month" not in text


def test_quota_with_room_shows_no_queue_message(app, people, lead):
    """When the month's quota covers the selection, nothing is said of a queue."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 3
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    text = dialog_text(lead, *ids)

    assert "budget is used up" not in text


def test_queue_position_follows_trees_already_queued(app, people, lead):
    """With one tree queued already, a new tree would take position 2."""
    app.config["PLANTING_MONTHLY_QUOTA"] = 5
    waiting, campaign = ended_campaigns(people["lead"], 2)
    db.session.add(
        Planting(
            campaign_id=waiting.id,
            workspace_id=waiting.workspace_id,
            archiver_id=people["lead"].id,
            state="queued",
            queued_at=utcnow(),
        )
    )
    waiting.archived_at = utcnow()
    db.session.commit()

    text = dialog_text(lead, campaign.id)

    assert "your tree will be queued and planted next month (position 2 in the " in text


# --- Already archived ---------------------------------------------------------


def test_all_archived_selection_offers_nothing_to_confirm(people, lead):
    """A selection archived already says so and has no submit button."""
    campaign = make_campaign(people["lead"], archived=True)

    page = lead.get(dialog_url(campaign.id), htmx=True).get_data(as_text=True)

    assert "Already archived" in page
    assert 'type="submit"' not in page


# --- Bad input ----------------------------------------------------------------


def test_no_ids_is_refused(people, lead):
    """A dialog without ids answers 400 asking to select a campaign."""
    response = lead.get("/campaigns/archive")

    assert response.status_code == 400
    assert "Select at least one campaign." in text_of(response)


def test_ids_that_are_not_numbers_are_refused(people, lead):
    """`ids=abc` answers 400 saying the selection holds something else."""
    response = lead.get("/campaigns/archive?ids=abc")

    assert response.status_code == 400
    assert "The selection holds something that is not a campaign." in text_of(response)


def test_more_than_500_ids_are_refused(people, lead):
    """501 ids answer 400 naming the limit of 500."""
    response = lead.get(dialog_url(*range(1, 502)))

    assert response.status_code == 400
    assert "Select at most 500 campaigns at a time." in text_of(response)


def test_exactly_500_ids_are_accepted(people, lead):
    """A selection of 500 campaigns, the limit, opens the dialog."""
    ids = [c.id for c in ended_campaigns(people["lead"], 500)]

    response = lead.get(dialog_url(*ids), htmx=True)

    assert response.status_code == 200
    assert "Archive 500 campaigns?" in text_of(response)


def test_htmx_bad_input_is_a_toast(people, lead):
    """For htmx, a refused selection is a toast retargeted to the toast region."""
    response = lead.get("/campaigns/archive?ids=abc", htmx=True)

    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#toasts"
    assert "not a campaign" in text_of(response)


def test_campaign_of_another_workspace_is_not_found(people, lead):
    """An id of another workspace answers 404, revealing nothing of it."""
    foreign = make_campaign(people["other_lead"], name="Their Secret Launch")

    response = lead.get(dialog_url(foreign.id))

    assert response.status_code == 404
    assert "Their Secret Launch" not in text_of(response)


def test_nonexistent_campaign_is_not_found(people, lead):
    """An id that is no campaign answers 404."""
    response = lead.get(dialog_url(987654))

    assert response.status_code == 404


def test_one_foreign_id_refuses_the_whole_selection(people, lead):
    """Own campaigns plus one foreign id answer 404 for the whole selection."""
    own = make_campaign(people["lead"], name="Mine")
    foreign = make_campaign(people["other_lead"], name="Theirs")

    response = lead.get(dialog_url(own.id, foreign.id), htmx=True)

    assert response.status_code == 404
    assert "Mine" not in text_of(response)
