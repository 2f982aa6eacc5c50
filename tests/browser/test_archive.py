"""Archiving from the list, end to end: the dialog, the celebration, the
confirmation, the list updating in place, and what reached Tree-Nation."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Campaign
from tests.browser.conftest import (
    confirm_button,
    expect_open_dialog,
    latest_toast,
    open_archive_dialog,
    row_ids,
    row_name,
    rows,
    show_list,
    wait_until_quiet,
)

ARCHIVED_ONE = (
    "1 campaign has been archived. You can find it in My campaigns → Status: Archived."
)
ARCHIVED_THREE = (
    "3 campaigns have been archived. You can find them in My campaigns → "
    "Status: Archived."
)
ON_ITS_WAY = (
    "Tree-Nation is not answering right now. Your tree is on its way: Canopy "
    "will plant it as soon as Tree-Nation answers."
)
QUEUE_NOTICE = (
    "This month's tree budget is used up. Archiving still stops collection and "
    "reduces CO₂, and your tree will be queued and planted next month "
    "(position 1 in the queue)."
)
QUEUED_DONE = (
    "This month's tree budget is used up, so your tree is queued and will be "
    "planted next month (position 1 in the queue). Archiving still stopped "
    "collection and reduces CO₂."
)


def archived_ids(live_server) -> set[int]:
    """The ids of every archived campaign, read from the database."""
    with live_server.app.app_context():
        query = select(Campaign.id).where(Campaign.archived_at.is_not(None))
        ids = set(db.session.scalars(query))
        db.session.remove()
    return ids


def first_ended_row(page):
    show_list(page, "status=ended")
    return rows(page).first


def archive_first_ended(page) -> tuple[int, str]:
    """Archive the first Ended campaign through its row menu; return id, name."""
    row = first_ended_row(page)
    campaign_id, name = row_ids(page)[0], row_name(row)
    dialog = open_archive_dialog(page, row)
    confirm_button(dialog).click()
    expect(latest_toast(page)).to_contain_text("has been archived")
    expect(page.locator(f"#campaign-{campaign_id}")).to_have_count(0)
    return campaign_id, name


def test_archive_one_campaign_from_its_row_menu(signed_in_page, live_server):
    page = signed_in_page
    row = first_ended_row(page)
    campaign_id, name = row_ids(page)[0], row_name(row)
    summary = page.locator("#results-summary")
    before = int(summary.inner_text().split()[0])

    dialog = open_archive_dialog(page, row)
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Archive 1 campaign?")
    expect(dialog.locator(".archive-names")).to_have_text(name)
    expect(dialog).to_contain_text("Canopy plants a tree in your name")
    cancel = dialog.get_by_role("button", name="Cancel")
    expect(cancel).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.locator("#dialog-host dialog")).to_have_count(0)
    expect(row.locator("summary")).to_be_focused()
    assert live_server.plant_calls() == []

    dialog = open_archive_dialog(page, row)
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    confirm_button(dialog).click()

    celebration = page.locator("[data-celebration]")
    expect(celebration).to_be_visible()
    assert celebration.evaluate("(el) => el.getAnimations({subtree: true}).length") > 0
    toast = latest_toast(page)
    expect(toast).to_contain_text(ARCHIVED_ONE)
    expect(toast).to_contain_text("A tree has been planted in your name.")
    expect(toast).to_be_focused()
    claim = toast.get_by_role("link", name="Claim your tree on Tree-Nation")
    expect(claim).to_have_attribute("href", re.compile(r"^https://tree-nation\.com/"))
    expect(page.locator("#dialog-host dialog")).to_have_count(0)
    expect(page.locator(f"#campaign-{campaign_id}")).to_have_count(0)
    expect(summary).to_have_text(f"{before - 1} campaigns")
    expect(page.locator("#quota-use")).to_contain_text("Trees this month: 1 of 500")
    expect(celebration).to_have_count(0)  # it leaves once played

    calls = live_server.plant_calls()
    assert len(calls) == 1
    assert calls[0].outcome == "ok"
    assert calls[0].body["quantity"] == 1
    assert calls[0].body["recipients"][0]["email"] == "lead@demo.canopy.test"

    toast.get_by_role("link", name="Show archived campaigns").click()
    expect(page).to_have_url(re.compile(r"/campaigns\?status=archived$"))
    archived_row = page.locator(f"#campaign-{campaign_id}")
    expect(archived_row).to_be_visible()
    expect(archived_row.locator(".status")).to_have_text("Archived")
    expect(archived_row.locator(".tree-badge")).to_be_visible()
    assert len(live_server.plant_calls()) == 1


def test_bulk_archive_of_three_plants_three_trees_in_one_call(
    signed_in_page, live_server
):
    page = signed_in_page
    show_list(page, "status=ended")
    chosen = row_ids(page)[:3]
    button = page.locator("#archive-selected")
    expect(button).to_be_disabled()
    for campaign_id in chosen:
        page.locator(f"#campaign-{campaign_id} .row-select").check()
    expect(button).to_have_text("Archive selected (3)")

    button.click()
    dialog = expect_open_dialog(page)
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Archive 3 campaigns?")
    hidden_ids = dialog.locator("input[name=ids]").evaluate_all(
        "(inputs) => inputs.map((input) => Number(input.value))"
    )
    assert sorted(hidden_ids) == sorted(chosen)
    confirm = confirm_button(dialog)
    expect(confirm).to_have_text("Archive 3 and plant")
    confirm.click()

    expect(page.locator("[data-celebration]")).to_be_visible()
    toast = latest_toast(page)
    expect(toast).to_contain_text(ARCHIVED_THREE)
    expect(toast).to_contain_text("3 trees have been planted in your name.")
    for campaign_id in chosen:
        expect(page.locator(f"#campaign-{campaign_id}")).to_have_count(0)
    expect(button).to_have_text("Archive selected (0)")
    expect(button).to_be_disabled()

    calls = live_server.plant_calls()
    assert len(calls) == 1
    assert calls[0].body["quantity"] == 3
    assert archived_ids(live_server) >= set(chosen)


@pytest.mark.parametrize(
    "server_settings", [{"PLANTING_MONTHLY_QUOTA": 1}], indirect=True
)
def test_quota_reached_queues_the_tree_kindly(signed_in_page, live_server):
    page = signed_in_page
    archive_first_ended(page)
    expect(page.locator("#quota-use")).to_contain_text("Trees this month: 1 of 1")

    row = rows(page).first
    dialog = open_archive_dialog(page, row)
    expect(dialog.locator(".notice-kind")).to_have_text(QUEUE_NOTICE)
    confirm_button(dialog).click()

    toast = latest_toast(page)
    expect(toast).to_contain_text(ARCHIVED_ONE)
    expect(toast).to_contain_text(QUEUED_DONE)
    expect(page.locator("#quota-use")).to_contain_text("1 tree queued for next month")
    assert len(live_server.plant_calls()) == 1  # the queued tree waits


def test_tree_nation_down_still_archives(signed_in_page, live_server):
    live_server.tree_nation.fail_next("503")
    page = signed_in_page
    row = first_ended_row(page)
    campaign_id = row_ids(page)[0]

    dialog = open_archive_dialog(page, row)
    confirm_button(dialog).click()

    toast = latest_toast(page)
    expect(toast).to_contain_text(ARCHIVED_ONE)
    expect(toast).to_contain_text(ON_ITS_WAY)
    expect(page.locator(f"#campaign-{campaign_id}")).to_have_count(0)
    assert campaign_id in archived_ids(live_server)
    calls = live_server.plant_calls()
    assert [call.outcome for call in calls] == ["503"]


def test_restore_then_archive_again_plants_no_second_tree(signed_in_page, live_server):
    page = signed_in_page
    campaign_id, name = archive_first_ended(page)
    assert len(live_server.plant_calls()) == 1

    show_list(page, "status=archived")
    row = page.locator(f"#campaign-{campaign_id}")
    row.locator("summary").click()
    row.get_by_role("button", name="Restore").click()
    expect(latest_toast(page)).to_contain_text(
        f"“{name}” is restored: post collection resumes from now on. "
        "Its tree stays yours."
    )
    expect(row).to_have_count(0)

    show_list(page, "status=ended")
    row = page.locator(f"#campaign-{campaign_id}")
    expect(row.locator(".status")).to_have_text("Ended")
    expect(row.locator(".tree-badge")).to_be_visible()
    dialog = open_archive_dialog(page, row)
    expect(dialog).to_contain_text(
        f"“{name}” already earned its tree; archiving it again plants no second one."
    )
    expect(dialog).to_contain_text("This selection earns no new tree.")
    confirm = confirm_button(dialog)
    expect(confirm).to_have_text("Archive")
    confirm.click()

    toast = latest_toast(page)
    expect(toast).to_contain_text(ARCHIVED_ONE)
    expect(toast).to_contain_text("1 campaign earned no new tree")
    expect(row).to_have_count(0)
    expect(page.locator("[data-celebration]")).to_have_count(0)
    assert len(live_server.plant_calls()) == 1


def test_nudge_archives_exactly_the_suggested_campaigns(signed_in_page, live_server):
    page = signed_in_page
    nudge = page.locator(".nudge")
    text = nudge.locator("#nudge-text").inner_text()
    found = re.search(r"(\d+) campaigns look finished\. .* plant (\d+) trees", text)
    assert found, text
    total, trees = int(found[1]), int(found[2])
    link = nudge.get_by_role("link", name="Review and archive")
    query = parse_qs(urlsplit(link.get_attribute("href")).query)
    suggested = [int(found) for found in query["ids"]]
    assert len(suggested) == total
    before = archived_ids(live_server)
    assert not before & set(suggested)

    link.click()
    dialog = expect_open_dialog(page)
    expect(dialog.get_by_role("heading", level=2)).to_have_text(
        f"Archive {total} campaigns?"
    )
    hidden_ids = dialog.locator("input[name=ids]").evaluate_all(
        "(inputs) => inputs.map((input) => Number(input.value))"
    )
    assert sorted(hidden_ids) == sorted(suggested)
    confirm = confirm_button(dialog)
    expect(confirm).to_have_text(f"Archive {total} and plant")
    confirm.click()

    expect(latest_toast(page)).to_contain_text(f"{total} campaigns have been archived.")
    expect(page.locator(".nudge")).to_have_count(0)
    wait_until_quiet(page)
    assert archived_ids(live_server) == before | set(suggested)
    calls = live_server.plant_calls()
    assert len(calls) == 1
    assert calls[0].body["quantity"] == trees


def test_double_click_on_confirm_plants_one_tree(signed_in_page, live_server):
    page = signed_in_page
    row = first_ended_row(page)
    dialog = open_archive_dialog(page, row)

    confirm_button(dialog).dblclick()

    expect(latest_toast(page)).to_contain_text(ARCHIVED_ONE)
    wait_until_quiet(page)
    expect(page.locator("#toasts [data-toast]")).to_have_count(1)
    calls = live_server.plant_calls()
    assert len(calls) == 1
    assert calls[0].body["quantity"] == 1
