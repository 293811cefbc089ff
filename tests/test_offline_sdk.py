"""The Agents SDK end to end against the offline model, on both model classes, streamed and not.

Agents, tools and prompts here appear in no lesson: the offline model must work from the
request alone, as a real model does.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from agents import (
    Agent,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    SQLiteSession,
    function_tool,
    set_tracing_disabled,
)
from agents.mcp import MCPServerStdio
from openai import AsyncOpenAI
from openai.types.responses import ResponseTextDeltaEvent
from pydantic import BaseModel

set_tracing_disabled(True)  # no network: traces would try to upload

MODEL_CLASSES = {"chat": OpenAIChatCompletionsModel, "responses": OpenAIResponsesModel}
MCP_SERVER = Path(__file__).parent / "fixtures" / "mcp_inventory_server.py"


@function_tool
def ship_parcel(weight_kg: float, destination: str) -> str:
    """Quote shipping for a parcel: its weight in kilograms and the destination city."""
    return f"a {weight_kg:g} kg parcel to {destination} costs {12 + 4 * weight_kg:g} EUR"


@function_tool
def find_recipe(dish: str) -> str:
    """Find a cooking recipe for a dish."""
    return f"recipe for {dish}: boil, stir, serve"


class TripPlan(BaseModel):
    city: str
    days: int
    activities: list[str]


def run(coro):
    return asyncio.run(coro)


async def execute(agent: Agent, text, streamed: bool, **kwargs):
    """Run an agent; for streamed runs also return what the stream showed."""
    if not streamed:
        return await Runner.run(agent, text, **kwargs), set()
    result = Runner.run_streamed(agent, text, **kwargs)
    seen: set[str] = set()
    async for event in result.stream_events():
        if event.type == "raw_response_event":
            if isinstance(event.data, ResponseTextDeltaEvent):
                seen.add("ResponseTextDeltaEvent")
        elif event.type == "run_item_stream_event":
            seen.add(event.name)
        elif event.type == "agent_updated_stream_event":
            seen.add(f"agent_updated_stream_event:{event.new_agent.name}")
    return result, seen


def called(result) -> list[tuple[str, str]]:
    return [(item.raw_item.name, item.raw_item.arguments) for item in result.new_items
            if item.type in ("tool_call_item", "handoff_call_item")]


@pytest.fixture(params=["chat", "responses"])
def api(request):
    return request.param


@pytest.fixture(params=[False, True], ids=["run", "run_streamed"])
def streamed(request):
    return request.param


def model_for(api: str, base_url: str, name: str = "course-model"):
    client = AsyncOpenAI(base_url=base_url, api_key="test-key", max_retries=0)
    return MODEL_CLASSES[api](model=name, openai_client=client)


def test_plain_text(server, api, streamed):
    async def main():
        agent = Agent(name="Librarian", instructions="You are a librarian at the city library.",
                      model=model_for(api, server.base_url))
        return await execute(agent, "Hello!", streamed)

    result, seen = run(main())
    assert result.final_output == "(offline model) Hello! I'm a librarian at the city library. How can I help?"
    assert result.last_agent.name == "Librarian"
    if streamed:
        assert {"ResponseTextDeltaEvent", "message_output_created", "agent_updated_stream_event:Librarian"} <= seen


def test_function_tool_round_trip(server, api, streamed):
    async def main():
        agent = Agent(name="Courier desk", instructions="You quote parcel shipping.",
                      tools=[find_recipe, ship_parcel], model=model_for(api, server.base_url))
        return await execute(agent, "How much to ship a 3.5 kg parcel to Berlin?", streamed)

    result, seen = run(main())
    assert called(result) == [("ship_parcel", '{"weight_kg": 3.5, "destination": "Berlin"}')]
    outputs = [item.output for item in result.new_items if item.type == "tool_call_output_item"]
    assert outputs == ["a 3.5 kg parcel to Berlin costs 26 EUR"]
    assert result.final_output == "A 3.5 kg parcel to Berlin costs 26 EUR."
    if streamed:
        assert {"tool_called", "tool_output", "ResponseTextDeltaEvent"} <= seen


def test_output_type(server, api, streamed):
    async def main():
        agent = Agent(name="Trip planner", instructions="Plan short city trips.", output_type=TripPlan,
                      model=model_for(api, server.base_url))
        return await execute(agent, "Plan 3 days in Rome", streamed)

    result, _ = run(main())
    assert isinstance(result.final_output, TripPlan)
    assert result.final_output.city == "Rome" and result.final_output.days == 3
    assert result.final_output.activities


def test_output_type_after_tool(server, api, streamed):
    class Quote(BaseModel):
        destination: str
        weight_kg: float
        summary: str

    async def main():
        agent = Agent(name="Courier desk", instructions="You quote parcel shipping.", tools=[ship_parcel],
                      output_type=Quote, model=model_for(api, server.base_url))
        return await execute(agent, "Ship 2 kg to Paris, please", streamed)

    result, _ = run(main())
    assert called(result) == [("ship_parcel", '{"weight_kg": 2, "destination": "Paris"}')]
    assert result.final_output.destination == "Paris" and result.final_output.weight_kg == 2
    assert "20 EUR" in result.final_output.summary


def test_handoff(server, api, streamed):
    async def main():
        model = model_for(api, server.base_url)
        billing = Agent(name="Billing agent", handoff_description="Handles invoices, payments and refunds.",
                        instructions="You are the billing agent.", model=model)
        tech = Agent(name="Tech support", handoff_description="Fixes login problems and app crashes.",
                     instructions="You are the tech support engineer.", model=model)
        triage = Agent(name="Triage", instructions="Route the customer to the right team.",
                       handoffs=[billing, tech], model=model)
        return await execute(triage, "The app crashes every time I try to log in", streamed)

    result, seen = run(main())
    assert result.last_agent.name == "Tech support"
    assert [name for name, _ in called(result)] == ["transfer_to_tech_support"]
    assert "tech support engineer" in result.final_output
    if streamed:
        assert {"handoff_requested", "handoff_occured", "agent_updated_stream_event:Triage",
                "agent_updated_stream_event:Tech support"} <= seen


def test_agents_as_tools(server, api, streamed):
    async def main():
        model = model_for(api, server.base_url)
        translator = Agent(name="French translator", instructions="You are a French translator.", model=model)
        poet = Agent(name="Poet", instructions="You are a poet.", model=model)
        boss = Agent(name="Coordinator", instructions="Delegate to the right specialist.", model=model, tools=[
            translator.as_tool(tool_name="translate_to_french", tool_description="Translate English text into French."),
            poet.as_tool(tool_name="write_poem", tool_description="Write a short poem about a subject."),
        ])
        return await execute(boss, "Translate 'good morning' into French", streamed)

    result, seen = run(main())
    assert [name for name, _ in called(result)] == ["translate_to_french"]
    assert result.last_agent.name == "Coordinator"
    # The specialist's reply is passed on as it is, never wrapped in "According to <tool>".
    assert result.final_output.startswith("(offline model) As a French translator,")
    if streamed:
        assert {"tool_called", "tool_output"} <= seen


def test_previous_response_id(server, streamed):
    async def main():
        agent = Agent(name="Concierge", instructions="You are a hotel concierge.",
                      model=model_for("responses", server.base_url))
        first, _ = await execute(agent, "Hi, my name is Zofia.", streamed)
        assert first.last_response_id and first.last_response_id.startswith("resp_")
        second, _ = await execute(agent, "What is my name?", streamed, previous_response_id=first.last_response_id)
        alone, _ = await execute(agent, "What is my name?", streamed)
        return second, alone

    second, alone = run(main())
    assert second.final_output == "Your name is Zofia."
    assert alone.final_output != "Your name is Zofia."  # the memory came from previous_response_id


def test_sqlite_session(server, api, streamed, tmp_path):
    async def main():
        session = SQLiteSession("guest-7", str(tmp_path / "memory.db"))
        agent = Agent(name="Concierge", instructions="You are a hotel concierge.", model=model_for(api, server.base_url))
        await execute(agent, "Hello, I am Marek.", streamed, session=session)
        second, _ = await execute(agent, "What did I just say?", streamed, session=session)
        items = await session.get_items()
        return second, items

    second, items = run(main())
    assert second.final_output == "You asked: “Hello, I am Marek.”"
    assert [i.get("role") for i in items if i.get("role") == "user"] == ["user", "user"]


def test_mcp_stdio_server(server, api, streamed):
    async def main():
        params = {"command": sys.executable, "args": [str(MCP_SERVER)]}
        async with MCPServerStdio(params=params, name="warehouse", client_session_timeout_seconds=30) as mcp:
            agent = Agent(name="Warehouse clerk", instructions="You answer questions about the warehouse.",
                          mcp_servers=[mcp], model=model_for(api, server.base_url))
            return await execute(agent, "Where is bin W-17?", streamed)

    result, seen = run(main())
    assert called(result) == [("locate_bin", '{"bin_code": "W-17"}')]
    assert "aisle 4, shelf 2" in result.final_output
    if streamed:
        assert {"tool_called", "tool_output"} <= seen


def test_tool_choice_required_and_none(server, api):
    async def main():
        model = model_for(api, server.base_url)
        forced = Agent(name="Cook", instructions="You cook.", tools=[find_recipe, ship_parcel], model=model,
                       model_settings=ModelSettings(tool_choice="find_recipe"), tool_use_behavior="stop_on_first_tool")
        silent = Agent(name="Cook", instructions="You cook.", tools=[find_recipe], model=model,
                       model_settings=ModelSettings(tool_choice="none"))
        return await Runner.run(forced, "Hello there"), await Runner.run(silent, "Find a recipe for dumplings")

    forced, silent = run(main())
    assert [name for name, _ in called(forced)] == ["find_recipe"]
    assert forced.final_output.startswith("recipe for ")
    assert called(silent) == [] and "(offline model)" in silent.final_output


def test_reasoning_alias_gives_reasoning_items(server, api):
    async def main():
        agent = Agent(name="Courier desk", instructions="You quote parcel shipping.", tools=[ship_parcel],
                      model=model_for(api, server.base_url, "course-reasoner"))
        return await Runner.run(agent, "Ship 1 kg to Tokyo")

    result = run(main())
    kinds = [item.type for item in result.new_items]
    if api == "responses":
        # The chat converter drops reasoning_content; the Responses API keeps a reasoning item.
        assert kinds[0] == "reasoning_item"
        assert "ship_parcel" in result.new_items[0].raw_item.summary[0].text
    assert "tool_call_item" in kinds and "Tokyo" in result.final_output and "ship_parcel" not in result.final_output
