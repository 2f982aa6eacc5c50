"""Canopy's commands, run as `flask --app wsgi <command>`."""

from typing import NoReturn

import click
from flask import Flask
from flask.cli import with_appcontext

from app.services.demo_seed import (
    DEMO_PASSWORD,
    DemoExists,
    SeedSummary,
    demo_exists,
    seed_demo,
)


def init_app(app: Flask) -> None:
    """Register every Canopy command on the app."""
    register_seed_command(app)


def register_seed_command(app: Flask) -> None:
    """Add `seed-demo` to the app's commands."""
    app.cli.add_command(seed_demo_command)


@click.command("seed-demo")
@click.option(
    "--campaigns",
    "campaign_count",
    type=click.IntRange(min=1),
    default=120,
    show_default=True,
    help="How many campaigns Demo Agency holds.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Succeed without changing anything when the demo exists already.",
)
@with_appcontext
def seed_demo_command(campaign_count: int, if_empty: bool) -> None:
    """Create the demo workspaces, people and campaigns, and print the logins."""
    if demo_exists():
        _stop_because_demo_exists(if_empty)

    try:
        summary = seed_demo(campaign_count)
    except DemoExists:
        _stop_because_demo_exists(if_empty)

    _echo_summary(summary)


def _stop_because_demo_exists(if_empty: bool) -> NoReturn:
    """Say the demo is there already, and exit: successfully under --if-empty."""
    context = click.get_current_context()
    if if_empty:
        click.echo("The demo data exists already.")
        context.exit(0)
    click.echo("The demo data exists already; nothing changed.", err=True)
    context.exit(1)


def _echo_summary(summary: SeedSummary) -> None:
    click.echo(
        f"Created the demo: {summary.workspaces} workspaces, "
        f"{summary.campaigns:,} campaigns ({summary.archived:,} archived), "
        f"{summary.creators:,} creators, {summary.posts:,} posts, "
        f"{summary.stats:,} daily collection statistics, "
        f"{summary.demo_trees:,} demo trees from earlier months."
    )
    click.echo(f"Sign in with the password {DEMO_PASSWORD}:")
    width = max(len(email) for email, _, _ in summary.logins)
    for email, role, workspace in summary.logins:
        click.echo(f"  {email:<{width}}  {role} of {workspace}")
