"""Profile one request with pyinstrument (an extra: pip install pyinstrument).

    .venv/bin/python -m bench.profile /campaigns
    .venv/bin/python -m bench.profile --htmx "/campaigns?page=2000" --database sqlite
    .venv/bin/python -m bench.profile --archive 1      # POST /campaigns/archive

The request runs `--repeat` times after a warm-up, signed in as the big workspace's
lead, against the benchmark database (generate it first); the call tree is printed.
"""

import click

from bench.common import HTMX, POSTGRES_DEFAULT, normalise_url, sqlite_default


@click.command()
@click.argument("path", default="/campaigns")
@click.option(
    "--database",
    type=click.Choice(["sqlite", "postgresql"]),
    default="sqlite",
    show_default=True,
)
@click.option("--campaigns", type=int, default=100_000, show_default=True)
@click.option("--url", help="A SQLAlchemy URL instead of the default one.")
@click.option("--htmx", is_flag=True, help="Ask for the fragment, as htmx does.")
@click.option("--repeat", type=int, default=20, show_default=True)
@click.option(
    "--archive",
    type=int,
    default=0,
    help="Profile archiving this many campaigns instead (then undone).",
)
@click.option(
    "--html", "html_out", type=click.Path(), help="Also write an HTML report."
)
@click.option(
    "--sql",
    is_flag=True,
    help="Instead: each SQL statement of one request, its time and its plan.",
)
def main(path, database, campaigns, url, htmx, repeat, archive, html_out, sql) -> None:
    """Print pyinstrument's call tree for PATH."""
    from pyinstrument import Profiler

    from bench.bench_archive import Snapshot, candidates
    from bench.common import make_app, signed_in_client
    from bench.tree_nation import TOKEN, InstantTreeNation

    if url is None:
        url = sqlite_default(campaigns) if database == "sqlite" else POSTGRES_DEFAULT
    url = normalise_url(url)
    with InstantTreeNation() as tree_nation:
        app = make_app(
            url, TREE_NATION_API_URL=tree_nation.base_url, TREE_NATION_API_TOKEN=TOKEN
        )
        client, token = signed_in_client(app)
        headers = dict(HTMX) if htmx else {}
        if sql:
            explain_request(app, client, path, headers)
            return
        profiler = Profiler(interval=0.0005)
        if archive:
            from app.extensions import db
            from app.models import Workspace
            from app.timeutil import business_today
            from bench.common import SCALE_WORKSPACE

            with app.app_context():
                engine = db.engine
                workspace_id = db.session.scalar(
                    db.select(Workspace.id).where(Workspace.name == SCALE_WORKSPACE)
                )
                ids = candidates(engine, workspace_id, business_today())
                db.session.remove()
            ids = ids[: archive * (repeat + 1)]
            snapshot = Snapshot(engine, ids)
            headers.update(
                {
                    **HTMX,
                    "X-CSRFToken": token,
                    "HX-Current-URL": "http://localhost/campaigns",
                }
            )
            try:
                for number in range(repeat + 1):
                    chunk = ids[number * archive : (number + 1) * archive]
                    if number == 1:
                        profiler.start()
                    client.post(
                        "/campaigns/archive",
                        data={"ids": [str(i) for i in chunk]},
                        headers=headers,
                    )
                profiler.stop()
            finally:
                snapshot.restore()
        else:
            for _ in range(3):
                client.get(path, headers=headers)
            profiler.start()
            for _ in range(repeat):
                response = client.get(path, headers=headers)
                assert response.status_code == 200, response.status_code
            profiler.stop()
    click.echo(profiler.output_text(unicode=True, color=False, show_all=False))
    if html_out:
        with open(html_out, "w") as out:
            out.write(profiler.output_html())


def explain_request(app, client, path: str, headers: dict) -> None:
    """Run the request once warm, then print its statements, slowest first."""
    import time

    from sqlalchemy import event

    from app.extensions import db

    client.get(path, headers=headers)
    with app.app_context():
        engine = db.engine
    seen: list[tuple[float, str, object]] = []

    def before(_conn, _cursor, _statement, _params, context, _many) -> None:
        context._bench_started = time.perf_counter()

    def after(_conn, _cursor, statement, params, context, _many) -> None:
        elapsed = (time.perf_counter() - context._bench_started) * 1000
        seen.append((elapsed, statement, params))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    click.echo(f"{path}: HTTP {response.status_code}, {len(seen)} statements")
    for elapsed, statement, params in sorted(seen, key=lambda s: s[0], reverse=True):
        click.echo(f"\n--- {elapsed:.1f} ms\n{' '.join(statement.split())}\n{params}")
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        explain = (
            "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        )
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            cursor = raw.cursor()
            cursor.execute(explain + statement, params)
            for row in cursor.fetchall():
                click.echo("    " + " | ".join(str(v) for v in row))


if __name__ == "__main__":
    main()
