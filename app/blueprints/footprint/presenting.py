"""Turning a computed footprint into what the results page shows."""

import math
from dataclasses import dataclass

from flask_babel import format_decimal

# Translated when shown; `N_` is the keyword `make i18n` extracts.
from flask_babel import lazy_gettext as N_

from app.calculator.compute import HEADLINE_BLOCKS, Range, Result
from app.calculator.factors import FactorSet

BLOCK_NAMES = {
    1: N_("Conception"),
    2: N_("Distribution"),
    3: N_("Shipping and products"),
    4: N_("Paid amplification"),
    5: N_("Sales uplift"),
}
# Presentation colours for the bar, one per block (SVG attributes, no style=).
BLOCK_COLOURS = {1: "#2f6f4f", 2: "#4f8fbf", 3: "#c98a2b", 4: "#8a5fa8"}
QUALITY_LABELS = {
    "measured": N_("From your data"),
    "mixed": N_("Partly defaults"),
    "default": N_("Defaults"),
}
LEVERS = {
    "plane": N_(
        "Flights lead: take the train under 1,000 km (TGV 0.0029 kg per "
        "passenger-km against 0.225 by plane), or shoot closer to home."
    ),
    "car": N_("Share cars or pick an electric one (0.067 against 0.142 kg per km)."),
    "hotel": N_("Fewer nights away: group shoots, or stay in lower-footprint hotels."),
    "meal_beef": N_("Serve vegetarian meals on set (0.85 kg against 4.97 for beef)."),
    "device_new": N_("Use equipment you already own, or rent it, rather than buy new."),
    "viewing": N_(
        "Viewing time leads: shorter videos and fewer, better-targeted posts "
        "cut it most."
    ),
    "device_viewing": N_("Viewing time leads: shorter videos cut the phones' share."),
    "gift": N_("Gift fewer products, and only to creators who asked for them."),
    "parcel": N_("Group parcels into fewer, fuller shipments."),
    "freight_air": N_("Ship by road or rail instead of by air where you can."),
    "paid": N_(
        "Buy media directly rather than programmatically: serving costs "
        "0.003 g per impression against up to 0.97 g."
    ),
    "editing": N_("Edit on existing machines and keep fewer hours of raw footage."),
    "studio": N_("Use a studio on a low-carbon grid, or daylight locations."),
}


def round_sig(value: float, digits: int = 2) -> float:
    """Round to `digits` significant figures (the headline's precision)."""
    if value == 0:
        return 0.0
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def format_mass(kg: float, significant: int | None = 2) -> str:
    """Format kg CO₂e as "1.2 t" or "340 kg" in the page's locale."""
    value = round_sig(kg, significant) if significant else kg
    if abs(value) >= 1000:
        return f"{format_decimal(value / 1000, '#,##0.##')} t"
    if abs(value) >= 1:
        return f"{format_decimal(value, '#,##0.#')} kg"
    return f"{format_decimal(value * 1000, '#,##0.#')} g"


def format_range(estimate: Range) -> str:
    return f"{format_mass(estimate.low)} – {format_mass(estimate.high)}"


@dataclass(frozen=True)
class Segment:
    block: int
    x: float
    width: float
    colour: str


def bar_segments(result: Result, width: float = 600) -> list[Segment]:
    """Lay out the stacked bar: one segment per reported block, by central value."""
    totals = {b: result.block_total(b).central for b in HEADLINE_BLOCKS}
    whole = sum(totals.values())
    if whole <= 0:
        return []
    segments, x = [], 0.0
    for block, value in totals.items():
        if value <= 0:
            continue
        span = round(width * value / whole, 1)
        segments.append(Segment(block, round(x, 1), span, BLOCK_COLOURS[block]))
        x += span
    return segments


def equivalent(result: Result, factors: FactorSet) -> tuple[str, object]:
    """Return (amount, factor) for one equivalent of the central value."""
    central = result.headline.central
    flight = factors["equiv_paris_new_york"]
    if central >= flight.value / 2:
        return format_decimal(round_sig(central / flight.value), "#,##0.#"), flight
    car = factors["equiv_car_km"]
    return format_decimal(round_sig(central / car.value), "#,##0"), car


def levers(result: Result) -> list[str]:
    """Levers tied to the three largest items, one per kind of item."""
    found: list[str] = []
    for line in result.largest():
        lever = LEVERS.get(line.kind)
        if lever is not None and str(lever) not in found:
            found.append(str(lever))
    return found
