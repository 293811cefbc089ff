"""Exercises for 06_06 (customising handoffs): an escalation with a reason, then an input filter."""

from __future__ import annotations

from agents import Agent, Handoff, RunHooks, Runner, handoff

from workbook.course_tools import order_tool, rma_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_model

EXERCISES = [
    Exercise(
        id="06_06.1",
        title="An escalation that carries its reason",
        task="""Write `escalation_handoff(refund_agent, log)` returning a `handoff(...)` to `refund_agent`
whose tool is named `escalate_to_refunds` and whose model must fill in a reason: an `input_type`
with one field `reason: str`. Its `on_handoff(ctx, data)` appends `data.reason` to the list `log`.
(The SDK insists on the pair: `input_type` needs an `on_handoff` that takes two arguments.)

The check puts your handoff on a triage agent of its own and asks for refunds.""",
        starter='''from pydantic import BaseModel

from agents import handoff


class Escalation(BaseModel):
    reason: str


def escalation_handoff(refund_agent, log: list):
    ...''',
        solution='''from pydantic import BaseModel

from agents import handoff


class Escalation(BaseModel):
    reason: str


def escalation_handoff(refund_agent, log: list):
    async def on_escalation(ctx, data: Escalation) -> None:
        log.append(data.reason)

    return handoff(refund_agent, tool_name_override="escalate_to_refunds",
                   on_handoff=on_escalation, input_type=Escalation)''',
        check="await check_escalation(escalation_handoff)",
        wrong_answers=[
            ("on_handoff takes one argument", '''from pydantic import BaseModel

from agents import handoff


class Escalation(BaseModel):
    reason: str


def escalation_handoff(refund_agent, log):
    def on_escalation(ctx):
        log.append("escalated")

    return handoff(refund_agent, tool_name_override="escalate_to_refunds",
                   on_handoff=on_escalation, input_type=Escalation)'''),
            ("no input_type: the model gives no reason", '''from agents import handoff


def escalation_handoff(refund_agent, log):
    def on_escalation(ctx):
        log.append("")

    return handoff(refund_agent, tool_name_override="escalate_to_refunds", on_handoff=on_escalation)'''),
        ],
    ),
    Exercise(
        id="06_06.2",
        title="Pass on only what the customer said",
        task="""Write an input filter `customer_words_only(data)` for a handoff: it gets a `HandoffInputData`
and returns one (use `data.clone(...)`) in which the next agent receives only the customer's own
messages: keep the items of `data.input_history` whose `role` is `"user"` (the history may also be a
plain string: then it is one user message), and drop `pre_handoff_items` and `new_items` (the
earlier tool calls and the handoff itself).

The check runs a two-turn conversation in which the first turn used a tool, hands off with your
filter and records what the refund agent's model receives.""",
        starter='''def customer_words_only(data):
    return data''',
        solution='''def customer_words_only(data):
    history = data.input_history
    if isinstance(history, str):
        history = ({"role": "user", "content": history},)
    kept = tuple(item for item in history if isinstance(item, dict) and item.get("role") == "user")
    return data.clone(input_history=kept, pre_handoff_items=(), new_items=())''',
        check="await check_input_filter(customer_words_only)",
        wrong_answers=[
            ("drops everything, the customer's messages too", '''def customer_words_only(data):
    return data.clone(input_history=(), pre_handoff_items=(), new_items=())'''),
        ],
    ),
]


def _refund_agent(model) -> Agent:
    return Agent(name="Refund agent", model=model, tools=[rma_tool],
                 handoff_description="Handles refunds and returns (RMA) for an order.",
                 instructions="You handle refunds: open an RMA for the order with the customer's reason.")


@check("06_06.1")
async def check_escalation(escalation_handoff):
    refunds = _refund_agent(course_model())
    log: list = []
    made = await call("escalation_handoff(refund_agent, log)", escalation_handoff, refunds, log,
                      hint="with input_type, on_handoff must take (ctx, data)")
    expect(isinstance(made, Handoff), "a Handoff (what handoff(...) returns)", short(made), "return handoff(...)")
    expect(made.tool_name == "escalate_to_refunds", "the tool name escalate_to_refunds", repr(made.tool_name),
           'tool_name_override="escalate_to_refunds"')
    expect("reason" in made.input_json_schema.get("properties", {}), "a reason the model must fill in",
           f"parameters {list(made.input_json_schema.get('properties', {}))}", "input_type=Escalation")
    triage = Agent(name="Reception", model=refunds.model, handoffs=[made],
                   instructions="Escalate refund requests to the refunds team.")
    question = "The blender from order A1008 leaks, because the seal is cracked. I want a refund."
    result = await Runner.run(triage, question)
    expect(result.last_agent is refunds, "the refund agent answers", f"answered by {result.last_agent.name!r}",
           "hand off to refund_agent itself")
    expect(len(log) == 1 and isinstance(log[0], str) and log[0].strip(), "one reason in the log",
           short(log), "on_handoff(ctx, data): log.append(data.reason)")
    return f"escalated with the reason {log[0]!r}"


class _Inputs(RunHooks):
    def __init__(self) -> None:
        self.calls: list = []

    async def on_llm_start(self, context, agent, system_prompt, input_items) -> None:
        self.calls.append((agent.name, list(input_items)))


@check("06_06.2")
async def check_input_filter(customer_words_only):
    model = course_model()
    refunds = _refund_agent(model)
    triage = Agent(name="Reception", model=model, tools=[order_tool],
                   handoffs=[handoff(refunds, input_filter=customer_words_only)],
                   instructions="Answer order questions with the tools; hand refunds to the Refund agent.")
    first = await Runner.run(triage, "Has order A1002 shipped?")
    turn2 = first.to_input_list() + [{"role": "user", "content": "Cancel it, I want a refund for A1002."}]
    hooks = _Inputs()
    try:
        await Runner.run(triage, turn2, hooks=hooks)
    except Exception as error:  # the filter is the student's: its mistakes surface in the run
        expect(False, "the run with your filter completes", f"{type(error).__name__}: {error}"[:200],
               "return data.clone(input_history=..., pre_handoff_items=(), new_items=())")
    received = next((items for name, items in hooks.calls if name == "Refund agent"), None)
    expect(received is not None, "a handoff to the Refund agent", "the refund agent never ran",
           "return a HandoffInputData from the filter (data.clone(...))")
    kinds = [item.get("type") or item.get("role") for item in received]
    expect(all(item.get("role") == "user" for item in received), "only the customer's messages",
           str(kinds), "keep items whose role is 'user'; drop pre_handoff_items and new_items")
    texts = [str(item.get("content")) for item in received]
    expect(any("A1002" in text and "refund" in text for text in texts) and len(received) == 2,
           "both of the customer's messages", str(texts)[:200], "the customer's words are in input_history")
    return f"the refund agent received only the customer's {len(received)} messages"
