"""Chapter 07 chat backend under load and abuse, on a real uvicorn server with `ulimit -n 1024`.

The model runs as its own process (`python -m workbook serve`), so the chat server's descriptors
are the chat's own: its listening socket, its clients, its SQLite file and its connections to
the model (counted apart: the HTTP client keeps some of those open for reuse, by design).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import httpx
import psutil
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sse_helpers import external_model_env, model_process, parse_sse, server_env, uvicorn_process, wait_until

FD_LIMIT = 1024
LAST_EVENTS = {"run_completed", "error", "guardrail_rejected", "approval_required"}  # how a stream can end
TOOL_QUESTION = "Is P100 in stock?"


@contextmanager
def chat_server(tmp_path: Path, model_url: str):
    env = external_model_env(model_url, CHAT_PROVIDER_TIMEOUT="300")
    with uvicorn_process(tmp_path, env, fd_limit=FD_LIMIT) as (base, log_path, process):
        assert psutil.Process(process.pid).rlimit(psutil.RLIMIT_NOFILE)[0] == FD_LIMIT
        yield base, log_path, process


def own_fds(pid: int, model_port: int) -> int:
    """The server's open descriptors, less its idle connections to the model (a reuse pool)."""
    process = psutil.Process(pid)
    to_model = sum(1 for c in process.net_connections("tcp") if c.raddr and c.raddr.port == model_port)
    return process.num_fds() - to_model


def health(base: str) -> dict:
    return httpx.get(base + "/api/health", timeout=30).json()


def idle(base: str) -> bool:
    state = health(base)
    return state["active_runs"] == 0 and state["active_conversations"] == 0


async def one_stream(client: httpx.AsyncClient, base: str, conversation_id: str, leave_at: str | None = None):
    """One SSE request; with `leave_at`, hang up at the first event of that name. Returns the events."""
    params = {"query": TOOL_QUESTION, "conversation_id": conversation_id}
    text = ""
    async with client.stream("GET", base + "/api/chat/sse", params=params) as response:
        assert response.status_code == 200
        async for chunk in response.aiter_text():
            text += chunk
            if leave_at and f"event: {leave_at}" in text:
                break  # leaving the block closes the connection mid-stream
    return parse_sse(text.rsplit("\n\n", 1)[0] + "\n\n") if leave_at else parse_sse(text)


async def many_streams(base: str, n: int, prefix: str, leave_at: str | None = None) -> list:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(600, connect=120)) as client:
        return await asyncio.gather(*(one_stream(client, base, f"{prefix}-{i:04d}", leave_at) for i in range(n)),
                                    return_exceptions=True)


def test_200_concurrent_streams_under_ulimit_1024(tmp_path):
    with model_process() as (model_url, _), chat_server(tmp_path, model_url) as (base, log_path, _):
        results = asyncio.run(many_streams(base, 200, "load"))
        failures = [r for r in results if isinstance(r, BaseException)]
        assert not failures, failures[:3]
        last = [events[-1] for events in results]
        assert [name for name, _ in last] == ["run_completed"] * 200, [e for e in last if e[0] != "run_completed"][:3]
        assert all("42" in data["final_output"] for _, data in last)
        wait_until(lambda: idle(base), "runs or conversations were left behind")
        assert "Too many open files" not in log_path.read_text()


def test_disconnect_rounds_leave_no_descriptors_and_no_traceback(tmp_path):
    rounds, clients = 3, 100
    # A typewriter model: each answer streams for a while, so every client leaves mid-answer.
    with model_process(delay_ms=30) as (model_url, model_port), \
            chat_server(tmp_path, model_url) as (base, log_path, process):
        asyncio.run(many_streams(base, 2, "warm-up"))  # imports, the database file, first connections
        wait_until(lambda: idle(base), "warm-up did not finish")
        before = own_fds(process.pid, model_port)
        for r in range(rounds):
            results = asyncio.run(many_streams(base, clients, f"round{r}", leave_at="text_delta"))
            assert not [x for x in results if isinstance(x, BaseException)], results[:3]
            assert all(events[-1][0] == "text_delta" for events in results)  # each left mid-answer
            wait_until(lambda: idle(base), f"round {r}: runs or conversations were left behind", process)
            # Every request's cleanup ran and logged how its run ended: here, all were cancelled.
            expected = (r + 1) * clients
            wait_until(lambda: log_path.read_text().count(": cancelled") == expected,  # noqa: B023
                       f"round {r}: not every cleanup ran", process)
            after = own_fds(process.pid, model_port)
            assert after <= before + 3, f"round {r}: {after - before} descriptors left open"
        log = log_path.read_text()
        assert "Traceback" not in log and "Exception in ASGI application" not in log, log[-3000:]
        assert health(base)["status"] == "ok"


def test_delete_during_a_stream_leaves_an_empty_conversation(tmp_path):
    db_path = tmp_path / "chat.db"
    cid = "delete-during-stream"

    def stored() -> list[str]:
        with sqlite3.connect(db_path) as db:
            return [row[0] for row in db.execute("SELECT message_data FROM agent_messages WHERE session_id = ?",
                                                 (cid,))]

    # A slow typewriter model: the answer takes seconds to type, the DELETE comes in the middle.
    env = server_env(OFFLINE_MODEL_DELAY_MS="250")
    with uvicorn_process(tmp_path, env, fd_limit=FD_LIMIT) as (base, log_path, _):
        with httpx.stream("GET", base + "/api/chat/sse", timeout=120,
                          params={"query": TOOL_QUESTION, "conversation_id": cid}) as response:
            chunks, text = response.iter_text(), ""
            for chunk in chunks:
                text += chunk
                if "event: tool_completed" in text:
                    break
            assert "run_completed" not in text and health(base)["active_runs"] == 1
            # DELETE while the answer is still being typed; the stream is still open and read.
            cleared = httpx.delete(f"{base}/api/conversations/{cid}", timeout=120)
            assert cleared.json() == {"conversation_id": cid, "cleared": True}
            assert stored() == []
            text += "".join(chunks)  # the rest of the stream
        events = parse_sse(text)
        assert events[-1] == ("error", {"message": "The conversation was cleared before the answer was complete."})
        wait_until(lambda: idle(base), "the run or the conversation was left behind")
        time.sleep(1)  # the cancelled run gets every chance to write late; it must not
        assert stored() == []
        assert ": cleared" in log_path.read_text()
        # The conversation goes on, from an empty history: only the new turn is stored.
        with httpx.stream("GET", base + "/api/chat/sse", timeout=120,
                          params={"query": "Is P200 in stock?", "conversation_id": cid}) as response:
            assert parse_sse(response.read().decode())[-1][0] == "run_completed"
        history = stored()
        assert history and any("P200" in item for item in history) and not any("P100" in item for item in history)


# ---------- property-based fuzz of the chat endpoint's parameters ----------

@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    with uvicorn_process(tmp_path, fd_limit=FD_LIMIT) as (base, log_path, process):
        yield base, log_path, process


# Values an attacker or a careless client would send, already percent-encoded: any text (not only
# printable), raw bytes that are not UTF-8, ids of every length, empty values, repeated parameters.
texts = st.one_of(st.text(max_size=80), st.text(alphabet="abc-_/.%", max_size=70),
                  st.sampled_from(["", " ", "\x00", "a" * 2001, "天" * 2000, "../../etc/passwd", "%"]))
values = st.one_of(texts.map(lambda text: quote(text, safe="")),
                   st.binary(max_size=80).map(lambda raw: quote_from_bytes(raw, safe="")))
fields = st.sampled_from(["query", "conversation_id"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(fields, values), max_size=4), path=st.sampled_from(["chat", "query"]),
       cookie=st.one_of(st.none(), st.text(alphabet="abcdef0123456789-_;=", max_size=70)))
def test_fuzzed_parameters_never_500(fuzz_server, pairs, path, cookie):
    base, _, process = fuzz_server
    query_string = "&".join(f"{name}={value}" for name, value in pairs)
    assume(len(query_string) < 60_000)  # httpx itself refuses a URL over 64 KiB (four 2000-character 天 queries)
    headers = {"Cookie": f"conversation_id={cookie}"} if cookie is not None else {}
    response = httpx.get(f"{base}/api/{path}/sse?{query_string}", headers=headers, timeout=120)
    assert response.status_code in (200, 400, 422), (query_string, response.status_code, response.text[:300])
    if response.status_code == 200:
        assert parse_sse(response.text)[-1][0] in LAST_EVENTS, response.text[-300:]
    else:
        assert "detail" in response.json()
    assert process.poll() is None


def test_the_fuzzed_server_is_alive_and_clean(fuzz_server):
    """Runs after the fuzz (same module fixture): the server still answers and logged no traceback."""
    base, log_path, process = fuzz_server
    assert process.poll() is None and health(base)["status"] == "ok"
    wait_until(lambda: idle(base), "the fuzz left runs or conversations behind")
    log = log_path.read_text()
    assert "Traceback" not in log and " 500 " not in log, log[-3000:]
