"""Helpers shared by the tests (not fixtures): the CLI as a subprocess, polling."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YUQING = [sys.executable, "-m", "pipeline"]


def run_cli(*args: str, env: dict | None = None, input: str | None = None, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """`yuqing ARGS` as a real subprocess with a clean environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_") and k != "REDIS_URL"}
    base.update(env or {})
    return subprocess.run(YUQING + list(args), env=base, input=input, capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
