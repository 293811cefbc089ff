"""How much memory does the offline model keep? A script, not a test: it prints figures.

    .venv/bin/python tests/benchmarks/bench_offline_memory.py [--source DIR] [--requests 5000]
                                                              [--chain 1000] [--big 100]

The model runs in its own process; the figure is the growth of its resident memory (RSS) over
each phase: distinct Responses requests (each stored for `previous_response_id`), one long
`previous_response_id` chain, and large unique questions or tool descriptions sent with
`store: false` (nothing should stay). `--source` points at a folder holding another copy of the `workbook` package.
"""

from __future__ import annotations

import argparse
import sys
import time

import httpx
from offline_process import OfflineProcess
from rich.console import Console
from rich.table import Table

HEADERS = {"Authorization": "Bearer bench"}
BOUND_MB = 10.0  # what each phase may add at most, with the stores' limits as documented in app.py
WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                           "required": ["city"]}}}


def distinct_requests(client: httpx.Client, count: int) -> None:
    for i in range(count):
        reply = client.post("/responses", json={"model": "course-model", "input": f"Question number {i}: hello?"})
        assert reply.status_code == 200, reply.text


def chain(client: httpx.Client, turns: int) -> None:
    previous = None
    for i in range(turns):
        body = {"model": "course-model", "input": f"Turn {i}: my name is Ada, what is my name?"}
        if previous:
            body["previous_response_id"] = previous
        reply = client.post("/responses", json=body)
        assert reply.status_code == 200, reply.text
        previous = reply.json()["id"]


def big_questions(client: httpx.Client, count: int) -> float:
    """Unique questions just under the body limit, with a tool to match; returns the slowest request in seconds."""
    slowest = 0.0
    for i in range(count):
        question = f"{i} " + "where is my order A1001 in Tokyo? " * 55_000  # about 1.9 MB
        started = time.perf_counter()
        reply = client.post("/chat/completions", json={"model": "course-model", "store": False, "tools": [WEATHER],
                                                        "messages": [{"role": "user", "content": question}]})
        slowest = max(slowest, time.perf_counter() - started)
        assert reply.status_code == 200, reply.text[:200]
    return slowest


def big_descriptions(client: httpx.Client, count: int) -> float:
    """Unique tool descriptions just under the body limit; returns the slowest request in seconds."""
    slowest = 0.0
    for i in range(count):
        tool = {"type": "function", "function": {**WEATHER["function"],
                                                 "description": f"{i} " + "weather forecast for a city " * 65_000}}
        started = time.perf_counter()
        reply = client.post("/chat/completions", json={"model": "course-model", "store": False, "tools": [tool],
                                                        "messages": [{"role": "user", "content": "Weather in Tokyo?"}]})
        slowest = max(slowest, time.perf_counter() - started)
        assert reply.status_code == 200, reply.text[:200]
    return slowest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", help="folder holding the workbook package to measure (default: installed)")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--chain", type=int, default=1000)
    parser.add_argument("--big", type=int, default=100)
    args = parser.parse_args()
    rows = []
    with OfflineProcess(args.source) as server, httpx.Client(base_url=server.base_url, headers=HEADERS,
                                                             timeout=120) as client:
        distinct_requests(client, 50)  # warm up: imports, caches
        start = server.rss_mb()
        phases = [(f"{args.requests:,} distinct Responses requests (stored)", lambda: distinct_requests(client, args.requests)),
                  (f"{args.chain:,}-turn previous_response_id chain", lambda: chain(client, args.chain)),
                  (f"{args.big} unique 1.9 MB questions, store: false", lambda: big_questions(client, args.big)),
                  (f"{args.big} unique 1.9 MB tool descriptions, store: false",
                   lambda: big_descriptions(client, args.big))]
        for label, run in phases:
            before = server.rss_mb()
            started = time.perf_counter()
            result = run()
            after = server.rss_mb()
            note = f"slowest request {result:.2f} s" if isinstance(result, float) else ""
            rows.append((label, after - before, time.perf_counter() - started, note))
        total = server.rss_mb()

    table = Table(title=f"Offline model memory ({args.source or 'installed code'}), RSS growth per phase")
    for column in ("phase", "RSS growth", "bound", "time", "note"):
        table.add_column(column, justify="left" if column in ("phase", "note") else "right")
    for label, grown, took, note in rows:
        verdict = "[green]within[/]" if grown <= BOUND_MB else "[red]over[/]"
        table.add_row(label, f"{grown:.1f} MB", f"{BOUND_MB:g} MB {verdict}", f"{took:.1f} s", note)
    Console(width=130).print(table)
    print(f"RSS after warm-up {start:.1f} MB, at the end {total:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
