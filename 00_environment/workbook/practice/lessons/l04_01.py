"""Exercises for 04_01 (output items): read tool calls and their results out of `result.new_items`."""

from __future__ import annotations

import json

from agents import Agent, Runner, handoff
from agents.items import ToolCallItem, ToolCallOutputItem

from workbook.course_tools import inventory_tool, order_tool, price_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_model

EXERCISES = [
    Exercise(
        id="04_01.1",
        title="List the tool calls of a run",
        task="""Write `tool_calls(result)` that returns the run's **tool calls** (工具调用), in order, as a
list of `(tool_name, arguments)` pairs, where `arguments` is the parsed JSON dict the model sent, e.g.
`[("get_weather", {"city": "Paris"})]`. Only tool calls count: not tool outputs, not messages, and not
handoffs (a handoff is also a function call on the wire, but it is a `HandoffCallItem`).

The check runs agents of its own on questions you have not seen and compares your list with the items.""",
        starter='''def tool_calls(result) -> list[tuple[str, dict]]:
    calls = []
    for item in result.new_items:
        ...  # keep the tool calls: (name, parsed arguments)
    return calls''',
        solution='''import json

from agents.items import ToolCallItem


def tool_calls(result) -> list[tuple[str, dict]]:
    calls = []
    for item in result.new_items:
        if isinstance(item, ToolCallItem):  # handoffs are HandoffCallItem, not ToolCallItem
            calls.append((item.tool_name, json.loads(item.raw_item.arguments)))
    return calls''',
        check="await check_tool_calls(tool_calls)",
        wrong_answers=[
            ("counts every function call on the wire, handoffs included", '''import json

from openai.types.responses import ResponseFunctionToolCall


def tool_calls(result):
    return [(item.raw_item.name, json.loads(item.raw_item.arguments))
            for item in result.new_items if isinstance(item.raw_item, ResponseFunctionToolCall)]'''),
            ("keeps the arguments as a JSON string", '''from agents.items import ToolCallItem


def tool_calls(result):
    return [(item.tool_name, item.raw_item.arguments) for item in result.new_items
            if isinstance(item, ToolCallItem)]'''),
        ],
    ),
    Exercise(
        id="04_01.2",
        title="Match each tool result to its tool",
        task="""A `ToolCallOutputItem` carries no tool name, only the `call_id` of the call it answers.
Write `tool_results(result)` that returns a dict `{tool_name: output}` for the run, where `output` is
the tool's Python return value (`item.output`), found by matching `call_id`s between `ToolCallItem`s
and `ToolCallOutputItem`s.

The check asks a question that makes the agent call two different tools in one turn.""",
        starter='''def tool_results(result) -> dict:
    names = {}     # call_id -> tool name, from the ToolCallItems
    results = {}   # tool name -> output, from the ToolCallOutputItems
    ...
    return results''',
        solution='''from agents.items import ToolCallItem, ToolCallOutputItem


def tool_results(result) -> dict:
    names = {}     # call_id -> tool name, from the ToolCallItems
    results = {}   # tool name -> output, from the ToolCallOutputItems
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            names[item.call_id] = item.tool_name
        elif isinstance(item, ToolCallOutputItem):
            results[names[item.call_id]] = item.output
    return results''',
        check="await check_tool_results(tool_results)",
        wrong_answers=[
            ("reads a tool name from the output item", '''from agents.items import ToolCallOutputItem


def tool_results(result):
    return {item.raw_item["name"]: item.output for item in result.new_items
            if isinstance(item, ToolCallOutputItem)}'''),
            ("pairs each output with the last call seen", '''from agents.items import ToolCallItem, ToolCallOutputItem


def tool_results(result):
    results, last = {}, None
    for item in result.new_items:
        if isinstance(item, ToolCallItem):
            last = item.tool_name
        elif isinstance(item, ToolCallOutputItem):
            results[last] = item.output
    return results'''),
        ],
    ),
]


def _desk(model) -> Agent:
    return Agent(name="Desk", instructions="You are the ITS desk. Use the tools.", model=model,
                 tools=[order_tool, inventory_tool, weather_tool, price_tool])


@check("04_01.1")
async def check_tool_calls(tool_calls):
    model = course_model()
    stock = Agent(name="Stock agent", handoff_description="Answers stock and availability questions for SKUs",
                  instructions="Check stock with the tools.", model=model, tools=[inventory_tool])
    front = Agent(name="Front desk", instructions="Route each customer to the right specialist.",
                  model=model, handoffs=[handoff(stock)])
    scenarios = [(_desk(model), "How much are 3 of P300?"),
                 (_desk(model), "Weather in Paris and the status of order A1003?"),
                 (front, "Is P300 in stock?")]
    for agent, question in scenarios:
        result = await Runner.run(agent, question)
        truth = [(i.tool_name, json.loads(i.raw_item.arguments)) for i in result.new_items
                 if isinstance(i, ToolCallItem)]
        got = await call("tool_calls(result)", tool_calls, result)
        got = [tuple(pair) if isinstance(pair, list) else pair for pair in got] if isinstance(got, list) else got
        handoffs = isinstance(got, list) and any(str(p[0]).startswith("transfer_to_") for p in got
                                                 if isinstance(p, tuple) and p)
        strings = isinstance(got, list) and any(isinstance(p, tuple) and len(p) == 2 and isinstance(p[1], str)
                                                for p in got)
        expect(got == truth, f"for {question!r} asked to {agent.name!r}: {truth}", short(got),
               "a handoff is a HandoffCallItem, not a tool call: keep only isinstance(item, ToolCallItem)"
               if handoffs else
               "parse the arguments: json.loads(item.raw_item.arguments) gives the dict" if strings else
               "keep each ToolCallItem, in order, as (item.tool_name, json.loads(item.raw_item.arguments))")
    return "tool_calls listed every tool call with its arguments, and no handoff, in 3 new runs"


@check("04_01.2")
async def check_tool_results(tool_results):
    result = await Runner.run(_desk(course_model()), "Is P200 in stock, and what is the weather in Osaka?")
    names = {i.call_id: i.tool_name for i in result.new_items if isinstance(i, ToolCallItem)}
    truth = {names[i.call_id]: i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)}
    got = await call("tool_results(result)", tool_results, result,
                     hint="a ToolCallOutputItem has no tool name: look it up by item.call_id")
    expect(got == truth, f"for 'Is P200 in stock, and what is the weather in Osaka?': {short(truth, 200)}",
           short(got, 200),
           "both calls come before both outputs here: remember names by call_id, not 'the last call seen'"
           if isinstance(got, dict) and got else
           "map call_id -> tool_name from each ToolCallItem, then name each ToolCallOutputItem's output")
    return f"tool_results matched {len(truth)} outputs of one turn to their tools by call_id"
