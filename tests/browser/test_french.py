"""The French interface: the list, the dialog and the confirmation in French.

Only strings the French catalog translates today are relied on: "Mes
campagnes", "Archiver", "Annuler", "Archiver et planter", "1 campagne a été
archivée." and "Afficher les campagnes archivées".
"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    confirm_button,
    expect_open_dialog,
    latest_toast,
    row_ids,
    rows,
    show_list,
)


def test_french_list_dialog_and_toast(signed_in_page, live_server):
    page = signed_in_page
    page.get_by_role("button", name=re.compile(r"^FR\b")).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(re.compile(r"/campaigns$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes campagnes")
    expect(page.get_by_role("button", name=re.compile(r"^FR\b"))).to_have_attribute(
        "aria-pressed", "true"
    )

    show_list(page, "status=ended")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    row = rows(page).first
    campaign_id = row_ids(page)[0]
    row.locator("summary").click()
    row.get_by_role("link", name="Archiver", exact=True).click()
    dialog = expect_open_dialog(page)
    expect(dialog.get_by_role("button", name="Annuler")).to_be_focused()
    confirm = confirm_button(dialog)
    expect(confirm).to_have_text("Archiver et planter")
    confirm.click()

    toast = latest_toast(page)
    expect(toast).to_contain_text("1 campagne a été archivée.")
    show_archived = toast.get_by_role("link", name="Afficher les campagnes archivées")
    expect(show_archived).to_be_visible()
    expect(page.locator(f"#campaign-{campaign_id}")).to_have_count(0)
    calls = live_server.plant_calls()
    assert len(calls) == 1
    assert calls[0].body["language"] == "fr"
