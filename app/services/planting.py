"""Tree-Nation orders: reserving, sending and recording the outcome.

No database transaction stays open while Tree-Nation is called: an order is
committed before the call, marked as sent in a short transaction, and its
outcome is recorded in another.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.database import write_transaction
from app.extensions import db
from app.models import Planting, PlantingOrder
from app.services import quota
from app.services.shared_clients import shared_client
from app.services.tree_nation import (
    DemoPlanter,
    OutcomeUnknown,
    PlantRefused,
    PlantRequest,
    PlantResult,
    TreeNationClient,
)
from app.timeutil import current_month_key, utcnow

log = logging.getLogger("canopy.planting")

MESSAGE_LIMIT = 200
IN_FLIGHT_MARGIN_SECONDS = 5


def new_order_id() -> str:
    """Return a fresh order id; never derived from database ids, which repeat."""
    return f"canopy-{uuid.uuid4()}"


def certificate_message(campaign_names: list[str]) -> str:
    """Name the campaigns on the certificate, staying under Tree-Nation's limit."""
    quoted = [f"«{name}»" for name in campaign_names]
    for shown in range(len(quoted), 0, -1):
        rest = len(quoted) - shown
        if rest == 0 and shown == 1:
            names = quoted[0]
        elif rest == 0:
            names = ", ".join(quoted[: shown - 1]) + " and " + quoted[shown - 1]
        else:
            names = ", ".join(quoted[:shown]) + f" and {rest} more"
        message = f"Archived in Canopy: {names}"
        if len(message) < MESSAGE_LIMIT:
            return message
    return f"Archived in Canopy: {len(quoted)} campaigns"[: MESSAGE_LIMIT - 1]


def build_planter(config: dict):
    """Tree-Nation with a token, else the demo planter that calls nobody."""
    if not config["TREE_NATION_API_TOKEN"]:
        return DemoPlanter()
    return TreeNationClient(
        config["TREE_NATION_API_URL"],
        config["TREE_NATION_API_TOKEN"],
        config["TREE_NATION_TIMEOUT"],
    )


def get_planter():
    return shared_client("canopy_planter", build_planter)


def create_order(
    recipient, plantings: list[Planting], names: list[str], language: str
) -> PlantingOrder:
    """Add an order for these plantings to the current transaction."""
    order = PlantingOrder(
        order_id=new_order_id(),
        recipient_id=recipient.id,
        quantity=len(plantings),
        state="reserved",
        language=language,
        message=certificate_message(names),
        demo=not current_app.config["TREE_NATION_API_TOKEN"],
    )
    db.session.add(order)
    for planting in plantings:
        planting.order = order
        planting.state = "reserved"
    return order


@dataclass(frozen=True)
class OrderOutcome:
    """What became of an order after a call, in plain values for the views."""

    state: str
    quantity: int
    collect_urls: tuple[str, ...] = ()
    demo: bool = False
    error_code: str | None = None


def in_flight_cutoff():
    """Return the time before which a sent order can no longer be in flight."""
    timeout = float(current_app.config["TREE_NATION_TIMEOUT"])
    # Connecting and reading may each take the timeout; the margin covers the
    # commits around the call.
    return utcnow() - timedelta(seconds=2 * timeout + IN_FLIGHT_MARGIN_SECONDS)


def mark_sent(order_pk: int) -> PlantRequest | None:
    """Count an attempt and return the request to send, or None if settled.

    An order another process sent moments ago is left alone: its call may still
    be in flight.
    """
    with write_transaction():
        order = db.session.get(PlantingOrder, order_pk, with_for_update=True)
        if order.state not in ("reserved", "pending", "failed"):
            return None
        if order.sent_at is not None and order.sent_at >= in_flight_cutoff():
            return None
        if order.state == "failed" and not retake_slots(order):
            return None
        order.attempts += 1
        order.sent_at = utcnow()
        order.state = "pending"
        request = build_request(order)
    return request


def retake_slots(order: PlantingOrder) -> bool:
    """Take this month's slots again for a refused order an operator re-sends."""
    month = current_month_key()
    quota.ensure_month(month)
    if not quota.try_take(month, order.quantity, behind_queue=False):
        log.warning("Order %s not re-sent: the month's quota is used", order.order_id)
        return False
    for planting in order.plantings:
        planting.quota_month = month
    return True


def build_request(order: PlantingOrder) -> PlantRequest:
    recipient = order.recipient
    config = current_app.config
    email = recipient.email if recipient.tree_nation_may_email else None
    return PlantRequest(
        order_id=order.order_id,
        quantity=order.quantity,
        recipient_name=recipient.name,
        recipient_email=email,
        recipient_internal_id=f"canopy-user-{recipient.id}",
        language=order.language,
        message=order.message,
        planter_id=config["TREE_NATION_PLANTER_ID"],
        species_id=config["TREE_NATION_SPECIES_ID"],
    )


def dispatch(order_pk: int) -> OrderOutcome | None:
    """Send one order to Tree-Nation and record what came back."""
    request = mark_sent(order_pk)
    if request is None:
        return None

    try:
        result = get_planter().plant(request)
    except PlantRefused as refusal:
        return record_refusal(order_pk, refusal.code, refusal.message)
    except OutcomeUnknown as unknown:
        return record_unknown(order_pk, unknown.code, unknown.message)
    return record_result(order_pk, result)


def locked_pending_order(
    order_pk: int, accept_unconfirmed: bool = False
) -> PlantingOrder | None:
    """Lock the order to record an outcome; None if another process settled it.

    A late success may still complete an order a retry found already processed:
    it carries the links that answer lacked.
    """
    order = db.session.get(PlantingOrder, order_pk, with_for_update=True)
    late_success = accept_unconfirmed and order.state == "planted_unconfirmed"
    if order.state != "pending" and not late_success:
        log.info("Order %s already settled as %s", order.order_id, order.state)
        return None
    return order


def settled(order_pk: int) -> OrderOutcome:
    order = db.session.get(PlantingOrder, order_pk)
    urls = tuple(p.collect_url for p in order.plantings if p.collect_url)
    return OrderOutcome(order.state, order.quantity, urls, demo=order.demo)


def record_result(order_pk: int, result: PlantResult) -> OrderOutcome:
    with write_transaction():
        accept = not result.already_processed
        order = locked_pending_order(order_pk, accept_unconfirmed=accept)
        if order is None:
            return settled(order_pk)
        if result.already_processed:
            return settle_already_processed(order)
        apply_trees(order, result)
        log.info(
            "Order %s planted: %d tree(s), payment %s",
            order.order_id,
            order.quantity,
            order.payment_id,
        )
        urls = tuple(p.collect_url for p in order.plantings if p.collect_url)
        return OrderOutcome("planted", order.quantity, urls, demo=result.demo)


def apply_trees(order: PlantingOrder, result: PlantResult) -> None:
    """Store each tree on the order's plantings, in planting-id order."""
    now = utcnow()
    order.state = "planted"
    order.payment_id = result.payment_id
    order.confirmed_at = now
    order.last_error_code = None
    order.last_error_message = None
    for planting, tree in zip(order.plantings, result.trees, strict=False):
        planting.state = "planted"
        planting.planted_at = now
        planting.demo = result.demo
        planting.tree_id = tree.tree_id
        planting.token = tree.token
        planting.collect_url = tree.collect_url
        planting.certificate_url = tree.certificate_url
        planting.species_id = tree.species_id
        planting.species_name = tree.species_name
        planting.life_time_co2_kg = tree.life_time_co2_kg
        planting.project_id = tree.project_id
        planting.project_name = tree.project_name
        planting.country = tree.country
    if len(result.trees) < len(order.plantings):
        log.error(
            "Order %s: Tree-Nation returned %d tree(s) for %d planting(s)",
            order.order_id,
            len(result.trees),
            len(order.plantings),
        )
        for planting in order.plantings[len(result.trees) :]:
            planting.state = "planted_unconfirmed"


def settle_already_processed(order: PlantingOrder) -> OrderOutcome:
    """A repeat of a sent order means planted; on a first attempt it is an anomaly."""
    if order.attempts > 1:
        log.info("Order %s was already processed: planted", order.order_id)
        set_state(order, "planted_unconfirmed")
        order.confirmed_at = utcnow()
        return OrderOutcome("planted_unconfirmed", order.quantity)

    log.error(
        "Order %s was refused as already processed on its first attempt; "
        "marking it failed for an operator to check",
        order.order_id,
    )
    fail_order(order, "already_processed", "already processed on first attempt")
    return OrderOutcome("failed", order.quantity, error_code="already_processed")


def record_refusal(order_pk: int, code: str, message: str) -> OrderOutcome:
    with write_transaction():
        order = locked_pending_order(order_pk)
        if order is None:
            return settled(order_pk)
        log.warning(
            "Order %s refused by Tree-Nation: %s (%s)", order.order_id, code, message
        )
        fail_order(order, code, message)
        return OrderOutcome("failed", order.quantity, error_code=code)


def fail_order(order: PlantingOrder, code: str, message: str) -> None:
    """Mark an order and its trees failed and give their slots back."""
    order.last_error_code = code
    order.last_error_message = message[:1000]
    for month, count in slots_by_month(order.plantings).items():
        quota.give_back(month, count)
    set_state(order, "failed")


def record_unknown(order_pk: int, code: str, message: str) -> OrderOutcome:
    with write_transaction():
        order = locked_pending_order(order_pk)
        if order is None:
            return settled(order_pk)
        log.warning(
            "Order %s outcome unknown (%s); it will be retried",
            order.order_id,
            code,
        )
        order.last_error_code = code
        order.last_error_message = message[:1000]
        set_state(order, "pending")
        return OrderOutcome("pending", order.quantity, error_code=code)


def set_state(order: PlantingOrder, state: str) -> None:
    order.state = state
    for planting in order.plantings:
        planting.state = state


def slots_by_month(plantings: list[Planting]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for planting in plantings:
        if planting.quota_month:
            counts[planting.quota_month] = counts.get(planting.quota_month, 0) + 1
    return counts


def orders_to_retry(include_failed: bool) -> list[int]:
    """Return orders whose outcome is unknown and no call is still in flight."""
    settled_before = in_flight_cutoff()
    states = ["reserved", "pending"] + (["failed"] if include_failed else [])
    statement = (
        select(PlantingOrder.id)
        .where(
            PlantingOrder.state.in_(states),
            db.func.coalesce(PlantingOrder.sent_at, PlantingOrder.created_at)
            < settled_before,
        )
        .order_by(PlantingOrder.id)
    )
    return list(db.session.scalars(statement))
