"""Chapter 04: the item types and RunResult fields the lessons describe."""

import asyncio
import json
import os

import workbook

workbook.setup(quiet=True)

from agents import Agent, ItemHelpers, ModelSettings, OpenAIChatCompletionsModel, Runner  # noqa: E402
from agents.items import (  # noqa: E402
    HandoffCallItem,
    HandoffOutputItem,
    MessageOutputItem,
    ReasoningItem,
    ToolCallItem,
    ToolCallOutputItem,
)
from openai import AsyncOpenAI  # noqa: E402
from openai.types.responses import (  # noqa: E402
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseReasoningItem,  # noqa: E402
)
from openai.types.shared import Reasoning  # noqa: E402

from workbook.course_tools import order_tool, weather_tool  # noqa: E402
from workbook.lessons import ROOT  # noqa: E402


def _model():
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return OpenAIChatCompletionsModel(model=os.environ["OPENAI_MODEL_NAME"], openai_client=client)


def test_tool_run_items_and_raw_types():
    agent = Agent(name="天气助手", instructions="你是一个天气助手。", model=_model(), tools=[weather_tool])
    result = asyncio.run(Runner.run(agent, "武汉的天气"))
    call, output, message = result.new_items
    assert isinstance(call, ToolCallItem) and isinstance(call.raw_item, ResponseFunctionToolCall)
    assert isinstance(output, ToolCallOutputItem) and output.raw_item["type"] == "function_call_output"
    assert output.raw_item["call_id"] == call.call_id
    assert isinstance(message, MessageOutputItem) and isinstance(message.raw_item, ResponseOutputMessage)
    assert message.raw_item.role == "assistant"
    assert isinstance(message.raw_item.content[0], ResponseOutputText)
    assert ItemHelpers.text_message_output(message) == result.final_output
    assert [e.get("type") for e in result.to_input_list()] == [None, "function_call", "function_call_output", "message"]
    usage = result.context_wrapper.usage
    assert usage.requests == 2 == len(result.raw_responses)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens > 0


def test_handoff_run_with_reasoning_has_every_item_type():
    thinking = ModelSettings(reasoning=Reasoning(effort="low", summary="auto"))
    order_agent = Agent(name="Order agent", handoff_description="Handles order status and delivery questions",
                        instructions="You answer questions about orders.", model=_model(), tools=[order_tool],
                        model_settings=thinking)
    triage = Agent(name="Triage agent", instructions="Route the customer.", model=_model(),
                   handoffs=[order_agent], model_settings=thinking)
    result = asyncio.run(Runner.run(triage, "Where is my order A1001?"))
    kinds = {type(i) for i in result.new_items}
    assert kinds == {ReasoningItem, HandoffCallItem, HandoffOutputItem, ToolCallItem, ToolCallOutputItem,
                     MessageOutputItem}
    reasoning = next(i for i in result.new_items if isinstance(i, ReasoningItem))
    assert isinstance(reasoning.raw_item, ResponseReasoningItem) and reasoning.raw_item.summary
    handoff = next(i for i in result.new_items if isinstance(i, HandoffOutputItem))
    assert (handoff.source_agent.name, handoff.target_agent.name) == ("Triage agent", "Order agent")
    assert result.last_agent is order_agent
    assert "shipped" in result.final_output


def test_taxonomy_notebook_timeline_was_generated_from_a_run():
    cells = json.loads((ROOT / "04_output_items" / "04_02_item_taxonomy.ipynb").read_text())["cells"]
    markdown = "".join("".join(o["data"]["text/markdown"]) for c in cells if c["cell_type"] == "code"
                       for o in c["outputs"] if "text/markdown" in o.get("data", {}))
    for name in ("ReasoningItem", "HandoffCallItem", "HandoffOutputItem", "ToolCallItem", "ToolCallOutputItem",
                 "MessageOutputItem"):
        assert f"| {name} |" in markdown
    assert "sequenceDiagram" in markdown and "Triage_agent->>Order_agent: handoff" in markdown
