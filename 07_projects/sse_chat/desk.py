"""The whole ITS desk behind the chat page: the desk chapter 06 built, plus a refund that waits
for a person.

    input guardrail (blocking) -> Triage agent -> Weather / Order / Product / RMA specialist

* The guardrail classifies each request (priority, category) before the triage agent's model is
  called (`run_in_parallel=False`); a request outside the desk's categories ends the run with
  `InputGuardrailTripwireTriggered`, which the app turns into a `guardrail_rejected` event.
* The RMA specialist can open a return (`open_rma`, a course tool) and refund an order. A refund
  above `REFUND_LIMIT_CNY` needs a person's approval (`needs_approval`): the run pauses, the app
  stores the paused `RunState` with the conversation and sends `approval_required`.

The tools are the course's own (`workbook.course_tools`); only the wiring and the refund are new.
A paused run is stored as JSON and resumed, maybe by another worker: `RunState` names agents and
tools, it does not hold them, so every worker builds the same desk from this function.
"""

from __future__ import annotations

from typing import Literal

from agents import Agent, GuardrailFunctionOutput, Model, RunContextWrapper, Runner, function_tool, input_guardrail
from agents.extensions.handoff_prompt import prompt_with_handoff_instructions
from pydantic import BaseModel, Field

from workbook.course_tools import inventory_tool, order_tool, price_tool, product_search_tool, rma_tool, weather_tool

REFUND_LIMIT_CNY = 500  # a refund above this waits for a person's approval
# What the page tells the user and the approver: why a call waits, why a request was turned away.
APPROVAL_REASONS = {"refund_order": f"Refunds above {REFUND_LIMIT_CNY} CNY need a supervisor's approval."}
REJECTED = "The ITS desk answers questions about the weather, orders, products, returns and refunds."


class TicketInfo(BaseModel):
    """What the guardrail reads from a request."""

    priority: Literal["low", "medium", "high"]
    category: Literal["weather", "order", "product", "rma", "other"]
    reason: str = Field(description="Why this category, in a few words")


async def refund_over_limit(ctx: RunContextWrapper, arguments: dict, call_id: str) -> bool:
    """`needs_approval` as a function: only large refunds wait for a person."""
    return float(arguments.get("amount", 0)) > REFUND_LIMIT_CNY


@function_tool(needs_approval=refund_over_limit)
def refund_order(order_id: str, amount: int) -> dict:
    """Refund money for an order to the original payment method (退款).

    Args:
        order_id: The order id, e.g. "A1002".
        amount: The amount to refund, in whole CNY.
    """
    return {"order_id": order_id.strip().upper(), "refunded_cny": amount, "status": "refunded"}


def last_user_text(input_data: str | list) -> str:
    """The guardrail gets the run input: a string, or a list of items (with a session, the history)."""
    if isinstance(input_data, str):
        return input_data
    users = [item for item in input_data if isinstance(item, dict) and item.get("role") == "user"]
    if not users:
        return ""
    content = users[-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def build_desk(model: Model) -> Agent:
    """The triage agent (分诊) with its guardrail and four specialists. One model object serves all."""
    classifier = Agent(
        name="Priority guardrail", model=model, output_type=TicketInfo,
        instructions="Classify the customer's request to the ITS desk. category: weather (the weather "
                     "in a city), order (where an order is, its status or delivery), product (products, "
                     "prices, stock), rma (returns, refunds, broken or faulty items) or other (anything "
                     "else: chit-chat, jokes, unrelated tasks). priority: high if urgent or broken, "
                     "otherwise low or medium.")

    @input_guardrail(run_in_parallel=False)  # finish BEFORE the triage agent's model is called
    async def priority_guardrail(ctx: RunContextWrapper, agent: Agent, input_data) -> GuardrailFunctionOutput:
        result = await Runner.run(classifier, last_user_text(input_data))
        info = result.final_output_as(TicketInfo)
        return GuardrailFunctionOutput(output_info=info, tripwire_triggered=info.category == "other")

    def specialist(name: str, about: str, tools: list, rules: str) -> Agent:
        return Agent(name=name, model=model, tools=tools, handoff_description=about,
                     instructions=f"You are the ITS desk's {name.lower()}. {rules} "
                                  "Answer in the customer's language, briefly.")

    weather = specialist("Weather specialist", "The weather in a city (天气).", [weather_tool],
                         "Use get_weather.")
    orders = specialist("Order specialist", "Tracks a shipment: order status and delivery date (物流).",
                        [order_tool],
                        "Look the order up with query_order.")
    products = specialist("Product specialist", "Products: search, prices and stock (商品).",
                          [product_search_tool, inventory_tool, price_tool], "Use the product tools.")
    rma = specialist("RMA specialist", "Refunds (退款) and returns (退货) for an order: broken or faulty items, money back.",
                     [rma_tool, refund_order, order_tool],
                     "Open a return with open_rma. Refund money with refund_order: refunds above "
                     f"{REFUND_LIMIT_CNY} CNY wait for a supervisor's approval.")
    return Agent(
        name="Triage agent", model=model,
        instructions=prompt_with_handoff_instructions(
            "You are the front desk of the ITS customer service. Hand each request to the right "
            "specialist: weather, orders, products, or returns and refunds (RMA)."),
        handoffs=[weather, orders, products, rma],
        input_guardrails=[priority_guardrail],
    )
