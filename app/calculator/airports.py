"""Airports by IATA code and great-circle distances, computed offline."""

import math
from functools import cache

import airportsdata

EARTH_RADIUS_KM = 6371.0


@cache
def airports() -> dict[str, dict]:
    return airportsdata.load("IATA")


def find_airport(code: str) -> dict | None:
    """Return the airport for a three-letter IATA code, or None."""
    return airports().get(code.strip().upper())


def great_circle_km(origin: str, destination: str) -> float:
    """Return the haversine distance in km between two known IATA codes."""
    a, b = airports()[origin], airports()[destination]
    lat1, lat2 = math.radians(a["lat"]), math.radians(b["lat"])
    d_lat = lat2 - lat1
    d_lon = math.radians(b["lon"] - a["lon"])
    h = (
        math.sin(d_lat / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(d_lon / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def search_airports(query: str, limit: int = 10) -> list[dict]:
    """Return airports whose code starts with, or city or name contains, the query."""
    query = query.strip().casefold()
    if len(query) < 2:
        return []
    exact = find_airport(query) if len(query) == 3 else None
    matches = [
        airport
        for airport in airports().values()
        if airport is not exact
        and (
            airport["city"].casefold().startswith(query)
            or query in airport["name"].casefold()
        )
    ]
    # Cities named exactly as typed first, then the biggest-sounding names.
    matches.sort(key=lambda a: (a["city"].casefold() != query, a["name"]))
    return ([exact] if exact else []) + matches[: limit - (1 if exact else 0)]
