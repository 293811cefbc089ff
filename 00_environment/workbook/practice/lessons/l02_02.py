"""Exercises for 02_02: a Chat Completions tool definition by hand, and the whole tool loop."""

from __future__ import annotations

import json

from workbook.course_tools import convert_currency, get_weather, query_order
from workbook.practice.core import Exercise, check, expect, model_name, parsed_json, recording_client, short

EXERCISES = [
    Exercise(
        id="02_02.1",
        title="Describe the currency tool by hand",
        task="""Write `currency_tool`, the Chat Completions definition of the course function
`convert_currency(amount, from_currency, to_currency)` (from `workbook.course_tools`): type
`"function"`, a `function` with `name`, `description` and `parameters`, a JSON schema with
`amount` (number), `from_currency` and `to_currency` (strings, ISO codes such as USD, CNY), all
required. The check sends it to the model with a question of its own and runs the call it gets.""",
        starter='''currency_tool = {
    "type": "function",
    "function": {
        # name, description, parameters
    },
}''',
        solution='''currency_tool = {
    "type": "function",
    "function": {
        "name": "convert_currency",
        "description": "Convert an amount of money from one currency to another (货币换算)",
        "parameters": {
            "type": "object",
            "properties": {
                "amount": {"type": "number", "description": "The amount to convert"},
                "from_currency": {"type": "string", "description": "ISO code of the currency you have, e.g. USD"},
                "to_currency": {"type": "string", "description": "ISO code of the currency you want, e.g. CNY"},
            },
            "required": ["amount", "from_currency", "to_currency"],
            "additionalProperties": False,
        },
    },
}''',
        check="check_currency_tool(currency_tool)",
        wrong_answers=[
            ("flat, Responses-style definition", '''currency_tool = {
    "type": "function",
    "name": "convert_currency",
    "description": "Convert money between currencies",
    "parameters": {"type": "object", "properties": {"amount": {"type": "number"},
                   "from_currency": {"type": "string"}, "to_currency": {"type": "string"}},
                   "required": ["amount", "from_currency", "to_currency"]},
}'''),
            ("parameter names that do not match the function", '''currency_tool = {"type": "function", "function": {
    "name": "convert_currency", "description": "Convert money between currencies",
    "parameters": {"type": "object", "properties": {"value": {"type": "number"}, "source": {"type": "string"},
                   "target": {"type": "string"}}, "required": ["value", "source", "target"]}}}'''),
        ],
    ),
    Exercise(
        id="02_02.2",
        title="The whole tool loop",
        task="""Write `answer_with_tools(client, question, tools, functions)`: ask `question` with `tools`; if the
reply has `tool_calls`, append the assistant message, run each call with `functions[name]` (a
dict name → Python function) and append one `tool` message per call (its `tool_call_id`, the
result as JSON), then ask again and return that reply's text. With no tool call, return the
first reply's text. The check passes tools and functions you have not seen.""",
        starter='''import json


def answer_with_tools(client, question: str, tools: list, functions: dict) -> str:
    messages = [{"role": "user", "content": question}]
    reply = client.chat.completions.create(model=MODEL, messages=messages, tools=tools)
    ...''',
        solution='''import json


def answer_with_tools(client, question: str, tools: list, functions: dict) -> str:
    messages = [{"role": "user", "content": question}]
    reply = client.chat.completions.create(model=MODEL, messages=messages, tools=tools)
    message = reply.choices[0].message
    if not message.tool_calls:
        return message.content
    messages.append(message)
    for call in message.tool_calls:
        result = functions[call.function.name](**json.loads(call.function.arguments))
        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result, ensure_ascii=False)})
    final = client.chat.completions.create(model=MODEL, messages=messages, tools=tools)
    return final.choices[0].message.content''',
        check="check_tool_loop(answer_with_tools)",
        wrong_answers=[
            ("returns the first reply (no loop)", '''def answer_with_tools(client, question, tools, functions):
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": question}], tools=tools)
    return reply.choices[0].message.content'''),
            ("result sent as a user message", '''import json


def answer_with_tools(client, question, tools, functions):
    messages = [{"role": "user", "content": question}]
    message = client.chat.completions.create(model=MODEL, messages=messages, tools=tools).choices[0].message
    for call in message.tool_calls or []:
        result = functions[call.function.name](**json.loads(call.function.arguments))
        messages.append({"role": "user", "content": json.dumps(result, ensure_ascii=False)})
    return client.chat.completions.create(model=MODEL, messages=messages, tools=tools).choices[0].message.content'''),
        ],
    ),
]


def _function(name: str, description: str, **properties: str) -> dict:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": {p: {"type": "string", "description": d} for p, d in properties.items()},
        "required": list(properties), "additionalProperties": False}}}


@check("02_02.1")
def check_currency_tool(currency_tool):
    expect(isinstance(currency_tool, dict) and currency_tool.get("type") == "function",
           "a dict with type 'function'", short(currency_tool, 80), 'start from {"type": "function", "function": {...}}')
    function = currency_tool.get("function")
    expect(isinstance(function, dict), "name, description and parameters nested under 'function' (Chat Completions)",
           f"keys {sorted(currency_tool)}", "Chat Completions nests them; the flat form is the Responses API's")
    expect(function.get("name") == "convert_currency", "name 'convert_currency'", short(function.get("name")),
           "the name the model will call, the same as the Python function's")
    properties = (function.get("parameters") or {}).get("properties", {})
    expect(set(properties) == {"amount", "from_currency", "to_currency"},
           "parameters amount, from_currency, to_currency", f"{sorted(properties)}",
           "the model's arguments become the function's keyword arguments: use its parameter names")
    expect(properties["amount"].get("type") == "number", "amount of type 'number'", short(properties["amount"]),
           'use {"type": "number"} for an amount')
    client, _ = recording_client()
    reply = client.chat.completions.create(
        model=model_name(), messages=[{"role": "user", "content": "250 欧元能换多少日元？"}], tools=[currency_tool])
    calls = reply.choices[0].message.tool_calls or []
    expect(calls and calls[0].function.name == "convert_currency", "the model calls convert_currency",
           f"{len(calls)} tool calls", "give the tool a description that says it converts money")
    arguments = json.loads(calls[0].function.arguments)
    expect(arguments.get("amount") == 250, "amount=250 in the call", short(arguments), "describe each parameter")
    convert_currency(**arguments)  # the model's arguments must fit the Python function
    return "the model called convert_currency with amount 250, and the function accepted its arguments"


@check("02_02.2")
def check_tool_loop(answer_with_tools):
    tools = [_function("query_order", "Look up an order's status by its id (查询订单状态)", order_id="The order id"),
             _function("get_weather", "Get the current weather for a city (查询城市天气)", city="The city name")]
    functions = {"query_order": query_order, "get_weather": get_weather}
    client, recorder = recording_client()
    answer = answer_with_tools(client, "订单 B2001 现在是什么状态？", tools, functions)
    sent, replies = recorder.requests("/chat/completions"), recorder.responses("/chat/completions")
    expect(len(sent) == 2, "two requests: one that gets the tool call, one that answers from its result",
           f"{len(sent)} request(s)", "after running the tool, call the model again with the longer history")
    call = replies[0]["choices"][0]["message"]["tool_calls"][0]
    history = sent[1]["messages"]
    expect(any(m.get("role") == "assistant" and m.get("tool_calls") for m in history),
           "the assistant's tool-call message in the second request", f"roles {[m.get('role') for m in history]}",
           "messages.append(message) before the tool results")
    results = [m for m in history if m.get("role") == "tool"]
    expect(results and results[0].get("tool_call_id") == call["id"],
           "a 'tool' message whose tool_call_id is the call's id", f"roles {[m.get('role') for m in history]}",
           "append {'role': 'tool', 'tool_call_id': call.id, 'content': ...}")
    content = parsed_json(results[0].get("content"))
    expect(content == query_order("B2001"), "the function's result, as JSON, in the tool message", short(content, 80),
           "run functions[call.function.name](**json.loads(call.function.arguments)) and json.dumps the result")
    expect(answer == replies[1]["choices"][0]["message"]["content"], "the second reply's text", short(answer, 60),
           "return the final reply's choices[0].message.content")
    client, recorder = recording_client()
    greeting = answer_with_tools(client, "你好", tools, functions)
    expect(len(recorder.requests("/chat/completions")) == 1 and isinstance(greeting, str) and greeting,
           "a question that needs no tool: one request, its text returned",
           f"{len(recorder.requests('/chat/completions'))} request(s), {short(greeting, 40)}",
           "when message.tool_calls is empty, return message.content")
    return "call, run, send back with the call id, answer; and no loop when no tool is needed"
