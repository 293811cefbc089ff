"""Every payload and stream event the offline model sends validates against the pinned `openai` types.

The `openai` client parses almost anything, so a broken shape would pass silently through it.
These tests read the raw bytes with httpx and validate them with the pydantic types themselves,
then check what the SDK relies on: event order, ids and names on the first tool-call delta,
usage on the last chunk, `[DONE]`, `response.completed`.
"""

from __future__ import annotations

import json

import pydantic
import pytest
from openai import BaseModel as OpenAIModel
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent

STREAM_EVENT = pydantic.TypeAdapter(ResponseStreamEvent)
# Fields the server sends beyond the openai types, on purpose: `reasoning_content` as Qwen and
# DeepSeek send it, `store` as OpenAI's own Responses objects carry it.
ALLOWED_EXTRAS = {"reasoning_content", "store"}
# The real API names the function on this event; the pinned type keeps it as an extra (so does
# the SDK's own test model).
EVENT_EXTRAS = {"response.function_call_arguments.done": {"name"}}

WEATHER = {"name": "get_weather", "description": "Get the current weather for a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                          "required": ["city"], "additionalProperties": False}}
ORDER = {"name": "lookup_order", "description": "Look up an order's status by its order id.",
         "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}},
                        "required": ["order_id"], "additionalProperties": False}}
VERDICT = {"type": "object", "additionalProperties": False, "required": ["city", "temperature", "advice"],
           "properties": {"city": {"type": "string"}, "temperature": {"type": "number"},
                          "advice": {"type": "string", "enum": ["umbrella", "sunglasses", "coat"]}}}


def chat_tool(spec: dict) -> dict:
    return {"type": "function", "function": {**spec, "strict": True}}


def responses_tool(spec: dict) -> dict:
    return {"type": "function", **spec, "strict": True}


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


# name -> (chat body, expected kind); the same cases run on the Responses API below.
CHAT_CASES = {
    "text": {"messages": user("Hello, who are you?")},
    "tool_call": {"messages": user("What's the weather in Tokyo?"), "tools": [chat_tool(WEATHER)]},
    "parallel_tool_calls": {"messages": user("Compare the weather in Tokyo and Paris"),
                            "tools": [chat_tool(WEATHER), chat_tool(ORDER)]},
    "structured": {"messages": user("Weather in Paris is rainy, 14 degrees. What should I bring?"),
                   "response_format": {"type": "json_schema",
                                       "json_schema": {"name": "final_output", "strict": True, "schema": VERDICT}}},
    "reasoning": {"messages": user("What's the weather in Tokyo?"), "tools": [chat_tool(WEATHER)],
                  "reasoning_effort": "low"},
    "tool_result": {"messages": [
        {"role": "user", "content": "What's the weather in Tokyo?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Tokyo"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"city": "Tokyo", "condition": "cloudy"}'}],
        "tools": [chat_tool(WEATHER)]},
}
RESPONSES_CASES = {
    "text": {"input": "Hello, who are you?", "instructions": "You are a museum guide."},
    "tool_call": {"input": user("What's the weather in Tokyo?"), "tools": [responses_tool(WEATHER)]},
    "parallel_tool_calls": {"input": user("Compare the weather in Tokyo and Paris"),
                            "tools": [responses_tool(WEATHER), responses_tool(ORDER)]},
    "structured": {"input": user("Weather in Paris is rainy, 14 degrees. What should I bring?"),
                   "text": {"format": {"type": "json_schema", "name": "final_output", "strict": True,
                                       "schema": VERDICT}}},
    "reasoning": {"input": user("What's the weather in Tokyo?"), "tools": [responses_tool(WEATHER)],
                  "reasoning": {"effort": "low", "summary": "auto"}},
    "tool_result": {"input": [
        {"role": "user", "content": "What's the weather in Tokyo?"},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city":"Tokyo"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": '{"city": "Tokyo", "condition": "cloudy"}'}],
        "tools": [responses_tool(WEATHER)]},
    "web_search": {"input": user("What's in the news today?"), "tools": [{"type": "web_search"}]},
}


# ------------------------------------------------------------------ helpers
def extras(model: pydantic.BaseModel, path: str = "") -> set[str]:
    """Every field the payload had that the openai type does not declare, anywhere inside."""
    found = {f"{path}{key}" for key in (model.model_extra or {})}
    for name in type(model).model_fields:
        value = getattr(model, name)
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, pydantic.BaseModel):
                found |= extras(child, f"{path}{name}.")
    return found


def assert_strict(model_type, payload: dict):
    """Validate, reject unknown fields, and check that validation kept every value."""
    model = (model_type.model_validate(payload) if isinstance(model_type, type)
             else model_type.validate_python(payload))
    assert isinstance(model, OpenAIModel)
    assert model.type == payload["type"] if "type" in type(model).model_fields else True
    allowed = ALLOWED_EXTRAS | EVENT_EXTRAS.get(payload.get("type", ""), set())
    unknown = {e.rsplit(".", 1)[-1] for e in extras(model)} - allowed
    assert not unknown, f"fields the openai types do not know: {unknown} in {payload}"
    dumped = model.model_dump(mode="json", exclude_unset=True, by_alias=True)
    assert dumped == payload, "validation changed the payload"
    return model


def read_chat_stream(raw: str) -> list[dict]:
    blocks = [b for b in raw.split("\n\n") if b.strip()]
    assert all(b.startswith("data: ") for b in blocks), blocks[:3]
    assert blocks[-1] == "data: [DONE]", "a Chat Completions stream ends with [DONE]"
    return [json.loads(b[len("data: "):]) for b in blocks[:-1]]


def read_responses_stream(raw: str) -> list[dict]:
    events = []
    for block in (b for b in raw.split("\n\n") if b.strip()):
        lines = block.split("\n")
        assert lines[0].startswith("event: ") and lines[1].startswith("data: ") and len(lines) == 2, block
        payload = json.loads(lines[1][len("data: "):])
        assert payload["type"] == lines[0][len("event: "):], "event name and data type differ"
        events.append(payload)
    return events


def post(http, path: str, body: dict) -> dict:
    reply = http.post(path, json=body)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    return reply.json()


def post_stream(http, path: str, body: dict) -> str:
    reply = http.post(path, json={**body, "stream": True})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/event-stream")
    return reply.text


# ------------------------------------------------------------------ Chat Completions
@pytest.mark.parametrize("case", CHAT_CASES)
def test_chat_completion_validates(http, case):
    body = {"model": "course-model", **CHAT_CASES[case]}
    payload = post(http, "/chat/completions", body)
    completion = assert_strict(ChatCompletion, payload)
    message = completion.choices[0].message
    assert completion.object == "chat.completion" and completion.model == "course-model"
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    calls = message.tool_calls or []
    if case in ("tool_call", "reasoning"):
        assert [c.function.name for c in calls] == ["get_weather"]
        assert json.loads(calls[0].function.arguments) == {"city": "Tokyo"}
        assert completion.choices[0].finish_reason == "tool_calls" and message.content is None
    elif case == "parallel_tool_calls":
        assert [json.loads(c.function.arguments)["city"] for c in calls] == ["Tokyo", "Paris"]
        assert len({c.id for c in calls}) == 2
    else:
        assert not calls and completion.choices[0].finish_reason == "stop" and message.content
    if case == "structured":
        value = json.loads(message.content)
        assert set(value) == {"city", "temperature", "advice"} and value["advice"] in ("umbrella", "sunglasses", "coat")
        assert value["city"] == "Paris" and value["temperature"] == 14
    if case == "tool_result":
        assert "cloudy" in message.content and "get_weather" not in message.content  # an answer, not its source
    if case == "reasoning":
        assert "get_weather" in payload["choices"][0]["message"]["reasoning_content"]
        assert completion.usage.completion_tokens_details.reasoning_tokens > 0
    else:
        assert "reasoning_content" not in payload["choices"][0]["message"]


@pytest.mark.parametrize("case", CHAT_CASES)
def test_chat_stream_validates(http, case):
    body = {"model": "course-model", **CHAT_CASES[case]}
    chunks = read_chat_stream(post_stream(http, "/chat/completions", body))
    parsed = [assert_strict(ChatCompletionChunk, chunk) for chunk in chunks]
    assert len({c.id for c in parsed}) == 1 and all(c.object == "chat.completion.chunk" for c in parsed)
    assert parsed[0].choices[0].delta.role == "assistant"
    assert parsed[-1].usage is not None and parsed[-1].usage.total_tokens > 0
    assert all(c.usage is None for c in parsed[:-1])
    assert [c.choices[0].finish_reason for c in parsed[:-1]] == [None] * (len(parsed) - 1)
    # The stream carries the same answer as the non-streamed reply.
    whole = post(http, "/chat/completions", body)["choices"][0]
    content = "".join(c.choices[0].delta.content or "" for c in parsed)
    assert content == (whole["message"]["content"] or "")
    assert parsed[-1].choices[0].finish_reason == whole["finish_reason"]
    calls: dict[int, dict] = {}
    for chunk in parsed:
        for delta in chunk.choices[0].delta.tool_calls or []:
            if delta.index not in calls:
                # The SDK needs the id and the name on a call's first delta.
                assert delta.id and delta.function.name and delta.type == "function"
                calls[delta.index] = {"id": delta.id, "name": delta.function.name, "arguments": ""}
            else:
                assert delta.id is None and delta.function.name is None
            calls[delta.index]["arguments"] += delta.function.arguments or ""
    expected = [{"name": c["function"]["name"], "arguments": c["function"]["arguments"]}
                for c in whole["message"].get("tool_calls") or []]
    assert [{"name": c["name"], "arguments": c["arguments"]} for c in calls.values()] == expected
    assert sorted(calls) == list(range(len(calls)))
    thought = "".join(chunk["choices"][0]["delta"].get("reasoning_content", "") for chunk in chunks)
    assert thought == whole["message"].get("reasoning_content", "")
    if case == "reasoning":
        # Thinking first, then the answer, as Qwen and DeepSeek stream it.
        first_call = next(i for i, c in enumerate(chunks) if c["choices"][0]["delta"].get("tool_calls"))
        assert all(not c["choices"][0]["delta"].get("reasoning_content") for c in chunks[first_call:])


# ------------------------------------------------------------------ Responses
@pytest.mark.parametrize("case", RESPONSES_CASES)
def test_response_validates(http, case):
    body = {"model": "course-model", **RESPONSES_CASES[case]}
    payload = post(http, "/responses", body)
    response = assert_strict(Response, payload)
    assert response.status == "completed" and response.object == "response"
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens
    kinds = [item.type for item in response.output]
    expected = {"text": ["message"], "tool_call": ["function_call"],
                "parallel_tool_calls": ["function_call", "function_call"], "structured": ["message"],
                "reasoning": ["reasoning", "function_call"], "tool_result": ["message"],
                "web_search": ["web_search_call", "message"]}[case]
    assert kinds == expected
    assert len({item.id for item in response.output}) == len(kinds)
    calls = [item for item in response.output if item.type == "function_call"]
    assert len({c.call_id for c in calls}) == len(calls)
    if case == "parallel_tool_calls":
        assert [json.loads(c.arguments)["city"] for c in calls] == ["Tokyo", "Paris"]
    if case == "text":
        assert "museum guide" in response.output_text and "(offline model)" in response.output_text
    if case == "structured":
        assert json.loads(response.output_text)["city"] == "Paris"
    if case == "reasoning":
        assert "get_weather" in response.output[0].summary[0].text
        assert response.usage.output_tokens_details.reasoning_tokens > 0
    if case == "web_search":
        assert "no internet" in response.output_text
    # The stored copy is the same object.
    assert http.get(f"/responses/{response.id}").json() == payload


@pytest.mark.parametrize("case", RESPONSES_CASES)
def test_response_stream_validates(http, case):
    body = {"model": "course-model", **RESPONSES_CASES[case]}
    events = read_responses_stream(post_stream(http, "/responses", body))
    parsed = [assert_strict(STREAM_EVENT, event) for event in events]
    numbers = [e.sequence_number for e in parsed]
    assert numbers == sorted(set(numbers)) and numbers[0] == 0, "sequence numbers strictly increase"
    types = [e.type for e in parsed]
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.completed" and types.count("response.completed") == 1
    assert parsed[0].response.status == "in_progress" and parsed[0].response.output == []
    final = parsed[-1].response
    assert final.status == "completed"
    # Items open and close in order, and the content between belongs to the open item.
    open_item = None
    for event in parsed[2:-1]:
        if event.type == "response.output_item.added":
            assert open_item is None
            open_item = event
            assert event.item.status == "in_progress"
        elif event.type == "response.output_item.done":
            assert open_item is not None and event.output_index == open_item.output_index
            assert event.item.id == open_item.item.id
            assert event.item.model_dump() == final.output[event.output_index].model_dump()
            open_item = None
        else:
            assert open_item is not None, f"{event.type} outside an output item"
            assert event.item_id == open_item.item.id and event.output_index == open_item.output_index
    assert open_item is None
    assert [e.output_index for e in parsed if e.type == "response.output_item.added"] == list(range(len(final.output)))
    # Deltas add up to the finished texts and arguments.
    for index, item in enumerate(final.output):
        mine = [e for e in parsed[2:-1] if getattr(e, "output_index", None) == index]
        inner = [e.type for e in mine[1:-1]]
        if item.type == "message":
            assert inner[0] == "response.content_part.added" and inner[-2:] == [
                "response.output_text.done", "response.content_part.done"]
            text = "".join(e.delta for e in mine if e.type == "response.output_text.delta")
            assert text == item.content[0].text and len([e for e in mine if e.type.endswith("text.delta")]) >= 2
        elif item.type == "function_call":
            assert inner[-1] == "response.function_call_arguments.done"
            arguments = "".join(e.delta for e in mine if e.type == "response.function_call_arguments.delta")
            assert arguments == item.arguments == mine[-2].arguments
        elif item.type == "reasoning":
            assert inner[0] == "response.reasoning_summary_part.added"
            assert inner[-1] == "response.reasoning_summary_part.done"
            text = "".join(e.delta for e in mine if e.type == "response.reasoning_summary_text.delta")
            assert text == item.summary[0].text
        elif item.type == "web_search_call":
            assert inner == ["response.web_search_call.in_progress", "response.web_search_call.searching",
                             "response.web_search_call.completed"]
    # Same answer as the non-streamed reply (ids differ: they hash the request, which says stream).
    whole = Response.model_validate(post(http, "/responses", body))
    strip = lambda items: [{k: v for k, v in i.model_dump().items() if k not in ("id", "call_id")} for i in items]  # noqa: E731
    assert strip(final.output) == strip(whole.output)


def test_models_list(http):
    from openai.types import Model

    listing = post_free_get(http, "/models")
    assert listing["object"] == "list"
    names = [Model.model_validate(m).id for m in listing["data"]]
    assert {"course-model", "course-reasoner", "course-chat-only"} <= set(names)


def post_free_get(http, path: str) -> dict:
    reply = http.get(path)
    assert reply.status_code == 200
    return reply.json()


def test_reasoner_alias_reasons_on_both_apis(http):
    chat = post(http, "/chat/completions", {"model": "course-reasoner", "messages": user("Hi")})
    assert chat["choices"][0]["message"]["reasoning_content"].startswith("The user asks: “Hi”.")
    response = Response.model_validate(post(http, "/responses", {"model": "course-reasoner", "input": "Hi"}))
    assert [i.type for i in response.output] == ["reasoning", "message"]


def test_max_tokens_truncates_with_length_and_incomplete(http):
    question = "Tell me a long story about the sea and the ships and the harbour"
    chat = assert_strict(ChatCompletion, post(http, "/chat/completions", {
        "model": "course-model", "messages": user(question), "max_tokens": 5}))
    assert chat.choices[0].finish_reason == "length" and chat.usage.completion_tokens <= 5
    events = read_responses_stream(post_stream(http, "/responses", {
        "model": "course-model", "input": question, "max_output_tokens": 5}))
    parsed = [assert_strict(STREAM_EVENT, e) for e in events]
    assert parsed[-1].type == "response.incomplete"
    assert parsed[-1].response.incomplete_details.reason == "max_output_tokens"
    assert parsed[-1].response.usage.output_tokens <= 5


def test_previous_response_id_continues(http):
    first = post(http, "/responses", {"model": "course-model", "input": "My name is Alice."})
    second = assert_strict(Response, post(http, "/responses", {
        "model": "course-model", "input": "What is my name?", "previous_response_id": first["id"]}))
    assert second.previous_response_id == first["id"]
    assert second.output_text == "Your name is Alice."
