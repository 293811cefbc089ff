"""Way 1 (方式一): one global client for every agent in the program.

set_default_openai_client + set_default_openai_api("chat_completions") + tracing off.
Scope: the whole process. Good for prototypes and single-model projects.
"""

import asyncio
import os

from openai import AsyncOpenAI

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import (  # noqa: E402
    Agent,
    MultiProvider,
    RunConfig,
    Runner,
    set_default_openai_api,
    set_default_openai_client,
    set_tracing_disabled,
)

# 1. An *async* client: the SDK awaits every call (a sync OpenAI client fails at call time).
client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.environ["OPENAI_MODEL_NAME"]

# 2. Register it for every agent. use_for_tracing=False: never send traces with a non-OpenAI key.
set_default_openai_client(client=client, use_for_tracing=False)
# Most OpenAI-compatible providers (Qwen, DeepSeek, ...) only speak Chat Completions;
# the SDK's default is the Responses API.
set_default_openai_api("chat_completions")
# Traces go to the OpenAI platform; with another provider's key they only log a non-fatal 401.
set_tracing_disabled(disabled=True)


async def main():
    # 3. The model is just a string: the global client and API resolve it.
    agent = Agent(
        name="Assistant",
        instructions="你只会用七言绝句回应",
        model=MODEL,
    )
    # A name such as "Qwen/Qwen3-32B" (SiliconFlow, vLLM) looks like "provider/model" to the SDK,
    # which stops with "Unknown prefix: Qwen"; model_id mode sends the whole name to our client.
    names_as_given = RunConfig(model_provider=MultiProvider(unknown_prefix_mode="model_id"))
    result = await Runner.run(agent, "给我写一首关于春天的七言绝句", run_config=names_as_given)
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
