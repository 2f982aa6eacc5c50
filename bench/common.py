"""What every benchmark shares: paths, database URLs, the app, sign-in, statistics."""

import logging
import math
import os
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MIGRATIONS = ROOT / "migrations"

POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/canopy_bench"
# Databases the benchmarks must never write to.
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}

SCALE_WORKSPACE = "Scale Agency"
BENCH_PASSWORD = "canopy-bench"
LEAD_EMAIL = "lead@scale.canopy.test"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
ROW_ID = re.compile(r'<tr id="campaign-(\d+)"')
HTMX = {"HX-Request": "true"}


def sqlite_default(campaigns: int) -> str:
    return f"sqlite:///{OUT / f'canopy-{campaigns}.sqlite3'}"


def normalise_url(url: str) -> str:
    """Read plain postgresql:// as psycopg 3, the way Canopy's settings do."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def dialect_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def check_writable(url: str) -> None:
    """Refuse databases that belong to someone else, and files inside the repo."""
    parsed = make_url(url)
    if dialect_of(url) == "postgresql":
        if parsed.database in PROTECTED_DATABASES:
            raise SystemExit(f"Refusing to write to the database {parsed.database!r}.")
        return
    path = Path(parsed.database or "").resolve()
    if ROOT in path.parents and OUT not in path.parents:
        raise SystemExit(f"Generated databases go under {OUT}, not {path}.")


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database if it does not exist yet."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"),
            {"name": parsed.database},
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def bench_settings(url: str, **extra) -> dict:
    """Settings of the app under measurement: production-like, local services."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "canopy-bench-secret",
        "CANOPY_BASE_URL": "http://localhost",
        "MAIL_SERVER": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Far above what a run archives, so every tree gets a slot and an order.
        "PLANTING_MONTHLY_QUOTA": 1_000_000,
        "TREE_NATION_API_TOKEN": None,
        "LOG_FORMAT": "text",
    }
    settings.update(extra)
    return settings


def make_app(url: str, **extra):
    """Create Canopy for a benchmark, its log lines going to bench/out/app.log."""
    from app import create_app

    app = create_app(bench_settings(url, **extra))
    quiet_logs()
    return app


def quiet_logs() -> None:
    """Keep the app's logging (its cost is real) but write it to a file."""
    OUT.mkdir(parents=True, exist_ok=True)
    for handler in logging.getLogger("canopy").handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            handler.setStream(open(OUT / "app.log", "a"))  # noqa: SIM115


def csrf_token(html: str) -> str:
    found = CSRF_META.search(html)
    if found is None:
        raise RuntimeError("no csrf-token meta on the page")
    return found.group(1)


def signed_in_client(app, email: str = LEAD_EMAIL):
    """Return a test client signed in as `email`, and its CSRF token."""
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"email": email, "password": BENCH_PASSWORD, "csrf_token": token},
    )
    if response.status_code not in (302, 303):
        raise RuntimeError(f"sign-in as {email} failed: HTTP {response.status_code}")
    page = client.get("/campaigns?status=archived").get_data(as_text=True)
    return client, csrf_token(page)


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest sample with `share` of them at or below."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Timing:
    """Milliseconds of repeated runs of one measure: wall clock, and this
    process's CPU time (which a busy machine inflates far less; it leaves out
    PostgreSQL's own work, done in its server processes)."""

    samples: list[float]
    cpu: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


class Stopwatch:
    """Collects wall and CPU milliseconds of the blocks it times."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    @contextmanager
    def timing(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)

    def result(self) -> Timing:
        return Timing(self.wall, self.cpu)


def measure(run: Callable[[], object], repeat: int, warmup: int = 5) -> Timing:
    """Time `run` `repeat` times after `warmup` untimed runs."""
    for _ in range(warmup):
        run()
    watch = Stopwatch()
    for _ in range(repeat):
        with watch.timing():
            run()
    return watch.result()


def loadavg() -> str:
    """The 1-minute load average, to read figures against a shared machine."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def revision() -> str:
    """The code measured: commit, and whether the working tree had changes."""
    import subprocess

    try:
        return subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"


def machine() -> str:
    """nproc, CPU model and RAM, for the figures' caption."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{memory_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        ram = "RAM unknown"
    return f"{os.cpu_count()} CPU ({cpu}), {ram}"
