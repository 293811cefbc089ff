"""Load benchmark of the chapter 07 chat as a service (a script that prints figures, not a test).

    .venv/bin/python tests/benchmarks/bench_chat_production.py                 # the full matrix
    .venv/bin/python tests/benchmarks/bench_chat_production.py --sizes 200 --workers 2 --backends redis
    .venv/bin/python tests/benchmarks/bench_chat_production.py --profile 100   # where a run's CPU goes

The model is the offline course model in its own process, pacing its stream like a provider
(`python -m workbook serve --delay-ms 20`: 20 ms per streamed piece), so most of a run is
waiting, as in production. For each backend (SQLite file, PostgreSQL, Redis; the servers are
started from Debian's packages as in the tests), each worker count and each N, N clients on
loopback ask the whole desk one question each (own conversation) at once:

    guardrail (1 model call) -> triage (1) -> weather specialist (tool call + answer: 2)

Printed per configuration: p50/p99 time to the first event and to run_completed (seconds from
the start of the burst), events lost (against a reference run, must be 0), failed clients, app
CPU milliseconds per run (all workers, user + system), peak RSS per worker. The ceiling is a
bare `fastapi.sse` endpoint replaying the same events with no agent, no model and no store, at
the same N and worker count, measured in the same run. Each configuration is bounded by
`--limit` seconds; a client still waiting then counts as failed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psutil
import uvloop
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = ROOT / "07_projects" / "sse_chat"
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "benchmarks"), str(APP_DIR)]
from bench_sse_chat import start  # noqa: E402  (one way to start a server and wait for it)
from servers import postgres_server, redis_server  # noqa: E402

from workbook.mcp_process import stop_process  # noqa: E402
from workbook.offline import free_port  # noqa: E402

QUESTION = "北京的天气"
console = Console(width=160)

REPLAY_APP = '''
import json, os
from fastapi import FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent

EVENTS = json.loads(open(os.environ["REPLAY_EVENTS"], encoding="utf-8").read())
app = FastAPI()

@app.get("/api/chat/sse", response_class=EventSourceResponse)
async def replay(query: str, conversation_id: str = ""):
    for name, data in EVENTS:
        yield ServerSentEvent(event=name, data=data)

@app.get("/api/health")
def health():
    return {"status": "ok"}
'''


def raise_fd_limit() -> None:
    """1000 clients and their server sides need more than the usual 1024 descriptors; children inherit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))




def wait_for_workers(process: subprocess.Popen, workers: int, port: int) -> None:
    if workers > 1:
        while len(psutil.Process(process.pid).children()) < workers:
            time.sleep(0.1)
        time.sleep(2)  # each worker imports the app before it accepts
    uvloop.run(burst(port, 20, 0, 120, f"warm-up-{port}"))  # first connections, imports, tables: not measured


class Sampler(threading.Thread):
    """Peak RSS of each worker process (the uvicorn parent when there is one worker), every 100 ms."""

    def __init__(self, process: subprocess.Popen, workers: int):
        super().__init__(daemon=True)
        self.root, self.workers, self.peaks, self.running = psutil.Process(process.pid), workers, {}, True

    def processes(self) -> list[psutil.Process]:
        if self.workers == 1:
            return [self.root]
        return [p for p in self.root.children() if "spawn_main" in " ".join(p.cmdline())]  # not the resource tracker

    def run(self) -> None:
        while self.running:
            try:
                processes = self.processes()
            except psutil.Error:  # a worker is being restarted
                processes = []
            for p in processes:
                try:
                    self.peaks[p.pid] = max(self.peaks.get(p.pid, 0), p.memory_info().rss)
                except psutil.Error:
                    pass
            time.sleep(0.1)

    def stop(self) -> list[float]:
        self.running = False
        self.join()
        return sorted(v / 2**20 for v in self.peaks.values())


def cpu_seconds(process: subprocess.Popen) -> float:
    """User + system CPU of the server and its workers so far."""
    root = psutil.Process(process.pid)
    total = 0.0
    for p in [root, *root.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


# ---------- the clients: plain asyncio sockets on uvloop, so the load generator costs little CPU ----------
# (it shares the cores with the servers: on the default loop, 1000 clients cost twice the CPU)

async def one_client(port: int, path: str, t0: float, limit: float) -> dict:
    first = done = None
    body, why = b"", None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), limit)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                     "Connection: close\r\n\r\n".encode())
        await writer.drain()
        deadline = t0 + limit
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), max(0.01, deadline - time.perf_counter()))
            if not chunk:
                break
            tail = body[-32:] + chunk
            body += chunk
            now = time.perf_counter() - t0
            if first is None and b"event: " in tail:
                first = now
            if b"event: run_completed" in tail:
                done = now
        writer.close()
    except (TimeoutError, OSError) as error:
        why = f"{type(error).__name__}"
    head, _, rest = body.partition(b"\r\n\r\n")
    if why is None and not head.startswith(b"HTTP/1.1 200"):
        why = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if why is None and b"event: error" in rest:
        why = "error event: " + rest.split(b"event: error", 1)[1].split(b"\n\n", 1)[0].decode(errors="replace")[:200]
    return {"events": rest.count(b"event: "), "first": first, "done": done, "why": why}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def burst(port: int, n: int, expected: int, limit: float, tag: str) -> dict:
    t0 = time.perf_counter()
    paths = [f"/api/chat/sse?{urlencode({'query': QUESTION, 'conversation_id': f'{tag}-{i:05d}'})}"
             for i in range(n)]
    results = await asyncio.gather(*(one_client(port, path, t0, limit) for path in paths))
    firsts = [r["first"] for r in results if r["first"] is not None]
    dones = [r["done"] for r in results if r["done"] is not None]
    return {"p50_first": pct(firsts, .5), "p99_first": pct(firsts, .99), "p50_done": pct(dones, .5),
            "p99_done": pct(dones, .99), "lost": sum(max(0, expected - r["events"]) for r in results),
            "failed": sum(r["done"] is None for r in results), "wall": time.perf_counter() - t0,
            "why": sorted({r["why"] for r in results if r["why"]})[:3]}


# ---------- the matrix ----------

def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHAT_", "OFFLINE_MODEL_", "WORKBOOK_"))}


def app_env(model_port: int, session_url: str, port: int, max_runs: int | None = None) -> dict[str, str]:
    return {**({"CHAT_MAX_RUNS": str(max_runs)} if max_runs else {}), **base_env(), "OPENAI_BASE_URL": f"http://127.0.0.1:{model_port}/v1",
            "OPENAI_API_KEY": "any-key-the-model-accepts", "OPENAI_MODEL_NAME": "course-model",
            "OPENAI_RESPONSES_API": "true", "OPENAI_AGENTS_DISABLE_TRACING": "1", "CHAT_SESSION_URL": session_url,
            "CHAT_PORT": str(port), "CHAT_PROVIDER_TIMEOUT": "300", "CHAT_LOCK_WAIT": "300"}


def uvicorn(module: str, port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", module, "--port", str(port), "--log-level", "warning",
            "--backlog", "4096", "--timeout-keep-alive", "30",
            # uvicorn restarts a worker that does not answer its health check in time (5 s by default);
            # a worker whose loop is busy with hundreds of runs can miss it, and every stream it held breaks.
            *(["--workers", str(workers), "--timeout-worker-healthcheck", "60"] if workers > 1 else [])]


def run_matrix(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    console.print(f"Load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    model_port = free_port()
    model = start([sys.executable, "-m", "workbook", "serve", "--port", str(model_port), "--delay-ms",
                   str(args.delay_ms)], ROOT, base_env(), f"http://127.0.0.1:{model_port}/v1/models", timeout=90)
    table = Table(title=f"The desk under load: {QUESTION!r}, model pacing {args.delay_ms:g} ms per piece, "
                        f"{os.cpu_count()} cores, CHAT_MAX_RUNS {args.max_runs or 'as the app sets it'} "
                        "(times in s from the start of the burst)")
    for column in ("backend", "workers", "N", "first event p50", "p99", "completed p50", "p99", "lost", "failed",
                   "app CPU ms/run", "RSS per worker MiB", "wall s"):
        table.add_column(column, justify="right")
    servers = ExitStack()  # PostgreSQL and Redis, stopped at the end
    reference: list | None = None
    try:
        for backend in args.backends:
            url = (f"sqlite:///{tmp}/{backend}.db" if backend == "sqlite" else
                   servers.enter_context(postgres_server(max_connections=400) if backend == "postgresql"
                                         else redis_server()).url)
            for workers in args.workers:
                port = free_port()
                app = start(uvicorn("app:app", port, workers), APP_DIR, app_env(model_port, url, port, args.max_runs),
                            f"http://127.0.0.1:{port}/api/health", timeout=90)
                try:
                    wait_for_workers(app, workers, port)
                    if reference is None:  # the event list every client must receive; the ceiling replays it
                        with httpx.Client(timeout=120) as c:
                            text = c.get(f"http://127.0.0.1:{port}/api/chat/sse",
                                         params={"query": QUESTION, "conversation_id": "bench-reference"}).text
                        reference = [(b.split("\n")[0][7:], json.loads(b.split("data: ", 1)[1]))
                                     for b in text.replace("\r\n", "\n").split("\n\n") if b.startswith("event: ")]
                        assert reference[-1][0] == "run_completed", reference[-1]
                        console.print(f"reference: {len(reference)} events "
                                      f"({', '.join(dict.fromkeys(name for name, _ in reference))})")
                    for n in args.sizes:
                        sampler = Sampler(app, workers)
                        sampler.start()
                        cpu = cpu_seconds(app)
                        r = uvloop.run(burst(port, n, len(reference), args.limit, f"{backend}-{workers}-{n}"))
                        cpu = cpu_seconds(app) - cpu
                        rss = sampler.stop()
                        table.add_row(backend, str(workers), str(n), f"{r['p50_first']:.3f}", f"{r['p99_first']:.3f}",
                                      f"{r['p50_done']:.2f}", f"{r['p99_done']:.2f}", str(r["lost"]), str(r["failed"]),
                                      f"{1000 * cpu / n:.0f}", " / ".join(f"{m:.0f}" for m in rss), f"{r['wall']:.1f}")
                        console.print(f"  {backend} workers={workers} N={n}: {r['wall']:.1f} s, "
                                      f"failed {r['failed']}, lost {r['lost']} {r['why'] or ''}")
                finally:
                    stop_process(app)
        # The ceiling: the same events from a bare fastapi.sse endpoint, same N and worker counts.
        events_file = tmp / "events.json"
        events_file.write_text(json.dumps(reference, ensure_ascii=False), encoding="utf-8")
        (tmp / "replay_app.py").write_text(REPLAY_APP, encoding="utf-8")
        for workers in args.workers:
            port = free_port()
            replay = start(uvicorn("replay_app:app", port, workers), tmp, {**base_env(), "REPLAY_EVENTS":
                           str(events_file)}, f"http://127.0.0.1:{port}/api/health", timeout=90)
            try:
                wait_for_workers(replay, workers, port)
                for n in args.sizes:
                    sampler = Sampler(replay, workers)
                    sampler.start()
                    cpu = cpu_seconds(replay)
                    r = uvloop.run(burst(port, n, len(reference), args.limit, "ceiling"))
                    cpu = cpu_seconds(replay) - cpu
                    rss = sampler.stop()
                    table.add_row("ceiling (bare fastapi.sse)", str(workers), str(n), f"{r['p50_first']:.3f}",
                                  f"{r['p99_first']:.3f}", f"{r['p50_done']:.2f}", f"{r['p99_done']:.2f}",
                                  str(r["lost"]), str(r["failed"]), f"{1000 * cpu / n:.1f}",
                                  " / ".join(f"{m:.0f}" for m in rss), f"{r['wall']:.1f}")
            finally:
                stop_process(replay)
        model_cpu = cpu_seconds(model)
    finally:
        stop_process(model)
        servers.close()
    console.print(table)
    console.print(f"Load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the "
                  "machine slows every figure)")
    console.print(f"The model process used {model_cpu:.1f} s of CPU in all (it shares the {os.cpu_count()} cores).")


# ---------- where a run's CPU goes ----------

def package_of(filename: str) -> str:
    """A readable owner for a profiled function: the installed package, or the app's own file."""
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    if "07_projects/sse_chat" in filename:
        return "the app (" + Path(filename).name + ")"
    if filename == "~":
        return "built-ins (C code: pydantic-core validation, isinstance, …)"
    if "python3" in filename or filename.startswith("<"):
        return "python stdlib (asyncio, json, sqlite3 …)"
    return Path(filename).name


def profile(args: argparse.Namespace) -> None:
    """Run N turns in this process, under cProfile, against the paced model; group time by package."""
    model_port = free_port()
    model = start([sys.executable, "-m", "workbook", "serve", "--port", str(model_port), "--delay-ms",
                   str(args.delay_ms)], ROOT, base_env(), f"http://127.0.0.1:{model_port}/v1/models", timeout=90)
    tmp = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    os.environ.update(app_env(model_port, f"sqlite:///{tmp}/profile.db", free_port()))
    import app as chat

    async def turns() -> None:
        transport = httpx.ASGITransport(app=chat.create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://chat", timeout=600) as client:
            async def one(i: int) -> None:
                r = await client.get("/api/chat/sse", params={"query": QUESTION, "conversation_id": f"profile-{i:05d}"})
                assert "event: run_completed" in r.text, r.text[-300:]
            await one(-1)  # warm-up: imports, first connections, tables
            profiler.enable()
            started = time.process_time()
            await asyncio.gather(*(one(i) for i in range(args.profile)))
            profiler.disable()
            console.print(f"{args.profile} runs: {1000 * (time.process_time() - started) / args.profile:.0f} ms "
                          "of CPU per run in this process (client and app together)")

    profiler = cProfile.Profile()
    try:
        asyncio.run(turns())
    finally:
        stop_process(model)
    stats = pstats.Stats(profiler)
    by_package: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        by_package[package_of(filename)] = by_package.get(package_of(filename), 0) + tottime
    total = sum(by_package.values())
    table = Table(title=f"Where the CPU of {args.profile} runs goes (cProfile, own time by package)")
    table.add_column("package")
    table.add_column("ms per run", justify="right")
    table.add_column("share", justify="right")
    for name, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:14]:
        table.add_row(name, f"{1000 * seconds / args.profile:.1f}", f"{100 * seconds / total:.0f}%")
    console.print(table)
    console.print("Top functions by own time:")
    stats.sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql", "redis"],
                        choices=["sqlite", "postgresql", "redis"])
    parser.add_argument("--delay-ms", type=float, default=20.0, help="the model's pause per streamed piece")
    parser.add_argument("--limit", type=float, default=480.0, help="seconds a burst may take at most "
                        "(PostgreSQL with 1 worker took 211 s for N = 1000 on a busy machine)")
    parser.add_argument("--max-runs", type=int, default=None, help="CHAT_MAX_RUNS for the app (default: the app's)")
    parser.add_argument("--profile", type=int, default=0, help="profile this many runs instead of the matrix")
    arguments = parser.parse_args()
    raise_fd_limit()
    if arguments.profile:
        profile(arguments)
    else:
        run_matrix(arguments)
