"""`python -m workbook doctor`: which features does the configured provider really support?

Each probe is one small real request. A provider that lacks a feature answers with an error
(or with a reply missing the feature); the table shows which, with the provider's own words.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from openai import OpenAI

WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "description": "Get the current weather for a city",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                "required": ["city"], "additionalProperties": False}},
}
CITY_SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "temperature": {"type": "number"}},
               "required": ["city", "temperature"], "additionalProperties": False}
QUESTION = [{"role": "user", "content": "What's the weather in Beijing?"}]


@dataclass
class Check:
    feature: str
    ok: bool
    detail: str


def _chat(client: OpenAI, model: str) -> str:
    reply = client.chat.completions.create(model=model, messages=QUESTION)
    return f"answered: {reply.choices[0].message.content!r:.60}"


def _responses(client: OpenAI, model: str) -> str:
    reply = client.responses.create(model=model, input="Say hello.")
    return f"answered: {reply.output_text!r:.60}"


def _streaming(client: OpenAI, model: str) -> str:
    pieces = [c.choices[0].delta.content or "" for c in
              client.chat.completions.create(model=model, messages=QUESTION, stream=True) if c.choices]
    if len([p for p in pieces if p]) < 2:
        raise RuntimeError("the reply arrived in one piece, not streamed")
    return f"{len(pieces)} chunks"


def _tools(client: OpenAI, model: str) -> str:
    reply = client.chat.completions.create(model=model, messages=QUESTION, tools=[WEATHER_TOOL],
                                           tool_choice="required")
    calls = reply.choices[0].message.tool_calls or []
    if not calls:
        raise RuntimeError("no tool call in the reply")
    return f"called {calls[0].function.name}({calls[0].function.arguments})"


def _json_schema(client: OpenAI, model: str) -> str:
    reply = client.chat.completions.create(
        model=model, messages=QUESTION,
        response_format={"type": "json_schema", "json_schema": {"name": "weather", "strict": True,
                                                                "schema": CITY_SCHEMA}})
    value = json.loads(reply.choices[0].message.content or "")
    missing = [k for k in CITY_SCHEMA["required"] if k not in value]
    if missing:
        raise RuntimeError(f"JSON without {missing}")
    return f"valid JSON: {json.dumps(value, ensure_ascii=False):.60}"


def _json_object(client: OpenAI, model: str) -> str:
    # JSON mode: valid JSON, any shape. DashScope insists that the prompt says "JSON".
    question = [{"role": "user", "content": "What's the weather in Beijing? Answer in JSON with city and temperature."}]
    reply = client.chat.completions.create(model=model, messages=question, response_format={"type": "json_object"})
    value = json.loads(reply.choices[0].message.content or "")
    return f"valid JSON: {json.dumps(value, ensure_ascii=False):.60}"


def _thought(reply, delta: bool = False) -> str | None:
    """Reasoning as each provider sends it: `reasoning_content` (DeepSeek, Qwen) or `reasoning` (Ollama, vLLM)."""
    message = reply.choices[0].delta if delta else reply.choices[0].message
    extra = message.model_extra or {}
    return getattr(message, "reasoning_content", None) or extra.get("reasoning_content") or extra.get("reasoning")


def _reasoning(client: OpenAI, model: str) -> str:
    reply = client.chat.completions.create(model=model, messages=QUESTION, reasoning_effort="low")
    if thought := _thought(reply):
        return f"reasoning_effort: {thought!r:.50}"
    # DashScope and SiliconFlow switch thinking on with a field of their own, sent through extra_body;
    # streamed, because DashScope refuses enable_thinking without streaming on some models.
    stream = client.chat.completions.create(model=model, messages=QUESTION, stream=True,
                                            extra_body={"enable_thinking": True})
    thought = "".join(_thought(chunk, delta=True) or "" for chunk in stream if chunk.choices)
    if thought:
        return f"extra_body enable_thinking: {thought!r:.40}"
    raise RuntimeError("no reasoning in the reply, with reasoning_effort or enable_thinking (the model may not "
                       "expose its reasoning)")


PROBES: list[tuple[str, Callable[[OpenAI, str], str]]] = [
    ("Chat Completions", _chat), ("Responses API", _responses), ("streaming", _streaming),
    ("function tools", _tools), ("json_schema output", _json_schema), ("json_object output", _json_object),
    ("reasoning", _reasoning),
]


def diagnose(base_url: str, api_key: str, model: str, timeout: float = 30) -> list[Check]:
    client = OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=0)
    checks = []
    for feature, probe in PROBES:
        try:
            checks.append(Check(feature, True, probe(client, model)))
        except Exception as error:  # every failure is a finding, never a crash
            checks.append(Check(feature, False, _explain(error)))
    return checks


def _explain(error: Exception) -> str:
    """"404: <the provider's message>" for an HTTP error, else the exception's class and text."""
    status = getattr(error, "status_code", None)
    body = getattr(error, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    message = message or getattr(error, "message", None) or str(error)
    return f"{status}: {message}" if status else f"{type(error).__name__}: {message}"
