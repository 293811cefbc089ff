"""Exercises for 03_07: `output_type` for a typed answer, with constrained fields."""

from __future__ import annotations

from agents import Agent, Runner
from pydantic import BaseModel

from workbook.course_tools import query_order
from workbook.practice.core import Exercise, check, expect, short, tool_calls

EXERCISES = [
    Exercise(
        id="03_07.1",
        title="An order status as an object",
        task="""Write a Pydantic model `OrderStatus` with the fields `order_id`, `status`, `item` and `eta`
(all `str`), and `order_agent`: an `Agent` with the course's `order_tool` and
`output_type=OrderStatus`, so that `result.final_output` is an `OrderStatus` filled from the tool's
result.""",
        starter='''from pydantic import BaseModel

from agents import Agent, OpenAIChatCompletionsModel
from workbook.course_tools import order_tool


class OrderStatus(BaseModel):
    ...


order_agent = Agent(
    name="Order desk",
    instructions="Look up orders with query_order.",
    model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
    tools=[order_tool],
)''',
        solution='''from pydantic import BaseModel

from agents import Agent, OpenAIChatCompletionsModel
from workbook.course_tools import order_tool


class OrderStatus(BaseModel):
    order_id: str
    status: str
    item: str
    eta: str


order_agent = Agent(
    name="Order desk",
    instructions="Look up orders with query_order.",
    model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
    tools=[order_tool],
    output_type=OrderStatus,
)''',
        check="await check_order_agent(order_agent)",
        wrong_answers=[
            ("the model class written but not given to the agent", '''from pydantic import BaseModel

from agents import Agent, OpenAIChatCompletionsModel
from workbook.course_tools import order_tool


class OrderStatus(BaseModel):
    order_id: str
    status: str
    item: str
    eta: str


order_agent = Agent(name="Order desk", instructions="Look up orders with query_order.",
                    model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client), tools=[order_tool])'''),
        ],
    ),
    Exercise(
        id="03_07.2",
        title="A ticket the model can only fill with allowed values",
        task="""Write `Ticket` with `category: Literal["billing", "shipping", "product"]`,
`priority: Literal["low", "medium", "high"]` and `summary: str`, and `triage_agent`, an `Agent`
(no tools) with `output_type=Ticket` and instructions that give the rules, e.g. "priority is high
if the customer is charged twice". The check reads typed tickets for complaints you have not seen:
the values must come from the allowed sets.""",
        starter='''from typing import Literal

from pydantic import BaseModel

from agents import Agent, OpenAIChatCompletionsModel


class Ticket(BaseModel):
    summary: str


triage_agent = Agent(
    name="Triage",
    instructions="Turn the customer's message into a support ticket.",
    model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
)''',
        solution='''from typing import Literal

from pydantic import BaseModel

from agents import Agent, OpenAIChatCompletionsModel


class Ticket(BaseModel):
    category: Literal["billing", "shipping", "product"]
    priority: Literal["low", "medium", "high"]
    summary: str


triage_agent = Agent(
    name="Triage",
    instructions="Turn the customer's message into a support ticket. category is billing for payments and "
                 "invoices, shipping for deliveries, product for faults. priority is high if the customer "
                 "is charged twice or something is broken, low for questions, else medium.",
    model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
    output_type=Ticket,
)''',
        check="await check_triage_agent(triage_agent)",
        wrong_answers=[
            ("free-text category and priority", '''from pydantic import BaseModel

from agents import Agent, OpenAIChatCompletionsModel


class Ticket(BaseModel):
    category: str
    priority: str
    summary: str


triage_agent = Agent(name="Triage", instructions="Turn the message into a ticket.",
                     model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client), output_type=Ticket)'''),
        ],
    ),
]


@check("03_07.1")
async def check_order_agent(agent):
    expect(isinstance(agent, Agent), "order_agent is an Agent", short(agent, 60), "order_agent = Agent(...)")
    for order_id in ("B2001", "A1003"):
        result = await Runner.run(agent, f"Where is my order {order_id}?")
        output = result.final_output
        expect(isinstance(output, BaseModel), "final_output is a Pydantic object, not text",
               f"a {type(output).__name__}", "pass output_type=OrderStatus to the Agent")
        fields = output.model_dump()
        expect({"order_id", "status", "item", "eta"} <= set(fields), "fields order_id, status, item, eta",
               f"fields {sorted(fields)}", "declare the four fields as str in OrderStatus")
        expect(tool_calls(result), "the answer comes from a query_order call", "no tool call",
               "keep order_tool in the agent's tools")
        truth = query_order(order_id)
        expect(fields["order_id"] == order_id and fields["status"] == truth["status"],
               f"order_id {order_id!r} and status {truth['status']!r} (from the tool)", short(fields, 80),
               "name the fields like the tool's result keys so they are filled from it")
    return "typed OrderStatus objects filled from the tool's result"


@check("03_07.2")
async def check_triage_agent(agent):
    expect(isinstance(agent, Agent), "triage_agent is an Agent", short(agent, 60), "triage_agent = Agent(...)")
    schema = agent.output_type.model_json_schema() if isinstance(agent.output_type, type) and issubclass(
        agent.output_type, BaseModel) else {}
    properties = schema.get("properties", {})
    expect({"category", "priority", "summary"} <= set(properties), "an output_type with category, priority, summary",
           f"output_type {getattr(agent.output_type, '__name__', agent.output_type)!r} with fields {sorted(properties)}",
           "declare the Ticket fields and pass output_type=Ticket")
    expect(sorted(properties["category"].get("enum", [])) == ["billing", "product", "shipping"]
           and sorted(properties["priority"].get("enum", [])) == ["high", "low", "medium"],
           "category and priority limited by Literal[...] to the allowed values",
           f"category {short(properties['category'])}, priority {short(properties['priority'])}",
           "annotate them with Literal[...]: the schema then lists the only values the model may use")
    for complaint in ("I was charged twice for order A1002, please refund one payment.",
                      "我的包裹已经晚到一周了，还没收到。"):
        ticket = (await Runner.run(agent, complaint)).final_output
        expect(isinstance(ticket, agent.output_type), "a Ticket object", short(ticket, 60), "output_type=Ticket")
        expect(ticket.category in ("billing", "shipping", "product") and ticket.priority in ("low", "medium", "high"),
               "allowed values only", short(ticket, 80), "Literal fields")
    return "tickets whose category and priority can only be allowed values"
