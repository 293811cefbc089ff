"""Exercise for 06_02 (transports): connect an agent to an MCP server over stdio, and leave nothing running."""

from __future__ import annotations

import sys

import psutil

from workbook.lessons import ROOT
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_model

SERVER = str(ROOT / "06_mcp_multi_agent" / "course_mcp_server.py")

EXERCISES = [
    Exercise(
        id="06_02.1",
        title="Ask the desk over stdio",
        task="""Write `async def ask_desk(question, model, params)` that connects an `MCPServerStdio` with the
given `params` (a dict `{"command": ..., "args": [...]}` that starts the course server), runs an agent
that uses the server's tools on `question`, and returns the `final_output`.

The server must be **connected** before the run and **stopped** after it: `async with` does both.
The check asks questions of its own and then counts the course server processes still running.""",
        starter='''from agents import Agent, Runner
from agents.mcp import MCPServerStdio


async def ask_desk(question: str, model, params: dict) -> str:
    ...''',
        solution='''from agents import Agent, Runner
from agents.mcp import MCPServerStdio


async def ask_desk(question: str, model, params: dict) -> str:
    async with MCPServerStdio(name="ITS desk", params=params, cache_tools_list=True) as server:
        agent = Agent(name="ITS desk", instructions="Use the tools to answer.", model=model,
                      mcp_servers=[server])
        result = await Runner.run(agent, question)
    return result.final_output''',
        check="await check_ask_desk(ask_desk)",
        wrong_answers=[
            ("never connects the server", '''from agents import Agent, Runner
from agents.mcp import MCPServerStdio


async def ask_desk(question, model, params):
    server = MCPServerStdio(name="ITS desk", params=params)
    agent = Agent(name="ITS desk", instructions="Use the tools.", model=model, mcp_servers=[server])
    return (await Runner.run(agent, question)).final_output'''),
            ("connects but never cleans up", '''from agents import Agent, Runner
from agents.mcp import MCPServerStdio


async def ask_desk(question, model, params):
    server = MCPServerStdio(name="ITS desk", params=params)
    await server.connect()
    agent = Agent(name="ITS desk", instructions="Use the tools.", model=model, mcp_servers=[server])
    return (await Runner.run(agent, question)).final_output'''),
        ],
    ),
]


def _course_servers() -> set[int]:
    """Process ids of this Python's children running course_mcp_server.py."""
    found = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if any(part.endswith("course_mcp_server.py") for part in child.cmdline()):
                found.add(child.pid)
        except psutil.Error:  # a process that ended while we looked
            pass
    return found


def _stop(pids: set[int]) -> None:
    """Stop the servers a wrong answer left behind (the check started them, through the student's code)."""
    for pid in pids:
        try:
            psutil.Process(pid).terminate()
        except psutil.Error:
            pass


@check("06_02.1")
async def check_ask_desk(ask_desk):
    params = {"command": sys.executable, "args": [SERVER]}
    before = _course_servers()
    for question, words in (("What's the weather in Chongqing?", ["Chongqing"]), ("订单 A1002 到哪了？", ["A1002"])):
        answer = await call(f"ask_desk({question!r}, model, params)", ask_desk, question, course_model(), params,
                            hint="connect first: `async with MCPServerStdio(name=..., params=params) as server:`")
        expect(all(w in str(answer) for w in words), f"an answer about {words[0]} from the server's tools",
               short(answer), "return result.final_output of a run whose agent has mcp_servers=[server]")
    left = _course_servers() - before
    _stop(left)
    expect(not left, "no course server process left running", f"{len(left)} still running",
           "`async with` stops the stdio server at the end of the block (or call `await server.cleanup()`)")
    return "two answers over stdio, and the server process was stopped each time"
