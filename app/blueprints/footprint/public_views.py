"""Questionnaires opened through a private link: no account, one questionnaire.

A link opens only its own questionnaire; every request looks the link up again,
so a revoked or expired link stops working at once.
"""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.blueprints.footprint import public_bp as bp
from app.calculator import service
from app.calculator.airports import search_airports
from app.calculator.compute import compute
from app.calculator.factors import load_factor_set
from app.calculator.questionnaire import SECTIONS, check, find_field
from app.errors import BadInput
from app.extensions import db
from app.models import Questionnaire


@bp.get("/<token>")
def page(token: str):
    """Show the questionnaire the link opens, with every answer so far."""
    questionnaire = service.open_link(token).questionnaire
    return render_template(
        "footprint/questionnaire.html", **page_context(questionnaire, token)
    )


@bp.post("/<token>")
def save_all(token: str):
    """Save the whole form (the path without JavaScript), then act on its button."""
    questionnaire = service.open_link(token).questionnaire
    values, confirmations = form_answers(questionnaire)

    service.save_answers(questionnaire, values, confirmations)
    anchor = ""
    if request.form.get("add"):
        service.add_row(questionnaire, request.form["add"])
        anchor = f"section-{request.form['add']}"
    if "done" in request.form:
        service.mark_submitted(questionnaire)

    return redirect(url_for(".page", token=token, _anchor=anchor or None), 303)


@bp.post("/<token>/field")
def save_field(token: str):
    """Save the one field that changed and answer with it, checked."""
    questionnaire = service.open_link(token).questionnaire
    name = request.headers.get("HX-Trigger-Name") or request.form.get("field", "")
    key = name.removeprefix("confirm.")
    found = find_field(questionnaire.kind, key)
    if found is None:
        raise BadInput(_("This question is not part of your questionnaire."))

    values = {key: last_value(key)}
    confirmations = {key} if request.form.get(f"confirm.{key}") else set()
    service.save_answers(questionnaire, values, confirmations)

    db.session.refresh(questionnaire)
    return render_template(
        "footprint/_field.html",
        field=field_view(questionnaire, key, found[2], saved=True),
        token=token,
    )


@bp.get("/<token>/airports")
def airports(token: str):
    """Airport suggestions for the autocomplete, as <option> elements."""
    service.open_link(token)
    return render_template(
        "footprint/_airport_options.html",
        airports=search_airports(request.args.get("q", "")),
    )


def last_value(key: str) -> str:
    # A checkbox follows a hidden input of the same name: the last value wins.
    values = request.form.getlist(key)
    return values[-1] if values else ""


def form_answers(questionnaire: Questionnaire) -> tuple[dict, set]:
    values = {
        key: last_value(key)
        for key in request.form
        if find_field(questionnaire.kind, key)
    }
    confirmations = {
        key.removeprefix("confirm.")
        for key in request.form
        if key.startswith("confirm.")
    }
    return values, confirmations


def field_view(questionnaire: Questionnaire, key: str, spec, saved=False) -> dict:
    raw, confirmed = questionnaire.answer_map().get(key, ("", False))
    return {
        "key": key,
        "id": "q-" + key.replace(".", "-"),
        "spec": spec,
        "raw": raw,
        "confirmed": confirmed,
        "checked": check(spec, raw, confirmed),
        "saved": saved,
    }


def page_context(questionnaire: Questionnaire, token: str) -> dict:
    """Sections with their rows of field views, and the rows not yet counted."""
    respondent = service.respondents_of(questionnaire)
    footprint = questionnaire.footprint
    result = compute(
        [respondent],
        service.footprint_settings(footprint),
        load_factor_set(footprint.factor_set),
    )
    sections = []
    for section in SECTIONS[questionnaire.kind]:
        rows = []
        numbers = (
            range(service.row_count(questionnaire, section.key))
            if section.repeating
            else [None]
        )
        for row in numbers:
            prefix = section.key if row is None else f"{section.key}.{row}"
            rows.append(
                [
                    field_view(questionnaire, f"{prefix}.{spec.name}", spec)
                    for spec in section.fields
                ]
            )
        nothing = field_view(
            questionnaire,
            f"{section.key}.none",
            find_field(questionnaire.kind, f"{section.key}.none")[2],
        )
        problems = [p for p in result.problems if p[1] == section.key]
        sections.append((section, rows, nothing, problems))
    return {
        "questionnaire": questionnaire,
        "campaign": footprint.campaign,
        "token": token,
        "sections": sections,
    }
