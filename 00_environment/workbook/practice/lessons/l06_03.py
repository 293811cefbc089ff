"""Exercise for 06_03 (what an MCP call leaves behind): tell MCP tool calls from function tool calls."""

from __future__ import annotations

from agents import Agent, Runner
from agents.items import ToolCallItem
from agents.mcp import MCPServerStreamableHttp

from workbook.course_tools import get_weather, inventory_tool, query_order
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_mcp_server, course_model, served_mcp

EXERCISES = [
    Exercise(
        id="06_03.1",
        title="Which calls went to an MCP server?",
        task="""An agent can have `@function_tool`s and MCP servers at once. Write `mcp_calls(result)` that
returns `(tool_name, server_name)` for every tool call of the run that was served by an MCP server, in
order, and leaves out function tools. Use `item.tool_origin` of each `ToolCallItem`.

The check runs an agent with a function tool and an MCP server of its own, named differently from
the lesson's.""",
        starter='''def mcp_calls(result) -> list[tuple[str, str]]:
    calls = []
    ...
    return calls''',
        solution='''from agents.items import ToolCallItem


def mcp_calls(result) -> list[tuple[str, str]]:
    calls = []
    for item in result.new_items:
        if isinstance(item, ToolCallItem) and item.tool_origin and item.tool_origin.mcp_server_name:
            calls.append((item.tool_name, item.tool_origin.mcp_server_name))
    return calls''',
        check="await check_mcp_calls(mcp_calls)",
        wrong_answers=[
            ("every tool call, function tools included", '''from agents.items import ToolCallItem


def mcp_calls(result):
    return [(item.tool_name, item.tool_origin.mcp_server_name) for item in result.new_items
            if isinstance(item, ToolCallItem)]'''),
        ],
    ),
]


@check("06_03.1")
async def check_mcp_calls(mcp_calls):
    server = course_mcp_server(get_weather, query_order, name="Regional services")
    async with served_mcp(server) as url, MCPServerStreamableHttp(name="华东服务", params={"url": url}) as client:
        agent = Agent(name="Desk", instructions="Use the tools.", model=course_model(), tools=[inventory_tool],
                      mcp_servers=[client])
        result = await Runner.run(agent, "Weather in Lima, and is P100 in stock?")
    truth = [(i.tool_name, i.tool_origin.mcp_server_name) for i in result.new_items
             if isinstance(i, ToolCallItem) and i.tool_origin.mcp_server_name]
    got = await call("mcp_calls(result)", mcp_calls, result)
    got = [tuple(p) if isinstance(p, list) else p for p in got] if isinstance(got, list) else got
    every = [i.tool_name for i in result.new_items if isinstance(i, ToolCallItem)]
    expect(got == truth, f"{truth} (the run called {every})", short(got),
           "a function tool's origin has mcp_server_name None: keep only calls whose origin names a server"
           if isinstance(got, list) and len(got) > len(truth) else
           "read item.tool_origin.mcp_server_name of each ToolCallItem")
    return f"mcp_calls kept {truth} and left out the function tool"
