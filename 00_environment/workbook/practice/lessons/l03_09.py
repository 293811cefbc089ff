"""Exercises for 03_09: an approval policy on a tool, and resuming a paused run with a decision."""

from __future__ import annotations

from agents import Agent, FunctionTool, Runner, function_tool

from workbook.practice.core import Exercise, chat_model, check, expect, short, tool_calls, tool_outputs

EXERCISES = [
    Exercise(
        id="03_09.1",
        title="Vouchers over 200 CNY wait for a person",
        task="""Write a tool `issue_voucher(order_id: str, amount: int) -> dict` (it may simply return
`{"order_id": ..., "voucher_cny": amount}`) whose `needs_approval` (需要人工审批) is a policy
function: vouchers **over 200 CNY** pause the run for approval, smaller ones run at once. The
check puts your tool in an agent and asks for vouchers of its own amounts.""",
        starter='''from agents import function_tool


async def voucher_over_limit(ctx, arguments: dict, call_id: str) -> bool:
    ...


@function_tool
def issue_voucher(order_id: str, amount: int) -> dict:
    """Give the customer a voucher for an order (发放代金券).

    Args:
        order_id: The order id, e.g. "A1001".
        amount: The voucher's value, in whole CNY.
    """
    return {"order_id": order_id, "voucher_cny": amount}''',
        solution='''from agents import function_tool


async def voucher_over_limit(ctx, arguments: dict, call_id: str) -> bool:
    return arguments["amount"] > 200


@function_tool(needs_approval=voucher_over_limit)
def issue_voucher(order_id: str, amount: int) -> dict:
    """Give the customer a voucher for an order (发放代金券).

    Args:
        order_id: The order id, e.g. "A1001".
        amount: The voucher's value, in whole CNY.
    """
    return {"order_id": order_id, "voucher_cny": amount}''',
        check="await check_voucher_policy(issue_voucher)",
        wrong_answers=[
            ("every voucher waits (needs_approval=True)", '''from agents import function_tool


@function_tool(needs_approval=True)
def issue_voucher(order_id: str, amount: int) -> dict:
    """Give the customer a voucher for an order (发放代金券).

    Args:
        order_id: The order id, e.g. "A1001".
        amount: The voucher's value, in whole CNY.
    """
    return {"order_id": order_id, "voucher_cny": amount}'''),
        ],
    ),
    Exercise(
        id="03_09.2",
        title="Resume with the supervisor's decision",
        task="""Write `async def decide(agent, paused, approved: bool, message: str)`: `paused` is a run result
waiting on one approval. Turn it into a state, **approve** its pending call when `approved` is
true, otherwise **reject** it with `message` as the rejection message the customer will read, run
the state again with the same agent, and return the new result.""",
        starter='''from agents import Runner


async def decide(agent, paused, approved: bool, message: str):
    state = paused.to_state()
    ...''',
        solution='''from agents import Runner


async def decide(agent, paused, approved: bool, message: str):
    state = paused.to_state()
    pending = state.get_interruptions()[0]
    if approved:
        state.approve(pending)
    else:
        state.reject(pending, rejection_message=message)
    return await Runner.run(agent, state)''',
        check="await check_decide(decide)",
        wrong_answers=[
            ("rejects without the message", '''from agents import Runner


async def decide(agent, paused, approved, message):
    state = paused.to_state()
    pending = state.get_interruptions()[0]
    if approved:
        state.approve(pending)
    else:
        state.reject(pending)
    return await Runner.run(agent, state)'''),
        ],
    ),
]


@check("03_09.1")
async def check_voucher_policy(tool):
    expect(isinstance(tool, FunctionTool), "issue_voucher is a FunctionTool", type(tool).__name__, "@function_tool(...)")
    agent = Agent(name="Voucher desk", instructions="You are the ITS desk. Use the tools to issue vouchers.",
                  model=chat_model(), tools=[tool])
    for amount, order_id in ((80, "A1003"), (350, "B2001"), (200, "A1002")):
        result = await Runner.run(agent, f"Please issue a {amount} CNY voucher for order {order_id}")
        calls = tool_calls(result) or [(i.name, i.arguments) for i in result.interruptions]
        expect(calls, f"the model calls issue_voucher for {amount} CNY", "no tool call", "keep the docstring")
        if amount > 200:
            expect(result.interruptions and not tool_outputs(result),
                   f"a {amount} CNY voucher pauses the run (result.interruptions) and the tool does not run",
                   f"{len(result.interruptions)} interruptions, {len(tool_outputs(result))} tool outputs",
                   "needs_approval=voucher_over_limit, returning True when arguments['amount'] > 200")
        else:
            expect(not result.interruptions and tool_outputs(result),
                   f"a {amount} CNY voucher runs at once, without asking",
                   f"{len(result.interruptions)} interruptions", "return False for amounts up to 200")
    return "80 and 200 CNY ran at once, 350 CNY waited for approval"


@function_tool(needs_approval=True)
def _close_account(customer_id: str) -> dict:
    """Close a customer's account (注销账户).

    Args:
        customer_id: The customer id, e.g. "C-1001".
    """
    return {"customer_id": customer_id, "status": "closed"}


@check("03_09.2")
async def check_decide(decide):
    agent = Agent(name="Account desk", instructions="You are the ITS desk. Use the tools.", model=chat_model(),
                  tools=[_close_account])
    question = "Please close my account C-4410"
    paused = await Runner.run(agent, question)
    message = "Closing an account needs a phone call with you; we will ring you today."
    rejected = await decide(agent, paused, False, message)
    outputs = [str(o) for o in tool_outputs(rejected)]
    expect(outputs and "closed" not in outputs[0], "after a reject, the tool does not run",
           short(outputs, 80), "state.reject(pending, rejection_message=message), then Runner.run(agent, state)")
    expect(message in outputs[0], "the model receives your rejection message as the tool's result",
           short(outputs[0], 80), "pass rejection_message=message to state.reject")
    expect(rejected.final_output, "the resumed run ends with an answer", short(rejected.final_output, 60),
           "return the result of Runner.run(agent, state)")
    paused = await Runner.run(agent, question)
    approved = await decide(agent, paused, True, message)
    outputs = [str(o) for o in tool_outputs(approved)]
    expect(outputs and "closed" in outputs[0], "after an approve, the tool runs", short(outputs, 80),
           "state.approve(pending) when approved is true")
    return "a reject carried your message to the model; an approve let the tool run"
