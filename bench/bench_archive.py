"""Archiving from the list: one campaign, and 500 at once, then undone.

Each request is the htmx POST the archive dialog sends from the list (so the
answer also carries the list's out-of-band updates), against a local Tree-Nation
that answers at once. Campaigns archived here are put back afterwards (rows,
events, trees, orders and the month's quota), so the dataset can be reused.
"""

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Engine

from bench.common import HTMX, Stopwatch, Timing
from bench.tree_nation import InstantTreeNation

BULK = 500
ARCHIVED_TEXT = "been archived"


@dataclass(frozen=True)
class ArchiveResult:
    one: Timing
    bulk: Timing
    calls_per_bulk: list[int]
    trees_per_bulk: list[int]


def candidates(engine: Engine, workspace_id: int, today: date) -> list[int]:
    """Started, live campaigns that never earned a tree, in a seeded random order."""
    statement = text(
        "SELECT c.id FROM campaign c LEFT JOIN planting p ON p.campaign_id = c.id "
        "WHERE c.workspace_id = :workspace_id AND c.archived_at IS NULL "
        "AND c.start_date <= :today AND p.id IS NULL ORDER BY c.id"
    ).bindparams(bindparam("today", type_=Date))
    with engine.connect() as connection:
        ids = list(
            connection.scalars(
                statement, {"workspace_id": workspace_id, "today": today}
            )
        )
    random.Random(7).shuffle(ids)
    return ids


class Snapshot:
    """What archiving changes, read before and written back after."""

    TABLES = ("planting", "planting_order", "archive_event")

    def __init__(self, engine: Engine, campaign_ids: list[int]) -> None:
        self.engine = engine
        with engine.connect() as connection:
            self.max_ids = {
                table: connection.scalar(
                    text(f"SELECT coalesce(max(id), 0) FROM {table}")
                )
                for table in self.TABLES
            }
            self.quota = [
                dict(row._mapping)
                for row in connection.execute(
                    text("SELECT month, used FROM quota_month")
                )
            ]
            self.campaigns = []
            for start in range(0, len(campaign_ids), 500):
                chunk = campaign_ids[start : start + 500]
                marks = ", ".join(str(int(i)) for i in chunk)
                self.campaigns += [
                    dict(row._mapping)
                    for row in connection.execute(
                        text(
                            "SELECT id, archived_at, next_collect_at, lease_until "
                            f"FROM campaign WHERE id IN ({marks})"
                        )
                    )
                ]

    def restore(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text("DELETE FROM planting WHERE id > :id"),
                {"id": self.max_ids["planting"]},
            )
            for table in ("planting_order", "archive_event"):
                connection.execute(
                    text(f"DELETE FROM {table} WHERE id > :id"),
                    {"id": self.max_ids[table]},
                )
            connection.execute(
                text(
                    "UPDATE campaign SET archived_at = :archived_at, "
                    "next_collect_at = :next_collect_at, lease_until = :lease_until "
                    "WHERE id = :id"
                ),
                self.campaigns,
            )
            connection.execute(text("DELETE FROM quota_month"))
            if self.quota:
                connection.execute(
                    text(
                        "INSERT INTO quota_month (month, used) VALUES (:month, :used)"
                    ),
                    self.quota,
                )


def run_archive(
    client,
    csrf_token: str,
    engine: Engine,
    tree_nation: InstantTreeNation,
    workspace_id: int,
    today: date,
    repeat_one: int,
    repeat_bulk: int,
    warmup: int = 5,
) -> ArchiveResult:
    singles = warmup + repeat_one
    ids = candidates(engine, workspace_id, today)
    # One bulk run to warm up, then `repeat_bulk`, or as many as a small
    # dataset allows.
    bulks = min(1 + repeat_bulk, (len(ids) - singles) // BULK)
    if bulks < 2:
        raise RuntimeError(f"only {len(ids)} campaigns to archive: too few")
    ids = ids[: singles + bulks * BULK]
    snapshot = Snapshot(engine, ids)
    headers = {
        **HTMX,
        "X-CSRFToken": csrf_token,
        "HX-Current-URL": "http://localhost/campaigns",
    }

    def archive(selection: list[int], watch: Stopwatch) -> tuple[int, int]:
        calls, trees = tree_nation.calls, tree_nation.trees
        form = {"ids": [str(i) for i in selection]}
        with watch.timing():
            response = client.post("/campaigns/archive", data=form, headers=headers)
        body = response.get_data(as_text=True)
        if response.status_code != 200 or ARCHIVED_TEXT not in body:
            raise RuntimeError(f"archive: HTTP {response.status_code}: {body[:300]}")
        return tree_nation.calls - calls, tree_nation.trees - trees

    one, bulk, unused = Stopwatch(), Stopwatch(), Stopwatch()
    calls, trees = [], []
    try:
        for number, campaign_id in enumerate(ids[:singles]):
            archive([campaign_id], one if number >= warmup else unused)
        rest = ids[singles:]
        for number in range(bulks):
            selection = rest[number * BULK : (number + 1) * BULK]
            # The first one warms up.
            call_count, tree_count = archive(selection, bulk if number else unused)
            if number:
                calls.append(call_count)
                trees.append(tree_count)
    finally:
        snapshot.restore()
    return ArchiveResult(one.result(), bulk.result(), calls, trees)
