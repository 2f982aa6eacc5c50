"""Fixtures of the browser tests: a live Canopy over real HTTP, with a fake
Tree-Nation and a real SMTP server on loopback, driven by Debian's Chromium.

Every test under tests/browser is marked `browser`. The directory is skipped only
on a machine without /usr/bin/chromium when `CI` is unset; under CI a missing
Chromium fails the run.

The helpers that start the pieces are plain context managers, so that
`python -m tests.browser.screenshots` starts the very same live server.
"""

from __future__ import annotations

import email
import itertools
import os
import shutil
import socket
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.services.demo_seed import seed_demo
from tests.conftest import build_schema, test_settings
from tests.fake_tree_nation import FakeTreeNation
from tests.loopback import serving

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
LEAD = "lead@demo.canopy.test"
DEMO_PASSWORD = "canopy-demo"
# Generous: a CI machine may be slow, and nothing here waits on a timer.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

# Chromium reports CSP violations on the console already; listening to the event
# as well names the directive even when the console wording changes.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.violatedDirective + " blocked " +
    (event.blockedURI || "inline code") + " at " + event.sourceFile + ":" +
    event.lineNumber
  );
});
"""


def in_ci() -> bool:
    return bool(os.environ.get("CI", "").strip())


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Mark this directory's tests `browser`, before `-m` selects on marks."""
    skip = None
    if not in_ci() and not CHROMIUM.exists():
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (and CI is unset)")
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if skip is not None:
            item.add_marker(skip)


PROBLEMS = pytest.StashKey[list[str]]()
MAX_PROBLEMS_SHOWN = 10


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test whose pages logged errors, threw or hit the CSP."""
    result = yield
    problems = item.stash.get(PROBLEMS, [])
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown.append(f"… and {len(problems) - len(shown)} more")
        pytest.fail("The browser reported problems:\n" + "\n".join(shown))
    return result


# The pieces: database, SMTP server, Tree-Nation, Canopy ------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database with the backup API (safe with a WAL journal)."""
    with (
        closing(sqlite3.connect(source)) as original,
        closing(sqlite3.connect(target)) as copy,
    ):
        original.backup(copy)


def build_demo_database(folder: Path) -> Path:
    """Migrate an empty database, then seed the demo in it; return its path."""
    path = folder / "demo.sqlite3"
    build_schema(sqlite_url(path))
    app = create_app(test_settings(sqlite_url(path)))
    with app.app_context():
        seed_demo()
        db.session.remove()
        db.engine.dispose()
    return path


def free_port() -> int:
    """A TCP port nobody listens on right now (aiosmtpd cannot use port 0)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler keeping every message it receives, parsed."""

    def __init__(self) -> None:
        self.port = 0
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server on loopback; yields its mailbox (with `.port`)."""
    mailbox = Mailbox()
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@contextmanager
def tree_nation_server() -> Iterator[FakeTreeNation]:
    """A started FakeTreeNation, like the `fake_tree_nation` fixture."""
    with serving(FakeTreeNation, check=False) as fake:
        yield fake


class _LateApp:
    """A WSGI callable bound to the app once the server's port is known."""

    app: Flask | None = None

    def __call__(self, environ, start_response):
        assert self.app is not None, "the live server got a request too early"
        return self.app(environ, start_response)


@dataclass
class LiveServer:
    url: str
    app: Flask
    tree_nation: FakeTreeNation
    mailbox: Mailbox
    database: Path
    extra: dict = field(default_factory=dict)

    def plant_calls(self) -> list:
        """The calls to Tree-Nation's `POST /plant` so far."""
        return list(self.tree_nation.calls)


@contextmanager
def live_canopy(
    database: Path, tree_nation: FakeTreeNation, mailbox: Mailbox, **settings
) -> Iterator[LiveServer]:
    """Serve Canopy on a free loopback port in a thread, until the block ends."""
    late_app = _LateApp()
    server = make_server("127.0.0.1", 0, late_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    extra = {
        "CANOPY_BASE_URL": url,
        "TREE_NATION_API_URL": tree_nation.base_url,
        "TREE_NATION_API_TOKEN": tree_nation.token,
        "TREE_NATION_TIMEOUT": 2,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mailbox.port,
        # Flask-Mail suppresses sending under TESTING unless told otherwise.
        "MAIL_SUPPRESS_SEND": False,
        **settings,
    }
    app = create_app(test_settings(sqlite_url(database), **extra))
    late_app.app = app
    thread = threading.Thread(target=server.serve_forever, name="canopy-live")
    thread.daemon = True
    thread.start()
    try:
        yield LiveServer(url, app, tree_nation, mailbox, database, settings)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@contextmanager
def demo_canopy(**settings) -> Iterator[LiveServer]:
    """Everything at once, outside pytest: a seeded Canopy and its neighbours."""
    folder = Path(tempfile.mkdtemp(prefix="canopy-live-"))
    try:
        database = build_demo_database(folder)
        with (
            tree_nation_server() as tree_nation,
            smtp_server() as mailbox,
            live_canopy(database, tree_nation, mailbox, **settings) as live,
        ):
            yield live
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# The browser --------------------------------------------------------------------


def launch_chromium(playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


def new_context(browser: Browser, base_url: str, **options):
    """A browser context at 1280×800 in English, with CSP violations reported."""
    settings = {
        "base_url": base_url,
        "viewport": VIEWPORT,
        "locale": "en-US",
        "timezone_id": "Europe/Paris",
        **options,
    }
    context = browser.new_context(**settings)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_WATCH)
    return context


def watch_for_errors(page: Page, problems: list[str]) -> None:
    """Collect console errors, uncaught exceptions and CSP violations."""

    def on_console(message) -> None:
        if message.type == "error":
            problems.append(f"console error on {page.url}: {message.text}")

    def on_page_error(error) -> None:
        problems.append(f"uncaught exception on {page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)


def sign_in(page: Page, email_address: str = LEAD) -> Page:
    """Sign in through the form; leaves the page on the campaign list."""
    page.goto("/login")
    page.get_by_label("Email").fill(email_address)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/campaigns")
    expect(page.locator("#campaign-results")).to_be_visible()
    return page


# Page helpers -------------------------------------------------------------------


def rows(page: Page):
    """The campaign rows of the list as shown."""
    return page.locator("#campaign-results tbody tr")


def row_ids(page: Page) -> list[int]:
    ids = rows(page).evaluate_all("(rows) => rows.map((row) => row.id)")
    return [int(found.removeprefix("campaign-")) for found in ids]


def row_name(row) -> str:
    return row.locator("th").inner_text().strip()


def show_list(page: Page, query: str = "") -> Page:
    """Open the campaign list at a view, e.g. `status=ended`."""
    page.goto(f"/campaigns?{query}" if query else "/campaigns")
    expect(page.locator("#campaign-results")).to_be_visible()
    return page


def open_archive_dialog(page: Page, row):
    """Pick Archive in a row's menu; return the open dialog."""
    row.locator("summary").click()
    row.get_by_role("link", name="Archive", exact=True).click()
    return expect_open_dialog(page)


def expect_open_dialog(page: Page):
    dialog = page.locator("#dialog-host dialog[open]")
    expect(dialog).to_be_visible()
    return dialog


def confirm_button(dialog):
    return dialog.locator("button[type=submit]")


def latest_toast(page: Page):
    return page.locator("#toasts [data-toast]").last


def wait_until_quiet(page: Page) -> None:
    """Wait until no request has been in flight for half a second."""
    page.wait_for_load_state("networkidle")


# Fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A migrated SQLite file holding the demo, seeded once; tests copy it."""
    return build_demo_database(tmp_path_factory.mktemp("browser-demo"))


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def server_settings(request) -> dict:
    """Extra settings of the live Canopy; parametrize it indirectly to change
    them, e.g. `@pytest.mark.parametrize("server_settings",
    [{"PLANTING_MONTHLY_QUOTA": 1}], indirect=True)`."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
def live_server_factory(
    demo_database, tmp_path, fake_tree_nation, mailbox
) -> Iterator[Callable[..., LiveServer]]:
    """Start a live Canopy on a fresh copy of the demo, with extra settings."""
    numbers = itertools.count(1)
    with ExitStack() as stack:

        def start(**settings) -> LiveServer:
            database = tmp_path / f"canopy-{next(numbers)}.sqlite3"
            copy_database(demo_database, database)
            live = live_canopy(database, fake_tree_nation, mailbox, **settings)
            return stack.enter_context(live)

        yield start


@pytest.fixture
def live_server(live_server_factory, server_settings) -> LiveServer:
    return live_server_factory(**server_settings)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():  # only reached under CI: the hook skips otherwise
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server, request) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (options go to `new_context`).

    The test fails if any page logged a console error, threw, or hit the CSP.
    """
    contexts = []
    problems: list[str] = []
    request.node.stash[PROBLEMS] = problems

    def open_page(**options) -> Page:
        context = new_context(browser, live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        watch_for_errors(page, problems)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page) -> Page:
    return open_page()


@pytest.fixture(scope="session")
def lead_cookies() -> list[dict]:
    """The lead's session cookie, kept from the first sign-in of the run."""
    return []


@pytest.fixture
def signed_in_page(page, lead_cookies) -> Page:
    """A page signed in as the demo's lead, on the campaign list.

    The first test signs in through the form; later ones put its session
    cookie in their fresh context: every live server shares the secret key and
    the demo's ids, and this spares a password hash and two page loads a test.
    """
    return sign_in_as_lead(page, lead_cookies)


def sign_in_as_lead(page: Page, lead_cookies: list[dict]) -> Page:
    """Sign in through the form once, then reuse the session cookie."""
    if lead_cookies:
        page.context.add_cookies(lead_cookies)
        show_list(page)
    else:
        sign_in(page)
        lead_cookies.extend(page.context.cookies())
    return page
