"""Exercises for 01_05: concurrent requests with AsyncOpenAI, and an agent on the async client."""

from __future__ import annotations

import asyncio
import os

import httpx
from agents import Agent, Runner
from openai import AsyncOpenAI

from workbook.practice.core import Exercise, check, expect, model_name, recording_client, short

EXERCISES = [
    Exercise(
        id="01_05.1",
        title="Ask several questions at once",
        task="""Write `async def ask_all(client, questions)`: send one Chat Completions request per question
**concurrently** (`asyncio.gather`), and return the reply texts in the order of `questions`.
The check gives you a client whose answers take a moment, and watches how many requests overlap.""",
        starter='''import asyncio


async def ask_all(client, questions: list[str]) -> list[str]:
    ...''',
        solution='''import asyncio


async def ask_all(client, questions: list[str]) -> list[str]:
    replies = await asyncio.gather(*(
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}])
        for q in questions
    ))
    return [reply.choices[0].message.content for reply in replies]''',
        check="await check_ask_all(ask_all)",
        wrong_answers=[
            ("one after the other", '''async def ask_all(client, questions):
    answers = []
    for q in questions:
        reply = await client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}])
        answers.append(reply.choices[0].message.content)
    return answers'''),
        ],
    ),
    Exercise(
        id="01_05.2",
        title="An agent on the client you are given",
        task="""Write `make_agent(client)`: return an `Agent` named "退款助手" (refund helper) whose model is an
`OpenAIChatCompletionsModel` for `MODEL` built on **`client`**, the `AsyncOpenAI` the check passes
in. The check runs your agent and watches that its requests go through that client.""",
        starter='''from agents import Agent, OpenAIChatCompletionsModel


def make_agent(client) -> Agent:
    ...''',
        solution='''from agents import Agent, OpenAIChatCompletionsModel


def make_agent(client) -> Agent:
    return Agent(
        name="退款助手",
        instructions="你负责回答退款问题。",
        model=OpenAIChatCompletionsModel(model=MODEL, openai_client=client),
    )''',
        check="await check_make_agent(make_agent)",
        wrong_answers=[
            ("a sync OpenAI client", '''from openai import OpenAI

from agents import Agent, OpenAIChatCompletionsModel


def make_agent(client):
    sync = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return Agent(name="退款助手", model=OpenAIChatCompletionsModel(model=MODEL, openai_client=sync))'''),
        ],
    ),
]


class _SlowCounting(httpx.AsyncBaseTransport):
    """A transport that answers after a short pause and counts how many requests were in flight."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.in_flight = self.most = 0

    async def handle_async_request(self, request):
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await asyncio.sleep(0.3)
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


@check("01_05.1")
async def check_ask_all(ask_all):
    questions = ["杭州今天天气怎么样？", "订单 B2001 的状态是什么？", "你们支持开发票吗？"]
    transport = _SlowCounting()
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"],
                         http_client=httpx.AsyncClient(transport=transport), max_retries=0)
    answers = await ask_all(client, list(questions))
    expect(isinstance(answers, list) and len(answers) == len(questions), f"a list of {len(questions)} answers",
           short(answers, 80), "return one reply text per question, in order")
    expected = []
    for question in questions:
        reply = await client.chat.completions.create(model=model_name(), messages=[{"role": "user", "content": question}])
        expected.append(reply.choices[0].message.content)
    expect(answers == expected, "each question's reply text, in the order asked", short(answers, 80),
           "asyncio.gather returns results in the order of its arguments")
    expect(transport.most == len(questions), f"all {len(questions)} requests in flight at once",
           f"at most {transport.most} at a time", "create all the coroutines first, then await asyncio.gather(*them)")
    return f"{len(questions)} requests overlapped; answers in order"


@check("01_05.2")
async def check_make_agent(make_agent):
    client, recorder = recording_client(asynchronous=True)
    agent = make_agent(client)
    expect(isinstance(agent, Agent), "an Agent", short(agent, 60), "return Agent(name=..., model=...)")
    result = await Runner.run(agent, "我的退款什么时候到账？")
    expect(recorder.requests("/chat/completions"), "the agent's requests go through the client passed in",
           "no request went through it", "OpenAIChatCompletionsModel(model=MODEL, openai_client=client)")
    expect(isinstance(result.final_output, str) and result.final_output, "a text answer from the run",
           short(result.final_output, 60), "give the agent a model on the async client")
    return "the agent ran on the AsyncOpenAI client it was given"
