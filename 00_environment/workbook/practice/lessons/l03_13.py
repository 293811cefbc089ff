"""Exercises for 03_13: a scripted model for a unit test of an agent's wiring."""

from __future__ import annotations

from agents import Agent, Runner, function_tool

from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call

EXERCISES = [
    Exercise(
        id="03_13.1",
        title="Script a refund",
        task="""Write `refund_script(order_id: str, amount: int) -> ScriptedModel`: a scripted model
(脚本化模型, `agents.testing.ScriptedModel`) under which a refund desk calls its tool
`refund_order` with exactly that `order_id` and `amount`, then answers with a short message. Use
`function_call(name, arguments, call_id=...)` and `assistant_message(text)`. The check builds its
own refund desk on your model, for orders and amounts it chooses, and checks that the refund ran
and that every scripted step was used.""",
        starter='''from agents.testing import ScriptedModel, assistant_message, function_call


def refund_script(order_id: str, amount: int) -> ScriptedModel:
    return ScriptedModel([])''',
        solution='''from agents.testing import ScriptedModel, assistant_message, function_call


def refund_script(order_id: str, amount: int) -> ScriptedModel:
    return ScriptedModel([
        [function_call("refund_order", {"order_id": order_id, "amount": amount}, call_id="refund-1")],
        [assistant_message(f"Refunded {amount} CNY for order {order_id}.")],
    ])''',
        check="await check_refund_script(refund_script)",
        wrong_answers=[
            ("no answer after the tool call", '''from agents.testing import ScriptedModel, function_call


def refund_script(order_id, amount):
    return ScriptedModel([[function_call("refund_order", {"order_id": order_id, "amount": amount}, call_id="r")]])'''),
            ("the arguments of one example", '''from agents.testing import ScriptedModel, assistant_message, function_call


def refund_script(order_id, amount):
    return ScriptedModel([[function_call("refund_order", {"order_id": "A1001", "amount": 120}, call_id="r")],
                          [assistant_message("Refunded.")]])'''),
        ],
    ),
]


def _refund_tool(refunded: list):
    @function_tool
    def refund_order(order_id: str, amount: int) -> dict:
        """Refund money for an order.

        Args:
            order_id: The order id.
            amount: The amount in whole CNY.
        """
        refunded.append((order_id, amount))
        return {"order_id": order_id, "refunded_cny": amount}

    return refund_order


@check("03_13.1", hint_on_error="script two steps: the tool call, then the answer")
async def check_refund_script(refund_script):
    for order_id, amount in (("B2001", 45), ("A1003", 310)):
        refunded: list[tuple[str, int]] = []
        model = await call("refund_script", refund_script, order_id, amount)
        expect(hasattr(model, "assert_complete") and hasattr(model, "calls"), "a ScriptedModel", short(model, 60),
               "return ScriptedModel([...]) from agents.testing")
        desk = Agent(name="Refund desk", instructions="You refund orders.", model=model,
                     tools=[_refund_tool(refunded)])
        result = await Runner.run(desk, f"Please refund {amount} CNY for order {order_id}")
        expect(refunded == [(order_id, amount)], f"refund_order ran once with ({order_id!r}, {amount})",
               str(refunded), "function_call('refund_order', {'order_id': order_id, 'amount': amount}, call_id=...)")
        expect(isinstance(result.final_output, str) and result.final_output, "a final answer after the refund",
               short(result.final_output, 60), "add a second step: [assistant_message('...')]")
        expect(model.remaining_steps == 0, "every scripted step used", f"{model.remaining_steps} step(s) left",
               "script exactly the model calls the run makes: the tool call, then the answer")
    return "the desk refunded exactly what the script asked, with no step left over"
