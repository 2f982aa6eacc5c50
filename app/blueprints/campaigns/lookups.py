"""Fetching campaigns with the workspace rule applied."""

from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.models import Campaign


def get_campaign_or_404(campaign_id: int) -> Campaign:
    """Return a campaign of the signed-in person's workspace.

    Raises NotFound when it does not exist or belongs to another workspace, so
    that other workspaces' ids reveal nothing.
    """
    campaign = db.session.scalar(
        select(Campaign).where(
            Campaign.id == campaign_id,
            Campaign.workspace_id == current_user.workspace_id,
        )
    )
    if campaign is None:
        raise NotFound()
    return campaign
