"""A person's own settings."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("account", __name__)


@bp.before_request
@login_required
def require_sign_in() -> None:
    """Settings belong to a signed-in person."""


from app.blueprints.account import views  # noqa: E402, F401
