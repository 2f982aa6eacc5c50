"""One function per questionnaire section: a checked row in, computed lines out.

Every function receives the row's values (None when left empty), the switches
and the factor set, and returns lines in kg CO₂e. Conventions follow the
methodology page: cars count per vehicle, other modes per passenger; parcels
interpolate between the listed weights; existing equipment is amortised per
day of use.
"""

from dataclasses import dataclass, replace

from flask_babel import gettext as _

from app.calculator.airports import great_circle_km
from app.calculator.factors import Factor, FactorSet

PLANE_BANDS = ((1000, "0-1000"), (2000, "1000-2000"), (5000, "2000-5000"))
LIFETIME_DAYS = {"phone": 2.5 * 365, "laptop": 5 * 365, "camera": 5 * 365}
PARCEL_POINTS = (
    (1, "parcel_1kg"),
    (2, "parcel_2kg"),
    (15, "parcel_15kg"),
    (30, "parcel_30kg"),
)
DEFAULT_SECONDS = {"photo": 3, "story": 5}
STATIC_AD_SECONDS = 3
MODE_LABELS = {
    "tgv": "TGV",
    "intercites": "Intercités",
    "ter": "TER",
}


class RowProblem(Exception):
    """A row whose answers are valid one by one but cannot be computed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Line:
    """One computed line, in kg CO₂e."""

    block: int
    kind: str
    item: str
    quantity: float
    unit: str
    factor_ids: tuple[str, ...]
    low: float
    central: float
    high: float
    measured: bool = True
    views: int = 0
    respondent: str = ""
    section: str = ""
    row: int | None = None

    def placed(self, respondent: str, section: str, row: int | None) -> "Line":
        return replace(self, respondent=respondent, section=section, row=row)


def scaled(block, kind, item, quantity, unit, factor: Factor, per=1.0, **extra):
    """Return a line of quantity × factor, `per` converting the factor to kg."""
    return Line(
        block,
        kind,
        item,
        quantity,
        unit,
        (factor.id,),
        quantity * factor.low * per,
        quantity * factor.value * per,
        quantity * factor.high * per,
        **extra,
    )


def plane_factor_id(distance_km: float, contrails: bool) -> str:
    band = next((name for limit, name in PLANE_BANDS if distance_km < limit), "5000+")
    return f"plane_{band}_{'contrails' if contrails else 'no_contrails'}"


def travel(row: dict, settings, factors: FactorSet) -> list[Line]:
    trips = 2 if row.get("round_trip") else 1
    passengers = row.get("passengers")
    passengers = 1 if passengers is None else passengers
    mode = row["mode"]
    if mode == "plane":
        origin, destination = row.get("origin"), row.get("destination")
        if not origin or not destination:
            raise RowProblem(_("Give both airports for a flight."))
        if origin == destination:
            raise RowProblem(_("The two airports are the same."))
        distance = great_circle_km(origin, destination)
        factor = factors[plane_factor_id(distance, settings.contrails)]
        item = _(
            "Flight %(origin)s–%(destination)s", origin=origin, destination=destination
        )
        return [
            scaled(
                1,
                "plane",
                item,
                distance * passengers * trips,
                _("passenger-km"),
                factor,
            )
        ]
    if row.get("km") is None:
        raise RowProblem(_("Give the distance of this journey in km."))
    if mode.startswith("car"):
        item = _("Car journey, %(km)s km", km=round(row["km"]))
        return [
            scaled(1, "car", item, row["km"] * trips, _("vehicle-km"), factors[mode])
        ]
    factor_id = mode if mode == "coach" else f"train_{mode}"
    label = MODE_LABELS.get(mode) or _("Coach")
    item = _("%(mode)s journey, %(km)s km", mode=label, km=round(row["km"]))
    return [
        scaled(
            1,
            "train" if mode != "coach" else "coach",
            item,
            row["km"] * passengers * trips,
            _("passenger-km"),
            factors[factor_id],
        )
    ]


def nights(row: dict, settings, factors: FactorSet) -> list[Line]:
    factor = factors[f"hotel_{row['country']}"]
    item = _("Hotel nights (%(country)s)", country=row["country"].upper())
    return [scaled(1, "hotel", item, row["nights"], _("nights"), factor)]


def meals(row: dict, settings, factors: FactorSet) -> list[Line]:
    labels = {
        "vegetarian": _("Vegetarian meals"),
        "chicken": _("Chicken meals"),
        "beef": _("Beef meals"),
    }
    return [
        scaled(1, f"meal_{name}", label, row[name], _("meals"), factors[f"meal_{name}"])
        for name, label in labels.items()
        if row.get(name)
    ]


def equipment(row: dict, settings, factors: FactorSet) -> list[Line]:
    device = row["device"]
    factor = factors[f"device_{device}"]
    if row["status"] == "new":
        item = _("New %(device)s", device=device_label(device))
        return [scaled(1, "device_new", item, 1, _("units"), factor)]
    if not row.get("days"):
        raise RowProblem(_("Give the days of use of owned equipment."))
    share = row["days"] / LIFETIME_DAYS[device]
    item = _(
        "%(device)s already owned, %(days)s days",
        device=device_label(device),
        days=row["days"],
    )
    return [scaled(1, "device_owned", item, share, _("share of a device"), factor)]


def device_label(device: str) -> str:
    return {"phone": _("phone"), "laptop": _("laptop"), "camera": _("camera")}[device]


def editing(row: dict, settings, factors: FactorSet) -> list[Line]:
    grid = factors[f"grid_{settings.grid}"]
    found = []
    if row.get("hours"):
        found.append(editing_line(row["hours"], grid, factors))
    if row.get("footage_gb"):
        years = row.get("storage_years")
        years = 1 if years is None else years
        found.append(
            scaled(
                1,
                "storage",
                _("Stored footage"),
                row["footage_gb"] * years,
                _("GB-years"),
                factors["footage_storage"],
                per=0.001,
            )
        )
    if row.get("studio_kwh"):
        found.append(
            scaled(
                1,
                "studio",
                _("Studio or location electricity"),
                row["studio_kwh"],
                "kWh",
                grid,
                per=0.001,
            )
        )
    return found


def editing_line(hours: float, grid: Factor, factors: FactorSet) -> Line:
    """Editing: hours × (manufacture share + electricity × grid), in kg."""
    manufacture = factors["editing_laptop_manufacture"]
    energy = factors["editing_laptop_energy"]

    def per_hour(pick) -> float:
        return (pick(manufacture) + energy.value * pick(grid)) / 1000

    return Line(
        1,
        "editing",
        _("Editing on a laptop"),
        hours,
        _("hours"),
        (manufacture.id, energy.id, grid.id),
        hours * per_hour(lambda f: f.low),
        hours * per_hour(lambda f: f.value),
        hours * per_hour(lambda f: f.high),
    )


def posts(row: dict, settings, factors: FactorSet) -> list[Line]:
    seconds, measured = watched_seconds(row)
    minutes = row["views"] * seconds / 60
    platform = row["platform"]
    item = _(
        "Viewing, %(platform)s %(format)s", platform=platform, format=row["format"]
    )
    found = [
        scaled(
            2,
            "viewing",
            item,
            minutes,
            _("minutes watched"),
            factors[f"view_{platform}"],
            per=0.001,
            measured=measured,
            views=row["views"],
        )
    ]
    if settings.device_manufacture:
        found.append(
            scaled(
                2,
                "device_viewing",
                _("Phones used to watch"),
                minutes,
                _("minutes watched"),
                factors["view_device_manufacture"],
                per=0.001,
                measured=measured,
            )
        )
    return found


def watched_seconds(row: dict) -> tuple[float, bool]:
    """Return seconds watched per view, and whether analytics gave it."""
    watch = row.get("watch_seconds")
    if row["format"] != "video":
        return (
            (watch, True)
            if watch is not None
            else (DEFAULT_SECONDS[row["format"]], False)
        )
    known = [value for value in (watch, row.get("duration_seconds")) if value]
    if not known:
        raise RowProblem(_("Give the average watch time or the video's duration."))
    return min(known), watch is not None


def gifts(row: dict, settings, factors: FactorSet) -> list[Line]:
    category = row["category"]
    quantity = row["quantity"]
    label = _("Gifted products (%(category)s)", category=category.replace("_", " "))
    if row.get("own_kg") is not None:
        kg = quantity * row["own_kg"]
        return [Line(3, "gift", label, quantity, _("units"), (), kg, kg, kg)]
    if f"product_{category}" not in factors.factors:
        raise RowProblem(
            _("No credible default exists for this product: give your own figure.")
        )
    return [
        scaled(
            3,
            "gift",
            label,
            quantity,
            _("units"),
            factors[f"product_{category}"],
            measured=False,
        )
    ]


def parcel_kg(weight: float, factors: FactorSet) -> tuple[float, tuple[str, ...]]:
    """Interpolate the footprint of one parcel between the listed weights."""
    (first_weight, first_id) = PARCEL_POINTS[0]
    if weight <= first_weight:
        return factors[first_id].value, (first_id,)
    for (w0, id0), (w1, id1) in zip(PARCEL_POINTS, PARCEL_POINTS[1:], strict=False):
        if weight <= w1:
            v0, v1 = factors[id0].value, factors[id1].value
            return v0 + (v1 - v0) * (weight - w0) / (w1 - w0), (id0, id1)
    raise RowProblem(_("Parcels over 30 kg are not counted: enter them as freight."))


def parcels(row: dict, settings, factors: FactorSet) -> list[Line]:
    per_parcel, ids = parcel_kg(row["weight_kg"], factors)
    kg = row["count"] * per_parcel
    item = _("Parcels of %(weight)s kg", weight=row["weight_kg"])
    return [Line(3, "parcel", item, row["count"], _("parcels"), ids, kg, kg, kg)]


def freight(row: dict, settings, factors: FactorSet) -> list[Line]:
    factor = factors[
        "freight_air_long_haul" if row["mode"] == "air" else "freight_road_truck"
    ]
    item = _("Air freight") if row["mode"] == "air" else _("Road freight")
    tonne_km = row["weight_kg"] / 1000 * row["km"]
    return [scaled(3, f"freight_{row['mode']}", item, tonne_km, _("tonne-km"), factor)]


def paid(row: dict, settings, factors: FactorSet) -> list[Line]:
    """Viewing time × platform factor, plus ad serving; widened to the all-in
    range of an average digital ad where that range is wider."""
    impressions = row["impressions"]
    seconds = row.get("seconds")
    measured = seconds is not None
    minutes = impressions * (seconds if measured else STATIC_AD_SECONDS) / 60
    view = factors[f"view_{row['platform']}"]
    serving = factors[f"ad_{row['buying']}"]
    all_in = factors["ad_all_in"]
    base = impressions * serving.value / 1000

    def kg(pick) -> float:
        return minutes * pick(view) / 1000 + base

    item = _("Paid media, %(platform)s", platform=row["platform"])
    return [
        Line(
            4,
            "paid",
            item,
            impressions,
            _("impressions"),
            (view.id, serving.id, all_in.id),
            min(kg(lambda f: f.low), impressions * all_in.low / 1e6),
            kg(lambda f: f.value),
            max(kg(lambda f: f.high), impressions * all_in.high / 1e6),
            measured=measured,
        )
    ]


def sales(row: dict, settings, factors: FactorSet) -> list[Line]:
    if row.get("units") is None or row.get("product_kg") is None:
        raise RowProblem(_("Give both the units sold and the footprint of one unit."))
    kg = row["units"] * row["product_kg"]
    return [
        Line(
            5,
            "sales",
            _("Products sold through the campaign"),
            row["units"],
            _("units"),
            (),
            kg,
            kg,
            kg,
        )
    ]


COMPUTERS = {
    "travel": travel,
    "nights": nights,
    "meals": meals,
    "equipment": equipment,
    "editing": editing,
    "posts": posts,
    "gifts": gifts,
    "parcels": parcels,
    "freight": freight,
    "paid": paid,
    "sales": sales,
}
