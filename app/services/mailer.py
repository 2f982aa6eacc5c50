"""Sending email: a text and an HTML part rendered from templates side by side."""

import logging

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from app.extensions import mail

log = logging.getLogger("canopy.mail")


def render_email(template: str, locale: str, **context) -> tuple[str, str]:
    """Render emails/<template>.txt and .html in the recipient's language."""
    with force_locale(locale):
        text = render_template(f"emails/{template}.txt", **context)
        html = render_template(f"emails/{template}.html", **context)
    return text, html


def send_email(to: str, subject: str, text: str, html: str) -> None:
    """Send one email, or write it to the log when no mail server is set.

    Raises whatever the SMTP connection raises; callers decide what a failure
    means for their work.
    """
    if not current_app.config.get("MAIL_SERVER"):
        log.info(
            "Email not sent (no MAIL_SERVER) to %s: %s\n--- text ---\n%s\n"
            "--- html ---\n%s",
            to,
            subject,
            text,
            html,
        )
        return
    message = Message(subject=subject, recipients=[to], body=text, html=html)
    mail.send(message)
    log.info("Email sent to %s: %s", to, subject)
