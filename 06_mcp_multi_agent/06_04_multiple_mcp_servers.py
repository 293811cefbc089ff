"""The seed's weather / orders / finance services as three MCP servers, with one of them down.

MCPServerManager connects what it can, the agent runs with the active servers, and reconnect()
picks up the finance service once it is started. Every server process is stopped at the end.
"""

import asyncio
import os
from pathlib import Path

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner  # noqa: E402
from agents.mcp import MCPServerManager, MCPServerStreamableHttp  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402

from workbook.mcp_process import start_mcp_server  # noqa: E402
from workbook.offline import free_port  # noqa: E402

SERVER = Path(__file__).with_name("course_mcp_server.py")


def service(name: str, port: int | None = None):
    return start_mcp_server(SERVER, transport="streamable-http", port=port, args=["--service", name])


async def main():
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    use_responses = os.environ.get("OPENAI_RESPONSES_API", "true") == "true"
    model = (OpenAIResponsesModel if use_responses else OpenAIChatCompletionsModel)(
        os.environ["OPENAI_MODEL_NAME"], client)

    finance_port = free_port()  # nothing listens here until we start the finance service
    with service("weather") as weather, service("orders") as orders:
        clients = [
            MCPServerStreamableHttp(name="weather", params={"url": weather.url}, cache_tools_list=True),
            MCPServerStreamableHttp(name="orders", params={"url": orders.url}, cache_tools_list=True),
            MCPServerStreamableHttp(name="finance", params={"url": f"http://127.0.0.1:{finance_port}/mcp"},
                                    cache_tools_list=True),
        ]
        async with MCPServerManager(clients) as manager:
            print("active:", [s.name for s in manager.active_servers],
                  "failed:", [s.name for s in manager.failed_servers])
            agent = Agent(name="Super assistant", instructions="Use all of the company's tools.",
                          model=model, mcp_servers=manager.active_servers)
            result = await Runner.run(agent, "Weather in Tokyo, and the status of order A1001?")
            print(result.final_output)

            with service("finance", port=finance_port):
                await manager.reconnect()  # retries the failed servers only
                print("active after reconnect:", [s.name for s in manager.active_servers])
                agent.mcp_servers = manager.active_servers
                result = await Runner.run(agent, "Convert 100 CNY to USD")
                print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
