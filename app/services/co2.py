"""CO₂ estimates for Canopy: every factor, its source and the arithmetic.

Canopy keeps two separate ledgers and never nets one against the other:

* **Avoided by archiving** — an *estimate*, given as a low–high range, of the
  data-centre and network emissions a campaign no longer causes once it stops
  collecting. Collection is server to server, so end-user device energy is left out.
* **Captured by trees** — Tree-Nation's conservative figure for what planted trees
  absorb over their first ten years.

The two answer different questions on different time scales and with different
certainty, so adding them up (or subtracting one from the other to claim a campaign
is "carbon neutral") would be misleading. Callers get each ledger separately.

No per-API-call factor exists that we could defend, so estimates are built from
measured bytes only. Plain Python: no Flask, no database, no locale formatting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def N_(text: str) -> str:
    """Mark a label for translation; the page that shows it translates it."""
    return text


# --- Transfer -----------------------------------------------------------------

# Sustainable Web Design model v4, as implemented in The Green Web Foundation's
# co2.js: data-centre + network energy per GB, operational plus embodied. The
# device share is excluded because nobody's screen is involved in collection.
TRANSFER_KWH_PER_GB = 0.139

# --- Storage ------------------------------------------------------------------

# Cloud Carbon Footprint coefficients: HDD at 0.65 Wh per TB-hour, ×3 replication,
# PUE 1.135. An object store is the cheapest plausible home, hence the low end.
STORAGE_HDD_KWH_PER_GB_YEAR = 0.019

# Cloud Carbon Footprint coefficients: SSD at 1.2 Wh per TB-hour, ×6 replication,
# PUE 1.135. A replicated database is the costliest plausible home: the high end.
STORAGE_SSD_KWH_PER_GB_YEAR = 0.072

# Data added during a year is held, on average, for half of that year.
FIRST_YEAR_STORAGE_SHARE = 0.5

# --- Grid carbon intensity ------------------------------------------------------

# Ember annual average shipped with co2.js; France's low-carbon grid sets the floor.
GRID_FRANCE_G_PER_KWH = 56.0

# Ember annual average shipped with co2.js; kept for the methodology page.
GRID_EU_G_PER_KWH = 244.0

# Sustainable Web Design v4 global average; servers could sit anywhere, so this is
# the ceiling.
GRID_WORLD_G_PER_KWH = 494.0

# --- Trees ----------------------------------------------------------------------

# Tree-Nation's conservative estimate for the first 10 years of a tree's life (its
# lifetime average is about 250 kg, but that figure is not the one we promise).
TREE_KG_CO2_FIRST_10_YEARS = 80.0

# --- Units ----------------------------------------------------------------------

BYTES_PER_GB = 1e9  # decimal gigabytes, as the SWD model counts them
DAYS_PER_YEAR = 365

_SWD_URL = "https://sustainablewebdesign.org/estimating-digital-emissions/"
_CO2JS_URL = "https://developers.thegreenwebfoundation.org/co2js/data/"
_CCF_URL = "https://www.cloudcarbonfootprint.org/docs/methodology/"
_TREE_NATION_URL = "https://kb.tree-nation.com/knowledge/co2-capture"


@dataclass(frozen=True)
class Co2Range:
    """An estimate in grams of CO₂e, from a low to a high bound."""

    low_grams: float
    high_grams: float

    def __post_init__(self) -> None:
        if not 0 <= self.low_grams <= self.high_grams:
            raise ValueError("expected 0 <= low_grams <= high_grams")

    @property
    def mid_grams(self) -> float:
        """Midpoint of the range, for sorting or charts, not for display alone."""
        return (self.low_grams + self.high_grams) / 2


@dataclass(frozen=True)
class Factor:
    """One sourced factor, as listed on the "how we estimate" page."""

    key: str
    label: str
    value: float
    unit: str
    source: str
    source_url: str


FACTORS: tuple[Factor, ...] = (
    Factor(
        key="transfer",
        label=N_("Data centre and network energy per GB transferred"),
        value=TRANSFER_KWH_PER_GB,
        unit="kWh/GB",
        source="Sustainable Web Design model v4, via co2.js",
        source_url=_SWD_URL,
    ),
    Factor(
        key="storage_hdd",
        label=N_("Storage energy, replicated hard disks (low)"),
        value=STORAGE_HDD_KWH_PER_GB_YEAR,
        unit="kWh/GB-year",
        source="Cloud Carbon Footprint coefficients",
        source_url=_CCF_URL,
    ),
    Factor(
        key="storage_ssd",
        label=N_("Storage energy, replicated SSDs (high)"),
        value=STORAGE_SSD_KWH_PER_GB_YEAR,
        unit="kWh/GB-year",
        source="Cloud Carbon Footprint coefficients",
        source_url=_CCF_URL,
    ),
    Factor(
        key="grid_france",
        label=N_("Grid carbon intensity, France (low)"),
        value=GRID_FRANCE_G_PER_KWH,
        unit="g CO₂e/kWh",
        source="Ember, via co2.js",
        source_url=_CO2JS_URL,
    ),
    Factor(
        key="grid_eu",
        label=N_("Grid carbon intensity, EU average"),
        value=GRID_EU_G_PER_KWH,
        unit="g CO₂e/kWh",
        source="Ember, via co2.js",
        source_url=_CO2JS_URL,
    ),
    Factor(
        key="grid_world",
        label=N_("Grid carbon intensity, world average (high)"),
        value=GRID_WORLD_G_PER_KWH,
        unit="g CO₂e/kWh",
        source="Sustainable Web Design model v4",
        source_url=_SWD_URL,
    ),
    Factor(
        key="tree_10_years",
        label=N_("CO₂ captured per tree, first 10 years"),
        value=TREE_KG_CO2_FIRST_10_YEARS,
        unit="kg CO₂",
        source="Tree-Nation (conservative estimate)",
        source_url=_TREE_NATION_URL,
    ),
)


def _gb_per_year(bytes_per_day: float, name: str) -> float:
    """Convert a daily byte count to decimal GB a year, rejecting bad input."""
    if not math.isfinite(bytes_per_day) or bytes_per_day < 0:
        raise ValueError(f"{name} must be a finite number >= 0")
    return bytes_per_day * DAYS_PER_YEAR / BYTES_PER_GB


def avoided_per_year(
    bytes_received_per_day: float, bytes_stored_per_day: float
) -> Co2Range:
    """Estimate the grams of CO₂e a year that archiving a campaign avoids."""
    received_gb = _gb_per_year(bytes_received_per_day, "bytes_received_per_day")
    stored_gb = _gb_per_year(bytes_stored_per_day, "bytes_stored_per_day")
    transfer_kwh = received_gb * TRANSFER_KWH_PER_GB
    held_gb_years = FIRST_YEAR_STORAGE_SHARE * stored_gb
    # Pair the cheapest storage with the cleanest grid, and the costliest with the
    # world average, so the range spans every plausible hosting setup.
    low_kwh = transfer_kwh + held_gb_years * STORAGE_HDD_KWH_PER_GB_YEAR
    high_kwh = transfer_kwh + held_gb_years * STORAGE_SSD_KWH_PER_GB_YEAR
    return Co2Range(
        low_grams=low_kwh * GRID_FRANCE_G_PER_KWH,
        high_grams=high_kwh * GRID_WORLD_G_PER_KWH,
    )


def tree_capture_kg(tree_count: int) -> float:
    """Return kg of CO₂ that tree_count trees capture over their first 10 years."""
    if tree_count < 0:
        raise ValueError("tree_count must be >= 0")
    return tree_count * TREE_KG_CO2_FIRST_10_YEARS


def format_grams(grams: float) -> tuple[float, str]:
    """Scale a mass in grams to g, kg or t and return (value, unit symbol)."""
    # Thresholds are exclusive upper bounds so 1,000 g reads "1 kg", not "1000 g".
    magnitude = abs(grams)
    if magnitude < 1_000:
        return grams, "g"
    if magnitude < 1_000_000:
        return grams / 1_000, "kg"
    return grams / 1_000_000, "t"
