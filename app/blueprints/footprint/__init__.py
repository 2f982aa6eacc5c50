"""Campaign footprints: the signed-in pages, and the questionnaires that
private links open without an account."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("footprint", __name__)
public_bp = Blueprint("questionnaire", __name__, url_prefix="/q")


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Results, links and settings need a signed-in person of the workspace."""


from app.blueprints.footprint import public_views, views  # noqa: E402, F401
