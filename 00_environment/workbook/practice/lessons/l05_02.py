"""Exercises for 05_02 (run item events): an event handler that drops nothing, then tool results
named while they stream."""

from __future__ import annotations

from agents import Agent, ModelSettings, Runner
from agents.items import ToolCallItem, ToolCallOutputItem
from openai.types.shared import Reasoning

from workbook.course_tools import inventory_tool, order_tool, rma_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_model, drain, record_stream

EXERCISES = [
    Exercise(
        id="05_02.1",
        title="An event handler that drops nothing",
        task="""Write `label(event)` that turns one stream event into one line for a progress display, and
returns `None` for raw token events (`raw_response_event`: far too many to show). Every other event
gets a line:

- `agent_updated_stream_event`: a line with the new agent's name, e.g. `"agent_updated Order agent"`;
- `run_item_stream_event`: a line starting with `event.name` (`tool_called`, `tool_output`,
  `handoff_requested`, `handoff_occured`, `reasoning_item_created`, `message_output_created`, …), and
  for `tool_called` the tool's name, for `handoff_occured` the agent handed to.

The check feeds it every event of real streamed runs (handoff, reasoning, tools) and checks that no
event kind is dropped.""",
        starter='''def label(event) -> str | None:
    if event.type == "raw_response_event":
        return None
    ...''',
        solution='''from agents.items import HandoffOutputItem, ToolCallItem


def label(event) -> str | None:
    if event.type == "raw_response_event":
        return None
    if event.type == "agent_updated_stream_event":
        return f"agent_updated {event.new_agent.name}"
    item = event.item
    if isinstance(item, ToolCallItem):
        return f"{event.name} {item.tool_name}"
    if isinstance(item, HandoffOutputItem):
        return f"{event.name} {item.source_agent.name} -> {item.target_agent.name}"
    return event.name''',
        check="await check_label(label)",
        wrong_answers=[
            ("drops the agent updates", '''def label(event):
    if event.type == "run_item_stream_event":
        return event.name
    return None'''),
            ("handles only the tool events", '''def label(event):
    if event.type == "run_item_stream_event" and event.name in ("tool_called", "tool_output"):
        return event.name
    return None'''),
        ],
    ),
    Exercise(
        id="05_02.2",
        title="Name tool results while they stream",
        task="""A `tool_output` event's `ToolCallOutputItem` has no tool name. Write
`async def tool_log(result)` that reads the stream and returns a list of `(tool_name, output)` for
every `tool_output` event, in order, taking the name from the `tool_called` event with the same
`call_id`.

The check asks a question that makes the agent call two tools in one turn: both calls stream
before either output.""",
        starter='''async def tool_log(result) -> list[tuple[str, object]]:
    log = []
    async for event in result.stream_events():
        ...
    return log''',
        solution='''from agents.items import ToolCallItem, ToolCallOutputItem


async def tool_log(result) -> list[tuple[str, object]]:
    names, log = {}, []
    async for event in result.stream_events():
        if event.type != "run_item_stream_event":
            continue
        if isinstance(event.item, ToolCallItem):
            names[event.item.call_id] = event.item.tool_name
        elif isinstance(event.item, ToolCallOutputItem):
            log.append((names[event.item.call_id], event.item.output))
    return log''',
        check="await check_tool_log(tool_log)",
        wrong_answers=[
            ("names each output after the last tool called", '''async def tool_log(result):
    last, log = None, []
    async for event in result.stream_events():
        if event.type == "run_item_stream_event" and event.name == "tool_called":
            last = event.item.tool_name
        elif event.type == "run_item_stream_event" and event.name == "tool_output":
            log.append((last, event.item.output))
    return log'''),
        ],
    ),
]


def _team(model) -> Agent:
    thinking = ModelSettings(reasoning=Reasoning(effort="low", summary="auto"))
    refunds = Agent(name="Returns team", handoff_description="Handles refunds and returns (RMA) for an order.",
                    instructions="Open an RMA for the order.", model=model, tools=[rma_tool],
                    model_settings=thinking)
    stock = Agent(name="Stock team", handoff_description="Answers stock and availability questions for SKUs",
                  instructions="Check stock.", model=model, tools=[inventory_tool])
    return Agent(name="Reception", instructions="Route each customer to the right specialist.", model=model,
                 handoffs=[refunds, stock], model_settings=thinking)


def _expected_words(event) -> list[str]:
    if event.type == "agent_updated_stream_event":
        return [event.new_agent.name]
    words = [event.name]
    if isinstance(event.item, ToolCallItem):
        words.append(event.item.tool_name)
    if event.name == "handoff_occured":
        words.append(event.item.target_agent.name)
    return words


async def _check_one(label, event) -> str:
    got = await call(f"label(<{event.type}>)", label, event)
    if event.type == "raw_response_event":
        expect(got is None, f"None for a raw_response_event ({event.data.type})", short(got),
               "raw token events are too many for a progress display: return None for them")
        return event.type
    kind = event.name if event.type == "run_item_stream_event" else event.type
    missing = [word for word in _expected_words(event) if word not in str(got or "")]
    expect(isinstance(got, str) and not missing, f"a line for {kind} containing {_expected_words(event)}",
           short(got), "this event kind was dropped: every non-raw event needs a line" if got is None else
           f"add {missing} to the line")
    return kind


@check("05_02.1")
async def check_label(label):
    team = _team(course_model())
    kinds_seen = set()
    for question in ("My order A1006 arrived broken, I want a refund.", "Is P200 in stock?"):
        result = Runner.run_streamed(team, question)
        try:
            async for event in result.stream_events():
                kinds_seen.add(await _check_one(label, event))
        finally:
            await drain(result)
    kinds_seen.discard("raw_response_event")
    return f"label gave a line for every event kind of 2 runs: {', '.join(sorted(kinds_seen))}"


@check("05_02.2")
async def check_tool_log(tool_log):
    desk = Agent(name="ITS desk", instructions="Use the tools.", model=course_model(),
                 tools=[order_tool, weather_tool])
    result = Runner.run_streamed(desk, "Status of order A1004, and the weather in Xiamen?")
    seen = record_stream(result)
    try:
        got = await call("tool_log(result)", tool_log, result,
                         hint="a ToolCallOutputItem has no tool name: find it by call_id")
    finally:
        await drain(result)
    items = [e.item for e in seen if e.type == "run_item_stream_event"]
    names = {i.call_id: i.tool_name for i in items if isinstance(i, ToolCallItem)}
    truth = [(names[i.call_id], i.output) for i in items if isinstance(i, ToolCallOutputItem)]
    got = [tuple(p) if isinstance(p, list) else p for p in got] if isinstance(got, list) else got
    expect(got == truth, f"{short(truth, 220)}", short(got, 220),
           "both tool_called events come before both tool_output events: map call_id -> name"
           if got else "keep a dict call_id -> tool_name from tool_called, and read it at tool_output")
    return f"tool_log named {len(truth)} outputs of one turn by call_id"
