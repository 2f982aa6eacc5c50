"""What a job run reports back to the command line and the scheduler."""

from dataclasses import dataclass


@dataclass(frozen=True)
class JobReport:
    job: str
    period: str | None
    done: bool
    summary: str
    skipped: bool = False
