"""Exercise for 02_01: what makes a good tool: clear parameters, one job, a structured result, a docstring."""

from __future__ import annotations

from agents import Agent, FunctionTool, Runner

from workbook.course_tools import ALL_TOOLS
from workbook.practice.core import Exercise, chat_model, check, expect, short, tool_calls

EXERCISES = [
    Exercise(
        id="02_01.1",
        title="A shipping-fee tool for the desk",
        task="""Write a plain function `get_shipping_fee(city: str, weight_kg: float) -> dict` for the course's
toolset: 12 CNY for the first kilogram, plus 3 CNY for each kilogram above one
(`12 + 3 * max(0, weight_kg - 1)`). Return a **dict** with `city`, `weight_kg` and `fee_cny`, and
give it a docstring with an `Args:` section (the model reads it). Then make the tool object
`shipping_tool = function_tool(get_shipping_fee)`. The check calls the function, reads the tool's
schema, and lets an agent with the whole course toolset choose it.""",
        starter='''from agents import function_tool


def get_shipping_fee(city: str, weight_kg: float) -> dict:
    ...


shipping_tool = function_tool(get_shipping_fee)''',
        solution='''from agents import function_tool


def get_shipping_fee(city: str, weight_kg: float) -> dict:
    """Work out the shipping fee (运费) for a parcel sent to a city.

    Args:
        city: The destination city, e.g. 成都.
        weight_kg: The parcel's weight in kilograms.
    """
    return {"city": city, "weight_kg": weight_kg, "fee_cny": 12 + 3 * max(0, weight_kg - 1)}


shipping_tool = function_tool(get_shipping_fee)''',
        check="await check_shipping_tool(get_shipping_fee, shipping_tool)",
        wrong_answers=[
            ("returns a sentence, not a dict", '''from agents import function_tool


def get_shipping_fee(city: str, weight_kg: float) -> dict:
    """Work out the shipping fee (运费) for a parcel sent to a city.

    Args:
        city: The destination city.
        weight_kg: The parcel's weight in kilograms.
    """
    return f"{city}: {12 + 3 * max(0, weight_kg - 1)} CNY"


shipping_tool = function_tool(get_shipping_fee)'''),
            ("no docstring", '''from agents import function_tool


def get_shipping_fee(city: str, weight_kg: float) -> dict:
    return {"city": city, "weight_kg": weight_kg, "fee_cny": 12 + 3 * max(0, weight_kg - 1)}


shipping_tool = function_tool(get_shipping_fee)'''),
        ],
    ),
]


@check("02_01.1")
async def check_shipping_tool(get_shipping_fee, shipping_tool):
    for city, weight, fee in (("西安", 4, 21), ("Lhasa", 0.5, 12), ("南京", 1, 12)):
        result = get_shipping_fee(city, weight)
        expect(isinstance(result, dict), f"get_shipping_fee({city!r}, {weight}) returns a dict", short(result, 80),
               "return {'city': ..., 'weight_kg': ..., 'fee_cny': ...}: a structured result, not a sentence")
        expect(result.get("fee_cny") == fee and result.get("city") == city,
               f"city {city!r} and fee_cny {fee} for {weight} kg", short(result, 80),
               "12 CNY for the first kg, 3 CNY for each kg above one")
    expect(isinstance(shipping_tool, FunctionTool), "shipping_tool is a FunctionTool", type(shipping_tool).__name__,
           "shipping_tool = function_tool(get_shipping_fee)")
    params = shipping_tool.params_json_schema.get("properties", {})
    expect(shipping_tool.description.strip(), "a tool description (from the docstring)", "an empty description",
           "write a docstring: its first line tells the model what the tool does")
    expect(set(params) == {"city", "weight_kg"}, "parameters city and weight_kg", f"{sorted(params)}",
           "keep the signature get_shipping_fee(city: str, weight_kg: float)")
    expect(all(p.get("description") for p in params.values()), "a description for each parameter",
           f"described: {[n for n, p in params.items() if p.get('description')]}",
           "add an Args: section to the docstring, one line per parameter")
    agent = Agent(name="ITS desk", instructions="You are the ITS customer-service desk. Use the tools.",
                  model=chat_model(), tools=[*ALL_TOOLS, shipping_tool])
    run = await Runner.run(agent, "寄一个 6 公斤的包裹到成都要多少运费？")
    calls = tool_calls(run)
    expect(calls and calls[0][0] == shipping_tool.name, "the model picks your tool for a shipping-fee question",
           f"tool calls {short(calls, 80)}", "say in the docstring that it computes the shipping fee (运费)")
    expect(calls[0][1].get("city") == "成都" and calls[0][1].get("weight_kg") == 6, "arguments city=成都, weight_kg=6",
           short(calls[0][1], 80), "name the parameters by what they hold")
    return "a structured result, a described schema, and the model chose it among the course tools"
