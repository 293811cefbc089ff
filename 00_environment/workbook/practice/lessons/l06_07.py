"""Exercise for 06_07 (the support desk): a blocking input guardrail that keeps card numbers out."""

from __future__ import annotations

from agents import Agent, InputGuardrailTripwireTriggered, RunHooks, Runner

from workbook.course_tools import order_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import course_model

EXERCISES = [
    Exercise(
        id="06_07.1",
        title="A guardrail that keeps card numbers away from the model",
        task="""Customers sometimes paste a full payment card number into the chat. It must never reach
the model. Write an input guardrail (护栏) `card_number_guardrail` with
`@input_guardrail(run_in_parallel=False)` (so it finishes *before* the agent's model is called) that
trips when the user's text holds a card number: 13 to 19 digits, possibly in groups separated by
spaces or dashes. Shorter numbers (order ids, "ending 1111") pass. `input_data` is a string or a
list of input items: read the last user message's text.

The check attaches your guardrail to an agent of its own and counts the model calls.""",
        starter='''import re

from agents import GuardrailFunctionOutput, input_guardrail


@input_guardrail(run_in_parallel=False)
async def card_number_guardrail(ctx, agent, input_data) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)''',
        solution='''import re

from agents import GuardrailFunctionOutput, input_guardrail

CARD_NUMBER = re.compile(r"\\b(?:\\d[ -]?){12,18}\\d\\b")   # 13-19 digits, spaces or dashes between


def last_user_text(input_data) -> str:
    if isinstance(input_data, str):
        return input_data
    content = [item for item in input_data if item.get("role") == "user"][-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


@input_guardrail(run_in_parallel=False)
async def card_number_guardrail(ctx, agent, input_data) -> GuardrailFunctionOutput:
    found = CARD_NUMBER.search(last_user_text(input_data))
    return GuardrailFunctionOutput(output_info={"card_number": bool(found)}, tripwire_triggered=bool(found))''',
        check="await check_card_guardrail(card_number_guardrail)",
        wrong_answers=[
            ("runs in parallel: the model still sees the card", '''import re

from agents import GuardrailFunctionOutput, input_guardrail


@input_guardrail
async def card_number_guardrail(ctx, agent, input_data):
    text = input_data if isinstance(input_data, str) else str(input_data)
    found = re.search(r"(?:\\d[ -]?){12,18}\\d", text)
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered=bool(found))'''),
            ("trips on the word card", '''from agents import GuardrailFunctionOutput, input_guardrail


@input_guardrail(run_in_parallel=False)
async def card_number_guardrail(ctx, agent, input_data):
    text = input_data if isinstance(input_data, str) else str(input_data)
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered="card" in text.lower())'''),
        ],
    ),
]


class _ModelCalls(RunHooks):
    def __init__(self) -> None:
        self.count = 0

    async def on_llm_start(self, context, agent, system_prompt, input_items) -> None:
        self.count += 1


@check("06_07.1")
async def check_card_guardrail(card_number_guardrail):
    expect(hasattr(card_number_guardrail, "guardrail_function"), "an InputGuardrail (from @input_guardrail)",
           short(card_number_guardrail), "decorate the function with @input_guardrail(run_in_parallel=False)")
    desk = Agent(name="Billing desk", instructions="Help with orders and payments. Use the tools.",
                 model=course_model(), tools=[order_tool], input_guardrails=[card_number_guardrail])
    cases = [("I was charged twice, my card is 4111-1111-1111-1111, order A1005.", True),
             ([{"role": "user", "content": "Card 5500 0000 0000 0004 was charged twice"}], True),
             ("Where is order A1005? I paid with the card ending 1111.", False),
             ("My card was charged but order A1002 shows processing.", False)]
    for question, card in cases:
        hooks = _ModelCalls()
        try:
            result = await Runner.run(desk, question, hooks=hooks)
            tripped = False
        except InputGuardrailTripwireTriggered:
            tripped = True
        shown = question if isinstance(question, str) else f"a list input: {question[0]['content']}"
        expect(tripped == card, f"for {shown!r}: " + ("the tripwire" if card else "no tripwire, an answer"),
               "tripped" if tripped else f"answered: {short(result.final_output, 60)}",
               "13-19 digits with optional spaces or dashes between them; read the user's text from "
               "a string or from the last user item" if card else
               "only a full card number trips it: an order id or 'ending 1111' must pass")
        if card:
            expect(hooks.count == 0, f"for {shown!r}: the model is never called", f"{hooks.count} model call(s)",
                   "input guardrails run in parallel with the agent by default: use run_in_parallel=False")
    # A fast guardrail usually wins the race even in parallel mode; a slow one (a classifier model, as in
    # the lesson) would not, and the model would already have the card number: the mode must be blocking.
    expect(card_number_guardrail.run_in_parallel is False, "a blocking guardrail (run_in_parallel=False)",
           "run_in_parallel=True (the default)",
           "in parallel mode the agent's model is called at the same time: @input_guardrail(run_in_parallel=False)")
    return "card numbers tripped the guardrail before any model call; order questions went through"
