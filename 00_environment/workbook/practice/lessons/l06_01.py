"""Exercise for 06_01 (what MCP is): write a tool on an mcp 2.x MCPServer, then let an agent find it."""

from __future__ import annotations

import json

from agents import Agent, Runner
from agents.items import ToolCallItem
from agents.mcp import MCPServerStreamableHttp

from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import course_model, served_mcp

EXERCISES = [
    Exercise(
        id="06_01.1",
        title="A tool on your own MCP server",
        task="""Write an MCP server (MCP 服务器) `mcp = MCPServer("Shipping desk")` with one tool,
`shipping_fee(weight_kg: float, express: bool = False) -> dict`, registered with `@mcp.tool()` (with
the parentheses). The fee in CNY is 10 plus 2 per kilogram, plus 15 for express; return
`{"weight_kg": ..., "express": ..., "fee": ...}`. Give it a docstring: over MCP the docstring is the
description the model reads to choose a tool.

The check asks your server for its tools, calls the tool with weights of its own, then serves it
over streamable HTTP and lets an agent discover and use it.""",
        starter='''from mcp.server.mcpserver import MCPServer

mcp = MCPServer("Shipping desk", log_level="WARNING")


def shipping_fee(weight_kg: float, express: bool = False) -> dict:
    ...''',
        solution='''from mcp.server.mcpserver import MCPServer

mcp = MCPServer("Shipping desk", log_level="WARNING")


@mcp.tool()
def shipping_fee(weight_kg: float, express: bool = False) -> dict:
    """Shipping fee in CNY for a parcel: 10 plus 2 per kilogram, plus 15 for express delivery (运费)."""
    fee = 10 + 2 * weight_kg + (15 if express else 0)
    return {"weight_kg": weight_kg, "express": express, "fee": fee}''',
        check="await check_mcp_tool(mcp)",
        wrong_answers=[
            ("a tool without a docstring", '''from mcp.server.mcpserver import MCPServer

mcp = MCPServer("Shipping desk", log_level="WARNING")


@mcp.tool()
def shipping_fee(weight_kg: float, express: bool = False) -> dict:
    return {"weight_kg": weight_kg, "express": express, "fee": 10 + 2 * weight_kg + (15 if express else 0)}'''),
            ("express ignored", '''from mcp.server.mcpserver import MCPServer

mcp = MCPServer("Shipping desk", log_level="WARNING")


@mcp.tool()
def shipping_fee(weight_kg: float, express: bool = False) -> dict:
    """Shipping fee in CNY for a parcel of weight_kg kilograms."""
    return {"weight_kg": weight_kg, "express": express, "fee": 10 + 2 * weight_kg}'''),
        ],
    ),
]


def _fee(result) -> object:
    """The fee out of an MCP CallToolResult (one JSON text part)."""
    text = "".join(getattr(part, "text", "") for part in result.content)
    try:
        return json.loads(text).get("fee")
    except (ValueError, AttributeError):
        return text


@check("06_01.1")
async def check_mcp_tool(mcp):
    expect(hasattr(mcp, "list_tools") and hasattr(mcp, "streamable_http_app"),
           "an mcp.server.mcpserver.MCPServer", short(mcp), 'mcp = MCPServer("Shipping desk")')
    tools = {tool.name: tool for tool in await mcp.list_tools()}
    expect("shipping_fee" in tools, "a tool named shipping_fee on the server", str(sorted(tools)) if tools else "no tools at all",
           "put @mcp.tool() (with parentheses) on the line above def shipping_fee")
    tool = tools["shipping_fee"]
    expect(tool.description and tool.description.strip(), "a description the model can read", repr(tool.description),
           "write a docstring: MCP announces it as the tool's description")
    expect(tool.input_schema.get("required") == ["weight_kg"],
           "weight_kg required, express optional", str(tool.input_schema.get("required")),
           "give express a default: express: bool = False")
    for arguments, fee in (({"weight_kg": 7.5, "express": True}, 40.0), ({"weight_kg": 0.5}, 11.0)):
        got = _fee(await mcp.call_tool("shipping_fee", arguments))
        expect(got == fee, f"fee {fee} for {arguments}", short(got), "10 + 2 per kg, + 15 when express")
    async with served_mcp(mcp) as url, MCPServerStreamableHttp(name="Shipping desk", params={"url": url}) as server:
        agent = Agent(name="Desk", instructions="Use the tools.", model=course_model(), mcp_servers=[server])
        result = await Runner.run(agent, "What is the shipping fee for a 6 kg parcel?")
    calls = [i for i in result.new_items if isinstance(i, ToolCallItem)]
    expect(calls and calls[0].tool_origin.mcp_server_name == "Shipping desk",
           "the agent calls shipping_fee on your server", str([c.tool_name for c in calls]),
           "the model chooses by name and description: say what the tool does in the docstring")
    return f"an agent discovered shipping_fee over MCP and answered: {result.final_output}"
