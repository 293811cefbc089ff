"""Function calling by hand on Chat Completions: tool schema, tool_calls, tool messages, second call.

    python 02_02_function_calling_chat.py
"""

import asyncio
import json
import os

from openai import AsyncOpenAI

import workbook
from workbook.course_tools import get_weather

TOOLS = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city (查询城市天气)",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city name, e.g. 北京"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}]
FUNCTIONS = {"get_weather": get_weather}  # tool name -> the Python function that implements it


async def main() -> None:
    workbook.setup()  # loads .env; starts the offline course model if no provider is configured
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    model = os.environ["OPENAI_MODEL_NAME"]

    messages = [{"role": "user", "content": "北京和上海的天气怎么样？"}]
    first = await client.chat.completions.create(model=model, messages=messages, tools=TOOLS)
    message = first.choices[0].message
    messages.append(message)  # the assistant's tool calls stay in the history
    for call in message.tool_calls or []:
        print("tool call:", call.function.name, call.function.arguments)
        result = FUNCTIONS[call.function.name](**json.loads(call.function.arguments))
        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result, ensure_ascii=False)})

    second = await client.chat.completions.create(model=model, messages=messages, tools=TOOLS)
    print(second.choices[0].message.content)


if __name__ == "__main__":
    asyncio.run(main())
