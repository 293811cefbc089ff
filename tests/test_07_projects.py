"""Chapter 07: the SSE chat backend, in-process (ASGI) and as a real uvicorn server."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import secrets
import socketserver
import sys
import threading
import time
from dataclasses import replace
from urllib.parse import quote

import httpx
import pytest
from sse_helpers import APP_DIR, ROOT, parse_sse, server_env, shape, uvicorn_process, uvicorn_server  # noqa: F401

from workbook.offline import Options, free_port, start_in_background

_spec = importlib.util.spec_from_file_location("sse_chat_app", APP_DIR / "app.py")
chat = sys.modules["sse_chat_app"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(chat)  # runs workbook.setup(): the offline model (the pytest plugin forces it)
from chat_events import EVENTS  # noqa: E402  (sse_helpers put APP_DIR on the path)

pytestmark = pytest.mark.anyio  # async tests run on anyio's pytest plugin (asyncio backend)


@pytest.fixture
def anyio_backend():
    return "asyncio"


# ---------- in-process (ASGI) ----------

@pytest.fixture
def settings(tmp_path):
    return replace(chat.app.state.settings, db_path=str(tmp_path / "chat.db"))


@pytest.fixture
async def client(settings):
    app = chat.create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8200") as c:
        yield c


async def ask(client, query, path="/api/chat/sse", **params):
    response = await client.get(path, params={"query": query, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.text)


def final(events):
    name, data = events[-1]
    assert name == "run_completed", events[-1]
    return data["final_output"]


async def test_tool_question_streams_the_tool_then_the_answer(client):
    events = await ask(client, "Is P100 in stock?")
    assert shape(events) == ["agent_updated:Triage agent", "agent_updated:Product specialist",
                             "tool_started:check_inventory", "tool_completed:check_inventory", "text_delta",
                             "run_completed"]
    started = dict(events)["tool_started"]
    assert started["call_id"] and dict(events)["tool_completed"]["call_id"] == started["call_id"]
    assert json.loads(dict(events)["tool_completed"]["tool_result"]) == {"sku": "P100", "in_stock": True, "units": 42}
    text = "".join(d["text"] for n, d in events if n == "text_delta")
    assert text == final(events) and "42" in text


@pytest.mark.parametrize("path", ["/api/chat/sse", "/api/query/sse"])
async def test_handoff_question_names_each_agent(client, path):
    events = await ask(client, "北京的天气", path=path)
    assert shape(events) == ["agent_updated:Triage agent", "agent_updated:Weather specialist",
                             "tool_started:get_weather", "tool_completed:get_weather", "text_delta", "run_completed"]
    assert "北京" in final(events) and "25" in final(events)


async def test_order_question_is_handed_to_the_order_specialist(client):
    events = await ask(client, "Where is my order A1001?")
    assert shape(events)[1:4] == ["agent_updated:Order specialist", "tool_started:query_order",
                                  "tool_completed:query_order"]
    assert "shipped" in final(events)


async def test_follow_up_uses_the_conversation_and_delete_forgets_it(client):
    created = await client.post("/api/conversations")
    assert created.status_code == 201
    cid = created.json()["conversation_id"]
    assert client.cookies.get("conversation_id") == cid
    await ask(client, "Where is my order A1002?", conversation_id=cid)
    events = await ask(client, "北京的天气", conversation_id=cid)
    assert dict(events)["run_completed"]["conversation_id"] == cid
    # The cookie alone (no query parameter) continues the same conversation.
    await ask(client, "Is P100 in stock?")
    assert await user_messages(client, cid) == ["Where is my order A1002?", "北京的天气", "Is P100 in stock?"]
    cleared = await client.delete(f"/api/conversations/{cid}")
    assert cleared.json() == {"conversation_id": cid, "cleared": True}
    assert await user_messages(client, cid) == []


async def user_messages(client, conversation_id: str) -> list[str]:
    """What the conversation's session holds: the history the model is sent on the next turn."""
    store = client._transport.app.state.store
    session = store.session(conversation_id)
    try:
        return [item["content"] for item in await session.get_items() if item.get("role") == "user"]
    finally:
        store.close_session(session)


async def test_conversations_are_separate(client):
    one, two = (await client.post("/api/conversations")).json(), (await client.post("/api/conversations")).json()
    assert one != two
    await ask(client, "Where is my order A1003?", conversation_id=one["conversation_id"])
    await ask(client, "北京的天气", conversation_id=two["conversation_id"])
    assert await user_messages(client, two["conversation_id"]) == ["北京的天气"]


@pytest.mark.parametrize("params, code, detail", [
    ({"query": ""}, 422, "query must not be empty"),
    ({"query": " \n\t "}, 422, "query must not be empty"),
    ({"query": "x" * 2001}, 422, "query is too long (2001 characters; the limit is 2000)"),
    ({"query": "hi", "conversation_id": "bad id!"}, 400, "conversation_id must be 8-64 characters"),
    ({"query": "hi", "conversation_id": "short"}, 400, "conversation_id must be 8-64 characters"),
    ({"query": "hi", "conversation_id": "../../etc/passwd"}, 400, "conversation_id must be 8-64 characters"),
])
async def test_bad_input_is_a_clear_4xx(client, params, code, detail):
    response = await client.get("/api/chat/sse", params=params)
    assert response.status_code == code
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"].startswith(detail)


async def test_missing_query_and_bad_delete(client):
    missing = await client.get("/api/chat/sse")
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["query", "query"]
    bad = await client.delete("/api/conversations/no%20way")
    assert bad.status_code == 400 and "conversation_id" in bad.json()["detail"]


async def test_a_query_at_the_limit_is_accepted(client):
    query = "北京的天气" + "！" * 1995
    assert len(query) == 2000
    events = await ask(client, query)
    assert events[-1][0] == "run_completed"


async def test_openapi_documents_every_event(client):
    spec = (await client.get("/openapi.json")).json()
    for path in ("/api/chat/sse", "/api/query/sse"):
        stream = spec["paths"][path]["get"]["responses"]["200"]["content"]["text/event-stream"]
        branches = stream["itemSchema"]["oneOf"]
        assert [b["properties"]["event"]["const"] for b in branches] == list(EVENTS)
        tool_completed = next(b for b in branches if b["title"] == "tool_completed")
        assert set(tool_completed["properties"]["data"]["contentSchema"]["properties"]) == {"tool_name", "call_id", "tool_result"}
    assert (await client.get("/docs")).status_code == 200


@pytest.mark.parametrize("origin, allowed", [
    ("http://localhost:8080", True), ("http://127.0.0.1:8080", True), ("http://127.0.0.1:8200", True),
    ("http://evil.example", False), ("http://localhost:9999", False),
])
async def test_cors_only_for_the_pages_origins(client, origin, allowed):
    preflight = await client.options("/api/conversations", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})
    get = await client.get("/api/health", headers={"Origin": origin})
    assert (get.headers.get("access-control-allow-origin") == origin) is allowed
    assert (preflight.status_code == 200) is allowed


async def test_page_is_served_at_the_root(client):
    page = await client.get("/")
    assert page.status_code == 200 and '<script src="app.js">' in page.text
    script = (await client.get("/app.js")).text
    assert "innerHTML" not in script.replace("never innerHTML", "")


# ---------- provider failures ----------

SECRET = "sk-test-" + secrets.token_hex(16)


class FakeProvider(socketserver.ThreadingTCPServer):
    """A misbehaving provider: the first path segment says how (401, 429, drop, hang)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeProviderHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class FakeProviderHandler(socketserver.StreamRequestHandler):
    def handle(self):
        request_line = self.rfile.readline().decode()
        mode = request_line.split(" ")[1].split("/")[1]
        if mode == "drop":
            return  # close the connection without a word
        if mode == "hang":
            time.sleep(20)
            return
        status, message = {"401": ("401 Unauthorized", f"Incorrect API key provided: {SECRET}."),
                           "429": ("429 Too Many Requests", f"Rate limit reached for key {SECRET}.")}[mode]
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error", "code": None}}).encode()
        self.wfile.write(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                         f"retry-after: 0\r\nConnection: close\r\n\r\n".encode() + body)


@pytest.fixture(scope="module")
def fake_provider():
    server = FakeProvider()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.url
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("responses_api", [True, False], ids=["responses", "chat"])
@pytest.mark.parametrize("mode, message", [
    ("401", "The model provider rejected the API key (HTTP 401)"),
    ("429", "The model provider is rate-limiting requests (HTTP 429)"),
    ("drop", "Could not reach the model provider"),
    ("hang", "The model provider did not answer within 1 seconds"),
    ("stopped", "Could not reach the model provider"),
])
async def test_provider_failure_ends_the_stream_with_an_error_event(settings, fake_provider, caplog, mode, message,
                                                                    responses_api):
    base = f"http://127.0.0.1:{free_port()}/v1" if mode == "stopped" else f"{fake_provider}/{mode}/v1"
    app = chat.create_app(replace(settings, base_url=base, api_key=SECRET, timeout=1.0, responses_api=responses_api))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8200") as c:
        started = time.monotonic()
        response = await asyncio.wait_for(c.get("/api/chat/sse", params={"query": "Is P100 in stock?"}), 30)
    assert time.monotonic() - started < 25
    events = parse_sse(response.text)
    assert [n for n, _ in events] == ["agent_updated", "error"]
    assert events[-1][1]["message"].startswith(message)
    assert SECRET not in response.text and SECRET not in caplog.text
    assert len(app.state.runs) == 0


# ---------- client disconnect ----------

async def test_disconnect_cancels_the_run_in_process(settings):
    """Drive the ASGI app by hand: read two events, then tell it the client went away."""
    with start_in_background(Options(delay_ms=60)) as slow_model:
        app = chat.create_app(replace(settings, base_url=slow_model.base_url))
        gone, sent, requested = asyncio.Event(), [], []
        alive_mid_stream: set = set()

        async def receive():
            if not requested:
                requested.append(True)
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if sum(1 for m in sent if m.get("body")) == 2 and not gone.is_set():
                alive_mid_stream.update(app.state.runs)
                gone.set()

        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                 "method": "GET", "scheme": "http", "path": "/api/chat/sse", "raw_path": b"/api/chat/sse",
                 "query_string": ("query=" + quote("北京的天气")).encode(), "root_path": "", "headers": [(b"host", b"t")],
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8200)}
        await asyncio.wait_for(app(scope, receive, send), 20)
        body = b"".join(m.get("body", b"") for m in sent).decode()
        assert alive_mid_stream, "the run was not running mid-stream: " + body
        assert "run_completed" not in body
        for _ in range(100):
            if all(task.done() for task in alive_mid_stream) and not app.state.runs:
                break
            await asyncio.sleep(0.05)
        assert all(task.done() for task in alive_mid_stream) and not app.state.runs, "a run task outlived its client"


# ---------- a real uvicorn server ----------

def stream_events(url: str, params: dict, timeout: float = 60) -> list[tuple[str, dict]]:
    with httpx.stream("GET", url, params=params, timeout=timeout) as response:
        assert response.status_code == 200
        return parse_sse(response.read().decode())


def test_uvicorn_streams_the_contract(tmp_path):
    with uvicorn_server(tmp_path) as (base, _):
        events = stream_events(base + "/api/query/sse", {"query": "Where is my order A1001?"})
        assert shape(events) == ["agent_updated:Triage agent", "agent_updated:Order specialist",
                                 "tool_started:query_order", "tool_completed:query_order", "text_delta",
                                 "run_completed"]
        stock = dict(stream_events(base + "/api/chat/sse", {"query": "Is P200 in stock?"}))
        assert json.loads(stock["tool_completed"]["tool_result"]) == {"sku": "P200", "in_stock": False, "units": 0}
        bad = httpx.get(base + "/api/chat/sse", params={"query": "  "})
        assert bad.status_code == 422 and bad.json() == {"detail": "query must not be empty"}


def test_uvicorn_disconnect_cancels_the_run(tmp_path):
    env = server_env(OFFLINE_MODEL_DELAY_MS="80")  # a slow, typewriter model: the run lasts seconds
    with uvicorn_server(tmp_path, env) as (base, log_path):
        with httpx.stream("GET", base + "/api/chat/sse", params={"query": "北京的天气"}, timeout=30) as response:
            seen = []
            for line in response.iter_lines():
                if line.startswith("event: "):
                    seen.append(line[7:])
                if "tool_started" in seen:
                    alive = httpx.get(base + "/api/health").json()["active_runs"]
                    break
        assert alive == 1, (seen, log_path.read_text())
        # the connection is closed here, mid-answer
        for _ in range(100):
            if httpx.get(base + "/api/health").json()["active_runs"] == 0:
                break
            time.sleep(0.1)
        assert httpx.get(base + "/api/health").json()["active_runs"] == 0, "the run kept going without a client"
        for _ in range(50):
            if "cancelled" in log_path.read_text():
                break
            time.sleep(0.1)
        assert ": cancelled" in log_path.read_text()


def test_python_app_py_with_a_stopped_provider_reports_an_error_without_the_key(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/v1"
    env = server_env(OPENAI_BASE_URL=dead, OPENAI_API_KEY=SECRET, OPENAI_MODEL_NAME="course-model",
                     OPENAI_RESPONSES_API="false")
    env.pop("WORKBOOK_OFFLINE")
    with uvicorn_server(tmp_path, env, command=[sys.executable, "app.py"]) as (base, log_path):
        health = httpx.get(base + "/api/health")
        assert health.json()["provider"] == "a local server" and SECRET not in health.text
        started = time.monotonic()
        events = stream_events(base + "/api/chat/sse", {"query": "北京的天气"}, timeout=30)
        assert time.monotonic() - started < 25
        assert events[-1] == ("error", {"message": "Could not reach the model provider (the connection failed or "
                                                   "dropped)."})
        assert httpx.get(base + "/").status_code == 200
    log = log_path.read_text()
    assert "Uvicorn running on" in log and SECRET not in log
