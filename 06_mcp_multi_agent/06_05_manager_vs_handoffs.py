"""The same customer-service desk built twice: a manager with agents as tools, and triage with handoffs.

Prints, for each question, who answered the user and the items each design produced.
"""

import asyncio
import os

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402

from workbook.course_tools import inventory_tool, order_tool, rma_tool  # noqa: E402


def build(model):
    product_agent = Agent(
        name="Product agent",
        handoff_description="Answers product questions: features, stock and availability of SKUs.",
        instructions="You are the product specialist of the ITS desk. Check stock with the tools.",
        tools=[inventory_tool], model=model)
    refund_agent = Agent(
        name="Refund agent",
        handoff_description="Handles refunds and returns (RMA): needs the order id and the reason.",
        instructions="You handle refunds: ask for the order id and the reason, explain the rules, open the RMA.",
        tools=[order_tool, rma_tool], model=model)

    # Manager pattern (中心化): the specialists are tools; the manager always answers the user.
    manager = Agent(
        name="Customer-facing agent",
        instructions="Handle all direct communication with the user. Call the relevant tool when specialist "
                     "knowledge is needed.",
        tools=[product_agent.as_tool(tool_name="product_expert",
                                     tool_description="Answers product questions: stock and availability."),
               refund_agent.as_tool(tool_name="refund_expert",
                                    tool_description="Handles refunds and returns (RMA) for an order.")],
        model=model)

    # Handoff pattern (去中心化): the triage agent passes the whole conversation to a specialist.
    triage = Agent(
        name="Triage agent",
        instructions="You route requests. Product questions -> Product agent. Refunds -> Refund agent.",
        handoffs=[product_agent, refund_agent], model=model)
    return manager, triage


async def main():
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    use_responses = os.environ.get("OPENAI_RESPONSES_API", "true") == "true"
    model = (OpenAIResponsesModel if use_responses else OpenAIChatCompletionsModel)(
        os.environ["OPENAI_MODEL_NAME"], client)
    manager, triage = build(model)
    for question in ["My earbuds from order A1003 are broken, I want a refund.", "Is the P200 smart watch in stock?"]:
        print("USER:", question)
        for title, agent in (("manager", manager), ("handoffs", triage)):
            result = await Runner.run(agent, question)
            print(f"  [{title}] {result.last_agent.name}: {result.final_output}")
            print("    items:", ", ".join(f"{type(i).__name__}({i.agent.name})" for i in result.new_items))


if __name__ == "__main__":
    asyncio.run(main())
