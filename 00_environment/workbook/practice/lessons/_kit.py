"""Shared pieces of the exercises of chapters 04-07: the course model for a check, calling the
student's code so that an exception becomes feedback, and small helpers for streams and SSE."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import weakref
from typing import Any

from agents import Agent, OpenAIChatCompletionsModel
from openai import AsyncOpenAI

from workbook.practice.core import Unmet, short

_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop -> its client


def course_model() -> OpenAIChatCompletionsModel:
    """The model a lesson builds after `workbook.setup()`. One client per event loop: a client's
    connection pool belongs to the loop it was first used on."""
    loop = asyncio.get_running_loop()
    if loop not in _clients:
        _clients[loop] = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return OpenAIChatCompletionsModel(model=os.environ["OPENAI_MODEL_NAME"], openai_client=_clients[loop])


async def call(what: str, function: Any, *args: Any, hint: str = "", **kwargs: Any) -> Any:
    """Call the student's function (sync or async); an exception becomes feedback, not a crash."""
    if not callable(function):
        raise Unmet(f"{what} is a function", f"{type(function).__name__}: {short(function, 60)}",
                    hint or "define it with def (or async def) in the exercise cell, then run that cell")
    try:
        value = function(*args, **kwargs)
        if inspect.isawaitable(value):
            value = await value
        return value
    except Unmet:
        raise
    except Exception as error:  # the student's code may raise anything: it becomes feedback
        raise Unmet(f"{what} runs without an exception", f"{type(error).__name__}: {error}"[:300],
                    hint or "read the error, fix the cell and run it again") from error


async def build_agent(what: str, builder: Any, *args: Any) -> Agent:
    """Call a student's `build_...(model)` and insist on an Agent back."""
    agent = await call(what, builder, *args)
    if not isinstance(agent, Agent):
        raise Unmet(f"{what} returns an Agent", f"{type(agent).__name__}: {short(agent, 60)}",
                    "end the function with `return Agent(...)`")
    return agent


def sse_frames(body: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of an SSE body; data is parsed JSON when it is JSON, else the text."""
    frames = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        event, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            text = "\n".join(data)
            try:
                frames.append((event, json.loads(text)))
            except ValueError:
                frames.append((event, text))
    return frames


def record_stream(result) -> list:
    """Wrap a streamed result so that every event the student's code reads is also kept here."""
    seen: list = []
    original = result.stream_events

    async def recording():
        async for event in original():
            seen.append(event)
            yield event

    result.stream_events = recording
    return seen


async def drain(result) -> None:
    """Read what the student's code left of a stream: the run task ends cleanly, and a recording
    (record_stream) holds every event of the run."""
    async for _ in result.stream_events():
        pass


class served_mcp:  # noqa: N801 - used as `async with served_mcp(server) as url`
    """Serve an mcp 2.x `MCPServer` over streamable HTTP on a free loopback port, in a thread.

    `async with served_mcp(mcp) as url:` gives `http://127.0.0.1:PORT/mcp`; the server stops at the end.
    """

    def __init__(self, mcp_server) -> None:
        self.mcp_server = mcp_server

    async def __aenter__(self) -> str:
        import threading

        import uvicorn

        from workbook.offline import free_port

        app = self.mcp_server.streamable_http_app()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            await asyncio.sleep(0.05)
        return f"http://127.0.0.1:{self.server.config.port}/mcp"

    async def __aexit__(self, *exc) -> None:
        self.server.should_exit = True
        await asyncio.to_thread(self.thread.join, 10)


def course_mcp_server(*functions, name: str = "Course tools"):
    """An MCP server offering some of the course's plain functions (as 06's course_mcp_server does)."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(name, log_level="WARNING")
    for function in functions:
        server.tool()(function)
    return server


async def get_sse(router_or_app, path: str, params: dict, timeout: float = 60) -> tuple[int, str, str]:
    """GET an SSE path from the student's APIRouter (mounted on a fresh FastAPI app) or app, in-process.

    Returns (status, content type, body). A stream that breaks mid-way raises; the caller reports it.
    """
    import httpx
    from fastapi import APIRouter, FastAPI

    app = router_or_app
    if isinstance(router_or_app, APIRouter):
        app = FastAPI()
        app.include_router(router_or_app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=timeout) as client:
        response = await asyncio.wait_for(client.get(path, params=params), timeout)
    return response.status_code, response.headers.get("content-type", ""), response.text


def mount(router_or_app):
    """A FastAPI app holding the student's router (or their app itself)."""
    from fastapi import APIRouter, FastAPI

    if isinstance(router_or_app, APIRouter):
        app = FastAPI()
        app.include_router(router_or_app)
        return app
    return router_or_app


def broken_model():
    """A Chat Completions model whose provider is down: a free port nothing listens on, no retries."""
    from workbook.offline import free_port

    client = AsyncOpenAI(base_url=f"http://127.0.0.1:{free_port()}/v1", api_key="no-key", max_retries=0, timeout=5)
    return OpenAIChatCompletionsModel(model=os.environ["OPENAI_MODEL_NAME"], openai_client=client)
