"""Exercises for 01_04: reading a stream, as Chat Completions chunks and as Responses events."""

from __future__ import annotations

from workbook.practice.core import Exercise, check, expect, model_name, recording_client, short

EXERCISES = [
    Exercise(
        id="01_04.1",
        title="Collect the pieces of a streamed chat reply",
        task="""Write `stream_pieces(client, question)`: ask `question` on Chat Completions with `stream=True`
(流式输出) and return the **list** of text pieces, in order: each chunk's `choices[0].delta.content`
when it is not empty. Joined, they must give the whole answer.""",
        starter='''def stream_pieces(client, question: str) -> list[str]:
    pieces = []
    # stream = client.chat.completions.create(..., stream=True); for chunk in stream: ...
    return pieces''',
        solution='''def stream_pieces(client, question: str) -> list[str]:
    pieces = []
    stream = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": question}], stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
    return pieces''',
        check="check_stream_pieces(stream_pieces)",
        wrong_answers=[
            ("no stream: one piece", '''def stream_pieces(client, question):
    reply = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": question}])
    return [reply.choices[0].message.content]'''),
        ],
    ),
    Exercise(
        id="01_04.2",
        title="Only the text deltas of a Responses stream",
        task="""Write `stream_text(client, question)`: stream a Responses API answer (`stream=True`) and return
the text built from the `response.output_text.delta` events only. Most event types have no
`.delta`: check `event.type` first (the seed's streaming bug).""",
        starter='''def stream_text(client, question: str) -> str:
    text = ""
    ...
    return text''',
        solution='''def stream_text(client, question: str) -> str:
    text = ""
    for event in client.responses.create(model=MODEL, input=question, stream=True):
        if event.type == "response.output_text.delta":
            text += event.delta
    return text''',
        check="check_stream_text(stream_text)",
        wrong_answers=[
            ("reads .delta on every event", '''def stream_text(client, question):
    text = ""
    for event in client.responses.create(model=MODEL, input=question, stream=True):
        text += event.delta
    return text'''),
        ],
    ),
]


@check("01_04.1")
def check_stream_pieces(stream_pieces):
    question = "你们的客服几点下班？"
    client, recorder = recording_client()
    pieces = stream_pieces(client, question)
    sent = recorder.requests("/chat/completions")
    expect(len(sent) == 1 and sent[0].get("stream") is True, "one Chat Completions request with stream=True",
           f"{len(sent)} requests" if len(sent) != 1 else "stream not set", "pass stream=True")
    expect(isinstance(pieces, list) and all(isinstance(p, str) for p in pieces), "a list of str pieces",
           short(pieces, 60), "append chunk.choices[0].delta.content when it is not empty")
    expect(len(pieces) > 1, "several pieces (a stream arrives in many chunks)", f"{len(pieces)} piece(s)",
           "append one piece per chunk, not the whole answer")
    whole = client.chat.completions.create(model=model_name(), messages=sent[0]["messages"]).choices[0].message.content
    expect("".join(pieces) == whole, "the pieces join into the whole answer", short("".join(pieces), 80),
           "keep every non-empty delta.content, in order")
    return "several pieces that join into the whole answer"


@check("01_04.2", hint_on_error="check event.type == 'response.output_text.delta' before reading event.delta")
def check_stream_text(stream_text):
    question = "怎么联系人工客服？"
    client, recorder = recording_client()
    text = stream_text(client, question)
    sent = recorder.requests("/responses")
    expect(len(sent) == 1 and sent[0].get("stream") is True, "one Responses API request with stream=True",
           f"{len(sent)} requests" if len(sent) != 1 else "stream not set", "client.responses.create(..., stream=True)")
    whole = client.responses.create(model=model_name(), input=sent[0]["input"]).output_text
    expect(isinstance(text, str) and text == whole, "the streamed text equals the whole answer", short(text, 80),
           "add event.delta for each response.output_text.delta event")
    return "the text deltas, and nothing else, make the answer"
