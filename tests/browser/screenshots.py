"""Screenshots of Canopy for the documentation, at 1280×800.

    python -m tests.browser.screenshots [--out docs/screenshots]

Starts the same live server as the browser tests (the seeded demo, a fake
Tree-Nation and a real SMTP server, all on loopback), drives Debian's Chromium
through the archive flow and writes list.png, dialog.png, celebration.png,
impact.png and leaderboard-email.png. The email is the leaderboard email the
SMTP server received, rendered in the browser.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

from app.jobs import run_job
from app.timeutil import current_month_key
from tests.browser.conftest import (
    CHROMIUM,
    LEAD,
    LiveServer,
    confirm_button,
    demo_canopy,
    expect_open_dialog,
    latest_toast,
    launch_chromium,
    new_context,
    open_archive_dialog,
    rows,
    show_list,
    sign_in,
    watch_for_errors,
)

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The moment of the celebration to show: the tree has grown, sparkles twinkle.
CELEBRATION_MS = 1600


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium.", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with demo_canopy() as live, sync_playwright() as playwright:
        logging.getLogger("canopy").setLevel(logging.WARNING)
        browser = launch_chromium(playwright)
        try:
            problems = take_screenshots(browser, live, args.out)
        finally:
            browser.close()

    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


def take_screenshots(browser: Browser, live: LiveServer, out: Path) -> list[str]:
    """Walk through the archive flow, saving each moment; return browser errors."""
    problems: list[str] = []
    context = new_context(browser, live.url)
    try:
        page = context.new_page()
        watch_for_errors(page, problems)
        sign_in(page)
        save(page, out / "list.png")

        show_list(page, "status=ended")
        dialog = open_archive_dialog(page, rows(page).first)
        save(page, out / "dialog.png")

        confirm_button(dialog).click()
        celebrate(page)
        save(page, out / "celebration.png")

        archive_three(page)
        page.goto("/impact")
        save(page, out / "impact.png")

        # A blank page of its own: the email's inline styles must not meet
        # Canopy's Content-Security-Policy.
        email_page = context.new_page()
        watch_for_errors(email_page, problems)
        email_page.set_content(leaderboard_email(live))
        save(email_page, out / "leaderboard-email.png")
    finally:
        context.close()
    return problems


def celebrate(page: Page) -> None:
    """Hold the celebration at one moment of its animation."""
    celebration = page.locator("[data-celebration]")
    expect(celebration).to_be_visible()
    expect(latest_toast(page)).to_be_visible()
    celebration.evaluate(
        """(element, moment) => {
          for (const animation of element.getAnimations({ subtree: true })) {
            animation.pause();
            animation.currentTime = moment;
          }
        }""",
        CELEBRATION_MS,
    )


def archive_three(page: Page) -> None:
    """Archive three more campaigns, so the impact page has a forest to show."""
    show_list(page, "status=ended")
    for checkbox in rows(page).locator(".row-select").all()[:3]:
        checkbox.check()
    page.locator("#archive-selected").click()
    confirm_button(expect_open_dialog(page)).click()
    expect(latest_toast(page)).to_contain_text("3 campaigns have been archived.")


def leaderboard_email(live: LiveServer) -> str:
    """Send this month's leaderboard email and return the lead's HTML part."""
    with live.app.app_context():
        run_job("leaderboard-email", current_month_key())
    for message in live.mailbox.messages:
        if LEAD in str(message["To"]):
            return message.get_body(preferencelist=("html",)).get_content()
    raise RuntimeError(f"no leaderboard email reached {LEAD}")


def save(page: Page, path: Path) -> None:
    page.screenshot(path=str(path))
    print(f"saved {path}")


if __name__ == "__main__":
    sys.exit(main())
