"""Exercises for 03_06: an agent with a tool of your own, then a desk with several course tools."""

from __future__ import annotations

from agents import Agent, FunctionTool, Runner

from workbook.course_tools import ORDERS
from workbook.practice.core import Exercise, check, expect, short, tool_calls, tool_outputs

EXERCISES = [
    Exercise(
        id="03_06.1",
        title="A parcel-tracking agent",
        task="""Write a tool `track_parcel(tracking_no: str) -> dict` with `@function_tool` and a docstring (it
may return made-up data such as `{"tracking_no": tracking_no, "status": "in transit"}`, but the
dict must hold the `tracking_no` it was asked about). Then build `parcel_agent`, an `Agent` on
the lesson's model (`OpenAIChatCompletionsModel(model=MODEL, openai_client=client)`) with your
tool in its **list** of tools. The check asks about tracking numbers you have not seen.""",
        starter='''from agents import Agent, OpenAIChatCompletionsModel, function_tool


@function_tool
def track_parcel(tracking_no: str) -> dict:
    ...


parcel_agent = Agent(
    name="快递助手",
    instructions="You track parcels for the ITS desk.",
    model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
)''',
        solution='''from agents import Agent, OpenAIChatCompletionsModel, function_tool


@function_tool
def track_parcel(tracking_no: str) -> dict:
    """Track a parcel by its courier tracking number (查询快递).

    Args:
        tracking_no: The courier's tracking number, e.g. SF1234567890.
    """
    return {"tracking_no": tracking_no, "status": "in transit", "last_seen": "Wuhan hub"}


parcel_agent = Agent(
    name="快递助手",
    instructions="You track parcels for the ITS desk.",
    model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
    tools=[track_parcel],
)''',
        check="await check_parcel_agent(parcel_agent)",
        wrong_answers=[
            ("a tool that forgets which parcel it was asked about", '''from agents import Agent, OpenAIChatCompletionsModel, function_tool


@function_tool
def track_parcel(tracking_no: str) -> dict:
    """Track a parcel by its courier tracking number (查询快递).

    Args:
        tracking_no: The courier's tracking number.
    """
    return {"status": "in transit"}


parcel_agent = Agent(name="快递助手", instructions="You track parcels.",
                     model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client), tools=[track_parcel])'''),
        ],
    ),
    Exercise(
        id="03_06.2",
        title="A returns desk from the course tools",
        task="""Build `returns_desk`, an `Agent` that can both look up an order and open a return (退货):
give it the course tools `order_tool` and `rma_tool` from `workbook.course_tools`, and
instructions that say to open a return when the customer wants to send something back.""",
        starter='''from agents import Agent, OpenAIChatCompletionsModel
from workbook.course_tools import order_tool, rma_tool

returns_desk = Agent(
    name="Returns desk",
    instructions="...",
    model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
    tools=[order_tool],
)''',
        solution='''from agents import Agent, OpenAIChatCompletionsModel
from workbook.course_tools import order_tool, rma_tool

returns_desk = Agent(
    name="Returns desk",
    instructions="You handle orders and returns for the ITS desk. Look up orders with query_order; "
                 "when the customer wants to send something back, open a return with open_rma.",
    model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
    tools=[order_tool, rma_tool],
)''',
        check="await check_returns_desk(returns_desk)",
        wrong_answers=[
            ("only the return tool", '''from agents import Agent, OpenAIChatCompletionsModel
from workbook.course_tools import rma_tool

returns_desk = Agent(name="Returns desk", instructions="Open returns.",
                     model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client), tools=[rma_tool])'''),
        ],
    ),
]


@check("03_06.1")
async def check_parcel_agent(agent):
    expect(isinstance(agent, Agent), "parcel_agent is an Agent", short(agent, 60), "parcel_agent = Agent(...)")
    expect(isinstance(agent.tools, list) and any(isinstance(t, FunctionTool) for t in agent.tools),
           "a list of tools holding your @function_tool", short(agent.tools, 80),
           "tools=[track_parcel]: a list, even with one tool")
    for question, number in (("我的快递 JT5566778 到哪了？", "JT5566778"), ("Where is parcel YD20261121?", "YD20261121")):
        result = await Runner.run(agent, question)
        calls = tool_calls(result)
        expect(calls, f"a tool call for {question!r}", "no tool call",
               "a docstring that says the tool tracks parcels, and the tool in the agent's tools")
        expect(number in str(calls[0][1]), f"the tracking number {number} as the argument", short(calls[0][1]),
               "one parameter, tracking_no: str")
        outputs = tool_outputs(result)
        expect(outputs and number in str(outputs[0]), f"a tool result that names {number}", short(outputs, 80),
               "return a dict holding the tracking_no you were given")
    return "the agent called your tool with the customer's tracking number"


@check("03_06.2")
async def check_returns_desk(agent):
    expect(isinstance(agent, Agent), "returns_desk is an Agent", short(agent, 60), "returns_desk = Agent(...)")
    names = [getattr(t, "name", None) for t in agent.tools]
    expect({"query_order", "open_rma"} <= set(names), "tools for both jobs: query_order and open_rma",
           f"tools {names}", "tools=[order_tool, rma_tool]")
    result = await Runner.run(agent, "订单 A1001 我想退货，因为耳机左边没有声音")
    calls = tool_calls(result)
    expect(calls and calls[0][0] == "open_rma" and calls[0][1].get("order_id") == "A1001",
           "open_rma called with order_id A1001 for a return request", f"tools {names}, calls {short(calls, 80)}",
           "add rma_tool to the agent's tools")
    result = await Runner.run(agent, "What is the status of order B2001?")
    calls = tool_calls(result)
    expect(calls and calls[0][0] == "query_order" and calls[0][1].get("order_id") == "B2001",
           "query_order called with order_id B2001 for a status question", f"tools {names}, calls {short(calls, 80)}",
           "keep order_tool in the agent's tools too")
    expect(ORDERS["B2001"]["status"] in str(tool_outputs(result)), "the order's real status in the tool result",
           short(tool_outputs(result), 80), "use the course's order_tool")
    return "a return opened for one question, an order looked up for the other"
