"""Tests for the CO₂ estimates in app.services.co2."""

import dataclasses
import math

import pytest

from app.services import co2
from app.services.co2 import (
    FACTORS,
    Co2Range,
    avoided_per_year,
    format_grams,
    tree_capture_kg,
)

GB = 1_000_000_000  # bytes


def test_known_input_gives_hand_computed_range():
    # 1 GB received and 2 GB stored a day:
    #   received = 1e9 × 365 / 1e9 = 365 GB/year → 365 × 0.139 = 50.735 kWh
    #   stored   = 730 GB/year, held half the year → 365 GB-years
    #   low  = (50.735 + 365 × 0.019) × 56  = (50.735 +  6.935) × 56  =  3229.52 g
    #   high = (50.735 + 365 × 0.072) × 494 = (50.735 + 26.28)  × 494 = 38045.41 g
    result = avoided_per_year(1 * GB, 2 * GB)
    assert result.low_grams == pytest.approx(3229.52)
    assert result.high_grams == pytest.approx(38045.41)


def test_transfer_only():
    # 365 GB/year received, nothing stored:
    #   low  = 50.735 × 56  =  2841.16 g
    #   high = 50.735 × 494 = 25063.09 g
    result = avoided_per_year(1 * GB, 0)
    assert result.low_grams == pytest.approx(2841.16)
    assert result.high_grams == pytest.approx(25063.09)


def test_storage_only():
    # 730 GB/year stored, half held → 365 GB-years, nothing received:
    #   low  = 365 × 0.019 × 56  =   388.36 g
    #   high = 365 × 0.072 × 494 = 12982.32 g
    result = avoided_per_year(0, 2 * GB)
    assert result.low_grams == pytest.approx(388.36)
    assert result.high_grams == pytest.approx(12982.32)


def test_typical_small_campaign_is_grams_to_hundreds_of_grams():
    # 1 MB received and stored a day:
    #   low  = (0.365 × 0.139 + 0.1825 × 0.019) × 56  ≈  3.04 g
    #   high = (0.365 × 0.139 + 0.1825 × 0.072) × 494 ≈ 31.55 g
    result = avoided_per_year(1_000_000, 1_000_000)
    assert result.low_grams == pytest.approx(3.035340)
    assert result.high_grams == pytest.approx(31.554250)


def test_zero_gives_zero():
    assert avoided_per_year(0, 0) == Co2Range(0.0, 0.0)


def test_linear_in_each_input():
    base = avoided_per_year(3_000_000, 7_000_000)
    doubled = avoided_per_year(6_000_000, 14_000_000)
    assert doubled.low_grams == pytest.approx(2 * base.low_grams)
    assert doubled.high_grams == pytest.approx(2 * base.high_grams)


def test_transfer_and_storage_add_up():
    both = avoided_per_year(3_000_000, 7_000_000)
    transfer = avoided_per_year(3_000_000, 0)
    storage = avoided_per_year(0, 7_000_000)
    assert both.low_grams == pytest.approx(transfer.low_grams + storage.low_grams)
    assert both.high_grams == pytest.approx(transfer.high_grams + storage.high_grams)


def test_low_is_below_high_for_any_traffic():
    result = avoided_per_year(123_456, 654_321)
    assert 0 < result.low_grams < result.mid_grams < result.high_grams


@pytest.mark.parametrize(
    ("received", "stored", "bad_argument"),
    [
        (-1, 0, "bytes_received_per_day"),
        (0, -1, "bytes_stored_per_day"),
        # A small negative beside a large positive would still give a positive
        # total, so only the input check itself can catch it.
        (-1, GB, "bytes_received_per_day"),
        (GB, -1, "bytes_stored_per_day"),
        (math.nan, 0, "bytes_received_per_day"),
        (0, math.inf, "bytes_stored_per_day"),
    ],
)
def test_invalid_input_raises(received, stored, bad_argument):
    with pytest.raises(ValueError, match=bad_argument):
        avoided_per_year(received, stored)


def test_range_mid_value():
    assert Co2Range(10.0, 30.0).mid_grams == 20.0


def test_range_rejects_inverted_or_negative_bounds():
    with pytest.raises(ValueError):
        Co2Range(5.0, 1.0)
    with pytest.raises(ValueError):
        Co2Range(-1.0, 1.0)


def test_range_is_frozen():
    result = Co2Range(1.0, 2.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.low_grams = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(("trees", "kg"), [(0, 0.0), (1, 80.0), (3, 240.0)])
def test_tree_capture(trees, kg):
    assert tree_capture_kg(trees) == pytest.approx(kg)


def test_tree_capture_rejects_negative():
    with pytest.raises(ValueError):
        tree_capture_kg(-1)


def test_factor_values_match_published_figures():
    values = {factor.key: factor.value for factor in FACTORS}
    assert values == {
        "transfer": 0.139,
        "storage_hdd": 0.019,
        "storage_ssd": 0.072,
        "grid_france": 56,
        "grid_eu": 244,
        "grid_world": 494,
        "tree_10_years": 80,
    }


def test_factors_cover_every_module_constant():
    constants = {
        co2.TRANSFER_KWH_PER_GB,
        co2.STORAGE_HDD_KWH_PER_GB_YEAR,
        co2.STORAGE_SSD_KWH_PER_GB_YEAR,
        co2.GRID_FRANCE_G_PER_KWH,
        co2.GRID_EU_G_PER_KWH,
        co2.GRID_WORLD_G_PER_KWH,
        co2.TREE_KG_CO2_FIRST_10_YEARS,
    }
    assert constants == {factor.value for factor in FACTORS}


@pytest.mark.parametrize("factor", FACTORS, ids=lambda factor: factor.key)
def test_every_factor_is_sourced_and_labelled(factor):
    assert factor.source.strip()
    assert factor.source_url.startswith("https://")
    assert factor.unit.strip()
    assert factor.label.strip()
    assert len(factor.label) <= 60


def test_factor_keys_are_unique():
    keys = [factor.key for factor in FACTORS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("grams", "expected"),
    [
        (0, (0, "g")),
        (999.9, (999.9, "g")),
        (1_000, (1.0, "kg")),
        (999_999, (999.999, "kg")),
        (1_000_000, (1.0, "t")),
        (2_500_000, (2.5, "t")),
        (-1_500, (-1.5, "kg")),
    ],
)
def test_format_grams_unit_boundaries(grams, expected):
    value, unit = format_grams(grams)
    assert (unit, value) == (expected[1], pytest.approx(expected[0]))
