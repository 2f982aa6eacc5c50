"""Campaign list and campaign page views."""

import math

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.blueprints.campaigns import bp
from app.blueprints.campaigns.lookups import get_campaign_or_404
from app.extensions import db
from app.htmx import render_page_or_fragment, wants_fragment
from app.models import Planting, Post
from app.services.campaign_list import fetch_page, parse_list_query
from app.services.nudge import find_nudge
from app.services.quota import queued_count, quota_use
from app.timeutil import business_today, current_month_key

POSTS_PER_PAGE = 20


@bp.get("")
def index():
    """List the workspace's campaigns for the view the query string names."""
    view = parse_list_query(request.args)

    today = business_today()
    page = fetch_page(view, current_user.workspace_id, current_user.id, today)

    if wants_fragment():
        return render_template(
            "campaigns/_results.html", view=view, page=page, today=today
        )
    return render_template(
        "campaigns/index.html",
        view=view,
        page=page,
        today=today,
        quota=quota_use(current_month_key()),
        queued=queued_count(),
    )


@bp.get("/nudge")
def nudge():
    """Suggest archiving the campaigns that look finished.

    Loaded by the list after it shows, and again when campaigns change: finding
    them reads many rows, which the list itself should not wait for.
    """
    if not wants_fragment():
        return redirect(url_for("campaigns.index"))
    found = find_nudge(current_user.workspace_id, business_today())
    return render_template("campaigns/_nudge.html", nudge=found)


@bp.get("/<int:campaign_id>")
def detail(campaign_id: int):
    """Show a campaign with its creators and a page of its posts."""
    campaign = get_campaign_or_404(campaign_id)
    page_text = request.args.get("page", "1")
    requested = int(page_text) if page_text.isdigit() and page_text != "0" else 1

    # The posts counter on the row gives the last page without another query.
    last_page = max(1, math.ceil(campaign.posts_count / POSTS_PER_PAGE))
    posts = db.paginate(
        select(Post)
        .where(Post.campaign_id == campaign.id)
        .order_by(Post.published_at.desc(), Post.id.desc()),
        page=min(requested, last_page),
        per_page=POSTS_PER_PAGE,
        error_out=False,
    )
    creators = campaign_creators(campaign.id)
    planting = db.session.scalar(
        select(Planting).where(Planting.campaign_id == campaign.id)
    )

    return render_page_or_fragment(
        "campaigns/detail.html",
        "campaigns/_posts.html",
        campaign=campaign,
        creators=creators,
        posts=posts,
        planting=planting,
        today=business_today(),
    )


def campaign_creators(campaign_id: int) -> list:
    """Return (creator, posts collected) pairs for a campaign, one query."""
    from app.models import CampaignCreator, Creator

    post_counts = (
        select(Post.creator_id, func.count().label("posts"))
        .where(Post.campaign_id == campaign_id)
        .group_by(Post.creator_id)
        .subquery()
    )
    statement = (
        select(Creator, func.coalesce(post_counts.c.posts, 0))
        .join(CampaignCreator, CampaignCreator.creator_id == Creator.id)
        .outerjoin(post_counts, post_counts.c.creator_id == Creator.id)
        .where(CampaignCreator.campaign_id == campaign_id)
        .order_by(Creator.platform, Creator.handle)
    )
    return db.session.execute(statement).all()
