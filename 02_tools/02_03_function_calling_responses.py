"""Function calling by hand on the Responses API: flat tools, function_call items,
function_call_output items, previous_response_id for the second turn.

    python 02_03_function_calling_responses.py

Needs a provider with the Responses API (OpenAI, DashScope's Qwen, Ollama, vLLM, or the offline
course model); elsewhere it says so in one line: 02_02_function_calling_chat.py is the Chat way.
"""

import asyncio
import json
import os

from openai import AsyncOpenAI

import workbook
from workbook.course_tools import get_weather

TOOLS = [{
    "type": "function",  # flat: no nested "function" object on the Responses API
    "name": "get_weather",
    "description": "Get the current weather for a city (查询城市天气)",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city name, e.g. 东京"}},
        "required": ["city"],
        "additionalProperties": False,
    },
}]
FUNCTIONS = {"get_weather": get_weather}


async def main() -> None:
    workbook.setup()  # loads .env; starts the offline course model if no provider is configured
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    model = os.environ["OPENAI_MODEL_NAME"]
    if not workbook.supports("responses_api", instead="02_02_function_calling_chat.py calls tools on Chat Completions."):
        return

    first = await client.responses.create(model=model, input="东京天气怎么样？", tools=TOOLS)
    outputs = []
    for item in first.output:
        if item.type == "function_call":
            print("function_call:", item.name, item.arguments)
            result = FUNCTIONS[item.name](**json.loads(item.arguments))
            outputs.append({"type": "function_call_output", "call_id": item.call_id,
                            "output": json.dumps(result, ensure_ascii=False)})

    if workbook.has("stored_responses"):  # the provider keeps the first turn: send only the tool outputs
        second = await client.responses.create(model=model, previous_response_id=first.id, input=outputs, tools=TOOLS)
    else:  # a stateless server (Ollama): send the whole exchange again
        history = [{"role": "user", "content": "东京天气怎么样？"}, *first.output, *outputs]
        second = await client.responses.create(model=model, input=history, tools=TOOLS)
    print(second.output_text)


if __name__ == "__main__":
    asyncio.run(main())
