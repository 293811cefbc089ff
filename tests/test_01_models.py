"""Chapter 01: the behaviours the lessons teach, checked against the offline model."""

import asyncio

import openai
import pytest
from agents import Agent, OpenAIChatCompletionsModel, RunConfig, Runner
from openai import AsyncOpenAI, OpenAI

from workbook.offline import Options, start_in_background


@pytest.fixture(scope="module")
def base_url():
    server = start_in_background(Options())
    yield server.base_url
    server.stop()


def test_previous_response_id_remembers_the_first_turn(base_url):
    client = OpenAI(base_url=base_url, api_key="k")
    first = client.responses.create(model="course-model", input="你好，我叫小明。")
    second = client.responses.create(model="course-model", input="我叫什么名字？", previous_response_id=first.id)
    assert "小明" in second.output_text
    alone = client.responses.create(model="course-model", input="我叫什么名字？")
    assert "小明" not in alone.output_text


def test_chat_only_provider_raises_not_found_and_chat_still_works(base_url):
    client = OpenAI(base_url=base_url, api_key="k", max_retries=0)
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model="course-chat-only", input="你是谁？")
    reply = client.chat.completions.create(model="course-chat-only", messages=[{"role": "user", "content": "你是谁？"}])
    assert reply.choices[0].message.content


def test_streaming_shapes_differ_between_the_apis(base_url):
    client = OpenAI(base_url=base_url, api_key="k")
    chunks = list(client.chat.completions.create(model="course-model", messages=[{"role": "user", "content": "你好"}],
                                                 stream=True))
    assert len(chunks) > 2 and {type(c).__name__ for c in chunks} == {"ChatCompletionChunk"}
    events = [e.type for e in client.responses.create(model="course-model", input="你好", stream=True)]
    assert events[0] == "response.created" and events[-1] == "response.completed"
    assert "response.output_text.delta" in events


def test_agents_sdk_fails_at_call_time_with_a_sync_client(base_url):
    async def run(client):
        agent = Agent(name="a", instructions="hi", model=OpenAIChatCompletionsModel(model="m", openai_client=client))
        return await Runner.run(agent, "你好", run_config=RunConfig(tracing_disabled=True))

    with pytest.raises(TypeError, match="can't be used in 'await' expression"):
        asyncio.run(run(OpenAI(base_url=base_url, api_key="k")))
    assert "离线模型" in asyncio.run(run(AsyncOpenAI(base_url=base_url, api_key="k"))).final_output
