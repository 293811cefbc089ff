"""The seed's combined stream-event program (三者结合使用), corrected.

Corrections: the raw-event branch tests classes instead of reading `.delta` blindly; the reasoning
delta class is ResponseReasoningSummaryTextDeltaEvent; the handoff branch matches HandoffCallItem /
HandoffOutputItem and reads item.source_agent / item.target_agent (the seed read them from raw_item).
A triage agent was added in front of the weather agent so the handoff branch actually runs.
"""

import asyncio
import os

from openai import AsyncOpenAI

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import Agent, ModelSettings, OpenAIChatCompletionsModel, Runner, handoff  # noqa: E402
from agents.items import (  # noqa: E402
    HandoffCallItem,
    HandoffOutputItem,
    MessageOutputItem,
    ReasoningItem,
    ToolCallItem,
    ToolCallOutputItem,
)
from openai.types.responses import ResponseReasoningSummaryTextDeltaEvent, ResponseTextDeltaEvent  # noqa: E402
from openai.types.shared import Reasoning  # noqa: E402

from workbook.course_tools import weather_tool  # noqa: E402

client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.environ["OPENAI_MODEL_NAME"]


async def main():
    agent = Agent(
        name="天气助手",
        instructions="你是一个天气助手，用户问天气必须调用 get_weather，禁止编造。",
        model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
        tools=[weather_tool],
        # tool_choice="required": the model must call a tool (the SDK resets it after the call).
        # reasoning: ask for a reasoning summary; providers without one simply send none.
        model_settings=ModelSettings(tool_choice="required", reasoning=Reasoning(effort="low", summary="auto")),
    )
    # A triage agent in front, so that the handoff branch below has something to report.
    triage = Agent(
        name="前台",
        instructions="你负责把用户转给合适的专家。",
        model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
        # Handoff tool names must be ASCII: the default "transfer_to_天气助手" would be mangled.
        handoffs=[handoff(agent, tool_name_override="transfer_to_weather_agent",
                          tool_description_override="天气问题转给天气助手")],
    )

    # Only run_streamed produces the three kinds of StreamEvent.
    result = Runner.run_streamed(triage, "武汉的天气怎么样？")

    async for event in result.stream_events():
        # 1) RawResponsesStreamEvent: the model's raw deltas.
        if event.type == "raw_response_event":
            if isinstance(event.data, ResponseTextDeltaEvent):
                print(event.data.delta, end="", flush=True)
            elif isinstance(event.data, ResponseReasoningSummaryTextDeltaEvent):
                print(event.data.delta, end="", flush=True)
            elif event.data.type == "response.reasoning_summary_part.added":
                print("\n[reasoning_summary_delta] ", end="")
            elif event.data.type == "response.content_part.added":
                print("\n[answer] ", end="")

        # 2) RunItemStreamEvent: the run's structured steps.
        elif event.type == "run_item_stream_event":
            name = event.name
            if name == "tool_called" and isinstance(event.item, ToolCallItem):
                print(f"\n\nrun_item_stream_event tool_called: {event.item.tool_name} args={event.item.raw_item.arguments}")
            elif name == "tool_output" and isinstance(event.item, ToolCallOutputItem):
                print(f"\nrun_item_stream_event tool_output: {event.item.output}")
            elif name == "message_output_created" and isinstance(event.item, MessageOutputItem):
                print(f"\nrun_item_stream_event message_output_created: role={event.item.raw_item.role}")
            elif name == "reasoning_item_created" and isinstance(event.item, ReasoningItem):
                print(f"\nrun_item_stream_event reasoning_item_created: {len(event.item.raw_item.summary)} summary part(s)")
            # Corrected: handoff_requested carries a HandoffCallItem, handoff_occured a HandoffOutputItem,
            # and the agents are on the item (the seed read them from raw_item, a dict).
            elif name == "handoff_requested" and isinstance(event.item, HandoffCallItem):
                print(f"\nrun_item_stream_event handoff_requested: {event.item.raw_item.name}")
            elif name == "handoff_occured" and isinstance(event.item, HandoffOutputItem):
                print(f"\nrun_item_stream_event handoff_occured: "
                      f"{event.item.source_agent.name} -> {event.item.target_agent.name}")

        # 3) AgentUpdatedStreamEvent: which agent is running now.
        elif event.type == "agent_updated_stream_event":
            print(f"\nagent_updated_stream_event: {event.new_agent.name}")

    # There is no "final" event: when the loop ends the run is complete.
    print("\n\nfinal_output:", result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
