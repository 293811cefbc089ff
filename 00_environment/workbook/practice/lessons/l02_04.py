"""Exercises for 02_04: hosted tools on the Responses API, and what to do where they do not exist."""

from __future__ import annotations

from workbook.practice.core import Exercise, check, expect, model_name, recording_client, short

EXERCISES = [
    Exercise(
        id="02_04.1",
        title="What did the provider search for?",
        task="""A hosted tool (托管工具) leaves a `web_search_call` item in `response.output`. Write
`searched_for(response)`: return the list of search queries the provider ran, from each
`web_search_call` item's `action.query`, in order (an empty list when nothing was searched).""",
        starter='''def searched_for(response) -> list[str]:
    ...''',
        solution='''def searched_for(response) -> list[str]:
    return [item.action.query for item in response.output if item.type == "web_search_call"]''',
        check="check_searched_for(searched_for)",
        wrong_answers=[
            ("returns the answer text", '''def searched_for(response):
    return [response.output_text]'''),
        ],
    ),
    Exercise(
        id="02_04.2",
        title="Search where you can, plain chat where you cannot",
        task="""Write `ask_with_search(client, model, question)`: ask on the Responses API with the hosted
`{"type": "web_search"}` tool and return `output_text`; if the provider has no Responses API
(`openai.NotFoundError`, as chat-only providers answer), ask the same question on Chat Completions
without tools and return that text. The check tries a model of each kind.""",
        starter='''from openai import NotFoundError


def ask_with_search(client, model: str, question: str) -> str:
    ...''',
        solution='''from openai import NotFoundError


def ask_with_search(client, model: str, question: str) -> str:
    try:
        return client.responses.create(model=model, input=question, tools=[{"type": "web_search"}]).output_text
    except NotFoundError:
        reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": question}])
        return reply.choices[0].message.content''',
        check="check_ask_with_search(ask_with_search)",
        wrong_answers=[
            ("hosted tool sent to Chat Completions", '''from openai import NotFoundError


def ask_with_search(client, model, question):
    try:
        return client.responses.create(model=model, input=question, tools=[{"type": "web_search"}]).output_text
    except NotFoundError:
        reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": question}],
                                               tools=[{"type": "web_search"}])
        return reply.choices[0].message.content'''),
        ],
    ),
]


@check("02_04.1")
def check_searched_for(searched_for):
    client, _ = recording_client()
    searched = client.responses.create(model=model_name(), input="这周有哪些新上市的智能手表？",
                                       tools=[{"type": "web_search"}])
    expected = [item.action.query for item in searched.output if item.type == "web_search_call"]
    got = searched_for(searched)
    expect(got == expected, "the list of queries of the response's web_search_call items", short(got, 80),
           "look at item.type == 'web_search_call' and read item.action.query")
    plain = client.responses.create(model=model_name(), input="你好")
    got = searched_for(plain)
    expect(got == [], "an empty list for a response without web_search_call items", short(got, 80),
           "only web_search_call items hold searches")
    return "the queries read from the web_search_call items"


@check("02_04.2")
def check_ask_with_search(ask_with_search):
    question = "今天有什么关于快递行业的新闻？"
    client, recorder = recording_client()
    answer = ask_with_search(client, model_name(), question)
    sent = recorder.requests("/responses")
    expect(sent and {"type": "web_search"} in sent[0].get("tools", []),
           "a Responses API request with the hosted web_search tool", short([e["path"] for e in recorder.exchanges]),
           "client.responses.create(..., tools=[{'type': 'web_search'}])")
    expect(isinstance(answer, str) and answer == client.responses.create(
        model=model_name(), input=question, tools=[{"type": "web_search"}]).output_text,
        "the response's output_text", short(answer, 60), "return response.output_text")
    client, recorder = recording_client()
    answer = ask_with_search(client, "practice-chat-only", question)
    chats = recorder.requests("/chat/completions")
    expect(chats, "on a chat-only provider, a Chat Completions request after the 404",
           "no Chat Completions request", "catch NotFoundError and ask on client.chat.completions")
    expect(not chats[-1].get("tools"), "no hosted tool in the Chat Completions request",
           short(chats[-1].get("tools")), "Chat Completions accepts function tools only: send no tools")
    expect(isinstance(answer, str) and answer, "the chat reply's text", short(answer, 60),
           "return reply.choices[0].message.content")
    return "hosted search where the Responses API exists, plain chat where it does not"
