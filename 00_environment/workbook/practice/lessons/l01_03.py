"""Exercises for 01_03: a client from settings, and detecting a provider without the Responses API."""

from __future__ import annotations

import os

from workbook.practice.core import Exercise, check, expect, recording_client, short

EXERCISES = [
    Exercise(
        id="01_03.1",
        title="A client from any provider's settings",
        task="""Switching provider is a change of three values. Write `client_from(settings)`: `settings` is a
dict with the keys `OPENAI_BASE_URL`, `OPENAI_API_KEY` and `OPENAI_MODEL_NAME` (like a `.env`).
Return a tuple `(client, model)`: an `OpenAI` client on that base URL with that key, and the model
name. Read the dict you are given, not `os.environ`.""",
        starter='''from openai import OpenAI


def client_from(settings: dict) -> tuple:
    ...''',
        solution='''from openai import OpenAI


def client_from(settings: dict) -> tuple:
    client = OpenAI(base_url=settings["OPENAI_BASE_URL"], api_key=settings["OPENAI_API_KEY"])
    return client, settings["OPENAI_MODEL_NAME"]''',
        check="check_client_from(client_from)",
        wrong_answers=[
            ("reads os.environ instead of the settings", '''from openai import OpenAI


def client_from(settings):
    client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return client, os.environ["OPENAI_MODEL_NAME"]'''),
        ],
    ),
    Exercise(
        id="01_03.2",
        title="Does this provider have the Responses API?",
        task="""Write `has_responses_api(client, model)`: try a tiny `client.responses.create(...)` and return
`True` if it works, `False` if the provider answers 404 (`openai.NotFoundError`), as chat-only
providers do. The check tries it on models it picks itself.""",
        starter='''from openai import NotFoundError


def has_responses_api(client, model: str) -> bool:
    ...''',
        solution='''from openai import NotFoundError


def has_responses_api(client, model: str) -> bool:
    try:
        client.responses.create(model=model, input="ping")
    except NotFoundError:
        return False
    return True''',
        check="check_has_responses_api(has_responses_api)",
        wrong_answers=[
            ("always True", '''def has_responses_api(client, model):
    return True'''),
            ("lets the 404 escape", '''def has_responses_api(client, model):
    client.responses.create(model=model, input="ping")
    return True'''),
        ],
    ),
]


@check("01_03.1")
def check_client_from(client_from):
    settings = {"OPENAI_BASE_URL": os.environ["OPENAI_BASE_URL"], "OPENAI_API_KEY": "practice-key-for-a-check",
                "OPENAI_MODEL_NAME": "practice-model-7b"}
    made = client_from(dict(settings))
    expect(isinstance(made, tuple) and len(made) == 2, "a tuple (client, model)", short(made, 60),
           "end with: return client, settings['OPENAI_MODEL_NAME']")
    client, model = made
    expect(hasattr(client, "chat") and hasattr(client, "api_key"), "an OpenAI client as the first item",
           type(client).__name__, "client = OpenAI(base_url=..., api_key=...)")
    expect(str(client.base_url).rstrip("/") == settings["OPENAI_BASE_URL"].rstrip("/"),
           "the client's base_url from settings['OPENAI_BASE_URL']", "another base_url",
           "base_url=settings['OPENAI_BASE_URL']")
    expect(client.api_key == settings["OPENAI_API_KEY"], "the client's api_key from settings['OPENAI_API_KEY']",
           "another api_key (not shown: keys never go into output)", "api_key=settings['OPENAI_API_KEY']")
    expect(model == settings["OPENAI_MODEL_NAME"], "the model name from settings['OPENAI_MODEL_NAME']",
           short(model, 60), "return settings['OPENAI_MODEL_NAME'] as the second item")
    reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "你好"}])
    expect(reply.model == settings["OPENAI_MODEL_NAME"], "a request with it reaches the model named in settings",
           short(reply.model, 60), "use the returned model name in requests")
    return "base URL, key and model all came from the settings you were given"


@check("01_03.2")
def check_has_responses_api(has_responses_api):
    client, recorder = recording_client()
    answers = {}
    for model, expected in ((os.environ["OPENAI_MODEL_NAME"], True), ("practice-chat-only", False)):
        answers[model] = has_responses_api(client, model)
        expect(recorder.requests("/responses"), "a request to the Responses API", "no request to /responses",
               "call client.responses.create(model=model, input=...)")
        expect(answers[model] is expected, f"{expected} for a provider {'with' if expected else 'without'} "
               "the Responses API", f"{answers[model]!r}", "return False when NotFoundError is raised, True otherwise")
    return "True where /v1/responses exists, False where it answers 404"
