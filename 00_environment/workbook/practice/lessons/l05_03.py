"""Exercise for 05_03 (all three event kinds together): one collector a chat UI could render from."""

from __future__ import annotations

from agents import Agent, ModelSettings, Runner, handoff
from agents.items import ToolCallItem
from openai.types.responses import ResponseReasoningSummaryTextDeltaEvent, ResponseTextDeltaEvent
from openai.types.shared import Reasoning

from workbook.course_tools import order_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_model, drain, record_stream

EXERCISES = [
    Exercise(
        id="05_03.1",
        title="One collector for all three kinds",
        task="""Complete the class `StreamCollector`: its `async def consume(self, result)` reads the whole
stream once and fills four attributes that a chat page could render:

- `agents`: the name of every agent that ran, in order (the first one too, and each after a handoff);
- `tools`: the name of every tool called, in order;
- `reasoning`: the reasoning summary text; `text`: the answer text.

The three kinds each feed some of them: `agent_updated_stream_event`, `run_item_stream_event`,
`raw_response_event`. The check streams a run with a handoff, reasoning and a tool call.""",
        starter='''class StreamCollector:
    def __init__(self):
        self.agents, self.tools = [], []
        self.reasoning = self.text = ""

    async def consume(self, result) -> None:
        async for event in result.stream_events():
            ...''',
        solution='''from openai.types.responses import ResponseReasoningSummaryTextDeltaEvent, ResponseTextDeltaEvent


class StreamCollector:
    def __init__(self):
        self.agents, self.tools = [], []
        self.reasoning = self.text = ""

    async def consume(self, result) -> None:
        async for event in result.stream_events():
            if event.type == "agent_updated_stream_event":
                self.agents.append(event.new_agent.name)
            elif event.type == "run_item_stream_event" and event.name == "tool_called":
                self.tools.append(event.item.tool_name)
            elif event.type == "raw_response_event":
                if isinstance(event.data, ResponseReasoningSummaryTextDeltaEvent):
                    self.reasoning += event.data.delta
                elif isinstance(event.data, ResponseTextDeltaEvent):
                    self.text += event.data.delta''',
        check="await check_collector(StreamCollector)",
        wrong_answers=[
            ("agents only from handoff_occured, so the first agent is missing", '''from openai.types.responses import ResponseReasoningSummaryTextDeltaEvent, ResponseTextDeltaEvent


class StreamCollector:
    def __init__(self):
        self.agents, self.tools = [], []
        self.reasoning = self.text = ""

    async def consume(self, result):
        async for event in result.stream_events():
            if event.type == "run_item_stream_event" and event.name == "handoff_occured":
                self.agents.append(event.item.target_agent.name)
            elif event.type == "run_item_stream_event" and event.name == "tool_called":
                self.tools.append(event.item.tool_name)
            elif event.type == "raw_response_event":
                if isinstance(event.data, ResponseReasoningSummaryTextDeltaEvent):
                    self.reasoning += event.data.delta
                elif isinstance(event.data, ResponseTextDeltaEvent):
                    self.text += event.data.delta'''),
            ("the seed's handoff branch: raw_item.source_agent", '''class StreamCollector:
    def __init__(self):
        self.agents, self.tools = [], []
        self.reasoning = self.text = ""

    async def consume(self, result):
        async for event in result.stream_events():
            if event.type == "run_item_stream_event" and event.name in ("handoff_requested", "handoff_occured"):
                self.agents.append(event.item.raw_item.source_agent.name)'''),
        ],
    ),
]


@check("05_03.1")
async def check_collector(StreamCollector):  # noqa: N803 - the student's class
    model = course_model()
    thinking = ModelSettings(reasoning=Reasoning(effort="low", summary="auto"))
    orders = Agent(name="订单助手", instructions="你负责订单问题，必须调用 query_order。", model=model,
                   tools=[order_tool, weather_tool], model_settings=thinking)
    front = Agent(name="前台", instructions="你负责把用户转给合适的专家。", model=model, model_settings=thinking,
                  handoffs=[handoff(orders, tool_name_override="transfer_to_order_agent",
                                    tool_description_override="订单问题转给订单助手")])
    collector = await call("StreamCollector()", StreamCollector)
    result = Runner.run_streamed(front, "订单 A1003 现在是什么状态？")
    seen = record_stream(result)
    try:
        await call("collector.consume(result)", getattr(collector, "consume", None), result,
                   hint="the agents are event.new_agent (agent_updated_stream_event), or a HandoffOutputItem's "
                        "item.source_agent / item.target_agent: never raw_item, which is protocol data")
    finally:
        await drain(result)
    truth = {
        "agents": [e.new_agent.name for e in seen if e.type == "agent_updated_stream_event"],
        "tools": [e.item.tool_name for e in seen if e.type == "run_item_stream_event"
                  and isinstance(e.item, ToolCallItem)],
        "reasoning": "".join(e.data.delta for e in seen if e.type == "raw_response_event"
                             and isinstance(e.data, ResponseReasoningSummaryTextDeltaEvent)),
        "text": "".join(e.data.delta for e in seen if e.type == "raw_response_event"
                        and isinstance(e.data, ResponseTextDeltaEvent)),
    }
    hints = {"agents": "every agent_updated_stream_event names the agent now running, the first one included",
             "tools": "a tool_called run item event carries a ToolCallItem: item.tool_name",
             "reasoning": "ResponseReasoningSummaryTextDeltaEvent deltas, in raw_response_event",
             "text": "ResponseTextDeltaEvent deltas, in raw_response_event"}
    for name, value in truth.items():
        got = getattr(collector, name, None)
        expect(got == value, f"collector.{name} == {short(value)}", short(got), hints[name])
    return f"agents {truth['agents']}, tools {truth['tools']}, reasoning and text apart: {truth['text']}"
