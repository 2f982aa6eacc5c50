"""My campaigns: the list, a campaign's page, archiving and restoring."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Every campaign page needs a signed-in person."""


from app.blueprints.campaigns import archive_views, views  # noqa: E402, F401
