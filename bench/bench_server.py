"""The list under gunicorn: throughput with wrk, and a worker's memory over time.

gunicorn runs exactly as in production (`gthread`, 4 threads, 8190-byte request
line) with DATABASE_URL set, on a free loopback port; the signed-in cookie comes
from a real sign-in over HTTP.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import requests

from bench.common import BENCH_PASSWORD, LEAD_EMAIL, OUT, ROOT, csrf_token

GUNICORN = Path(sys.executable).parent / "gunicorn"
WRK_SECONDS = 10
MEMORY_CHECKPOINTS = (100, 1_000)
MEMORY_CLIENTS = 4
SEARCHES = ("nordic", "glow", "launch", "coffee", "ski week", "atlas", "drop 2025")


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    latency_p50: str
    latency_p99: str
    requests: int
    errors: int  # non-2xx/3xx answers and socket errors


@dataclass(frozen=True)
class MemoryResult:
    # peak RSS (VmHWM) in MiB after each checkpoint's number of requests
    peaks: dict[int, float]

    @property
    def growth(self) -> float:
        first, last = MEMORY_CHECKPOINTS[0], MEMORY_CHECKPOINTS[-1]
        return self.peaks[last] - self.peaks[first]

    @property
    def flat(self) -> bool:
        """Within 5% between the 100th and the 1,000th request."""
        return self.growth <= 0.05 * self.peaks[MEMORY_CHECKPOINTS[0]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int, log_name: str):
    """Run gunicorn on a free port until the block ends; yield its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        CANOPY_BASE_URL=base,
        SECRET_KEY="canopy-bench-secret",
        LOG_FORMAT="text",
        PLANTING_MONTHLY_QUOTA="1000000",
    )
    command = [
        str(GUNICORN),
        "--worker-class", "gthread",
        "--workers", str(workers),
        "--threads", "4",
        "--limit-request-line", "8190",
        "--bind", f"127.0.0.1:{port}",
        "wsgi:app",
    ]  # fmt: skip
    log = open(OUT / log_name, "w")  # noqa: SIM115
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_until_up(base, process)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


# Flask's default name for its signed cookie.
COOKIE = "session"


def sign_in_cookie(base: str) -> str:
    """Sign in over HTTP and return the value of Flask's signed cookie."""
    with requests.Session() as browser:
        token = csrf_token(browser.get(f"{base}/login", timeout=10).text)
        response = browser.post(
            f"{base}/login",
            data={"email": LEAD_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=10,
        )
        if response.status_code not in (302, 303):
            raise RuntimeError(f"sign-in failed: HTTP {response.status_code}")
        cookie = browser.cookies.get(COOKIE)
        page = browser.get(f"{base}/campaigns", allow_redirects=False, timeout=30)
        if page.status_code != 200 or 'id="campaign-' not in page.text:
            raise RuntimeError(f"signed-in list: HTTP {page.status_code}")
    return cookie


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is missing: apt-get install -y wrk")
    return found


def run_wrk(
    base: str, cookie: str, seconds: int, label: str, connections: int = 8
) -> WrkResult:
    command = [
        wrk_path(),
        "--threads", "1",
        "--connections", str(connections),
        "--duration", f"{seconds}s",
        "--timeout", "10s",
        "--latency",
        "--header", f"Cookie: {COOKIE}={cookie}",
        f"{base}/campaigns",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    (OUT / f"wrk-{label}.txt").write_text(output)
    return parse_wrk(output)


def parse_wrk(output: str) -> WrkResult:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = sum(
        int(count)
        for count in re.findall(
            r"(?:Non-2xx or 3xx responses:|connect|read|write|timeout)\s+(\d+)",
            output,
        )
    )

    def percentile(share: str) -> str:
        found = re.search(rf"^\s*{share}%\s+(\S+)\s*$", output, re.MULTILINE)
        return found.group(1) if found else "n/a"

    return WrkResult(rate, percentile("50"), percentile("99"), total, errors)


def warm_up(base: str, cookie: str, clients: int = 8, each: int = 2) -> None:
    """Send a few list requests from 8 clients and wait for every answer."""

    def client() -> None:
        with requests.Session() as browser:
            browser.cookies.set(COOKIE, cookie)
            for _ in range(each):
                browser.get(f"{base}/campaigns", timeout=120)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def throughput(url: str, label: str, seconds: int = WRK_SECONDS) -> WrkResult:
    """The list's default view under 8 connections, 2 workers × 4 threads."""
    with gunicorn(url, workers=2, log_name=f"gunicorn-wrk-{label}.log") as (
        base,
        _pid,
    ):
        cookie = sign_in_cookie(base)
        warm_up(base, cookie)
        return run_wrk(base, cookie, seconds, label)


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def list_requests():
    """Endless list requests as people make them: a page load now and then,
    mostly in-place updates (htmx) for pages, filters and searches."""
    number = 0
    while True:
        number += 1
        if number % 10 == 0:
            yield "/campaigns", {}
            continue
        choice = number % 3
        if choice == 0:
            args = {"page": number % 3000 + 1}
        elif choice == 1:
            args = {"status": "archived", "page": number % 150 + 1}
        else:
            args = {"q": SEARCHES[number % len(SEARCHES)]}
        yield "/campaigns?" + urlencode(args), {"HX-Request": "true"}


def memory(url: str, label: str) -> MemoryResult:
    """Peak RSS of one worker after 100 and after 1,000 list requests."""
    log_name = f"gunicorn-memory-{label}.log"
    with gunicorn(url, workers=1, log_name=log_name) as (base, master):
        cookie = sign_in_cookie(base)  # two list requests already
        (worker,) = worker_pids(master)
        host, port = base.removeprefix("http://").split(":")
        paths = list_requests()
        lock = threading.Lock()
        sent = 2
        failures: list[str] = []

        def client(until: int) -> None:
            """Send list requests over one keep-alive connection until `until`."""
            nonlocal sent
            connection = http.client.HTTPConnection(host, int(port), timeout=60)
            while True:
                with lock:
                    if sent >= until or failures:
                        break
                    sent += 1
                    path, extra = next(paths)
                headers = {"Cookie": f"{COOKIE}={cookie}", **extra}
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{path}: HTTP {response.status}")
            connection.close()

        peaks: dict[int, float] = {}
        for checkpoint in MEMORY_CHECKPOINTS:
            threads = [
                threading.Thread(target=client, args=(checkpoint,))
                for _ in range(MEMORY_CLIENTS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if failures:
                raise RuntimeError(failures[0])
            peaks[checkpoint] = peak_rss_mib(worker)
        return MemoryResult(peaks)
