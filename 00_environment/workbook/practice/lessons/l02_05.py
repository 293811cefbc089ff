"""Exercises for 02_05: `@function_tool` from a typed, documented function, and failure_error_function."""

from __future__ import annotations

import json

from agents import Agent, FunctionTool, Runner
from agents.tool_context import ToolContext

from workbook.practice.core import Exercise, chat_model, check, expect, short, tool_calls, tool_outputs

EXERCISES = [
    Exercise(
        id="02_05.1",
        title="A documented, typed tool",
        task="""Write `@function_tool` `convert_temperature(celsius: float, unit: Literal["F", "K"]) -> str`
that converts a Celsius temperature to Fahrenheit (`celsius * 9 / 5 + 32`) or Kelvin
(`celsius + 273.15`) and returns e.g. `"100 °C = 212.0 F"`. Give it a docstring whose first line
says what it does and an `Args:` line per parameter: the SDK turns them into the tool's
description and parameter descriptions.""",
        starter='''from typing import Literal

from agents import function_tool


@function_tool
def convert_temperature(celsius: float, unit: Literal["F", "K"]) -> str:
    ...''',
        solution='''from typing import Literal

from agents import function_tool


@function_tool
def convert_temperature(celsius: float, unit: Literal["F", "K"]) -> str:
    """Convert a temperature from degrees Celsius to Fahrenheit or Kelvin (温度换算).

    Args:
        celsius: The temperature in degrees Celsius.
        unit: The unit to convert to: F (Fahrenheit) or K (Kelvin).
    """
    value = celsius * 9 / 5 + 32 if unit == "F" else celsius + 273.15
    return f"{celsius} °C = {round(value, 2)} {unit}"''',
        check="await check_temperature_tool(convert_temperature)",
        wrong_answers=[
            ("no docstring", '''from typing import Literal

from agents import function_tool


@function_tool
def convert_temperature(celsius: float, unit: Literal["F", "K"]) -> str:
    value = celsius * 9 / 5 + 32 if unit == "F" else celsius + 273.15
    return f"{celsius} °C = {round(value, 2)} {unit}"'''),
            ("unit as a free string", '''from agents import function_tool


@function_tool
def convert_temperature(celsius: float, unit: str) -> str:
    """Convert a temperature from degrees Celsius to Fahrenheit or Kelvin.

    Args:
        celsius: The temperature in degrees Celsius.
        unit: F or K.
    """
    value = celsius * 9 / 5 + 32 if unit == "F" else celsius + 273.15
    return f"{celsius} °C = {round(value, 2)} {unit}"'''),
        ],
    ),
    Exercise(
        id="02_05.2",
        title="Tell the model what went wrong",
        task="""The refund service is down: `refund_status` below raises. Write `explain_outage(ctx, error)` and
pass it as `failure_error_function`, so that the model receives a message that names the error's
type (e.g. `ConnectionError`) and says to ask the customer to try again later, instead of the
SDK's generic "An error occurred while running the tool".""",
        starter='''from agents import RunContextWrapper, function_tool


def explain_outage(ctx: RunContextWrapper, error: Exception) -> str:
    ...


@function_tool
def refund_status(order_id: str) -> dict:
    """Look up the refund status of an order (查询退款进度).

    Args:
        order_id: The order id, e.g. A1001.
    """
    raise ConnectionError("refund service timed out")''',
        solution='''from agents import RunContextWrapper, function_tool


def explain_outage(ctx: RunContextWrapper, error: Exception) -> str:
    return (f"The refund system is unavailable ({type(error).__name__}: {error}). "
            "Ask the customer to try again later.")


@function_tool(failure_error_function=explain_outage)
def refund_status(order_id: str) -> dict:
    """Look up the refund status of an order (查询退款进度).

    Args:
        order_id: The order id, e.g. A1001.
    """
    raise ConnectionError("refund service timed out")''',
        check="await check_refund_failure(refund_status)",
        wrong_answers=[
            ("explain_outage written but not passed to @function_tool", '''from agents import RunContextWrapper, function_tool


def explain_outage(ctx, error):
    return f"The refund system is unavailable ({type(error).__name__}). Ask the customer to try again later."


@function_tool
def refund_status(order_id: str) -> dict:
    """Look up the refund status of an order (查询退款进度).

    Args:
        order_id: The order id, e.g. A1001.
    """
    raise ConnectionError("refund service timed out")'''),
        ],
    ),
]


async def _invoke(tool: FunctionTool, arguments: dict) -> object:
    text = json.dumps(arguments)
    context = ToolContext(context=None, tool_name=tool.name, tool_call_id="practice-call", tool_arguments=text)
    return await tool.on_invoke_tool(context, text)


@check("02_05.1")
async def check_temperature_tool(tool):
    expect(isinstance(tool, FunctionTool), "a FunctionTool (decorate the function with @function_tool)",
           type(tool).__name__, "put @function_tool on the line above def")
    expect(tool.name == "convert_temperature", "the name convert_temperature", short(tool.name),
           "the tool's name is the function's name")
    expect(tool.description and tool.description.strip(), "a description, from the docstring's first line",
           "an empty description", "write a docstring: the model chooses tools by it")
    properties = tool.params_json_schema.get("properties", {})
    expect(set(properties) == {"celsius", "unit"}, "parameters celsius and unit", f"{sorted(properties)}",
           "keep the signature (celsius: float, unit: Literal['F', 'K'])")
    expect(properties["celsius"].get("type") == "number", "celsius of type number", short(properties["celsius"]),
           "annotate celsius: float")
    expect(sorted(properties["unit"].get("enum", [])) == ["F", "K"], "unit limited to the enum ['F', 'K']",
           short(properties["unit"]), "annotate unit: Literal['F', 'K']: the model can then only send F or K")
    expect(all(p.get("description") for p in properties.values()), "a description for each parameter",
           f"described: {[n for n, p in properties.items() if p.get('description')]}",
           "add an Args: section with one line per parameter")
    for celsius, unit, number in ((-40, "F", "-40"), (37, "K", "310.15"), (25, "F", "77")):
        output = await _invoke(tool, {"celsius": celsius, "unit": unit})
        expect(isinstance(output, str) and number in output, f"{celsius} °C in {unit} contains {number}",
               short(output, 60), "F = C * 9 / 5 + 32, K = C + 273.15")
    return "name, description, typed and described parameters, and correct conversions"


@check("02_05.2")
async def check_refund_failure(tool):
    expect(isinstance(tool, FunctionTool), "refund_status is a FunctionTool", type(tool).__name__,
           "keep @function_tool(...) on refund_status")
    agent = Agent(name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=chat_model(),
                  tools=[tool])
    result = await Runner.run(agent, "订单 B2001 的退款到账了吗？")
    calls, outputs = tool_calls(result), [str(o) for o in tool_outputs(result)]
    expect(calls and outputs, "the model calls refund_status and gets an output", f"calls {short(calls)}",
           "keep the tool's name and docstring")
    expect("An error occurred while running the tool" not in outputs[0],
           "your message as the tool's output, not the SDK's generic one", short(outputs[0], 80),
           "pass it to the decorator: @function_tool(failure_error_function=explain_outage)")
    expect("ConnectionError" in outputs[0], "the message names the error type (ConnectionError)",
           short(outputs[0], 80), "use type(error).__name__ in the message")
    return "the model got your explanation of the outage"
