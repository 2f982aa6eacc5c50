"""Signing in and out, the failed sign-in limit, and choosing a language."""

import pytest

from tests.helpers import IsolatedClient, isolated_client

LEAD = "lead@demo.canopy.test"
WRONG = "not-the-password"


@pytest.fixture
def client(app) -> IsolatedClient:
    return isolated_client(app)


def sign_in(client, password: str = "canopy-demo", address: str = "127.0.0.1"):
    """Post the sign-in form as if from `address`."""
    return client.post(
        "/login",
        data={"email": LEAD, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sign_in_page_carries_csrf_meta(client):
    """The sign-in page renders with the CSRF token in a <meta> tag."""
    response = client.get("/login")

    assert response.status_code == 200
    assert '<meta name="csrf-token" content="' in response.get_data(as_text=True)


def test_sign_in_page_keeps_next_in_the_form(client):
    """The `next` of the query string is carried by the sign-in form."""
    page = client.get("/login?next=/impact/method").get_data(as_text=True)

    assert '<input type="hidden" name="next" value="/impact/method">' in page


def test_good_credentials_redirect_to_campaigns(people, auth):
    """Good credentials answer 303 to the campaign list."""
    response = auth.login()

    assert response.status_code == 303
    assert response.location == "/campaigns"


def test_session_works_after_sign_in(people, client, auth):
    """Once signed in, the campaign list answers instead of redirecting."""
    auth.login()

    assert client.get("/campaigns").status_code == 200


def test_wrong_password_is_refused_with_a_message(people, auth):
    """A wrong password answers 401 and says the credentials do not match."""
    response = auth.login(password=WRONG)

    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "That email and password do not match" in body


def test_unknown_email_gets_the_same_answer(people, auth):
    """An unknown email is refused exactly like a wrong password."""
    response = auth.login(email="nobody@demo.canopy.test")

    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "That email and password do not match" in body


def test_wrong_password_opens_no_session(people, client, auth):
    """After a refused sign-in the campaign list still asks to sign in."""
    auth.login(password=WRONG)

    response = client.get("/campaigns")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_email_is_case_insensitive(people, client, auth):
    """The email matches whatever its letter case."""
    response = auth.login(email="  Lead@DEMO.Canopy.test ")

    assert response.status_code == 303
    assert client.get("/campaigns").status_code == 200


@pytest.mark.parametrize("target", ["/campaigns?status=ended", "/impact/method"])
def test_relative_next_is_honoured(people, client, target):
    """A same-site path in `next` is where sign-in leads."""
    response = client.post(
        "/login", data={"email": LEAD, "password": "canopy-demo", "next": target}
    )

    assert response.status_code == 303
    assert response.location == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "evil.example",
        "javascript:alert(1)",
    ],
)
def test_foreign_next_goes_to_campaigns(people, client, target):
    """A `next` naming another host (or no path) leads to the campaign list."""
    response = client.post(
        "/login", data={"email": LEAD, "password": "canopy-demo", "next": target}
    )

    assert response.status_code == 303
    assert response.location == "/campaigns"


def test_logout_by_get_is_not_allowed(people, client, auth):
    """GET /logout answers 405: signing out takes a POST."""
    auth.login()

    assert client.get("/logout").status_code == 405
    assert client.get("/campaigns").status_code == 200


def test_logout_ends_the_session(people, client, auth):
    """POST /logout answers 303 to /login and the session is gone."""
    auth.login()

    response = client.post("/logout")

    assert response.status_code == 303
    assert response.location == "/login"
    assert client.get("/campaigns").status_code == 302


def test_eleventh_failed_sign_in_is_refused(people, client):
    """Ten failed sign-ins from one address are answered; the eleventh gets 429."""
    statuses = [sign_in(client, WRONG).status_code for _ in range(10)]

    response = sign_in(client, WRONG)

    assert statuses == [401] * 10
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_successful_sign_ins_are_not_counted(people, client):
    """Sign-ins that succeed do not use up the failed sign-in allowance."""
    statuses = [sign_in(client, WRONG).status_code for _ in range(9)]
    for _ in range(3):
        statuses.append(sign_in(client).status_code)
        client.post("/logout")
    statuses.append(sign_in(client, WRONG).status_code)

    assert statuses == [401] * 9 + [303] * 3 + [401]
    assert sign_in(client, WRONG).status_code == 429


def test_failed_sign_in_limit_is_per_address(people, client):
    """Another address still gets an answer once one address is limited."""
    for _ in range(11):
        sign_in(client, WRONG, address="10.0.0.1")

    assert sign_in(client, WRONG, address="10.0.0.2").status_code == 401


def test_language_choice_applies_to_an_anonymous_visitor(client):
    """POST /language=fr makes the next page French for a visitor."""
    response = client.post("/language", data={"locale": "fr"})

    assert response.status_code == 303
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in page


def test_unknown_language_is_refused(client):
    """An unknown locale answers 400 with a message and changes nothing."""
    response = client.post("/language", data={"locale": "xx"})

    assert response.status_code == 400
    assert "Choose English or French." in response.get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
