"""Sign-in views. Failed attempts are rate limited; successes are not."""

import logging
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from app.blueprints.auth import bp
from app.database import write_transaction
from app.errors import BadInput
from app.extensions import db, limiter, login_manager
from app.logs import remember_user_for_logs
from app.models import User

log = logging.getLogger("canopy.auth")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    remember_user_for_logs(user.id if user else None)
    return user


@login_manager.unauthorized_handler
def ask_to_sign_in():
    if request.headers.get("HX-Request") == "true":
        return "", 401, {"HX-Redirect": url_for("auth.login")}
    # Only a page can be come back to; a form's target would miss its data.
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def safe_next(target: str | None) -> str:
    """Return a same-site path to go to after sign-in, never another host."""
    if not target:
        return url_for("campaigns.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("campaigns.index")
    if target.startswith("//") or "\\" in target:
        return url_for("campaigns.index")
    return target


def sign_in_limit() -> str:
    return current_app.config["SIGN_IN_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    sign_in_limit, methods=["POST"], deduct_when=lambda r: r.status_code == 401
)
def login():
    """Show the sign-in form, or sign the person in."""
    if current_user.is_authenticated:
        return redirect(url_for("campaigns.index"))
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next"))

    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))

    if user is None or not user.check_password(password):
        log.info("Failed sign-in")
        message = _("That email and password do not match. Please try again.")
        page = render_template(
            "auth/login.html",
            error=message,
            email=email,
            next=request.form.get("next"),
        )
        return page, 401

    login_user(user)
    log.info("User %s signed in", user.id)
    return redirect(safe_next(request.form.get("next")), code=303)


@bp.post("/logout")
@login_required
def logout():
    """Sign the person out."""
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.post("/language")
def choose_language():
    """Remember a language for this browser, and for the person if signed in."""
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        raise BadInput(_("Choose English or French."))

    session["locale"] = locale
    if current_user.is_authenticated:
        with write_transaction():
            current_user.locale = locale
    return redirect(safe_next(request.form.get("next")), code=303)
