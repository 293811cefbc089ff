"""The seed's SSE program, corrected: an agent using the course MCP server over SSE.

The lesson starts the server itself (in production it is a service of its own), connects with
`async with`, runs the agent, and stops the server: nothing is left running.
"""

import asyncio
import os
from pathlib import Path

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import Agent, ModelSettings, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner  # noqa: E402
from agents.mcp import MCPServerSse  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402

from workbook.mcp_process import start_mcp_server  # noqa: E402

SERVER = Path(__file__).with_name("course_mcp_server.py")


async def main():
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    use_responses = os.environ.get("OPENAI_RESPONSES_API", "true") == "true"
    model = (OpenAIResponsesModel if use_responses else OpenAIChatCompletionsModel)(
        os.environ["OPENAI_MODEL_NAME"], client)
    workspace_id = "demo-workspace"

    with start_mcp_server(SERVER, transport="sse") as process:  # stopped when the block ends
        async with MCPServerSse(
            name="SSE Python Server",
            params={"url": process.url, "headers": {"X-Workspace": workspace_id}},
            cache_tools_list=True,  # fetch the tool list once per connection
        ) as server:
            agent = Agent(
                name="智能助手",
                instructions="使用提供的工具回答用户问题。",
                model=model,  # the seed put model= inside ModelSettings, where it is ignored
                model_settings=ModelSettings(tool_choice="required"),
                mcp_servers=[server],
            )
            result = await Runner.run(agent, "东京现在的天气怎么样？")
            print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
