"""Versioned factor sets, read from the JSON files beside this module."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
CURRENT_VERSION = "v1"


@dataclass(frozen=True)
class Factor:
    """One emission factor: central value with its low and high ends."""

    id: str
    block: int
    activity: str
    unit: str
    value: float
    low: float
    high: float
    region: str
    source: str
    year: int


@dataclass(frozen=True)
class FactorSet:
    version: str
    published: str
    factors: dict[str, Factor]

    def __getitem__(self, factor_id: str) -> Factor:
        return self.factors[factor_id]

    def by_block(self) -> list[tuple[int, list[Factor]]]:
        """Return the factors grouped by block, in file order."""
        blocks: dict[int, list[Factor]] = {}
        for factor in self.factors.values():
            blocks.setdefault(factor.block, []).append(factor)
        return sorted(blocks.items(), key=lambda item: item[0] or 99)


@cache
def load_factor_set(version: str = CURRENT_VERSION) -> FactorSet:
    """Read factors-<version>.json; raises FileNotFoundError for unknown versions."""
    if not version.isalnum():
        raise FileNotFoundError(version)
    data = json.loads((HERE / f"factors-{version}.json").read_text("utf-8"))
    factors = {row["id"]: Factor(**row) for row in data["factors"]}
    return FactorSet(data["version"], data["published"], factors)
