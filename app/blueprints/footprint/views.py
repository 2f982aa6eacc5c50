"""Starting a footprint, its private results, links and methodology."""

import csv
import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.blueprints.campaigns.lookups import get_campaign_or_404
from app.blueprints.footprint import bp, presenting
from app.calculator import service
from app.calculator.factors import CURRENT_VERSION, load_factor_set
from app.calculator.questionnaire import SECTIONS
from app.extensions import db
from app.htmx import render_page_or_fragment
from app.models import Campaign, Footprint, PrivateLink, Questionnaire
from app.timeutil import utcnow


def get_footprint_or_404(footprint_id: int) -> Footprint:
    """Return a footprint of the signed-in person's workspace.

    Raises NotFound when it does not exist or belongs to another workspace.
    """
    footprint = db.session.scalar(
        select(Footprint)
        .join(Campaign, Campaign.id == Footprint.campaign_id)
        .where(
            Footprint.id == footprint_id,
            Campaign.workspace_id == current_user.workspace_id,
        )
    )
    if footprint is None:
        raise NotFound()
    return footprint


def latest_footprint(campaign_id: int) -> Footprint | None:
    return db.session.scalar(
        select(Footprint)
        .where(Footprint.campaign_id == campaign_id)
        .order_by(Footprint.id.desc())
        .limit(1)
    )


@bp.app_context_processor
def campaign_page_helpers() -> dict:
    # The campaign page shows the latest footprint without its view knowing.
    return {"latest_footprint": latest_footprint}


@bp.context_processor
def presenting_helpers() -> dict:
    return {
        "format_mass": presenting.format_mass,
        "format_range": presenting.format_range,
        "block_names": presenting.BLOCK_NAMES,
        "quality_labels": presenting.QUALITY_LABELS,
        "section_titles": {
            section.key: section.title
            for sections in SECTIONS.values()
            for section in sections
        },
    }


@bp.post("/campaigns/<int:campaign_id>/footprint")
def start(campaign_id: int):
    """Start a footprint and email the questionnaire links to the person."""
    campaign = get_campaign_or_404(campaign_id)

    footprint = service.start_footprint(campaign, current_user)

    flash(
        _(
            "The questionnaire links are on their way to %(email)s.",
            email=current_user.email,
        ),
        "success",
    )
    return redirect(url_for(".results", footprint_id=footprint.id), 303)


@bp.get("/footprints/<int:footprint_id>")
def results(footprint_id: int):
    """Show the estimated footprint as answers come in."""
    footprint = get_footprint_or_404(footprint_id)
    return render_page_or_fragment(
        "footprint/results.html",
        "footprint/_results_body.html",
        **results_context(footprint),
    )


@bp.post("/footprints/<int:footprint_id>/settings")
def settings(footprint_id: int):
    """Apply the switches and show the recomputed results."""
    footprint = get_footprint_or_404(footprint_id)

    service.update_settings(footprint, request.form)

    return render_page_or_fragment(
        "footprint/results.html",
        "footprint/_results_body.html",
        **results_context(footprint),
    )


def results_context(footprint: Footprint) -> dict:
    result = service.compute_footprint(footprint)
    factors = load_factor_set(footprint.factor_set)
    creators = [q for q in footprint.questionnaires if q.kind == "creator"]
    links = db.session.scalars(
        select(PrivateLink)
        .join(Questionnaire, Questionnaire.id == PrivateLink.questionnaire_id)
        .where(Questionnaire.footprint_id == footprint.id)
        .order_by(PrivateLink.id)
    ).all()
    return {
        "footprint": footprint,
        "campaign": footprint.campaign,
        "result": result,
        "factors": factors,
        "segments": presenting.bar_segments(result),
        "equivalent": presenting.equivalent(result, factors),
        "levers": presenting.levers(result),
        "answered": sum(1 for q in creators if q.submitted_at),
        "creator_count": len(creators),
        "brand": next(q for q in footprint.questionnaires if q.kind == "brand"),
        "links": links,
        "now": utcnow(),
    }


@bp.get("/footprints/<int:footprint_id>/results.csv")
def results_csv(footprint_id: int):
    """Every computed line, with its factors and the factor-set version."""
    footprint = get_footprint_or_404(footprint_id)
    result = service.compute_footprint(footprint)

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "factor_set",
            "block",
            "respondent",
            "section",
            "row",
            "item",
            "quantity",
            "unit",
            "factors",
            "low_kg",
            "central_kg",
            "high_kg",
            "data",
        ]
    )
    for line in result.lines:
        writer.writerow(
            [
                result.version,
                line.block,
                spreadsheet_safe(line.respondent),
                line.section,
                "" if line.row is None else line.row + 1,
                line.item,
                f"{line.quantity:.6g}",
                line.unit,
                " ".join(line.factor_ids),
                f"{line.low:.6g}",
                f"{line.central:.6g}",
                f"{line.high:.6g}",
                "measured" if line.measured else "default",
            ]
        )
    name = f"footprint-{footprint.campaign_id}-{footprint.id}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def spreadsheet_safe(text: str) -> str:
    """Keep a spreadsheet from reading a brand's name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "\t", "\r") else text


@bp.post("/footprints/<int:footprint_id>/links/<int:link_id>/revoke")
def revoke(footprint_id: int, link_id: int):
    """Close a private link at once; its questionnaire's answers stay."""
    footprint = get_footprint_or_404(footprint_id)
    link = db.session.scalar(
        select(PrivateLink)
        .join(Questionnaire, Questionnaire.id == PrivateLink.questionnaire_id)
        .where(PrivateLink.id == link_id, Questionnaire.footprint_id == footprint.id)
    )
    if link is None:
        raise NotFound()

    service.revoke_link(link)

    flash(_("The link is revoked: it no longer opens the questionnaire."), "success")
    return redirect(url_for(".results", footprint_id=footprint.id), 303)


@bp.get("/footprints/method")
def method():
    """The methodology and the whole factor table."""
    return render_template(
        "footprint/method.html", factors=load_factor_set(CURRENT_VERSION)
    )
