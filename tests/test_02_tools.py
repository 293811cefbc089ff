"""Chapter 02: the hand-written tool loops and @function_tool, against the offline model."""

import asyncio
import json

import openai
import pytest
from agents import Agent, OpenAIChatCompletionsModel, RunConfig, RunContextWrapper, Runner, function_tool
from openai import AsyncOpenAI, OpenAI

from workbook.course_tools import get_weather
from workbook.offline import Options, start_in_background

CHAT_TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
FLAT_TOOLS = [{"type": "function", **CHAT_TOOLS[0]["function"]}]


@pytest.fixture(scope="module")
def client():
    server = start_in_background(Options())
    yield OpenAI(base_url=server.base_url, api_key="k", max_retries=0)
    server.stop()


def _hand_loop(client, question):
    messages = [{"role": "user", "content": question}]
    message = client.chat.completions.create(model="m", messages=messages, tools=CHAT_TOOLS).choices[0].message
    messages.append(message)
    for call in message.tool_calls:
        result = get_weather(**json.loads(call.function.arguments))
        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result, ensure_ascii=False)})
    final = client.chat.completions.create(model="m", messages=messages, tools=CHAT_TOOLS)
    return message, messages, final.choices[0].message.content


def test_function_calling_by_hand_answers_from_the_tool_message(client):
    message, messages, answer = _hand_loop(client, "北京今天天气怎么样？")
    assert [json.loads(c.function.arguments) for c in message.tool_calls] == [{"city": "北京"}]
    assert messages[-1]["role"] == "tool" and messages[-1]["tool_call_id"] == message.tool_calls[0].id
    assert "晴" in answer and "25" in answer  # the tool's data, not an invented answer


def test_two_cities_give_two_parallel_calls(client):
    message, _, answer = _hand_loop(client, "北京和上海的天气怎么样？")
    cities = sorted(json.loads(c.function.arguments)["city"] for c in message.tool_calls)
    assert cities == ["上海", "北京"]
    assert "北京" in answer and "上海" in answer


@pytest.mark.parametrize("tool_choice, expect_call", [
    ("auto", False), ("required", True), ("none", False),
    ({"type": "function", "function": {"name": "get_weather"}}, True),
])
def test_tool_choice_is_honoured_on_a_greeting(client, tool_choice, expect_call):
    reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "你好"}],
                                           tools=CHAT_TOOLS, tool_choice=tool_choice)
    assert bool(reply.choices[0].message.tool_calls) is expect_call


def test_responses_loop_with_previous_response_id(client):
    first = client.responses.create(model="m", input="东京天气怎么样？", tools=FLAT_TOOLS)
    calls = [i for i in first.output if i.type == "function_call"]
    assert len(calls) == 1 and json.loads(calls[0].arguments) == {"city": "东京"}
    output = {"type": "function_call_output", "call_id": calls[0].call_id,
              "output": json.dumps(get_weather("东京"), ensure_ascii=False)}
    second = client.responses.create(model="m", previous_response_id=first.id, input=[output], tools=FLAT_TOOLS)
    assert "多云" in second.output_text


def test_hosted_web_search_on_responses_and_rejected_on_chat(client):
    response = client.responses.create(model="m", tools=[{"type": "web_search"}], input="今天有什么积极的新闻吗?")
    assert [i.type for i in response.output] == ["web_search_call", "message"]
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "news"}],
                                       tools=[{"type": "web_search"}])


def test_failure_error_function_output_reaches_the_model(client):
    def on_error(ctx: RunContextWrapper, error: Exception) -> str:
        return f"order system down: {error}"

    @function_tool(failure_error_function=on_error)
    def query_order_live(order_id: str) -> dict:
        """Look up an order's status (查询订单状态).

        Args:
            order_id: The order id, e.g. A1001.
        """
        raise ConnectionError("timeout")

    assert query_order_live.params_json_schema["properties"]["order_id"]["description"].startswith("The order id")
    model = OpenAIChatCompletionsModel(model="m", openai_client=AsyncOpenAI(base_url=str(client.base_url), api_key="k"))
    agent = Agent(name="desk", instructions="你是客服", model=model, tools=[query_order_live])
    result = asyncio.run(Runner.run(agent, "查一下订单 A1001 的状态", run_config=RunConfig(tracing_disabled=True)))
    outputs = [i.output for i in result.new_items if i.type == "tool_call_output_item"]
    assert outputs == ["order system down: timeout"]
    assert "order system down" in result.final_output.lower()  # the model words it, capitalised
