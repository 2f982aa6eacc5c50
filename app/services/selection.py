"""Reading a selection of campaign ids and loading it within a workspace."""

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.errors import BadInput
from app.extensions import db
from app.models import Campaign

MAX_SELECTION = 500


def parse_ids(values: list[str]) -> list[int]:
    """Return the distinct ids of a selection, refusing malformed ones."""
    if not values:
        raise BadInput(_("Select at least one campaign."))
    if not all(value.strip().isdigit() for value in values):
        raise BadInput(_("The selection holds something that is not a campaign."))
    ids = list(dict.fromkeys(int(value) for value in values))
    if len(ids) > MAX_SELECTION:
        raise BadInput(
            _("Select at most %(limit)s campaigns at a time.", limit=MAX_SELECTION)
        )
    return ids


def load_campaigns(
    workspace_id: int, ids: list[int], for_update: bool = False
) -> list[Campaign]:
    """Return the campaigns in id order, all of the workspace, or raise NotFound.

    One missing or foreign id refuses the whole selection, revealing nothing.
    """
    statement = (
        select(Campaign)
        .where(Campaign.id.in_(ids), Campaign.workspace_id == workspace_id)
        .order_by(Campaign.id)
    )
    if for_update:
        statement = statement.with_for_update()
    campaigns = list(db.session.scalars(statement))
    if len(campaigns) != len(set(ids)):
        raise NotFound()
    return campaigns
