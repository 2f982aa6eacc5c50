"""Top Tree Planters: a friendly monthly board of one workspace.

A person's count for a month is the trees their archives earned that month
(planted, queued or on their way; not refused). Ties share a rank (1, 2, 2, 4),
only the top five are named, and people who opted out appear as a teammate.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import EARNED_STATES, Planting, User
from app.timeutil import business_zone

TOP = 5


@dataclass(frozen=True)
class BoardEntry:
    rank: int
    user_id: int
    name: str | None  # None: opted out, shown as "a teammate"
    trees: int


@dataclass(frozen=True)
class Board:
    month: str
    team_total: int
    entries: list[BoardEntry]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """Return the UTC (naive) start and end of a business-time month."""
    year, number = (int(part) for part in month.split("-"))
    zone = business_zone()
    start = datetime(year, number, 1, tzinfo=zone)
    following = date(year + number // 12, number % 12 + 1, 1)
    end = datetime(following.year, following.month, 1, tzinfo=zone)
    return (
        start.astimezone(UTC).replace(tzinfo=None),
        end.astimezone(UTC).replace(tzinfo=None),
    )


def competition_ranks(counts: list[int]) -> list[int]:
    """Rank sorted counts so that ties share a rank: 5, 3, 3, 1 → 1, 2, 2, 4."""
    ranks = []
    for index, count in enumerate(counts):
        tied = index > 0 and count == counts[index - 1]
        ranks.append(ranks[-1] if tied else index + 1)
    return ranks


def board_for(workspace_id: int, month: str) -> Board:
    """Return the month's board of one workspace, in one query."""
    start, end = month_bounds(month)
    trees = func.count(Planting.id).label("trees")
    rows = db.session.execute(
        select(User.id, User.name, User.leaderboard_opt_out, trees)
        .join(Planting, Planting.archiver_id == User.id)
        .where(
            Planting.workspace_id == workspace_id,
            Planting.state.in_(EARNED_STATES),
            Planting.earned_at >= start,
            Planting.earned_at < end,
        )
        .group_by(User.id, User.name, User.leaderboard_opt_out)
        .order_by(trees.desc(), User.name)
    ).all()

    counts = [row.trees for row in rows]
    ranks = competition_ranks(counts)
    entries = [
        BoardEntry(
            rank, row.id, None if row.leaderboard_opt_out else row.name, row.trees
        )
        for rank, row in zip(ranks, rows, strict=True)
        if rank <= TOP
    ]
    return Board(month, sum(counts), entries)
