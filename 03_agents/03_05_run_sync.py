"""Runner.run_sync: the synchronous way to run an agent, for plain scripts.

run_sync starts and stops its own event loop, so this program has no async main(). Never call
it inside a running loop (Jupyter, FastAPI, any async def): it raises RuntimeError there.
"""

import os

from openai import AsyncOpenAI

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import Agent, OpenAIChatCompletionsModel, Runner  # noqa: E402

# Still AsyncOpenAI: run_sync drives the same async machinery underneath.
client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.environ["OPENAI_MODEL_NAME"]


def main():
    agent = Agent(
        name="Assistant",
        instructions="You are the ITS customer-service desk. Answer briefly.",
        model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
    )
    result = Runner.run_sync(agent, "What are your opening hours?")
    print(type(result).__name__)
    print(result.final_output)


if __name__ == "__main__":
    main()
