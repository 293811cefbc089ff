"""Exercises for 01_01: a Chat Completions request with the sync client, and a conversation's history."""

from __future__ import annotations

from workbook.practice.core import Exercise, check, expect, model_name, recording_client, short

EXERCISES = [
    Exercise(
        id="01_01.1",
        title="Ask the desk one question",
        task="""Write `ask_desk(client, question)`: send one Chat Completions request with **two messages**, a
`system` message that makes the model the ITS customer-service desk (ITS智能客服) and a `user`
message holding `question`, and return the reply's **text** (a `str`, not the whole response).
Use the model name in `MODEL`. The check calls it with its own client and questions.""",
        starter='''def ask_desk(client, question: str) -> str:
    # client.chat.completions.create(model=MODEL, messages=[...]) and return the reply's text
    ...''',
        solution='''def ask_desk(client, question: str) -> str:
    response = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "你是ITS智能客服。"},
            {"role": "user", "content": question},
        ],
    )
    return response.choices[0].message.content''',
        check="check_ask_desk(ask_desk)",
        wrong_answers=[
            ("returns the whole response", '''def ask_desk(client, question):
    return client.chat.completions.create(model=MODEL, messages=[
        {"role": "system", "content": "你是ITS智能客服。"}, {"role": "user", "content": question}])'''),
            ("no system message", '''def ask_desk(client, question):
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": question}])
    return reply.choices[0].message.content'''),
        ],
    ),
    Exercise(
        id="01_01.2",
        title="A follow-up question with memory",
        task="""The model keeps no memory between requests. Write `ask_twice(client, first, second)`: ask
`first`, then ask `second` **in the same conversation** (send the first question, the model's first
reply as an `assistant` message, then `second`), and return the second reply's text.""",
        starter='''def ask_twice(client, first: str, second: str) -> str:
    messages = [{"role": "user", "content": first}]
    # 1. ask, 2. append the assistant's reply and the second question, 3. ask again, 4. return the text
    ...''',
        solution='''def ask_twice(client, first: str, second: str) -> str:
    messages = [{"role": "user", "content": first}]
    reply = client.chat.completions.create(model=MODEL, messages=messages)
    messages.append({"role": "assistant", "content": reply.choices[0].message.content})
    messages.append({"role": "user", "content": second})
    reply = client.chat.completions.create(model=MODEL, messages=messages)
    return reply.choices[0].message.content''',
        check="check_ask_twice(ask_twice)",
        wrong_answers=[
            ("the second request forgets the first turn", '''def ask_twice(client, first, second):
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": first}])
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": second}])
    return reply.choices[0].message.content'''),
        ],
    ),
]


def _reply_text(response: dict | None) -> str | None:
    try:
        return response["choices"][0]["message"]["content"]
    except (TypeError, KeyError, IndexError):
        return None


@check("01_01.1")
def check_ask_desk(ask_desk):
    for question in ("我的退款什么时候到账？", "Can I change my delivery address?"):
        client, recorder = recording_client()
        answer = ask_desk(client, question)
        sent = recorder.requests("/chat/completions")
        expect(len(sent) == 1, f"one Chat Completions request for {question!r}", f"{len(sent)} requests",
               "call client.chat.completions.create once, with the client you were given")
        messages = sent[0].get("messages", [])
        roles = [m.get("role") for m in messages]
        expect(roles[:1] in (["system"], ["developer"]), "the first message has the role 'system'",
               f"roles {roles}", "put the desk's job in a {'role': 'system', 'content': ...} message first")
        expect(messages and messages[-1].get("content") == question, "the last message is the user's question",
               f"last message {short(messages[-1] if messages else None)}",
               "end with {'role': 'user', 'content': question}")
        expect(sent[0].get("model") == model_name(), "the request uses the model in MODEL",
               f"model {sent[0].get('model')!r}", "pass model=MODEL")
        expected = _reply_text(recorder.responses("/chat/completions")[0])
        expect(isinstance(answer, str), "the reply's text, a str", f"{type(answer).__name__}: {short(answer, 60)}",
               "return response.choices[0].message.content")
        expect(answer == expected, "the text of the reply", short(answer), "return choices[0].message.content")
    return "a system message, the question, and the reply's text back"


@check("01_01.2")
def check_ask_twice(ask_twice):
    first, second = "我想改一下收货地址。", "我刚才想改什么？"
    client, recorder = recording_client()
    answer = ask_twice(client, first, second)
    sent = recorder.requests("/chat/completions")
    expect(len(sent) == 2, "two Chat Completions requests", f"{len(sent)} requests",
           "ask the first question, then the second one")
    history = [(m.get("role"), m.get("content")) for m in sent[1].get("messages", [])]
    first_reply = _reply_text(recorder.responses("/chat/completions")[0])
    expect(("user", first) in history, "the second request holds the first question",
           f"roles sent {[r for r, _ in history]}", "send the whole history: the model has no memory")
    expect(("assistant", first_reply) in history, "the second request holds the first reply as an 'assistant' message",
           f"roles sent {[r for r, _ in history]}", "append {'role': 'assistant', 'content': <first reply text>}")
    expect(history and history[-1] == ("user", second), "the second question comes last",
           f"last message {short(history[-1] if history else None)}", "append the second question after the reply")
    expect(answer == _reply_text(recorder.responses("/chat/completions")[1]), "the second reply's text",
           short(answer), "return the text of the second response")
    return "the second request carried the whole conversation"
