"""Hostile and careless requests: each gets a 400 (or 413, 408) in OpenAI's envelope, fast, and the
server keeps answering. Nothing the client sends can hang the offline model, crash it or make it
keep unbounded memory.

Every request here goes through a client with a short timeout, so a hang fails the test instead of
stalling the suite; no test measures time otherwise.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from starlette.testclient import TestClient

from workbook.offline import Options, create_app, free_port, start_in_background

TOOL_PARAMS = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
CHAT = {"model": "course-model", "messages": [{"role": "user", "content": "What's the weather in Tokyo?"}]}
RESPONSES = {"model": "course-model", "input": "What's the weather in Tokyo?"}
INTERNALS = ("Traceback", "Error(", "File \"", "object at 0x", "site-packages")


@pytest.fixture(scope="module")
def hardened():
    """A server with a short body-read timeout and small stores, to see both limits act."""
    with start_in_background(Options(body_timeout_s=1.0, store_limit=3)) as running:
        yield running


@pytest.fixture
def fast(server):
    """Raw HTTP with a short timeout: a request that hangs fails here."""
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer k"}, timeout=10) as raw:
        yield raw


def assert_rejected(reply: httpx.Response, status: int, param=..., code=None) -> dict:
    assert reply.status_code == status, reply.text[:500]
    error = reply.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and 0 < len(error["message"]) < 600
    assert not any(marker in error["message"] for marker in INTERNALS)
    if param is not ...:
        assert error["param"] == param
    if code is not None:
        assert error["code"] == code
    return error


def still_serving(http: httpx.Client) -> None:
    reply = http.post("/chat/completions", json=CHAT)
    assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"]


# ------------------------------------------------------------------ schemas
PLACES = {  # where a schema can go -> (path, body with the schema, param named in the error)
    "chat tool": ("/chat/completions", lambda s: {**CHAT, "tools": [
        {"type": "function", "function": {"name": "get_weather", "parameters": s}}]}, "tools[0].function.parameters"),
    "responses tool": ("/responses", lambda s: {**RESPONSES, "stream": True, "tools": [
        {"type": "function", "name": "get_weather", "parameters": s}]}, "tools[0].parameters"),
    "response_format": ("/chat/completions", lambda s: {**CHAT, "response_format": {
        "type": "json_schema", "json_schema": {"name": "out", "schema": s}}}, "response_format.json_schema.schema"),
    "text.format": ("/responses", lambda s: {**RESPONSES, "text": {
        "format": {"type": "json_schema", "name": "out", "schema": s}}}, "text.format.schema"),
}
BAD_SCHEMAS = {
    "direct $ref cycle": ({"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}}, "cycle"),
    "two-step $ref cycle": ({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}},
                            "cycle"),
    "root refers to itself": ({"$ref": "#"}, "cycle"),
    "cycle through properties": ({"type": "object", "properties": {"city": {"$ref": "#"}}}, "cycle"),
    "cycle through a definition's properties": (
        {"$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "properties": {"next": {"$ref": "#/$defs/n"}}}}},
        "cycle"),
    "cycle through items": ({"type": "object", "properties": {"all": {"type": "array", "items": {"$ref": "#"}}}},
                            "cycle"),
    "minItems 1e9": ({"type": "object", "properties": {"tags": {"type": "array", "minItems": 1e9}}}, "minItems"),
    "minItems 10**9": ({"type": "object", "properties": {"tags": {"type": "array", "minItems": 10 ** 9}}}, "minItems"),
    "minLength 100000000": ({"type": "object", "properties": {"city": {"type": "string", "minLength": 100000000}}},
                            "minLength"),
    "too large once filled": ({"type": "object", "properties": {"rows": {"type": "array", "minItems": 100, "items": {
        "type": "array", "minItems": 100, "items": {"type": "string"}}}}}, "characters"),
    "empty enum": ({"type": "object", "properties": {"unit": {"enum": []}}}, "enum"),
    "minLength not a number": ({"type": "object", "properties": {"city": {"type": "string", "minLength": "abc"}}},
                               "minLength"),
    "minimum not a number": ({"type": "object", "properties": {"n": {"type": "integer", "minimum": "x"}}}, "minimum"),
    "minimum beyond a float": ({"type": "object", "properties": {"n": {"type": "integer", "minimum": 10 ** 400}}},
                               "minimum"),
    "$ref not a string": ({"type": "object", "properties": {"city": {"$ref": 5}}}, "$ref"),
    "$ref to nothing": ({"type": "object", "properties": {"city": {"$ref": "#/$defs/missing"}}}, "$ref"),
    "properties not an object": ({"type": "object", "properties": ["city"]}, "properties"),
    "required not a list": ({"type": "object", "properties": {"city": {"type": "string"}}, "required": "city"},
                            "required"),
    "minimum above maximum": ({"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 1}}},
                              "minimum"),
    "unknown type": ({"type": "object", "properties": {"n": {"type": "decimal"}}}, "type"),
    "too deep": (json.loads('{"type":"object","properties":{"a":' * 40 + '{"type":"string"}' + "}}" * 40), "deeper"),
    "too deep through $refs": ({"$ref": "#/$defs/d0", "$defs": {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(40)}
                                | {"d40": {"type": "string"}}}, "deeper"),
}


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("case", BAD_SCHEMAS)
def test_a_schema_the_rules_cannot_fill_is_a_400(fast, place, case):
    path, build, param = PLACES[place]
    schema, fragment = BAD_SCHEMAS[case]
    error = assert_rejected(fast.post(path, json=build(schema)), 400, param)
    assert fragment in error["message"] and error["message"].startswith(f"Invalid schema for '{param}'")
    still_serving(fast)


def test_an_exponential_but_acyclic_schema_is_bounded(fast):
    """Each definition used three times by the next: 3**12 nodes once expanded, rejected after 2,000."""
    defs = {f"d{i}": {"type": "object", "properties": {key: {"$ref": f"#/$defs/d{i + 1}"} for key in "abc"}}
            for i in range(12)}
    defs["d12"] = {"type": "string"}
    schema = {"$ref": "#/$defs/d0", "$defs": defs}
    error = assert_rejected(fast.post("/chat/completions", json=PLACES["chat tool"][1](schema)), 400)
    assert "2000 nodes" in error["message"]
    still_serving(fast)


def test_sane_schemas_still_fill(fast):
    """What the SDK sends (definitions, anyOf with null, bounds) is accepted and filled within its bounds."""
    schema = {"type": "object", "$defs": {"Unit": {"enum": ["celsius", "fahrenheit"]}},
              "properties": {"city": {"type": "string", "minLength": 3, "maxLength": 40},
                             "unit": {"$ref": "#/$defs/Unit"},
                             "days": {"type": "integer", "minimum": 1, "maximum": 7},
                             "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 3},
                             "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
              "required": ["city", "unit", "days", "tags", "note"], "additionalProperties": False}
    reply = fast.post("/chat/completions", json=PLACES["chat tool"][1](schema))
    assert reply.status_code == 200, reply.text
    arguments = json.loads(reply.json()["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])
    assert arguments["city"] == "Tokyo" and arguments["unit"] in ("celsius", "fahrenheit")
    assert 1 <= arguments["days"] <= 7 and 2 <= len(arguments["tags"]) <= 3


# ------------------------------------------------------------------ wrong types
WRONG_TYPES = {  # name -> (path, body, param)
    "tools a string": ("/chat/completions", {**CHAT, "tools": "get_weather"}, "tools"),
    "tools an object": ("/responses", {**RESPONSES, "tools": {"type": "function"}}, "tools"),
    "a tool a string": ("/chat/completions", {**CHAT, "tools": ["get_weather"]}, "tools[0]"),
    "function a string": ("/chat/completions", {**CHAT, "tools": [{"type": "function", "function": "f"}]},
                          "tools[0].function"),
    "tool_calls a string": ("/chat/completions", {**CHAT, "messages": [
        CHAT["messages"][0], {"role": "assistant", "tool_calls": "call"}]}, "messages[1].tool_calls"),
    "a tool call a number": ("/chat/completions", {**CHAT, "messages": [
        CHAT["messages"][0], {"role": "assistant", "tool_calls": [5]}]}, "messages[1].tool_calls[0]"),
    "tool call function a list": ("/chat/completions", {**CHAT, "messages": [
        CHAT["messages"][0], {"role": "assistant", "tool_calls": [{"id": "c", "function": ["f"]}]}]},
        "messages[1].tool_calls[0].function"),
    "properties a list": ("/responses", {**RESPONSES, "tools": [
        {"type": "function", "name": "f", "parameters": {"type": "object", "properties": ["city"]}}]},
        "tools[0].parameters"),
    "required a number": ("/chat/completions", {**CHAT, "tools": [{"type": "function", "function": {
        "name": "f", "parameters": {"type": "object", "properties": {}, "required": 1}}}]},
        "tools[0].function.parameters"),
    "input action a string": ("/responses", {**RESPONSES, "input": [
        {"type": "web_search_call", "id": "ws_1", "action": "search"}]}, "input[0].action"),
    "conversation true": ("/responses", {**RESPONSES, "conversation": True}, "conversation"),
    "conversation a number": ("/responses", {**RESPONSES, "conversation": 5}, "conversation"),
    "conversation id a number": ("/responses", {**RESPONSES, "conversation": {"id": 5}}, "conversation.id"),
    "previous_response_id a list": ("/responses", {**RESPONSES, "previous_response_id": ["r"]},
                                    "previous_response_id"),
    "content a number": ("/chat/completions", {**CHAT, "messages": [{"role": "user", "content": 5}]},
                         "messages[0].content"),
    "text a string": ("/responses", {**RESPONSES, "text": "json"}, "text"),
    "metadata a list": ("/responses", {**RESPONSES, "metadata": ["a"]}, "metadata"),
    "temperature a string": ("/chat/completions", {**CHAT, "temperature": "hot"}, "temperature"),
    "conversation items a string": ("/conversations", {"items": "hello"}, "items"),
}


@pytest.mark.parametrize("case", WRONG_TYPES)
def test_a_wrong_type_is_a_400_naming_the_parameter(fast, case):
    path, body, param = WRONG_TYPES[case]
    error = assert_rejected(fast.post(path, json=body), 400, param)
    assert param in error["message"]
    still_serving(fast)


def test_the_type_found_is_named_but_never_the_value(fast):
    secret = "do-not-echo-this-value"
    error = assert_rejected(fast.post("/chat/completions", json={**CHAT, "tools": secret}), 400, "tools",
                            "invalid_type")
    assert error["message"] == "Invalid type for 'tools': expected an array, but got a string."


def test_stream_null_is_absent_and_conversation_true_is_a_400(fast):
    reply = fast.post("/chat/completions", json={**CHAT, "stream": None})
    assert reply.status_code == 200 and reply.json()["object"] == "chat.completion"
    reply = fast.post("/responses", json={**RESPONSES, "stream": None})
    assert reply.status_code == 200 and reply.json()["object"] == "response"
    assert_rejected(fast.post("/responses", json={**RESPONSES, "conversation": True}), 400, "conversation",
                    "invalid_type")


# ------------------------------------------------------------------ JSON that is valid only to Python
def raw(fast: httpx.Client, path: str, text: str | bytes) -> httpx.Response:
    content = text.encode() if isinstance(text, str) else text
    return fast.post(path, content=content, headers={"content-type": "application/json"})


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
@pytest.mark.parametrize("field", ["temperature", "top_p", "max_tokens", "metadata", "tools"])
@pytest.mark.parametrize("stream", ["true", "false"])
def test_non_finite_numbers_are_a_400(fast, token, field, stream):
    value = {"metadata": '{"a": %s}', "tools": '[{"type": "function", "function": {"name": "f", "parameters": '
             '{"type": "object", "properties": {"n": {"type": "number", "minimum": %s}}}}}]'}.get(field, "%s")
    body = ('{"model": "course-model", "messages": [{"role": "user", "content": "Hi"}], "stream": ' + stream
            + f', "{field}": ' + value.replace("%s", token) + "}")
    error = assert_rejected(raw(fast, "/chat/completions", body), 400, None, "invalid_json")
    assert "finite numbers" in error["message"]
    still_serving(fast)


def test_a_streamed_answer_and_its_stored_copy_never_hold_a_bare_nan(fast):
    """A 400-digit number in the question is not a float: the tool argument falls back to a valid number."""
    question = "Add " + "9" * 400 + " and 2"
    tool = {"type": "function", "name": "add", "description": "Add two numbers",
            "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                           "required": ["a", "b"]}}
    with fast.stream("POST", "/responses", json={**RESPONSES, "input": question, "stream": True,
                                                 "tools": [tool]}) as reply:
        assert reply.status_code == 200
        data = [line[6:] for line in reply.iter_lines() if line.startswith("data: ")]
    strict = {"parse_constant": lambda name: pytest.fail(f"bare {name} in the stream")}
    events = [json.loads(line, **strict) for line in data]
    final = events[-1]["response"]
    arguments = json.loads(final["output"][0]["arguments"], **strict)
    assert all(isinstance(v, (int, float)) for v in arguments.values())
    stored = fast.get(f"/responses/{final['id']}")
    assert stored.status_code == 200 and json.loads(stored.text, **strict)["id"] == final["id"]


@pytest.mark.parametrize("where", ["content", "model", "description", "metadata key"])
def test_lone_surrogates_are_a_400(fast, where):
    body = {"content": '{"model": "m", "messages": [{"role": "user", "content": "Tokyo \\ud800"}]}',
            "model": '{"model": "m\\udfff", "messages": [{"role": "user", "content": "Hi"}]}',
            "description": '{"model": "m", "messages": [{"role": "user", "content": "Hi"}], "tools": [{"type": '
                           '"function", "function": {"name": "f", "description": "\\udc00\\ud800"}}]}',
            "metadata key": '{"model": "m", "input": "Hi", "metadata": {"\\ud83d": "v"}}'}[where]
    path = "/responses" if "input" in body else "/chat/completions"
    error = assert_rejected(raw(fast, path, body), 400, None, "invalid_unicode")
    assert "surrogate" in error["message"]
    still_serving(fast)


def test_surrogates_as_raw_bytes_are_a_400_and_a_proper_pair_is_fine(fast):
    assert_rejected(raw(fast, "/chat/completions", b'{"model": "m", "messages": [{"role": "user", "content": "'
                        b'\xed\xa0\x80"}]}'), 400, None, "invalid_unicode")
    reply = raw(fast, "/chat/completions", '{"model": "m", "messages": [{"role": "user", "content": "Tell me about \\ud83d\\ude00"}]}')
    assert reply.status_code == 200 and "\U0001f600" in reply.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize("depth", [101, 990, 100_000])
@pytest.mark.parametrize("opener,closer", [("[", "]"), ('{"a":', "}")])
def test_deep_nesting_is_a_400(fast, depth, opener, closer):
    nested = opener * depth + "1" + closer * depth
    body = '{"model": "m", "messages": [{"role": "user", "content": "Hi"}], "extra": ' + nested + "}"
    error = assert_rejected(raw(fast, "/chat/completions", body), 400, None, "invalid_json")
    assert "nest deeper than 100" in error["message"]
    still_serving(fast)


def test_nesting_within_the_limit_is_fine(fast):
    nested = "[" * 90 + "1" + "]" * 90
    reply = raw(fast, "/chat/completions", '{"model": "m", "messages": [{"role": "user", "content": "Hi"}], '
                                           '"extra": ' + nested + "}")
    assert reply.status_code == 200


# ------------------------------------------------------------------ bodies: size and pace
def read_answer(sock: socket.socket) -> tuple[bytes, dict]:
    """The status line and the JSON body of an HTTP answer, read until Content-Length is met."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before an answer: {data[:200]!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed in the middle of the answer"
        body += chunk
    return head.split(b"\r\n", 1)[0], json.loads(body)


def test_a_chunked_body_over_the_limit_is_refused_while_it_is_still_arriving(server):
    """100 MB sent 1 MB at a time with no Content-Length: the 413 comes long before the end."""
    piece = b"x" * (1024 * 1024)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\n"
                     b"content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
        try:
            while sent < 100 and not select.select([sock], [], [], 0)[0]:
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += 1
        except OSError:
            pass  # the server answered and closed while we were still sending
        status, answer = read_answer(sock)
    assert status.startswith(b"HTTP/1.1 413"), status
    assert sent < 50  # 2 MB is the limit; what the kernel buffers on the way is the rest
    envelope = answer["error"]
    assert envelope["code"] == "request_too_large" and envelope["param"] is None


def test_a_body_dripped_slowly_gets_a_408(hardened):
    """One byte every 0.2 s, then nothing: the read timeout (1 s here) counts for the whole body."""
    with socket.create_connection(("127.0.0.1", hardened.port), timeout=15) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\n"
                     b"content-type: application/json\r\ncontent-length: 1000\r\n\r\n{")
        for _ in range(3):  # stop before the timeout: a byte sent after the server closed could reset the answer
            time.sleep(0.2)
            sock.sendall(b" ")
        status, answer = read_answer(sock)
    assert status.startswith(b"HTTP/1.1 408"), status
    envelope = answer["error"]
    assert envelope["code"] == "request_timeout" and "1 seconds" in envelope["message"]
    with httpx.Client(base_url=hardened.base_url, headers={"Authorization": "Bearer k"}, timeout=10) as http:
        still_serving(http)


def test_a_legal_question_near_the_limit_is_answered_from_a_bounded_view(fast):
    question = "Where is my order A1001? " + "Please hurry. " * 140_000  # about 1.9 MB
    reply = fast.post("/chat/completions", json={**CHAT, "messages": [{"role": "user", "content": question}]})
    assert reply.status_code == 200
    body = reply.json()
    assert len(body["choices"][0]["message"]["content"]) < 1000
    assert body["usage"]["prompt_tokens"] > 300_000  # usage still counts the whole input


# ------------------------------------------------------------------ stores
def test_stores_keep_the_most_recent_responses_and_forget_the_rest_like_unknown_ids(hardened):
    with httpx.Client(base_url=hardened.base_url, headers={"Authorization": "Bearer k"}, timeout=10) as http:
        ids = [http.post("/responses", json={**RESPONSES, "input": f"Question {i}"}).json()["id"] for i in range(5)]
        assert http.get(f"/responses/{ids[2]}").status_code == 200  # used: now the most recent
        http.post("/responses", json={**RESPONSES, "input": "Question 5"})
        for evicted in (ids[0], ids[1], ids[3]):
            error = assert_rejected(http.get(f"/responses/{evicted}"), 404, None, "not_found")
            assert error["message"] == f"Response with id '{evicted}' not found."
            assert_rejected(http.post("/responses", json={**RESPONSES, "previous_response_id": evicted}), 400,
                            "previous_response_id", "previous_response_not_found")
        assert http.get(f"/responses/{ids[2]}").status_code == 200
        assert http.get(f"/responses/{ids[4]}").status_code == 200


def test_conversations_are_bounded_too(hardened):
    with httpx.Client(base_url=hardened.base_url, headers={"Authorization": "Bearer k"}, timeout=10) as http:
        ids = [http.post("/conversations", json={"items": [{"role": "user", "content": f"Hi {i}"}]}).json()["id"]
               for i in range(4)]
        assert len(set(ids)) == 4
        assert_rejected(http.get(f"/conversations/{ids[0]}"), 404, None, "not_found")
        assert http.get(f"/conversations/{ids[3]}").status_code == 200
        reply = http.post("/responses", json={**RESPONSES, "conversation": ids[0]})
        assert_rejected(reply, 404, "conversation", "not_found")


# ------------------------------------------------------------------ crashes and shutdown
def test_a_crash_answers_a_plain_500_that_quotes_nothing(monkeypatch):
    from workbook.offline import app as offline_app

    def broken(req):
        raise RuntimeError(f"rule failed on {req.question!r}")

    monkeypatch.setattr(offline_app, "decide", broken)
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        reply = client.post("/v1/chat/completions", json={**CHAT, "messages": [{"role": "user", "content": "secret"}]},
                            headers={"Authorization": "Bearer k"})
    assert reply.status_code == 500
    error = reply.json()["error"]
    assert error["type"] == "server_error" and error["code"] == "server_error"
    assert "secret" not in reply.text and "RuntimeError" not in reply.text and "rule failed" not in reply.text


def test_sigterm_stops_the_server_after_hostile_input():
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OFFLINE_MODEL_"))}
    process = subprocess.Popen([sys.executable, "-m", "workbook", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/models", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, "the server did not start"
                time.sleep(0.1)
        with httpx.Client(base_url=base, headers={"Authorization": "Bearer k"}, timeout=10) as http:
            for schema, _ in BAD_SCHEMAS.values():
                for path, build, _ in PLACES.values():
                    assert http.post(path, json=build(schema)).status_code == 400
            still_serving(http)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) is not None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
