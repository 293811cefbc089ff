"""How fast is the offline course model? A script, not a test: it prints figures.

    .venv/bin/python tests/benchmarks/bench_offline_model.py [--seconds 5] [--requests 400]

The model runs as a learner's `python -m workbook serve` does (uvicorn in its own process);
the client is this process. Measured: latency of a non-streamed chat request, latency of a
streamed Responses request that calls a tool (to the end of the stream), and requests per
second with 8 concurrent clients, next to a bare uvicorn endpoint returning a fixed body
(the ceiling any Python server on this machine can reach). Also the time a notebook's first
cell waits: from `workbook.setup()` (offline model, language packages loaded) to the reply to
its first request, an English and a Chinese question against an English tool, in a fresh process
(the segmenter for Chinese loads with the first Chinese text).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import httpx
from rich.console import Console
from rich.table import Table

from workbook.offline import free_port

HEADERS = {"Authorization": "Bearer bench"}
CHAT = {"model": "course-model", "messages": [
    {"role": "system", "content": "You are a helpful customer-service assistant."},
    {"role": "user", "content": "Hello, what can you do for me?"}]}
WEATHER_TOOL = {"type": "function", "name": "get_weather", "description": "Get the current weather for a city.",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                               "additionalProperties": False}, "strict": True}
ORDER_TOOL = {"type": "function", "name": "query_order", "description": "Look up an order by its order id.",
              "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}},
                             "required": ["order_id"], "additionalProperties": False}, "strict": True}
STREAMED_TOOL = {"model": "course-model", "stream": True, "instructions": "You are a weather assistant.",
                 "input": [{"role": "user", "content": "What's the weather in Tokyo?"}],
                 "tools": [WEATHER_TOOL, ORDER_TOOL]}
TARGETS = {"chat_ms": 5.0, "stream_ms": 15.0, "ratio": 0.40, "setup_s": 1.5}
# Run in a fresh interpreter: the first cell of a notebook, then its first request.
FIRST_REQUEST = """
import json, sys, time
started = time.perf_counter()
import workbook
imported = time.perf_counter()
provider = workbook.setup(quiet=True)
import httpx
body = {"model": "course-model", "messages": [{"role": "user", "content": sys.argv[1]}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Get the weather for a city.",
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]}
reply = httpx.post(provider.base_url + "/chat/completions", json=body, headers={"Authorization": "Bearer x"}, timeout=60)
answered = time.perf_counter()
assert reply.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather", reply.text
print(json.dumps({"import": imported - started, "setup_to_reply": answered - imported}))
"""


def bare_app():
    """The ceiling: the smallest ASGI app uvicorn can serve, one fixed JSON body."""
    body = b'{"id":"fixed","object":"chat.completion","choices":[]}'

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return app


def serve_bare(port: int) -> None:
    import uvicorn

    uvicorn.run(bare_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


def start(command: list[str], url: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "WORKBOOK_", "OFFLINE_"))}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.stderr.read().decode()}")
        try:
            httpx.post(url, headers=HEADERS, json=CHAT, timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start")


def first_reply(question: str, runs: int = 3) -> list[dict]:
    """`import workbook`, then setup() to its first reply, in fresh processes (no .env, no provider)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "WORKBOOK_", "OFFLINE_"))}
    if "WORKBOOK_CACHE_DIR" in os.environ:
        env["WORKBOOK_CACHE_DIR"] = os.environ["WORKBOOK_CACHE_DIR"]  # the lexicon index cache, built once
    figures = []
    with tempfile.TemporaryDirectory() as empty:  # no .env here: the offline model starts
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-c", FIRST_REQUEST, question], cwd=empty, env=env, capture_output=True,
                                  text=True, timeout=120, check=True)
            figures.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return figures


def latencies(client: httpx.Client, path: str, body: dict, count: int, stream: bool) -> list[float]:
    for _ in range(max(20, count // 10)):  # warm up: imports, caches, connection
        request(client, path, body, stream)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        request(client, path, body, stream)
        times.append((time.perf_counter() - started) * 1000)
    return times


def request(client: httpx.Client, path: str, body: dict, stream: bool) -> None:
    if stream:
        with client.stream("POST", path, json=body) as reply:
            assert reply.status_code == 200
            whole = b"".join(reply.iter_bytes())
            assert b"event: response.completed" in whole and b"function_call_arguments.done" in whole
    else:
        reply = client.post(path, json=body)
        assert reply.status_code == 200


async def throughput(url: str, body: dict, seconds: float, workers: int = 8) -> float:
    done = 0
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(headers=HEADERS, limits=limits, timeout=30) as client:
        async def worker():
            nonlocal done
            while time.perf_counter() < stop_at:
                reply = await client.post(url, json=body)
                assert reply.status_code == 200
                done += 1

        for _ in range(3):  # warm up every connection
            await asyncio.gather(*(client.post(url, json=body) for _ in range(workers)))
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(workers)))
        return done / (time.perf_counter() - started)


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each throughput run")
    parser.add_argument("--requests", type=int, default=400, help="requests per latency measurement")
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        serve_bare(args.bare_server)
        return 0

    console = Console(width=130)
    first = {"English": first_reply("What's the weather in Paris?"), "Chinese": first_reply("北京今天天气怎么样？")}
    model_port, bare_port = free_port(), free_port()
    model_base = f"http://127.0.0.1:{model_port}/v1"
    model = start([sys.executable, "-m", "workbook", "serve", "--port", str(model_port)], model_base + "/chat/completions")
    bare = start([sys.executable, __file__, "--bare-server", str(bare_port)], f"http://127.0.0.1:{bare_port}/")
    try:
        with httpx.Client(base_url=model_base, headers=HEADERS, timeout=30) as client:
            chat = latencies(client, "/chat/completions", CHAT, args.requests, stream=False)
            streamed = latencies(client, "/responses", STREAMED_TOOL, args.requests, stream=True)
        model_rps = asyncio.run(throughput(model_base + "/chat/completions", CHAT, args.seconds))
        bare_rps = asyncio.run(throughput(f"http://127.0.0.1:{bare_port}/", CHAT, args.seconds))
    finally:
        for process in (model, bare):
            process.terminate()
            process.wait(timeout=10)

    ratio = model_rps / bare_rps
    verdict = lambda ok: "[green]pass[/]" if ok else "[red]miss[/]"  # noqa: E731
    table = Table(title=f"Offline course model on this machine ({os.cpu_count()} cores, uvicorn, client in a separate process)")
    for column in ("measure", "median", "p99", "target", "result"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    table.add_row("non-streamed chat request", f"{statistics.median(chat):.2f} ms", f"{p99(chat):.2f} ms",
                  f"median < {TARGETS['chat_ms']:g} ms", verdict(statistics.median(chat) < TARGETS["chat_ms"]))
    table.add_row("streamed Responses request with a tool call (to stream end)", f"{statistics.median(streamed):.2f} ms",
                  f"{p99(streamed):.2f} ms", f"median < {TARGETS['stream_ms']:g} ms",
                  verdict(statistics.median(streamed) < TARGETS["stream_ms"]))
    table.add_row("throughput, 8 concurrent clients: offline model", f"{model_rps:.0f} req/s", "", "", "")
    table.add_row("throughput, 8 concurrent clients: bare uvicorn endpoint (ceiling)", f"{bare_rps:.0f} req/s", "", "", "")
    table.add_row("offline model / ceiling", f"{ratio:.0%}", "", f">= {TARGETS['ratio']:.0%}",
                  verdict(ratio >= TARGETS["ratio"]))
    for language, runs in first.items():
        setup_s = statistics.median(f["setup_to_reply"] for f in runs)
        table.add_row(f"workbook.setup() to the reply to its first request, {language} (fresh process, 3 runs)",
                      f"{setup_s:.2f} s", f"max {max(f['setup_to_reply'] for f in runs):.2f} s",
                      f"median < {TARGETS['setup_s']:g} s", verdict(setup_s < TARGETS["setup_s"]))
    table.add_row("  before it: import workbook", f"{statistics.median(f['import'] for f in first['English']):.2f} s",
                  "", "", "")
    console.print(table)
    console.print(f"{args.requests} requests per latency figure, {args.seconds:g} s per throughput figure.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
