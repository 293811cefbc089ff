"""Way 2 (方式二): a ModelProvider passed per run in RunConfig.

Scope: one Runner.run call. Nothing global is changed, so different runs in the same program
can use different providers.
"""

from __future__ import annotations

import asyncio
import os

from openai import AsyncOpenAI

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import (  # noqa: E402
    Agent,
    Model,
    ModelProvider,
    OpenAIChatCompletionsModel,
    OpenAIProvider,
    RunConfig,
    Runner,
)

client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.environ["OPENAI_MODEL_NAME"]


class CustomModelProvider(ModelProvider):
    # The seed wrote `model_name: str`; the base class says `str | None` (None = the agent set no model).
    def get_model(self, model_name: str | None) -> Model:
        # Returning a Chat Completions model means no set_default_openai_api(...) is needed.
        return OpenAIChatCompletionsModel(model=model_name or MODEL, openai_client=client)


async def main():
    agent = Agent(name="Assistant", instructions="你只会用七言绝句回应.", model=MODEL)  # a string, resolved by the provider

    # Tracing is switched off for this run only (no global call needed).
    result = await Runner.run(
        agent,
        input="给我写一首关于春天的七言绝句",
        run_config=RunConfig(model_provider=CustomModelProvider(), tracing_disabled=True),
    )
    print("custom provider:  ", result.final_output)

    # The SDK ships this provider already: no class to write.
    built_in = OpenAIProvider(openai_client=client, use_responses=False)
    result = await Runner.run(
        agent,
        input="给我写一首关于春天的七言绝句",
        run_config=RunConfig(model_provider=built_in, tracing_disabled=True),
    )
    print("OpenAIProvider:   ", result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
