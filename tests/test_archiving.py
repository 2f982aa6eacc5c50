"""Archiving and restoring campaigns, and the one tree each earns, against a
real local stand-in for Tree-Nation."""

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import ArchiveEvent, CampaignCreator, Planting
from app.services import planting as planting_service
from app.timeutil import business_today, utcnow
from tests.conftest import tree_nation_settings
from tests.factories import add_posts, make_campaign, make_user
from tests.helpers_archive import (
    LIST_URL,
    Race,
    campaign,
    dialog_href,
    ended_campaigns,
    fresh,
    orders,
    plantings,
    quota_used,
    sign_in,
    squash,
    text_of,
)

LEAD = "lead@demo.canopy.test"
MEMBER = "member@demo.canopy.test"
UNCERTAIN = ["timeout", "500", "503", "429", "unreadable"]
REFUSALS = ["401", "403", "business_error", "non_ok_no_code"]
ON_ITS_WAY = (
    "Tree-Nation is not answering right now. Your tree is on its way: Canopy "
    "will plant it as soon as Tree-Nation answers."
)
COULD_NOT = (
    "Tree-Nation could not plant your tree just now. Nothing is lost: the Canopy "
    "team has been told and will plant it."
)
ARCHIVED_THREE = (
    "3 campaigns have been archived. You can find them in My campaigns → "
    "Status: Archived."
)


@pytest.fixture
def settings(fake_tree_nation):
    return {
        **tree_nation_settings(fake_tree_nation),
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


def run_job(runner, *args: str, later: bool = True):
    """Run a job from the command line, by default once no call can still be in
    flight, in an application context of its own as a command has."""
    moment = datetime.now(UTC) + (timedelta(minutes=5) if later else timedelta())
    with time_machine.travel(moment, tick=True), runner.app.app_context():
        result = runner.invoke(args=["jobs", "run", *args])
    assert result.exit_code == 0, result.output
    return result


def events(campaign_id: int) -> list[tuple[str, int]]:
    fresh()
    rows = db.session.scalars(
        select(ArchiveEvent)
        .where(ArchiveEvent.campaign_id == campaign_id)
        .order_by(ArchiveEvent.id)
    )
    return [(event.action, event.user_id) for event in rows]


# --- One campaign, Tree-Nation answering --------------------------------------


def test_archiving_sets_archived_at(people, member):
    """Archiving an ended campaign stamps it archived."""
    ended = make_campaign(people["lead"])

    response = member.archive([ended.id])

    assert response.status_code == 200
    assert campaign(ended.id).archived_at is not None


def test_archiving_records_who_archived(people, member):
    """Archiving records one "archived" event for the person who did it."""
    ended = make_campaign(people["lead"])

    member.archive([ended.id])

    assert events(ended.id) == [("archived", people["member"].id)]


def test_archiving_stops_collection(people, member):
    """An archived campaign is no longer due for collection."""
    ended = make_campaign(people["lead"], next_collect_at=utcnow())

    member.archive([ended.id])

    assert campaign(ended.id).next_collect_at is None


def test_tree_details_come_from_tree_nation(people, member, fake):
    """The planting stores the tree's id, token, links, species, CO₂ and project."""
    ended = make_campaign(people["lead"])

    member.archive([ended.id])

    [planting] = plantings()
    tree = fake.calls[0].response["trees"][0]
    assert planting.state == "planted"
    assert planting.tree_id == str(tree["id"])
    assert planting.token == tree["token"]
    assert planting.collect_url == tree["collect_url"]
    assert planting.certificate_url == tree["certificate_url"]
    assert planting.species_id == "112"
    assert planting.species_name == "Rhizophora mucronata"
    assert planting.life_time_co2_kg == 308.5
    assert planting.project_id == "31"
    assert planting.project_name == "Mangrove restoration"
    assert planting.country == "Madagascar"


def test_order_keeps_tree_nations_payment_id(people, member, fake):
    """The order is planted and keeps the payment id Tree-Nation gave."""
    ended = make_campaign(people["lead"])

    member.archive([ended.id])

    [order] = orders()
    assert order.state == "planted"
    assert order.payment_id == str(fake.calls[0].response["payment_id"])


def test_the_tree_goes_to_the_archiver_not_the_owner(people, member):
    """A member archiving the lead's campaign earns the tree."""
    ended = make_campaign(people["lead"])

    member.archive([ended.id])

    [planting] = plantings()
    assert planting.archiver_id == people["member"].id


def test_one_call_with_the_bearer_token(people, member, fake):
    """Exactly one call reaches Tree-Nation, with the configured bearer token."""
    ended = make_campaign(people["lead"])

    member.archive([ended.id])

    assert len(fake.calls) == 1
    assert fake.calls[0].headers["Authorization"] == "Bearer test-token"


def test_call_names_the_archiver_as_recipient(people, member, fake):
    """The one recipient is the archiver: name, email and internal id."""
    ended = make_campaign(people["lead"])

    member.archive([ended.id])

    hugo = people["member"]
    body = fake.calls[0].body
    assert body["quantity"] == 1
    assert body["recipients"] == [
        {
            "name": hugo.name,
            "email": hugo.email,
            "internal_id": f"canopy-user-{hugo.id}",
        }
    ]


def test_call_is_in_english_by_default(people, member, fake):
    """A person with no language preference and no browser hint gets `en`."""
    member.archive([make_campaign(people["lead"]).id])

    assert fake.calls[0].body["language"] == "en"


def test_call_is_in_french_for_a_french_speaker(app, people, fake):
    """A person whose language is French gets a certificate in `fr`."""
    make_user(people["demo"], "ines@demo.canopy.test", "Inès Roy", locale="fr")
    ines = sign_in(app, "ines@demo.canopy.test")

    ines.archive([make_campaign(people["lead"]).id])

    assert fake.calls[0].body["language"] == "fr"


def test_call_message_names_the_campaign(people, member, fake):
    """The certificate message names the archived campaign, under 200 characters."""
    member.archive([make_campaign(people["lead"], name="Spring Launch").id])

    message = fake.calls[0].body["message"]
    assert message == "Archived in Canopy: «Spring Launch»"
    assert len(message) < 200


def test_message_of_a_large_selection_stays_under_200(people, member, fake):
    """Forty long names give a message under 200 characters that counts the rest."""
    campaigns = ended_campaigns(people["lead"], 40, prefix="A rather long name " * 3)

    member.archive([c.id for c in campaigns])

    message = fake.calls[0].body["message"]
    assert len(message) < 200
    assert message.startswith("Archived in Canopy: «A rather long name")
    assert re.search(r"and \d+ more$", message)


def test_order_id_is_a_fresh_canopy_id(people, member, fake):
    """The call's order_id is `canopy-<uuid4>`, the one stored on the order."""
    member.archive([make_campaign(people["lead"]).id])

    order_id = fake.calls[0].body["order_id"]
    assert re.fullmatch(
        r"canopy-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-"
        r"[0-9a-f]{12}",
        order_id,
    )
    assert orders()[0].order_id == order_id


def test_quota_counts_the_tree(people, member):
    """A planted tree takes one slot of this month's quota."""
    member.archive([make_campaign(people["lead"]).id])

    assert quota_used() == 1


# --- Bulk ---------------------------------------------------------------------


def test_bulk_archive_is_one_call_for_all_trees(people, member, fake):
    """Archiving three campaigns asks Tree-Nation for three trees in one call."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    member.archive(ids)

    assert len(fake.calls) == 1
    assert fake.calls[0].body["quantity"] == 3


def test_bulk_archive_plants_one_tree_per_campaign(people, member):
    """Each of the three campaigns gets its own planted tree."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    member.archive(ids)

    rows = plantings()
    assert sorted(p.campaign_id for p in rows) == ids
    assert {p.state for p in rows} == {"planted"}
    assert len({p.tree_id for p in rows}) == 3


def test_draft_in_the_selection_is_archived_without_a_tree(people, member, fake):
    """A draft among ended campaigns is archived but earns no tree."""
    first, second = ended_campaigns(people["lead"], 2)
    draft = make_campaign(people["lead"], name="Not Yet", status="draft")

    member.archive([first.id, second.id, draft.id])

    assert campaign(draft.id).archived_at is not None
    assert sorted(p.campaign_id for p in plantings()) == [first.id, second.id]
    assert fake.calls[0].body["quantity"] == 2


def test_only_drafts_make_no_call(people, member, fake):
    """A selection of drafts only is archived without calling Tree-Nation."""
    draft = make_campaign(people["lead"], status="draft")

    response = member.archive([draft.id])

    assert response.status_code == 200
    assert campaign(draft.id).archived_at is not None
    assert fake.calls == []
    assert plantings() == []


# --- The htmx answer ----------------------------------------------------------


def test_htmx_answer_closes_the_dialog(people, member):
    """The answer to the dialog's form holds no dialog, so the dialog empties."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    page = text_of(member.archive(ids, current_url=LIST_URL))

    assert "<dialog" not in page


def test_htmx_answer_toasts_the_confirmation(people, member):
    """An out-of-band toast confirms, with a link to the archived campaigns."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    page = text_of(member.archive(ids, current_url=LIST_URL))

    toast = page[page.index('hx-swap-oob="beforeend:#toasts"') :]
    assert ARCHIVED_THREE in squash(toast)
    assert 'href="/campaigns?status=archived"' in toast


def test_htmx_answer_says_the_trees_are_planted(people, member, fake):
    """The toast says the trees are planted and links to claim the first."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    page = text_of(member.archive(ids))

    assert "3 trees have been planted in your name." in squash(page)
    first_tree = fake.calls[0].response["trees"][0]
    assert f'href="{first_tree["collect_url"]}"' in page


def test_htmx_answer_celebrates_the_tree(people, member):
    """A tree earned brings the celebration into #celebration."""
    page = text_of(member.archive([make_campaign(people["lead"]).id]))

    assert 'hx-swap-oob="innerHTML:#celebration"' in page
    assert "data-celebration" in page


def test_no_celebration_without_a_tree(people, member):
    """Archiving a draft, which earns nothing, celebrates nothing."""
    draft = make_campaign(people["lead"], status="draft")

    page = text_of(member.archive([draft.id]))

    assert "data-celebration" not in page


def oob_results(page: str) -> str:
    """Return the results section the answer swaps out of band."""
    section = re.search(
        r'<section id="campaign-results"[^>]*hx-swap-oob="true"[^>]*>(.*?)</section>',
        page,
        re.S,
    )
    assert section, "no out-of-band results section"
    return section.group(1)


def test_rows_leave_the_default_list(people, member):
    """From the default list, the results come back without the archived rows."""
    campaigns = ended_campaigns(people["lead"], 4)
    ids = [c.id for c in campaigns[:3]]

    results = oob_results(text_of(member.archive(ids, current_url=LIST_URL)))

    for campaign_id in ids:
        assert f'<tr id="campaign-{campaign_id}"' not in results
    assert f'<tr id="campaign-{campaigns[3].id}"' in results


def test_rows_are_replaced_in_the_all_view(people, member):
    """From Status: All, archived rows come back showing them archived."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    page = text_of(member.archive(ids, current_url=f"{LIST_URL}?status=all"))

    results = oob_results(page)
    for campaign_id in ids:
        row = re.search(rf'<tr id="campaign-{campaign_id}"[^>]*>', results)
        assert row, f"no row for campaign {campaign_id}"
        assert "status-row-archived" in row.group(0)


def test_results_summary_is_updated(people, member):
    """The list's count comes back out of band: 5 campaigns less 3 leaves 2."""
    ids = [c.id for c in ended_campaigns(people["lead"], 5)]

    results = oob_results(text_of(member.archive(ids[:3], current_url=LIST_URL)))

    summary = re.search(r'<p id="results-summary"[^>]*>(.*?)</p>', results, re.S)
    assert summary and squash(summary.group(1)) == "2 campaigns"


def test_no_list_updates_when_not_from_the_list(people, member):
    """Archiving from elsewhere (a campaign page) sends no list rows."""
    ended = make_campaign(people["lead"])

    page = text_of(member.archive([ended.id], current_url=f"{LIST_URL}/{ended.id}"))

    assert "results-summary" not in page
    assert f'id="campaign-{ended.id}"' not in page


def test_plain_post_redirects_to_the_list(people, member):
    """Without htmx, archiving answers 303 to the campaign list."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]

    response = member.archive(ids, htmx=False)

    assert response.status_code == 303
    assert response.location == "/campaigns"


def test_plain_post_flashes_the_message_on_the_next_page(people, member):
    """Without htmx, the confirmation shows on the list the redirect leads to."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]
    member.archive(ids, htmx=False)

    page = squash(text_of(member.get("/campaigns")))

    assert ARCHIVED_THREE in page


# --- Nothing to do, or nothing allowed ----------------------------------------


def test_archiving_again_changes_nothing(people, member, fake):
    """Archived campaigns answer 200 "already archived, nothing changed", no call."""
    archived = make_campaign(people["lead"], archived=True)
    before = campaign(archived.id).archived_at

    response = member.archive([archived.id])

    assert response.status_code == 200
    assert "already archived; nothing changed" in text_of(response)
    assert fake.calls == []
    assert plantings() == []
    assert campaign(archived.id).archived_at == before
    assert events(archived.id) == []


def test_foreign_id_refuses_the_whole_archive(people, member, fake):
    """One id of another workspace answers 404 and archives nothing."""
    own = make_campaign(people["lead"])
    foreign = make_campaign(people["other_lead"])

    response = member.archive([own.id, foreign.id])

    assert response.status_code == 404
    assert campaign(own.id).archived_at is None
    assert campaign(foreign.id).archived_at is None
    assert fake.calls == []


def test_malformed_ids_archive_nothing(people, member):
    """A selection holding a non-number answers 400 and archives nothing."""
    own = make_campaign(people["lead"])

    response = member.client.post(
        "/campaigns/archive",
        data={"ids": [str(own.id), "abc"]},
        headers={"X-CSRFToken": member.token},
        csrf=False,
    )

    assert response.status_code == 400
    assert campaign(own.id).archived_at is None


def test_archive_without_csrf_token_is_refused(people, member, fake):
    """A POST without its CSRF token answers 400 and archives nothing."""
    own = make_campaign(people["lead"])

    response = member.client.post(
        "/campaigns/archive", data={"ids": [str(own.id)]}, csrf=False
    )

    assert response.status_code == 400
    assert campaign(own.id).archived_at is None
    assert fake.calls == []


# --- Tree-Nation slow, down or unreadable -------------------------------------


@pytest.mark.parametrize("mode", UNCERTAIN)
def test_uncertain_answer_still_archives(mode, people, member, fake):
    """When Tree-Nation's answer is unknown, the campaign is archived anyway."""
    fake.fail_next(mode)
    ended = make_campaign(people["lead"])

    response = member.archive([ended.id])

    assert response.status_code == 200
    assert campaign(ended.id).archived_at is not None


@pytest.mark.parametrize("mode", UNCERTAIN)
def test_uncertain_answer_leaves_the_tree_pending(mode, people, member, fake):
    """When Tree-Nation's answer is unknown, the tree and its order are pending."""
    fake.fail_next(mode)

    member.archive([make_campaign(people["lead"]).id])

    assert [p.state for p in plantings()] == ["pending"]
    assert [o.state for o in orders()] == ["pending"]
    assert quota_used() == 1


@pytest.mark.parametrize("mode", UNCERTAIN)
def test_uncertain_answer_says_the_tree_is_on_its_way(mode, people, member, fake):
    """The person reads the kind "on its way" message."""
    fake.fail_next(mode)

    page = squash(text_of(member.archive([make_campaign(people["lead"]).id])))

    assert ON_ITS_WAY in page


def test_timeout_answers_within_the_timeout(people, member, fake):
    """A Tree-Nation that never answers delays archiving by about the timeout."""
    fake.slow_seconds = 4
    fake.fail_next("timeout")
    ended = make_campaign(people["lead"])

    started = datetime.now(UTC)
    response = member.archive([ended.id])

    assert response.status_code == 200
    assert datetime.now(UTC) - started < timedelta(seconds=1 + 3)


@pytest.mark.parametrize("mode", UNCERTAIN)
def test_retry_resends_with_the_same_order_id(mode, people, member, runner, fake):
    """retry-plantings re-sends a pending order with its own order_id."""
    fake.fail_next(mode)
    member.archive([make_campaign(people["lead"]).id])

    run_job(runner, "retry-plantings")

    assert len(fake.calls) == 2
    assert fake.calls[1].body["order_id"] == fake.calls[0].body["order_id"]


@pytest.mark.parametrize("mode", UNCERTAIN)
def test_retry_plants_the_pending_tree(mode, people, member, runner, fake):
    """After the retry, the tree is planted with Tree-Nation's details."""
    fake.fail_next(mode)
    member.archive([make_campaign(people["lead"]).id])

    run_job(runner, "retry-plantings")

    [planting] = plantings()
    assert planting.state == "planted"
    assert planting.tree_id == str(fake.calls[1].response["trees"][0]["id"])


def test_retry_leaves_an_order_still_in_flight(app, people, member, runner, fake):
    """An order sent less than twice the timeout ago may be in flight: not re-sent."""
    fake.fail_next("500")
    member.archive([make_campaign(people["lead"]).id])
    app.config["TREE_NATION_TIMEOUT"] = 60  # read at each use: a 2-minute window

    run_job(runner, "retry-plantings", later=False)

    assert len(fake.calls) == 1
    assert [p.state for p in plantings()] == ["pending"]


@pytest.mark.parametrize("mode", ["timeout", "500", "unreadable"])
def test_processed_order_is_planted_unconfirmed_on_retry(
    mode, people, member, runner, fake
):
    """Planted before failing: the retry's already_processed means planted, once."""
    fake.fail_next(mode, process_then_fail=True)
    member.archive([make_campaign(people["lead"]).id])

    run_job(runner, "retry-plantings")

    assert fake.calls[1].outcome == "already_processed"
    assert [p.state for p in plantings()] == ["planted_unconfirmed"]
    assert [o.state for o in orders()] == ["planted_unconfirmed"]
    assert len(fake.processed) == 1


def test_settled_order_is_not_resent(people, member, runner, fake):
    """A planted order is never sent again by the retry job."""
    member.archive([make_campaign(people["lead"]).id])

    run_job(runner, "retry-plantings", "--include-failed")

    assert len(fake.calls) == 1


# --- Tree-Nation refusing -----------------------------------------------------


@pytest.mark.parametrize("mode", REFUSALS)
def test_refusal_still_archives(mode, people, member, fake):
    """A definite refusal still archives the campaign."""
    fake.fail_next(mode)
    ended = make_campaign(people["lead"])

    response = member.archive([ended.id])

    assert response.status_code == 200
    assert campaign(ended.id).archived_at is not None


@pytest.mark.parametrize("mode", REFUSALS)
def test_refusal_fails_the_tree(mode, people, member, fake):
    """A definite refusal marks the tree and its order failed."""
    fake.fail_next(mode)

    member.archive([make_campaign(people["lead"]).id])

    assert [p.state for p in plantings()] == ["failed"]
    assert [o.state for o in orders()] == ["failed"]


@pytest.mark.parametrize("mode", REFUSALS)
def test_refusal_gives_the_slot_back(mode, people, member, fake):
    """A refused tree's quota slot is given back."""
    fake.fail_next(mode)

    member.archive([make_campaign(people["lead"]).id])

    assert quota_used() == 0


@pytest.mark.parametrize("mode", REFUSALS)
def test_refusal_is_told_kindly(mode, people, member, fake):
    """The person reads that nothing is lost and the team will plant it."""
    fake.fail_next(mode)

    page = squash(text_of(member.archive([make_campaign(people["lead"]).id])))

    assert COULD_NOT in page


@pytest.mark.parametrize("mode", REFUSALS)
def test_retry_job_does_not_resend_a_refusal(mode, people, member, runner, fake):
    """retry-plantings leaves refused orders alone."""
    fake.fail_next(mode)
    member.archive([make_campaign(people["lead"]).id])

    run_job(runner, "retry-plantings")

    assert len(fake.calls) == 1
    assert [p.state for p in plantings()] == ["failed"]


@pytest.mark.parametrize("mode", REFUSALS)
def test_include_failed_resends_and_plants(mode, people, member, runner, fake):
    """--include-failed re-sends a refused order, same order_id, and plants it."""
    fake.fail_next(mode)
    member.archive([make_campaign(people["lead"]).id])

    run_job(runner, "retry-plantings", "--include-failed")

    assert len(fake.calls) == 2
    assert fake.calls[1].body["order_id"] == fake.calls[0].body["order_id"]
    assert [p.state for p in plantings()] == ["planted"]
    assert quota_used() == 1


def test_already_processed_on_first_attempt_fails_loudly(
    people, member, fake, monkeypatch, caplog
):
    """already_processed on a first attempt fails the order and logs an ERROR."""
    order_id = "canopy-00000000-0000-4000-8000-000000000001"
    monkeypatch.setattr(planting_service, "new_order_id", lambda: order_id)
    planted_before = requests.post(
        f"{fake.base_url}/plant",
        json={"quantity": 1, "order_id": order_id},
        headers={"Authorization": f"Bearer {fake.token}"},
        timeout=5,
    )
    assert planted_before.json()["status"] == "ok"

    with caplog.at_level(logging.INFO, logger="canopy"):
        member.archive([make_campaign(people["lead"]).id])

    assert fake.calls[-1].outcome == "already_processed"
    assert [p.state for p in plantings()] == ["failed"]
    assert quota_used() == 0
    assert any(
        record.levelno == logging.ERROR and order_id in record.getMessage()
        for record in caplog.records
    )


# --- Double clicks and second tabs --------------------------------------------


def test_same_post_twice_plants_one_tree(people, member, fake):
    """Posting the same archive twice calls Tree-Nation once and plants once."""
    ids = [c.id for c in ended_campaigns(people["lead"], 2)]

    member.archive(ids)
    second = member.archive(ids)

    assert second.status_code == 200
    assert len(fake.calls) == 1
    assert len(plantings()) == 2


def test_parallel_posts_plant_one_tree_per_campaign(app, people, fake):
    """Eight clients archiving the same selection at once plant one tree each."""
    ids = [c.id for c in ended_campaigns(people["lead"], 3)]
    persons = [sign_in(app, LEAD if n % 2 else MEMBER) for n in range(8)]

    race = Race([lambda person=person: person.archive(ids) for person in persons])
    race.run()

    assert race.errors == []
    assert sorted(r.status_code for r in race.results) == [200] * 8
    rows = plantings()
    assert sorted(p.campaign_id for p in rows) == ids
    assert sum(call.body["quantity"] for call in fake.calls) == len(rows)
    assert all(len(events(campaign_id)) == 1 for campaign_id in ids)


# --- Restore ------------------------------------------------------------------


@pytest.fixture
def archived_once(people, member):
    """An ended campaign with a creator and posts, archived once by the member."""
    ended = make_campaign(people["lead"], name="Summer Drop")
    add_posts(ended, 2, collected_at=utcnow() - timedelta(days=50))
    response = member.archive([ended.id])
    assert response.status_code == 200
    return ended.id


def test_restore_clears_archived_at(archived_once, member):
    """Restoring puts the campaign back: archived_at is cleared."""
    response = member.restore(archived_once)

    assert response.status_code == 200
    assert campaign(archived_once).archived_at is None


def test_restore_records_who_restored(archived_once, people, lead):
    """Restoring adds a "restored" event after the "archived" one."""
    lead.restore(archived_once)

    assert events(archived_once) == [
        ("archived", people["member"].id),
        ("restored", people["lead"].id),
    ]


def test_restore_keeps_the_tree(archived_once, lead):
    """Restoring never revokes the tree."""
    lead.restore(archived_once)

    [planting] = plantings()
    assert planting.campaign_id == archived_once
    assert planting.state == "planted"


def test_restore_resumes_collection_from_now(archived_once, lead):
    """Restore moves each creator's cursor and the next collection to its time."""
    before = utcnow()
    lead.restore(archived_once)
    after = utcnow()

    fresh()
    cursors = db.session.scalars(
        select(CampaignCreator.collected_since).where(
            CampaignCreator.campaign_id == archived_once
        )
    ).all()
    assert cursors and all(before <= cursor <= after for cursor in cursors)
    assert before <= campaign(archived_once).next_collect_at <= after


def test_restore_says_the_tree_stays(archived_once, lead):
    """The restore toast names the campaign and says its tree stays."""
    page = squash(text_of(lead.restore(archived_once)))

    assert "“Summer Drop” is restored" in page
    assert "Its tree stays yours." in page


def test_restoring_a_live_campaign_changes_nothing(people, lead):
    """Restoring a campaign that is not archived answers 200 and changes nothing."""
    ended = make_campaign(people["lead"])
    add_posts(ended, 1, collected_at=utcnow() - timedelta(days=50))
    cursor_before = db.session.scalar(
        select(CampaignCreator.collected_since).where(
            CampaignCreator.campaign_id == ended.id
        )
    )

    response = lead.restore(ended.id)

    assert response.status_code == 200
    assert campaign(ended.id).archived_at is None
    assert events(ended.id) == []
    assert (
        db.session.scalar(
            select(CampaignCreator.collected_since).where(
                CampaignCreator.campaign_id == ended.id
            )
        )
        == cursor_before
    )


def test_restoring_a_foreign_campaign_is_not_found(people, lead):
    """Restoring another workspace's campaign answers 404 and changes nothing."""
    foreign = make_campaign(people["other_lead"], archived=True)

    response = lead.restore(foreign.id)

    assert response.status_code == 404
    assert campaign(foreign.id).archived_at is not None


def test_archiving_again_after_restore_plants_nothing(archived_once, lead, fake):
    """Archive, restore, archive: still one tree and one call."""
    lead.restore(archived_once)

    response = lead.archive([archived_once])

    assert response.status_code == 200
    assert campaign(archived_once).archived_at is not None
    assert len(plantings()) == 1
    assert len(fake.calls) == 1


def test_dialog_after_restore_says_the_tree_was_earned(archived_once, lead):
    """The dialog for a restored campaign says it already earned its tree."""
    lead.restore(archived_once)

    page = squash(
        text_of(lead.get(f"/campaigns/archive?ids={archived_once}", htmx=True))
    )

    assert "“Summer Drop” already earned its tree" in page
    assert "This selection earns no new tree." in page


# --- Demo mode ----------------------------------------------------------------


@pytest.fixture
def demo(app):
    """The app with no Tree-Nation token: the demo planter records trees."""
    app.config["TREE_NATION_API_TOKEN"] = None
    return app


def test_demo_mode_plants_a_demo_tree(demo, people, member):
    """Without a token, archiving records a planted demo tree."""
    member.archive([make_campaign(people["lead"]).id])

    [planting] = plantings()
    assert planting.state == "planted"
    assert planting.demo is True
    assert planting.tree_id.startswith("demo-")
    assert planting.collect_url is None


def test_demo_mode_calls_nobody(demo, people, member, fake):
    """Without a token, no HTTP call is made, even with a URL configured."""
    member.archive([make_campaign(people["lead"]).id])

    assert fake.calls == []


def test_demo_mode_says_so_in_the_toast(demo, people, member):
    """The confirmation says a demo tree was recorded, not a real one."""
    page = squash(text_of(member.archive([make_campaign(people["lead"]).id])))

    assert "Demo mode: a demo tree was recorded; no real tree was planted." in page


def test_demo_banner_on_pages(demo, people, member):
    """Pages carry the "Demo mode" banner when no token is set."""
    page = text_of(member.get("/campaigns"))

    assert "Demo mode: no real trees are planted." in page


def test_no_demo_banner_with_a_token(people, member):
    """With a Tree-Nation token, pages carry no demo banner."""
    page = text_of(member.get("/campaigns"))

    assert "Demo mode" not in page


# --- The nudge ----------------------------------------------------------------


@pytest.fixture
def finished(people) -> dict:
    """Campaigns that look finished, and some that do not."""
    lead = people["lead"]
    today = business_today()
    long_ended = make_campaign(lead, name="Long Ended")
    silent = make_campaign(
        lead,
        name="Silent",
        start=today - timedelta(days=100),
        end=today + timedelta(days=20),
    )
    add_posts(silent, 1, collected_at=utcnow() - timedelta(days=70), handle="s")
    recent = make_campaign(
        lead,
        name="Just Ended",
        start=today - timedelta(days=60),
        end=today - timedelta(days=10),
    )
    add_posts(recent, 1, collected_at=utcnow() - timedelta(days=12), handle="r")
    active = make_campaign(lead, name="Live", status="active")
    add_posts(active, 1, collected_at=utcnow() - timedelta(days=1), handle="a")
    make_campaign(lead, name="Draft", status="draft")
    make_campaign(lead, name="Archived", archived=True)
    make_campaign(people["other_lead"], name="Other Workspace")
    return {"ids": sorted([long_ended.id, silent.id]), "others": [recent.id, active.id]}


def test_list_loads_the_nudge_after_showing(finished, lead):
    """The list asks for the nudge once shown, and again when campaigns change."""
    page = text_of(lead.get("/campaigns"))

    assert 'hx-get="/campaigns/nudge"' in page
    assert "canopy:campaigns-changed from:body" in page


def test_archiving_announces_that_campaigns_changed(finished, lead):
    """The archive answer triggers the event that reloads the nudge."""
    response = lead.archive(finished["ids"][:1])

    assert response.headers["HX-Trigger"] == "canopy:campaigns-changed"


def test_nudge_counts_finished_campaigns(finished, lead):
    """Ended over 30 days ago or silent for 60: "2 campaigns look finished"."""
    page = squash(text_of(lead.get("/campaigns/nudge", htmx=True)))

    assert "2 campaigns look finished. Archive them and plant 2 trees." in page


def test_nudge_link_opens_the_dialog_for_exactly_those(finished, lead):
    """The nudge's link opens the archive dialog for exactly the finished ones."""
    href = dialog_href(text_of(lead.get("/campaigns/nudge", htmx=True)))

    dialog = lead.get(href, htmx=True).get_data(as_text=True)

    assert "<dialog" in dialog
    hidden = re.findall(r'name="ids" value="(\d+)"', dialog)
    assert sorted(int(i) for i in hidden) == finished["ids"]


def test_archiving_the_nudge_selection_archives_exactly_those(finished, lead):
    """Archiving the nudge's ids archives those campaigns and no other."""
    href = dialog_href(text_of(lead.get("/campaigns/nudge", htmx=True)))
    ids = [int(i) for i in re.findall(r"ids=(\d+)", href)]

    lead.archive(ids)

    for campaign_id in finished["ids"]:
        assert campaign(campaign_id).archived_at is not None
    for campaign_id in finished["others"]:
        assert campaign(campaign_id).archived_at is None


def test_nudge_leaves_after_archiving(finished, lead):
    """Once the finished campaigns are archived, the nudge is gone."""
    lead.archive(finished["ids"])

    page = text_of(lead.get("/campaigns/nudge", htmx=True))

    assert "look finished" not in page


def test_nudge_does_not_promise_a_second_tree(finished, people, lead):
    """A finished campaign that already earned a tree is not counted as a tree."""
    db.session.add(
        Planting(
            campaign_id=finished["ids"][0],
            workspace_id=people["demo"].id,
            archiver_id=people["lead"].id,
            state="planted",
        )
    )
    db.session.commit()

    page = squash(text_of(lead.get("/campaigns/nudge", htmx=True)))

    assert "2 campaigns look finished." in page
    assert "plant a tree." in page
    assert "plant 2 trees" not in page
