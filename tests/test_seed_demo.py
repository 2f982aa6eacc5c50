"""Tests for the demo data that `flask seed-demo` creates."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ArchiveEvent,
    Campaign,
    CampaignCreator,
    CollectionStat,
    Creator,
    Planting,
    PlantingOrder,
    Post,
    QuotaMonth,
    User,
    Workspace,
)
from app.services.demo_seed import DEMO_PASSWORD, DemoExists, seed_demo
from app.timeutil import business_today, current_month_key, to_business, utcnow

LOGINS = {
    "lead@demo.canopy.test": ("lead", "Demo Agency"),
    "member@demo.canopy.test": ("member", "Demo Agency"),
    "lead@other.canopy.test": ("lead", "Other Brand"),
}
ALL_MODELS = (
    Workspace,
    User,
    Campaign,
    Creator,
    CampaignCreator,
    Post,
    CollectionStat,
    ArchiveEvent,
    PlantingOrder,
    Planting,
    QuotaMonth,
)


@pytest.fixture
def seeded(app, runner):
    """Seed the default demo through the command and return its output."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in ALL_MODELS
        }


def campaigns_of(workspace_name: str):
    return (
        select(Campaign)
        .join(Workspace, Workspace.id == Campaign.workspace_id)
        .where(Workspace.name == workspace_name)
    )


def count_campaigns(workspace_name: str) -> int:
    query = campaigns_of(workspace_name).subquery()
    return db.session.scalar(select(func.count()).select_from(query))


def test_seed_prints_the_logins_and_password(seeded):
    for email in LOGINS:
        assert email in seeded.output
    assert DEMO_PASSWORD in seeded.output


def test_three_logins_in_their_workspaces_with_their_roles(app, seeded):
    with app.app_context():
        users = db.session.scalars(select(User)).all()

        found = {user.email: (user.role, user.workspace.name) for user in users}
        assert found == LOGINS
        assert all(user.check_password(DEMO_PASSWORD) for user in users)
        assert not any(user.check_password("not-the-password") for user in users)


def test_a_demo_person_can_sign_in(auth, seeded):
    response = auth.login("member@demo.canopy.test", DEMO_PASSWORD)

    assert response.status_code in (302, 303)
    assert "/login" not in response.headers["Location"]


def test_campaign_counts_per_workspace(app, seeded):
    with app.app_context():
        assert count_campaigns("Demo Agency") == 120
        assert count_campaigns("Other Brand") == 20


def test_demo_agency_holds_every_status_in_the_described_mix(app, seeded):
    with app.app_context():
        today = business_today()
        campaigns = db.session.scalars(campaigns_of("Demo Agency")).all()

        statuses = Counter(campaign.status(today) for campaign in campaigns)
        ended = [c for c in campaigns if c.status(today) == "ended"]
        long_ago = sum(c.end_date < today - timedelta(days=30) for c in ended)
        owners = {campaign.owner.email for campaign in campaigns}

    assert 50 <= statuses["ended"] <= 80
    assert 25 <= statuses["active"] <= 35
    assert 3 <= statuses["draft"] <= 12
    assert 8 <= statuses["archived"] <= 12
    assert len(ended) / 2 < long_ago < len(ended)
    assert owners == {"lead@demo.canopy.test", "member@demo.canopy.test"}


def test_row_counters_match_the_posts_and_creators(app, seeded):
    posts = select(Post).where(Post.campaign_id == Campaign.id)
    post_count = posts.with_only_columns(func.count()).scalar_subquery()
    last_post = posts.with_only_columns(func.max(Post.published_at)).scalar_subquery()
    links = select(func.count()).where(CampaignCreator.campaign_id == Campaign.id)

    with app.app_context():
        wrong = db.session.scalar(
            select(func.count()).where(
                (Campaign.posts_count != post_count)
                | Campaign.last_post_at.is_distinct_from(last_post)
                | (Campaign.creators_count != links.scalar_subquery())
            )
        )
        counted = db.session.scalar(select(func.sum(Campaign.posts_count)))
        stored = db.session.scalar(select(func.count(Post.id)))

    assert wrong == 0
    assert counted == stored > 0


def test_some_campaigns_look_finished_and_some_are_busy(app, seeded):
    not_archived = Campaign.archived_at.is_(None)

    with app.app_context():
        today, now = business_today(), utcnow()
        quiet_ended = db.session.scalar(
            select(func.count()).where(
                not_archived,
                Campaign.end_date < today,
                Campaign.last_post_at < now - timedelta(days=60),
            )
        )
        busy_active = db.session.scalar(
            select(func.count()).where(
                not_archived,
                Campaign.start_date <= today,
                Campaign.end_date >= today,
                Campaign.last_post_at >= now - timedelta(days=7),
            )
        )

    assert quiet_ended >= 10
    assert busy_active >= 10


def test_sixty_days_of_collection_statistics(app, seeded):
    with app.app_context():
        today = business_today()
        days = db.session.scalars(select(CollectionStat.day).distinct()).all()
        rows_per_campaign = db.session.scalars(
            select(func.count(CollectionStat.day))
            .join(Campaign, CollectionStat.campaign_id == Campaign.id)
            .where(Campaign.start_date <= today - timedelta(days=60))
            .where(Campaign.archived_at.is_(None))
            .group_by(Campaign.id)
        ).all()

    assert sorted(days) == [today - timedelta(days=n) for n in range(59, -1, -1)]
    assert len(rows_per_campaign) > 50
    assert set(rows_per_campaign) == {60}


def test_statistics_follow_creators_and_stop_at_the_archive(app, seeded):
    with app.app_context():
        today = business_today()
        yesterdays = db.session.execute(
            select(Campaign.creators_count, CollectionStat.fetches)
            .join(CollectionStat, CollectionStat.campaign_id == Campaign.id)
            .where(CollectionStat.day == today - timedelta(days=1))
        ).all()
        archived = db.session.execute(
            select(Campaign.archived_at, func.max(CollectionStat.day))
            .join(CollectionStat, CollectionStat.campaign_id == Campaign.id)
            .where(Campaign.archived_at.is_not(None))
            .group_by(Campaign.id, Campaign.archived_at)
        ).all()
        archive_days = [(to_business(at).date(), last) for at, last in archived]
        draft_stats = db.session.scalar(
            select(func.count())
            .select_from(CollectionStat)
            .join(Campaign, CollectionStat.campaign_id == Campaign.id)
            .where(Campaign.start_date > today)
        )

    assert len(yesterdays) > 50
    for creators, fetches in yesterdays:
        assert creators * 90 <= fetches <= creators * 96
    assert archive_days
    assert all(last <= archive_day for archive_day, last in archive_days)
    assert draft_stats == 0


def test_only_collecting_campaigns_are_due_for_collection(app, seeded):
    """Started campaigns are due now, drafts on their start day, archived never."""
    with app.app_context():
        today = business_today()
        campaigns = db.session.scalars(select(Campaign)).all()
        due_now = {
            c.id
            for c in campaigns
            if c.next_collect_at is not None and c.next_collect_at <= utcnow()
        }
        collecting = {c.id for c in campaigns if c.status(today) in ("active", "ended")}
        drafts_due_later = all(
            c.next_collect_at is not None and c.next_collect_at > utcnow()
            for c in campaigns
            if c.status(today) == "draft"
        )
        archived_never = all(
            c.next_collect_at is None
            for c in campaigns
            if c.status(today) == "archived"
        )

    assert due_now == collecting
    assert drafts_due_later
    assert archived_never


def test_no_tree_uses_this_months_quota(app, seeded):
    with app.app_context():
        month = current_month_key()
        quota = db.session.get(QuotaMonth, month)
        trees = [
            (
                planting.quota_month,
                f"{to_business(planting.earned_at):%Y-%m}",
                planting.demo and planting.order.demo,
                planting.campaign.archived_at is not None,
            )
            for planting in db.session.scalars(select(Planting))
        ]

    assert quota is None or quota.used == 0
    for quota_month, earned_month, demo, archived in trees:
        assert quota_month < month
        assert earned_month < month
        assert demo and archived


def test_archived_campaigns_have_an_archive_event(app, seeded):
    with app.app_context():
        archived = db.session.scalars(
            select(Campaign.id).where(Campaign.archived_at.is_not(None))
        ).all()
        events = db.session.scalars(
            select(ArchiveEvent.campaign_id).where(ArchiveEvent.action == "archived")
        ).all()

    assert archived
    assert sorted(events) == sorted(archived)


def test_seeding_twice_exits_1_and_changes_nothing(app, runner, seeded):
    before = row_counts(app)

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 1
    assert result.stderr.strip() == "The demo data exists already; nothing changed."
    assert row_counts(app) == before


def test_if_empty_with_the_demo_there_exits_0_and_changes_nothing(app, runner, seeded):
    before = row_counts(app)

    result = runner.invoke(args=["seed-demo", "--if-empty"])

    assert result.exit_code == 0
    assert result.stdout.strip() == "The demo data exists already."
    assert row_counts(app) == before


def test_if_empty_on_an_empty_database_seeds(app, runner):
    result = runner.invoke(args=["seed-demo", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert row_counts(app)["User"] == 3


def test_seed_demo_refuses_a_second_run(app, seeded):
    before = row_counts(app)

    with app.app_context(), pytest.raises(DemoExists):
        seed_demo(campaign_count=5)

    assert row_counts(app) == before


def test_campaigns_option_sets_the_demo_agency_size(app, runner):
    result = runner.invoke(args=["seed-demo", "--campaigns", "300"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        assert count_campaigns("Demo Agency") == 300
        assert count_campaigns("Other Brand") == 20


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_campaigns_option_refuses_bad_values(app, runner, value):
    result = runner.invoke(args=["seed-demo", "--campaigns", value])

    assert result.exit_code == 2
    assert "--campaigns" in result.output
    assert row_counts(app)["User"] == 0
