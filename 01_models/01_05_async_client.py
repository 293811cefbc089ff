"""The async client: one AsyncOpenAI, several requests at once, then an Agents SDK agent on it.

    python 01_05_async_client.py
"""

import asyncio
import os

from agents import Agent, OpenAIChatCompletionsModel, Runner
from openai import AsyncOpenAI

import workbook


async def main() -> None:
    workbook.setup()  # loads .env; starts the offline course model if no provider is configured
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    model = os.environ["OPENAI_MODEL_NAME"]

    questions = ["北京今天天气怎么样？", "你是谁？"]
    replies = await asyncio.gather(*(
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": q}]) for q in questions
    ))
    for question, reply in zip(questions, replies, strict=True):
        print(question, "->", reply.choices[0].message.content)

    # The Agents SDK awaits every model call, so its model must wrap an AsyncOpenAI client.
    agent = Agent(name="助手", instructions="你是一个乐于助人的助手",
                  model=OpenAIChatCompletionsModel(model=model, openai_client=client))
    result = await Runner.run(agent, "你好")
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
