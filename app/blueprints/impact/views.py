"""The "how we estimate" page."""

from flask import render_template

from app.blueprints.impact import bp
from app.services import co2


@bp.get("/method")
def method():
    """Name every factor behind Canopy's CO₂ figures, with its source."""
    return render_template("impact/method.html", factors=co2.FACTORS)
