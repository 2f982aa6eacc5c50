"""The calculator's formulas against hand-computed values (factor set v1)."""

import pytest

from app.calculator.airports import great_circle_km
from app.calculator.compute import Respondent, Settings, compute
from app.calculator.factors import load_factor_set
from app.calculator.questionnaire import SECTIONS, check, find_field

FACTORS = load_factor_set("v1")


def answers(**typed) -> dict:
    """Answers as stored: key → (text as typed, confirmed)."""
    return {key.replace("__", "."): (str(value), False) for key, value in typed.items()}


BRAND = Respondent(
    "Lumière",
    "brand",
    answers(
        nights__0__country="fr",
        nights__0__nights=3,
        meals__beef=10,
        gifts__0__category="tshirt",
        gifts__0__quantity=20,
        gifts__1__category="jeans",
        gifts__1__quantity=5,
        gifts__1__own_kg=10,
        parcels__0__count=20,
        parcels__0__weight_kg="8,5",
        paid__0__platform="instagram",
        paid__0__impressions="1 000 000",
        paid__0__seconds=2,
        paid__0__buying="direct",
        sales__units=100,
        sales__product_kg=5.2,
    ),
)
CREATOR = Respondent(
    "@lea",
    "creator",
    answers(
        posts__0__platform="tiktok",
        posts__0__format="video",
        posts__0__views=100000,
        posts__0__watch_seconds=12,
        posts__0__duration_seconds=30,
        posts__1__platform="instagram",
        posts__1__format="photo",
        posts__1__views=50000,
        travel__0__mode="tgv",
        travel__0__km=400,
        travel__0__round_trip="on",
        travel__1__mode="car_combustion",
        travel__1__km=100,
        travel__1__passengers=3,
        equipment__0__device="laptop",
        equipment__0__status="existing",
        equipment__0__days=73,
        equipment__1__device="phone",
        equipment__1__status="new",
        editing__hours=10,
        editing__footage_gb=100,
        editing__storage_years=2,
    ),
)


@pytest.fixture
def ctx(app):
    """Labels are translated, so computing needs a request's locale."""
    with app.test_request_context():
        yield


@pytest.fixture
def worked(ctx):
    return compute([BRAND, CREATOR], Settings(), FACTORS)


def central(result, kind: str) -> list[float]:
    return [round(line.central, 6) for line in result.lines if line.kind == kind]


def test_each_conception_line(worked):
    assert central(worked, "hotel") == [12.9]  # 3 nights × 4.3
    assert central(worked, "meal_beef") == [49.7]  # 10 × 4.97
    assert central(worked, "train") == [2.32]  # 400 km × 2 (return) × 0.0029
    assert central(worked, "car") == [14.2]  # 100 km × 0.142, once per vehicle
    assert central(worked, "device_owned") == [7.28]  # 182 × 73 / (5 × 365)
    assert central(worked, "device_new") == [79]
    # 10 h × (47.5 g + 0.0294 kWh × 52 g/kWh) = 490.288 g
    assert central(worked, "editing") == [0.490288]
    assert central(worked, "storage") == [0.048]  # 100 GB × 2 years × 0.24 g


def test_each_distribution_line(worked):
    # TikTok: 100,000 views × min(12 s watched, 30 s long) = 20,000 minutes
    # × 2.63 g; Instagram photo: 50,000 × 3 s default = 2,500 min × 1.05 g.
    assert central(worked, "viewing") == [52.6, 2.625]
    # Phones: 20,000 × 0.57 g and 2,500 × 0.57 g.
    assert central(worked, "device_viewing") == [11.4, 1.425]
    viewing = [line for line in worked.lines if line.kind == "viewing"]
    assert [line.measured for line in viewing] == [True, False]
    assert viewing[0].low == pytest.approx(19.2)  # 20,000 × 0.96 (Kolsquare)


def test_shipping_and_paid_lines(worked):
    assert central(worked, "gift") == [104, 50]  # 20 × 5.2; 5 × own 10 kg
    # 8.5 kg between 2 kg (1.07) and 15 kg (7.15): 1.07 + 6.08 × 6.5/13 = 4.11
    assert central(worked, "parcel") == [82.2]
    (paid,) = [line for line in worked.lines if line.kind == "paid"]
    # 1,000,000 × 2 s = 33,333.3 min × 1.05 g = 35 kg, + 1e6 × 0.003 g = 3 kg
    assert paid.central == pytest.approx(38)
    # low: min(33,333.3 × 0.6 g + 3 kg, 1e6 × 0.187 g) = 23 kg
    assert paid.low == pytest.approx(23)
    # high: max(33,333.3 × 1.07 g + 3 kg, 1e6 × 1.772 g) = 1,772 kg
    assert paid.high == pytest.approx(1772)


def test_worked_campaign_totals(worked):
    # Block 1: 12.9 + 49.7 + 2.32 + 14.2 + 7.28 + 79 + 0.490288 + 0.048
    assert worked.block_total(1).central == pytest.approx(165.938288)
    # Block 2: 52.6 + 11.4 + 2.625 + 1.425; block 3: 104 + 50 + 82.2
    assert worked.block_total(2).central == pytest.approx(68.05)
    assert worked.block_total(3).central == pytest.approx(236.2)
    head = worked.headline
    assert head.central == pytest.approx(508.188288)  # + 38 for block 4
    # Low: hotel stays 12.9; block 2: 19.2 + 11.4 + 1.5 + 1.425; block 4: 23
    assert head.low == pytest.approx(165.938288 + 33.525 + 236.2 + 23)
    # High: hotel 3 × 17 = 51; block 2: 52.6 + 11.4 + 2.675 + 1.425; 1,772
    assert head.high == pytest.approx(204.038288 + 68.1 + 236.2 + 1772)
    assert worked.views == 150000
    assert worked.per_thousand_views().central == pytest.approx(508.188288 / 150)
    # Sales uplift stays apart: 100 × 5.2, never in the headline.
    assert worked.block_total(5).central == pytest.approx(520)
    assert worked.not_reported == []


def test_ranges_are_ordered(worked):
    for line in worked.lines:
        assert line.low <= line.central <= line.high, line
    for factor in FACTORS.factors.values():
        assert factor.low <= factor.value <= factor.high, factor.id


def test_flight_uses_great_circle_distance_and_band(ctx):
    distance = great_circle_km("CDG", "JFK")
    assert distance == pytest.approx(5834, abs=3)
    flyer = Respondent(
        "b",
        "brand",
        answers(
            travel__0__mode="plane",
            travel__0__origin="cdg",
            travel__0__destination="JFK",
            travel__0__passengers=2,
            travel__0__round_trip="on",
        ),
    )
    (line,) = compute([flyer], Settings(), FACTORS).lines
    assert line.factor_ids == ("plane_5000+_contrails",)
    assert line.central == pytest.approx(distance * 2 * 2 * 0.178)


@pytest.mark.parametrize(
    "origin, destination, with_contrails, without",
    [
        ("ORY", "NCE", 0.225, 0.124),  # 676 km
        ("CDG", "LIS", 0.185, 0.102),  # about 1,480 km
        ("CDG", "JFK", 0.178, 0.098),  # about 5,834 km
    ],
)
def test_contrails_off_lowers_flights_by_the_documented_ratio(
    ctx, origin, destination, with_contrails, without
):
    flyer = Respondent(
        "b",
        "brand",
        answers(
            travel__0__mode="plane",
            travel__0__origin=origin,
            travel__0__destination=destination,
        ),
    )
    (on,) = compute([flyer], Settings(contrails=True), FACTORS).lines
    (off,) = compute([flyer], Settings(contrails=False), FACTORS).lines
    assert off.central / on.central == pytest.approx(without / with_contrails)


def test_device_switch_and_grid_recompute_lines(worked):
    no_devices = compute([BRAND, CREATOR], Settings(device_manufacture=False), FACTORS)
    assert central(no_devices, "device_viewing") == []
    assert no_devices.headline.central == pytest.approx(508.188288 - 12.825)
    world = compute([BRAND, CREATOR], Settings(grid="world"), FACTORS)
    # 10 h × (47.5 + 0.0294 × 494) g = 620.236 g
    assert central(world, "editing") == [0.620236]


def test_blocks_nobody_answered_are_not_reported(ctx):
    creator_only = compute([CREATOR], Settings(), FACTORS)
    assert creator_only.not_reported == [3, 4, 5]
    assert creator_only.quality(3) is None
    nothing_paid = Respondent("b", "brand", answers(paid__none="on"))
    result = compute([CREATOR, nothing_paid], Settings(), FACTORS)
    assert result.not_reported == [3, 5]
    assert result.block_total(4).central == 0


def test_data_quality_per_block(worked):
    assert worked.quality(1) == "measured"
    assert worked.quality(2) == "mixed"  # one post without analytics
    assert worked.quality(3) == "mixed"  # a category default and an own figure


@pytest.mark.parametrize(
    "weight, expected",
    [
        ("0.5", 0.72),
        ("1", 0.72),
        ("1.5", 0.895),
        ("2", 1.07),
        ("22.5", 10.375),
        ("30", 13.6),
    ],
)
def test_parcels_interpolate(ctx, weight, expected):
    sender = Respondent(
        "b", "brand", answers(parcels__0__count=1, parcels__0__weight_kg=weight)
    )
    (line,) = compute([sender], Settings(), FACTORS).lines
    assert line.central == pytest.approx(expected)


def test_rows_that_cannot_be_counted_are_listed(ctx):
    typed = answers(
        gifts__0__category="perfume",
        gifts__0__quantity=3,
        posts__0__platform="youtube",
        travel__0__mode="plane",
        travel__0__origin="CDG",
        nights__0__country="fr",
        nights__0__nights=-2,
    )
    result = compute(
        [Respondent("b", "brand", typed), Respondent("c", "creator", typed)],
        Settings(),
        FACTORS,
    )
    assert result.lines == []
    sections = sorted({(p[0], p[1]) for p in result.problems})
    assert sections == [
        ("b", "gifts"),
        ("b", "nights"),
        ("b", "travel"),
        ("c", "nights"),
        ("c", "posts"),
        ("c", "travel"),
    ]


def test_unconfirmed_large_values_are_not_counted_until_confirmed(ctx):
    typed = {"nights.0.country": ("fr", False), "nights.0.nights": ("400", False)}
    assert compute([Respondent("b", "brand", typed)], Settings(), FACTORS).lines == []
    typed["nights.0.nights"] = ("400", True)
    (line,) = compute([Respondent("b", "brand", typed)], Settings(), FACTORS).lines
    assert line.central == pytest.approx(1720)


@pytest.mark.parametrize(
    "key, typed, message",
    [
        ("nights.0.nights", "-1", "zero or more"),
        ("nights.0.nights", "2.5", "whole number"),
        ("nights.0.nights", "many", "whole number"),
        ("travel.0.km", "abc", "Enter a number"),
        ("travel.0.origin", "QQX", "Unknown airport"),
        ("travel.0.date", "2026-02-30", "real date"),
        ("travel.0.date", "1890-05-01", "impossible"),
        ("travel.0.mode", "rocket", "Choose one"),
        ("parcels.0.weight_kg", "31", "over 30 kg"),
        ("editing.storage_years", "500", "more than"),
        ("posts.0.link", "x" * 301, "300 characters"),
    ],
)
def test_bad_inputs_have_clear_messages(ctx, key, typed, message):
    kind = "creator" if key.startswith("posts") else "brand"
    _section, _row, spec = find_field(kind, key)
    checked = check(spec, typed)
    assert message in checked.error


def test_absurd_magnitudes_ask_for_confirmation(ctx):
    _section, _row, spec = find_field("creator", "posts.0.views")
    assert check(spec, "80000000").needs_confirmation
    assert check(spec, "80000000", confirmed=True).usable


def test_every_section_field_resolves(ctx):
    for kind, sections in SECTIONS.items():
        for section in sections:
            for spec in section.fields:
                key = (
                    f"{section.key}.0.{spec.name}"
                    if section.repeating
                    else (f"{section.key}.{spec.name}")
                )
                assert find_field(kind, key)[2] is spec
    assert find_field("creator", "gifts.0.category") is None
    assert find_field("brand", "travel.99.km") is None
