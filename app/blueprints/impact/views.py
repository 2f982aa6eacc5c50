"""The impact page and the "how we estimate" page."""

from flask import render_template
from flask_login import current_user

from app.blueprints.impact import bp
from app.services import co2, impact, quota
from app.services.leaderboard import board_for
from app.timeutil import current_month_key


@bp.get("")
def index():
    """Show the workspace's forest, this month's board and both ledgers."""
    workspace_id = current_user.workspace_id
    month = current_month_key()

    return render_template(
        "impact/index.html",
        forest=impact.forest_of(workspace_id),
        mine=impact.my_trees(current_user.id),
        months=impact.trees_per_month(workspace_id),
        quota=quota.quota_use(month),
        board=board_for(workspace_id, month),
        avoided=impact.avoided_by_archiving(workspace_id),
    )


@bp.get("/method")
def method():
    """Name every factor behind Canopy's CO₂ figures, with its source."""
    return render_template("impact/method.html", factors=co2.FACTORS)
