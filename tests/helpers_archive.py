"""Helpers for the archive, planting and quota tests: signed-in clients that post
the archive form, fresh reads of what changed, and plain-text views of answers."""

import html
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.models import Campaign, Planting, PlantingOrder, QuotaMonth
from app.timeutil import business_today, month_key
from tests.conftest import CSRF_META
from tests.factories import PASSWORD
from tests.helpers import make_campaigns

LIST_URL = "http://localhost/campaigns"
HREF = re.compile(r'href="([^"]*)"')


@dataclass
class Person:
    """A test client signed in as one person, holding its session's CSRF token."""

    client: object
    token: str

    def headers(self, htmx: bool, current_url: str | None) -> dict:
        headers = {"X-CSRFToken": self.token}
        if htmx:
            headers["HX-Request"] = "true"
        if current_url:
            headers["HX-Current-URL"] = current_url
        return headers

    def get(self, url: str, htmx: bool = False):
        with own_context(self.client):
            return self.client.get(url, headers=self.headers(htmx, None))

    def archive(self, ids, htmx: bool = True, current_url: str | None = None):
        """Post the archive form for these campaign ids."""
        with own_context(self.client):
            return self.client.post(
                "/campaigns/archive",
                data={"ids": [str(i) for i in ids]},
                headers=self.headers(htmx, current_url),
                csrf=False,
            )

    def restore(
        self, campaign_id: int, htmx: bool = True, current_url: str | None = None
    ):
        with own_context(self.client):
            return self.client.post(
                f"/campaigns/{campaign_id}/restore",
                headers=self.headers(htmx, current_url),
                csrf=False,
            )


@contextmanager
def own_context(client) -> Iterator[None]:
    """Run a request in an application context of its own.

    Without it, a request made from the test's thread reuses the test's context:
    its `g` (where Flask-Login caches the signed-in person) and its database
    session would carry over from one client's request to another's.
    """
    with client.application.app_context():
        yield


def sign_in(app, email: str) -> Person:
    """Return a new client signed in as `email` (password of the factories)."""
    client = app.test_client()
    with own_context(client):
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)
    with own_context(client):
        # Signed in, /login redirects to the list, which carries the token too.
        page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    return Person(client, CSRF_META.search(page).group(1))


# The campaigns these tests archive all ended 45 days ago.
ended_campaigns = make_campaigns


def text_of(response) -> str:
    """Return the answer's HTML with entities decoded, for plain-text checks."""
    return html.unescape(response.get_data(as_text=True))


def squash(text: str) -> str:
    """Collapse runs of whitespace, so wrapped template text reads as one line."""
    return " ".join(text.split())


def fresh() -> None:
    """End the test's own read transaction so the next query sees every commit."""
    db.session.rollback()


def plantings() -> list[Planting]:
    fresh()
    return list(db.session.scalars(select(Planting).order_by(Planting.id)))


def orders() -> list[PlantingOrder]:
    fresh()
    return list(db.session.scalars(select(PlantingOrder).order_by(PlantingOrder.id)))


def campaign(campaign_id: int) -> Campaign:
    fresh()
    return db.session.get(Campaign, campaign_id)


def quota_used(month: str | None = None) -> int:
    """Return the slots taken in a month (this month by default); 0 without a row."""
    fresh()
    month = month or month_key(business_today())
    used = db.session.scalar(select(QuotaMonth.used).where(QuotaMonth.month == month))
    return used or 0


def count_by_state() -> dict[str, int]:
    fresh()
    rows = db.session.execute(
        select(Planting.state, func.count()).group_by(Planting.state)
    ).all()
    return dict(rows)


def next_month_key() -> str:
    today = business_today()
    if today.month == 12:
        return f"{today.year + 1:04d}-01"
    return f"{today.year:04d}-{today.month + 1:02d}"


def dialog_href(page: str) -> str:
    """Return the decoded link of the nudge's "Review and archive" button."""
    for href in HREF.findall(page):
        decoded = html.unescape(href)
        if decoded.startswith("/campaigns/archive?"):
            return decoded
    raise AssertionError("no link to the archive dialog on the page")


@dataclass
class Race:
    """Release callables together from many threads and collect what each did."""

    jobs: list[Callable[[], object]]
    results: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def run(self, timeout: float = 120) -> None:
        barrier = threading.Barrier(len(self.jobs))
        lock = threading.Lock()

        def worker(job) -> None:
            try:
                barrier.wait(timeout=timeout)
                outcome = job()
            except BaseException as error:  # noqa: BLE001 - reported to the test
                with lock:
                    self.errors.append(error)
                return
            with lock:
                self.results.append(outcome)

        threads = [threading.Thread(target=worker, args=(job,)) for job in self.jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
        assert not any(thread.is_alive() for thread in threads), "a thread hung"
