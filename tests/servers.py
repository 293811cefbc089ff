"""Real PostgreSQL and Redis servers for the tests and benchmarks: Debian's packages, each started
on a free loopback port in a temporary folder and stopped afterwards. Never a mock.

    with postgres_server() as pg:  pg.url  ->  postgresql+asyncpg://postgres@127.0.0.1:PORT/postgres
    with redis_server() as rd:     rd.url  ->  redis://127.0.0.1:PORT/0

`require(binary)` skips a test when a server is not installed, with one line saying how to
install it; under CI (`CI=true`) a missing server is a failure instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

INSTALL = "apt-get install postgresql redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str | None:
    """Debian keeps PostgreSQL's server programs out of PATH, in /usr/lib/postgresql/<version>/bin."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def require(what: str) -> None:
    """Skip (or, under CI, fail) when a server program is missing."""
    present = pg_bin("pg_ctl") if what == "postgresql" else shutil.which("redis-server")
    if present:
        return
    message = f"{what} is not installed: {INSTALL}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def wait_for_port(port: int, process: subprocess.Popen | None = None, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on port {port}") from None
            time.sleep(0.1)


class PostgresServer:
    """A throw-away PostgreSQL cluster (initdb) with trust authentication on 127.0.0.1 only."""

    def __init__(self, max_connections: int = 300):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="chat-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.max_connections = max_connections
        # PostgreSQL refuses to run as root: as root, run it as Debian's `postgres` user.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       cwd=self.folder)

    def init(self) -> None:
        self._run(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
                  "-E", "UTF8", "--locale=C")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c max_connections={self.max_connections}")
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")
        wait_for_port(self.port)

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash as far as clients can tell: every connection drops at once."""
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def cleanup(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)


class RedisServer:
    """A throw-away Redis; `durable=True` keeps an append-only file so a restart loses nothing."""

    def __init__(self, durable: bool = False):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="chat-redis-"))
        self.durable = durable
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.durable else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persistence,
             "--dir", str(self.folder), "--maxclients", "10000"],
            stdout=open(self.folder / "server.log", "ab"), stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis flushes its append-only file and exits
            self.process.wait(30)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def postgres_server(max_connections: int = 300) -> Iterator[PostgresServer]:
    server = PostgresServer(max_connections)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.cleanup()


@contextmanager
def redis_server(durable: bool = False) -> Iterator[RedisServer]:
    server = RedisServer(durable)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()
