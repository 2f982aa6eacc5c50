"""The scale-out rehearsal: Canopy deployed in several processes, under load.

Two gunicorn instances, two schedulers and two collectors run against one
PostgreSQL database (`canopy_rehearsal`, rebuilt each time), Redis for rate
limits, a real SMTP server and a Tree-Nation that is sometimes slow, sometimes
answers 503 and sometimes never answers in time. Several people archive
campaigns on both instances at once (double clicks and bulk archives
included) while the collectors work; then the jobs settle every tree, plant
the queue in next month's quota and send the monthly email, two at a time.
The rehearsal ends by checking what must hold however the processes
interleave, prints each check with its figures and a summary, and exits
non-zero when a check fails.

    .venv/bin/python -m bench.rehearsal [--short] [--server URL] [--seed N]

`--server` names the PostgreSQL server (any database in the URL is replaced by
`canopy_rehearsal`); the default is TEST_DATABASE_URL's server, else
127.0.0.1:5432 as user postgres.
"""

from __future__ import annotations

import argparse
import email
import logging
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from aiosmtpd.controller import Controller
from pytest_httpserver import HTTPServer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from werkzeug import Request, Response

from tests.fake_tree_nation import TEST_TOKEN, FakeTreeNation

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "canopy_rehearsal"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URI = "redis://127.0.0.1:6379/0"
ZONE_NAME = "Europe/Paris"
PASSWORD = "canopy-rehearsal"
EMAIL_DOMAIN = "rehearsal.canopy.test"
# Key of the advisory lock that keeps two rehearsals off one server.
REHEARSAL_LOCK = 0x43616E6F7079  # "Canopy"

# Tree-Nation's behaviour: a call may be answered slowly (after planting), fail
# with 503 or hang past the client's timeout; a failing call plants first half
# of the time, as the real service may.
TREE_NATION_TIMEOUT = 1.0
SLOW_SHARE = 0.15
SLOW_SECONDS = (0.5, 2.0)
FAIL_503_SHARE = 0.08
HANG_SHARE = 0.08
HANG_SECONDS = 3 * TREE_NATION_TIMEOUT
PLANT_BEFORE_FAILING = 0.5
# Share of the trees this month's quota covers; the rest queue.
QUOTA_SHARE = 0.6
# A retried order is left alone while a call may still be in flight.
IN_FLIGHT = 2 * TREE_NATION_TIMEOUT
MAX_RETRY_ROUNDS = 25

LEADERBOARD_SUBJECT = "Top Tree Planters of {month} {year}"
PLANTED_SUBJECT = "Your tree is planted"
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# The checks, in the order they are printed; the test looks for each by name.
CHECK_NAMES = (
    "every process stayed up",
    "no 5xx from the web instances",
    "archived as requested",
    "one tree per campaign",
    "trees asked of Tree-Nation = trees recorded planted",
    "quota never exceeded",
    "quota slots match trees",
    "queued trees planted next month",
    "one leaderboard email per lead",
    "no campaign collected after its archive time",
    "no error logged",
)

# Settings a caller's environment might hold that would change the rehearsal.
CANOPY_SETTINGS = frozenset(
    {
        "CANOPY_ENV",
        "SECRET_KEY",
        "CANOPY_BASE_URL",
        "DATABASE_URL",
        "TREE_NATION_API_URL",
        "TREE_NATION_API_TOKEN",
        "TREE_NATION_PLANTER_ID",
        "TREE_NATION_SPECIES_ID",
        "TREE_NATION_TIMEOUT",
        "PLANTING_MONTHLY_QUOTA",
        "BUSINESS_TIMEZONE",
        "MAIL_SERVER",
        "MAIL_PORT",
        "MAIL_USE_TLS",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_DEFAULT_SENDER",
        "POST_SOURCE_URL",
        "POST_SOURCE_TOKEN",
        "POST_SOURCE_TIMEOUT",
        "COLLECT_INTERVAL_MINUTES",
        "RATELIMIT_STORAGE_URI",
        "TRUSTED_PROXY_COUNT",
        "HTMX_CDN_URL",
        "HTMX_CDN_INTEGRITY",
        "LOG_FORMAT",
        "BIND",
        "PORT",
        "WEB_WORKERS",
        "WEB_THREADS",
        "WEB_TIMEOUT",
        "FLASK_APP",
    }
)

# The scheduler's line on the last job of its start-up catch-up (done, skipped
# or failed: the checks tell which).
CATCH_UP_DONE = '"message": "leaderboard-email'
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
ACCESS_STATUS = re.compile(r'" (\d{3}) ')


@dataclass(frozen=True)
class Size:
    workspaces: int
    members: int  # besides the lead
    campaigns: int  # per workspace
    requests: int


SIZES = {
    "full": Size(workspaces=5, members=3, campaigns=110, requests=300),
    "short": Size(workspaces=3, members=3, campaigns=65, requests=100),
}


_started = [time.monotonic()]


def say(message: str = "") -> None:
    print(message, flush=True)


def step(message: str) -> None:
    """Print a step of the rehearsal with the seconds elapsed so far."""
    say(f"[{time.monotonic() - _started[0]:4.0f}s] {message}")


def utc_now() -> datetime:
    """Naive UTC, the way Canopy stores times."""
    return datetime.now(UTC).replace(tzinfo=None)


def free_port() -> int:
    """A loopback port nobody listens on now (aiosmtpd cannot take port 0)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def month_after(period: str, months: int) -> str:
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def leaderboard_subject(period: str) -> str:
    year, month = period.split("-")
    return LEADERBOARD_SUBJECT.format(month=MONTH_NAMES[int(month) - 1], year=year)


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile; 0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, round(share * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


# The outside world: Tree-Nation and an SMTP server -----------------------------


class FlakyTreeNation(FakeTreeNation):
    """The test suite's fake Tree-Nation, now and then slow, failing or hanging."""

    def __init__(self, server: HTTPServer, rng: random.Random) -> None:
        super().__init__(server, token=TEST_TOKEN, slow_seconds=HANG_SECONDS)
        self._rng = rng
        self._rng_lock = threading.Lock()
        self.slow_answers = 0

    def _roll(self) -> tuple[float, bool, float]:
        with self._rng_lock:
            return (
                self._rng.random(),
                self._rng.random() < PLANT_BEFORE_FAILING,
                self._rng.uniform(*SLOW_SECONDS),
            )

    def _handle(self, request: Request) -> Response:
        roll, plant_first, delay = self._roll()
        if roll < FAIL_503_SHARE:
            self.fail_next("503", process_then_fail=plant_first)
        elif roll < FAIL_503_SHARE + HANG_SHARE:
            self.fail_next("timeout", process_then_fail=plant_first)
        response = super()._handle(request)
        if response.status_code == 200 and roll > 1 - SLOW_SHARE:
            with self._rng_lock:
                self.slow_answers += 1
            time.sleep(delay)  # planted already; only the answer is late
        return response

    def trees_planted(self) -> dict[str, int]:
        """Trees planted per order id, as Tree-Nation would bill them."""
        with self._lock:
            return {key: len(body["trees"]) for key, body in self.processed.items()}

    def outcomes(self) -> Counter[str]:
        with self._lock:
            return Counter(call.outcome for call in self.calls)


@contextmanager
def tree_nation(rng: random.Random) -> Iterator[FlakyTreeNation]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.no_handler_status_code = 404
    server.start()
    fake = FlakyTreeNation(server, rng)
    try:
        yield fake
    finally:
        fake.close()
        server.stop()


class Mailbox:
    """Keeps (recipient, subject) of every message the SMTP server accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        subject = str(message.get("Subject", ""))
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient.lower(), subject))
        return "250 Message accepted for delivery"

    def messages(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.received)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


# The database: reset, migrate, seed --------------------------------------------


def rehearsal_url(server: str) -> str:
    """The rehearsal database's URL on the given server, as psycopg 3."""
    url = make_url(server.replace("postgres://", "postgresql://", 1))
    url = url.set(drivername="postgresql+psycopg", database=DATABASE)
    return url.render_as_string(hide_password=False)


@contextmanager
def only_rehearsal(url: str) -> Iterator[None]:
    """Hold a server-wide advisory lock: two rehearsals would reset each other."""
    admin = create_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            held = connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": REHEARSAL_LOCK}
            )
            if not held:
                raise SystemExit("Another rehearsal is running on this server.")
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": REHEARSAL_LOCK}
                )
    finally:
        admin.dispose()


def reset_database(url: str) -> None:
    """Create `canopy_rehearsal` if needed and empty its public schema."""
    parsed = make_url(url)
    if parsed.database != DATABASE:
        raise SystemExit(f"The rehearsal only writes to {DATABASE!r}.")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DATABASE}
        )
        if not found:
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()

    engine = create_engine(url)
    with engine.begin() as connection:
        # A leftover process holding locks makes this fail instead of hanging.
        connection.execute(text("SET LOCAL lock_timeout = '15s'"))
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@dataclass
class Person:
    email: str
    workspace_id: int
    lead: bool
    instance: int = 0
    actions: list[Action] = field(default_factory=list)


@dataclass
class Action:
    """One archive gesture: one request, or two at once for a double click."""

    ids: list[int]
    clicks: int = 1
    kind: str = "single"


@dataclass
class Seeded:
    people: list[Person]
    campaigns: dict[int, list[tuple[int, bool]]]  # workspace -> (id, started)
    today: date

    @property
    def campaign_count(self) -> int:
        return sum(len(rows) for rows in self.campaigns.values())

    def started_ids(self) -> set[int]:
        return {cid for rows in self.campaigns.values() for cid, ok in rows if ok}


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Run a block with exactly these environment variables."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def seed(env: dict[str, str], size: Size, rng: random.Random) -> Seeded:
    """Workspaces with a lead and members, and started campaigns due for collection."""
    from app import create_app
    from app.extensions import db
    from app.models import Campaign, CampaignCreator, Creator, User, Workspace

    logging.disable(logging.INFO)  # the app's own start-up line
    try:
        with environment(env):
            app = create_app()
    finally:
        logging.disable(logging.NOTSET)
    logging.getLogger("canopy").setLevel(logging.WARNING)

    zone = ZoneInfo(ZONE_NAME)
    today = datetime.now(zone).date()
    now = utc_now()
    with app.app_context():
        creators = [
            Creator(platform=rng.choice(("instagram", "tiktok", "youtube")), handle=h)
            for h in (f"rehearsal.creator{n}" for n in range(size.campaigns * 2))
        ]
        db.session.add_all(creators)

        password_hash = None
        users: list[User] = []
        planned: list[tuple[Campaign, bool, list[Creator]]] = []
        for number in range(1, size.workspaces + 1):
            workspace = Workspace(name=f"Rehearsal Agency {number}")
            people = [("lead", f"lead{number}@{EMAIL_DOMAIN}", f"Lead {number}")]
            people += [
                ("member", f"member{number}-{k}@{EMAIL_DOMAIN}", f"Member {number}.{k}")
                for k in range(1, size.members + 1)
            ]
            staff = []
            for role, address, name in people:
                user = User(workspace=workspace, email=address, name=name, role=role)
                if password_hash is None:
                    user.set_password(PASSWORD)
                    password_hash = user.password_hash
                user.password_hash = password_hash
                staff.append(user)
            users += staff

            for index in range(size.campaigns):
                start, end = campaign_dates(rng, today)
                started = start <= today
                campaign = Campaign(
                    workspace=workspace,
                    owner=rng.choice(staff),
                    name=f"Rehearsal {number}-{index + 1:03d}",
                    brand=f"Brand {rng.randint(1, 12)}",
                    start_date=start,
                    end_date=end,
                    next_collect_at=now if started else start_moment(start, zone),
                )
                chosen = rng.sample(creators, rng.randint(2, 4))
                campaign.creators_count = len(chosen)
                db.session.add(campaign)
                planned.append((campaign, started, chosen))
        db.session.flush()
        db.session.add_all(
            CampaignCreator(campaign_id=campaign.id, creator_id=creator.id)
            for campaign, _, chosen in planned
            for creator in chosen
        )
        db.session.commit()

        people_rows = [Person(u.email, u.workspace_id, u.role == "lead") for u in users]
        campaigns: dict[int, list[tuple[int, bool]]] = {}
        for campaign, started, _ in planned:
            campaigns.setdefault(campaign.workspace_id, []).append(
                (campaign.id, started)
            )
        db.session.remove()
        db.engine.dispose()
    return Seeded(people_rows, campaigns, today)


def campaign_dates(rng: random.Random, today: date) -> tuple[date, date]:
    """Ended (55 %), active (40 %) or, now and then, a draft that earns no tree."""
    roll = rng.random()
    if roll < 0.55:
        end = today - timedelta(days=rng.randint(1, 200))
        return end - timedelta(days=rng.randint(14, 90)), end
    if roll < 0.95:
        start = today - timedelta(days=rng.randint(0, 60))
        return start, today + timedelta(days=rng.randint(1, 60))
    start = today + timedelta(days=rng.randint(3, 30))
    return start, start + timedelta(days=rng.randint(14, 60))


def start_moment(day: date, zone: ZoneInfo) -> datetime:
    moment = datetime(day.year, day.month, day.day, tzinfo=zone)
    return moment.astimezone(UTC).replace(tzinfo=None)


# Who archives what ------------------------------------------------------------


def plan_actions(seeded: Seeded, size: Size, rng: random.Random) -> int:
    """Give each person a list of archive gestures; return the request count.

    Singles, bulk archives of 2-5, double clicks (the same request twice at
    once) and a teammate archiving some of the same campaigns at about the same
    time, until the request budget is spent.
    """
    pools = {}
    for workspace_id, rows in seeded.campaigns.items():
        ids = [cid for cid, _ in rows]
        rng.shuffle(ids)
        pools[workspace_id] = ids
    for index, person in enumerate(seeded.people):
        person.instance = index % 2
    order = list(seeded.people)
    rng.shuffle(order)

    def take(workspace_id: int, count: int) -> list[int]:
        pool = pools[workspace_id]
        taken, pools[workspace_id] = pool[:count], pool[count:]
        return taken

    budget = size.requests
    while budget > 0:
        progressed = False
        for person in order:
            if budget <= 0:
                break
            action = next_action(person, seeded.people, take, rng)
            if action is None:
                continue
            person.actions.append(action)
            budget -= action.clicks
            progressed = True
        if not progressed:
            break
    return size.requests - budget


def next_action(person, people, take, rng) -> Action | None:
    roll = rng.random()
    workspace = person.workspace_id
    if roll < 0.10:
        position = len(person.actions)
        mates = [
            mate
            for mate in people
            if mate.workspace_id == workspace
            and mate is not person
            and len(mate.actions) > position
        ]
        if mates:
            echoed = rng.choice(mates).actions[position].ids
            ids = list(echoed) + take(workspace, rng.randint(0, 1))
            return Action(ids, 1, "teammate")
    if roll < 0.25:
        ids = take(workspace, rng.randint(1, 3))
        return Action(ids, 2, "double click") if ids else None
    if roll < 0.55:
        ids = take(workspace, rng.randint(2, 5))
        return Action(ids, 1, "bulk") if ids else None
    ids = take(workspace, 1)
    return Action(ids, 1, "single") if ids else None


# The processes ---------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None


class Fleet:
    """Canopy's processes, all started with the same settings, logs to files."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: list[Proc] = []
        self.job_logs: list[Path] = []
        self.job_failures: list[str] = []
        self._jobs = 0

    def start(self, name: str, args: list[str]) -> Proc:
        log = self.logs / f"{name}.log"
        with open(log, "wb") as output:
            popen = subprocess.Popen(
                [sys.executable, "-m", *args],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def flask(self, *args: str) -> list[str]:
        return ["flask", "--app", "wsgi", *args]

    def run_jobs(self, *runs: list[str], timeout: float = 180) -> None:
        """Run `flask jobs run …` commands at the same time and report each."""
        started = []
        for args in runs:
            self._jobs += 1
            log = self.logs / f"job-{self._jobs:02d}-{args[0]}.log"
            output = open(log, "w+b")  # noqa: SIM115 - closed below
            popen = subprocess.Popen(
                [sys.executable, "-m", *self.flask("jobs", "run", *args)],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=output,
                start_new_session=True,
            )
            started.append((args, popen, output, log))
        for args, popen, output, log in started:
            try:
                stdout, _ = popen.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                stop_group(popen, grace=5)
                stdout = b""
            output.close()
            text_out = stdout.decode(errors="replace").strip()
            log.write_text(log.read_text(errors="replace") + text_out + "\n")
            self.job_logs.append(log)
            command = " ".join(args)
            if popen.returncode != 0:
                self.job_failures.append(f"{command} exited {popen.returncode}")
            last = text_out.splitlines()[-1] if text_out else "(no output)"
            step(f"    jobs run {command} -> exit {popen.returncode}: {last}")

    def stop(self) -> None:
        """Ask every process to stop, then kill the group of any still there.

        A group is only signalled while its leader is alive or unreaped, so its
        id cannot belong to anyone else yet.
        """
        for proc in self.procs:
            if proc.alive():
                proc.popen.terminate()  # gunicorn's master stops its workers
        deadline = time.monotonic() + 30
        for proc in self.procs:
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                signal_group(proc.popen, signal.SIGKILL)
                proc.popen.wait(timeout=10)


def signal_group(popen: subprocess.Popen, signum: int) -> None:
    """Signal the process group of a process this script started."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signum)


def stop_group(popen: subprocess.Popen, grace: float) -> None:
    """Stop a job that overran: its group, while its leader is not yet reaped."""
    signal_group(popen, signal.SIGTERM)
    try:
        popen.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        signal_group(popen, signal.SIGKILL)
        popen.wait(timeout=10)


def wait_caught_up(procs: list[Proc], timeout: float = 120) -> None:
    """Wait until each scheduler has run its start-up catch-up of monthly jobs.

    The catch-up runs plant-queued and then leaderboard-email; the line the
    scheduler logs about the second one closes it.
    """
    deadline = time.monotonic() + timeout
    pending = list(procs)
    while pending and time.monotonic() < deadline:
        for proc in list(pending):
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited early; see {proc.log}")
            if CATCH_UP_DONE in proc.log.read_text(errors="replace"):
                pending.remove(proc)
        time.sleep(0.3)
    if pending:
        names = ", ".join(proc.name for proc in pending)
        raise RuntimeError(f"{names} did not catch up within {timeout:.0f}s")


def wait_healthy(base_url: str, proc: Proc, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early; see {proc.log}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base_url}/healthz did not answer within {timeout:.0f}s")


# Driving the web instances -----------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    instance: int
    kind: str
    status: int | None  # None: no HTTP answer at all
    seconds: float
    error: str | None = None


def sign_in(base_url: str, person: Person) -> tuple[requests.Session, str]:
    """Sign in through the form, the way a browser does; return session and token."""
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=30)
    page.raise_for_status()
    token = csrf_from(page.text)
    answer = session.post(
        f"{base_url}/login",
        data={"email": person.email, "password": PASSWORD, "csrf_token": token},
        timeout=30,
    )
    if answer.status_code != 200 or "/campaigns" not in answer.url:
        raise RuntimeError(f"sign-in of {person.email} failed: {answer.status_code}")
    return session, csrf_from(answer.text)


def csrf_from(html: str) -> str:
    found = CSRF_META.search(html)
    if found is None:
        raise RuntimeError("no csrf-token meta on the page")
    return found.group(1)


class Driver:
    """Each person in a thread, on their instance; double clicks in two threads."""

    def __init__(self, bases: list[str], people: list[Person], seed: int) -> None:
        self.bases = bases
        self.people = people
        self.outcomes: list[Outcome] = []
        self.requested: set[int] = set()
        self._lock = threading.Lock()
        self._seed = seed

    def run(self) -> None:
        sessions = {}
        for person in self.people:
            if person.actions:
                base = self.bases[person.instance]
                sessions[person.email] = sign_in(base, person)
        active = [p for p in self.people if p.actions]
        barrier = threading.Barrier(len(active))
        threads = [
            threading.Thread(
                target=self.work,
                args=(person, *sessions[person.email], barrier, index),
                name=f"person-{index}",
                daemon=True,
            )
            for index, person in enumerate(active)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def work(self, person, session, token, barrier, index) -> None:
        rng = random.Random(self._seed * 1000 + index)
        barrier.wait()
        for action in person.actions:
            time.sleep(rng.uniform(0, 0.05))
            with self._lock:
                self.requested.update(action.ids)
            if action.clicks == 1:
                self.archive(person, session, token, action)
                continue
            clicks = threading.Barrier(action.clicks)
            twins = [
                threading.Thread(
                    target=self.archive,
                    args=(person, session, token, action, clicks),
                    daemon=True,
                )
                for _ in range(action.clicks)
            ]
            for twin in twins:
                twin.start()
            for twin in twins:
                twin.join()

    def archive(self, person, session, token, action, clicks=None) -> None:
        base = self.bases[person.instance]
        headers = {
            "X-CSRFToken": token,
            "HX-Request": "true",
            "HX-Current-URL": f"{base}/campaigns",
        }
        data = [("ids", str(cid)) for cid in action.ids]
        if clicks is not None:
            clicks.wait()
        started = time.perf_counter()
        status, error = None, None
        try:
            answer = session.post(
                f"{base}/campaigns/archive", data=data, headers=headers, timeout=60
            )
            status = answer.status_code
        except requests.RequestException as exc:
            error = type(exc).__name__
        seconds = time.perf_counter() - started
        outcome = Outcome(person.instance, action.kind, status, seconds, error)
        with self._lock:
            self.outcomes.append(outcome)


# After the load: settle every tree ---------------------------------------------


def unsettled_orders(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            text(
                "SELECT count(*) FROM planting_order "
                "WHERE state IN ('reserved', 'pending')"
            )
        )


def wait_out_in_flight(engine: Engine) -> None:
    """Sleep until no open order can still have a call in flight."""
    with engine.connect() as connection:
        newest = connection.scalar(
            text(
                "SELECT max(coalesce(sent_at, created_at)) FROM planting_order "
                "WHERE state IN ('reserved', 'pending')"
            )
        )
    if newest is not None:
        free_at = newest + timedelta(seconds=IN_FLIGHT + 0.2)
        time.sleep(max(0.0, (free_at - utc_now()).total_seconds()))


def retry_until_settled(fleet: Fleet, engine: Engine) -> int:
    """Run retry-plantings, past the in-flight window, until no order is open."""
    rounds = 0
    while unsettled_orders(engine) and rounds < MAX_RETRY_ROUNDS:
        wait_out_in_flight(engine)
        fleet.run_jobs(["retry-plantings"])
        rounds += 1
    return rounds


# Checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    figures: str


def scalar(engine: Engine, sql: str, **params) -> int:
    with engine.connect() as connection:
        return connection.scalar(text(sql), params) or 0


def rows(engine: Engine, sql: str, **params) -> list:
    with engine.connect() as connection:
        return list(connection.execute(text(sql), params))


def check_processes(fleet: Fleet, alive: dict[str, bool]) -> Check:
    dead = [name for name, up in alive.items() if not up]
    figures = (
        f"{sum(alive.values())}/{len(alive)} long-running processes up at the end; "
        f"{len(fleet.job_logs)} job runs, {len(fleet.job_failures)} failed"
    )
    if dead:
        figures += f"; exited: {', '.join(dead)}"
    if fleet.job_failures:
        figures += f"; {'; '.join(fleet.job_failures)}"
    return Check(CHECK_NAMES[0], not dead and not fleet.job_failures, figures)


def access_statuses(fleet: Fleet) -> Counter[str]:
    counts: Counter[str] = Counter()
    for proc in fleet.procs:
        if proc.name.startswith("web"):
            for line in proc.log.read_text(errors="replace").splitlines():
                found = ACCESS_STATUS.search(line)
                if found and "/campaigns/archive" in line:
                    counts[found.group(1)[0] + "xx"] += 1
    return counts


def check_no_5xx(driver: Driver, fleet: Fleet) -> Check:
    classes = Counter(
        "error" if o.status is None else f"{o.status // 100}xx" for o in driver.outcomes
    )
    logged = access_statuses(fleet)
    figures = (
        f"{len(driver.outcomes)} archive requests: {classes['2xx']} 2xx, "
        f"{classes['4xx']} 4xx, {classes['5xx']} 5xx, {classes['error']} without "
        f"an answer; access logs: {logged['2xx']} 2xx, {logged['5xx']} 5xx"
    )
    errors = Counter(o.error for o in driver.outcomes if o.error)
    if errors:
        figures += f" ({', '.join(f'{n} {e}' for e, n in errors.items())})"
    passed = classes["5xx"] == 0 and classes["error"] == 0 and logged["5xx"] == 0
    return Check(CHECK_NAMES[1], passed, figures)


def check_archived(engine: Engine, driver: Driver, seeded: Seeded) -> Check:
    archived = {
        row[0]
        for row in rows(engine, "SELECT id FROM campaign WHERE archived_at IS NOT NULL")
    }
    missing = driver.requested - archived
    unasked = archived - driver.requested
    figures = (
        f"{len(driver.requested)} campaigns asked, {len(archived)} archived, "
        f"{len(missing)} asked but not archived, {len(unasked)} archived unasked; "
        f"{seeded.campaign_count - len(archived)} still collecting"
    )
    return Check(CHECK_NAMES[2], not missing and not unasked, figures)


def check_one_tree(engine: Engine, seeded: Seeded) -> Check:
    today = seeded.today
    doubles = scalar(
        engine,
        "SELECT count(*) FROM (SELECT campaign_id FROM planting "
        "GROUP BY campaign_id HAVING count(*) > 1) AS d",
    )
    archived_started = scalar(
        engine,
        "SELECT count(*) FROM campaign "
        "WHERE archived_at IS NOT NULL AND start_date <= :today",
        today=today,
    )
    missing = scalar(
        engine,
        "SELECT count(*) FROM campaign c WHERE c.archived_at IS NOT NULL "
        "AND c.start_date <= :today "
        "AND NOT EXISTS (SELECT 1 FROM planting p WHERE p.campaign_id = c.id)",
        today=today,
    )
    drafts = scalar(
        engine,
        "SELECT count(*) FROM planting p JOIN campaign c ON c.id = p.campaign_id "
        "WHERE c.start_date > :today",
        today=today,
    )
    trees = scalar(engine, "SELECT count(*) FROM planting")
    figures = (
        f"{archived_started} started campaigns archived, {trees} trees; "
        f"{doubles} campaigns with two, {missing} without one, "
        f"{drafts} drafts with one"
    )
    return Check(CHECK_NAMES[3], not doubles and not missing and not drafts, figures)


def check_trees_asked(engine: Engine, fake: FlakyTreeNation) -> Check:
    at_tree_nation = fake.trees_planted()
    orders = {
        order_id: (state, quantity)
        for order_id, state, quantity in rows(
            engine, "SELECT order_id, state, quantity FROM planting_order"
        )
    }
    planted_orders = {
        key for key, (state, _) in orders.items() if state.startswith("planted")
    }
    states = Counter(
        state
        for (state,) in rows(
            engine,
            "SELECT state FROM planting "
            "WHERE state IN ('planted', 'planted_unconfirmed')",
        )
    )
    recorded = states["planted"] + states["planted_unconfirmed"]
    asked = sum(at_tree_nation.values())
    unbilled = planted_orders - set(at_tree_nation)
    unrecorded = set(at_tree_nation) - planted_orders
    wrong_size = [
        key
        for key, trees in at_tree_nation.items()
        if key in orders and orders[key][1] != trees
    ]
    unsettled = sum(state in ("reserved", "pending") for state, _ in orders.values())
    answers = fake.outcomes()
    figures = (
        f"Tree-Nation planted {asked} trees in {len(at_tree_nation)} orders; "
        f"Canopy records {recorded} planted ({states['planted']} confirmed, "
        f"{states['planted_unconfirmed']} through already_processed, "
        f"{answers['already_processed']} such answers); "
        f"{len(unrecorded)} orders planted but not recorded, {len(unbilled)} "
        f"recorded but never planted, {len(wrong_size)} of another size, "
        f"{unsettled} unsettled"
    )
    passed = (
        asked == recorded
        and not unbilled
        and not unrecorded
        and not wrong_size
        and not unsettled
    )
    return Check(CHECK_NAMES[4], passed, figures)


def quota_rows(engine: Engine) -> list[tuple[str, int, int]]:
    """(month, used, trees holding a slot of that month) for every month."""
    return [
        (month, used, holders)
        for month, used, holders in rows(
            engine,
            "SELECT q.month, q.used, (SELECT count(*) FROM planting p "
            "WHERE p.quota_month = q.month AND p.state <> 'failed') "
            "FROM quota_month q ORDER BY q.month",
        )
    ]


def check_quota(engine: Engine, quota: int) -> list[Check]:
    months = quota_rows(engine)
    stray = scalar(
        engine,
        "SELECT count(DISTINCT quota_month) FROM planting WHERE quota_month IS NOT "
        "NULL AND quota_month NOT IN (SELECT month FROM quota_month)",
    )
    described = "; ".join(
        f"{month}: used {used}/{quota}, {holders} trees hold a slot"
        for month, used, holders in months
    )
    exceeded = [m for m, used, holders in months if used > quota or holders > quota]
    mismatched = [m for m, used, holders in months if used != holders]
    return [
        Check(CHECK_NAMES[5], not exceeded and not stray, described or "no month"),
        Check(
            CHECK_NAMES[6],
            not mismatched and not stray,
            f"{len(months) - len(mismatched)}/{len(months)} months count exactly "
            f"their trees; {stray} months with trees but no quota row",
        ),
    ]


def check_queue(engine: Engine, mailbox: Mailbox, next_month: str) -> Check:
    queued_ever = rows(
        engine,
        "SELECT p.state, p.quota_month, u.email FROM planting p "
        'JOIN "user" u ON u.id = p.archiver_id WHERE p.queued_at IS NOT NULL',
    )
    planted = [
        row
        for row in queued_ever
        if row[0] in ("planted", "planted_unconfirmed") and row[1] == next_month
    ]
    still = sum(row[0] == "queued" for row in queued_ever)
    told = Counter(
        to for to, subject in mailbox.messages() if subject == PLANTED_SUBJECT
    )
    owed = {row[2].lower() for row in planted}
    wrong = {to for to in owed if told[to] != 1} | (set(told) - owed)
    figures = (
        f"{len(queued_ever)} trees queued this month, {len(planted)} planted in "
        f"{next_month}'s quota, {still} still queued; {sum(told.values())} "
        f"'{PLANTED_SUBJECT}' emails to {len(owed)} people, {len(wrong)} wrong"
    )
    passed = bool(queued_ever) and len(planted) == len(queued_ever) and not wrong
    return Check(CHECK_NAMES[7], passed, figures)


def check_leaderboard(mailbox: Mailbox, seeded: Seeded, periods: list[str]) -> Check:
    leads = {p.email.lower() for p in seeded.people if p.lead}
    subjects = {leaderboard_subject(period): period for period in periods}
    counts = Counter(
        (to, subjects[subject])
        for to, subject in mailbox.messages()
        if subject in subjects
    )
    others = sum(
        1
        for to, subject in mailbox.messages()
        if subject.startswith("Top Tree Planters") and subject not in subjects
    )
    per_period = []
    wrong = 0
    for period in periods:
        got = [counts[(lead, period)] for lead in sorted(leads)]
        wrong += sum(n != 1 for n in got)
        per_period.append(f"{period}: {sum(got)} emails for {len(leads)} leads")
    strangers = sum(n for (to, _), n in counts.items() if to not in leads)
    figures = (
        "; ".join(per_period)
        + f"; leads without exactly one: {wrong}; to non-leads: {strangers}; "
        f"for other months: {others}"
    )
    return Check(CHECK_NAMES[8], not wrong and not strangers and not others, figures)


def check_collection(engine: Engine, window: tuple[datetime, datetime]) -> Check:
    late = scalar(
        engine,
        "SELECT count(*) FROM post p JOIN campaign c ON c.id = p.campaign_id "
        "WHERE c.archived_at IS NOT NULL AND p.collected_at > c.archived_at",
    )
    late_campaigns = scalar(
        engine,
        "SELECT count(DISTINCT c.id) FROM post p "
        "JOIN campaign c ON c.id = p.campaign_id "
        "WHERE c.archived_at IS NOT NULL AND p.collected_at > c.archived_at",
    )
    posts = scalar(engine, "SELECT count(*) FROM post")
    during = scalar(
        engine,
        "SELECT count(*) FROM post WHERE collected_at BETWEEN :a AND :b",
        a=window[0],
        b=window[1],
    )
    collected = scalar(engine, "SELECT count(DISTINCT campaign_id) FROM post")
    fetches = scalar(engine, "SELECT coalesce(sum(fetches), 0) FROM collection_stat")
    figures = (
        f"{posts} posts in {collected} campaigns ({fetches} fetches), {during} "
        f"collected during the archive load; {late} posts of {late_campaigns} "
        "campaigns collected after the archive"
    )
    return Check(CHECK_NAMES[9], late == 0, figures)


def logged_errors(paths: list[Path]) -> list[str]:
    """ERROR and CRITICAL lines and tracebacks in every process's log."""
    found = []
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            if (
                '"levelname": "ERROR"' in line
                or '"levelname": "CRITICAL"' in line
                or "[ERROR]" in line
                or "[CRITICAL]" in line
                or line.startswith("Traceback")
            ):
                found.append(f"{path.name}: {line[:300]}")
    return found


def check_logs(fleet: Fleet) -> Check:
    paths = [proc.log for proc in fleet.procs] + fleet.job_logs
    errors = logged_errors(paths)
    figures = f"{len(errors)} error lines in {len(paths)} logs"
    for line in errors[:5]:
        figures += f"\n          {line}"
    return Check(CHECK_NAMES[10], not errors, figures)


# Summary ----------------------------------------------------------------------


def summary(
    driver: Driver,
    engine: Engine,
    fake: FlakyTreeNation,
    mailbox: Mailbox,
    setup: Setup,
) -> list[tuple[str, str]]:
    seeded, periods, quota = setup.seeded, setup.periods, setup.quota
    latencies = [o.seconds * 1000 for o in driver.outcomes if o.status is not None]
    per_instance = Counter(o.instance for o in driver.outcomes)
    kinds = Counter(o.kind for o in driver.outcomes)
    states = Counter(
        dict(rows(engine, "SELECT state, count(*) FROM planting GROUP BY state"))
    )
    by_month = dict(
        rows(
            engine,
            "SELECT quota_month, count(*) FROM planting WHERE state IN "
            "('planted', 'planted_unconfirmed') GROUP BY quota_month",
        )
    )
    planted = states["planted"] + states["planted_unconfirmed"]
    archived = scalar(
        engine, "SELECT count(*) FROM campaign WHERE archived_at IS NOT NULL"
    )
    answers = fake.outcomes()
    messages = mailbox.messages()
    boards = sum(subject.startswith("Top Tree Planters") for _, subject in messages)
    told = sum(subject == PLANTED_SUBJECT for _, subject in messages)
    return [
        (
            "requests",
            f"{len(driver.outcomes)} archive requests on 2 instances "
            f"({per_instance[0]} + {per_instance[1]}): "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())),
        ),
        (
            "latency",
            f"p50 {percentile(latencies, 0.5):.0f} ms, "
            f"p95 {percentile(latencies, 0.95):.0f} ms, "
            f"max {max(latencies, default=0):.0f} ms",
        ),
        (
            "campaigns",
            f"{seeded.campaign_count} seeded in {len(seeded.campaigns)} workspaces, "
            f"{archived} archived by {sum(bool(p.actions) for p in seeded.people)} "
            "people",
        ),
        (
            "trees",
            f"planted {planted} ({periods['this']}: {by_month.get(periods['this'], 0)}"
            f", {periods['next']}: {by_month.get(periods['next'], 0)}), "
            f"queued {states['queued']}, failed {states['failed']}, "
            f"pending {states['pending'] + states['reserved']}; quota {quota}/month",
        ),
        (
            "Tree-Nation",
            f"{sum(answers.values())} calls: "
            + ", ".join(f"{n} {outcome}" for outcome, n in sorted(answers.items()))
            + f"; {fake.slow_answers} answered slowly",
        ),
        (
            "emails",
            f"{len(messages)} received: {boards} leaderboard, {told} tree planted",
        ),
        ("duration", f"{time.monotonic() - _started[0]:.0f} s"),
    ]


# The rehearsal ----------------------------------------------------------------


def child_environment(
    database_url: str, fake: FlakyTreeNation, mailbox: Mailbox, quota: int, web: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CANOPY_SETTINGS}
    env.update(
        {
            "DATABASE_URL": database_url,
            "TREE_NATION_API_URL": fake.base_url,
            "TREE_NATION_API_TOKEN": TEST_TOKEN,
            "TREE_NATION_TIMEOUT": str(TREE_NATION_TIMEOUT),
            "PLANTING_MONTHLY_QUOTA": str(quota),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mailbox.port),
            "RATELIMIT_STORAGE_URI": REDIS_URI,
            "CANOPY_ENV": "development",
            "SECRET_KEY": f"rehearsal-{random.getrandbits(64):x}",
            "LOG_FORMAT": "json",
            "BUSINESS_TIMEZONE": ZONE_NAME,
            "CANOPY_BASE_URL": web,
            # Collect every minute, so collection keeps racing the archives.
            "COLLECT_INTERVAL_MINUTES": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class Setup:
    """What the rehearsal prepared before starting any process."""

    seeded: Seeded
    env: dict[str, str]
    quota: int
    requests: int
    bases: list[str]
    periods: dict[str, str]


def prepare(
    args: argparse.Namespace,
    fake: FlakyTreeNation,
    mailbox: Mailbox,
    logs: Path,
    rng: random.Random,
) -> Setup:
    """Reset, migrate and seed the database; plan who archives what."""
    size = SIZES["short" if args.short else "full"]
    database_url = rehearsal_url(args.server)
    this_month = datetime.now(ZoneInfo(ZONE_NAME)).strftime("%Y-%m")
    periods = {
        "last": month_after(this_month, -1),
        "this": this_month,
        "next": month_after(this_month, 1),
    }
    bases = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]

    step(f"1. Resetting {make_url(database_url).render_as_string()} and seeding")
    reset_database(database_url)
    # The quota is only known once the plan is made; migrating needs none.
    env = child_environment(database_url, fake, mailbox, 1, bases[0])
    upgrade = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    (logs / "db-upgrade.log").write_text(upgrade.stdout + upgrade.stderr)
    if upgrade.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed; see {logs / 'db-upgrade.log'}")
    seeded = seed(env, size, rng)
    requests_planned = plan_actions(seeded, size, rng)
    asked = {cid for p in seeded.people for a in p.actions for cid in a.ids}
    trees = len(seeded.started_ids() & asked)
    quota = max(1, int(trees * QUOTA_SHARE))
    step(
        f"   {len(seeded.people)} people in {len(seeded.campaigns)} workspaces, "
        f"{seeded.campaign_count} campaigns; {requests_planned} requests planned, "
        f"{trees} trees to earn, quota {quota} a month"
    )
    env = child_environment(database_url, fake, mailbox, quota, bases[0])
    return Setup(seeded, env, quota, requests_planned, bases, periods)


def start_fleet(fleet: Fleet, bases: list[str]) -> None:
    step("2. Starting 2 web instances, 2 schedulers, 2 collectors")
    webs = [
        fleet.start(
            f"web{n}",
            ["gunicorn", "-c", "gunicorn.conf.py", "--bind", base[len("http://") :]]
            + ["--workers", "2"],
        )
        for n, base in enumerate(bases, 1)
    ]
    schedulers = [
        fleet.start(f"scheduler{n}", fleet.flask("scheduler")) for n in (1, 2)
    ]
    for n in (1, 2):
        fleet.start(f"collector{n}", fleet.flask("collector", "--idle-seconds", "1"))
    for base, web in zip(bases, webs, strict=True):
        wait_healthy(base, web)
    wait_caught_up(schedulers)
    step(f"   healthy: {', '.join(bases)}; both schedulers caught up")


def settle(fleet: Fleet, engine: Engine, periods: dict[str, str]) -> None:
    """Settle every order, plant the queue in next month's quota, send the board."""
    step("4. Settling trees, planting the queue, sending the monthly email")
    rounds = retry_until_settled(fleet, engine)
    step(f"   every order settled after {rounds} retry round(s)")
    fleet.run_jobs(["plant-queued", "--period", periods["next"]])
    rounds = retry_until_settled(fleet, engine)
    step(f"   the queue's orders settled after {rounds} retry round(s)")
    # The second run resumes the first: it owes an email to people whose trees
    # were planted since.
    fleet.run_jobs(["plant-queued", "--period", periods["next"]])
    fleet.run_jobs(
        ["leaderboard-email", "--period", periods["this"]],
        ["leaderboard-email", "--period", periods["this"]],
    )


def rehearse(args: argparse.Namespace, logs: Path) -> bool:
    seed_value = args.seed if args.seed is not None else random.randrange(10**6)
    kind = "short" if args.short else "full"
    say(f"Canopy scale-out rehearsal ({kind}, seed {seed_value})")
    say(f"Logs in {logs} (removed after a passing run unless --keep-logs)")

    with (
        only_rehearsal(rehearsal_url(args.server)),
        tree_nation(random.Random(seed_value + 1)) as fake,
        smtp_server() as mailbox,
    ):
        setup = prepare(args, fake, mailbox, logs, random.Random(seed_value))
        seeded, periods = setup.seeded, setup.periods
        engine = create_engine(setup.env["DATABASE_URL"])
        fleet = Fleet(setup.env, logs)
        alive: dict[str, bool] = {}
        try:
            start_fleet(fleet, setup.bases)
            people = sum(bool(person.actions) for person in seeded.people)
            step(f"3. Archiving: {setup.requests} requests from {people} people")
            driver = Driver(setup.bases, seeded.people, seed_value)
            window_start = utc_now()
            driver.run()
            window = (window_start, utc_now())
            lasted = (window[1] - window[0]).total_seconds()
            step(f"   {len(driver.outcomes)} answers in {lasted:.0f} s")
            settle(fleet, engine, periods)
            alive = {proc.name: proc.alive() for proc in fleet.procs}
        finally:
            step("   stopping every process")
            fleet.stop()

        checks = [
            check_processes(fleet, alive),
            check_no_5xx(driver, fleet),
            check_archived(engine, driver, seeded),
            check_one_tree(engine, seeded),
            check_trees_asked(engine, fake),
            *check_quota(engine, setup.quota),
            check_queue(engine, mailbox, periods["next"]),
            check_leaderboard(mailbox, seeded, [periods["last"], periods["this"]]),
            check_collection(engine, window),
            check_logs(fleet),
        ]
        table = summary(driver, engine, fake, mailbox, setup)
        engine.dispose()

    step("5. Checks")
    for check in checks:
        say(f"{'PASS' if check.passed else 'FAIL'}  {check.name}")
        say(f"      {check.figures}")
    say()
    say("Summary")
    for label, value in table:
        say(f"  {label:<12} {value}")
    failed = [check.name for check in checks if not check.passed]
    say()
    if failed:
        say(f"FAILED: {len(failed)} of {len(checks)} checks: {', '.join(failed)}")
    else:
        say(f"All {len(checks)} checks passed.")
    return not failed


def default_server() -> str:
    return os.environ.get("TEST_DATABASE_URL", "").strip() or DEFAULT_SERVER


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rehearsal", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--short", action="store_true", help="about 100 requests (CI)")
    parser.add_argument(
        "--server",
        default=default_server(),
        help="PostgreSQL server URL; its database is replaced by canopy_rehearsal",
    )
    parser.add_argument("--seed", type=int, help="seed of the plan and of Tree-Nation")
    parser.add_argument(
        "--keep-logs", action="store_true", help="keep the logs of a passing run"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _started[0] = time.monotonic()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # A SIGTERM (a test's timeout, an operator) still stops every process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logs = Path(tempfile.mkdtemp(prefix="canopy-rehearsal-"))
    passed = False
    try:
        passed = rehearse(args, logs)
    finally:
        if passed and not args.keep_logs:
            shutil.rmtree(logs, ignore_errors=True)
        else:
            say(f"Logs kept in {logs}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
