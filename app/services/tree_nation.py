"""Tree-Nation client: plant trees paid from the account's prepaid credits.

Plain Python on top of `requests` (no Flask), so jobs and tests can build a client
from plain settings. Every failure becomes one of two exceptions, because the caller
must act differently on each:

* `PlantRefused` — Tree-Nation definitely did not plant; retrying will not help
  until someone fixes the cause (token, account, credits, request).
* `OutcomeUnknown` — the trees may or may not have been planted; retry later with
  the same `order_id`, which Tree-Nation uses to reject duplicates.

A repeated `order_id` is not an exception: `plant` returns a result with
`already_processed=True` and no trees, and the caller decides what that means.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

import requests

log = logging.getLogger("canopy.tree_nation")

USER_AGENT = "Canopy/1.0"
ALREADY_PROCESSED = "already_processed"

# Longest piece of an unexpected response body copied into an error message: enough
# for an operator to recognise the problem, short enough to keep log lines readable.
BODY_SNIPPET_CHARS = 200


@dataclass(frozen=True)
class PlantRequest:
    """One planting order for one recipient; `order_id` stays the same on retries."""

    order_id: str
    quantity: int
    recipient_name: str
    recipient_email: str | None
    recipient_internal_id: str
    language: str
    message: str
    planter_id: str | None = None
    species_id: str | None = None

    def __post_init__(self) -> None:
        # Failing here, before any network call, cannot leave an order half-done.
        if not self.order_id:
            raise ValueError("order_id must not be empty")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError("quantity must be an integer")
        if self.quantity < 1:
            raise ValueError("quantity must be at least 1")


@dataclass(frozen=True)
class PlantedTree:
    """One tree as Tree-Nation reports it; the species may differ from the request."""

    tree_id: str
    token: str | None
    collect_url: str | None
    certificate_url: str | None
    species_id: str | None
    species_name: str | None
    life_time_co2_kg: float | None
    project_id: str | None
    project_name: str | None
    country: str | None


@dataclass(frozen=True)
class PlantResult:
    """What a planting call produced."""

    payment_id: str | None
    trees: tuple[PlantedTree, ...]
    already_processed: bool = False
    demo: bool = False


class TreeNationError(Exception):
    """A planting call that did not plant trees we can account for."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class PlantRefused(TreeNationError):
    """Tree-Nation definitely did not plant; do not retry blindly."""


class OutcomeUnknown(TreeNationError):
    """The trees may have been planted; retry later with the same order_id."""


class Planter(Protocol):
    """Anything that can plant: the real client or the demo stand-in."""

    def plant(self, request: PlantRequest) -> PlantResult:
        """Plant the trees of one order."""
        ...


class TreeNationClient:
    """Talks to Tree-Nation's `POST /plant` over one reusable HTTP session."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._token = token
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }
        )

    def __repr__(self) -> str:
        return (
            f"TreeNationClient(base_url={self.base_url!r}, token='***', "
            f"timeout={self.timeout!r})"
        )

    def close(self) -> None:
        """Release pooled connections, unless the session was lent by the caller."""
        if self._owns_session:
            self._session.close()

    def plant(self, request: PlantRequest) -> PlantResult:
        """Plant the trees of one order; raises PlantRefused or OutcomeUnknown."""
        started = time.monotonic()
        try:
            result = self._plant(request)
        except TreeNationError as exc:
            kind = "refused" if isinstance(exc, PlantRefused) else "unknown"
            self._log_call(request, started, f"{kind}:{exc.code}", exc.message)
            raise
        if result.already_processed:
            self._log_call(request, started, ALREADY_PROCESSED, "")
        else:
            detail = f"payment_id={result.payment_id} trees={len(result.trees)}"
            self._log_call(request, started, "ok", detail)
        return result

    def _plant(self, request: PlantRequest) -> PlantResult:
        """Send the order and turn whatever comes back into a result or an error."""
        try:
            response = self._session.post(
                f"{self.base_url}/plant",
                json=build_plant_body(request),
                timeout=(self.timeout, self.timeout),
                # Tree-Nation answers directly, so a redirect hints at a wrong base
                # URL; following it would resend the order elsewhere.
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise OutcomeUnknown(
                "timeout", f"no answer within {self.timeout}s"
            ) from exc
        except requests.RequestException as exc:
            raise OutcomeUnknown("connection_error", type(exc).__name__) from exc
        _check_http_status(response)
        return _parse_plant_response(_read_json_object(response), request)

    def _log_call(
        self, request: PlantRequest, started: float, outcome: str, detail: str
    ) -> None:
        """Write the single log line that sums up one call."""
        duration_ms = round((time.monotonic() - started) * 1000)
        routine = outcome in ("ok", ALREADY_PROCESSED)
        level = logging.INFO if routine else logging.WARNING
        log.log(
            level,
            "Tree-Nation plant order_id=%s quantity=%s duration_ms=%d outcome=%s %s",
            request.order_id,
            request.quantity,
            duration_ms,
            outcome,
            self._redact(detail),
        )

    def _redact(self, text: str) -> str:
        """Mask the token should the remote side ever echo it back in a message."""
        return text.replace(self._token, "***") if self._token else text


def build_plant_body(request: PlantRequest) -> dict[str, Any]:
    """JSON body of `POST /plant` for one recipient."""
    recipient: dict[str, Any] = {"name": request.recipient_name}
    if request.recipient_email is not None:
        recipient["email"] = request.recipient_email
    recipient["internal_id"] = request.recipient_internal_id
    body: dict[str, Any] = {
        "recipients": [recipient],
        "quantity": request.quantity,
        "order_id": request.order_id,
        "language": request.language,
        "message": request.message,
    }
    # Sent only when set: otherwise the account's default tree template applies.
    if request.planter_id is not None:
        body["planter_id"] = request.planter_id
    if request.species_id is not None:
        body["species_id"] = request.species_id
    return body


def _check_http_status(response: requests.Response) -> None:
    """Raise for any HTTP status that rules out reading a planting answer."""
    status = response.status_code
    if 200 <= status < 300:
        return  # even then, the JSON `status` field has the last word
    if status == 401:
        raise PlantRefused("unauthorized", "Tree-Nation rejected the API token")
    if status == 403:
        raise PlantRefused("forbidden", "Tree-Nation says the account is inactive")
    detail = _error_text(response)
    # 429 means "slow down", not "no": the order may still go through later.
    if 400 <= status < 500 and status != 429:
        raise PlantRefused(f"http_{status}", detail)
    # 5xx, 429 and stray redirects leave open whether the order was processed.
    raise OutcomeUnknown(f"http_{status}", detail)


def _read_json_object(response: requests.Response) -> dict[str, Any]:
    """Decode the body as a JSON object, or report the outcome as unknown."""
    try:
        payload = response.json()
    except ValueError as exc:
        raise OutcomeUnknown(
            "unreadable_response", f"body is not JSON: {_snippet(response.text)}"
        ) from exc
    if not isinstance(payload, dict):
        raise OutcomeUnknown("unreadable_response", "body is not a JSON object")
    return payload


def _parse_plant_response(
    payload: dict[str, Any], request: PlantRequest
) -> PlantResult:
    """Turn a decoded `POST /plant` answer into a result, or raise a refusal."""
    # Business errors arrive with HTTP 200, so only this field says what happened.
    if payload.get("status") != "ok":
        code = _text_or_none(payload.get("errorCode")) or "refused"
        message = _text_or_none(payload.get("errorMessage")) or "no message given"
        if code == ALREADY_PROCESSED:
            return PlantResult(payment_id=None, trees=(), already_processed=True)
        raise PlantRefused(code, message)
    raw_trees = payload.get("trees")
    if not isinstance(raw_trees, list):
        raise OutcomeUnknown("unreadable_response", "`trees` is missing or not a list")
    trees = tuple(_parse_tree(raw) for raw in raw_trees)
    if len(trees) != request.quantity:
        # Planted is planted: keep what was reported, but let operators know.
        log.warning(
            "Tree-Nation order_id=%s asked for %d trees, answer lists %d",
            request.order_id,
            request.quantity,
            len(trees),
        )
    payment_id = _text_or_none(payload.get("payment_id"))
    return PlantResult(payment_id=payment_id, trees=trees)


def _parse_tree(raw: Any) -> PlantedTree:
    """Read one entry of `trees`; only its id is indispensable."""
    if not isinstance(raw, dict):
        raise OutcomeUnknown("unreadable_response", "a tree entry is not an object")
    tree_id = _text_or_none(raw.get("id"))
    if tree_id is None:
        raise OutcomeUnknown("unreadable_response", "a tree entry has no id")
    return PlantedTree(
        tree_id=tree_id,
        token=_text_or_none(raw.get("token")),
        collect_url=_text_or_none(raw.get("collect_url")),
        certificate_url=_text_or_none(raw.get("certificate_url")),
        species_id=_text_or_none(raw.get("species_id")),
        species_name=_text_or_none(raw.get("species_name")),
        life_time_co2_kg=_number_or_none(raw.get("species_life_time_CO2")),
        project_id=_text_or_none(raw.get("project_id")),
        project_name=_text_or_none(raw.get("project_name")),
        country=_text_or_none(raw.get("country")),
    )


def _text_or_none(value: Any) -> str | None:
    """Identifiers and labels as text: numbers become strings, blanks become None."""
    if isinstance(value, bool):
        return None  # True is an int in Python, but never a meaningful id
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return text or None
    return None


def _number_or_none(value: Any) -> float | None:
    """A finite number from a JSON number or numeric string, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _error_text(response: requests.Response) -> str:
    """Best human-readable explanation an error response offers."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        for key in ("errorMessage", "message", "error"):
            text = _text_or_none(payload.get(key))
            if text:
                return _snippet(text)
    return _snippet(response.text) or f"HTTP {response.status_code}"


def _snippet(text: str) -> str:
    """Shorten remote text before it lands in messages and logs."""
    text = " ".join(text.split())
    if len(text) <= BODY_SNIPPET_CHARS:
        return text
    return text[:BODY_SNIPPET_CHARS] + "…"


class DemoPlanter:
    """Stand-in for Tree-Nation when no token is configured: plants nothing."""

    SPECIES_NAME = "Demo tree"

    def __repr__(self) -> str:
        return "DemoPlanter()"

    def plant(self, request: PlantRequest) -> PlantResult:
        """Return `quantity` made-up trees whose ids depend only on the order."""
        suffix = _demo_order_suffix(request.order_id)
        trees = tuple(
            PlantedTree(
                tree_id=f"demo-{suffix}-{number}",
                token=None,
                collect_url=None,
                certificate_url=None,
                species_id=None,
                species_name=self.SPECIES_NAME,
                life_time_co2_kg=None,
                project_id=None,
                project_name=None,
                country=None,
            )
            for number in range(1, request.quantity + 1)
        )
        log.info(
            "Tree-Nation demo plant order_id=%s quantity=%s outcome=demo",
            request.order_id,
            request.quantity,
        )
        return PlantResult(payment_id=None, trees=trees, demo=True)


def _demo_order_suffix(order_id: str) -> str:
    """Short, stable stand-in for an order id inside demo tree ids."""
    # A digest rather than the id's last characters: order ids may share endings,
    # and demo tree ids must still differ from one order to the next.
    return hashlib.sha256(order_id.encode("utf-8")).hexdigest()[:12]
