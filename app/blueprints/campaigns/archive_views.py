"""Archive and restore: the dialog, the action and its confirmation."""

from urllib.parse import parse_qs, urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.blueprints.campaigns import bp, messages
from app.errors import BadInput
from app.htmx import render_page_or_fragment, wants_fragment
from app.i18n import select_locale
from app.services.archive_preview import preview_archive
from app.services.archiving import archive_campaigns, restore_campaign
from app.services.campaign_list import ListQuery, fetch_page, parse_list_query
from app.services.quota import months_ahead, queued_count, quota_use
from app.services.selection import load_campaigns, parse_ids
from app.timeutil import business_today, current_month_key

# Parts of the page that depend on which campaigns are archived (the nudge)
# reload themselves on this event.
CAMPAIGNS_CHANGED = "canopy:campaigns-changed"


@bp.get("/archive")
def archive_dialog():
    """Explain what archiving the selected campaigns stops, avoids and earns."""
    ids = parse_ids(request.args.getlist("ids"))

    campaigns = load_campaigns(current_user.workspace_id, ids)
    preview = preview_archive(campaigns)

    return render_page_or_fragment(
        "campaigns/archive.html", "campaigns/_archive_dialog.html", preview=preview
    )


@bp.post("/archive")
def archive():
    """Archive the selected campaigns and plant the trees they earn."""
    ids = parse_ids(request.form.getlist("ids"))

    user = current_user._get_current_object()
    result = archive_campaigns(user, ids, language=select_locale())

    notes = confirmation_notes(result)
    if not wants_fragment():
        for category, text in notes:
            flash(text, category)
        return redirect(url_for("campaigns.index"), code=303)
    body = render_template(
        "campaigns/_archived.html", result=result, notes=notes, **list_updates()
    )
    return body, {"HX-Trigger": CAMPAIGNS_CHANGED}


def confirmation_notes(result) -> list[tuple[str, str]]:
    """Return (category, text) lines telling what the archive action did."""
    if not result.archived_ids:
        return [("info", messages.already_archived_message())]
    notes = [("archived", messages.archived_message(len(result.archived_ids)))]
    if result.order is not None:
        notes.append(("tree", messages.order_message(result.order)))
    if result.queue_positions:
        first, last = result.queue_positions
        months = months_ahead(last)
        notes.append(("queued", messages.queue_message(first, last, months, True)))
    untreed = len(result.archived_ids) - result.trees_earned
    if untreed:
        notes.append(("info", messages.untreed_message(untreed)))
    return notes


@bp.post("/<int:campaign_id>/restore")
def restore(campaign_id: int):
    """Restore an archived campaign; its tree stays."""
    user = current_user._get_current_object()
    campaign, restored = restore_campaign(user, campaign_id)

    if restored:
        text = messages.restored_message(campaign.name)
    else:
        text = messages.not_archived_message(campaign.name)
    if not wants_fragment():
        flash(text, "info")
        return redirect(url_for("campaigns.index", status="archived"), code=303)
    return render_template("campaigns/_restored.html", text=text, **list_updates())


def current_list_view() -> ListQuery | None:
    """Return the list view the request came from, if it came from the list."""
    current = request.headers.get("HX-Current-URL", "")
    parts = urlsplit(current)
    if parts.path.rstrip("/") != url_for("campaigns.index").rstrip("/"):
        return None
    try:
        return parse_list_query(MultiDict(parse_qs(parts.query)))
    except BadInput:
        return None


def list_updates() -> dict:
    """Return the list as it must now show, for the view the request came from.

    The whole results section is sent again rather than row by row: rows of
    other pages move up, and the count and pagination stay right.
    """
    view = current_list_view()
    if view is None:
        return {"view": None}
    today = business_today()
    workspace_id, user_id = current_user.workspace_id, current_user.id
    return {
        "view": view,
        "today": today,
        "page": fetch_page(view, workspace_id, user_id, today),
        "quota": quota_use(current_month_key()),
        "queued": queued_count(),
    }


@bp.context_processor
def archive_helpers() -> dict:
    def queue_notice(forecast) -> str:
        return messages.queue_message(
            forecast.queue_first, forecast.queue_last, forecast.months_ahead, False
        )

    return {"queue_notice": queue_notice}
