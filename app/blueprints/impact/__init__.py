"""What Canopy's trees and archives add up to, and how it is estimated."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("impact", __name__, url_prefix="/impact")


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Impact pages show a workspace's figures: sign-in needed."""


from app.blueprints.impact import views  # noqa: E402, F401
