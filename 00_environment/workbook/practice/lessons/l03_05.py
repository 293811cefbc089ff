"""Exercises for 03_05: streaming a run, text deltas and the run items as they happen."""

from __future__ import annotations

from agents import Agent, Runner

from workbook.course_tools import order_tool, weather_tool
from workbook.practice.core import Exercise, chat_model, check, expect, short, tool_calls

EXERCISES = [
    Exercise(
        id="03_05.1",
        title="The typewriter, done right",
        task="""Write `async def stream_reply(agent, question)`: run the agent with `Runner.run_streamed` and
return the list of text deltas, in order, taken from `raw_response_event`s whose `data` is a
`ResponseTextDeltaEvent`. Other events have no `.delta` (the seed's bug).""",
        starter='''from openai.types.responses import ResponseTextDeltaEvent

from agents import Runner


async def stream_reply(agent, question: str) -> list[str]:
    deltas = []
    ...
    return deltas''',
        solution='''from openai.types.responses import ResponseTextDeltaEvent

from agents import Runner


async def stream_reply(agent, question: str) -> list[str]:
    deltas = []
    result = Runner.run_streamed(agent, question)
    async for event in result.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            deltas.append(event.data.delta)
    return deltas''',
        check="await check_stream_reply(stream_reply)",
        wrong_answers=[
            ("reads event.data.delta on every raw event (the seed's code)", '''from agents import Runner


async def stream_reply(agent, question):
    deltas = []
    result = Runner.run_streamed(agent, question)
    async for event in result.stream_events():
        if event.type == "raw_response_event":
            deltas.append(event.data.delta)
    return deltas'''),
            ("the final output in one piece", '''from agents import Runner


async def stream_reply(agent, question):
    result = await Runner.run(agent, question)
    return [result.final_output]'''),
        ],
    ),
    Exercise(
        id="03_05.2",
        title="Which tools ran, live",
        task="""Write `async def tools_called(agent, question)`: stream the run and return the names of the
tools the agent called, in order, as the stream reports them: `run_item_stream_event`s whose
`name` is `"tool_called"` carry the call in `event.item.raw_item.name`. The check uses an agent
and questions of its own.""",
        starter='''from agents import Runner


async def tools_called(agent, question: str) -> list[str]:
    names = []
    ...
    return names''',
        solution='''from agents import Runner


async def tools_called(agent, question: str) -> list[str]:
    names = []
    result = Runner.run_streamed(agent, question)
    async for event in result.stream_events():
        if event.type == "run_item_stream_event" and event.name == "tool_called":
            names.append(event.item.raw_item.name)
    return names''',
        check="await check_tools_called(tools_called)",
        wrong_answers=[
            ("stops reading before the run ends", '''from agents import Runner


async def tools_called(agent, question):
    result = Runner.run_streamed(agent, question)
    async for event in result.stream_events():
        if event.type == "raw_response_event":
            break
    return []'''),
        ],
    ),
]


@check("03_05.1", hint_on_error="check isinstance(event.data, ResponseTextDeltaEvent) before reading .delta")
async def check_stream_reply(stream_reply):
    agent = Agent(name="ITS desk", instructions="You are the ITS customer-service desk. Answer briefly.",
                  model=chat_model())
    question = "Do you ship to Hong Kong?"
    deltas = await stream_reply(agent, question)
    expect(isinstance(deltas, list) and all(isinstance(d, str) for d in deltas), "a list of str deltas",
           short(deltas, 60), "append event.data.delta for each text delta event")
    expect(len(deltas) > 1, "many small deltas (a stream, not one final piece)", f"{len(deltas)} piece(s)",
           "iterate result.stream_events() from Runner.run_streamed")
    final = (await Runner.run(agent, question)).final_output
    expect("".join(deltas) == final, "the deltas join into the final answer", short("".join(deltas), 80),
           "keep every ResponseTextDeltaEvent's delta, in order")
    return "many deltas that join into the final answer"


@check("03_05.2")
async def check_tools_called(tools_called):
    agent = Agent(name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=chat_model(),
                  tools=[weather_tool, order_tool])
    for question in ("What is the status of order B2001?", "杭州和深圳的天气怎么样？", "你好"):
        expected = [name for name, _ in tool_calls(await Runner.run(agent, question))]
        got = await tools_called(agent, question)
        expect(got == expected, f"the names of the tools the run called for {question!r}, in order", short(got, 80),
               "collect event.item.raw_item.name from run_item_stream_event events named 'tool_called'")
    return "the tool calls, read from the stream as they happened"
