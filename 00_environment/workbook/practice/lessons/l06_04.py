"""Exercise for 06_04 (several MCP servers): a client-side tool filter for a read-only front desk."""

from __future__ import annotations

from agents import Agent, Runner
from agents.items import ToolCallItem

from workbook.course_tools import open_rma, query_order
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_mcp_server, course_model, served_mcp

EXERCISES = [
    Exercise(
        id="06_04.1",
        title="A read-only client for the order service",
        task="""The order service offers `query_order` and `open_rma`. The front desk may look orders up but
must not open returns. Write `front_desk_client(url)` that returns an (unconnected)
`MCPServerStreamableHttp` for the service at `url` whose tool filter (工具过滤) lets the agent see
only `query_order`. The server stays as it is: the filter is on the client.

The check serves an order service, connects your client, lists what the agent sees, and asks for a
return.""",
        starter='''from agents.mcp import MCPServerStreamableHttp, create_static_tool_filter


def front_desk_client(url: str) -> MCPServerStreamableHttp:
    return MCPServerStreamableHttp(name="Order service", params={"url": url})''',
        solution='''from agents.mcp import MCPServerStreamableHttp, create_static_tool_filter


def front_desk_client(url: str) -> MCPServerStreamableHttp:
    return MCPServerStreamableHttp(name="Order service", params={"url": url},
                                   tool_filter=create_static_tool_filter(allowed_tool_names=["query_order"]))''',
        check="await check_front_desk_client(front_desk_client)",
        wrong_answers=[
            ("the allow list and the block list swapped", '''from agents.mcp import MCPServerStreamableHttp, create_static_tool_filter


def front_desk_client(url):
    return MCPServerStreamableHttp(name="Order service", params={"url": url},
                                   tool_filter=create_static_tool_filter(allowed_tool_names=["open_rma"]))'''),
        ],
    ),
]


@check("06_04.1")
async def check_front_desk_client(front_desk_client):
    async with served_mcp(course_mcp_server(query_order, open_rma, name="Order service")) as url:
        client = await call("front_desk_client(url)", front_desk_client, url)
        expect(hasattr(client, "connect") and hasattr(client, "list_tools"), "an MCPServerStreamableHttp",
               short(client), "return MCPServerStreamableHttp(name=..., params={'url': url}, tool_filter=...)")
        async with client:
            agent = Agent(name="Front desk", instructions="Help customers with their orders.",
                          model=course_model(), mcp_servers=[client])
            seen = sorted(t.name for t in await agent.get_mcp_tools(run_context=None))
            expect(seen == ["query_order"], "the agent sees ['query_order'] only", str(seen),
                   "tool_filter=create_static_tool_filter(allowed_tool_names=[...]) (or blocked_tool_names)")
            result = await Runner.run(agent, "I want to return order A1002, it is broken.")
    called = [i.tool_name for i in result.new_items if isinstance(i, ToolCallItem)]
    expect("open_rma" not in called, "no open_rma call from the front desk", str(called), "filter open_rma out")
    return f"the front desk sees only query_order; asked for a return it called {called or 'no tool'}"
