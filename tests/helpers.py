"""Helpers for the web tests: a client with a fresh context per request, reading
rows back, counting SQL statements and building many campaigns at once."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db
from app.models import ArchiveEvent, Campaign, Planting, User
from app.timeutil import business_today
from tests.conftest import CSRF_META, CanopyClient

ROW_ID = re.compile(r'<tr id="campaign-(\d+)"')
HTMX = {"HX-Request": "true"}


class IsolatedClient(CanopyClient):
    """A test client whose every request runs in its own app context.

    The `app` fixture keeps one app context pushed for the whole test and
    Flask's test client reuses it, so whatever extensions cache in `g` (the
    signed-in person, the CSRF token, the locale) would leak from one request
    to the next, and from one client to another. A server gives each request
    a fresh context; so does this client.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        # A signed-in person asking for /login is sent on to the campaign list,
        # so follow the redirect to reach a page that carries the token.
        page = self.get("/login", follow_redirects=True).get_data(as_text=True)
        return CSRF_META.search(page).group(1)


def isolated_client(app) -> IsolatedClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


def row_ids(html: str) -> list[int]:
    """Return the campaign ids of the list's rows, in page order."""
    return [int(found) for found in ROW_ID.findall(html)]


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    """Collect every SQL statement the engine sends while the block runs."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def make_campaigns(
    owner: User, count: int, prefix: str = "Campaign", **fields
) -> list[Campaign]:
    """Create `count` ended campaigns named "<prefix> 001"… in one commit."""
    today = business_today()
    campaigns = [
        Campaign(
            workspace_id=owner.workspace_id,
            owner_id=owner.id,
            name=f"{prefix} {n:03d}",
            brand="Lumière",
            start_date=today - timedelta(days=90 + n),
            end_date=today - timedelta(days=45),
            **fields,
        )
        for n in range(1, count + 1)
    ]
    db.session.add_all(campaigns)
    db.session.commit()
    return campaigns


def archive_state(campaign_id: int) -> tuple:
    """Return what archiving would change for a campaign, read afresh."""
    db.session.rollback()
    campaign = db.session.get(Campaign, campaign_id)
    events = db.session.query(ArchiveEvent).filter_by(campaign_id=campaign_id).count()
    trees = db.session.query(Planting).filter_by(campaign_id=campaign_id).count()
    return campaign.archived_at, events, trees
