"""Collecting creator posts: which campaigns are fetched, what is stored and
counted, failures, archiving and restoring around runs, the commands, and
several collectors at once, against a real local stand-in for the source."""

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import (
    ArchiveEvent,
    Campaign,
    CampaignCreator,
    CollectionStat,
    Creator,
    Post,
)
from app.services.archiving import archive_campaigns, restore_campaign
from app.services.collection.collector import claim_due, collect_all, collect_due
from app.timeutil import business_today, utcnow
from tests.conftest import POSTGRES_URL
from tests.factories import make_campaign, make_user, make_workspace
from tests.fake_post_source import (
    FAILURE_MODES,
    TEST_TOKEN,
    post_source_fixture,  # noqa: F401
)

INTERVAL = 15  # minutes between two collections of a campaign
TIMEOUT = 0.5  # seconds the HTTP source waits for the fake
NEXT_RUN = timedelta(minutes=INTERVAL + 1)
WAIT = 30  # seconds a test waits for a background collector, at most


@pytest.fixture
def settings(post_source):
    return {
        "POST_SOURCE_URL": post_source.url,
        "POST_SOURCE_TOKEN": TEST_TOKEN,
        "POST_SOURCE_TIMEOUT": TIMEOUT,
        "COLLECT_INTERVAL_MINUTES": INTERVAL,
    }


@pytest.fixture
def lead(app):
    workspace = make_workspace("Demo Agency")
    return make_user(workspace, "lead@demo.canopy.test", "Léa Martin", "lead")


@pytest.fixture
def clock(app):
    """Time that runs on from today's noon (business time), moved with `shift`.

    Starting at noon keeps every run of a test on the same business day.
    """
    zone = ZoneInfo(app.config["BUSINESS_TIMEZONE"])
    noon = datetime.combine(datetime.now(zone).date(), time(12), tzinfo=zone)
    with time_machine.travel(noon, tick=True) as traveller:
        yield traveller


# Helpers ---------------------------------------------------------------------


def campaign_with(owner, *handles: str, status: str = "active", **fields) -> Campaign:
    """A campaign due for collection, with these (never collected) creators."""
    fields.setdefault("next_collect_at", utcnow() - timedelta(minutes=1))
    campaign = make_campaign(
        owner, name=f"Campaign {' '.join(handles)}", status=status, **fields
    )
    for handle in handles:
        creator = Creator(platform="instagram", handle=handle)
        db.session.add(creator)
        db.session.flush()
        db.session.add(CampaignCreator(campaign_id=campaign.id, creator_id=creator.id))
    campaign.creators_count = len(handles)
    db.session.commit()
    return campaign


def fresh(campaign_id: int) -> Campaign:
    """The campaign as the database holds it now."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Campaign, campaign_id)


def stored_ids(campaign_id: int) -> list[str]:
    db.session.rollback()
    query = select(Post.external_id).where(Post.campaign_id == campaign_id)
    return sorted(db.session.scalars(query))


def post_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Post))


def cursor_of(campaign_id: int, handle: str) -> datetime | None:
    db.session.rollback()
    return db.session.scalar(
        select(CampaignCreator.collected_since)
        .join(Creator, Creator.id == CampaignCreator.creator_id)
        .where(CampaignCreator.campaign_id == campaign_id, Creator.handle == handle)
    )


def stat_today(campaign_id: int) -> CollectionStat | None:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(CollectionStat, (campaign_id, business_today()))


def counters(campaign_id: int) -> tuple:
    campaign = fresh(campaign_id)
    return campaign.posts_count, campaign.last_post_at


def minutes_ago(minutes: int) -> datetime:
    return utcnow() - timedelta(minutes=minutes)


class Background(threading.Thread):
    """Runs `work` in its own thread and app context (its own connection)."""

    def __init__(self, app, work: Callable, barrier: threading.Barrier | None = None):
        super().__init__(daemon=True)
        self.app = app
        self.work = work
        self.barrier = barrier
        self.result = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.app.app_context():
                if self.barrier is not None:
                    self.barrier.wait(WAIT)
                self.result = self.work()
        except BaseException as error:  # handed to the test by finish()
            self.error = error

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), "the background work did not finish in time"
        if self.error is not None:
            raise self.error
        return self.result


def archive_during_run(app, post_source, lead, campaign, handle: str):
    """Archive `campaign` while a collector waits on the source for `handle`."""
    gate = post_source.block(handle)
    collector = Background(app, collect_due)
    collector.start()
    assert gate.arrived.wait(WAIT), "the collector never asked the source"
    archive_campaigns(lead, [campaign.id], "en")
    gate.release.set()
    return collector.finish()


# What a run collects ---------------------------------------------------------


def test_run_stores_new_posts_of_a_started_campaign(app, lead, post_source):
    """The posts the source sends for a started campaign's creators are stored."""
    campaign = campaign_with(lead, "ana", "bo")
    sent = [
        post_source.add_post("ana", minutes_ago(90)),
        post_source.add_post("bo", minutes_ago(60)),
        post_source.add_post("ana", minutes_ago(30)),
    ]

    collect_all()

    assert stored_ids(campaign.id) == sorted(post["id"] for post in sent)


def test_stored_post_keeps_the_sources_details(app, lead, post_source):
    """A stored post has its creator, platform, link, UTC time and size."""
    campaign = campaign_with(lead, "ana")
    published = minutes_ago(90).replace(microsecond=0)
    paris = published.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris"))
    sent = post_source.add_post("ana", paris, size_bytes=31_000)

    collect_all()

    post = db.session.scalar(select(Post).where(Post.campaign_id == campaign.id))
    assert (post.creator.handle, post.platform) == ("ana", "instagram")
    assert (post.url, post.published_at) == (sent["url"], published)
    assert post.size_bytes == 31_000


def test_ended_campaigns_are_collected_too(app, lead, post_source):
    """An Ended campaign that is not archived is still collected."""
    campaign = campaign_with(lead, "ana", status="ended")
    post = post_source.add_post("ana", minutes_ago(30))

    collect_all()

    assert stored_ids(campaign.id) == [post["id"]]


def test_run_updates_posts_count_and_last_post_at(app, lead, post_source):
    """The list's counters (posts count, last post) follow the stored posts."""
    campaign = campaign_with(lead, "ana", "bo")
    latest = minutes_ago(60).replace(microsecond=0)
    post_source.add_post("ana", minutes_ago(180))
    post_source.add_post("bo", latest)
    post_source.add_post("ana", minutes_ago(120))

    collect_all()

    assert counters(campaign.id) == (3, latest)


def test_all_pages_of_a_creator_are_stored(app, lead, post_source):
    """A creator whose posts span several pages gets every post stored."""
    campaign = campaign_with(lead, "ana")
    sent = [post_source.add_post("ana", minutes_ago(m)) for m in range(50, 0, -10)]

    collect_all()

    assert len(post_source.requests_for("ana")) == 3
    assert stored_ids(campaign.id) == sorted(post["id"] for post in sent)


def test_first_run_asks_since_the_start_of_the_start_day(app, lead, post_source):
    """The first fetch asks since midnight of the start date, in business time."""
    campaign = campaign_with(lead, "ana")

    collect_all()

    zone = ZoneInfo(app.config["BUSINESS_TIMEZONE"])
    midnight = datetime.combine(campaign.start_date, time(0), tzinfo=zone)
    [request] = post_source.requests_for("ana")
    assert request.since_time == midnight


def test_next_run_asks_since_the_previous_fetch_began(app, lead, post_source, clock):
    """The next run asks since the previous fetch began, not any later."""
    campaign_with(lead, "ana")
    before = utcnow().replace(tzinfo=UTC)
    collect_all()
    clock.shift(NEXT_RUN)

    collect_all()

    first, second = post_source.requests_for("ana")
    assert before <= second.since_time <= first.received_at


def test_next_run_stores_posts_published_since(app, lead, post_source, clock):
    """A post published after a run is stored by the next run."""
    campaign = campaign_with(lead, "ana")
    old = post_source.add_post("ana", minutes_ago(30))
    collect_all()
    clock.shift(NEXT_RUN)
    new = post_source.add_post("ana", minutes_ago(1))

    collect_all()

    assert stored_ids(campaign.id) == sorted([old["id"], new["id"]])
    assert counters(campaign.id)[0] == 2


def test_second_run_never_duplicates_posts(app, lead, post_source, clock):
    """A source sending the same post ids again adds no post and keeps counters."""
    post_source.honour_since = False
    campaign = campaign_with(lead, "ana")
    for minutes in (90, 60, 30):
        post_source.add_post("ana", minutes_ago(minutes))
    collect_all()
    before = (post_count(), counters(campaign.id))
    clock.shift(NEXT_RUN)

    report = collect_all()

    assert report.posts == 0
    assert (post_count(), counters(campaign.id)) == before


def test_run_reports_campaigns_and_new_posts(app, lead, post_source):
    """A run reports how many campaigns it collected and how many posts are new."""
    campaign_with(lead, "ana")
    campaign_with(lead, "bo")
    post_source.add_post("ana", minutes_ago(30))
    post_source.add_post("bo", minutes_ago(20))
    post_source.add_post("bo", minutes_ago(10))

    report = collect_all()

    assert (report.campaigns, report.posts, report.failures) == (2, 3, 0)


def test_demo_source_collects_without_a_source_url(app, lead, post_source):
    """With POST_SOURCE_URL unset, the built-in demo source invents posts."""
    app.config["POST_SOURCE_URL"] = None
    app.extensions.pop("canopy_post_source", None)
    campaign = campaign_with(lead, "ana", "bo", "cy")

    collect_all()

    assert post_source.requests == []
    ids = stored_ids(campaign.id)
    assert ids
    assert all(external_id.startswith("demo-") for external_id in ids)


# What a run counts -------------------------------------------------------------


def test_run_records_todays_fetches(app, lead, post_source, clock):
    """Today's statistics count one fetch per request made (pages included)."""
    campaign = campaign_with(lead, "ana", "bo")
    for minutes in (50, 40, 30):  # two pages
        post_source.add_post("ana", minutes_ago(minutes))

    collect_all()

    assert len(post_source.requests) == 3
    assert stat_today(campaign.id).fetches == 3


def test_run_records_todays_bytes_received(app, lead, post_source, clock):
    """Today's bytes received are the summed lengths of the bodies received."""
    campaign = campaign_with(lead, "ana", "bo")
    for minutes in (50, 40, 30):
        post_source.add_post("ana", minutes_ago(minutes), views=minutes)

    collect_all()

    received = sum(len(request.body) for request in post_source.requests)
    assert stat_today(campaign.id).bytes_received == received


def test_run_records_todays_bytes_stored(app, lead, post_source, clock):
    """Today's bytes stored are the summed sizes of the posts stored."""
    campaign = campaign_with(lead, "ana")
    post_source.add_post("ana", minutes_ago(50), size_bytes=12_000)
    post_source.add_post("ana", minutes_ago(40), size_bytes=3_500)

    collect_all()

    assert stat_today(campaign.id).bytes_stored == 15_500


def test_posts_seen_again_add_fetches_but_no_bytes_stored(
    app, lead, post_source, clock
):
    """A second run of the day adds its fetches; posts already stored add no bytes."""
    post_source.honour_since = False
    campaign = campaign_with(lead, "ana")
    post_source.add_post("ana", minutes_ago(50), size_bytes=12_000)
    collect_all()
    clock.shift(NEXT_RUN)

    collect_all()

    stat = stat_today(campaign.id)
    assert (stat.fetches, stat.bytes_stored) == (2, 12_000)


# Which campaigns a run fetches --------------------------------------------------


def test_drafts_are_not_fetched(app, lead, post_source):
    """A Draft (not started) is never fetched, even when marked due."""
    campaign_with(lead, "draft-creator", status="draft")
    campaign_with(lead, "ana")

    collect_all()

    assert post_source.handles_requested() == {"ana"}


def test_archived_campaigns_are_not_fetched(app, lead, post_source):
    """An archived campaign is never fetched, even when marked due."""
    campaign_with(lead, "archived-creator", archived=True)
    campaign_with(lead, "ana")

    collect_all()

    assert post_source.handles_requested() == {"ana"}


def test_archived_campaigns_cost_no_query(app, lead, post_source, clock):
    """A run costs the same statements with or without archived campaigns."""
    baseline = statements_of(collect_all)
    for n in range(20):
        campaign_with(lead, f"archived-{n}", archived=True)
    clock.shift(NEXT_RUN)

    with_archived = statements_of(collect_all)

    assert len(with_archived) == len(baseline)
    assert post_source.requests == []


def statements_of(work: Callable) -> list[str]:
    """The SQL statements sent while `work` runs."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_campaigns_not_yet_due_are_not_fetched(app, lead, post_source):
    """A campaign whose next collection is in the future is not fetched."""
    campaign_with(lead, "later", next_collect_at=utcnow() + timedelta(minutes=5))
    campaign_with(lead, "ana")

    collect_all()

    assert post_source.handles_requested() == {"ana"}


def test_leased_campaigns_are_not_fetched(app, lead, post_source):
    """A due campaign leased by another collector is skipped."""
    campaign_with(lead, "leased", lease_until=utcnow() + timedelta(minutes=3))
    campaign_with(lead, "ana")

    collect_all()

    assert post_source.handles_requested() == {"ana"}


def test_a_campaign_is_fetched_once_per_interval(app, lead, post_source, clock):
    """Once collected, a campaign is not fetched again before its interval ends."""
    campaign_with(lead, "ana")
    collect_all()
    clock.shift(timedelta(minutes=INTERVAL - 1))

    collect_all()

    assert len(post_source.requests_for("ana")) == 1


def test_archiving_takes_effect_for_the_very_next_run(app, lead, post_source, clock):
    """After archiving, the next run fetches nothing for the campaign."""
    archived = campaign_with(lead, "ana")
    campaign_with(lead, "bo")
    collect_all()
    archive_campaigns(lead, [archived.id], "en")
    clock.shift(NEXT_RUN)
    post_source.requests.clear()

    collect_all()

    assert post_source.handles_requested() == {"bo"}


# The due query ---------------------------------------------------------------


def test_claim_takes_due_campaigns_only(app, lead):
    """Only campaigns whose next collection time has come are claimed."""
    due = campaign_with(lead, "due", next_collect_at=minutes_ago(1))
    campaign_with(lead, "later", next_collect_at=utcnow() + timedelta(minutes=1))
    campaign_with(lead, "unscheduled", next_collect_at=None)

    assert claim_due() == [due.id]


def test_claim_skips_a_campaign_whose_lease_runs(app, lead):
    """A due campaign with a lease still running is not claimed."""
    campaign_with(lead, "leased", lease_until=utcnow() + timedelta(seconds=30))

    assert claim_due() == []


def test_claim_takes_a_campaign_whose_lease_expired(app, lead):
    """A lease that has run out no longer holds the campaign back."""
    campaign = campaign_with(lead, "ana", lease_until=minutes_ago(1))

    assert claim_due() == [campaign.id]


def test_claim_takes_the_longest_waiting_up_to_the_limit(app, lead):
    """A claim takes at most `limit` campaigns, the longest waiting first."""
    one_hour = campaign_with(lead, "a", next_collect_at=minutes_ago(60))
    three_hours = campaign_with(lead, "b", next_collect_at=minutes_ago(180))
    two_hours = campaign_with(lead, "c", next_collect_at=minutes_ago(120))

    claimed = claim_due(limit=2)

    assert claimed == sorted([three_hours.id, two_hours.id])
    assert one_hour.id not in claimed


def test_claim_leases_the_campaign(app, lead):
    """A claimed campaign is leased, so a second claim does not take it."""
    campaign = campaign_with(lead, "ana")

    claim_due()

    assert fresh(campaign.id).lease_until > utcnow()
    assert claim_due() == []


def test_claim_schedules_the_next_collection_one_interval_later(app, lead):
    """Claiming sets the next collection COLLECT_INTERVAL_MINUTES ahead."""
    campaign = campaign_with(lead, "ana")
    before = utcnow()

    claim_due()

    after = utcnow()
    interval = timedelta(minutes=INTERVAL)
    assert before + interval <= fresh(campaign.id).next_collect_at <= after + interval


# Source failures ---------------------------------------------------------------


def collected_then_failing(lead, post_source, clock, mode: str = "500"):
    """A campaign collected once, then due again with a new post and a failure."""
    campaign = campaign_with(lead, "ana")
    post_source.add_post("ana", minutes_ago(30))
    collect_all()
    clock.shift(NEXT_RUN)
    post_source.add_post("ana", minutes_ago(1))
    post_source.fail("ana", mode)
    return campaign


@pytest.mark.parametrize("mode", FAILURE_MODES)
def test_failure_stores_no_post(app, lead, post_source, clock, mode):
    """When the source fails, nothing it sent for the campaign is stored."""
    campaign = collected_then_failing(lead, post_source, clock, mode)
    before = stored_ids(campaign.id)

    collect_all()

    assert stored_ids(campaign.id) == before


def test_failure_keeps_the_counters(app, lead, post_source, clock):
    """When the source fails, posts count and last post stay as they were."""
    campaign = collected_then_failing(lead, post_source, clock)
    before = counters(campaign.id)

    collect_all()

    assert counters(campaign.id) == before


def test_failure_keeps_the_cursor(app, lead, post_source, clock):
    """When the source fails, the creator's cursor does not move."""
    campaign = collected_then_failing(lead, post_source, clock)
    before = cursor_of(campaign.id, "ana")

    collect_all()

    assert cursor_of(campaign.id, "ana") == before


def test_failure_of_one_creator_stores_nothing_for_the_campaign(app, lead, post_source):
    """If one creator fails, the campaign's other creators store nothing either."""
    campaign = campaign_with(lead, "ana", "bo")
    post_source.add_post("ana", minutes_ago(30))
    post_source.fail("bo", "500")

    collect_all()

    assert stored_ids(campaign.id) == []
    assert cursor_of(campaign.id, "ana") is None


def test_failure_is_logged_with_campaign_and_creator(app, lead, post_source, caplog):
    """A failure is logged naming the campaign and the creator."""
    campaign = campaign_with(lead, "ana")
    post_source.fail("ana", "500")

    with caplog.at_level(logging.WARNING, logger="canopy.collection"):
        collect_all()

    messages = [
        record.getMessage()
        for record in caplog.records
        if record.name == "canopy.collection" and record.levelno >= logging.WARNING
    ]
    assert any(str(campaign.id) in m and "ana" in m for m in messages), messages


def test_other_campaigns_carry_on_after_a_failure(app, lead, post_source):
    """One campaign's failure does not stop the others in the run."""
    campaign_with(lead, "ana")
    other = campaign_with(lead, "bo")
    post_source.fail("ana", "500")
    post = post_source.add_post("bo", minutes_ago(30))

    report = collect_all()

    assert stored_ids(other.id) == [post["id"]]
    assert report.failures == 1


def test_failed_campaign_is_retried_next_run(app, lead, post_source, clock):
    """The campaign that failed is fetched again, and stored, at the next run."""
    campaign = campaign_with(lead, "ana")
    post = post_source.add_post("ana", minutes_ago(30))
    post_source.fail("ana", "500")
    collect_all()
    clock.shift(NEXT_RUN)

    collect_all()

    assert stored_ids(campaign.id) == [post["id"]]


def test_failed_campaign_is_retried_next_run_with_a_short_interval(
    app, lead, post_source, clock
):
    """With a 1-minute interval, a failed campaign is retried at the next run."""
    app.config["COLLECT_INTERVAL_MINUTES"] = 1
    campaign = campaign_with(lead, "ana")
    post = post_source.add_post("ana", minutes_ago(30))
    post_source.fail("ana", "500")
    collect_all()
    clock.shift(timedelta(minutes=1, seconds=30))

    collect_all()

    assert stored_ids(campaign.id) == [post["id"]]


# Archived during a run -----------------------------------------------------------


def test_campaign_archived_during_a_run_gets_no_post(app, lead, post_source):
    """Posts fetched for a campaign archived meanwhile are not stored."""
    campaign = campaign_with(lead, "ana")
    post_source.add_post("ana", minutes_ago(30))

    archive_during_run(app, post_source, lead, campaign, "ana")

    assert stored_ids(campaign.id) == []


def test_campaign_archived_during_a_run_keeps_its_counters(
    app, lead, post_source, clock
):
    """A campaign archived during a run keeps its counters and cursor."""
    campaign = campaign_with(lead, "ana")
    post_source.add_post("ana", minutes_ago(30))
    collect_all()
    clock.shift(NEXT_RUN)
    post_source.add_post("ana", minutes_ago(1))
    before = (counters(campaign.id), cursor_of(campaign.id, "ana"))

    archive_during_run(app, post_source, lead, campaign, "ana")

    assert (counters(campaign.id), cursor_of(campaign.id, "ana")) == before


def test_run_reports_a_campaign_archived_meanwhile(app, lead, post_source):
    """The run reports the campaign as archived meanwhile, not as collected."""
    campaign = campaign_with(lead, "ana")
    post_source.add_post("ana", minutes_ago(30))

    report = archive_during_run(app, post_source, lead, campaign, "ana")

    assert (report.skipped_archived, report.posts) == (1, 0)


def test_archive_and_restore_during_a_run_store_nothing_published_meanwhile(
    app, lead, post_source, clock
):
    """A post published while archived and restored mid-run is never stored."""
    campaign = campaign_with(lead, "ana")
    collect_all()
    clock.shift(NEXT_RUN)
    gate = post_source.block("ana")
    collector = Background(app, collect_due)
    collector.start()
    assert gate.arrived.wait(WAIT)
    archive_campaigns(lead, [campaign.id], "en")
    clock.shift(timedelta(hours=1))
    while_archived = post_source.add_post("ana", utcnow())
    clock.shift(timedelta(hours=1))
    restore_campaign(lead, campaign.id)
    gate.release.set()
    collector.finish()
    clock.shift(NEXT_RUN)

    collect_all()

    assert while_archived["id"] not in stored_ids(campaign.id)


# Restore -------------------------------------------------------------------------


def archived_then_restored(lead, post_source, clock) -> tuple[Campaign, dict, dict]:
    """A campaign collected, archived, restored; a post published in each phase.

    Returns the campaign, the post published while archived and the one
    published after the restore.
    """
    campaign = campaign_with(lead, "ana")
    collect_all()
    clock.shift(timedelta(hours=1))
    archive_campaigns(lead, [campaign.id], "en")
    clock.shift(timedelta(hours=1))
    while_archived = post_source.add_post("ana", utcnow())
    clock.shift(timedelta(hours=1))
    restore_campaign(lead, campaign.id)
    clock.shift(timedelta(hours=1))
    after_restore = post_source.add_post("ana", utcnow())
    return campaign, while_archived, after_restore


def restored_at(campaign_id: int) -> datetime:
    db.session.rollback()
    return db.session.scalar(
        select(ArchiveEvent.at).where(
            ArchiveEvent.campaign_id == campaign_id, ArchiveEvent.action == "restored"
        )
    )


def test_restore_resumes_from_the_restore_time(app, lead, post_source, clock):
    """After a restore, the source is asked for posts since the restore time."""
    campaign, _, _ = archived_then_restored(lead, post_source, clock)

    collect_all()

    last = post_source.requests_for("ana")[-1]
    assert last.since_time == restored_at(campaign.id).replace(tzinfo=UTC)


def test_restore_does_not_backfill_posts_published_while_archived(
    app, lead, post_source, clock
):
    """After a restore, only the posts published after it are stored."""
    campaign, while_archived, after_restore = archived_then_restored(
        lead, post_source, clock
    )

    collect_all()

    assert stored_ids(campaign.id) == [after_restore["id"]]
    assert while_archived["id"] != after_restore["id"]


# Commands ----------------------------------------------------------------------


def test_jobs_run_collect_posts_exits_0_with_a_summary(app, lead, post_source, runner):
    """`flask jobs run collect-posts` collects and prints what it did."""
    campaign = campaign_with(lead, "ana")
    post_source.add_post("ana", minutes_ago(30))
    post_source.add_post("ana", minutes_ago(20))

    result = runner.invoke(args=["jobs", "run", "collect-posts"])

    assert result.exit_code == 0, result.output
    assert "collect-posts" in result.output
    assert "1 campaign(s) collected" in result.output
    assert "2 new post(s)" in result.output
    assert len(stored_ids(campaign.id)) == 2


def test_jobs_run_collect_posts_exits_0_despite_a_source_failure(
    app, lead, post_source, runner
):
    """A source failure is reported in the summary; the run still exits 0."""
    campaign_with(lead, "ana")
    post_source.fail("ana", "500")

    result = runner.invoke(args=["jobs", "run", "collect-posts"])

    assert result.exit_code == 0, result.output
    assert "1 failed" in result.output


def test_jobs_run_collect_posts_refuses_a_period(app, lead, post_source, runner):
    """`--period` is refused for collect-posts with a clear message."""
    campaign_with(lead, "ana")

    result = runner.invoke(args=["jobs", "run", "collect-posts", "--period", "2026-01"])

    assert result.exit_code != 0
    assert "collect-posts" in result.output
    assert "period" in result.output


def test_refused_collect_posts_fetches_nothing(app, lead, post_source, runner):
    """A refused `collect-posts --period` fetches and stores nothing."""
    campaign = campaign_with(lead, "ana")
    post_source.add_post("ana", minutes_ago(30))

    runner.invoke(args=["jobs", "run", "collect-posts", "--period", "2026-01"])

    assert post_source.requests == []
    assert stored_ids(campaign.id) == []


def test_collector_once_collects_what_is_due_then_stops(app, lead, post_source, runner):
    """`flask collector --once` collects every due campaign and exits 0."""
    first = campaign_with(lead, "ana")
    second = campaign_with(lead, "bo")
    post_source.add_post("ana", minutes_ago(30))
    post_source.add_post("bo", minutes_ago(20))

    result = runner.invoke(args=["collector", "--once"])

    assert result.exit_code == 0, result.output
    assert len(stored_ids(first.id)) == len(stored_ids(second.id)) == 1


# Several collectors (PostgreSQL) ---------------------------------------------------

needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)"
)


def many_due_campaigns(owner, count: int) -> list[Campaign]:
    """`count` due campaigns, each with its own creator "creator-NN"."""
    return [campaign_with(owner, f"creator-{n:02d}") for n in range(count)]


@pytest.mark.postgres
@needs_postgres
def test_two_collectors_claim_disjoint_batches(app, lead):
    """Two collectors claiming batches of 10 at once never share a campaign."""
    campaigns = many_due_campaigns(lead, 40)
    barrier = threading.Barrier(2)

    def claim_until_empty() -> list[list[int]]:
        batches = []
        while batch := claim_due(limit=10):
            batches.append(batch)
        return batches

    collectors = [Background(app, claim_until_empty, barrier) for _ in range(2)]
    for collector in collectors:
        collector.start()
    batches = [batch for c in collectors for batch in c.finish()]

    claimed = [campaign_id for batch in batches for campaign_id in batch]
    assert all(len(batch) <= 10 for batch in batches)
    assert len(claimed) == len(set(claimed))
    assert set(claimed) == {campaign.id for campaign in campaigns}


@pytest.mark.postgres
@needs_postgres
def test_two_collectors_running_together_store_each_post_once(app, lead, post_source):
    """Two full runs at once fetch each creator once and store each post once."""
    campaigns = many_due_campaigns(lead, 40)
    for n in range(40):
        for minutes in (30, 20, 10):  # two pages per creator
            post_source.add_post(f"creator-{n:02d}", minutes_ago(minutes))
    barrier = threading.Barrier(2)
    collectors = [
        Background(app, lambda: collect_all(limit=5), barrier) for _ in range(2)
    ]
    for collector in collectors:
        collector.start()
    reports = [collector.finish() for collector in collectors]

    assert sum(report.posts for report in reports) == 120
    assert post_count() == 120
    assert all(counters(c.id)[0] == 3 for c in campaigns)
    assert len(post_source.requests) == 80
