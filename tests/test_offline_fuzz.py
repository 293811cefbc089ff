"""Property-based fuzz of the offline model's two endpoints: whatever arrives, never a 500.

Hypothesis builds request bodies that are half plausible and half garbage: the right field names
with values of any JSON type, schemas with random keywords and `$ref`s, text with lone surrogates,
raw bytes. The properties: every answer is 200 or a 4xx in OpenAI's envelope, a stream holds only
strict JSON, and the server still answers a normal request afterwards. Examples are derandomized
(the same on every run) and few enough to run in seconds.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

text = st.text(alphabet=st.characters(categories=["L", "N", "P", "Z", "Cs"]), max_size=30)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text
any_json = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                        max_leaves=10)
names = st.sampled_from(["city", "order_id", "amount", "tags", "unit", "note"])
counts = st.integers(min_value=-5, max_value=10 ** 12) | any_json
schemas = st.recursive(
    st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["string", "integer", "number", "boolean", "array", "object", "null"]) | any_json,
        "minItems": counts, "maxItems": counts, "minLength": counts, "maxLength": counts,
        "minimum": counts, "maximum": counts, "enum": st.lists(scalars, max_size=3) | any_json,
        "$ref": st.sampled_from(["#", "#/$defs/a", "#/$defs/b", "#/nowhere"]) | any_json}),
    lambda inner: st.fixed_dictionaries({"type": st.just("object")}, optional={
        "properties": st.dictionaries(names, inner, max_size=3) | any_json,
        "required": st.lists(names, max_size=3) | any_json,
        "$defs": st.fixed_dictionaries({}, optional={"a": inner, "b": inner}),
        "items": inner, "anyOf": st.lists(inner, max_size=3)}),
    max_leaves=8)
content = text | st.lists(st.fixed_dictionaries({"type": st.just("input_text"), "text": text}), max_size=2) | any_json
chat_message = st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system", "tool"]) | any_json},
                                     optional={"content": content, "tool_call_id": text | any_json,
                                               "tool_calls": st.lists(st.fixed_dictionaries(
                                                   {"id": text, "function": st.fixed_dictionaries(
                                                       {"name": names, "arguments": text}) | any_json}),
                                                   max_size=2) | any_json})
chat_tool = st.fixed_dictionaries({"type": st.just("function") | any_json, "function": st.fixed_dictionaries(
    {"name": names | any_json}, optional={"description": text, "parameters": schemas}) | any_json})
chat_bodies = st.fixed_dictionaries(
    {"model": st.just("course-model") | any_json, "messages": st.lists(chat_message, min_size=1, max_size=3) | any_json},
    optional={"tools": st.lists(chat_tool, max_size=2) | any_json, "stream": st.none() | st.booleans() | any_json,
              "tool_choice": st.sampled_from(["auto", "none", "required"]) | any_json,
              "response_format": st.fixed_dictionaries({"type": st.just("json_schema"), "json_schema": st.fixed_dictionaries(
                  {"name": st.just("out"), "schema": schemas})}) | any_json,
              "max_tokens": counts, "temperature": counts, "metadata": any_json, "parallel_tool_calls": any_json})
input_item = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(["message", "function_call", "function_call_output", "web_search_call", "reasoning"])
    | any_json, "role": st.sampled_from(["user", "assistant", "developer"]) | any_json, "content": content,
    "call_id": text | any_json, "name": names | any_json, "arguments": text | any_json, "output": content,
    "action": st.fixed_dictionaries({"query": text}) | any_json})
responses_tool = st.fixed_dictionaries({"type": st.sampled_from(["function", "web_search", "file_search"]) | any_json},
                                       optional={"name": names | any_json, "parameters": schemas | any_json})
responses_bodies = st.fixed_dictionaries(
    {"model": st.just("course-model") | any_json, "input": text | st.lists(input_item, max_size=3) | any_json},
    optional={"tools": st.lists(responses_tool, max_size=2) | any_json, "stream": st.none() | st.booleans() | any_json,
              "text": st.fixed_dictionaries({"format": st.fixed_dictionaries(
                  {"type": st.just("json_schema"), "name": st.just("out"), "schema": schemas})}) | any_json,
              "previous_response_id": text | any_json, "conversation": text | any_json, "store": any_json,
              "instructions": text | any_json, "reasoning": any_json, "tool_choice": any_json, "metadata": any_json,
              "max_output_tokens": counts})


@pytest.fixture(scope="module")
def fuzz_http(server):
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer fuzz"}, timeout=10) as raw:
        yield raw
    # the property that matters after a few hundred hostile bodies: the server still answers
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer k"}, timeout=10) as after:
        reply = after.post("/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "Hi"}]})
        assert reply.status_code == 200


def check(reply: httpx.Response, stream_body: bytes) -> None:
    assert reply.status_code in (200, 400, 404), reply.text[:300]
    strict = {"parse_constant": lambda name: pytest.fail(f"bare {name} in the answer")}
    if reply.status_code != 200:
        error = json.loads(stream_body, **strict)["error"]
        assert set(error) == {"message", "type", "param", "code"} and error["type"] == "invalid_request_error"
        return
    if reply.headers["content-type"].startswith("text/event-stream"):
        for line in stream_body.decode().splitlines():
            if line.startswith("data: ") and line != "data: [DONE]":
                json.loads(line[6:], **strict)
    else:
        json.loads(stream_body, **strict)


def post(http: httpx.Client, path: str, body: dict) -> None:
    content = json.dumps(body).encode()  # ASCII escapes: lone surrogates travel as \ud800
    with http.stream("POST", path, content=content, headers={"content-type": "application/json"}) as reply:
        check(reply, reply.read())


@FUZZ
@given(body=chat_bodies)
def test_chat_completions_never_fails_with_a_500(fuzz_http, body):
    post(fuzz_http, "/chat/completions", body)


@FUZZ
@given(body=responses_bodies)
def test_responses_never_fails_with_a_500(fuzz_http, body):
    post(fuzz_http, "/responses", body)


@settings(FUZZ, max_examples=60)
@given(raw=st.binary(max_size=200) | any_json.map(lambda v: json.dumps(v).encode()),
       path=st.sampled_from(["/chat/completions", "/responses", "/conversations"]))
def test_any_bytes_get_a_status_below_500(fuzz_http, raw, path):
    with fuzz_http.stream("POST", path, content=raw, headers={"content-type": "application/json"}) as reply:
        check(reply, reply.read())
