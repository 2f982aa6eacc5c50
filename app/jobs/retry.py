"""retry-plantings: re-send orders whose outcome Tree-Nation never gave."""

import logging

from app.jobs.report import JobReport
from app.services import planting as planting_service

log = logging.getLogger("canopy.jobs")

JOB = "retry-plantings"


def run(include_failed: bool = False) -> JobReport:
    """Re-send pending and stale reserved orders with their own order id.

    With include_failed, refused orders are re-sent too: an operator's choice
    after fixing what Tree-Nation refused (credits, account).
    """
    order_pks = planting_service.orders_to_retry(include_failed)

    outcomes = [planting_service.dispatch(pk) for pk in order_pks]

    states = [outcome.state for outcome in outcomes if outcome is not None]
    planted = sum(s in ("planted", "planted_unconfirmed") for s in states)
    summary = (
        f"{len(order_pks)} order(s) retried: {planted} planted, "
        f"{states.count('pending')} still pending, {states.count('failed')} failed"
    )
    return JobReport(JOB, None, states.count("pending") == 0, summary)
