"""Helpers for the web tests: reading rows back, counting SQL statements and
building many campaigns at once."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db
from app.models import ArchiveEvent, Campaign, Planting, User
from app.timeutil import business_today
from tests.conftest import CanopyClient

ROW_ID = re.compile(r'<tr id="campaign-(\d+)"')
HTMX = {"HX-Request": "true"}


# The shared client already gives each request its own context; these names
# remain for the modules that ask for it explicitly.
IsolatedClient = CanopyClient


def isolated_client(app) -> CanopyClient:
    """Return Canopy's test client for an app built outside the `app` fixture."""
    return CanopyClient(app, app.response_class, use_cookies=True)


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
