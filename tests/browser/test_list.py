"""Signing in, and the campaign list: every view (status, search, owner, sort,
page) lives in the URL, so a reload and the back button show the same view."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    LEAD,
    row_name,
    rows,
    wait_until_quiet,
)

LIST_STATE = """() => ({
  search: location.search,
  status: document.querySelector('input[name=status]:checked').value,
  q: document.getElementById('list-q').value,
  owner: document.getElementById('list-owner').value,
  sorted: [...document.querySelectorAll('#campaign-results th[aria-sort]')]
    .map((th) => th.querySelector('.sort-link').firstChild.textContent.trim() + ' ' +
      th.getAttribute('aria-sort')),
  summary: document.getElementById('results-summary').innerText.trim(),
  pageOf: document.querySelector('.page-of')?.innerText.trim() ?? null,
  rows: [...document.querySelectorAll('#campaign-results tbody tr')].map((r) => r.id),
})"""


def list_state(page: Page) -> dict:
    """What the list shows: its address, its controls and its rows."""
    wait_until_quiet(page)
    return page.evaluate(LIST_STATE)


def pick_status(page: Page, label: str) -> None:
    chip = page.locator(".status-filter label", has=page.get_by_text(label, exact=True))
    chip.click()


def go_back_to(page: Page, state: dict) -> None:
    """Press the back button and check the list shows `state` again."""
    page.go_back()
    address = re.escape(f"/campaigns{state['search']}") + "$"
    expect(page).to_have_url(re.compile(address))
    expect(page.locator("#results-summary")).to_have_text(state["summary"])
    assert list_state(page) == state


def test_sign_in_leads_back_to_the_page_asked_for(page):
    page.goto("/campaigns?status=ended")
    expect(page).to_have_url(re.compile(r"/login\?next="))

    page.get_by_label("Email").fill(LEAD)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/campaigns\?status=ended$"))
    expect(page.get_by_role("heading", name="My campaigns")).to_be_visible()
    expect(page.locator(".person-name")).to_have_text("Léa Martin")
    expect(page.locator(".workspace-name")).to_have_text("Demo Agency")
    expect(page.get_by_role("radio", name="Ended")).to_be_checked()


def test_filter_sort_and_pages_push_the_url(signed_in_page):
    page = signed_in_page
    default = list_state(page)
    assert default["status"] == "" and default["search"] == ""

    pick_status(page, "Ended")
    expect(page).to_have_url(re.compile(r"status=ended"))
    expect(page.locator(".page-of")).to_have_text(re.compile(r"^Page 1 of \d+$"))
    ended = list_state(page)
    assert ended["status"] == "ended"
    assert ended["rows"] != default["rows"]
    statuses = rows(page).locator(".status").all_inner_texts()
    assert set(statuses) == {"Ended"} and len(statuses) == 25

    page.get_by_role("link", name="Name", exact=True).click()
    expect(page).to_have_url(re.compile(r"status=ended&sort=name$"))
    sorted_by_name = list_state(page)
    assert sorted_by_name["sorted"] == ["Name ascending"]
    names = [row_name(row) for row in rows(page).all()]
    assert names == sorted(names)

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"status=ended&sort=name&page=2$"))
    expect(page.locator(".page-of")).to_have_text(re.compile(r"^Page 2 of \d+$"))
    second_page = list_state(page)
    assert not set(second_page["rows"]) & set(sorted_by_name["rows"])
    assert second_page["status"] == "ended"

    page.reload()
    assert list_state(page) == second_page

    go_back_to(page, sorted_by_name)
    go_back_to(page, ended)
    go_back_to(page, default)


def test_search_and_owner_push_the_url(signed_in_page):
    page = signed_in_page
    default = list_state(page)

    page.get_by_label("Search").fill("summer")
    expect(page).to_have_url(re.compile(r"q=summer"))
    expect(page.locator("#results-summary")).not_to_have_text(default["summary"])
    found = list_state(page)
    assert found["rows"], "the demo has summer campaigns"
    for row in rows(page).all():
        name_and_brand = row.locator("th, td:nth-child(3)").all_inner_texts()
        assert "summer" in " ".join(name_and_brand).lower()

    page.get_by_label("Owner").select_option("mine")
    expect(page).to_have_url(re.compile(r"q=summer&owner=mine"))
    mine = list_state(page)
    assert mine["rows"] and set(mine["rows"]) <= set(found["rows"])
    owners = rows(page).locator("td:nth-child(4)").all_inner_texts()
    assert set(owners) == {"Léa Martin"}

    page.reload()
    assert list_state(page) == mine
    expect(page.get_by_label("Search")).to_have_value("summer")

    go_back_to(page, found)
    go_back_to(page, default)
