"""Accessibility: axe-core finds nothing serious on the main pages and the open
dialog; the dialog is labelled; focus never drops to <body>; confirmations are
announced; and "reduce motion" stills the celebration."""

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import (
    confirm_button,
    latest_toast,
    open_archive_dialog,
    rows,
    show_list,
    sign_in_as_lead,
)

FOCUSED = """() => {
  const element = document.activeElement;
  if (!element) return null;
  return element.tagName.toLowerCase() + (element.id ? "#" + element.id : "");
}"""

RESOLVE_IDREFS = """(element, attribute) =>
  (element.getAttribute(attribute) || "").split(/\\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent.trim() ?? "")
    .join(" ")"""

MOTION = """() => {
  const celebration = document.querySelector("[data-celebration]");
  return {
    reduce: matchMedia("(prefers-reduced-motion: reduce)").matches,
    celebrationShown: celebration !== null
      && getComputedStyle(celebration).display !== "none",
    runningOnCelebration: celebration === null ? 0 : celebration
      .getAnimations({ subtree: true })
      .filter((animation) => animation.playState === "running").length,
    // Under "reduce" the stylesheet shortens every animation and transition
    // to 0.01 ms; they may still be "running" in the frame they start in.
    longestMs: Math.max(0, ...document.getAnimations().map((animation) =>
      animation.effect.getComputedTiming().activeDuration)),
  };
}"""


def archive_first_ended(page: Page) -> None:
    show_list(page, "status=ended")
    dialog = open_archive_dialog(page, rows(page).first)
    confirm_button(dialog).click()
    expect(latest_toast(page)).to_contain_text("1 campaign has been archived.")


def test_list_and_open_dialog_pass_axe(signed_in_page):
    page = signed_in_page
    assert_accessible(page)

    show_list(page, "status=ended")
    open_archive_dialog(page, rows(page).first)
    assert_accessible(page)


def test_impact_and_settings_pages_pass_axe(signed_in_page):
    page = signed_in_page
    archive_first_ended(page)  # so the board and "My trees" have rows

    page.goto("/impact")
    expect(page.get_by_role("heading", name="My trees")).to_be_visible()
    assert_accessible(page)

    page.goto("/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    assert_accessible(page)


def test_dialog_is_labelled_and_focus_never_drops_to_body(signed_in_page):
    page = signed_in_page
    show_list(page, "status=ended")
    row = rows(page).first
    dialog = open_archive_dialog(page, row)

    assert dialog.evaluate(RESOLVE_IDREFS, "aria-labelledby") == "Archive 1 campaign?"
    assert dialog.evaluate(RESOLVE_IDREFS, "aria-describedby") != ""
    expect(page.get_by_role("dialog", name="Archive 1 campaign?")).to_be_visible()

    page.keyboard.press("Escape")
    expect(page.locator("#dialog-host dialog")).to_have_count(0)
    assert page.evaluate(FOCUSED) == "summary"
    expect(row.locator("summary")).to_be_focused()

    dialog = open_archive_dialog(page, row)
    confirm_button(dialog).click()
    toast = latest_toast(page)
    expect(toast).to_be_focused()
    live_region = toast.evaluate(
        "(toast) => { const region = toast.closest('[aria-live]');"
        " return region && [region.id, region.getAttribute('aria-live'),"
        " region.getAttribute('role')]; }"
    )
    assert live_region == ["toasts", "polite", "status"]

    toast.get_by_role("button", name="Dismiss").press("Enter")
    expect(toast).to_have_count(0)
    assert page.evaluate(FOCUSED) == "p#results-summary"


def test_reduced_motion_stills_the_celebration(open_page, lead_cookies):
    page = sign_in_as_lead(open_page(reduced_motion="reduce"), lead_cookies)
    archive_first_ended(page)

    motion = page.evaluate(MOTION)
    assert motion["reduce"] is True
    assert motion["celebrationShown"] is False
    assert motion["runningOnCelebration"] == 0
    assert motion["longestMs"] <= 1
