"""The seed's weather agent (天气助手): one agent, one tool, one question."""

import asyncio
import os

from openai import AsyncOpenAI

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import Agent, OpenAIChatCompletionsModel, Runner  # noqa: E402

from workbook.course_tools import weather_tool  # noqa: E402  (@function_tool over get_weather)

client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.environ["OPENAI_MODEL_NAME"]


async def main():
    agent = Agent(
        name="天气助手",
        instructions="你是一个天气助手，你只能回答关于天气的问题。",
        model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
        tools=[weather_tool],  # always a list
    )
    result = await Runner.run(agent, "武汉的天气")
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
