"""What each questionnaire asks, and how one typed answer is checked.

Answers are stored exactly as typed, keyed `section.field` or
`section.<row>.field` for sections with rows; `check` turns a typed value into
a number, code or date, or a message saying what is wrong.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _

# Translated when shown; `N_` is the keyword `make i18n` extracts.
from flask_babel import lazy_gettext as N_

from app.calculator.airports import find_airport

MAX_ROWS = 40
PLATFORMS = (
    ("tiktok", "TikTok"),
    ("instagram", "Instagram"),
    ("youtube", "YouTube"),
    ("facebook", "Facebook"),
    ("snapchat", "Snapchat"),
)


@dataclass(frozen=True)
class Field:
    """One question. `confirm_above` asks to confirm larger values; `maximum`
    refuses them."""

    name: str
    label: object
    kind: str  # int, decimal, choice, airport, date, text, bool
    choices: tuple = ()
    required: bool = False
    confirm_above: float | None = None
    maximum: float | None = None
    maximum_message: object = None
    help: object = None


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    block: int
    fields: tuple[Field, ...]
    repeating: bool = True
    intro: object = None
    extra: tuple = field(default=())


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one typed answer."""

    value: object = None
    error: str | None = None
    needs_confirmation: bool = False

    @property
    def usable(self) -> bool:
        return self.error is None and not self.needs_confirmation


TRAVEL = Section(
    "travel",
    N_("Travel"),
    1,
    (
        Field(
            "mode",
            N_("Mode"),
            "choice",
            (
                ("plane", N_("Plane")),
                ("tgv", N_("TGV")),
                ("intercites", N_("Intercités")),
                ("ter", N_("TER")),
                ("car_combustion", N_("Car, petrol or diesel")),
                ("car_electric", N_("Car, electric")),
                ("coach", N_("Coach")),
            ),
            required=True,
        ),
        Field("origin", N_("From (airport code)"), "airport"),
        Field("destination", N_("To (airport code)"), "airport"),
        Field(
            "km",
            N_("Distance in km (not for flights)"),
            "decimal",
            confirm_above=3000,
            maximum=40000,
        ),
        Field("passengers", N_("Passengers"), "int", confirm_above=30, maximum=1000),
        Field("round_trip", N_("Return trip"), "bool"),
        Field("date", N_("Date"), "date"),
    ),
    intro=N_("One line per journey. A car counts once, whatever its passengers."),
)
NIGHTS = Section(
    "nights",
    N_("Hotel nights"),
    1,
    (
        Field(
            "country",
            N_("Country"),
            "choice",
            (
                ("fr", N_("France")),
                ("uk", N_("United Kingdom")),
                ("de", N_("Germany")),
                ("es", N_("Spain")),
                ("eu", N_("Other EU country")),
                ("us", N_("United States")),
            ),
            required=True,
        ),
        Field("nights", N_("Room-nights"), "int", required=True, confirm_above=60),
    ),
)
MEALS = Section(
    "meals",
    N_("Meals during shoots"),
    1,
    (
        Field("vegetarian", N_("Vegetarian meals"), "int", confirm_above=500),
        Field("chicken", N_("Chicken meals"), "int", confirm_above=500),
        Field("beef", N_("Beef meals"), "int", confirm_above=500),
    ),
    repeating=False,
)
EQUIPMENT = Section(
    "equipment",
    N_("Equipment"),
    1,
    (
        Field(
            "device",
            N_("Device"),
            "choice",
            (
                ("phone", N_("Phone")),
                ("laptop", N_("Laptop")),
                ("camera", N_("Camera")),
            ),
            required=True,
        ),
        Field(
            "status",
            N_("Bought for the campaign, or already owned"),
            "choice",
            (("new", N_("Bought new")), ("existing", N_("Already owned"))),
            required=True,
        ),
        Field(
            "days",
            N_("Days of use (owned equipment)"),
            "int",
            confirm_above=120,
            maximum=3650,
        ),
    ),
)
EDITING = Section(
    "editing",
    N_("Editing and energy"),
    1,
    (
        Field("hours", N_("Editing hours on a laptop"), "decimal", confirm_above=500),
        Field("footage_gb", N_("Footage stored (GB)"), "decimal", confirm_above=5000),
        Field(
            "storage_years",
            N_("Years the footage is kept"),
            "decimal",
            confirm_above=10,
            maximum=100,
        ),
        Field(
            "studio_kwh",
            N_("Studio or location electricity (kWh)"),
            "decimal",
            confirm_above=20000,
        ),
    ),
    repeating=False,
)
POSTS = Section(
    "posts",
    N_("Posts and their analytics"),
    2,
    (
        Field("platform", N_("Platform"), "choice", PLATFORMS, required=True),
        Field(
            "format",
            N_("Format"),
            "choice",
            (("photo", N_("Photo")), ("story", N_("Story")), ("video", N_("Video"))),
            required=True,
        ),
        Field("views", N_("Views"), "int", required=True, confirm_above=50_000_000),
        Field(
            "watch_seconds",
            N_("Average watch time (s), from analytics"),
            "decimal",
            confirm_above=1800,
        ),
        Field(
            "duration_seconds", N_("Video duration (s)"), "decimal", confirm_above=7200
        ),
        Field("link", N_("Link"), "text"),
    ),
    intro=N_("Views and watch time from your analytics make the estimate sharper."),
)
GIFTS = Section(
    "gifts",
    N_("Gifted products"),
    3,
    (
        Field(
            "category",
            N_("Product"),
            "choice",
            (
                ("tshirt", N_("Cotton T-shirt")),
                ("jeans", N_("Jeans")),
                ("shoes", N_("Leather shoes")),
                ("shower_gel", N_("Shower gel (kg)")),
                ("shampoo", N_("Shampoo (kg)")),
                ("makeup", N_("Make-up")),
                ("perfume", N_("Perfume")),
                ("other", N_("Other")),
            ),
            required=True,
        ),
        Field(
            "quantity",
            N_("Quantity (units, or kg for cosmetics)"),
            "decimal",
            required=True,
            confirm_above=10000,
        ),
        Field(
            "own_kg",
            N_("Your own figure, kg CO₂e per unit (used first)"),
            "decimal",
            confirm_above=1000,
        ),
    ),
)
PARCELS = Section(
    "parcels",
    N_("Parcels"),
    3,
    (
        Field("count", N_("Parcels"), "int", required=True, confirm_above=10000),
        Field(
            "weight_kg",
            N_("Weight of each parcel (kg)"),
            "decimal",
            required=True,
            maximum=30,
            maximum_message=N_(
                "Parcels over 30 kg are not counted: enter them as freight."
            ),
        ),
    ),
)
FREIGHT = Section(
    "freight",
    N_("International freight"),
    3,
    (
        Field(
            "mode",
            N_("Mode"),
            "choice",
            (("air", N_("Air, long haul")), ("road", N_("Road, large truck"))),
            required=True,
        ),
        Field("km", N_("Distance (km)"), "decimal", required=True, maximum=40000),
        Field(
            "weight_kg", N_("Weight (kg)"), "decimal", required=True, confirm_above=5000
        ),
    ),
    intro=N_("Sea freight is not offered."),
)
PAID = Section(
    "paid",
    N_("Paid amplification"),
    4,
    (
        Field("platform", N_("Platform"), "choice", PLATFORMS, required=True),
        Field(
            "impressions",
            N_("Impressions"),
            "int",
            required=True,
            confirm_above=500_000_000,
        ),
        Field("seconds", N_("Time in view (s)"), "decimal", confirm_above=600),
        Field(
            "buying",
            N_("Buying mode"),
            "choice",
            (
                ("programmatic_display", N_("Programmatic, display")),
                ("programmatic_video", N_("Programmatic, video")),
                ("direct", N_("Direct buy")),
            ),
            required=True,
        ),
    ),
)
SALES = Section(
    "sales",
    N_("Sales uplift (optional)"),
    5,
    (
        Field("units", N_("Units sold through the campaign"), "int"),
        Field(
            "product_kg", N_("Footprint of one unit (kg CO₂e)"), "decimal", maximum=1e5
        ),
    ),
    repeating=False,
    intro=N_("Shown on its own, never added to the estimated footprint."),
)
ABOUT = Section(
    "about",
    N_("The campaign"),
    0,
    (Field("countries", N_("Countries where the campaign ran"), "text"),),
    repeating=False,
)

SECTIONS = {
    "brand": (
        ABOUT,
        TRAVEL,
        NIGHTS,
        MEALS,
        EQUIPMENT,
        EDITING,
        GIFTS,
        PARCELS,
        FREIGHT,
        PAID,
        SALES,
    ),
    "creator": (POSTS, TRAVEL, NIGHTS, MEALS, EQUIPMENT, EDITING),
}


NOTHING = Field("none", N_("Nothing to report here"), "bool")


def find_field(kind: str, key: str) -> tuple[Section, int | None, Field] | None:
    """Resolve an answer key to its section, row number and field, or None."""
    parts = key.split(".")
    for section in SECTIONS[kind]:
        if parts[0] != section.key:
            continue
        if parts[1:] == ["none"]:
            return section, None, NOTHING
        if section.repeating and len(parts) == 3 and parts[1].isdigit():
            row = int(parts[1])
            name = parts[2]
        elif not section.repeating and len(parts) == 2:
            row, name = None, parts[1]
        else:
            return None
        if row is not None and row >= MAX_ROWS:
            return None
        for candidate in section.fields:
            if candidate.name == name:
                return section, row, candidate
    return None


def check(spec: Field, raw: str, confirmed: bool = False) -> Checked:
    """Check one typed answer; an empty answer is valid and worth None."""
    raw = (raw or "").strip()
    if not raw:
        return Checked()
    checker = CHECKERS[spec.kind]
    result = checker(spec, raw)
    if result.error or not isinstance(result.value, int | float):
        return result
    return check_magnitude(spec, result.value, confirmed)


def check_magnitude(spec: Field, value: float, confirmed: bool) -> Checked:
    if value < 0:
        return Checked(error=_("Enter a number of zero or more."))
    if spec.maximum is not None and value > spec.maximum:
        if spec.maximum_message:
            return Checked(error=str(spec.maximum_message))
        return Checked(
            error=_(
                "This is more than %(maximum)s: check the figure.", maximum=spec.maximum
            )
        )
    if spec.confirm_above is not None and value > spec.confirm_above and not confirmed:
        return Checked(value=value, needs_confirmation=True)
    return Checked(value=value)


def parse_number(raw: str) -> float | None:
    """Read "1 200,5" or "1,200.5" or "1200.5"; None when it is not a number."""
    text = raw.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def check_int(spec: Field, raw: str) -> Checked:
    number = parse_number(raw)
    if number is None or number != int(number):
        return Checked(error=_("Enter a whole number, such as 12."))
    return Checked(value=int(number))


def check_decimal(spec: Field, raw: str) -> Checked:
    number = parse_number(raw)
    if number is None:
        return Checked(error=_("Enter a number, such as 12 or 3.5."))
    return Checked(value=number)


def check_choice(spec: Field, raw: str) -> Checked:
    if raw not in {code for code, _label in spec.choices}:
        return Checked(error=_("Choose one of the options."))
    return Checked(value=raw)


def check_airport(spec: Field, raw: str) -> Checked:
    airport = find_airport(raw)
    if airport is None:
        return Checked(
            error=_("Unknown airport: enter a three-letter IATA code, such as CDG.")
        )
    return Checked(value=airport["iata"])


def check_date(spec: Field, raw: str) -> Checked:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return Checked(error=_("Enter a real date, as YYYY-MM-DD."))
    today = date.today()
    if day.year < 2000 or day > today + timedelta(days=366):
        return Checked(
            error=_("This date is impossible for a campaign: check the year.")
        )
    return Checked(value=day)


def check_text(spec: Field, raw: str) -> Checked:
    if len(raw) > 300:
        return Checked(error=_("Keep this under 300 characters."))
    return Checked(value=raw)


def check_bool(spec: Field, raw: str) -> Checked:
    return Checked(value=raw.lower() in ("1", "on", "true", "yes"))


CHECKERS = {
    "int": check_int,
    "decimal": check_decimal,
    "choice": check_choice,
    "airport": check_airport,
    "date": check_date,
    "text": check_text,
    "bool": check_bool,
}
