"""Exercises for 02_03: a flat Responses tool definition, and the loop with previous_response_id."""

from __future__ import annotations

import json

from workbook.course_tools import check_inventory, query_order
from workbook.practice.core import Exercise, check, expect, model_name, parsed_json, recording_client, short

EXERCISES = [
    Exercise(
        id="02_03.1",
        title="A flat tool definition",
        task="""Write `order_tool`, the **Responses API** definition of the course function
`query_order(order_id)`: flat, with `type`, `name`, `description` and `parameters` side by side
(no nested `function`). The check asks the model about an order and looks at the `function_call`
item it gets back.""",
        starter='''order_tool = {
    "type": "function",
    # name, description, parameters
}''',
        solution='''order_tool = {
    "type": "function",
    "name": "query_order",
    "description": "Look up an order's status and delivery estimate by its id (查询订单状态)",
    "parameters": {
        "type": "object",
        "properties": {"order_id": {"type": "string", "description": "The order id, e.g. A1001"}},
        "required": ["order_id"],
        "additionalProperties": False,
    },
}''',
        check="check_order_tool(order_tool)",
        wrong_answers=[
            ("nested, Chat Completions-style definition", '''order_tool = {"type": "function", "function": {
    "name": "query_order", "description": "Look up an order by id",
    "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}}'''),
        ],
    ),
    Exercise(
        id="02_03.2",
        title="Send the results back by call_id",
        task="""Write `answer_with_tools(client, question, tools, functions)` on the Responses API: ask; for each
`function_call` item run `functions[item.name]` and build a `function_call_output` input item with
the same `call_id` and the result as JSON; send **only those outputs** with `previous_response_id`
set to the first response's id; return the second response's `output_text`. With no function
call, return the first `output_text`.""",
        starter='''import json


def answer_with_tools(client, question: str, tools: list, functions: dict) -> str:
    first = client.responses.create(model=MODEL, input=question, tools=tools)
    ...''',
        solution='''import json


def answer_with_tools(client, question: str, tools: list, functions: dict) -> str:
    first = client.responses.create(model=MODEL, input=question, tools=tools)
    outputs = []
    for item in first.output:
        if item.type == "function_call":
            result = functions[item.name](**json.loads(item.arguments))
            outputs.append({"type": "function_call_output", "call_id": item.call_id,
                            "output": json.dumps(result, ensure_ascii=False)})
    if not outputs:
        return first.output_text
    second = client.responses.create(model=MODEL, previous_response_id=first.id, input=outputs, tools=tools)
    return second.output_text''',
        check="check_responses_loop(answer_with_tools)",
        wrong_answers=[
            ("outputs sent without previous_response_id", '''import json


def answer_with_tools(client, question, tools, functions):
    first = client.responses.create(model=MODEL, input=question, tools=tools)
    outputs = [{"type": "function_call_output", "call_id": i.call_id,
                "output": json.dumps(functions[i.name](**json.loads(i.arguments)))}
               for i in first.output if i.type == "function_call"]
    if not outputs:
        return first.output_text
    return client.responses.create(model=MODEL, input=outputs, tools=tools).output_text'''),
        ],
    ),
]


def _flat(name: str, description: str, **properties: str) -> dict:
    return {"type": "function", "name": name, "description": description, "parameters": {
        "type": "object", "properties": {p: {"type": "string", "description": d} for p, d in properties.items()},
        "required": list(properties), "additionalProperties": False}}


@check("02_03.1")
def check_order_tool(order_tool):
    expect(isinstance(order_tool, dict) and order_tool.get("type") == "function", "a dict with type 'function'",
           short(order_tool, 80), 'start from {"type": "function", ...}')
    expect("name" in order_tool and "function" not in order_tool,
           "a flat definition: name, description, parameters next to type", f"keys {sorted(order_tool)}",
           "the Responses API does not nest them under 'function' (that is Chat Completions)")
    expect(order_tool.get("name") == "query_order", "name 'query_order'", short(order_tool.get("name")),
           "the model calls the tool by this name")
    client, _ = recording_client()
    response = client.responses.create(model=model_name(), input="订单 A1003 送到了吗？", tools=[order_tool])
    calls = [item for item in response.output if item.type == "function_call"]
    expect(calls and calls[0].name == "query_order", "a function_call item for query_order",
           f"output items {[item.type for item in response.output]}", "describe what the tool does")
    arguments = json.loads(calls[0].arguments)
    expect(query_order(**arguments).get("status") == "delivered", "arguments that query_order accepts: order_id='A1003'",
           short(arguments), "one property, order_id, a string")
    return "the model called query_order with order_id A1003"


@check("02_03.2")
def check_responses_loop(answer_with_tools):
    tools = [_flat("check_inventory", "Check whether a product is in stock by its SKU (查询库存)", sku="The SKU, e.g. P100")]
    functions = {"check_inventory": check_inventory}
    client, recorder = recording_client()
    answer = answer_with_tools(client, "Is P400 in stock?", tools, functions)
    sent, replies = recorder.requests("/responses"), recorder.responses("/responses")
    expect(len(sent) == 2, "two Responses API requests", f"{len(sent)} request(s)",
           "after running the calls, send their outputs in a second request")
    calls = [item for item in replies[0]["output"] if item["type"] == "function_call"]
    expect(sent[1].get("previous_response_id") == replies[0]["id"],
           "the second request continues the first (previous_response_id)", "previous_response_id not set to it",
           "previous_response_id=first.id: the provider then has the question and the call")
    outputs = [i for i in sent[1].get("input", []) if isinstance(i, dict) and i.get("type") == "function_call_output"]
    expect(outputs and outputs[0].get("call_id") == calls[0]["call_id"],
           "a function_call_output item with the call's call_id", short(sent[1].get("input"), 80),
           "{'type': 'function_call_output', 'call_id': item.call_id, 'output': json.dumps(result)}")
    output = parsed_json(outputs[0].get("output"))
    expect(output == check_inventory("P400"), "the function's result as JSON in 'output'", short(output, 80),
           "json.dumps the function's return value")
    text = "".join(p.get("text", "") for i in replies[1]["output"] if i["type"] == "message" for p in i["content"])
    expect(answer == text, "the second response's output_text", short(answer, 60), "return second.output_text")
    return "outputs matched to their call_id, history kept by the provider"
