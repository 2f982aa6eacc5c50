"""Run every benchmark on SQLite and PostgreSQL and print one table of figures.

    .venv/bin/python -m bench.run           # both databases, 100,000 campaigns
    .venv/bin/python -m bench.run --database sqlite --campaigns 10000 --skip-server

A missing dataset (or one of another size) is generated first. The table is also
written to bench/out/latest.md.
"""

import time
from dataclasses import dataclass
from datetime import datetime

import click
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import DBAPIError

from bench import bench_server
from bench.bench_archive import BULK, run_archive
from bench.bench_impact import run_impact
from bench.bench_list import list_cases, run_list
from bench.common import (
    OUT,
    POSTGRES_DEFAULT,
    SCALE_WORKSPACE,
    check_writable,
    loadavg,
    machine,
    make_app,
    normalise_url,
    revision,
    signed_in_client,
    sqlite_default,
)
from bench.generate import generate
from bench.tree_nation import TOKEN, InstantTreeNation

LIST_RATIO = 1.5
LIST_P95_MS = 50
ARCHIVE_ONE_MS = 20
ARCHIVE_BULK_MS = 1000
IMPACT_P95_MS = 100
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Row:
    database: str
    measure: str
    p50: str = ""
    p95: str = ""
    cpu_p50: str = ""
    floor_p50: str = ""
    floor_p95: str = ""
    ratio: str = ""
    target: str = ""
    result: str = "—"


def ms(value: float) -> str:
    return f"{value:.1f}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"


def scale_of(url: str) -> int | None:
    """Campaigns of the big workspace, or None when the database is not built."""
    from app.models import Campaign, Workspace

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                select(func.count())
                .select_from(Campaign)
                .join(Workspace, Workspace.id == Campaign.workspace_id)
                .where(Workspace.name == SCALE_WORKSPACE)
            )
    except DBAPIError:
        return None
    finally:
        engine.dispose()


def ensure_dataset(url: str, campaigns: int, regenerate: bool) -> None:
    check_writable(url)
    if url.startswith("postgresql"):
        from bench.common import ensure_postgres_database

        ensure_postgres_database(url)
    if regenerate or scale_of(url) != campaigns:
        click.echo(f"Generating {campaigns:,} campaigns…")
        generate(url, campaigns, campaigns * 10, campaigns // 10, 3)


@dataclass
class Target:
    """The database under measurement, and what every measure needs of it."""

    name: str
    dialect: str
    url: str
    campaigns: int
    repeat: int
    search: str
    tree_nation: InstantTreeNation | None = None
    app: object = None
    engine: object = None
    workspace_id: int = 0
    today: object = None
    client: object = None
    token: str = ""


def guarded(target: Target, measure: str, run) -> list[Row]:
    """Run one section; a failure becomes an ERROR row instead of ending the run."""
    click.echo(f"{target.name}: {measure}…")
    try:
        return run(target)
    except Exception as error:  # noqa: BLE001 (reported in the table)
        message = " ".join(str(error).split())[:160]
        click.echo(f"{target.name}: {measure} failed: {message}", err=True)
        return [Row(target.name, measure, result=f"**ERROR** {message}")]


def list_rows(target: Target) -> list[Row]:
    rows = []
    results = run_list(
        target.client,
        target.engine,
        target.dialect,
        target.workspace_id,
        target.today,
        list_cases(target.search),
        target.repeat,
    )
    for result in results:
        label = result.case.label
        if result.case.page > 1 and result.shown_page != result.case.page:
            label += f" (last page: {result.shown_page})"
        if not result.same_rows:
            label += " ⚠ floor rows differ"
        ok = result.ratio <= LIST_RATIO and result.page.p95 <= LIST_P95_MS
        rows.append(
            Row(
                target.name,
                label,
                ms(result.page.p50),
                ms(result.page.p95),
                ms(result.page.cpu_p50),
                ms(result.floor.p50),
                ms(result.floor.p95),
                f"{result.ratio:.1f}× / {result.cpu_ratio:.1f}×",
                f"≤ {LIST_RATIO}× floor, p95 ≤ {LIST_P95_MS}",
                verdict(ok),
            )
        )
    return rows


def impact_rows(target: Target) -> list[Row]:
    impact = run_impact(target.client, target.repeat)
    trees = 10_000 if target.campaigns == 100_000 else target.campaigns // 10
    return [
        Row(
            target.name,
            f"impact page ({trees:,}-tree workspace)",
            ms(impact.p50),
            ms(impact.p95),
            ms(impact.cpu_p50),
            target=f"p95 ≤ {IMPACT_P95_MS}",
            result=verdict(impact.p95 <= IMPACT_P95_MS),
        )
    ]


def archive_rows(target: Target) -> list[Row]:
    archive = run_archive(
        target.client,
        target.token,
        target.engine,
        target.tree_nation,
        target.workspace_id,
        target.today,
        repeat_one=target.repeat,
        repeat_bulk=5,
    )
    one_call = all(calls == 1 for calls in archive.calls_per_bulk)
    calls = "/".join(str(c) for c in archive.calls_per_bulk)
    return [
        Row(
            target.name,
            "archive 1 campaign (htmx, from the list)",
            ms(archive.one.p50),
            ms(archive.one.p95),
            ms(archive.one.cpu_p50),
            target=f"p50 ≤ {ARCHIVE_ONE_MS}",
            result=verdict(archive.one.p50 <= ARCHIVE_ONE_MS),
        ),
        Row(
            target.name,
            f"archive {BULK} campaigns ({len(archive.bulk.samples)} runs, "
            f"Tree-Nation calls per run: {calls})",
            ms(archive.bulk.p50),
            ms(archive.bulk.p95),
            ms(archive.bulk.cpu_p50),
            target=f"p50 ≤ {ARCHIVE_BULK_MS}, 1 call",
            result=verdict(archive.bulk.p50 <= ARCHIVE_BULK_MS and one_call),
        ),
    ]


def throughput_rows(target: Target) -> list[Row]:
    wrk = bench_server.throughput(target.url, target.dialect)
    return [
        Row(
            target.name,
            "list default view (page load) under gunicorn, 2 workers × 4 threads, "
            f"wrk 8 connections {bench_server.WRK_SECONDS} s: {wrk.requests:,} "
            "answers" + (f", ⚠ {wrk.errors} errors or timeouts" if wrk.errors else ""),
            f"{wrk.requests_per_second:.1f} req/s",
            f"latency p50 {wrk.latency_p50}, p99 {wrk.latency_p99}",
            target="(figure)",
        )
    ]


def memory_rows(target: Target) -> list[Row]:
    memory = bench_server.memory(target.url, target.dialect)
    first, last = bench_server.MEMORY_CHECKPOINTS
    return [
        Row(
            target.name,
            f"worker peak RSS after {first:,} → {last:,} list requests (MiB)",
            f"{memory.peaks[first]:.1f} → {memory.peaks[last]:.1f}",
            f"{memory.growth:+.1f}",
            target="flat (≤ +5%)",
            result=verdict(memory.flat),
        )
    ]


SECTIONS = ("list", "impact", "archive", "server")


def fresh_statistics(url: str) -> None:
    """PostgreSQL: ANALYZE first. A previous run's archive-and-undo leaves
    statistics that autovacuum would refresh; plans must not depend on it."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def bench_database(target: Target, sections: set[str], regenerate: bool):
    """Every measure on one database; return its rows and the load along the way."""
    from app.extensions import db
    from app.models import Workspace
    from app.timeutil import business_today

    ensure_dataset(target.url, target.campaigns, regenerate)
    fresh_statistics(target.url)
    loads = [loadavg()]
    rows: list[Row] = []
    with InstantTreeNation() as tree_nation:
        target.tree_nation = tree_nation
        target.app = make_app(
            target.url,
            TREE_NATION_API_URL=tree_nation.base_url,
            TREE_NATION_API_TOKEN=TOKEN,
        )
        with target.app.app_context():
            target.engine = db.engine
            target.workspace_id = db.session.scalar(
                select(Workspace.id).where(Workspace.name == SCALE_WORKSPACE)
            )
            target.today = business_today()
            db.session.remove()
        target.client, target.token = signed_in_client(target.app)

        if "list" in sections:
            rows += guarded(target, "list views", list_rows)
            loads.append(loadavg())
        if "impact" in sections:
            rows += guarded(target, "impact page", impact_rows)
        if "archive" in sections:
            # Last of the in-process measures: it writes (and undoes its writes).
            rows += guarded(target, "archiving", archive_rows)
            loads.append(loadavg())
        target.engine.dispose()
    if "server" in sections:
        rows += guarded(target, "gunicorn + wrk", throughput_rows)
        loads.append(loadavg())
        rows += guarded(target, "worker memory", memory_rows)
        loads.append(loadavg())
    return rows, " → ".join(loads)


def table(rows: list[Row]) -> str:
    header = (
        "| database | measure | p50 ms | p95 ms | CPU p50 | floor p50 | floor p95 "
        "| × floor (wall / CPU) | target | result |"
    )
    lines = [header, "|" + "---|" * 10]
    for row in rows:
        cells = (
            row.database,
            row.measure,
            row.p50,
            row.p95,
            row.cpu_p50,
            row.floor_p50,
            row.floor_p95,
            row.ratio,
            row.target,
            row.result,
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@click.command()
@click.option(
    "--database",
    type=click.Choice(["sqlite", "postgresql", "both"]),
    default="both",
    show_default=True,
)
@click.option(
    "--campaigns", type=click.IntRange(min=1_000), default=100_000, show_default=True
)
@click.option(
    "--requests",
    "repeat",
    type=click.IntRange(min=5),
    default=50,
    show_default=True,
    help="Timed requests per measure, after 5 warm-up ones.",
)
@click.option("--search", default="nordic", show_default=True)
@click.option("--sqlite-url", help="Default: bench/out/canopy-<campaigns>.sqlite3")
@click.option("--postgres-url", default=POSTGRES_DEFAULT, show_default=True)
@click.option("--regenerate", is_flag=True, help="Rebuild the datasets first.")
@click.option("--skip-server", is_flag=True, help="No gunicorn, wrk or memory run.")
@click.option(
    "--only",
    type=click.Choice(SECTIONS),
    multiple=True,
    help="Run only these sections (repeatable).",
)
def main(
    database,
    campaigns,
    repeat,
    search,
    sqlite_url,
    postgres_url,
    regenerate,
    skip_server,
    only,
) -> None:
    """Measure Canopy against its targets and print the figures."""
    urls = {
        "sqlite": normalise_url(sqlite_url or sqlite_default(campaigns)),
        "postgresql": normalise_url(postgres_url),
    }
    chosen = ["sqlite", "postgresql"] if database == "both" else [database]
    started = datetime.now().astimezone()
    clock = time.perf_counter()
    rows: list[Row] = []
    loads = []
    for dialect in chosen:
        target = Target(
            NAMES[dialect], dialect, urls[dialect], campaigns, repeat, search
        )
        sections = set(only or SECTIONS) - ({"server"} if skip_server else set())
        database_rows, load = bench_database(target, sections, regenerate)
        click.echo("\n" + table(database_rows) + "\n")
        rows += database_rows
        loads.append(f"{NAMES[dialect]} {load}")

    caption = (
        f"{started:%Y-%m-%d %H:%M %Z} · {machine()} · code {revision()} · "
        f"{campaigns:,} campaigns · "
        f"{repeat} requests per measure · 1-min load during the run: "
        + "; ".join(loads)
        + f" · {time.perf_counter() - clock:.0f} s"
    )
    report = f"{caption}\n\n{table(rows)}\n"
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latest.md").write_text(report)
    click.echo("\n" + report)


if __name__ == "__main__":
    main()
