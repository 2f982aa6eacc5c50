"""Values and helpers every template can use."""

import json
from datetime import date

from flask import Flask, current_app
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    get_locale,
)

from app.services import co2

HTMX_CONFIG = {
    # htmx's injected <style> would break the Content-Security-Policy.
    "includeIndicatorStyles": False,
    "allowEval": False,
    "historyRestoreAsHxRequest": False,
    # htmx drops 4xx bodies by default; Canopy's error messages must show.
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "(400|404|409|422|429)", "swap": True, "error": True},
        {"code": "[45]..", "swap": False, "error": True},
    ],
}


BYTE_UNITS = (("GB", 1e9), ("MB", 1e6), ("kB", 1e3))


def format_bytes(count: float) -> str:
    """Format a byte count with a decimal unit, in the page's locale."""
    for unit, size in BYTE_UNITS:
        if count >= size:
            return f"{format_decimal(count / size, '#,##0.#')} {unit}"
    return f"{format_decimal(count, '#,##0')} B"


def format_co2_range(estimate: co2.Co2Range) -> str:
    """Format a CO₂ range as "30–250 g", both ends in the high end's unit."""
    high, unit = co2.format_grams(estimate.high_grams)
    scale = high / estimate.high_grams if estimate.high_grams else 1
    low = estimate.low_grams * scale
    pattern = "#,##0.#" if high < 10 else "#,##0"
    return f"{format_decimal(low, pattern)}–{format_decimal(high, pattern)} {unit}"


def month_date(month: str) -> date:
    """Return the first day of a YYYY-MM month, for formatting its name."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1)


def init_app(app: Flask) -> None:
    @app.context_processor
    def template_helpers() -> dict:
        return {
            "htmx_config": lambda: json.dumps(HTMX_CONFIG),
            "demo_planter": lambda: not current_app.config["TREE_NATION_API_TOKEN"],
            "current_locale": lambda: str(get_locale() or "en"),
            "format_date": format_date,
            "format_datetime": format_datetime,
            "format_decimal": format_decimal,
            "format_number": format_number,
            "format_bytes": format_bytes,
            "format_co2_range": format_co2_range,
            "month_date": month_date,
        }
