"""The scale-out rehearsal passes: Canopy in several processes keeps its promises.

It runs `python -m bench.rehearsal --short` the way an operator would, on the
PostgreSQL server of TEST_DATABASE_URL but in its own `canopy_rehearsal`
database, and reads the checks it prints. It needs Redis on 127.0.0.1:6379.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.rehearsal import CHECK_NAMES

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
# The rehearsal aims at under three minutes; this only stops a hung run.
HARD_LIMIT_SECONDS = 300


@pytest.mark.postgres
def test_short_rehearsal_passes_every_check():
    if not POSTGRES_URL:
        if os.environ.get("CI", "").strip():
            pytest.fail("TEST_DATABASE_URL is unset under CI")
        pytest.skip("TEST_DATABASE_URL is unset")

    command = [
        sys.executable,
        "-m",
        "bench.rehearsal",
        "--short",
        "--server",
        POSTGRES_URL,
    ]
    run = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = run.communicate(timeout=HARD_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        # SIGTERM lets the rehearsal stop the processes it started.
        run.send_signal(signal.SIGTERM)
        output, _ = run.communicate(timeout=60)
        pytest.fail(f"the rehearsal took over {HARD_LIMIT_SECONDS}s:\n{output}")

    assert run.returncode == 0, output
    for name in CHECK_NAMES:
        assert f"PASS  {name}\n" in output, f"{name!r} did not pass:\n{output}"
