"""Starting a footprint, private links, saving answers and computing results."""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.calculator.compute import GRIDS, Respondent, Result, Settings, compute
from app.calculator.factors import CURRENT_VERSION, load_factor_set
from app.calculator.questionnaire import MAX_ROWS, SECTIONS, find_field
from app.database import write_transaction
from app.errors import BadInput
from app.extensions import db
from app.models import (
    Answer,
    Campaign,
    CampaignCreator,
    Footprint,
    Post,
    PrivateLink,
    Questionnaire,
    User,
)
from app.models.footprints import hash_token
from app.services.mailer import render_email, send_email
from app.timeutil import utcnow

log = logging.getLogger("canopy.footprint")

LINK_LIFETIME = timedelta(days=90)


@dataclass(frozen=True)
class IssuedLink:
    """A link just created: the only moment its token is known."""

    label: str
    kind: str
    url: str


def start_footprint(campaign: Campaign, user: User) -> Footprint:
    """Create the footprint, its questionnaires and links, and email the links.

    The email goes after the commit: a refused email leaves a footprint whose
    links can be issued again, never links that were not stored.
    """
    with write_transaction():
        footprint = Footprint(
            campaign_id=campaign.id, started_by_id=user.id, factor_set=CURRENT_VERSION
        )
        db.session.add(footprint)
        db.session.flush()
        issued = [issue_link(new_questionnaire(footprint, None))]
        issued += campaign_links(footprint, campaign)
    send_links(footprint, user, issued)
    return footprint


def campaign_links(footprint: Footprint, campaign: Campaign) -> list[IssuedLink]:
    """Create one pre-filled questionnaire and link per creator of the campaign."""
    creator_ids = db.session.scalars(
        select(CampaignCreator.creator_id)
        .where(CampaignCreator.campaign_id == campaign.id)
        .order_by(CampaignCreator.creator_id)
    ).all()
    issued = []
    for creator_id in creator_ids:
        questionnaire = new_questionnaire(footprint, creator_id)
        prefill_posts(questionnaire, campaign.id, creator_id)
        issued.append(issue_link(questionnaire))
    return issued


def new_questionnaire(footprint: Footprint, creator_id: int | None) -> Questionnaire:
    questionnaire = Questionnaire(
        footprint_id=footprint.id,
        kind="creator" if creator_id else "brand",
        creator_id=creator_id,
    )
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def prefill_posts(questionnaire: Questionnaire, campaign_id: int, creator_id: int):
    """Write one posts row per collected post: its platform and link."""
    collected = db.session.scalars(
        select(Post)
        .where(Post.campaign_id == campaign_id, Post.creator_id == creator_id)
        .order_by(Post.published_at, Post.id)
        .limit(MAX_ROWS)
    ).all()
    for row, post in enumerate(collected):
        for name, value in (("platform", post.platform), ("link", post.url or "")):
            if find_field("creator", f"posts.{row}.{name}") and value:
                db.session.add(
                    Answer(
                        questionnaire_id=questionnaire.id,
                        key=f"posts.{row}.{name}",
                        value=value,
                    )
                )
    if collected:
        db.session.add(
            Answer(
                questionnaire_id=questionnaire.id,
                key="posts.rows",
                value=str(len(collected)),
            )
        )


def issue_link(questionnaire: Questionnaire) -> IssuedLink:
    """Store a new private link's hash and return its one-time URL."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        PrivateLink(
            questionnaire_id=questionnaire.id,
            kind=questionnaire.kind,
            creator_id=questionnaire.creator_id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    url = url_for("questionnaire.page", token=token, _external=True)
    return IssuedLink(questionnaire.label, questionnaire.kind, url)


def send_links(footprint: Footprint, user: User, issued: list[IssuedLink]) -> None:
    campaign = footprint.campaign
    context = {
        "user": user,
        "campaign": campaign,
        "brand_link": next(link for link in issued if link.kind == "brand"),
        "creator_links": [link for link in issued if link.kind == "creator"],
        "results_url": url_for(
            "footprint.results", footprint_id=footprint.id, _external=True
        ),
        "expires_days": LINK_LIFETIME.days,
    }
    locale = user.locale or "en"
    text, html = render_email("footprint_links", locale, **context)
    with force_locale(locale):
        subject = _(
            "Estimated footprint of %(campaign)s: your questionnaire links",
            campaign=campaign.name,
        )
    send_email(user.email, subject, text, html)


def revoke_link(link: PrivateLink) -> None:
    with write_transaction():
        link.revoked_at = link.revoked_at or utcnow()


def open_link(token: str) -> PrivateLink:
    """Return the open link for a token, else refuse with 404 and a clear message."""
    link = db.session.scalar(
        select(PrivateLink).where(PrivateLink.token_hash == hash_token(token))
    )
    if link is None or not link.is_open(utcnow()):
        raise BadInput(
            _(
                "This questionnaire link does not exist, has expired or was "
                "revoked. Ask the brand for a new link."
            ),
            404,
        )
    return link


def save_answers(
    questionnaire: Questionnaire, values: dict[str, str], confirmations: set[str]
) -> None:
    """Store answers as typed; keys the questionnaire does not ask are ignored."""
    known = {
        key: value[:2000]
        for key, value in values.items()
        if find_field(questionnaire.kind, key)
    }
    if not known:
        return
    with write_transaction():
        stored = {a.key: a for a in questionnaire.answers}
        for key, value in known.items():
            answer = stored.get(key)
            if answer is None:
                answer = Answer(questionnaire_id=questionnaire.id, key=key)
                db.session.add(answer)
            unchanged = answer.value == value and bool(answer.confirmed)
            answer.confirmed = key in confirmations or unchanged
            answer.value = value
        questionnaire.updated_at = utcnow()


def row_count(questionnaire: Questionnaire, section_key: str) -> int:
    """Rows shown for a section: at least one, and every row that has answers."""
    answers = questionnaire.answer_map()
    stored = answers.get(f"{section_key}.rows", ("1", False))[0]
    count = int(stored) if stored.isdigit() else 1
    for key in answers:
        parts = key.split(".")
        if parts[0] == section_key and len(parts) == 3 and parts[1].isdigit():
            count = max(count, int(parts[1]) + 1)
    return min(max(count, 1), MAX_ROWS)


def add_row(questionnaire: Questionnaire, section_key: str) -> None:
    if section_key not in {s.key for s in SECTIONS[questionnaire.kind] if s.repeating}:
        raise BadInput(_("This section has no rows to add."))
    count = row_count(questionnaire, section_key)
    if count >= MAX_ROWS:
        raise BadInput(_("A section holds at most %(count)s rows.", count=MAX_ROWS))
    with write_transaction():
        key = f"{section_key}.rows"
        answer = db.session.scalar(
            select(Answer).where(
                Answer.questionnaire_id == questionnaire.id, Answer.key == key
            )
        ) or Answer(questionnaire_id=questionnaire.id, key=key)
        answer.value = str(count + 1)
        db.session.add(answer)


def mark_submitted(questionnaire: Questionnaire) -> None:
    with write_transaction():
        questionnaire.submitted_at = questionnaire.submitted_at or utcnow()


def update_settings(footprint: Footprint, form) -> None:
    """Apply the results page's switches; an unknown grid is refused."""
    grid = form.get("grid", footprint.grid)
    if grid not in GRIDS:
        raise BadInput(_("Choose France, the EU or the world for the grid."))
    with write_transaction():
        footprint.contrails = form.get("contrails") == "on"
        footprint.device_manufacture = form.get("device_manufacture") == "on"
        footprint.grid = grid


def footprint_settings(footprint: Footprint) -> Settings:
    return Settings(footprint.contrails, footprint.device_manufacture, footprint.grid)


def respondents(footprint: Footprint) -> list[Respondent]:
    return [
        Respondent(q.label, q.kind, q.answer_map()) for q in footprint.questionnaires
    ]


def compute_footprint(footprint: Footprint) -> Result:
    """Compute from the stored answers with the footprint's own factor set."""
    return compute(
        respondents(footprint),
        footprint_settings(footprint),
        load_factor_set(footprint.factor_set),
    )


def respondents_of(questionnaire: Questionnaire) -> Respondent:
    return Respondent(
        questionnaire.label, questionnaire.kind, questionnaire.answer_map()
    )
