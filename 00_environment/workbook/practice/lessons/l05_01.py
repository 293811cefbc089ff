"""Exercises for 05_01 (raw response events): a typewriter, then reasoning apart from the answer."""

from __future__ import annotations

from agents import Agent, ModelSettings, Runner
from openai.types.responses import ResponseReasoningSummaryTextDeltaEvent, ResponseTextDeltaEvent
from openai.types.shared import Reasoning

from workbook.course_tools import order_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_model, drain, record_stream

EXERCISES = [
    Exercise(
        id="05_01.1",
        title="A typewriter that returns what it typed",
        task="""Write `async def typewriter(result)` that reads `result.stream_events()`, prints each piece
of the answer as it arrives (`print(delta, end="", flush=True)`) and returns the whole answer text.
Only text deltas are the answer: test the class, `ResponseTextDeltaEvent`, never read `.delta` blindly
(the first raw event, `response.created`, has none; tool-call arguments arrive as deltas too).

The check streams two runs, one of which calls a tool, and compares your text with `final_output`.""",
        starter='''from openai.types.responses import ResponseTextDeltaEvent


async def typewriter(result) -> str:
    text = ""
    async for event in result.stream_events():
        ...
    return text''',
        solution='''from openai.types.responses import ResponseTextDeltaEvent


async def typewriter(result) -> str:
    text = ""
    async for event in result.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            print(event.data.delta, end="", flush=True)
            text += event.data.delta
    print()
    return text''',
        check="await check_typewriter(typewriter)",
        wrong_answers=[
            ("the seed's event.data.delta on every raw event", '''async def typewriter(result):
    text = ""
    async for event in result.stream_events():
        if event.type == "raw_response_event":
            text += event.data.delta
    return text'''),
            ("every event that has a delta, tool arguments included", '''async def typewriter(result):
    text = ""
    async for event in result.stream_events():
        if event.type == "raw_response_event" and hasattr(event.data, "delta"):
            text += event.data.delta
    return text'''),
        ],
    ),
    Exercise(
        id="05_01.2",
        title="Reasoning apart from the answer",
        task="""A UI shows the model's reasoning summary (思考过程) apart from the answer, e.g. in a collapsible
box. Write `async def thinking_and_answer(result)` that reads the stream and returns a pair
`(reasoning, answer)`: the text of every `ResponseReasoningSummaryTextDeltaEvent`, and the text of every
`ResponseTextDeltaEvent`.

The check streams an agent that reasons and calls a tool.""",
        starter='''async def thinking_and_answer(result) -> tuple[str, str]:
    reasoning = answer = ""
    ...
    return reasoning, answer''',
        solution='''from openai.types.responses import ResponseReasoningSummaryTextDeltaEvent, ResponseTextDeltaEvent


async def thinking_and_answer(result) -> tuple[str, str]:
    reasoning = answer = ""
    async for event in result.stream_events():
        if event.type != "raw_response_event":
            continue
        if isinstance(event.data, ResponseReasoningSummaryTextDeltaEvent):
            reasoning += event.data.delta
        elif isinstance(event.data, ResponseTextDeltaEvent):
            answer += event.data.delta
    return reasoning, answer''',
        check="await check_thinking_and_answer(thinking_and_answer)",
        wrong_answers=[
            ("every delta into the answer", '''async def thinking_and_answer(result):
    answer = ""
    async for event in result.stream_events():
        if event.type == "raw_response_event" and hasattr(event.data, "delta"):
            answer += event.data.delta
    return "", answer'''),
        ],
    ),
]


@check("05_01.1")
async def check_typewriter(typewriter):
    model = course_model()
    scenarios = [
        (Agent(name="ITS desk", instructions="You are the ITS customer-service desk.", model=model),
         "Do you ship to Hong Kong?"),
        (Agent(name="Order desk", instructions="Answer order questions with query_order.", model=model,
               tools=[order_tool]), "What is the status of order A1002?"),
    ]
    for agent, question in scenarios:
        result = Runner.run_streamed(agent, question)
        try:
            got = await call("typewriter(result)", typewriter, result,
                             hint="response.created has no .delta: test isinstance(event.data, ResponseTextDeltaEvent)")
        finally:
            await drain(result)
        expect(got == result.final_output, f"for {question!r}: {short(result.final_output)}", short(got),
               "only ResponseTextDeltaEvent is answer text; function_call_arguments deltas are the tool's JSON"
               if isinstance(got, str) and got and got != result.final_output else
               "add each ResponseTextDeltaEvent's delta to the text and return it")
    return "typewriter returned exactly the final answer, with and without a tool call"


@check("05_01.2")
async def check_thinking_and_answer(thinking_and_answer):
    agent = Agent(name="Weather desk", instructions="Answer weather questions with get_weather.",
                  model=course_model(), tools=[weather_tool],
                  model_settings=ModelSettings(reasoning=Reasoning(effort="low", summary="auto")))
    result = Runner.run_streamed(agent, "What is the weather in Kunming?")
    seen = record_stream(result)
    try:
        got = await call("thinking_and_answer(result)", thinking_and_answer, result)
    finally:
        await drain(result)
    raw = [e.data for e in seen if e.type == "raw_response_event"]
    reasoning = "".join(d.delta for d in raw if isinstance(d, ResponseReasoningSummaryTextDeltaEvent))
    answer = "".join(d.delta for d in raw if isinstance(d, ResponseTextDeltaEvent))
    expect(isinstance(got, tuple) and len(got) == 2, "a pair (reasoning, answer)", short(got),
           "return reasoning, answer")
    expect(got[1] == answer, f"answer: {short(answer)}", short(got[1]),
           "the answer is only ResponseTextDeltaEvent text; reasoning and tool arguments are other events"
           if got[1] else "iterate over result.stream_events() and add each ResponseTextDeltaEvent's delta")
    expect(got[0] == reasoning, f"reasoning: {short(reasoning)}", short(got[0]),
           "collect the deltas of ResponseReasoningSummaryTextDeltaEvent")
    return f"reasoning ({len(reasoning)} characters) kept apart from the answer: {answer}"
