"""Exercises for 03_10: an output guardrail, and a tool input guardrail that answers instead of the tool."""

from __future__ import annotations

from dataclasses import dataclass

from agents import Agent, FunctionTool, OutputGuardrail, RunContextWrapper, Runner

from workbook.course_tools import query_order
from workbook.practice.core import Exercise, chat_model, check, expect, short, tool_calls, tool_outputs

EXERCISES = [
    Exercise(
        id="03_10.1",
        title="No phone numbers in an answer",
        task="""Write `@output_guardrail` `no_phone_numbers(ctx, agent, output)` that trips when the agent's
final answer contains a mainland mobile number (11 digits starting with 1 and 3–9, e.g.
`13912345678`; the pattern `1[3-9]\\d{9}`), and passes otherwise. Put what it found in
`output_info`. The check runs it on answers you have not seen.""",
        starter='''import re

from agents import GuardrailFunctionOutput, output_guardrail

MOBILE = re.compile(r"1[3-9]\\d{9}")


@output_guardrail
async def no_phone_numbers(ctx, agent, output: str) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)''',
        solution='''import re

from agents import GuardrailFunctionOutput, output_guardrail

MOBILE = re.compile(r"1[3-9]\\d{9}")


@output_guardrail
async def no_phone_numbers(ctx, agent, output: str) -> GuardrailFunctionOutput:
    found = MOBILE.findall(str(output))
    return GuardrailFunctionOutput(output_info={"phone_numbers": found}, tripwire_triggered=bool(found))''',
        check="await check_no_phone_numbers(no_phone_numbers)",
        wrong_answers=[
            ("trips on any digits", '''import re

from agents import GuardrailFunctionOutput, output_guardrail


@output_guardrail
async def no_phone_numbers(ctx, agent, output):
    found = re.findall(r"\\d+", str(output))
    return GuardrailFunctionOutput(output_info=found, tripwire_triggered=bool(found))'''),
        ],
    ),
    Exercise(
        id="03_10.2",
        title="Only the customer's own orders",
        task="""The run's context is a `Customer` with `order_ids`. Write `@tool_input_guardrail`
`own_orders_only(data)` for an order tool: read the model's arguments
(`json.loads(data.context.tool_arguments)`); if `order_id` is not one of
`data.context.context.order_ids`, answer with `ToolGuardrailFunctionOutput.reject_content(...)` (a
message for the model: the desk can only show the customer's own orders), else `allow()`. Then
put it on `my_order` with `tool_input_guardrails=[...]`. The run must go on, not stop.""",
        starter='''import json
from dataclasses import dataclass

from agents import ToolGuardrailFunctionOutput, function_tool, tool_input_guardrail
from workbook.course_tools import query_order


@dataclass
class Customer:
    name: str
    order_ids: list[str]


@tool_input_guardrail
def own_orders_only(data) -> ToolGuardrailFunctionOutput:
    return ToolGuardrailFunctionOutput.allow()


@function_tool
def my_order(order_id: str) -> dict:
    """Look up the status of one of the customer's orders (查询我的订单).

    Args:
        order_id: The order id, e.g. "A1001".
    """
    return query_order(order_id)''',
        solution='''import json
from dataclasses import dataclass

from agents import ToolGuardrailFunctionOutput, function_tool, tool_input_guardrail
from workbook.course_tools import query_order


@dataclass
class Customer:
    name: str
    order_ids: list[str]


@tool_input_guardrail
def own_orders_only(data) -> ToolGuardrailFunctionOutput:
    order_id = json.loads(data.context.tool_arguments).get("order_id")
    if order_id not in data.context.context.order_ids:
        return ToolGuardrailFunctionOutput.reject_content(
            "I can only show you your own orders. Please check the order number.",
            output_info={"refused": order_id})
    return ToolGuardrailFunctionOutput.allow()


@function_tool(tool_input_guardrails=[own_orders_only])
def my_order(order_id: str) -> dict:
    """Look up the status of one of the customer's orders (查询我的订单).

    Args:
        order_id: The order id, e.g. "A1001".
    """
    return query_order(order_id)''',
        check="await check_own_orders_only(my_order)",
        wrong_answers=[
            ("stops the whole run instead of answering", '''import json

from agents import ToolGuardrailFunctionOutput, function_tool, tool_input_guardrail
from workbook.course_tools import query_order


@tool_input_guardrail
def own_orders_only(data):
    if json.loads(data.context.tool_arguments).get("order_id") not in data.context.context.order_ids:
        return ToolGuardrailFunctionOutput.raise_exception(output_info="not the customer's order")
    return ToolGuardrailFunctionOutput.allow()


@function_tool(tool_input_guardrails=[own_orders_only])
def my_order(order_id: str) -> dict:
    """Look up the status of one of the customer's orders (查询我的订单).

    Args:
        order_id: The order id, e.g. "A1001".
    """
    return query_order(order_id)'''),
        ],
    ),
]


@dataclass
class _Customer:
    name: str
    order_ids: list[str]


@check("03_10.1")
async def check_no_phone_numbers(guardrail):
    expect(isinstance(guardrail, OutputGuardrail), "an OutputGuardrail (decorate with @output_guardrail)",
           type(guardrail).__name__, "put @output_guardrail above async def")
    agent = Agent(name="ITS desk", model=chat_model())
    context = RunContextWrapper(None)
    cases = [("Your courier Wang can be reached at 13912345678.", True),
             ("快递员电话：15800001111，请保持手机畅通。", True),
             ("Order A1002 is processing and ships in 5 days; total 899.0 CNY.", False),
             ("Call our hotline 400-820-8820 from 9:00 to 18:00.", False)]
    for answer, trips in cases:
        outcome = await guardrail.run(context, agent, answer)
        expect(outcome.output.tripwire_triggered == trips,
               f"{'trips' if trips else 'passes'} on {answer!r}",
               f"tripwire_triggered={outcome.output.tripwire_triggered}",
               "trip only when MOBILE.search(output) finds a mobile number")
    return "mobile numbers blocked; order ids, prices and hotlines let through"


@check("03_10.2")
async def check_own_orders_only(tool):
    expect(isinstance(tool, FunctionTool), "my_order is a FunctionTool", type(tool).__name__, "@function_tool(...)")
    expect(tool.tool_input_guardrails, "a tool input guardrail on my_order", "none",
           "@function_tool(tool_input_guardrails=[own_orders_only])")
    agent = Agent[_Customer](name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=chat_model(),
                             tools=[tool])
    customer = _Customer(name="Zhou", order_ids=["A1002", "A1003"])
    own = await Runner.run(agent, "Where is order A1002?", context=customer)
    expect(query_order("A1002")["status"] in str(tool_outputs(own)), "the customer's own order is looked up",
           short(tool_outputs(own), 80), "allow() when order_id is in data.context.context.order_ids")
    other = await Runner.run(agent, "Where is order B2001?", context=customer)
    expect(tool_calls(other), "the model asks for order B2001", "no tool call", "keep the tool's docstring")
    outputs = [str(o) for o in tool_outputs(other)]
    expect(outputs and query_order("B2001")["status"] not in outputs[0],
           "someone else's order is not looked up: the model gets your message instead",
           short(outputs, 80), "return ToolGuardrailFunctionOutput.reject_content('...') for other order ids")
    expect(other.final_output, "the run goes on and ends with an answer", short(other.final_output, 60),
           "reject_content, not raise_exception: the customer gets an answer")
    return "own orders looked up; another customer's order refused with your message, the run went on"
