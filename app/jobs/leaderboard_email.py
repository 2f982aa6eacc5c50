"""leaderboard-email: each team lead gets last month's Top Tree Planters."""

from flask import url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import outbox
from app.jobs.report import JobReport
from app.models import Planting, User
from app.services.leaderboard import board_for
from app.services.mailer import render_email
from app.services.nudge import find_nudge
from app.templating import month_date
from app.timeutil import business_today

JOB = "leaderboard-email"


def run(period: str) -> JobReport:
    """Owe every lead one email for the period, then send what is owed."""
    lead_ids = list(
        db.session.scalars(select(User.id).where(User.role == "lead").order_by(User.id))
    )
    outbox.owe_emails(JOB, period, lead_ids)

    emails = outbox.deliver(JOB, period, lambda lead: board_email(lead, period))

    summary = (
        f"{len(lead_ids)} lead(s); {emails.sent} email(s) sent, "
        f"{emails.remaining} to retry, {emails.stuck} left for the operator"
    )
    return JobReport(JOB, period, emails.remaining == 0, summary)


def board_email(lead: User, period: str) -> tuple[str, str, str]:
    """Build one lead's email: the board, the queue and what could be archived."""
    workspace_id = lead.workspace_id
    queued = db.session.scalar(
        select(func.count()).where(
            Planting.workspace_id == workspace_id, Planting.state == "queued"
        )
    )
    locale = lead.locale or "en"
    context = {
        "lead": lead,
        "board": board_for(workspace_id, period),
        "month": month_date(period),
        "queued": queued,
        "nudge": find_nudge(workspace_id, business_today()),
        "list_url": url_for("campaigns.index", _external=True),
        "impact_url": url_for("impact.index", _external=True),
    }
    text, html = render_email("leaderboard", locale, **context)
    with force_locale(locale):
        month_name = format_date(context["month"], "MMMM yyyy")
        subject = _("Top Tree Planters of %(month)s", month=month_name)
    return subject, text, html
