"""Structured output: the agent's final answer is a validated Pydantic object (WeatherResult)."""

import asyncio
import os

from openai import AsyncOpenAI
from pydantic import BaseModel

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import Agent, OpenAIChatCompletionsModel, Runner  # noqa: E402

from workbook.course_tools import weather_tool  # noqa: E402

client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.environ["OPENAI_MODEL_NAME"]


class WeatherResult(BaseModel):
    city: str
    condition: str
    source: str
    message: str


async def main():
    if not workbook.supports("json_schema", instead="Describe the JSON in the instructions and parse the reply yourself."):
        return  # DeepSeek, for one, has only {"type": "json_object"}
    agent = Agent(
        name="天气助手",
        instructions="你是天气助手，只回答天气问题。当用户问天气时必须调用 get_weather。",
        model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
        tools=[weather_tool],
        output_type=WeatherResult,  # the provider must support response_format json_schema
    )
    result = await Runner.run(agent, "武汉的天气")
    weather = result.final_output_as(WeatherResult, raise_if_incorrect_type=True)
    print("final_output:", weather)
    print("as dict:", weather.model_dump())


if __name__ == "__main__":
    asyncio.run(main())
