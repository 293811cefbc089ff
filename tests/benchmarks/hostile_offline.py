"""Send a few thousand hostile requests to a fresh offline model and count how it answers.

    .venv/bin/python tests/benchmarks/hostile_offline.py [--source DIR] [--scale 1.0]

A script, not a test: it prints one row per kind of hostile input (tried, answered 2xx, 400, other
4xx, 500, hangs, dropped). A hang is a request with no answer within the client timeout; dropped is
a connection broken mid-answer. After a hang, or a drop the server does not survive, it is
restarted, so the next request gets a fair chance. `--source` points at a folder holding another
copy of the `workbook` package, to measure old code.
"""

from __future__ import annotations

import argparse
import json
import random
import select
import socket
import sys
import time
from collections import Counter, defaultdict

import httpx
from offline_process import OfflineProcess
from rich.console import Console
from rich.table import Table

HEADERS = {"Authorization": "Bearer hostile", "content-type": "application/json"}
TIMEOUT = 3.0
USER = [{"role": "user", "content": "What's the weather in Tokyo?"}]


def chat(**extra) -> dict:
    return {"model": "course-model", "messages": USER, **extra}


def responses(**extra) -> dict:
    return {"model": "course-model", "input": "What's the weather in Tokyo?", **extra}


def with_schema(schema, rng: random.Random) -> list[tuple[str, dict]]:
    """The schema in every place one can go: tools and structured output, both APIs."""
    stream = rng.random() < 0.5
    name = rng.choice(["get_weather", "lookup", "tool_a"])
    return [
        ("/chat/completions", chat(stream=stream, tools=[{"type": "function", "function": {
            "name": name, "description": "Weather for a city", "parameters": schema}}])),
        ("/responses", responses(stream=stream, tools=[{"type": "function", "name": name,
                                                        "description": "Weather for a city", "parameters": schema}])),
        ("/chat/completions", chat(stream=stream, response_format={"type": "json_schema", "json_schema": {
            "name": "out", "schema": schema}})),
        ("/responses", responses(stream=stream, text={"format": {"type": "json_schema", "name": "out",
                                                                 "schema": schema}})),
    ]


def ref_cycles(rng):
    prop = rng.choice(["city", "a", "node", "child"])
    shapes = [
        {"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}},
        {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}},
        {"$ref": "#"},
        {"type": "object", "properties": {prop: {"$ref": "#"}}, "required": [prop]},
        {"type": "object", "properties": {prop: {"$ref": "#"}}},
        {"$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "properties": {prop: {"$ref": "#/$defs/n"}}}}},
        {"type": "object", "properties": {prop: {"type": "array", "items": {"$ref": "#"}, "minItems": 1}}},
    ]
    return with_schema(rng.choice(shapes), rng)


def absurd_bounds(rng):
    prop = rng.choice(["city", "tags", "count", "text"])
    shapes = [
        {"type": "object", "properties": {prop: {"type": "array", "items": {"type": "string"}, "minItems": 1e9}}},
        {"type": "object", "properties": {prop: {"type": "array", "items": {"type": "string"},
                                                 "minItems": 10 ** rng.randint(7, 12)}}},
        {"type": "object", "properties": {prop: {"type": "string", "minLength": 100000000}}},
        {"type": "object", "properties": {prop: {"type": "string", "minLength": 10 ** rng.randint(6, 9)}}},
        {"type": "object", "properties": {prop: {"type": "integer", "minimum": 10 ** 400}}},
    ]
    return with_schema(rng.choice(shapes), rng)


def bad_schema_values(rng):
    prop = rng.choice(["city", "kind", "count"])
    bad = rng.choice([
        {"enum": []}, {"type": "string", "minLength": "abc"}, {"type": "integer", "minimum": "x"},
        {"$ref": 5}, {"type": "string", "maxLength": -1}, {"type": 5}, {"type": "array", "items": "x"},
        {"type": "number", "maximum": [1]}, {"anyOf": "x"}, {"anyOf": []}, {"type": "string", "minLength": None},
        {"$ref": "#/nowhere/at/all"}, {"type": "integer", "minimum": 5, "maximum": 1},
        {"type": "string", "minLength": 5, "maxLength": 2}, {"enum": 3}, {"type": "object", "properties": []},
        {"type": "object", "properties": "x"}, {"type": "object", "properties": {"a": 1}},
        {"type": "object", "required": "a"}, {"type": "object", "required": [1, 2]},
    ])
    schema = {"type": "object", "properties": {prop: bad}, "required": [prop]}
    return with_schema(rng.choice([schema, bad]), rng)


def wrong_types(rng):
    value = rng.choice(["x", 5, 1.5, True, {"a": 1}, ["x"], None])
    container = rng.choice(["x", 5, True, ["x"], 1.5])
    obj_value = rng.choice(["x", 5, True, ["x"], 1.5])
    cases = [
        ("/chat/completions", chat(tools=container if not isinstance(container, list) else "x")),
        ("/responses", responses(tools=obj_value if not isinstance(obj_value, list) else {"a": 1})),
        ("/chat/completions", chat(tools=[container])),
        ("/chat/completions", chat(tools=[{"type": "function", "function": obj_value}])),
        ("/chat/completions", chat(messages=[{"role": "user", "content": "hi"},
                                             {"role": "assistant", "tool_calls": obj_value}])),
        ("/chat/completions", chat(messages=[{"role": "user", "content": "hi"},
                                             {"role": "assistant", "tool_calls": [obj_value]}])),
        ("/chat/completions", chat(messages=[{"role": "user", "content": "hi"},
                                             {"role": "assistant", "tool_calls": [{"id": "c", "function": obj_value}]}])),
        ("/chat/completions", chat(tools=[{"type": "function", "function": {
            "name": "f", "parameters": {"type": "object", "properties": obj_value}}}])),
        ("/responses", responses(tools=[{"type": "function", "name": "f",
                                         "parameters": {"type": "object", "properties": {"a": {}}, "required": obj_value}}])),
        ("/responses", responses(input=[{"type": "web_search_call", "id": "ws", "action": obj_value}])),
        ("/responses", responses(conversation=rng.choice([True, 5, ["x"], 1.5, {"id": 5}, {}]))),
        ("/responses", responses(previous_response_id=rng.choice([5, True, ["x"], {"a": 1}]))),
        ("/chat/completions", chat(messages=[{"role": "user", "content": value}])),
        ("/chat/completions", chat(tool_choice={"type": "function", "function": obj_value})),
        ("/responses", responses(input=[{"type": "function_call_output", "call_id": value, "output": value}])),
        ("/responses", responses(input=[{"role": "user", "content": [value]}])),
        ("/responses", responses(text=value)),
        ("/responses", responses(text={"format": value})),
        ("/responses", responses(reasoning=value)),
        ("/chat/completions", chat(response_format={"type": "json_schema", "json_schema": obj_value})),
        ("/chat/completions", chat(metadata=value, store=value)),
        ("/responses", responses(metadata=value, instructions=value)),
        ("/conversations", {"items": obj_value}),
        ("/conversations", {"items": [{"type": "message", "role": "user", "content": value}], "metadata": value}),
    ]
    return [rng.choice(cases)]


SURROGATES = ["\ud800", "\udfff", "a\ud83dz", "\udc00\ud800"]


def lone_surrogates(rng):
    s = rng.choice(SURROGATES)
    cases = [
        ("/chat/completions", chat(messages=[{"role": "user", "content": f"Weather in Tokyo {s}"}])),
        ("/chat/completions", chat(model=f"course{s}")),
        ("/responses", responses(input=f"hello {s}", stream=rng.random() < 0.5)),
        ("/responses", responses(instructions=s)),
        ("/responses", responses(metadata={s: "v"})),
        ("/chat/completions", chat(stream=True, tools=[{"type": "function", "function": {
            "name": "get_weather", "description": s, "parameters": {"type": "object", "properties": {
                "city": {"type": "string", "description": s}}}}}])),
        ("/conversations", {"items": [{"type": "message", "role": "user", "content": s}]}),
    ]
    return [rng.choice(cases)]


NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]


def non_finite(rng):
    token = rng.choice(NON_FINITE)
    stream = rng.choice(["true", "false"])
    marker = "__X__"
    cases = [
        ("/chat/completions", chat(temperature=marker)),
        ("/responses", responses(temperature=marker, top_p=marker)),
        ("/responses", responses(max_output_tokens=marker)),
        ("/chat/completions", chat(max_tokens=marker)),
        ("/responses", responses(metadata={"a": marker})),
        ("/responses", responses(extra_field=marker)),
        ("/chat/completions", chat(tools=[{"type": "function", "function": {"name": "get_weather", "parameters": {
            "type": "object", "properties": {"n": {"type": "number", "minimum": marker}}}}}])),
    ]
    path, body = rng.choice(cases)
    body["stream"] = marker + "S"
    raw = json.dumps(body).replace(f'"{marker}S"', stream).replace(f'"{marker}"', token)
    return [(path, raw.encode())]


def deep_nesting(rng):
    depth = rng.choice([990, 995, 2000, 50000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
    nested = opener * depth + "1" + closer * depth
    where = rng.choice([
        ("/chat/completions", '{"model":"course-model","messages":[{"role":"user","content":"hi"}],"extra":%s}'),
        ("/responses", '{"model":"course-model","input":"hi","metadata":%s}'),
        ("/responses", '{"model":"course-model","input":%s}'),
        ("/chat/completions", '{"model":"course-model","messages":[{"role":"user","content":"hi"}],'
                              '"tools":[{"type":"function","function":{"name":"f","parameters":%s}}]}'),
    ])
    return [(where[0], (where[1] % nested).encode())]


def stream_null(rng):
    return [rng.choice([("/chat/completions", chat(stream=None)), ("/responses", responses(stream=None))])]


KINDS = {  # kind -> (generator, requests at scale 1)
    "$ref cycle": (ref_cycles, 60),
    "absurd bounds": (absurd_bounds, 60),
    "bad schema values": (bad_schema_values, 800),
    "wrong types": (wrong_types, 1600),
    "lone surrogates": (lone_surrogates, 700),
    "NaN / Infinity / 1e999": (non_finite, 900),
    "deep nesting": (deep_nesting, 300),
    "stream: null (accepted)": (stream_null, 100),
}


class Runner:
    def __init__(self, source: str | None):
        self.source = source
        self.server: OfflineProcess | None = None
        self.client: httpx.Client | None = None
        self.restarts = 0

    def ensure(self) -> None:
        if self.server is None:
            self.server = OfflineProcess(self.source, body_timeout_s=2.0).start()
            self.client = httpx.Client(base_url=self.server.base_url, headers=HEADERS, timeout=TIMEOUT)

    def restart(self) -> None:
        self.client.close()
        self.server.stop()
        self.server = None
        self.restarts += 1
        self.ensure()

    def send(self, path: str, body) -> str:
        self.ensure()
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            reply = self.client.post(path, content=content)
            outcome = str(reply.status_code)
            if reply.status_code == 200 and path == "/responses" and b'"stream":' in content:
                stored = self.fetch_stored(reply)
                if stored is not None and stored >= 500:
                    outcome = str(stored)
            return outcome
        except httpx.TimeoutException:
            self.restart()
            return "hang"
        except httpx.TransportError:  # the connection broke mid-answer (a crash inside a stream)
            try:
                self.client.get("/models", timeout=TIMEOUT)
            except httpx.TransportError:
                self.restart()
            return "dropped"

    def fetch_stored(self, reply: httpx.Response) -> int | None:
        """A stored response must be readable afterwards too (a NaN in it used to 500 every GET)."""
        text = reply.text
        marker = '"id":"resp_' if '"id":"resp_' in text else '"id": "resp_'
        if marker not in text:
            return None
        start = text.index(marker) + len(marker) - 5
        rid = text[start:text.index('"', start)]
        return self.client.get(f"/responses/{rid}").status_code


def oversize_chunked(runner: Runner, megabytes: int) -> str:
    """A chunked body far over the limit, sent 1 MB at a time: how much is sent before the answer?"""
    runner.ensure()
    piece = b"x" * (1024 * 1024)
    sent, status = 0, "none"
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", runner.server.port), timeout=10) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\n"
                     b"content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
        try:
            for _ in range(megabytes):
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered already
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += 1
            else:
                sock.sendall(b"0\r\n\r\n")
            status = sock.recv(4096)[9:12].decode() or "closed"
        except TimeoutError:
            status = "hang"
        except OSError:
            status = "closed"
    return f"{status} after {sent} MB sent ({time.perf_counter() - started:.2f} s)"


def slow_body(runner: Runner, seconds: float = 8.0) -> str:
    """One byte every 0.5 s: is the connection ever closed?"""
    runner.ensure()
    with socket.create_connection(("127.0.0.1", runner.server.port), timeout=0.5) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\n"
                     b"content-type: application/json\r\ncontent-length: 1000\r\n\r\n")
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            try:
                sock.sendall(b" ")
                answer = sock.recv(4096)
                if answer:
                    return answer.split(b"\r\n", 1)[0].decode()[9:12]
            except TimeoutError:
                continue
            except OSError:
                return "closed"
        return "hang"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", help="folder holding the workbook package to test (default: installed)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every kind's request count")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    runner = Runner(args.source)
    counts: dict[str, Counter] = defaultdict(Counter)
    console = Console(width=130)
    started = time.perf_counter()
    try:
        for kind, (generate, count) in KINDS.items():
            tried = 0
            while tried < int(count * args.scale):
                for path, body in generate(rng):
                    counts[kind][runner.send(path, body)] += 1
                    tried += 1
        chunked = [oversize_chunked(runner, mb) for mb in (4, 100)]
        slow = [slow_body(runner) for _ in range(2)]
        alive = runner.send("/chat/completions", chat())
    finally:
        if runner.client:
            runner.client.close()
        if runner.server:
            runner.server.stop()

    table = Table(title=f"Hostile requests to the offline model ({args.source or 'installed code'})")
    for column in ("kind", "tried", "2xx", "400", "other 4xx", "500", "hangs", "dropped"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    total = Counter()
    for kind, seen in counts.items():
        row = {"tried": sum(seen.values()),
               "2xx": sum(n for k, n in seen.items() if k.startswith("2")), "400": seen["400"],
               "other 4xx": sum(n for k, n in seen.items() if k.startswith("4") and k != "400"),
               "500": sum(n for k, n in seen.items() if k.startswith("5")), "hangs": seen["hang"],
               "dropped": seen["dropped"]}
        total.update(row)
        table.add_row(kind, *(str(row[c]) for c in row))
    table.add_row("[bold]all", *(f"[bold]{total[c]}" for c in ("tried", "2xx", "400", "other 4xx", "500", "hangs",
                                                                 "dropped")))
    console.print(table)
    console.print(f"chunked body of 4 MB and 100 MB (limit 2 MB): {', '.join(chunked)}")
    console.print(f"body dripped at 1 byte per 0.5 s for 8 s (read timeout set to 2 s): {', '.join(slow)}")
    console.print(f"a normal request afterwards: {alive}; server restarts after hangs or drops: {runner.restarts}; "
                  f"{time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
