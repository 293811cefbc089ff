"""Chapter 05: the stream-event notebooks really show every event kind; sessions behave as taught."""

import asyncio
import json
import os
import re

import pytest

import workbook

workbook.setup(quiet=True)

from agents import Agent, OpenAIChatCompletionsModel, Runner, SQLiteSession  # noqa: E402
from agents.memory import SessionSettings  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402

from workbook.course_tools import weather_tool  # noqa: E402
from workbook.lessons import ROOT  # noqa: E402

CHAPTER = ROOT / "05_stream_events"

# Each event kind the chapter teaches, as a line a notebook printed for an event a run emitted.
EXPECTED_EVENTS = {
    "text delta": r"^raw_response_event response\.output_text\.delta\b",
    "reasoning summary delta": r"^raw_response_event response\.reasoning_summary_text\.delta\b",
    "response.created": r"^raw_response_event response\.created\b",
    "response.completed": r"^raw_response_event response\.completed\b",
    "tool_called": r"^run_item_stream_event tool_called ToolCallItem$",
    "tool_output": r"^run_item_stream_event tool_output ToolCallOutputItem$",
    "message_output_created": r"^run_item_stream_event message_output_created MessageOutputItem$",
    "reasoning_item_created": r"^run_item_stream_event reasoning_item_created ReasoningItem$",
    "handoff_requested": r"^run_item_stream_event handoff_requested HandoffCallItem$",
    "handoff_occured": r"^run_item_stream_event handoff_occured HandoffOutputItem$",
    "agent updated (first agent)": r"^agent_updated_stream_event Triage agent$",
    "agent updated (after handoff)": r"^agent_updated_stream_event Order agent$",
}


def _stored_stdout() -> str:
    lines = []
    for notebook in sorted(CHAPTER.glob("05_*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stdout":
                    lines.append("".join(output["text"]))
    return "".join(lines)


@pytest.mark.parametrize("kind", sorted(EXPECTED_EVENTS))
def test_notebooks_show_each_event_kind_emitted_by_a_run(kind):
    assert re.search(EXPECTED_EVENTS[kind], _stored_stdout(), re.MULTILINE), f"no stored output shows {kind}"


def test_handoff_events_come_in_order_between_the_agent_updates():
    text = _stored_stdout()
    order = ["agent_updated_stream_event Triage agent", "run_item_stream_event handoff_requested HandoffCallItem",
             "run_item_stream_event handoff_occured HandoffOutputItem", "agent_updated_stream_event Order agent",
             "run_item_stream_event tool_called ToolCallItem", "run_item_stream_event tool_output ToolCallOutputItem",
             "run_item_stream_event message_output_created MessageOutputItem"]
    positions = [text.find(line) for line in order]
    assert -1 not in positions and positions == sorted(positions)


def test_combined_program_reports_the_handoff_with_agent_names():
    text = _stored_stdout()
    assert "run_item_stream_event handoff_occured: 前台 -> 天气助手" in text
    assert "run_item_stream_event handoff_requested: transfer_to_weather_agent" in text


def _agent():
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return Agent(name="天气助手", instructions="你是一个天气助手。", tools=[weather_tool],
                 model=OpenAIChatCompletionsModel(model=os.environ["OPENAI_MODEL_NAME"], openai_client=client))


def test_sqlite_session_two_turns_pop_item_and_limit(tmp_path):
    async def scenario():
        session = SQLiteSession("chat", str(tmp_path / "conversations.db"))
        agent = _agent()
        await Runner.run(agent, "武汉的天气怎么样？", session=session)
        second = await Runner.run(agent, "我刚刚问了你什么问题？", session=session)
        items = await session.get_items()
        popped = await session.pop_item()
        after_pop = await session.get_items()
        limited = await SQLiteSession("chat", str(tmp_path / "conversations.db"),
                                      session_settings=SessionSettings(limit=2)).get_items()
        await session.clear_session()
        return second, items, popped, after_pop, limited, await session.get_items()

    second, items, popped, after_pop, limited, cleared = asyncio.run(scenario())
    assert "武汉的天气怎么样" in second.final_output  # answered from the stored history
    assert [(i.get("type"), i.get("role")) for i in items] == [
        (None, "user"), ("function_call", None), ("function_call_output", None), ("message", "assistant"),
        (None, "user"), ("message", "assistant")]
    assert popped == items[-1] and after_pop == items[:-1]
    assert limited == after_pop[-2:]
    assert cleared == []


def test_streamed_run_writes_the_session_while_consumed(tmp_path):
    async def scenario():
        session = SQLiteSession("stream", str(tmp_path / "s.db"))
        result = Runner.run_streamed(_agent(), "北京的天气怎么样？", session=session)
        async for _ in result.stream_events():
            pass
        return await session.get_items()

    after = asyncio.run(scenario())
    assert [i.get("type") for i in after] == [None, "function_call", "function_call_output", "message"]
