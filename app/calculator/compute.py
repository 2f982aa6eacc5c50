"""Turn stored answers into computed lines: block, item, low, central, high.

A result depends only on the answers as typed, the switches and the factor-set
version, so the same inputs always give the same lines.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.calculator import lines as sections
from app.calculator.factors import FactorSet
from app.calculator.questionnaire import (
    NOTHING,
    SECTIONS,
    Checked,
    check,
    find_field,
)

BLOCKS = (1, 2, 3, 4, 5)
HEADLINE_BLOCKS = (1, 2, 3, 4)
GRIDS = ("fr", "eu", "world")


@dataclass(frozen=True)
class Settings:
    """The switches that move results most."""

    contrails: bool = True
    device_manufacture: bool = True
    grid: str = "fr"


@dataclass(frozen=True)
class Respondent:
    """Who answered, and their answers: key → (text as typed, confirmed)."""

    label: str
    kind: str
    answers: Mapping[str, tuple[str, bool]]


@dataclass(frozen=True)
class Range:
    low: float = 0.0
    central: float = 0.0
    high: float = 0.0

    def __add__(self, other: "Range") -> "Range":
        return Range(
            self.low + other.low,
            self.central + other.central,
            self.high + other.high,
        )


@dataclass
class Result:
    version: str
    settings: Settings
    lines: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    reported: set = field(default_factory=set)
    views: int = 0

    def block_total(self, block: int) -> Range:
        total = Range()
        for line in self.lines:
            if line.block == block:
                total += Range(line.low, line.central, line.high)
        return total

    @property
    def headline(self) -> Range:
        total = Range()
        for block in HEADLINE_BLOCKS:
            total += self.block_total(block)
        return total

    @property
    def not_reported(self) -> list[int]:
        return [block for block in BLOCKS if block not in self.reported]

    def largest(self, count: int = 3) -> list:
        counted = [line for line in self.lines if line.block in HEADLINE_BLOCKS]
        return sorted(counted, key=lambda line: -line.central)[:count]

    def quality(self, block: int) -> str | None:
        """Say "measured", "mixed" or "default" for a reported block."""
        flags = {line.measured for line in self.lines if line.block == block}
        if block not in self.reported:
            return None
        if flags == {True} or not flags:
            return "measured"
        return "mixed" if flags == {True, False} else "default"

    def per_thousand_views(self) -> Range | None:
        if not self.views:
            return None
        head = self.headline
        scale = 1000 / self.views
        return Range(head.low * scale, head.central * scale, head.high * scale)


def compute(
    respondents: list[Respondent], settings: Settings, factors: FactorSet
) -> Result:
    """Compute every line of a footprint from its respondents' answers."""
    result = Result(factors.version, settings)
    for respondent in respondents:
        for section, rows, nothing in checked_sections(respondent):
            if nothing:
                result.reported.add(section.block)
            computer = sections.COMPUTERS.get(section.key)
            if computer is None:
                continue
            for row, values in rows:
                add_row(result, respondent, section, row, values, computer, factors)
    result.reported.update(line.block for line in result.lines)
    result.views = sum(line.views for line in result.lines if line.kind == "viewing")
    return result


def add_row(result, respondent, section, row, values, computer, factors) -> None:
    """Compute one row's lines, or record why it cannot be counted."""
    if any(not checked.usable for checked in values.values()):
        message = _("Not counted until its answers are corrected or confirmed.")
    else:
        plain = {name: checked.value for name, checked in values.items()}
        missing = [
            spec.label
            for spec in section.fields
            if spec.required and plain.get(spec.name) is None
        ]
        if missing:
            message = _("Incomplete: %(fields)s.", fields=", ".join(map(str, missing)))
        else:
            try:
                new_lines = computer(plain, result.settings, factors)
            except sections.RowProblem as problem:
                message = problem.message
            else:
                for line in new_lines:
                    result.lines.append(line.placed(respondent.label, section.key, row))
                return
    result.problems.append((respondent.label, section.key, row, message))


def checked_sections(respondent: Respondent):
    """Yield (section, [(row, {field: Checked})], nothing to report) per section."""
    grouped: dict[str, dict] = {}
    nothing: set[str] = set()
    for key, (raw, confirmed) in respondent.answers.items():
        found = find_field(respondent.kind, key)
        if found is None:
            continue
        section, row, spec = found
        checked: Checked = check(spec, raw, confirmed)
        if spec is NOTHING:
            if checked.value:
                nothing.add(section.key)
            continue
        rows = grouped.setdefault(section.key, {})
        rows.setdefault(row, {})[spec.name] = checked
    for section in SECTIONS[respondent.kind]:
        rows = grouped.get(section.key, {})
        filled = [
            (row, values)
            for row, values in sorted(rows.items(), key=lambda item: item[0] or 0)
            if any(
                checked.value not in (None, False) or checked.error
                for checked in values.values()
            )
        ]
        yield section, filled, section.key in nothing
