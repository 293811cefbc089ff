"""Way 3 (方式三): the model object is bound to one agent.

Scope: this agent only. Each agent can use its own provider (customer service on Qwen,
analysis on DeepSeek) and needs no global or per-run setting.
"""

import asyncio
import os

from openai import AsyncOpenAI

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import Agent, OpenAIChatCompletionsModel, Runner, set_tracing_disabled  # noqa: E402

client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.environ["OPENAI_MODEL_NAME"]
set_tracing_disabled(disabled=True)


async def main():
    agent = Agent(
        name="Assistant",
        instructions="你只会用七言绝句回应.",
        # A model object, not a string: it carries its client and its API (Chat Completions).
        # A name with a slash such as "Qwen/Qwen3-32B" is safe here: no prefix lookup happens.
        model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
    )
    result = await Runner.run(agent, "给我写一首关于春天的七言绝句")
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
