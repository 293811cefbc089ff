"""Exercises for 04_02 (the item types): read a run's route from its handoff items, then build a
team whose run produces handoff items."""

from __future__ import annotations

from agents import Agent, Runner
from agents.items import HandoffCallItem, HandoffOutputItem, ToolCallItem

from workbook.course_tools import order_tool, rma_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import build_agent, call, course_model

EXERCISES = [
    Exercise(
        id="04_02.1",
        title="The route of a run",
        task="""Write `route(result)` that returns the names of the agents that held the conversation, in
order: the agent that started, then the target of every handoff (交接). Read it from the items:
every item has `.agent`; a `HandoffOutputItem` has `.source_agent` and `.target_agent`.

For a run that stays with one agent the route has one name. The check runs its own teams.""",
        starter='''def route(result) -> list[str]:
    names = []
    ...
    return names''',
        solution='''from agents.items import HandoffOutputItem


def route(result) -> list[str]:
    names = [result.new_items[0].agent.name]   # whoever produced the first item started the run
    for item in result.new_items:
        if isinstance(item, HandoffOutputItem):
            names.append(item.target_agent.name)
    return names''',
        check="await check_route(route)",
        wrong_answers=[
            ("the handoff tool names instead of the agents", '''from agents.items import HandoffCallItem


def route(result):
    return [result.new_items[0].agent.name] + [item.raw_item.name for item in result.new_items
                                               if isinstance(item, HandoffCallItem)]'''),
            ("forgets the agent that started", '''from agents.items import HandoffOutputItem


def route(result):
    return [item.target_agent.name for item in result.new_items if isinstance(item, HandoffOutputItem)]'''),
        ],
    ),
    Exercise(
        id="04_02.2",
        title="A team whose items show a handoff",
        task="""Write `build_front_desk(model)` returning a triage agent named `"Front desk"` that hands
off to two specialists you also build: a `"Refund agent"` with the course's `rma_tool` (opens a
return, RMA) and a `"Stock agent"` with `inventory_tool`. Give each specialist a
`handoff_description`: that, with its name, is what the front desk's model reads to choose.

The check asks a refund and a stock question and reads the items: a `HandoffCallItem` and a
`HandoffOutputItem` by the front desk, then the right tool called *by the specialist*.""",
        starter='''from agents import Agent
from workbook.course_tools import inventory_tool, rma_tool


def build_front_desk(model) -> Agent:
    ...''',
        solution='''from agents import Agent
from workbook.course_tools import inventory_tool, rma_tool


def build_front_desk(model) -> Agent:
    refunds = Agent(name="Refund agent", model=model, tools=[rma_tool],
                    handoff_description="Handles refunds and returns (RMA) for an order.",
                    instructions="You handle refunds: open an RMA for the order with the customer's reason.")
    stock = Agent(name="Stock agent", model=model, tools=[inventory_tool],
                  handoff_description="Answers stock and availability questions for product SKUs.",
                  instructions="You check stock with the tools.")
    return Agent(name="Front desk", model=model, handoffs=[refunds, stock],
                 instructions="Route each customer to the right specialist.")''',
        check="await check_front_desk(build_front_desk)",
        wrong_answers=[
            ("the specialists' tools on the front desk, no handoffs", '''from agents import Agent
from workbook.course_tools import inventory_tool, rma_tool


def build_front_desk(model):
    return Agent(name="Front desk", model=model, tools=[rma_tool, inventory_tool],
                 instructions="Help each customer with the tools.")'''),
        ],
    ),
]


@check("04_02.1")
async def check_route(route):
    model = course_model()
    refunds = Agent(name="Returns team", handoff_description="Handles refunds and returns (RMA) for an order.",
                    instructions="Open an RMA.", model=model, tools=[rma_tool])
    orders = Agent(name="Order desk", handoff_description="Handles order status and delivery",
                   instructions="Use query_order.", model=model, tools=[order_tool])
    front = Agent(name="Reception", instructions="Route each customer to the right specialist.", model=model,
                  handoffs=[refunds, orders])
    for question in ("Has order A1002 shipped?", "退货：订单 A1005 的耳机坏了", "Hello there"):
        result = await Runner.run(front, question)
        truth = [front.name] + [i.target_agent.name for i in result.new_items if isinstance(i, HandoffOutputItem)]
        got = await call("route(result)", route, result)
        tool_names = isinstance(got, list) and any(str(n).startswith("transfer_to_") for n in got)
        expect(got == truth, f"for {question!r}: {truth}", short(got),
               "the agent is item.target_agent.name; transfer_to_... is the tool the model called" if tool_names else
               "start with the first item's agent, then add each HandoffOutputItem's target_agent.name"
               if isinstance(got, list) and got == truth[1:] else
               "the first item's .agent.name started; each HandoffOutputItem adds its .target_agent.name")
    return "route followed 2 handoffs and a run without one"


def _by(result, kind) -> list:
    return [i for i in result.new_items if isinstance(i, kind)]


@check("04_02.2")
async def check_front_desk(build_front_desk):
    desk = await build_agent("build_front_desk(model)", build_front_desk, course_model())
    expect(desk.name == "Front desk", "an agent named 'Front desk'", repr(desk.name), "Agent(name=\"Front desk\", ...)")
    for question, tool in (("My order A1006 arrived broken, I want a refund.", "open_rma"),
                           ("Is P300 in stock?", "check_inventory")):
        result = await Runner.run(desk, question)
        kinds = [type(i).__name__ for i in result.new_items]
        expect(_by(result, HandoffCallItem) and _by(result, HandoffOutputItem),
               f"for {question!r}: a HandoffCallItem and a HandoffOutputItem", str(kinds),
               "pass the specialists in handoffs=[...], not their tools in tools=[...]")
        calls = [(i.tool_name, i.agent.name) for i in _by(result, ToolCallItem)]
        expect(any(name == tool and by != desk.name for name, by in calls),
               f"for {question!r}: {tool} called by a specialist", str(calls) or "no tool call",
               f"give the specialist that should answer this the tool {tool}, and a handoff_description saying so")
    return "the front desk handed a refund and a stock question to specialists, who called their tools"
