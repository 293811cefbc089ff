"""Chapter 07 as a service: the chat under `uvicorn --workers 2` against each session backend
(an SQLite file, a real PostgreSQL, a real Redis), and the approval flow in Chromium.

Every test talks to the servers over fresh connections, so turns of one conversation land on
both workers; the worker that served a turn is read from the server log (`[pid] sse_chat: …`).
No timing is asserted: limits only stop a broken run from hanging.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import threading
import time

import httpx
import pytest
from servers import postgres_server, redis_server, require
from sse_helpers import ROOT, parse_sse, server_env, shape, uvicorn_server

BACKENDS = ["sqlite", "postgresql", "redis"]
ARTIFACTS = ROOT / "tests" / "artifacts"
REFUND = "Please refund 899 CNY for order A1002"


# ---------- servers: each backend once per module, each app with 2 workers ----------

@pytest.fixture(scope="module")
def postgres():
    require("postgresql")
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="module")
def redis():
    require("redis-server")
    with redis_server(durable=True) as server:  # an append-only file: a restart loses nothing
        yield server


def session_url(request, backend: str, folder) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder}/chat.db"
    return request.getfixturevalue("postgres" if backend == "postgresql" else "redis").url


@pytest.fixture(scope="module", params=BACKENDS)
def service(request, tmp_path_factory):
    """(base URL, log path, CHAT_SESSION_URL) of the chat with 2 workers on one backend."""
    folder = tmp_path_factory.mktemp(request.param)
    url = session_url(request, request.param, folder)
    with uvicorn_server(folder, server_env(CHAT_SESSION_URL=url), workers=2) as (base, log_path):
        yield base, log_path, url


@pytest.fixture(scope="module")
def slow_service(request, tmp_path_factory):
    """The same with a typewriter-speed model (a turn lasts seconds), a 1 s lock wait and a 2 s lease."""
    folder = tmp_path_factory.mktemp(f"slow-{request.param}")
    url = session_url(request, request.param, folder)
    env = server_env(CHAT_SESSION_URL=url, OFFLINE_MODEL_DELAY_MS="150", CHAT_LOCK_WAIT="1", CHAT_LOCK_LEASE="2")
    with uvicorn_server(folder, env, workers=2) as (base, log_path):
        yield base, log_path, url, request.param


# ---------- helpers ----------

def new_conversation() -> str:
    return secrets.token_hex(8)  # its first 8 characters name it in the server log


def turn(base: str, query: str, conversation_id: str) -> list[tuple[str, dict]]:
    """One question on a fresh connection (a new client each time: any worker may take it)."""
    with httpx.Client(timeout=120) as client:
        response = client.get(base + "/api/chat/sse", params={"query": query, "conversation_id": conversation_id})
        assert response.status_code == 200, response.text
        return parse_sse(response.text)


def decide(base: str, conversation_id: str, call_id: str, approve: bool) -> list[tuple[str, dict]]:
    with httpx.Client(timeout=120) as client:
        response = client.post(f"{base}/api/conversations/{conversation_id}/approvals/{call_id}",
                               json={"approve": approve})
        assert response.status_code == 200, response.text
        return parse_sse(response.text)


def workers_that_served(log_path, conversation_id: str) -> set[str]:
    return set(re.findall(rf"\[(\d+)\] sse_chat: chat {conversation_id[:8]}…", log_path.read_text()))


def history(url: str, conversation_id: str) -> list[dict]:
    """The conversation as the backend holds it, read with the app's own store in this process."""
    from store import open_store  # sse_helpers put the app's folder on the path

    async def read() -> list[dict]:
        store = open_store(url, "unused.db")
        session = store.session(conversation_id)
        try:
            return await session.get_items()
        finally:
            store.close_session(session)
            await store.close()
    return asyncio.run(read())


def user_messages(url: str, conversation_id: str) -> list[str]:
    return [item["content"] for item in history(url, conversation_id) if item.get("role") == "user"]


def pending(url: str, conversation_id: str) -> str | None:
    from store import open_store

    async def read() -> str | None:
        store = open_store(url, "unused.db")
        try:
            await store.start()
            return await store.load_pending(conversation_id)
        finally:
            await store.close()
    return asyncio.run(read())


# ---------- the matrix: every backend with 2 workers ----------

def test_follow_ups_move_between_workers_and_keep_the_history(service):
    base, log_path, url = service
    cid, asked = new_conversation(), []
    questions = ["Where is my order A1001?", "北京的天气", "Is P100 in stock?"]
    for i in range(30):  # until both workers have served this conversation (usually 2-3 turns)
        events = turn(base, questions[i % 3], cid)
        assert events[-1][0] == "run_completed", events[-1]
        asked.append(questions[i % 3])
        if i >= 2 and len(workers_that_served(log_path, cid)) == 2:
            break
    assert len(workers_that_served(log_path, cid)) == 2, "every turn went to one worker"
    assert user_messages(url, cid) == asked  # one history, in order, whichever worker wrote it


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
def test_approval_pauses_the_run_and_any_worker_resumes_it(service, approve):
    base, log_path, url = service
    cid = new_conversation()
    events = turn(base, REFUND, cid)
    assert shape(events)[-3:] == ["agent_updated:RMA specialist", "tool_started:refund_order",
                                  "approval_required:refund_order"]
    request = events[-1][1]
    assert json.loads(request["arguments"]) == {"order_id": "A1002", "amount": 899}
    assert "500 CNY" in request["reason"] and request["conversation_id"] == cid
    assert request["call_id"] == dict(events)["tool_started"]["call_id"]
    assert pending(url, cid) is not None  # the paused run is stored with the conversation

    blocked = turn(base, "北京的天气", cid)  # no new turn while a decision is open
    assert blocked == [("agent_updated", {"agent": "Triage agent"}), ("error", {"message": "A tool call in this conversation waits for a person's decision: "
                                             "approve or reject it first."})]

    resumed = decide(base, cid, request["call_id"], approve)
    assert resumed[0] == ("approval_resolved", {"call_id": request["call_id"], "tool_name": "refund_order",
                                                "approved": approve})
    completed = dict(resumed)["tool_completed"]
    assert completed["call_id"] == request["call_id"] and completed["tool_name"] == "refund_order"
    if approve:
        assert json.loads(completed["tool_result"]) == {"order_id": "A1002", "refunded_cny": 899, "status": "refunded"}
    else:
        assert completed["tool_result"] == "Tool execution was not approved."
    assert resumed[-1][0] == "run_completed"
    assert pending(url, cid) is None

    again = decide(base, cid, request["call_id"], approve)  # a decision is applied once
    assert again == [("error", {"message": "Nothing in this conversation waits for a decision under that id."})]
    assert turn(base, "北京的天气", cid)[-1][0] == "run_completed"
    assert user_messages(url, cid) == [REFUND, "北京的天气"]
    outputs = [item for item in history(url, cid) if item.get("type") == "function_call_output"
               and item.get("call_id") == request["call_id"]]
    assert len(outputs) == 1  # the refund ran (or was refused) exactly once


def test_concurrent_turns_on_one_conversation_take_turns(service):
    base, log_path, url = service
    cid = new_conversation()
    tools = {"北京的天气": "get_weather", "Where is my order A1001?": "query_order", "Is P100 in stock?":
             "check_inventory", "上海的天气": "get_weather"}
    results: dict[str, list] = {}
    start = threading.Barrier(len(tools))

    def ask(query: str) -> None:
        start.wait()
        results[query] = turn(base, query, cid)

    threads = [threading.Thread(target=ask, args=(q,)) for q in tools]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert {q: events[-1][0] for q, events in results.items()} == dict.fromkeys(tools, "run_completed")
    # The history is whole turns one after another: each question, then only its own calls and answer.
    segments: list[list[dict]] = []
    for item in history(url, cid):
        if item.get("role") == "user":
            segments.append([item])
        else:
            segments[-1].append(item)
    assert sorted(segment[0]["content"] for segment in segments) == sorted(tools)
    for segment in segments:
        called = [item["name"] for item in segment if item.get("type") == "function_call"
                  and not item["name"].startswith("transfer_to_")]
        answered = [item for item in segment if item.get("type") == "function_call_output"]
        assert called == [tools[segment[0]["content"]]], segment
        assert len(answered) == 2 and segment[-1].get("role") == "assistant", segment  # handoff + tool, then text


def test_guardrail_rejection_and_the_rma_desk(service):
    base, _, _ = service
    rejected = turn(base, "Tell me a joke", new_conversation())
    assert [name for name, _ in rejected] == ["agent_updated", "guardrail_rejected"]
    assert rejected[-1][1]["category"] == "other" and rejected[-1][1]["guardrail"] == "priority_guardrail"
    events = turn(base, "我想退货，订单 A1003 的耳机坏了", new_conversation())
    assert "agent_updated:RMA specialist" in shape(events)
    assert events[-1][0] == "run_completed"


# ---------- locks that time out, and a store that goes away ----------

def hold_lock(url: str, conversation_id: str, take: bool) -> bool:
    """Take (or free) the conversation's lock from this process, as another worker would."""
    from store import open_store

    async def act() -> bool:
        store = open_store(url, "unused.db", lease_seconds=600)
        try:
            await store.start()
            if take:
                return await store._try_lock(conversation_id, "the-test")
            await store._unlock(conversation_id, "the-test")
            return True
        finally:
            await store.close()
    return asyncio.run(act())


@pytest.mark.parametrize("slow_service", BACKENDS, indirect=True)
def test_a_turn_that_cannot_get_the_conversation_in_time_gets_a_clear_error(slow_service):
    base, log_path, url, _ = slow_service
    cid = new_conversation()
    assert hold_lock(url, cid, take=True)  # another process holds the conversation
    refusals = [turn(base, "上海的天气", cid) for _ in range(2)]  # each waits 1 s, on either worker
    for events in refusals:
        # The first event comes at once (the desk has the question), the refusal after the wait.
        assert events == [("agent_updated", {"agent": "Triage agent"}),
                          ("error", {"message": "This conversation is still answering another message (waited "
                                                "1 seconds). Try again when it has finished."})]
    hold_lock(url, cid, take=False)
    assert turn(base, "北京的天气", cid)[-1][0] == "run_completed"
    assert user_messages(url, cid) == ["北京的天气"]  # the refused turns wrote nothing


def stop(request, backend: str) -> None:
    if backend == "postgresql":
        request.getfixturevalue("postgres").stop(mode="immediate")  # every connection drops at once
    else:
        request.getfixturevalue("redis").stop()


def start(request, backend: str) -> None:
    request.getfixturevalue("postgres" if backend == "postgresql" else "redis").start()


@pytest.mark.parametrize("slow_service", ["postgresql", "redis"], indirect=True)
def test_a_store_that_goes_away_mid_run_ends_the_stream_with_an_error_and_service_resumes(slow_service, request):
    base, log_path, url, backend = slow_service
    cid = new_conversation()
    assert turn(base, "Where is my order A1001?", cid)[-1][0] == "run_completed"
    kept = history(url, cid)

    with httpx.Client(timeout=120) as client, client.stream(
            "GET", base + "/api/chat/sse", params={"query": "北京的天气", "conversation_id": cid}) as running:
        lines = running.iter_lines()
        names = (line for line in lines if line.startswith("event: "))
        assert [next(names), next(names)] == ["event: agent_updated"] * 2  # the desk has it; then a handoff
        stop(request, backend)  # mid-run: the specialist's model calls are still to come
        try:
            events = parse_sse("\n".join(lines) + "\n\n")
        finally:
            start(request, backend)
    assert events[-1] == ("error", {"message": "The conversation store could not be reached, so this answer was "
                                               "not saved. Try again in a moment."}), events

    # Back: the next turns work (the first may wait out the lease of the turn that failed).
    for _ in range(60):
        events = turn(base, "Is P100 in stock?", cid)
        if events[-1][0] == "run_completed":
            break
        assert events[-1][0] == "error", events  # while recovering, only clear errors
        time.sleep(0.5)
    assert events[-1][0] == "run_completed", events
    after = history(url, cid)
    assert after[:len(kept)] == kept  # the first turn is intact
    assert [m for m in user_messages(url, cid) if m != "北京的天气"] == ["Where is my order A1001?",
                                                                     "Is P100 in stock?"]


def chat_app_module():
    """The app module, loaded once per test session (test_07_projects loads it under the same name)."""
    import importlib.util
    import sys

    from sse_helpers import APP_DIR

    if "sse_chat_app" not in sys.modules:
        spec = importlib.util.spec_from_file_location("sse_chat_app", APP_DIR / "app.py")
        sys.modules["sse_chat_app"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["sse_chat_app"])  # workbook.setup(): the offline model
    return sys.modules["sse_chat_app"]


def test_a_full_connection_pool_is_reported_as_busy_not_unreachable(postgres, tmp_path):
    """A pool of one connection (CHAT_MAX_RUNS=1), held by another user of the pool: the request waits
    CHAT_POOL_WAIT and is told the store is busy, not that it could not be reached; then it serves again."""
    from dataclasses import replace

    from sqlalchemy import text

    chat = chat_app_module()
    app = chat.create_app(replace(chat.app.state.settings, session_url=postgres.url, max_runs=1, pool_wait=1.0,
                                  db_path=str(tmp_path / "unused.db")))
    engine = app.state.store.engine
    assert (engine.pool.size(), engine.pool._max_overflow) == (1, 0)  # sized for the runs at once
    cid = new_conversation()

    async def scenario() -> list[list[tuple[str, dict]]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8200", timeout=120) as client:
            async def ask() -> list[tuple[str, dict]]:
                response = await client.get("/api/chat/sse", params={"query": "Is P100 in stock?",
                                                                     "conversation_id": cid})
                return parse_sse(response.text)
            first = await ask()
            async with engine.connect() as held:  # the only connection, busy elsewhere
                await held.execute(text("SELECT 1"))
                busy = await ask()
            again = await ask()
        await app.state.store.close()
        return [first, busy, again]

    first, busy, again = asyncio.run(scenario())
    assert first[-1][0] == "run_completed" and again[-1][0] == "run_completed"
    assert busy == [("agent_updated", {"agent": "Triage agent"}),
                    ("error", {"message": "The conversation store is busy: no free database connection within "
                                          "1 seconds, so this answer was not saved. Try again in a moment."})]
    assert user_messages(postgres.url, cid) == ["Is P100 in stock?"] * 2  # the busy turn wrote nothing


# ---------- the approval flow in the page, in Chromium ----------

@pytest.fixture(scope="module")
def page_service(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page")
    env = server_env(CHAT_SESSION_URL=f"sqlite:///{folder}/chat.db", OFFLINE_MODEL_DELAY_MS="10")
    with uvicorn_server(folder, env, workers=2) as (base, _):
        yield base


@pytest.fixture
def page():
    from browser import launched_chromium

    with launched_chromium() as browser:  # Playwright's Chromium or Debian's; a one-line skip without one
        context = browser.new_context(viewport={"width": 1000, "height": 760})
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        yield page


def test_the_page_approves_and_rejects_a_refund(page, page_service):
    from playwright.sync_api import expect

    page.goto(page_service + "/")
    expect(page.locator("#conversation")).to_contain_text("conversation")
    for decision, result in [("Approve", '{"order_id": "A1002", "refunded_cny": 899, "status": "refunded"}'),
                             ("Reject", "Tool execution was not approved.")]:
        page.fill("#query", REFUND)
        page.press("#query", "Enter")
        box = page.locator(".approval").last
        expect(box).to_be_visible(timeout=30_000)
        expect(box.locator(".reason")).to_have_text("Refunds above 500 CNY need a supervisor's approval.")
        expect(box.locator(".call")).to_have_text('refund_order {"order_id": "A1002", "amount": 899}')
        expect(page.locator("#status")).to_have_text("waiting for approval")
        box.locator("button", has_text=decision).click()
        expect(box.locator("button").first).to_be_disabled()
        resumed = page.locator(".msg.assistant").last
        expect(resumed).to_have_attribute("data-state", "done", timeout=30_000)
        expect(resumed.locator(".handoff").first).to_have_text(
            "refund_order: approved" if decision == "Approve" else "refund_order: rejected")
        expect(resumed.locator(".tool")).to_have_text(f"refund_order → {result}")
        expect(page.locator("#status")).to_have_text("done")
    page.fill("#query", "Tell me a joke")
    page.press("#query", "Enter")
    rejected = page.locator(".msg.assistant").last
    expect(rejected).to_have_class("msg assistant rejected", timeout=30_000)
    expect(rejected.locator(".text")).to_have_text("The ITS desk answers questions about the weather, orders, "
                                                   "products, returns and refunds. (category: other)")
    assert page.dialogs == [] and page.locator(".error").count() == 0
    page.screenshot(path=str(ARTIFACTS / "sse_chat_approval.png"), full_page=True)
