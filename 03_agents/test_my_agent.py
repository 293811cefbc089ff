"""Tests for a small ITS desk: copy this file into your project and adapt `build_desk`.

Run it with:  python -m pytest test_my_agent.py

Two kinds of tests, as in lesson 03_13:
- unit tests of the WIRING with `agents.testing.ScriptedModel`: you write what the model "says",
  the SDK does everything else for real (tools, handoffs, approvals), no network, milliseconds;
- an integration test through the real `openai` client against the offline course model (or the
  provider in your `.env`), checking behaviour, not exact wording.
"""

import asyncio
import json
import os

from agents import Agent, Model, OpenAIChatCompletionsModel, Runner, function_tool, set_tracing_disabled
from agents.testing import ScriptedModel, assistant_message, function_call

set_tracing_disabled(True)  # tests upload no traces (without a key the SDK would warn about it at exit)

refunds_done: list[tuple[str, int]] = []  # what the refund tool did, for the tests to check


async def _over_limit(ctx, arguments: dict, call_id: str) -> bool:
    return arguments["amount"] > 500


@function_tool(needs_approval=_over_limit)
def refund_order(order_id: str, amount: int) -> dict:
    """Refund money for an order.

    Args:
        order_id: The order id, e.g. "A1001".
        amount: The amount to refund, in whole CNY.
    """
    refunds_done.append((order_id, amount))
    return {"order_id": order_id, "refunded_cny": amount, "status": "refunded"}


def build_desk(model: Model) -> Agent:
    """The system under test: a triage agent that hands refunds to a refund agent."""
    refunds = Agent(name="Refund desk", instructions="You refund orders. Use the tools.",
                    handoff_description="Refunds and returns", model=model, tools=[refund_order])
    return Agent(name="Triage", instructions="Route the customer to the right desk.",
                 model=model, handoffs=[refunds])


# --- unit tests: ScriptedModel -------------------------------------------------------------------

def test_triage_hands_refunds_to_the_refund_desk_which_calls_the_tool():
    refunds_done.clear()
    model = ScriptedModel([
        [function_call("transfer_to_refund_desk", {}, call_id="h1")],
        [function_call("refund_order", {"order_id": "A1001", "amount": 120}, call_id="r1")],
        [assistant_message("Refunded 120 CNY for A1001.")],
    ])
    result = asyncio.run(Runner.run(build_desk(model), "I want my money back for A1001"))

    assert result.last_agent.name == "Refund desk"
    assert refunds_done == [("A1001", 120)]
    assert result.final_output == "Refunded 120 CNY for A1001."
    # What each model call was offered: triage sees the handoff, the refund desk the tool.
    assert [t.name for t in model.calls[0].tools] + [h.tool_name for h in model.calls[0].handoffs] == [
        "transfer_to_refund_desk"]
    assert [t.name for t in model.calls[1].tools] == ["refund_order"]
    model.assert_complete()  # every scripted step was used: no model call missing or extra


def test_large_refund_pauses_for_approval_and_does_not_run():
    refunds_done.clear()
    model = ScriptedModel([[function_call("refund_order", {"order_id": "A1002", "amount": 899}, call_id="r1")]])
    refunds = build_desk(model).handoffs[0]
    result = asyncio.run(Runner.run(refunds, "Refund 899 CNY for A1002"))

    assert [(i.name, json.loads(i.arguments)) for i in result.interruptions] == [
        ("refund_order", {"order_id": "A1002", "amount": 899})]
    assert refunds_done == []


def test_a_model_error_reaches_the_caller():
    model = ScriptedModel([RuntimeError("provider down")])
    try:
        asyncio.run(Runner.run(build_desk(model), "Hello"))
    except RuntimeError as error:
        assert str(error) == "provider down"
    else:
        raise AssertionError("the scripted error should reach the caller")


# --- integration test: the real client, against the offline model (or your provider) -------------

def test_refund_desk_fills_the_arguments_from_the_question():
    from openai import AsyncOpenAI

    import workbook

    workbook.setup(quiet=True)  # with nothing in .env: the offline course model
    refunds_done.clear()

    async def run():
        client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
        model = OpenAIChatCompletionsModel(model=os.environ["OPENAI_MODEL_NAME"], openai_client=client)
        return await Runner.run(build_desk(model).handoffs[0], "Please refund 75 CNY for order B2001")

    result = asyncio.run(run())
    assert refunds_done == [("B2001", 75)]  # behaviour: the right tool with the right arguments
    assert "75" in result.final_output  # not the exact wording: a real model words it its own way
