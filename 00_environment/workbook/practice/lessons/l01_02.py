"""Exercises for 01_02: the Responses API's `instructions`, `output_text` and `previous_response_id`."""

from __future__ import annotations

from workbook.practice.core import Exercise, check, expect, model_name, recording_client, short

EXERCISES = [
    Exercise(
        id="01_02.1",
        title="Instructions apart from the input",
        task="""Write `ask(client, instructions, question)` with the **Responses API**: pass the system prompt as
`instructions` (not inside `input`), the question as `input`, use `MODEL`, and return the reply's
text through the `output_text` shortcut.""",
        starter='''def ask(client, instructions: str, question: str) -> str:
    # client.responses.create(...)
    ...''',
        solution='''def ask(client, instructions: str, question: str) -> str:
    response = client.responses.create(model=MODEL, instructions=instructions, input=question)
    return response.output_text''',
        check="check_ask(ask)",
        wrong_answers=[
            ("instructions pasted into the input", '''def ask(client, instructions, question):
    return client.responses.create(model=MODEL, input=instructions + " " + question).output_text'''),
            ("returns the Response object", '''def ask(client, instructions, question):
    return client.responses.create(model=MODEL, instructions=instructions, input=question)'''),
        ],
    ),
    Exercise(
        id="01_02.2",
        title="A second turn without resending the history",
        task="""Write `follow_up(client, first, second)`: send `first`, then send **only** `second` with
`previous_response_id` set to the first response's id, so the provider supplies the history
(记忆). Return the second response's `output_text`.""",
        starter='''def follow_up(client, first: str, second: str) -> str:
    ...''',
        solution='''def follow_up(client, first: str, second: str) -> str:
    earlier = client.responses.create(model=MODEL, input=first)
    later = client.responses.create(model=MODEL, input=second, previous_response_id=earlier.id)
    return later.output_text''',
        check="check_follow_up(follow_up)",
        wrong_answers=[
            ("two unrelated requests", '''def follow_up(client, first, second):
    client.responses.create(model=MODEL, input=first)
    return client.responses.create(model=MODEL, input=second).output_text'''),
        ],
    ),
]


def _text(response: dict | None) -> str | None:
    if not response:
        return None
    return "".join(part.get("text", "") for item in response.get("output", []) if item.get("type") == "message"
                   for part in item.get("content", []) if part.get("type") == "output_text")


@check("01_02.1")
def check_ask(ask):
    instructions, question = "你是ITS的退货专员，只回答退货问题。", "耳机可以七天无理由退货吗？"
    client, recorder = recording_client()
    answer = ask(client, instructions, question)
    sent = recorder.requests("/responses")
    expect(len(sent) == 1, "one request to the Responses API (client.responses.create)", f"{len(sent)} requests",
           "call client.responses.create once, with the client you were given")
    body = sent[0]
    expect(body.get("instructions") == instructions, "the system prompt in the `instructions` parameter",
           f"instructions={short(body.get('instructions'), 60)}", "pass instructions=instructions")
    expect(question in str(body.get("input")) and instructions not in str(body.get("input")),
           "the question alone as `input`", f"input={short(body.get('input'), 80)}", "pass input=question")
    expect(body.get("model") == model_name(), "model=MODEL", f"model={body.get('model')!r}", "pass model=MODEL")
    expect(isinstance(answer, str) and answer == _text(recorder.responses("/responses")[0]),
           "the reply's text (a str)", f"{type(answer).__name__}: {short(answer, 60)}", "return response.output_text")
    return "instructions and input sent apart, output_text returned"


@check("01_02.2")
def check_follow_up(follow_up):
    first, second = "我的会员号是 VIP-3321。", "我的会员号是多少？"
    client, recorder = recording_client()
    answer = follow_up(client, first, second)
    sent, replies = recorder.requests("/responses"), recorder.responses("/responses")
    expect(len(sent) == 2, "two Responses API requests", f"{len(sent)} requests", "one for each question")
    first_id = (replies[0] or {}).get("id")
    expect(sent[1].get("previous_response_id") == first_id,
           "the second request sets previous_response_id to the first response's id",
           "previous_response_id=" + ("not set" if not sent[1].get("previous_response_id") else "another id"),
           "pass previous_response_id=first_response.id")
    expect(first not in str(sent[1].get("input")), "the second request sends only the new question",
           "the first question was sent again", "with previous_response_id the provider keeps the history")
    expect(answer == _text(replies[1]), "the second reply's text", short(answer, 60), "return .output_text")
    return "the provider kept the history through previous_response_id"
