"""Exercises for 06_05 (manager vs handoffs): build each pattern and see who answers."""

from __future__ import annotations

from agents import Runner
from agents.items import HandoffOutputItem, ToolCallItem

from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import build_agent, course_model

EXERCISES = [
    Exercise(
        id="06_05.1",
        title="A manager with a specialist as a tool",
        task="""Write `build_manager(model)` returning a manager agent (Manager经理模式) named
`"Customer desk"` that calls a stock specialist **as a tool**: build a `"Stock agent"` with
`inventory_tool`, and give the manager `stock_agent.as_tool(tool_name="stock_expert",
tool_description=...)`. Tool names must match `^[a-zA-Z0-9_-]{1,64}$`.

The check asks stock questions: the manager must answer the user itself (`result.last_agent`), after
calling the specialist's tool.""",
        starter='''from agents import Agent
from workbook.course_tools import inventory_tool


def build_manager(model) -> Agent:
    stock_agent = Agent(name="Stock agent", model=model, tools=[inventory_tool],
                        instructions="You check stock with the tools.")
    ...''',
        solution='''from agents import Agent
from workbook.course_tools import inventory_tool


def build_manager(model) -> Agent:
    stock_agent = Agent(name="Stock agent", model=model, tools=[inventory_tool],
                        instructions="You check stock with the tools.")
    return Agent(name="Customer desk", model=model,
                 instructions="Handle all communication with the user; ask the specialist tools for facts.",
                 tools=[stock_agent.as_tool(tool_name="stock_expert",
                                            tool_description="Answers stock and availability questions for SKUs.")])''',
        check="await check_manager(build_manager)",
        wrong_answers=[
            ("a handoff instead of a tool", '''from agents import Agent
from workbook.course_tools import inventory_tool


def build_manager(model):
    stock_agent = Agent(name="Stock agent", model=model, tools=[inventory_tool],
                        handoff_description="Answers stock and availability questions for SKUs.",
                        instructions="You check stock with the tools.")
    return Agent(name="Customer desk", model=model, instructions="Route to the specialist.",
                 handoffs=[stock_agent])'''),
        ],
    ),
    Exercise(
        id="06_05.2",
        title="A triage desk with three specialists",
        task="""Write `build_triage(model)` returning a triage agent (分诊, handoffs pattern) that hands the
conversation to one of three specialists you build: weather (`weather_tool`), orders (`order_tool`)
and refunds (`rma_tool`). Each needs a `handoff_description`: the triage model chooses by it (customers write in English and
Chinese: a Chinese keyword such as 订单 in the description helps).

The check asks one question per specialist, in English and Chinese, and looks at who answered
(`result.last_agent`) and which tool that agent called.""",
        starter='''from agents import Agent
from workbook.course_tools import order_tool, rma_tool, weather_tool


def build_triage(model) -> Agent:
    ...''',
        solution='''from agents import Agent
from workbook.course_tools import order_tool, rma_tool, weather_tool


def build_triage(model) -> Agent:
    weather = Agent(name="Weather agent", model=model, tools=[weather_tool],
                    handoff_description="Answers weather questions for a city (天气).",
                    instructions="Answer weather questions with get_weather.")
    orders = Agent(name="Order agent", model=model, tools=[order_tool],
                   handoff_description="Handles order status and delivery questions (订单).",
                   instructions="Answer order questions with query_order.")
    refunds = Agent(name="Refund agent", model=model, tools=[rma_tool],
                    handoff_description="Handles refunds and returns (RMA, 退货退款) for an order.",
                    instructions="Open an RMA with the order id and the customer's reason.")
    return Agent(name="Triage agent", model=model, handoffs=[weather, orders, refunds],
                 instructions="Route each customer to the right specialist.")''',
        check="await check_triage(build_triage)",
        wrong_answers=[
            ("the refund specialist is missing from the handoffs", '''from agents import Agent
from workbook.course_tools import order_tool, weather_tool


def build_triage(model):
    weather = Agent(name="Weather agent", model=model, tools=[weather_tool],
                    handoff_description="Answers weather questions for a city.", instructions="Use get_weather.")
    orders = Agent(name="Order agent", model=model, tools=[order_tool],
                   handoff_description="Handles order status and delivery questions.", instructions="Use query_order.")
    return Agent(name="Triage agent", model=model, handoffs=[weather, orders], instructions="Route each customer.")'''),
        ],
    ),
]


@check("06_05.1")
async def check_manager(build_manager):
    manager = await build_agent("build_manager(model)", build_manager, course_model())
    for question in ("Is P300 in stock?", "P100 库存还有多少？"):
        result = await Runner.run(manager, question)
        calls = [i for i in result.new_items if isinstance(i, ToolCallItem) and i.agent is manager]
        handed = [i.target_agent.name for i in result.new_items if isinstance(i, HandoffOutputItem)]
        expect(result.last_agent is manager, f"for {question!r}: the manager answers the user",
               f"answered by {result.last_agent.name!r}" + (f" after a handoff to {handed}" if handed else ""),
               "a handoff gives the conversation away; agent.as_tool(...) keeps the manager in charge")
        expect(any(c.tool_origin.type.value == "agent_as_tool" and c.tool_name == "stock_expert" for c in calls),
               f"for {question!r}: the manager calls the tool stock_expert (an agent as a tool)",
               str([c.tool_name for c in calls]), 'tools=[stock_agent.as_tool(tool_name="stock_expert", ...)]')
    return f"the manager called stock_expert and answered itself: {result.final_output}"


@check("06_05.2")
async def check_triage(build_triage):
    triage = await build_agent("build_triage(model)", build_triage, course_model())
    seen = {}
    for question, tool in (("What is the weather like in Harbin?", "get_weather"),
                           ("订单 A1004 到哪了？", "query_order"),
                           ("I want a refund for order A1003, the charger is broken.", "open_rma")):
        result = await Runner.run(triage, question)
        called = [i.tool_name for i in result.new_items if isinstance(i, ToolCallItem)]
        expect(result.last_agent is not triage, f"for {question!r}: a handoff to a specialist",
               f"the triage agent answered itself: {short(result.final_output, 70)}",
               f"hand off to a specialist that has {tool}, with a handoff_description that says what it handles")
        expect(tool in called, f"for {question!r}: the specialist calls {tool}",
               f"{result.last_agent.name} called {called}", f"is there a specialist in handoffs=[...] with the tool {tool}, described by its handoff_description?")
        seen[tool] = result.last_agent.name
    expect(len(set(seen.values())) == 3, "three different specialists", str(seen), "one specialist per area")
    return "triage routed each question to its specialist: " + ", ".join(f"{t} → {a}" for t, a in seen.items())
