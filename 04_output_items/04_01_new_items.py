"""The seed's output-items program: run the weather agent and print every item the run recorded."""

import asyncio
import os

from openai import AsyncOpenAI

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import Agent, OpenAIChatCompletionsModel, Runner  # noqa: E402

from workbook.course_tools import weather_tool  # noqa: E402

client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.environ["OPENAI_MODEL_NAME"]


async def main():
    agent = Agent(
        name="天气助手",
        instructions="你是一个天气助手，你只能回答关于天气的问题。",
        model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
        tools=[weather_tool],
    )
    result = await Runner.run(agent, "武汉的天气")

    for item in result.new_items:
        # Expect ToolCallItem, ToolCallOutputItem, MessageOutputItem (the seed said ResponseOutputItem).
        print(f"Agent运行期间输出项类型: {type(item).__name__}, 输出项对象: {item.raw_item}")

    print(f"Agent最终输出: {result.final_output}")


if __name__ == "__main__":
    asyncio.run(main())
