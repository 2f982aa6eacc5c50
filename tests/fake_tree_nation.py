"""A stand-in for Tree-Nation's planting API, served over real HTTP.

`FakeTreeNation` answers `POST /api/plant` the way the real service does: a bearer
token on every call, one tree per recipient and per unit of quantity, `order_id` as
an idempotency key (a repeat gets `already_processed` with HTTP 200), and business
errors with HTTP 200 and a non-"ok" status. `fail_next` scripts failures.

Use the `fake_tree_nation` fixture; it yields a started fake and stops it afterwards.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.loopback import serving

TEST_TOKEN = "test-token"

# Long enough to outlast any timeout a test gives its client; the wait is cut short
# when the fixture shuts the fake down, so teardown never pays for it.
DEFAULT_SLOW_SECONDS = 5.0

# Each failure mode: HTTP status and body (a dict is sent as JSON, a str as HTML).
FAILURES: dict[str, tuple[int, dict[str, Any] | str]] = {
    "401": (401, {"message": "Unauthenticated."}),
    "403": (403, {"message": "This account is not active."}),
    "429": (429, {"message": "Too Many Attempts."}),
    "500": (500, "<html><body>Internal Server Error</body></html>"),
    "503": (503, "<html><body>Service Unavailable</body></html>"),
    # Sent after the delay, once the client has normally given up.
    "timeout": (504, "<html><body>Gateway Timeout</body></html>"),
    "business_error": (
        200,
        {
            "status": "error",
            "errorCode": "not_enough_credits",
            "errorMessage": "Not enough credits to plant these trees.",
        },
    ),
    "unreadable": (200, "<html>oops"),
    "non_ok_no_code": (200, {"status": "error", "errorMessage": "Something failed."}),
}

# Modes after which the real service may have planted anyway; only these can be
# combined with process_then_fail.
UNCERTAIN_MODES = frozenset({"429", "500", "503", "timeout", "unreadable"})

DEFAULT_SPECIES: dict[str, Any] = {
    "project_id": 31,
    "project_name": "Mangrove restoration",
    "species_id": 112,
    "species_name": "Rhizophora mucronata",
    "species_life_time_CO2": 308.5,
    "country": "Madagascar",
}


@dataclass
class FakeCall:
    """One request the fake received, and how it answered."""

    body: Any  # the parsed JSON body, or None when it was not JSON
    headers: dict[str, str]
    # "ok", "already_processed", "unauthorized", "invalid_request" or a failure mode
    outcome: str
    status: int
    response: dict[str, Any] | str


class FakeTreeNation:
    """Tree-Nation's `POST /plant`, with scripted failures; safe across threads."""

    def __init__(
        self,
        server: HTTPServer,
        token: str = TEST_TOKEN,
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
    ) -> None:
        self.server = server
        self.token = token
        self.slow_seconds = slow_seconds
        # What every tree reports; a test may change it to mimic the service
        # swapping an out-of-stock species for another one.
        self.species: dict[str, Any] = dict(DEFAULT_SPECIES)
        self.calls: list[FakeCall] = []
        self.processed: dict[str, dict[str, Any]] = {}  # order_id -> success body
        self._failures: deque[tuple[str, bool]] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._next_payment_id = 7001
        self._next_tree_id = 90001
        server.expect_request("/api/plant", method="POST").respond_with_handler(
            self._handle
        )

    @property
    def base_url(self) -> str:
        """Base URL to give the client, without a trailing slash."""
        return self.server.url_for("/api")

    @property
    def processed_order_ids(self) -> frozenset[str]:
        """Order ids the fake has planted for."""
        with self._lock:
            return frozenset(self.processed)

    def fail_next(
        self, mode: str, times: int = 1, *, process_then_fail: bool = False
    ) -> None:
        """Make the next `times` authorised calls fail in the given mode."""
        if mode not in FAILURES:
            raise ValueError(f"unknown mode {mode!r}; pick one of {sorted(FAILURES)}")
        if process_then_fail and mode not in UNCERTAIN_MODES:
            raise ValueError(f"mode {mode!r} is a definite refusal: nothing to plant")
        with self._lock:
            self._failures.extend([(mode, process_then_fail)] * times)

    def close(self) -> None:
        """Release handlers still waiting in a "timeout" failure."""
        self._closing.set()

    def _handle(self, request: Request) -> Response:
        """Record the call, decide the answer under the lock, then send it."""
        body = _parse_json(request.get_data())
        headers = dict(request.headers.items())
        with self._lock:
            outcome, status, payload = self._decide(body, headers)
            self.calls.append(FakeCall(body, headers, outcome, status, payload))
        if outcome == "timeout":
            self._closing.wait(self.slow_seconds)
        return _response(status, payload)

    def _decide(
        self, body: Any, headers: dict[str, str]
    ) -> tuple[str, int, dict[str, Any] | str]:
        """Pick outcome, status and body for one call; the lock is held."""
        if headers.get("Authorization") != f"Bearer {self.token}":
            return "unauthorized", 401, {"message": "Unauthenticated."}
        if self._failures:
            mode, process_first = self._failures.popleft()
            if process_first:
                self._plant(body)
            status, payload = FAILURES[mode]
            return mode, status, payload
        return self._plant(body)

    def _plant(self, body: Any) -> tuple[str, int, dict[str, Any]]:
        """Apply the idempotency rule, then plant; the lock is held."""
        problem = _invalid_reason(body)
        if problem:
            error = {"status": "error", "errorCode": "invalid_request"}
            return "invalid_request", 200, {**error, "errorMessage": problem}
        order_id = body.get("order_id")
        key = None if order_id is None else str(order_id)
        if key is not None and key in self.processed:
            error = {"status": "error", "errorCode": "already_processed"}
            message = f"Order {order_id} has already been processed."
            return "already_processed", 200, {**error, "errorMessage": message}
        payment_id = self._next_payment_id
        self._next_payment_id += 1
        answer = {"status": "ok", "payment_id": payment_id}
        answer["trees"] = self._make_trees(body, payment_id)
        if key is not None:
            self.processed[key] = answer
        return "ok", 200, answer

    def _make_trees(self, body: dict[str, Any], payment_id: int) -> list[dict]:
        """One tree per recipient and unit of quantity; the lock is held."""
        # Without recipients, the real service gives the trees to the account itself.
        recipients = body.get("recipients") or [{}]
        species = dict(self.species)
        if body.get("species_id") is not None:
            species["species_id"] = _as_int_if_digits(body["species_id"])
        trees = []
        for recipient in recipients:
            for _ in range(body["quantity"]):
                tree_id = self._next_tree_id
                self._next_tree_id += 1
                tree = _tree(tree_id, payment_id, recipient.get("internal_id"))
                trees.append({**tree, **species})
        return trees


def _tree(tree_id: int, payment_id: int, internal_id: Any) -> dict[str, Any]:
    """The per-tree part of a success answer: ids, claim token and links."""
    token = hashlib.sha256(f"{payment_id}-{tree_id}".encode()).hexdigest()[:20]
    return {
        "id": tree_id,
        "internal_id": internal_id,
        "token": token,
        "collect_url": f"https://tree-nation.com/trees/collect/{token}",
        "certificate_url": f"https://tree-nation.com/certificate/{token}",
    }


def _parse_json(data: bytes) -> Any:
    """The request body as JSON, or None when it is not JSON."""
    try:
        return json.loads(data)
    except ValueError:
        return None


def _invalid_reason(body: Any) -> str | None:
    """Why a plant body would be rejected, or None when it is acceptable."""
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    quantity = body.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        return "quantity must be an integer of at least 1."
    recipients = body.get("recipients", [])
    if not isinstance(recipients, list):
        return "recipients must be a list."
    if not all(isinstance(item, dict) for item in recipients):
        return "Each recipient must be an object."
    return None


def _as_int_if_digits(value: Any) -> Any:
    """Echo numeric ids as JSON numbers, the form ids take in answers."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _response(status: int, payload: dict[str, Any] | str) -> Response:
    """A werkzeug response: JSON for dicts, HTML for text."""
    if isinstance(payload, str):
        return Response(payload, status=status, content_type="text/html")
    return Response(json.dumps(payload), status=status, content_type="application/json")


@pytest.fixture
def fake_tree_nation():
    """A started FakeTreeNation on 127.0.0.1 with token "test-token"."""
    with serving(FakeTreeNation) as fake:
        yield fake
