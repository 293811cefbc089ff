"""Load benchmark of the chapter 07 SSE chat (a script that prints figures, not a test).

    .venv/bin/python tests/benchmarks/bench_sse_chat.py            # N = 50, 200, 500
    .venv/bin/python tests/benchmarks/bench_sse_chat.py 50 100     # other sizes

For each N, N concurrent SSE clients on loopback ask one tool question each (own conversation),
against two servers, each a subprocess whose memory is sampled with psutil:
  * app      - `uvicorn app:app`, the chat backend, talking to the offline course model, which
               runs as its own process (`python -m workbook serve`), so the app's RSS is the app's;
  * ceiling  - a bare FastAPI SSE endpoint (`fastapi.sse`) that replays the same event list with
               no agent and no model: the most this machine's loopback HTTP + SSE can do.
Printed: p50/p99 time to the first event, p50/p99 time to run_completed, events lost (must be 0),
failed clients, peak server RSS (and the model's), wall time.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil
from rich.console import Console
from rich.table import Table

from workbook.mcp_process import stop_process

ROOT = Path(__file__).resolve().parents[2]
APP_DIR = ROOT / "07_projects" / "sse_chat"
QUESTION = "Is P100 in stock?"
console = Console(width=150)


# ---------- the ceiling: a bare FastAPI SSE endpoint replaying a fixed event list ----------

def serve_replay(port: int, events_file: str) -> None:
    import uvicorn
    from fastapi import FastAPI
    from fastapi.sse import EventSourceResponse, ServerSentEvent

    events = json.loads(Path(events_file).read_text())
    app = FastAPI()

    @app.get("/api/chat/sse", response_class=EventSourceResponse)
    async def replay(query: str):
        for name, data in events:
            yield ServerSentEvent(event=name, data=data)

    @app.get("/api/health")
    def health():
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=4096)


# ---------- helpers ----------

def free_port() -> int:
    from workbook.offline import free_port as wb_free_port

    return wb_free_port()


LOGS = Path(tempfile.mkdtemp(prefix="bench-chat-logs-"))


def start(command: list[str], cwd: Path, env: dict[str, str], health: str, timeout: float = 60) -> subprocess.Popen:
    """Start a server and wait until `health` answers; its output goes to `process.log`."""
    # Output to a file, never to a pipe nobody reads: a full pipe would stop the server mid-burst.
    log = LOGS / f"{Path(command[-1]).name}-{time.monotonic_ns()}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    process.log = log
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(health, timeout=2).status_code < 500:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise SystemExit(f"{command} exited: {log.read_text(errors='replace')[-2000:]}")
    raise SystemExit(f"{command} did not start")


class PeakSampler(threading.Thread):
    """The peak of `measure(process)` for one process, sampled every `every` seconds until stop()."""

    def __init__(self, pid: int, measure, every: float):
        super().__init__(daemon=True)
        self.process, self.measure, self.every = psutil.Process(pid), measure, every
        self.peak, self.running = 0, True

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, self.measure(self.process))
            except psutil.Error:
                pass
            time.sleep(self.every)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


class RssSampler(PeakSampler):
    """Peak resident memory of a process (and its children), sampled every 50 ms; stop() gives MiB."""

    def __init__(self, pid: int):
        super().__init__(pid, lambda p: p.memory_info().rss + sum(c.memory_info().rss for c in p.children(True)), 0.05)

    def stop(self) -> float:
        return super().stop() / 2**20


def parse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


async def one_client(client: httpx.AsyncClient, url: str, i: int, n: int, t0: float) -> dict:
    first = done = None
    count, buffer, why = 0, "", None
    try:
        params = {"query": QUESTION, "conversation_id": f"bench-{n}-{i:04d}-{os.getpid()}"}
        async with client.stream("GET", url, params=params) as response:
            if response.status_code != 200:
                return {"ok": False, "events": 0, "first": None, "done": None, "why": f"HTTP {response.status_code}"}
            async for chunk in response.aiter_text():
                buffer += chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    if block.startswith("event: "):
                        count += 1
                        first = first or time.perf_counter() - t0
                        if block.startswith("event: run_completed"):
                            done = time.perf_counter() - t0
                        if block.startswith("event: error"):
                            why = "error event: " + block.split("data: ", 1)[-1]
    except httpx.HTTPError as error:
        why = f"{type(error).__name__} after {count} events"
    return {"ok": done is not None, "events": count, "first": first, "done": done, "why": why}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def load(url: str, n: int, expected: int) -> dict:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    timeout = httpx.Timeout(300, connect=60)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        t0 = time.perf_counter()
        results = await asyncio.gather(*(one_client(client, url, i, n, t0) for i in range(n)))
        wall = time.perf_counter() - t0
    firsts = [r["first"] for r in results if r["first"] is not None]
    dones = [r["done"] for r in results if r["done"] is not None]
    return {"p50_first": pct(firsts, .5), "p99_first": pct(firsts, .99), "p50_done": pct(dones, .5),
            "p99_done": pct(dones, .99), "lost": sum(max(0, expected - r["events"]) for r in results),
            "failed": sum(not r["ok"] for r in results), "wall": wall,
            "why": sorted({r["why"] for r in results if r["why"]})}


# ---------- main ----------

def main(sizes: list[int]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHAT_", "OFFLINE_MODEL_", "WORKBOOK_"))}
    model_port, app_port, replay_port = free_port(), free_port(), free_port()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sse-"))
    model = start([sys.executable, "-m", "workbook", "serve", "--port", str(model_port)], ROOT, env,
                  f"http://127.0.0.1:{model_port}/v1/models")
    app_env = {**env, "OPENAI_BASE_URL": f"http://127.0.0.1:{model_port}/v1", "OPENAI_API_KEY": "any-key-the-model-accepts",
               "OPENAI_MODEL_NAME": "course-model", "OPENAI_RESPONSES_API": "true",
               "OPENAI_AGENTS_DISABLE_TRACING": "1", "CHAT_DB_PATH": str(tmp / "bench.db"), "CHAT_PORT": str(app_port),
               "CHAT_PROVIDER_TIMEOUT": "120"}
    app = start([sys.executable, "-m", "uvicorn", "app:app", "--port", str(app_port), "--log-level", "warning",
                 "--backlog", "4096"], APP_DIR, app_env, f"http://127.0.0.1:{app_port}/api/health")
    app_url = f"http://127.0.0.1:{app_port}/api/chat/sse"

    # One warm-up run gives the reference event list: the ceiling replays exactly these events.
    reference = parse(httpx.get(app_url, params={"query": QUESTION, "conversation_id": "bench-warmup"},
                                timeout=60).text)
    assert reference and reference[-1][0] == "run_completed", reference
    events_file = tmp / "events.json"
    events_file.write_text(json.dumps(reference, ensure_ascii=False))
    replay = start([sys.executable, __file__, "--serve-replay", str(replay_port), str(events_file)], ROOT, env,
                   f"http://127.0.0.1:{replay_port}/api/health")
    replay_url = f"http://127.0.0.1:{replay_port}/api/chat/sse"
    console.print(f"question {QUESTION!r}: {len(reference)} events per stream "
                  f"({', '.join(dict.fromkeys(name for name, _ in reference))}); {os.cpu_count()} cores")

    table = Table(title="SSE chat under load (loopback; times in seconds from the start of the burst)")
    for column in ("server", "N", "first event p50", "p99", "run_completed p50", "p99", "events lost",
                   "failed", "peak server RSS", "wall"):
        table.add_column(column, justify="right")
    try:
        for n in sizes:
            for label, process, url, extra in (("app", app, app_url, model), ("ceiling", replay, replay_url, None)):
                sampler = RssSampler(process.pid)
                model_sampler = RssSampler(extra.pid) if extra else None
                sampler.start()
                if model_sampler:
                    model_sampler.start()
                r = asyncio.run(load(url, n, len(reference)))
                peak = sampler.stop()
                model_peak = model_sampler.stop() if model_sampler else None
                memory = f"{peak:.0f} MiB" + (f" (model {model_peak:.0f})" if model_peak else "")
                table.add_row(label, str(n), f"{r['p50_first']:.3f}", f"{r['p99_first']:.3f}", f"{r['p50_done']:.3f}",
                              f"{r['p99_done']:.3f}", str(r["lost"]), str(r["failed"]), memory, f"{r['wall']:.1f}")
                console.print(f"  done: {label} N={n} in {r['wall']:.1f}s")
                for why in r["why"]:
                    console.print(f"    failure: {why}")
    finally:
        for process in (replay, app, model):
            stop_process(process)
    console.print(table)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-replay"]:
        serve_replay(int(sys.argv[2]), sys.argv[3])
    else:
        main([int(a) for a in sys.argv[1:]] or [50, 200, 500])
