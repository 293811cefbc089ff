"""Bad requests get the right status and an OpenAI error envelope; the server keeps serving.

Each case is sent twice: raw, to check the status and the exact envelope, and through the
official `openai` client, to check it becomes the matching exception with a readable message.
Determinism is here too: the same requests on two fresh servers give the same bytes.
"""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from workbook.offline import Options, start_in_background

GOOD_CHAT = {"model": "course-model", "messages": [{"role": "user", "content": "Hello"}]}
WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                           "required": ["city"]}}}

# name -> (method, path, body (dict or raw bytes), status, param, message fragment)
CASES = {
    "malformed_json": ("POST", "/chat/completions", b'{"model": "course-model", "messages": [', 400, None,
                       "could not parse the JSON body"),
    "json_not_object": ("POST", "/chat/completions", b"[1, 2]", 400, None, "must be a JSON object"),
    "missing_model": ("POST", "/chat/completions", {"messages": GOOD_CHAT["messages"]}, 400, "model",
                      "Missing required parameter: 'model'"),
    "missing_messages": ("POST", "/chat/completions", {"model": "course-model"}, 400, "messages",
                         "Missing required parameter: 'messages'"),
    "empty_messages": ("POST", "/chat/completions", {"model": "course-model", "messages": []}, 400, "messages",
                       "empty array"),
    "messages_wrong_type": ("POST", "/chat/completions", {"model": "course-model", "messages": "Hello"}, 400,
                            "messages", "expected an array, but got a string"),
    "model_wrong_type": ("POST", "/chat/completions", {**GOOD_CHAT, "model": 42}, 400, "model",
                         "expected a string, but got an integer"),
    "bad_role": ("POST", "/chat/completions", {**GOOD_CHAT, "messages": [{"role": "wizard", "content": "hi"}]},
                 400, "messages[0].role", "'wizard'"),
    "stream_wrong_type": ("POST", "/chat/completions", {**GOOD_CHAT, "stream": "yes"}, 400, "stream",
                          "expected a boolean"),
    "max_tokens_negative": ("POST", "/chat/completions", {**GOOD_CHAT, "max_tokens": -3}, 400, "max_tokens",
                            "positive integer"),
    "unknown_tool_choice": ("POST", "/chat/completions", {**GOOD_CHAT, "tools": [WEATHER], "tool_choice": "always"},
                            400, "tool_choice", "'always'"),
    "tool_choice_not_offered": ("POST", "/chat/completions", {
        **GOOD_CHAT, "tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "get_news"}}},
        400, "tool_choice", "no function named 'get_news'"),
    "hosted_tool_on_chat": ("POST", "/chat/completions", {**GOOD_CHAT, "tools": [{"type": "web_search"}]}, 400,
                            "tools[0].type", "Hosted tools such as web search are not Chat Completions tools"),
    "bad_response_format": ("POST", "/chat/completions", {**GOOD_CHAT, "response_format": {"type": "yaml"}}, 400,
                            "response_format.type", "Supported values"),
    "missing_input": ("POST", "/responses", {"model": "course-model"}, 400, "input",
                      "Missing required parameter: 'input'"),
    "input_wrong_type": ("POST", "/responses", {"model": "course-model", "input": 7}, 400, "input",
                         "expected a string or an array"),
    "responses_missing_model": ("POST", "/responses", {"input": "Hi"}, 400, "model",
                                "Missing required parameter: 'model'"),
    "unknown_previous_response_id": ("POST", "/responses", {"model": "course-model", "input": "Hi",
                                                            "previous_response_id": "resp_nope"}, 400,
                                     "previous_response_id", "'resp_nope' not found"),
    "unsupported_hosted_tool": ("POST", "/responses", {"model": "course-model", "input": "Hi",
                                                       "tools": [{"type": "code_interpreter"}]}, 400, "tools[0].type",
                                "'code_interpreter' runs on the provider's servers"),
    "unknown_responses_tool_choice": ("POST", "/responses", {"model": "course-model", "input": "Hi",
                                                             "tool_choice": 5}, 400, "tool_choice", "tool_choice"),
    "chat_only_alias": ("POST", "/responses", {"model": "course-chat-only", "input": "Hi"}, 404, None,
                        "no Responses API"),
    "unknown_response_id": ("GET", "/responses/resp_missing", None, 404, None, "'resp_missing' not found"),
    "unknown_path": ("POST", "/embeddings", {"model": "course-model", "input": "Hi"}, 404, None, "Unknown path"),
    "oversized_body": ("POST", "/chat/completions",
                       {**GOOD_CHAT, "messages": [{"role": "user", "content": "x" * (2 * 1024 * 1024 + 10)}]},
                       413, None, "too large"),
}


def send(http: httpx.Client, method: str, path: str, body) -> httpx.Response:
    if body is None:
        return http.request(method, path)
    if isinstance(body, bytes):
        return http.request(method, path, content=body, headers={"content-type": "application/json"})
    return http.request(method, path, json=body)


def assert_envelope(reply: httpx.Response, status: int, param, fragment: str) -> dict:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    error = reply.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert isinstance(error["message"], str) and fragment in error["message"]
    assert error["type"] in ("invalid_request_error", "server_error") and error["type"]
    assert error["param"] == param
    assert isinstance(error["code"], str) and error["code"]
    return error


def still_serving(http: httpx.Client) -> None:
    reply = http.post("/chat/completions", json=GOOD_CHAT)
    assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize("case", CASES)
def test_raw_error_envelope(http, case):
    method, path, body, status, param, fragment = CASES[case]
    assert_envelope(send(http, method, path, body), status, param, fragment)
    still_serving(http)


EXCEPTIONS = {400: openai.BadRequestError, 401: openai.AuthenticationError, 404: openai.NotFoundError,
              413: openai.APIStatusError}


@pytest.mark.parametrize("case", [c for c, v in CASES.items() if isinstance(v[2], dict) and v[0] == "POST"])
def test_openai_client_raises_matching_exception(client, http, case):
    method, path, body, status, param, fragment = CASES[case]
    with pytest.raises(EXCEPTIONS[status]) as caught:
        client.post(path, body=body, cast_to=object)
    error = caught.value
    assert error.status_code == status
    assert fragment in error.message  # readable: the server's own sentence, not a parse failure
    assert error.body["message"] in error.message and error.code == error.body["code"]
    assert error.param == param
    still_serving(http)


def test_client_exceptions_for_typed_calls(client, http):
    """The same through the typed methods a lesson would call."""
    with pytest.raises(openai.BadRequestError, match="previous_response_id|not found"):
        client.responses.create(model="course-model", input="Hi", previous_response_id="resp_gone")
    with pytest.raises(openai.NotFoundError, match="not found"):
        client.responses.retrieve("resp_gone")
    with pytest.raises(openai.NotFoundError, match="no Responses API"):
        client.responses.create(model="course-chat-only", input="Hi")
    with pytest.raises(openai.BadRequestError, match="not Chat Completions tools"):
        client.chat.completions.create(model="course-model", messages=GOOD_CHAT["messages"],
                                       tools=[{"type": "file_search"}])
    still_serving(http)


def test_missing_bearer_token_is_401(server):
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        reply = anonymous.post("/chat/completions", json=GOOD_CHAT)
        assert_envelope(reply, 401, None, "didn't provide an API key")
        reply = anonymous.post("/responses", json={"model": "course-model", "input": "Hi"}, headers={"Authorization": "Basic x"})
        assert_envelope(reply, 401, None, "Bearer")
    plain = openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0,
                          default_headers={"Authorization": ""})
    with pytest.raises(openai.AuthenticationError, match="API key"):
        plain.chat.completions.create(**GOOD_CHAT)


def test_chat_only_mode_answers_404_and_serves_chat(chat_only_server):
    chat_only = openai.OpenAI(base_url=chat_only_server.base_url, api_key="k", max_retries=0)
    with pytest.raises(openai.NotFoundError) as caught:
        chat_only.responses.create(model="course-model", input="Hi")
    assert "Chat Completions" in caught.value.message and caught.value.code == "not_found"
    assert chat_only.chat.completions.create(**GOOD_CHAT).choices[0].message.content


def test_wrong_method_is_405(http):
    reply = http.get("/chat/completions")
    assert_envelope(reply, 405, None, "not allowed")
    still_serving(http)


def test_errors_inside_a_stream_request_are_plain_json(http):
    """A bad streamed request fails before streaming starts, as OpenAI does."""
    reply = http.post("/responses", json={"model": "course-model", "input": 7, "stream": True})
    assert_envelope(reply, 400, "input", "expected a string")


# ------------------------------------------------------------------ determinism
SEQUENCE = [
    ("/chat/completions", {**GOOD_CHAT, "tools": [WEATHER], "messages": [{"role": "user", "content": "Weather in Oslo?"}]}),
    ("/chat/completions", {**GOOD_CHAT, "stream": True}),
    ("/responses", {"model": "course-reasoner", "input": "My name is Ada."}),
    ("/responses", {"model": "course-model", "input": "Weather in Tokyo and Paris?", "stream": True,
                    "tools": [{"type": "function", **WEATHER["function"]}]}),
    ("/responses", {"model": "course-model", "input": "What is my name?", "previous_response_id": "{previous}"}),
    ("/responses", {"model": "course-model", "input": "Hi", "previous_response_id": "resp_unknown"}),
]


def masked(text: str) -> str:
    """Mask only the timestamps."""
    import re

    return re.sub(r'"(created|created_at)":\s?\d+', r'"\1":0', text)


def record(base_url: str) -> list[str]:
    bodies, previous = [], ""
    with httpx.Client(base_url=base_url, headers={"Authorization": "Bearer k"}, timeout=30) as raw:
        for path, body in SEQUENCE:
            body = json.loads(json.dumps(body).replace("{previous}", previous))
            reply = raw.post(path, json=body)
            bodies.append(f"{reply.status_code} {masked(reply.text)}")
            if path == "/responses" and reply.status_code == 200 and not body.get("stream"):
                previous = reply.json()["id"]
    return bodies


def test_same_requests_same_bytes_on_fresh_servers():
    with start_in_background(Options()) as first:
        one = record(first.base_url)
    with start_in_background(Options()) as second:
        two = record(second.base_url)
    assert one == two
    assert '"id":"resp_' in one[2] and "Your name is Ada." in one[4]
    assert len({b for b in one}) == len(one)  # different requests, different bodies (ids differ)


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_a_tool_name_outside_openais_pattern_is_rejected_like_openai_does(client, api):
    """The seed's `as_tool(tool_name="订票专家")`: real providers answer 400, so the offline model does too."""
    parameters = {"type": "object", "properties": {}}
    with pytest.raises(openai.BadRequestError) as caught:
        if api == "chat":
            client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "book a ticket"}],
                tools=[{"type": "function", "function": {"name": "订票专家", "parameters": parameters}}])
        else:
            client.responses.create(
                model="m", input="book a ticket",
                tools=[{"type": "function", "name": "订票专家", "parameters": parameters, "strict": True}])
    assert "does not match pattern" in caught.value.message
    assert caught.value.body["param"] in ("tools[0].function.name", "tools[0].name")
