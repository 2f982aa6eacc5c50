"""Starting a footprint, the private links, saving answers and the results."""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.calculator.compute import Settings, compute
from app.calculator.factors import load_factor_set
from app.calculator.service import compute_footprint, respondents
from app.extensions import db
from app.models import Answer, Footprint, PrivateLink, Questionnaire
from app.timeutil import utcnow
from tests.factories import add_posts, make_campaign
from tests.smtp import mail_settings, smtp_server  # noqa: F401

LEAD = "lead@demo.canopy.test"
LINK = re.compile(r"http://localhost/q/([A-Za-z0-9_-]+)")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def settings(smtp_server):  # noqa: F811
    return mail_settings(smtp_server)


@pytest.fixture
def campaign(people):
    campaign = make_campaign(people["lead"], name="Summer Glow")
    add_posts(campaign, 2, handle="lea", platform="tiktok")
    add_posts(campaign, 1, handle="hugo", platform="instagram")
    return campaign


@pytest.fixture
def started(client, auth, campaign, smtp_server):  # noqa: F811
    """Start a footprint as the lead; return the footprint and the emailed tokens."""
    auth.login()
    response = client.post(f"/campaigns/{campaign.id}/footprint")
    assert response.status_code == 303
    (message,) = smtp_server.to(LEAD)
    tokens = LINK.findall(message.text)
    db.session.rollback()  # end the test's read snapshot taken before the request
    footprint = db.session.scalar(select(Footprint))
    return footprint, message, tokens


def token_for(message, label: str) -> str:
    line = next(line for line in message.text.splitlines() if line.startswith(label))
    return LINK.search(line).group(1)


def save(client, token: str, key: str, value: str, confirm: bool = False):
    data = {key: value}
    if confirm:
        data[f"confirm.{key}"] = "on"
    headers = {**HTMX, "HX-Trigger-Name": f"confirm.{key}" if confirm else key}
    return client.post(f"/q/{token}/field", data=data, headers=headers)


def stored(token_questionnaire: Questionnaire) -> dict:
    db.session.rollback()
    return dict(
        db.session.execute(
            select(Answer.key, Answer.value).where(
                Answer.questionnaire_id == token_questionnaire.id
            )
        ).all()
    )


def questionnaire_of(handle: str | None) -> Questionnaire:
    db.session.rollback()
    for q in db.session.scalars(select(Questionnaire)):
        if (q.creator.handle if q.creator else None) == handle:
            return q
    raise AssertionError(handle)


def test_start_emails_the_brand_link_and_one_link_per_creator(client, started):
    footprint, message, tokens = started
    empty = client.get(f"/footprints/{footprint.id}").get_data(as_text=True)
    assert "No answers counted yet." in empty and "0 of 2 creators answered" in empty
    assert "Summer Glow" in message.subject
    assert len(tokens) == 3  # the brand, @hugo and @lea
    assert "@lea:" in message.text and "@hugo:" in message.text
    # Only hashes are stored, and links expire after 90 days.
    links = db.session.scalars(select(PrivateLink)).all()
    assert {link.token_hash for link in links}.isdisjoint(tokens)
    for link in links:
        assert link.expires_at - link.created_at == timedelta(days=90)
    assert footprint.factor_set == "v1"


def test_a_creator_link_opens_only_that_creator_prefilled(client, started):
    _footprint, message, _tokens = started
    client.post("/logout")
    page = client.get(f"/q/{token_for(message, '@lea')}").get_data(as_text=True)
    assert "Questionnaire for @lea" in page
    assert "@hugo" not in page
    assert page.count('value="tiktok" selected') == 2  # two collected posts


def test_answers_save_as_typed_and_stay_with_their_creator(client, started):
    _footprint, message, _tokens = started
    client.post("/logout")
    lea, hugo = token_for(message, "@lea"), token_for(message, "@hugo")

    response = save(client, lea, "posts.0.views", "12000")
    assert response.status_code == 200 and "Saved" in response.get_data(as_text=True)
    save(client, hugo, "posts.0.views", "500")

    assert stored(questionnaire_of("lea"))["posts.0.views"] == "12000"
    assert stored(questionnaire_of("hugo"))["posts.0.views"] == "500"
    # A half-typed wrong value is kept, with its message, and not counted.
    body = save(client, lea, "travel.0.origin", "Pariss").get_data(as_text=True)
    assert "Unknown airport" in body and 'value="Pariss"' in body
    assert stored(questionnaire_of("lea"))["travel.0.origin"] == "Pariss"


def test_a_creator_link_cannot_reach_results_or_other_answers(client, started):
    footprint, message, _tokens = started
    client.post("/logout")
    lea = token_for(message, "@lea")
    for url in (
        f"/footprints/{footprint.id}",
        f"/footprints/{footprint.id}/results.csv",
    ):
        assert client.get(url).status_code == 302  # to sign-in
    # Keys name a field, never a questionnaire: nothing reaches @hugo's answers.
    response = save(client, lea, "questionnaire.2.posts.0.views", "1")
    assert response.status_code == 400
    assert "posts.0.views" not in stored(questionnaire_of("hugo"))


def test_revoked_link_is_refused(client, started):
    footprint, message, _tokens = started
    lea = token_for(message, "@lea")
    link = db.session.scalar(
        select(PrivateLink)
        .where(PrivateLink.creator_id.is_not(None))
        .order_by(PrivateLink.id.desc())
    )
    lea_link = next(
        found
        for found in db.session.scalars(select(PrivateLink))
        if found.questionnaire.creator and found.questionnaire.creator.handle == "lea"
    )
    assert link is not None
    response = client.post(f"/footprints/{footprint.id}/links/{lea_link.id}/revoke")
    assert response.status_code == 303

    for method, url in (("get", f"/q/{lea}"), ("post", f"/q/{lea}/field")):
        refused = getattr(client, method)(url)
        assert refused.status_code == 404
        assert "expired or was revoked" in refused.get_data(as_text=True)
    assert client.get(f"/q/{token_for(message, '@hugo')}").status_code == 200


def test_expired_and_unknown_links_are_refused(client, started):
    _footprint, message, _tokens = started
    lea = token_for(message, "@lea")
    with time_machine.travel(utcnow() + timedelta(days=89), tick=False):
        assert client.get(f"/q/{lea}").status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=91), tick=False):
        assert client.get(f"/q/{lea}").status_code == 404
    assert client.get("/q/not-a-token").status_code == 404


def test_other_workspaces_and_visitors_get_nothing(client, auth, campaign, people):
    auth.login("lead@other.canopy.test")
    assert client.post(f"/campaigns/{campaign.id}/footprint").status_code == 404
    auth.logout()
    auth.login()
    client.post(f"/campaigns/{campaign.id}/footprint")
    db.session.rollback()
    footprint = db.session.scalar(select(Footprint))
    auth.logout()
    assert client.get(f"/footprints/{footprint.id}").status_code == 302
    auth.login("lead@other.canopy.test")
    for url in (
        f"/footprints/{footprint.id}",
        f"/footprints/{footprint.id}/results.csv",
    ):
        assert client.get(url).status_code == 404
    link = db.session.scalar(select(PrivateLink))
    revoke = f"/footprints/{footprint.id}/links/{link.id}/revoke"
    assert client.post(revoke).status_code == 404


def test_start_needs_csrf(client, auth, campaign):
    auth.login()
    assert (
        client.post(f"/campaigns/{campaign.id}/footprint", csrf=False).status_code
        == 400
    )


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("nights.0.nights", "-3", "zero or more"),
        ("travel.0.date", "2026-02-30", "real date"),
        ("travel.0.destination", "QQX", "Unknown airport"),
        ("parcels.0.weight_kg", "45", "over 30 kg"),
        ("paid.0.impressions", "lots", "whole number"),
    ],
)
def test_bad_inputs_answer_with_their_message(client, started, key, value, message):
    _footprint, mail, _tokens = started
    brand = LINK.search(mail.text).group(1)
    body = save(client, brand, key, value).get_data(as_text=True)
    assert message in body
    assert 'aria-invalid="true"' in body


def test_absurd_magnitudes_ask_to_confirm(client, started):
    _footprint, mail, _tokens = started
    brand = LINK.search(mail.text).group(1)
    body = save(client, brand, "nights.0.nights", "400").get_data(as_text=True)
    assert "tick to confirm" in body
    body = save(client, brand, "nights.0.nights", "400", confirm=True).get_data(
        as_text=True
    )
    assert "tick to confirm" not in body and "Saved" in body
    db.session.rollback()
    answer = db.session.scalar(select(Answer).where(Answer.key == "nights.0.nights"))
    assert answer.confirmed
    save(client, brand, "nights.0.nights", "500")
    db.session.rollback()
    assert not answer.confirmed  # a new value needs a new confirmation


def test_the_full_form_works_without_javascript(client, started):
    _footprint, mail, _tokens = started
    client.post("/logout")
    lea = token_for(mail, "@lea")
    form = {
        "posts.0.format": "video",
        "posts.0.views": "100000",
        "posts.0.watch_seconds": "12",
        "travel.0.round_trip": ["", "on"],
        "add": "travel",
    }
    response = client.post(f"/q/{lea}", data=form)
    assert response.status_code == 303
    answers = stored(questionnaire_of("lea"))
    assert answers["posts.0.views"] == "100000"
    assert answers["travel.0.round_trip"] == "on"
    assert answers["travel.rows"] == "2"
    page = client.get(f"/q/{lea}").get_data(as_text=True)
    assert "Row 2" in page
    client.post(f"/q/{lea}", data={"done": "1"})
    assert questionnaire_of("lea").submitted_at is not None


def test_results_page_csv_and_switches(client, started):
    footprint, mail, _tokens = started
    brand, lea = LINK.search(mail.text).group(1), token_for(mail, "@lea")
    for key, value in (
        ("posts.0.format", "video"),
        ("posts.0.views", "100000"),
        ("posts.0.watch_seconds", "12"),
        ("travel.0.mode", "plane"),
        ("travel.0.origin", "ORY"),
        ("travel.0.destination", "NCE"),
    ):
        save(client, lea, key, value)
    client.post(f"/q/{lea}", data={"done": "1"})
    save(client, brand, "paid.none", "on")

    page = client.get(f"/footprints/{footprint.id}").get_data(as_text=True)
    assert "1 of 2 creators answered" in page
    assert "Not reported" in page and "style=" not in page
    assert "<svg" in page and "Flight ORY–NCE" in page
    assert "carbon neutral" not in page.lower()

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/footprints/{footprint.id}/results.csv").get_data(
                    as_text=True
                )
            )
        )
    )
    flight_on = next(float(r["central_kg"]) for r in rows if r["section"] == "travel")
    assert {r["factor_set"] for r in rows} == {"v1"}
    assert len(rows) == 3  # the flight, the TikTok viewing and the phones

    response = client.post(
        f"/footprints/{footprint.id}/settings",
        data={"device_manufacture": "on", "grid": "eu"},
        headers=HTMX,
    )
    assert response.status_code == 200
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/footprints/{footprint.id}/results.csv").get_data(
                    as_text=True
                )
            )
        )
    )
    flight_off = next(float(r["central_kg"]) for r in rows if r["section"] == "travel")
    assert flight_off / flight_on == pytest.approx(0.124 / 0.225, rel=1e-4)
    bad = client.post(f"/footprints/{footprint.id}/settings", data={"grid": "mars"})
    assert bad.status_code == 400


def test_results_are_reproducible_from_stored_inputs(app, client, started):
    footprint, mail, _tokens = started
    lea = token_for(mail, "@lea")
    for key, value in (
        ("posts.0.format", "photo"),
        ("posts.0.views", "4000"),
        ("meals.beef", "2"),
    ):
        save(client, lea, key, value)
    db.session.rollback()
    with app.test_request_context():
        first = compute_footprint(footprint)
        db.session.rollback()
        again = compute(
            respondents(db.session.get(Footprint, footprint.id)),
            Settings(),
            load_factor_set(footprint.factor_set),
        )
    assert first.version == again.version == "v1"
    assert [(line.item, line.central) for line in first.lines] == [
        (line.item, line.central) for line in again.lines
    ]
    # TikTok, pre-filled: 4,000 × 3 s = 200 min × (2.63 + 0.57) g = 0.64 kg,
    # plus 2 beef meals × 4.97 kg = 9.94 kg.
    assert first.headline.central == pytest.approx(0.64 + 9.94)


def test_airport_suggestions_and_method_page(client, started):
    _footprint, mail, _tokens = started
    brand = LINK.search(mail.text).group(1)
    options = client.get(f"/q/{brand}/airports?q=nice").get_data(as_text=True)
    assert 'value="NCE"' in options
    page = client.get("/footprints/method").get_data(as_text=True)
    for factor in load_factor_set("v1").factors.values():
        assert f'id="factor-{factor.id}"' in page


def test_campaign_page_offers_the_footprint(client, auth, campaign):
    auth.login()
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Estimate the carbon footprint" in page


def test_pages_speak_french(client, started):
    footprint, mail, _tokens = started
    french = {"Accept-Language": "fr"}
    client.post("/language", data={"locale": "fr", "next": "/"})
    lea = token_for(mail, "@lea")
    save(client, lea, "posts.0.format", "photo")
    save(client, lea, "posts.0.views", "1000")
    results = client.get(f"/footprints/{footprint.id}", headers=french)
    assert "Empreinte estimée" in results.get_data(as_text=True)
    client.post("/logout")
    page = client.get(f"/q/{lea}", headers=french).get_data(as_text=True)
    assert "Questionnaire de @lea" in page and "Déplacements" in page
