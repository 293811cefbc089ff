"""The ITS desk behind the chat page: a triage agent that hands off to two specialists.

The tools are the course's own (`workbook.course_tools`); only the wiring is new here.
"""

from __future__ import annotations

from agents import Agent, Model

from workbook.course_tools import inventory_tool, order_tool, product_search_tool, weather_tool


def build_desk(model: Model) -> Agent:
    """The triage agent (分诊), wired to its specialists. One model object serves all three."""
    weather_agent = Agent(
        name="Weather specialist",
        handoff_description="Answers questions about the weather in a city (天气).",
        instructions="You are the ITS desk's weather specialist. Use get_weather and answer in the "
                     "customer's language, briefly.",
        tools=[weather_tool],
        model=model,
    )
    order_agent = Agent(
        name="Order specialist",
        handoff_description="Answers questions about an order's status and delivery (订单).",
        instructions="You are the ITS desk's order specialist. Look the order up with query_order and "
                     "answer in the customer's language, briefly.",
        tools=[order_tool],
        model=model,
    )
    return Agent(
        name="Triage agent",
        instructions="You are the front desk of the ITS customer service. Product and stock questions "
                     "you answer yourself with your tools. Weather questions go to the weather "
                     "specialist, order questions to the order specialist. Otherwise answer briefly.",
        tools=[product_search_tool, inventory_tool],
        handoffs=[weather_agent, order_agent],
        model=model,
    )
