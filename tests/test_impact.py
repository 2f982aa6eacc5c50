"""The impact page, the "how we estimate" page and a person's settings,
including what the settings change in the call to Tree-Nation."""

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Planting, QuotaMonth, User
from app.services import co2
from app.timeutil import current_month_key, utcnow
from tests.conftest import tree_nation_settings
from tests.factories import add_stats, make_campaign
from tests.helpers_archive import own_context, sign_in, squash

LEAD = "lead@demo.canopy.test"
MEMBER = "member@demo.canopy.test"
COLLECT = "https://tree-nation.com/trees/collect/abc123"
CERTIFICATE = "https://tree-nation.com/certificate/abc123"


@pytest.fixture
def settings(fake_tree_nation):
    return {
        **tree_nation_settings(fake_tree_nation),
    }


@pytest.fixture
def member(app, people):
    return sign_in(app, MEMBER)


def tree(
    user, name: str, state: str = "planted", archived: bool = False, **fields
) -> Planting:
    """Record one tree of `user`, earned now, for a campaign named `name`.

    The campaign stays unarchived (as after a restore) unless `archived`.
    """
    campaign = make_campaign(user, name=name, archived=archived)
    planting = Planting(
        campaign_id=campaign.id,
        workspace_id=user.workspace_id,
        archiver_id=user.id,
        state=state,
        earned_at=utcnow(),
        **fields,
    )
    db.session.add(planting)
    db.session.commit()
    return planting


def forest(people) -> None:
    """Demo Agency: 3 planted, 2 on their way, 1 queued, 1 failed; Other Brand: 4."""
    member = people["member"]
    tree(
        member,
        "Spring Launch",
        species_name="Rhizophora mucronata",
        country="Madagascar",
        collect_url=COLLECT,
        certificate_url=CERTIFICATE,
        tree_id="90001",
    )
    tree(member, "Summer Drop")
    tree(people["lead"], "Lead Campaign", state="planted_unconfirmed")
    tree(member, "Pending One", state="pending")
    tree(member, "Reserved One", state="reserved")
    tree(member, "Queued One", state="queued", queued_at=utcnow())
    tree(member, "Refused One", state="failed")
    for n in range(4):
        tree(people["other_lead"], f"Other {n}")


def page_of(person, url: str = "/impact") -> str:
    response = person.get(url)
    assert response.status_code == 200
    return squash(html.unescape(response.get_data(as_text=True)))


def section(page: str, marker: str) -> str:
    """The HTML of the <section> whose opening tag carries `marker`."""
    start = page.rindex("<section", 0, page.index(marker))
    return page[start : page.index("</section>", start)]


def plain(fragment: str) -> str:
    return squash(re.sub(r"<[^>]+>", " ", fragment))


def post_settings(person, **form):
    with own_context(person.client):
        return person.client.post(
            "/settings",
            data=form,
            headers={"X-CSRFToken": person.token},
            csrf=False,
        )


def saved(email: str) -> tuple:
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == email))
    return user.locale, user.leaderboard_opt_out, user.tree_nation_may_email


# --- The forest -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "count"),
    [("trees planted", 3), ("on their way", 2), ("queued for next month", 1)],
)
def test_impact_counts_the_workspaces_trees(people, member, label, count):
    """/impact shows the workspace's planted, on-the-way and queued trees."""
    forest(people)

    page = page_of(member)

    shown = re.search(
        rf'<span class="stat-value">([\d,]+)</span><span class="stat-label">{label}<',
        page,
    )
    assert shown is not None
    assert shown.group(1) == str(count)


def test_impact_shows_this_months_quota_use(people, member):
    """/impact shows the slots used this month out of the Canopy-wide quota."""
    db.session.add(QuotaMonth(month=current_month_key(), used=7))
    db.session.commit()

    page = page_of(member)

    assert re.search(
        r'stat-value">7 / 500</span><span class="stat-label">trees this month', page
    )


def test_my_trees_give_species_and_country(people, member):
    """A planted tree of mine shows its species and country."""
    forest(people)

    mine = plain(section(page_of(member), 'aria-labelledby="mine-title"'))

    assert "Spring Launch Rhizophora mucronata Madagascar" in mine


def test_my_trees_link_to_claim_and_certificate(people, member):
    """A planted tree of mine links to its claim page and its certificate."""
    forest(people)

    mine = section(page_of(member), 'aria-labelledby="mine-title"')

    assert f'href="{COLLECT}"' in mine
    assert f'href="{CERTIFICATE}"' in mine


def test_my_trees_list_only_mine(people, member):
    """A teammate's tree is not among my trees."""
    forest(people)

    mine = plain(section(page_of(member), 'aria-labelledby="mine-title"'))

    assert "Summer Drop" in mine
    assert "Lead Campaign" not in mine


def test_chart_is_an_svg_image(people, member):
    """The trees-per-month chart is an SVG with role="img"."""
    page = page_of(member)

    assert re.search(r'<svg[^>]*\brole="img"', page)


def test_chart_has_a_table_of_the_last_twelve_months(people, member):
    """The chart's data table has twelve months, this month last with its count."""
    forest(people)

    chart = section(page_of(member), 'aria-labelledby="chart-section"')

    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td></tr>', chart
    )
    assert len(rows) == 12
    # Everything earned now except the refused tree: 3 + 2 + 1.
    assert rows[-1][1] == "6"


def test_ledgers_are_labelled_and_apart(people, member):
    """Avoided and captured CO₂ are two labelled cards, never one figure."""
    forest(people)

    ledgers = section(page_of(member), 'aria-label="CO₂ ledgers"')

    cards = re.findall(r'<div class="card">(.*?)</div>', ledgers)
    assert len(cards) == 2
    assert "<h2>Avoided by archiving (estimate)</h2>" in cards[0]
    assert "<h2>Captured by our trees (Tree-Nation's estimate)</h2>" in cards[1]


def test_avoided_ledger_counts_archived_campaigns(people, member):
    """The avoided ledger counts the workspace's archived campaigns."""
    archived = tree(people["member"], "Archived A", archived=True)
    tree(people["lead"], "Archived B", archived=True)
    tree(people["other_lead"], "Elsewhere", archived=True)
    add_stats(
        archived.campaign, 40, fetches=96, bytes_received=10**6, bytes_stored=10**5
    )

    ledgers = section(page_of(member), 'aria-label="CO₂ ledgers"')

    avoided = re.findall(r'<div class="card">(.*?)</div>', ledgers)[0]
    assert "Since 2 campaigns were archived" in plain(avoided)


def test_avoided_ledger_estimates_fetches_since_the_archive(people, member):
    """96 fetches a day before an archive 3 days ago: about 288 fetches avoided."""
    archived = tree(people["member"], "Archived A", archived=True)
    add_stats(
        archived.campaign, 40, fetches=96, bytes_received=10**6, bytes_stored=10**5
    )

    ledgers = section(page_of(member), 'aria-label="CO₂ ledgers"')

    avoided = re.findall(r'<div class="card">(.*?)</div>', ledgers)[0]
    assert "avoided about 288 fetches" in plain(avoided)


def test_captured_ledger_counts_planted_trees(people, member):
    """The captured ledger counts 80 kg for each of the 3 planted trees."""
    forest(people)

    ledgers = section(page_of(member), 'aria-label="CO₂ ledgers"')

    captured = re.findall(r'<div class="card">(.*?)</div>', ledgers)[1]
    assert "240 kg CO₂" in plain(captured)


def test_impact_shows_this_months_leaderboard(people, member):
    """/impact shows the workspace's Top Tree Planters of this month."""
    forest(people)

    board = plain(section(page_of(member), 'aria-labelledby="board-title"'))

    assert "Top Tree Planters this month" in board
    assert "Hugo Bernard (you) 5 trees" in board
    assert "Olga Brandt" not in board


def test_method_page_lists_every_factor_with_its_source(people, member):
    """/impact/method names each factor, its value's source and a link to it."""
    page = page_of(member, "/impact/method")

    for factor in co2.FACTORS:
        row = re.search(
            rf'<tr><th scope="row">{re.escape(factor.label)}</th>(.*?)</tr>', page
        )
        assert row is not None, factor.label
        link = f'<a href="{factor.source_url}" rel="noopener noreferrer">'
        assert f"{link}{factor.source}</a>" in row.group(1)


# --- Settings -------------------------------------------------------------------------

VALID = {"locale": "", "leaderboard": "shown", "tree_nation_email": "yes"}


def test_settings_save_the_language(people, member):
    """Choosing French saves "fr" as the person's language."""
    response = post_settings(member, **{**VALID, "locale": "fr"})

    assert response.status_code == 303
    assert saved(MEMBER)[0] == "fr"


def test_settings_save_the_browser_language_as_none(people, member):
    """Choosing "same as my browser" clears a saved language."""
    post_settings(member, **{**VALID, "locale": "fr"})

    post_settings(member, **VALID)

    assert saved(MEMBER)[0] is None


def test_settings_save_the_leaderboard_opt_out(people, member):
    """Choosing "a teammate" saves the leaderboard opt-out."""
    post_settings(member, **{**VALID, "leaderboard": "hidden"})

    assert saved(MEMBER)[1] is True


def test_settings_save_the_tree_nation_email_choice(people, member):
    """Refusing Tree-Nation emails is saved."""
    post_settings(member, **{**VALID, "tree_nation_email": "no"})

    assert saved(MEMBER)[2] is False


def test_a_person_starts_with_the_defaults(people):
    """No language, named on the board, Tree-Nation may email."""
    assert saved(MEMBER) == (None, False, True)


@pytest.mark.parametrize(
    "form",
    [
        {"locale": "de", "leaderboard": "hidden", "tree_nation_email": "no"},
        {"locale": "fr", "leaderboard": "sometimes", "tree_nation_email": "no"},
        {"locale": "fr", "leaderboard": "hidden", "tree_nation_email": "maybe"},
        {"locale": "fr", "leaderboard": "hidden"},
        {"locale": "fr", "tree_nation_email": "no"},
    ],
    ids=["locale", "leaderboard", "email", "no-email", "no-leaderboard"],
)
def test_bad_settings_are_refused_and_change_nothing(people, member, form):
    """A value that is not a choice gets 400 and leaves every setting as it was."""
    response = post_settings(member, **form)

    assert response.status_code == 400
    assert saved(MEMBER) == (None, False, True)


def test_plant_call_has_no_email_when_the_person_refuses(
    people, member, fake_tree_nation
):
    """After refusing Tree-Nation emails, the plant call carries no email address."""
    post_settings(member, **{**VALID, "tree_nation_email": "no"})
    campaign = make_campaign(people["lead"], name="Spring Launch")

    member.archive([campaign.id])

    [call] = fake_tree_nation.calls
    assert "email" not in call.body["recipients"][0]
    assert call.body["recipients"][0]["name"] == "Hugo Bernard"


def test_plant_call_has_the_email_by_default(people, member, fake_tree_nation):
    """By default, the plant call gives Tree-Nation the person's email."""
    campaign = make_campaign(people["lead"], name="Spring Launch")

    member.archive([campaign.id])

    [call] = fake_tree_nation.calls
    assert call.body["recipients"][0]["email"] == MEMBER
