"""MCP complete: an agent using tools, a prompt and a resource from an MCP server mounted in FastAPI.

    python 06_08_mcp_complete.py

Starts the desk's FastAPI app (desk_mcp_api.py) in this process on a free loopback port, connects
to its MCP endpoint, builds the agent's instructions from the server's prompt and refund-policy
resource, answers a question, and asks for approval before the MCP tool `open_rma` runs.
"""

import asyncio
import os
import socket

import uvicorn
from agents import Agent, OpenAIChatCompletionsModel, Runner
from agents.mcp import MCPServerStreamableHttp
from desk_mcp_api import HOST, app
from openai import AsyncOpenAI

import workbook


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


async def ask_desk(url: str) -> None:
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    model = OpenAIChatCompletionsModel(model=os.environ["OPENAI_MODEL_NAME"], openai_client=client)
    # require_approval: the MCP tool open_rma pauses the run, like needs_approval on a function tool.
    async with MCPServerStreamableHttp(params={"url": url}, name="ITS desk",
                                       require_approval={"open_rma": "always"}) as desk_mcp:
        prompt = await desk_mcp.get_prompt("desk_instructions", {"language": "English"})
        policy = await desk_mcp.read_resource("policy://refunds")
        instructions = f"{prompt.messages[0].content.text}\n\n{policy.contents[0].text}"
        agent = Agent(name="ITS desk", instructions=instructions, model=model, mcp_servers=[desk_mcp])

        result = await Runner.run(agent, "Where is order A1002?")
        print("answer:", result.final_output)

        result = await Runner.run(agent, "Please return order A1003 because the charger is broken")
        for item in result.interruptions:
            print(f"approval needed: {item.name} {item.arguments} (from MCP server {item.tool_origin.mcp_server_name!r})")
        state = result.to_state()
        for item in state.get_interruptions():
            state.approve(item)
        result = await Runner.run(agent, state)
        print("answer:", result.final_output)


async def main() -> None:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        await ask_desk(f"http://{HOST}:{port}/desk/mcp")
    finally:
        server.should_exit = True  # stop the API: no server left running
        await serving


if __name__ == "__main__":
    workbook.setup()
    asyncio.run(main())
