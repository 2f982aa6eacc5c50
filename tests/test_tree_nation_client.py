"""Tests for the Tree-Nation client in app.services.tree_nation, run over HTTP."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import pytest
import requests

from app.services.tree_nation import (
    DemoPlanter,
    OutcomeUnknown,
    PlantRefused,
    PlantRequest,
    PlantResult,
    TreeNationClient,
    TreeNationError,
)
from tests.fake_tree_nation import (
    TEST_TOKEN,
    FakeTreeNation,
    fake_tree_nation,  # noqa: F401
)

CLIENT_TIMEOUT = 1.0


def make_request(**overrides) -> PlantRequest:
    """A valid order, with any field replaced through keyword arguments."""
    values = {
        "order_id": "canopy-order-1",
        "quantity": 2,
        "recipient_name": "Ada Lovelace",
        "recipient_email": "ada@example.org",
        "recipient_internal_id": "recipient-7",
        "language": "fr",
        "message": "Merci pour votre campagne !",
    }
    values.update(overrides)
    return PlantRequest(**values)


@pytest.fixture
def fake(fake_tree_nation) -> FakeTreeNation:  # noqa: F811
    """The shared fake under a shorter name."""
    return fake_tree_nation


@pytest.fixture
def client(fake):
    """A client pointed at the fake with the right token."""
    tree_nation = TreeNationClient(fake.base_url, fake.token, timeout=CLIENT_TIMEOUT)
    yield tree_nation
    tree_nation.close()


def client_for(base_url: str, token: str = TEST_TOKEN) -> TreeNationClient:
    """A client for an ad-hoc server, e.g. pytest-httpserver's `httpserver`."""
    return TreeNationClient(base_url, token, timeout=CLIENT_TIMEOUT)


# --- What goes over the wire ---------------------------------------------------


def test_sends_bearer_token_and_json_headers(fake, client):
    client.plant(make_request())

    headers = fake.calls[0].headers
    assert headers["Authorization"] == "Bearer test-token"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("Canopy/")


def test_body_carries_recipient_and_order_fields(fake, client):
    client.plant(make_request())

    assert fake.calls[0].body == {
        "recipients": [
            {
                "name": "Ada Lovelace",
                "email": "ada@example.org",
                "internal_id": "recipient-7",
            }
        ],
        "quantity": 2,
        "order_id": "canopy-order-1",
        "language": "fr",
        "message": "Merci pour votre campagne !",
    }


def test_email_key_is_omitted_when_there_is_no_email(fake, client):
    client.plant(make_request(recipient_email=None))

    recipient = fake.calls[0].body["recipients"][0]
    assert recipient == {"name": "Ada Lovelace", "internal_id": "recipient-7"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"planter_id": "p-5"}, {"planter_id": "p-5"}),
        ({"species_id": "112"}, {"species_id": "112"}),
        (
            {"planter_id": "p-5", "species_id": "9"},
            {"planter_id": "p-5", "species_id": "9"},
        ),
    ],
)
def test_template_overrides_are_sent_only_when_set(fake, client, overrides, expected):
    client.plant(make_request(**overrides))

    body = fake.calls[0].body
    sent = {key: body[key] for key in ("planter_id", "species_id") if key in body}
    assert sent == expected


def test_template_overrides_are_absent_by_default(fake, client):
    client.plant(make_request())

    assert "planter_id" not in fake.calls[0].body
    assert "species_id" not in fake.calls[0].body


def test_timeout_is_given_for_both_connect_and_read():
    class RecordingSession:
        def __init__(self):
            self.headers = {}
            self.kwargs = None

        def post(self, url, **kwargs):
            self.kwargs = {"url": url, **kwargs}
            answer = requests.Response()
            answer.status_code = 200
            answer._content = b'{"status": "ok", "payment_id": 1, "trees": []}'
            return answer

    session = RecordingSession()
    tree_nation = TreeNationClient("https://tn.test/api/", "tok", 7.5, session=session)

    tree_nation.plant(make_request(quantity=1))

    assert session.kwargs["timeout"] == (7.5, 7.5)
    assert session.kwargs["url"] == "https://tn.test/api/plant"
    assert session.headers["Authorization"] == "Bearer tok"


# --- Success -------------------------------------------------------------------


def test_success_is_parsed_tree_by_tree(fake, client):
    result = client.plant(make_request(quantity=3))

    answer = fake.calls[0].response
    assert result.already_processed is False
    assert result.demo is False
    assert result.payment_id == str(answer["payment_id"])
    assert len(result.trees) == 3
    for tree, raw in zip(result.trees, answer["trees"], strict=True):
        assert tree.tree_id == str(raw["id"])
        assert tree.token == raw["token"]
        assert (
            tree.collect_url == f"https://tree-nation.com/trees/collect/{raw['token']}"
        )
        assert tree.certificate_url == raw["certificate_url"]
        assert tree.species_id == str(raw["species_id"])
        assert tree.species_name == raw["species_name"]
        assert tree.life_time_co2_kg == pytest.approx(raw["species_life_time_CO2"])
        assert tree.project_id == str(raw["project_id"])
        assert tree.project_name == raw["project_name"]
        assert tree.country == raw["country"]
    assert len({tree.tree_id for tree in result.trees}) == 3


def test_lenient_reading_of_numbers_and_blanks(httpserver):
    tree = {
        "id": 5.0,
        "token": "",
        "species_id": 12,
        "species_life_time_CO2": "250.5",
        "project_id": True,
        "country": None,
    }
    odd_co2 = {"id": "t-2", "species_life_time_CO2": "n/a"}
    answer = {"status": "ok", "payment_id": 123, "trees": [tree, odd_co2]}
    httpserver.expect_request("/api/plant").respond_with_json(answer)

    result = client_for(httpserver.url_for("/api")).plant(make_request())

    first, second = result.trees
    assert result.payment_id == "123"
    assert (first.tree_id, first.token, first.species_id) == ("5", None, "12")
    assert first.life_time_co2_kg == 250.5
    assert (first.project_id, first.country) == (None, None)
    assert second.life_time_co2_kg is None


# --- already_processed -----------------------------------------------------------


def test_repeated_order_id_returns_already_processed(fake, client):
    first = client.plant(make_request())
    second = client.plant(make_request())

    assert first.already_processed is False
    assert second == PlantResult(payment_id=None, trees=(), already_processed=True)
    assert [call.outcome for call in fake.calls] == ["ok", "already_processed"]


@pytest.mark.parametrize("mode", ["500", "timeout", "unreadable"])
def test_lost_answer_then_retry_reports_already_processed(fake, client, mode):
    fake.fail_next(mode, process_then_fail=True)

    with pytest.raises(OutcomeUnknown):
        client.plant(make_request())
    retry = client.plant(make_request())

    assert retry.already_processed is True
    assert fake.processed_order_ids == {"canopy-order-1"}


@pytest.mark.parametrize("mode", ["500", "timeout"])
def test_failure_without_planting_lets_the_retry_plant(fake, client, mode):
    fake.fail_next(mode)

    with pytest.raises(OutcomeUnknown):
        client.plant(make_request())
    retry = client.plant(make_request())

    assert retry.already_processed is False
    assert len(retry.trees) == 2


# --- Failures --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "error_class", "code"),
    [
        ("401", PlantRefused, "unauthorized"),
        ("403", PlantRefused, "forbidden"),
        ("429", OutcomeUnknown, "http_429"),
        ("500", OutcomeUnknown, "http_500"),
        ("503", OutcomeUnknown, "http_503"),
        ("business_error", PlantRefused, "not_enough_credits"),
        ("unreadable", OutcomeUnknown, "unreadable_response"),
        ("non_ok_no_code", PlantRefused, "refused"),
    ],
)
def test_failure_modes_map_to_exception_and_code(fake, client, mode, error_class, code):
    fake.fail_next(mode)

    with pytest.raises(TreeNationError) as caught:
        client.plant(make_request())

    assert type(caught.value) is error_class
    assert caught.value.code == code
    assert fake.calls[0].outcome == mode
    assert fake.processed_order_ids == set()


def test_business_error_keeps_the_remote_message(fake, client):
    fake.fail_next("business_error")

    with pytest.raises(PlantRefused) as caught:
        client.plant(make_request())

    assert caught.value.message == "Not enough credits to plant these trees."


def test_failures_last_for_the_requested_number_of_calls(fake, client):
    fake.fail_next("503", times=2)

    for _ in range(2):
        with pytest.raises(OutcomeUnknown):
            client.plant(make_request())
    result = client.plant(make_request())

    assert len(result.trees) == 2
    assert [call.outcome for call in fake.calls] == ["503", "503", "ok"]


def test_wrong_token_is_refused_as_unauthorized(fake):
    with pytest.raises(PlantRefused) as caught:
        client_for(fake.base_url, token="not-the-token").plant(make_request())

    assert caught.value.code == "unauthorized"
    assert fake.calls[0].outcome == "unauthorized"


def test_timeout_is_honoured(fake, client):
    fake.fail_next("timeout")

    started = time.monotonic()
    with pytest.raises(OutcomeUnknown) as caught:
        client.plant(make_request())
    elapsed = time.monotonic() - started

    assert caught.value.code == "timeout"
    assert elapsed < CLIENT_TIMEOUT + 3
    assert fake.slow_seconds > CLIENT_TIMEOUT + 3  # the fake would have kept waiting


def test_connection_refused_is_an_unknown_outcome():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more, so the connection is refused.

    with pytest.raises(OutcomeUnknown) as caught:
        client_for(f"http://127.0.0.1:{port}/api").plant(make_request())

    assert caught.value.code == "connection_error"


@pytest.mark.parametrize(
    ("status", "body", "error_class", "code"),
    [
        (404, "Not Found", PlantRefused, "http_404"),
        (422, {"errorMessage": "quantity too large"}, PlantRefused, "http_422"),
        (502, "<html>Bad Gateway</html>", OutcomeUnknown, "http_502"),
        (200, [1, 2], OutcomeUnknown, "unreadable_response"),
        (200, {"status": "ok", "payment_id": 1}, OutcomeUnknown, "unreadable_response"),
        (200, {"status": "ok", "trees": "x"}, OutcomeUnknown, "unreadable_response"),
        (200, {"status": "ok", "trees": ["x"]}, OutcomeUnknown, "unreadable_response"),
        (
            200,
            {"status": "ok", "trees": [{"token": "a"}]},
            OutcomeUnknown,
            "unreadable_response",
        ),
        (200, {"trees": []}, PlantRefused, "refused"),
    ],
)
def test_unusual_answers_are_classified(httpserver, status, body, error_class, code):
    text = body if isinstance(body, str) else json.dumps(body)
    httpserver.expect_request("/api/plant").respond_with_data(text, status=status)

    with pytest.raises(TreeNationError) as caught:
        client_for(httpserver.url_for("/api")).plant(make_request())

    assert type(caught.value) is error_class
    assert caught.value.code == code


def test_client_error_message_is_kept_for_operators(httpserver):
    answer = {"errorMessage": "quantity too large"}
    httpserver.expect_request("/api/plant").respond_with_json(answer, status=422)

    with pytest.raises(PlantRefused) as caught:
        client_for(httpserver.url_for("/api")).plant(make_request())

    assert caught.value.message == "quantity too large"


def test_redirect_is_not_followed(httpserver):
    elsewhere = httpserver.url_for("/elsewhere/plant")
    httpserver.expect_request("/api/plant").respond_with_data(
        "", status=307, headers={"Location": elsewhere}
    )
    httpserver.expect_request("/elsewhere/plant").respond_with_json({"status": "ok"})

    with pytest.raises(OutcomeUnknown) as caught:
        client_for(httpserver.url_for("/api")).plant(make_request())

    assert caught.value.code == "http_307"
    assert [entry[0].path for entry in httpserver.log] == ["/api/plant"]


# --- Logging ---------------------------------------------------------------------


def test_token_never_reaches_the_logs(fake, client, caplog):
    caplog.set_level(logging.DEBUG)
    client.plant(make_request(order_id="order-ok"))
    client.plant(make_request(order_id="order-ok"))
    for mode in ("business_error", "500", "401"):
        fake.fail_next(mode)
        with pytest.raises(TreeNationError):
            client.plant(make_request(order_id=f"order-{mode}"))

    assert len(fake.calls) == 5
    assert caplog.records
    assert TEST_TOKEN not in caplog.text
    for record in caplog.records:
        assert TEST_TOKEN not in record.getMessage()
    assert TEST_TOKEN not in repr(client)


def test_token_echoed_by_the_remote_side_is_masked(httpserver, caplog):
    answer = {"status": "error", "errorCode": "bad", "errorMessage": f"{TEST_TOKEN}!"}
    httpserver.expect_request("/api/plant").respond_with_json(answer)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(PlantRefused):
        client_for(httpserver.url_for("/api")).plant(make_request())

    assert caplog.records
    assert TEST_TOKEN not in caplog.text


def test_one_log_line_per_call_with_order_quantity_duration_and_outcome(
    fake, client, caplog
):
    caplog.set_level(logging.INFO, logger="canopy.tree_nation")
    client.plant(make_request(order_id="order-a", quantity=3))
    fake.fail_next("503")
    with pytest.raises(OutcomeUnknown):
        client.plant(make_request(order_id="order-b", quantity=1))

    records = [r for r in caplog.records if r.name == "canopy.tree_nation"]
    assert len(records) == 2
    ok, failed = (record.getMessage() for record in records)
    assert "order_id=order-a" in ok and "quantity=3" in ok and "outcome=ok" in ok
    assert "order_id=order-b" in failed and "outcome=unknown:http_503" in failed
    assert "duration_ms=" in ok
    assert records[0].args  # %-style: values travel separately from the template
    assert records[1].levelno == logging.WARNING


# --- Requests and the demo stand-in ----------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"quantity": 0}, ValueError),
        ({"order_id": ""}, ValueError),
        ({"quantity": "2"}, TypeError),
        ({"quantity": True}, TypeError),
    ],
)
def test_plant_request_rejects_impossible_orders(overrides, error):
    with pytest.raises(error):
        make_request(**overrides)


def test_demo_planter_returns_deterministic_demo_trees():
    result = DemoPlanter().plant(make_request(quantity=3))
    again = DemoPlanter().plant(make_request(quantity=3))
    other = DemoPlanter().plant(make_request(order_id="canopy-order-2", quantity=3))

    assert result.demo is True
    assert result.already_processed is False
    assert result == again
    ids = [tree.tree_id for tree in result.trees]
    assert len(set(ids)) == 3
    assert all(tree_id.startswith("demo-") for tree_id in ids)
    assert [tree_id.rsplit("-", 1)[1] for tree_id in ids] == ["1", "2", "3"]
    assert not set(ids) & {tree.tree_id for tree in other.trees}
    for tree in result.trees:
        assert (tree.token, tree.collect_url, tree.certificate_url) == (None,) * 3
        assert tree.species_name == "Demo tree"
        assert tree.life_time_co2_kg is None
        assert tree.country is None


# --- The fake itself -------------------------------------------------------------


def test_fake_plants_one_tree_per_recipient_and_unit(fake):
    body = {
        "recipients": [
            {"name": "A", "internal_id": "a"},
            {"name": "B", "internal_id": "b"},
        ],
        "quantity": 2,
        "order_id": "two-recipients",
    }
    headers = {"Authorization": f"Bearer {fake.token}"}

    answer = requests.post(f"{fake.base_url}/plant", json=body, headers=headers).json()

    assert [tree["internal_id"] for tree in answer["trees"]] == ["a", "a", "b", "b"]
    assert all(tree["collect_url"].endswith(tree["token"]) for tree in answer["trees"])


def test_fake_plants_a_repeated_order_once_under_concurrency(fake):
    outcomes: list[bool] = []
    lock = threading.Lock()

    def plant_once():
        tree_nation = client_for(fake.base_url)
        result = tree_nation.plant(make_request(order_id="same-order"))
        tree_nation.close()
        with lock:
            outcomes.append(result.already_processed)

    threads = [threading.Thread(target=plant_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes) == [False] + [True] * 7
    assert len(fake.calls) == 8
