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


def bench_database(
    dialect: str,
    url: str,
    campaigns: int,
    repeat: int,
    search: str,
    skip_server: bool,
    regenerate: bool,
) -> tuple[list[Row], str]:
    from app.extensions import db
    from app.models import Workspace
    from app.timeutil import business_today

    name = NAMES[dialect]
    ensure_dataset(url, campaigns, regenerate)
    loads = [loadavg()]
    rows: list[Row] = []
    with InstantTreeNation() as tree_nation:
        app = make_app(
            url, TREE_NATION_API_URL=tree_nation.base_url, TREE_NATION_API_TOKEN=TOKEN
        )
        with app.app_context():
            engine = db.engine
            workspace_id = db.session.scalar(
                select(Workspace.id).where(Workspace.name == SCALE_WORKSPACE)
            )
            today = business_today()
            db.session.remove()
        client, token = signed_in_client(app)

        click.echo(f"{name}: list views…")
        for result in run_list(
            client, engine, dialect, workspace_id, today, list_cases(search), repeat
        ):
            label = result.case.label
            if result.case.page > 1 and result.shown_page != result.case.page:
                label += f" (last page: {result.shown_page})"
            if not result.same_rows:
                label += " ⚠ floor rows differ"
            ok = result.ratio <= LIST_RATIO and result.page.p95 <= LIST_P95_MS
            rows.append(
                Row(
                    name,
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

        click.echo(f"{name}: impact page…")
        impact = run_impact(client, repeat)
        rows.append(
            Row(
                name,
                "impact page (10,000-tree workspace)"
                if campaigns == 100_000
                else f"impact page ({campaigns // 10:,}-tree workspace)",
                ms(impact.p50),
                ms(impact.p95),
                ms(impact.cpu_p50),
                target=f"p95 ≤ {IMPACT_P95_MS}",
                result=verdict(impact.p95 <= IMPACT_P95_MS),
            )
        )

        click.echo(f"{name}: archiving…")
        archive = run_archive(
            client,
            token,
            engine,
            tree_nation,
            workspace_id,
            today,
            repeat_one=repeat,
            repeat_bulk=5,
        )
        engine.dispose()
    rows.append(
        Row(
            name,
            "archive 1 campaign (htmx, from the list)",
            ms(archive.one.p50),
            ms(archive.one.p95),
            ms(archive.one.cpu_p50),
            target=f"p50 ≤ {ARCHIVE_ONE_MS}",
            result=verdict(archive.one.p50 <= ARCHIVE_ONE_MS),
        )
    )
    one_call = all(calls == 1 for calls in archive.calls_per_bulk)
    calls = "/".join(str(c) for c in archive.calls_per_bulk)
    rows.append(
        Row(
            name,
            f"archive {BULK} campaigns ({len(archive.bulk.samples)} runs, "
            f"Tree-Nation calls per run: {calls})",
            ms(archive.bulk.p50),
            ms(archive.bulk.p95),
            ms(archive.bulk.cpu_p50),
            target=f"p50 ≤ {ARCHIVE_BULK_MS}, 1 call",
            result=verdict(archive.bulk.p50 <= ARCHIVE_BULK_MS and one_call),
        )
    )
    loads.append(loadavg())

    if not skip_server:
        click.echo(f"{name}: gunicorn + wrk…")
        wrk = bench_server.throughput(url)
        rows.append(
            Row(
                name,
                "list default view under gunicorn (2 workers × 4 threads), "
                f"wrk 8 connections, {bench_server.WRK_SECONDS} s: throughput"
                + (f" ⚠ {wrk.errors} errors" if wrk.errors else ""),
                f"{wrk.requests_per_second:.0f} req/s",
                f"latency p50 {wrk.latency_p50}, p99 {wrk.latency_p99}",
                target="(figure)",
            )
        )
        loads.append(loadavg())
        click.echo(f"{name}: worker memory…")
        memory = bench_server.memory(url)
        first, last = bench_server.MEMORY_CHECKPOINTS
        rows.append(
            Row(
                name,
                f"worker peak RSS after {first:,} → {last:,} list requests (MiB)",
                f"{memory.peaks[first]:.1f} → {memory.peaks[last]:.1f}",
                f"{memory.growth:+.1f}",
                target="flat (≤ +5%)",
                result=verdict(memory.flat),
            )
        )
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
def main(
    database,
    campaigns,
    repeat,
    search,
    sqlite_url,
    postgres_url,
    regenerate,
    skip_server,
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
        database_rows, load = bench_database(
            dialect,
            urls[dialect],
            campaigns,
            repeat,
            search,
            skip_server,
            regenerate,
        )
        rows += database_rows
        loads.append(f"{NAMES[dialect]} {load}")

    caption = (
        f"{started:%Y-%m-%d %H:%M %Z} · {machine()} · {campaigns:,} campaigns · "
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
