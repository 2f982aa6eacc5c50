"""The settings page: language, leaderboard and Tree-Nation emails."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.account import bp
from app.database import write_transaction
from app.errors import BadInput

YES_NO = {"yes": True, "no": False}


@bp.get("/settings")
def settings():
    """Show the person's settings."""
    return render_template("account/settings.html")


@bp.post("/settings")
def save_settings():
    """Save the person's settings."""
    locale = request.form.get("locale", "")
    if locale not in ("", *current_app.config["LANGUAGES"]):
        raise BadInput(_("Choose English, French or your browser's language."))
    opt_out = request.form.get("leaderboard", "")
    may_email = request.form.get("tree_nation_email", "")
    if opt_out not in ("shown", "hidden") or may_email not in YES_NO:
        raise BadInput(_("Choose one option for each setting."))

    with write_transaction():
        current_user.locale = locale or None
        current_user.leaderboard_opt_out = opt_out == "hidden"
        current_user.tree_nation_may_email = YES_NO[may_email]

    flash(_("Your settings are saved."), "success")
    return redirect(url_for("account.settings"), code=303)
