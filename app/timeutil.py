"""Time in Canopy: stored in UTC, reasoned about in the business time zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, as the database stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def business_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BUSINESS_TIMEZONE"])


def to_business(moment: datetime) -> datetime:
    """Return a stored (naive UTC) time in the business time zone."""
    return moment.replace(tzinfo=UTC).astimezone(business_zone())


def business_today() -> date:
    return datetime.now(business_zone()).date()


def month_key(day: date) -> str:
    """Return the YYYY-MM key of the month holding a date."""
    return f"{day.year:04d}-{day.month:02d}"


def current_month_key() -> str:
    return month_key(business_today())
