"""Who may see what: sign-in, workspaces, CSRF, headers and production settings."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app import create_app
from app.extensions import db
from config import DEV_SECRET_KEY
from tests import conftest
from tests.factories import make_campaign
from tests.helpers import HTMX, IsolatedClient, archive_state, isolated_client, row_ids

# (method, URL); {id} is a Demo Agency campaign.
SIGN_IN_REQUIRED = [
    ("GET", "/campaigns"),
    ("GET", "/campaigns/{id}"),
    ("GET", "/campaigns/archive?ids={id}"),
    ("GET", "/impact/method"),
    ("POST", "/campaigns/archive"),
    ("POST", "/campaigns/{id}/restore"),
]
PUBLIC = ["/login", "/healthz", "/readyz", "/static/css/canopy.css"]


@pytest.fixture
def client(app) -> IsolatedClient:
    return isolated_client(app)


@pytest.fixture
def campaign(people):
    """A Demo Agency campaign, ended and not archived."""
    return make_campaign(people["lead"], name="Autumn Glow")


def send(client, method: str, url: str, **kwargs):
    if method == "POST":
        return client.post(url, data={"ids": ["1"]}, **kwargs)
    return client.get(url, **kwargs)


@pytest.mark.parametrize(("method", "url"), SIGN_IN_REQUIRED)
def test_anonymous_request_is_sent_to_sign_in(client, campaign, method, url):
    """A visitor without a session is sent to /login, a page with `next`.

    A form's target is not remembered: coming back to it would lack its data.
    """
    path = url.format(id=campaign.id)

    response = send(client, method, path)

    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.path == "/login"
    expected_next = [path] if method == "GET" else None
    assert parse_qs(location.query).get("next") == expected_next


@pytest.mark.parametrize(("method", "url"), SIGN_IN_REQUIRED)
def test_anonymous_htmx_request_gets_hx_redirect(client, campaign, method, url):
    """An htmx request without a session gets 401 and HX-Redirect to /login."""
    response = send(client, method, url.format(id=campaign.id), headers=HTMX)

    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


@pytest.mark.parametrize("url", PUBLIC)
def test_public_url_answers_without_sign_in(client, url):
    """Public URLs answer 200 to a visitor without a session."""
    response = client.get(url)

    assert response.status_code == 200
    response.close()


def test_other_workspace_list_hides_foreign_campaigns(people, client, auth, campaign):
    """The Other Brand lead's list holds only Other Brand's campaigns."""
    own = make_campaign(people["other_lead"], name="Own Launch")
    auth.login("lead@other.canopy.test")

    page = client.get("/campaigns?status=all").get_data(as_text=True)

    assert row_ids(page) == [own.id]


@pytest.mark.parametrize(
    "url", ["/campaigns/{id}", "/campaigns/archive?ids={id}"], ids=["page", "dialog"]
)
def test_other_workspace_gets_404_on_foreign_pages(client, auth, campaign, url):
    """A campaign of another workspace answers 404, as if it did not exist."""
    auth.login("lead@other.canopy.test")

    response = client.get(url.format(id=campaign.id))

    assert response.status_code == 404


def test_other_workspace_cannot_archive(client, auth, campaign):
    """Archiving another workspace's campaign answers 404 and changes nothing."""
    auth.login("lead@other.canopy.test")
    before = archive_state(campaign.id)

    response = client.post("/campaigns/archive", data={"ids": [campaign.id]})

    assert response.status_code == 404
    assert archive_state(campaign.id) == before == (None, 0, 0)


def test_foreign_id_in_selection_changes_nothing(people, client, auth, campaign):
    """One foreign id refuses the whole selection: the own campaign stays live."""
    own = make_campaign(people["other_lead"], name="Own Launch")
    auth.login("lead@other.canopy.test")

    response = client.post("/campaigns/archive", data={"ids": [own.id, campaign.id]})

    assert response.status_code == 404
    assert archive_state(own.id) == (None, 0, 0)


def test_other_workspace_cannot_restore(people, client, auth):
    """Restoring another workspace's campaign answers 404 and changes nothing."""
    archived = make_campaign(people["lead"], archived=True)
    auth.login("lead@other.canopy.test")
    before = archive_state(archived.id)

    response = client.post(f"/campaigns/{archived.id}/restore")

    assert response.status_code == 404
    assert archive_state(archived.id) == before
    assert before[0] is not None


def test_sign_in_without_csrf_token_is_refused(people, client):
    """POST /login without a CSRF token answers 400 and opens no session."""
    response = client.post(
        "/login",
        data={"email": "lead@demo.canopy.test", "password": "canopy-demo"},
        csrf=False,
    )

    assert response.status_code == 400
    assert client.get("/campaigns").status_code == 302


def test_logout_without_csrf_token_is_refused(client, auth, people):
    """POST /logout without a CSRF token answers 400; the session goes on."""
    auth.login()

    response = client.post("/logout", csrf=False)

    assert response.status_code == 400
    assert client.get("/campaigns").status_code == 200


def test_archive_without_csrf_token_is_refused(client, auth, campaign):
    """POST /campaigns/archive without a CSRF token answers 400, archives nothing."""
    auth.login()

    response = client.post(
        "/campaigns/archive", data={"ids": [campaign.id]}, csrf=False
    )

    assert response.status_code == 400
    assert archive_state(campaign.id) == (None, 0, 0)


def test_csrf_refusal_says_why(client, auth, campaign):
    """A CSRF refusal carries a message telling the person to reload."""
    auth.login()

    response = client.post(
        "/campaigns/archive", data={"ids": [campaign.id]}, csrf=False
    )

    assert "Reload the page" in response.get_data(as_text=True)


def test_csrf_token_of_another_session_is_refused(app, client, auth, campaign):
    """A token issued to another session answers 400 and archives nothing."""
    stranger = isolated_client(app)
    foreign_token = stranger.csrf_token()
    auth.login()

    response = client.post(
        "/campaigns/archive",
        data={"ids": [campaign.id]},
        headers={"X-CSRFToken": foreign_token},
    )

    assert foreign_token != client.csrf_token()
    assert response.status_code == 400
    assert archive_state(campaign.id) == (None, 0, 0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Content-Security-Policy", re.compile(r"(^|; )script-src 'self'(;|$)")),
        ("X-Content-Type-Options", re.compile(r"^nosniff$")),
        ("X-Frame-Options", re.compile(r"^DENY$")),
        ("Referrer-Policy", re.compile(r"\S")),
    ],
)
def test_security_headers_are_sent(client, header, expected):
    """Every page carries the security headers."""
    response = client.get("/login")

    assert expected.search(response.headers.get(header, ""))


def test_given_request_id_is_echoed(client):
    """An X-Request-ID sent by the caller comes back unchanged."""
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})

    assert response.headers["X-Request-ID"] == "abc-123"


def test_request_id_is_generated_when_absent(client):
    """Without X-Request-ID, each response carries a new one."""
    first = client.get("/healthz").headers.get("X-Request-ID", "")
    second = client.get("/healthz").headers.get("X-Request-ID", "")

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def session_cookie(response) -> str:
    cookies = response.headers.getlist("Set-Cookie")
    return next(cookie for cookie in cookies if cookie.startswith("session="))


def test_session_cookie_is_not_secure_in_development(client, auth, people):
    """In development the session cookie works over plain HTTP."""
    response = auth.login()

    assert "Secure" not in session_cookie(response)


def test_session_cookie_is_secure_in_production(monkeypatch, database_url, people):
    """In production, with a real key, the session cookie is marked Secure."""
    monkeypatch.setenv("CANOPY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-key")
    settings = conftest.test_settings(database_url)
    del settings["SECRET_KEY"]
    production = create_app(settings)

    with production.app_context():
        response = isolated_client(production).post(
            "/login",
            data={"email": "lead@demo.canopy.test", "password": "canopy-demo"},
            base_url="https://localhost",
        )
        db.engine.dispose()

    assert response.status_code == 303
    assert "Secure" in session_cookie(response).split("; ")


@pytest.mark.parametrize("secret_key", [None, DEV_SECRET_KEY])
def test_production_refuses_the_development_key(monkeypatch, tmp_path, secret_key):
    """create_app refuses to start in production with the development key."""
    monkeypatch.setenv("CANOPY_ENV", "production")
    if secret_key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret_key)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'refused.sqlite3'}")

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
