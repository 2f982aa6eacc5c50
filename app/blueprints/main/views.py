"""Home and health endpoints."""

from flask import redirect, url_for
from sqlalchemy import text

from app.blueprints.main import bp
from app.extensions import db


@bp.get("/")
def home():
    return redirect(url_for("campaigns.index"))


@bp.get("/healthz")
def healthz():
    """Say the process is alive; nothing else is checked."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Say whether the database answers and its schema is current."""
    from app.services.readiness import migrations_current

    try:
        db.session.execute(text("SELECT 1"))
        current = migrations_current()
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        db.session.rollback()
        return {"status": "unavailable", "database": False}, 503
    if not current:
        return {"status": "unavailable", "database": True, "migrations": False}, 503
    return {"status": "ok", "database": True, "migrations": True}
