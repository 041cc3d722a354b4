"""Run the real app in a child process for a while: the browser tests, the screenshots and the memory
benchmark all start `streamlit run dashboard/app.py` on a store of their own, wait for it to answer, and
stop it afterwards. Imports no streamlit: the app runs in the child.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AppServer", "AppStartError", "free_port", "running_app"]

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60  # until /_stcore/health answers
STOP_TIMEOUT_S = 20
STORE_ENV = "CRISIS_MAP_STORE"  # read by dashboard/loaders.py


class AppStartError(RuntimeError):
    """The app exited or did not answer in time; the message ends with the tail of its log."""


@dataclass(frozen=True, slots=True)
class AppServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def running_app(store: Path, log: Path, *, timeout_s: float = START_TIMEOUT_S) -> Iterator[AppServer]:
    """`streamlit run dashboard/app.py` serving `store` on a free local port, its output in `log`, until
    the block ends. AppStartError if it exits or does not answer within `timeout_s`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, STORE_ENV: str(store)}, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_health(url, process, log, timeout_s)
        yield AppServer(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AppStartError(f"streamlit exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise AppStartError(f"streamlit did not answer {url}/_stcore/health in {timeout_s:g} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]
