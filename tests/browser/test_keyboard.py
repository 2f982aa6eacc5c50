"""The whole archive flow with the keyboard only: Tab, Enter, Space, Escape."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    confirm_button,
    expect_open_dialog,
    latest_toast,
    row_ids,
    rows,
    show_list,
)

COUNT_POINTER_EVENTS = """
window.__pointerEvents = 0;
for (const type of ["mousedown", "pointerdown", "click"]) {
  document.addEventListener(type, (event) => {
    if (event.isTrusted && event.detail > 0) window.__pointerEvents += 1;
  }, true);
}
"""


def tab_to(page: Page, target, limit: int = 80) -> None:
    """Press Tab until `target` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("(element) => element === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def test_archive_with_the_keyboard_only(signed_in_page, live_server):
    page = signed_in_page
    page.context.add_init_script(COUNT_POINTER_EVENTS)
    show_list(page, "status=ended")
    row = rows(page).first
    campaign_id = row_ids(page)[0]
    menu, summary = row.locator("details.row-menu"), row.locator("summary")
    archive_link = row.get_by_role("link", name="Archive", exact=True)

    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(archive_link).to_be_focused()
    page.keyboard.press("Enter")
    dialog = expect_open_dialog(page)
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.locator("#dialog-host dialog")).to_have_count(0)
    expect(summary).to_be_focused()

    page.keyboard.press("Space")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(archive_link).to_be_focused()
    page.keyboard.press("Enter")
    dialog = expect_open_dialog(page)
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(confirm_button(dialog)).to_be_focused()
    page.keyboard.press("Enter")

    toast = latest_toast(page)
    expect(toast).to_contain_text("1 campaign has been archived.")
    expect(toast).to_be_focused()
    expect(page.locator(f"#campaign-{campaign_id}")).to_have_count(0)
    page.keyboard.press("Tab")
    show_archived = toast.get_by_role("link", name="Show archived campaigns")
    expect(show_archived).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/campaigns\?status=archived$"))
    expect(page.locator(f"#campaign-{campaign_id}")).to_be_visible()
    assert page.evaluate("window.__pointerEvents") == 0
    assert len(live_server.plant_calls()) == 1


def test_focus_stays_on_the_list_after_paging_sorting_and_restoring(signed_in_page):
    page = signed_in_page
    results_summary = page.locator("#results-summary")
    show_list(page, "status=ended")

    page.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"page=2$"))
    expect(results_summary).to_be_focused()

    page.get_by_role("link", name="Name", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=name$"))
    expect(results_summary).to_be_focused()

    show_list(page, "status=archived")
    row = page.locator(f"#campaign-{row_ids(page)[0]}")
    row.locator("summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(row.get_by_role("button", name="Restore")).to_be_focused()
    page.keyboard.press("Enter")
    expect(latest_toast(page)).to_contain_text("is restored")
    expect(row).to_have_count(0)
    expect(results_summary).to_be_focused()
