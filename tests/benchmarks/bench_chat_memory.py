"""File descriptors and memory of the chapter 07 chat backend (a script that prints figures, not a test).

    .venv/bin/python tests/benchmarks/bench_chat_memory.py                 # this checkout's app
    .venv/bin/python tests/benchmarks/bench_chat_memory.py --app-dir DIR   # another copy, e.g. an older one
    .venv/bin/python tests/benchmarks/bench_chat_memory.py --streams 200 500 --conversations 2000

The app runs as `uvicorn app:app` with a soft limit of 1024 open files (the common default), and
talks to the offline course model running as its own process, so the figures are the app's own.
Printed:
  * for N concurrent streams (one tool question each, own conversation): streams completed, streams
    that ended in an `error` event or failed, the peak of the app's open descriptors;
  * for M conversations, each created (POST), used once (one question) and deleted (DELETE), 20 at a
    time: the app's RSS and open descriptors before, after M/2 and after M, and the RSS growth per
    conversation in each half (the first half also fills caches that are filled once).
`--log FILE` keeps the app's log (one line per request's cleanup), to see where a run went wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from bench_sse_chat import QUESTION, PeakSampler, free_port, start
from rich.console import Console
from rich.table import Table

from workbook.mcp_process import stop_process

ROOT = Path(__file__).resolve().parents[2]
FD_LIMIT = 1024
console = Console(width=150)


def limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


class FdSampler(PeakSampler):
    """Peak number of open descriptors of a process, sampled every 10 ms."""

    def __init__(self, pid: int):
        super().__init__(pid, psutil.Process.num_fds, 0.01)


async def stream(client: httpx.AsyncClient, base: str, cid: str) -> str:
    """One question; returns how the stream ended: run_completed, error: ..., or the exception."""
    try:
        async with client.stream("GET", base + "/api/chat/sse", params={"query": QUESTION, "conversation_id": cid}) as r:
            if r.status_code != 200:
                return f"HTTP {r.status_code}"
            text = (await r.aread()).decode()
    except httpx.HTTPError as error:
        return type(error).__name__
    if "event: run_completed" in text:
        return "run_completed"
    if "event: error" in text:
        return "error: " + text.split("event: error", 1)[1].split("data: ", 1)[-1].strip()[:120]
    return "no final event"


async def concurrent_streams(base: str, n: int) -> list[str]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(600, connect=120)) as client:
        return await asyncio.gather(*(stream(client, base, f"fd-{n}-{i:04d}") for i in range(n)))


async def conversation_cycles(base: str, m: int, at_once: int = 20) -> list[str]:
    """Create, use once and delete m conversations, `at_once` at a time."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(600, connect=120)) as client:
        async def one() -> str:
            try:
                cid = (await client.post(base + "/api/conversations")).json()["conversation_id"]
                outcome = await stream(client, base, cid)
                cleared = await client.delete(f"{base}/api/conversations/{cid}")
            except httpx.HTTPError as error:
                return f"{type(error).__name__} in POST or DELETE"
            return outcome if cleared.status_code == 200 else f"DELETE {cleared.status_code}"

        outcomes: list[str] = []
        for first in range(0, m, at_once):
            outcomes += await asyncio.gather(*(one() for _ in range(min(at_once, m - first))))
        return outcomes


def settle(process: psutil.Process, model_port: int) -> tuple[float, int]:
    """RSS (MiB) and open descriptors once the app has gone quiet. Idle connections to the model are
    not counted: the HTTP client keeps up to 100 of them for reuse, by design."""
    time.sleep(2)
    to_model = sum(1 for c in process.net_connections("tcp") if c.raddr and c.raddr.port == model_port)
    return process.memory_info().rss / 2**20, process.num_fds() - to_model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app-dir", type=Path, default=ROOT / "07_projects" / "sse_chat")
    parser.add_argument("--streams", type=int, nargs="*", default=[200, 500])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--log", type=Path, help="write the app's log here (default: discarded)")
    args = parser.parse_args()
    # This process holds every client socket: raise its own soft limit as far as the hard one.
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHAT_", "OFFLINE_MODEL_", "WORKBOOK_"))}
    model_port, app_port = free_port(), free_port()
    tmp = Path(tempfile.mkdtemp(prefix="bench-chat-memory-"))
    model = start([sys.executable, "-m", "workbook", "serve", "--port", str(model_port)], ROOT, env,
                  f"http://127.0.0.1:{model_port}/v1/models")
    # Any key but the offline model's own: that one would make the app start an in-process model.
    app_env = {**env, "OPENAI_BASE_URL": f"http://127.0.0.1:{model_port}/v1", "OPENAI_API_KEY": "any-key",
               "OPENAI_MODEL_NAME": "course-model", "OPENAI_RESPONSES_API": "true",
               "OPENAI_AGENTS_DISABLE_TRACING": "1", "CHAT_DB_PATH": str(tmp / "bench.db"),
               "CHAT_PORT": str(app_port), "CHAT_PROVIDER_TIMEOUT": "300"}
    command = [sys.executable, "-X", "faulthandler", "-m", "uvicorn", "app:app", "--port", str(app_port),
               "--log-level", "warning"]
    log = open(args.log, "w") if args.log else subprocess.DEVNULL  # noqa: SIM115  (open while the app runs)
    app = subprocess.Popen(command, cwd=args.app_dir, env=app_env, stdout=log, stderr=log,
                           preexec_fn=limit_open_files)
    base = f"http://127.0.0.1:{app_port}"
    try:
        start_wait = time.monotonic()
        while not _up(base + "/api/health"):
            if app.poll() is not None or time.monotonic() - start_wait > 60:
                raise SystemExit("the app did not start" + (f": see {args.log}" if args.log else ""))
            time.sleep(0.2)
        app_ps = psutil.Process(app.pid)
        console.print(f"app: {args.app_dir} (soft limit {app_ps.rlimit(psutil.RLIMIT_NOFILE)[0]} open files); "
                      f"{os.cpu_count()} cores")
        asyncio.run(concurrent_streams(base, 5))  # warm-up: imports, the database, first connections

        streams = Table(title=f"N concurrent streams against the app (soft limit {FD_LIMIT} open files)")
        for column in ("N", "run_completed", "error events", "failed", "peak open fds", "wall s"):
            streams.add_column(column, justify="right")
        for n in args.streams:
            sampler = FdSampler(app.pid)
            sampler.start()
            t0 = time.perf_counter()
            outcomes = asyncio.run(concurrent_streams(base, n))
            wall = time.perf_counter() - t0
            peak = sampler.stop()
            errors = [o for o in outcomes if o.startswith("error")]
            failed = [o for o in outcomes if o != "run_completed" and not o.startswith("error")]
            streams.add_row(str(n), str(outcomes.count("run_completed")), str(len(errors)), str(len(failed)),
                            str(peak), f"{wall:.1f}")
            for why in sorted(set(errors + failed))[:3]:
                console.print(f"  N={n}: {why}")
        console.print(streams)

        # In two halves: the first also fills what is filled once (caches, SQLite's page cache), the
        # second shows what each further conversation costs.
        half = args.conversations // 2
        rss0, fds0 = settle(app_ps, model_port)
        t0 = time.perf_counter()
        outcomes = asyncio.run(conversation_cycles(base, half))
        rss1, fds1 = settle(app_ps, model_port)
        outcomes += asyncio.run(conversation_cycles(base, args.conversations - half))
        wall = time.perf_counter() - t0
        rss2, fds2 = settle(app_ps, model_port)
        memory = Table(title=f"{args.conversations} conversations created, used once and deleted (20 at a time); "
                             "open fds less idle connections to the model")
        for column in ("conversations", "completed", "app RSS", "growth per conversation", "app fds"):
            memory.add_column(column, justify="right")
        memory.add_row("0 (after the streams above)", "", f"{rss0:.1f} MiB", "", str(fds0))
        memory.add_row(str(half), f"{outcomes[:half].count('run_completed')}/{half}", f"{rss1:.1f} MiB",
                       f"{(rss1 - rss0) * 1024 / half:.1f} KiB", str(fds1))
        memory.add_row(str(args.conversations), f"{outcomes.count('run_completed')}/{len(outcomes)}",
                       f"{rss2:.1f} MiB", f"{(rss2 - rss1) * 1024 / (args.conversations - half):.1f} KiB "
                       "(second half)", str(fds2))
        for why in sorted({o for o in outcomes if o != "run_completed"})[:3]:
            console.print(f"  conversations: {why}")
        console.print(memory)
        console.print(f"wall {wall:.0f} s; the model process's RSS: "
                      f"{psutil.Process(model.pid).memory_info().rss / 2**20:.1f} MiB")
    finally:
        stop_process(app)
        stop_process(model)


def _up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


if __name__ == "__main__":
    main()
