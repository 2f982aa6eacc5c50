"""My campaigns: filters, search, sorting, pages, fragments, and a campaign's page."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Planting
from app.timeutil import business_today, utcnow
from tests.factories import add_posts, make_campaign, make_user
from tests.helpers import (
    HTMX,
    IsolatedClient,
    count_statements,
    isolated_client,
    make_campaigns,
    row_ids,
)

COLUMNS = [
    "Name",
    "Brand",
    "Owner",
    "Status",
    "Start",
    "End",
    "Creators",
    "Posts",
    "Last post",
]


@pytest.fixture
def client(app) -> IsolatedClient:
    return isolated_client(app)


@pytest.fixture
def signed_in(people, auth) -> dict:
    """The Demo Agency lead, signed in."""
    auth.login()
    return people


def list_ids(client, query: str = "", **kwargs) -> list[int]:
    response = client.get(f"/campaigns?{query}", **kwargs)
    assert response.status_code == 200
    return row_ids(response.get_data(as_text=True))


def test_list_shows_every_column(signed_in, client):
    """The list's header names each column of the product."""
    make_campaign(signed_in["lead"])

    page = client.get("/campaigns").get_data(as_text=True)

    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page, re.S)
    labels = [re.sub(r"<[^>]+>|[▲▼]", "", header).strip() for header in headers]
    assert all(column in labels for column in COLUMNS)


def test_row_shows_the_campaign(signed_in, client):
    """A row is <tr id="campaign-<id>"> with name, brand, owner and counters."""
    campaign = make_campaign(signed_in["member"], name="Autumn Glow", brand="Nordic")
    add_posts(campaign, 7)

    page = client.get("/campaigns").get_data(as_text=True)

    row = re.search(rf'<tr id="campaign-{campaign.id}".*?</tr>', page, re.S).group()
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    texts = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    assert texts[1:5] == ["Autumn Glow", "Nordic", "Hugo Bernard", "Ended"]
    assert texts[7:9] == ["1", "7"]


@pytest.fixture
def one_of_each(signed_in) -> dict:
    """One campaign of each status, keyed by it."""
    lead = signed_in["lead"]
    return {
        status: make_campaign(
            lead, name=status.title(), status=base, archived=status == "archived"
        ).id
        for status, base in [
            ("active", "active"),
            ("draft", "draft"),
            ("ended", "ended"),
            ("archived", "ended"),
        ]
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"active", "draft", "ended"}),
        ("status=active", {"active"}),
        ("status=draft", {"draft"}),
        ("status=ended", {"ended"}),
        ("status=archived", {"archived"}),
        ("status=all", {"active", "draft", "ended", "archived"}),
    ],
    ids=["default", "active", "draft", "ended", "archived", "all"],
)
def test_status_filter(client, one_of_each, query, expected):
    """Each status filter lists exactly the campaigns of that status."""
    ids = list_ids(client, query)

    assert sorted(ids) == sorted(one_of_each[status] for status in expected)


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        (0, 10, "active"),
        (-10, 0, "active"),
        (-10, -1, "ended"),
        (1, 10, "draft"),
    ],
    ids=["starts-today", "ends-today", "ended-yesterday", "starts-tomorrow"],
)
def test_status_boundaries(signed_in, client, start, end, status):
    """Active runs from the start date to the end date included."""
    today = business_today()
    campaign = make_campaign(
        signed_in["lead"],
        start=today + timedelta(days=start),
        end=today + timedelta(days=end),
    )

    assert list_ids(client, f"status={status}") == [campaign.id]


def test_archived_draft_is_only_archived(signed_in, client):
    """An archived draft shows under Archived, not under Draft."""
    campaign = make_campaign(signed_in["lead"], status="draft", archived=True)

    assert list_ids(client, "status=draft") == []
    assert list_ids(client, "status=archived") == [campaign.id]


def test_owner_mine(signed_in, client):
    """owner=mine lists only the signed-in person's campaigns."""
    mine = make_campaign(signed_in["lead"], name="Mine")
    make_campaign(signed_in["member"], name="Theirs")

    assert list_ids(client, "owner=mine") == [mine.id]


def test_owner_all_is_everyones(signed_in, client):
    """owner=all lists the whole workspace's campaigns."""
    mine = make_campaign(signed_in["lead"], name="Mine")
    theirs = make_campaign(signed_in["member"], name="Theirs")

    assert sorted(list_ids(client, "owner=all")) == sorted([mine.id, theirs.id])


SEARCHABLE = [
    ("Spring Launch", "Lumière"),
    ("Été Festival", "Nord"),
    ('L\'Oréal "Glow"', "Beauté"),
    ("100% Cotton", "Fabric_Co"),
    ("Plain 100 Cotton", "FabricXCo"),
    ("Summer Sale", "Acme"),
]


@pytest.fixture
def searchable(signed_in) -> dict:
    """Campaigns with accents, quotes, % and _ in names and brands, by name."""
    return {
        name: make_campaign(signed_in["lead"], name=name, brand=brand).id
        for name, brand in SEARCHABLE
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("lu", ["Spring Launch"]),
        ("AC", ["Summer Sale"]),
        ("è", ["Spring Launch"]),
        ("'", ['L\'Oréal "Glow"']),
        ('"', ['L\'Oréal "Glow"']),
        ("%", ["100% Cotton"]),
        ("_", ["100% Cotton"]),
        ("0%", ["100% Cotton"]),
    ],
)
def test_short_search(client, searchable, q, expected):
    """A 1–2 character term matches a case-insensitive substring, literally."""
    ids = list_ids(client, "", query_string={"q": q})

    assert sorted(ids) == sorted(searchable[name] for name in expected)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("LAUNCH", ["Spring Launch"]),
        ("acme", ["Summer Sale"]),
        ("ère", ["Spring Launch"]),
        ("ÉTÉ", ["Été Festival"]),
        ("l'oréal", ['L\'Oréal "Glow"']),
        ('"glow"', ['L\'Oréal "Glow"']),
        ("100%", ["100% Cotton"]),
        ("c_c", ["100% Cotton"]),
        ("cotton", ["100% Cotton", "Plain 100 Cotton"]),
        ("zzz", []),
    ],
)
def test_long_search(client, searchable, q, expected):
    """A term of 3 or more characters matches a case-insensitive substring."""
    ids = list_ids(client, "", query_string={"q": q})

    assert sorted(ids) == sorted(searchable[name] for name in expected)


def test_short_search_folds_accented_capitals(client, searchable):
    """A 2-character term matches accented letters whatever their case."""
    ids = list_ids(client, "", query_string={"q": "ét"})

    assert ids == [searchable["Été Festival"]]


@pytest.fixture
def sortable(signed_in) -> list:
    """Four campaigns whose columns all order differently; two share an owner."""
    third = make_user(signed_in["demo"], "zoe@demo.canopy.test", "Zoe Adams")
    owners = {"lead": signed_in["lead"], "member": signed_in["member"], "zoe": third}
    today, now = business_today(), utcnow()
    rows = [
        # name, brand, owner, start, end, posts, last post (days ago)
        ("Alpha", "Delta", "member", -100, -20, 30, 5),
        ("Bravo", "Alpha", "zoe", -40, 30, 5, None),
        ("Charlie", "Charlie", "lead", -70, -50, 100, 50),
        ("Delta", "Bravo", "member", -10, 5, 0, 1),
    ]
    return [
        make_campaign(
            owners[owner],
            name=name,
            brand=brand,
            start=today + timedelta(days=start),
            end=today + timedelta(days=end),
            posts_count=posts,
            last_post_at=None if last is None else now - timedelta(days=last),
        )
        for name, brand, owner, start, end, posts, last in rows
    ]


SORT_KEYS = {
    "name": lambda c: c.name,
    "brand": lambda c: c.brand,
    "owner": lambda c: c.owner.name,
    "start": lambda c: c.start_date,
    "end": lambda c: c.end_date,
    "posts": lambda c: c.posts_count,
    "last_post": lambda c: c.last_post_at,
}


def expected_order(campaigns: list, column: str, descending: bool) -> list[int]:
    """Order by the column, then by id the same way; empty values last."""
    key = SORT_KEYS[column]
    by_id = sorted(campaigns, key=lambda c: c.id, reverse=descending)
    present = [c for c in by_id if key(c) is not None]
    missing = [c for c in by_id if key(c) is None]
    return [c.id for c in sorted(present, key=key, reverse=descending) + missing]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("column", list(SORT_KEYS))
def test_sort(client, sortable, column, descending):
    """Each sort value orders the rows by its column, both ways."""
    sort = f"-{column}" if descending else column

    ids = list_ids(client, f"sort={sort}")

    assert ids == expected_order(sortable, column, descending)


def test_default_sort_is_newest_start_first(client, sortable):
    """Without `sort`, the latest start date comes first."""
    assert list_ids(client) == expected_order(sortable, "start", descending=True)


def test_first_page_holds_25_rows(signed_in, client):
    """A page lists 25 campaigns, the first 25 of the order."""
    campaigns = make_campaigns(signed_in["lead"], 30)

    assert list_ids(client) == [c.id for c in campaigns[:25]]


def test_second_page_holds_the_rest(signed_in, client):
    """Page 2 lists what page 1 left out."""
    campaigns = make_campaigns(signed_in["lead"], 30)

    assert list_ids(client, "page=2") == [c.id for c in campaigns[25:]]


def test_page_past_the_end_shows_the_last_page(signed_in, client):
    """A page past the end answers 200 with the last page."""
    campaigns = make_campaigns(signed_in["lead"], 30)

    response = client.get("/campaigns?page=9")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert row_ids(page) == [c.id for c in campaigns[25:]]
    assert "Page 2 of 2" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "The page must be a whole number from 1."),
        ("page=abc", "The page must be a whole number from 1."),
        ("page=-1", "The page must be a whole number from 1."),
        ("status=paused", "Unknown status"),
        ("owner=nobody", "Unknown owner filter"),
        ("sort=colour", "Unknown sort"),
        ("sort=--name", "Unknown sort"),
    ],
)
def test_bad_query_is_refused_with_a_message(signed_in, client, query, message):
    """A malformed list query answers 400 with a message saying what is wrong."""
    response = client.get(f"/campaigns?{query}")

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["status=paused", "owner=nobody", "sort=colour"])
def test_bad_htmx_query_goes_to_the_toasts(signed_in, client, query):
    """For htmx, a refused query's message is retargeted to #toasts."""
    response = client.get(f"/campaigns?{query}", headers=HTMX)

    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#toasts"
    assert "Unknown" in response.get_data(as_text=True)


PAGE_OR_FRAGMENT = [
    ({}, True),
    ({"HX-Request": "true"}, False),
    ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, True),
    ({"HX-Request": "true", "HX-Boosted": "true"}, True),
]
PAGE_OR_FRAGMENT_IDS = ["plain", "htmx", "history-restore", "boosted"]


@pytest.mark.parametrize(
    ("headers", "full"), PAGE_OR_FRAGMENT, ids=PAGE_OR_FRAGMENT_IDS
)
def test_page_or_fragment(signed_in, client, headers, full):
    """htmx gets only #campaign-results; plain, boosted and restores get pages."""
    campaign = make_campaign(signed_in["lead"])

    body = client.get("/campaigns", headers=headers).get_data(as_text=True)

    assert f'<tr id="campaign-{campaign.id}"' in body
    if full:
        assert "<html" in body
    else:
        assert "<html" not in body
        assert body.strip().startswith('<section id="campaign-results"')
        assert body.strip().endswith("</section>")


@pytest.mark.parametrize(
    ("headers", "_full"), PAGE_OR_FRAGMENT, ids=PAGE_OR_FRAGMENT_IDS
)
def test_list_varies_on_hx_request(signed_in, client, headers, _full):
    """Every list response says it varies with HX-Request."""
    response = client.get("/campaigns", headers=headers)

    assert "HX-Request" in response.vary


def list_statements(client) -> int:
    with count_statements(db.engine) as statements:
        assert client.get("/campaigns").status_code == 200
    return len(statements)


def test_list_query_count_does_not_grow(signed_in, client):
    """The list costs as many SQL statements for 60 campaigns as for 5."""
    lead, member = signed_in["lead"], signed_in["member"]
    few = make_campaigns(lead, 5, posts_count=3, last_post_at=utcnow())
    add_tree(few[0], lead)
    client.get("/campaigns")
    for_five = list_statements(client)

    for owner in (lead, member):
        more = make_campaigns(owner, 28, prefix=f"More {owner.id}", posts_count=2)
        add_tree(more[0], lead)
    for_sixty = list_statements(client)

    assert for_sixty == for_five


def add_tree(campaign, archiver, state: str = "planted") -> Planting:
    planting = Planting(
        campaign_id=campaign.id,
        workspace_id=campaign.workspace_id,
        archiver_id=archiver.id,
        state=state,
    )
    db.session.add(planting)
    db.session.commit()
    return planting


def test_tree_badge_marks_campaigns_with_a_tree(signed_in, client):
    """A campaign with a planted tree shows the badge; one without does not."""
    treed = make_campaign(signed_in["lead"], name="Treed", archived=True)
    plain = make_campaign(signed_in["lead"], name="Plain", archived=True)
    add_tree(treed, signed_in["lead"])

    page = client.get("/campaigns?status=archived").get_data(as_text=True)

    assert 'class="tree-badge"' in row_html(page, treed.id)
    assert 'class="tree-badge"' not in row_html(page, plain.id)


def test_failed_tree_shows_no_badge(signed_in, client):
    """A planting Tree-Nation refused earns no badge."""
    campaign = make_campaign(signed_in["lead"], archived=True)
    add_tree(campaign, signed_in["lead"], state="failed")

    page = client.get("/campaigns?status=archived").get_data(as_text=True)

    assert 'class="tree-badge"' not in row_html(page, campaign.id)


def row_html(page: str, campaign_id: int) -> str:
    return re.search(rf'<tr id="campaign-{campaign_id}".*?</tr>', page, re.S).group()


@pytest.fixture
def with_posts(signed_in):
    """A campaign with two creators: 25 posts by @alice, 3 by @bob."""
    campaign = make_campaign(signed_in["lead"], name="Busy")
    add_posts(campaign, 25, handle="alice")
    add_posts(campaign, 3, handle="bob")
    return campaign


def post_rows(page: str) -> int:
    posts = re.search(r'<div id="campaign-posts">.*', page, re.S).group()
    tbody = re.search(r"<tbody>(.*?)</tbody>", posts, re.S).group(1)
    return tbody.count("<tr>")


def test_campaign_page_lists_creators(client, with_posts):
    """The campaign page names each creator with their number of posts."""
    page = client.get(f"/campaigns/{with_posts.id}").get_data(as_text=True)

    creators = re.search(r'<ul class="creator-list">(.*?)</ul>', page, re.S).group(1)
    assert re.search(r"@alice\s*<span[^>]*>25 posts</span>", creators)
    assert re.search(r"@bob\s*<span[^>]*>3 posts</span>", creators)


def test_campaign_page_shows_20_posts(client, with_posts):
    """The first page of posts holds 20 of them."""
    page = client.get(f"/campaigns/{with_posts.id}").get_data(as_text=True)

    assert post_rows(page) == 20
    assert "Page 1 of 2" in page


def test_campaign_page_two_shows_the_rest(client, with_posts):
    """The second page of posts holds the remaining 8."""
    page = client.get(f"/campaigns/{with_posts.id}?page=2").get_data(as_text=True)

    assert post_rows(page) == 8


def test_campaign_page_past_the_end_shows_the_last(client, with_posts):
    """A posts page past the end answers 200 with the last page."""
    response = client.get(f"/campaigns/{with_posts.id}?page=7")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert post_rows(page) == 8
    assert "Page 2 of 2" in page


def test_campaign_page_without_posts(signed_in, client):
    """A campaign without posts says so instead of showing an empty table."""
    campaign = make_campaign(signed_in["lead"])

    page = client.get(f"/campaigns/{campaign.id}?page=3").get_data(as_text=True)

    assert "No post collected yet." in page


def test_unknown_campaign_is_404(signed_in, client):
    """A campaign id that does not exist answers 404."""
    assert client.get("/campaigns/999999").status_code == 404
