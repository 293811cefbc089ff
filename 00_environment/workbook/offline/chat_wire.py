"""A decision as a Chat Completions body, or as the chunks of a Chat Completions stream."""

from __future__ import annotations

from collections.abc import Iterator

from . import text as tx
from .policy import Decision
from .usage import Budget, stable_id


def chat_completion(body: dict, decision: Decision, budget: Budget, created: int, reasoning: str | None) -> dict:
    seed = stable_id("chat", body)
    content, finish = budget.cut(decision.text) if decision.text is not None else (None, "stop")
    message: dict = {"role": "assistant", "content": content, "refusal": None}
    if decision.tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{seed[:16]}{i}", "type": "function",
             "function": {"name": call.name, "arguments": call.arguments}}
            for i, call in enumerate(decision.tool_calls)
        ]
        finish = "tool_calls"
    if reasoning:
        message["reasoning_content"] = reasoning
    return {
        "id": f"chatcmpl-{seed}", "object": "chat.completion", "created": created,
        "model": body["model"], "system_fingerprint": "offline-course-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": budget.chat_usage(decision, reasoning),
    }


def chat_chunks(body: dict, decision: Decision, budget: Budget, created: int,
                reasoning: str | None) -> Iterator[dict]:
    seed = stable_id("chat", body)
    base = {"id": f"chatcmpl-{seed}", "object": "chat.completion.chunk", "created": created,
            "model": body["model"], "system_fingerprint": "offline-course-model"}

    def chunk(delta: dict, finish: str | None = None, **extra) -> dict:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}

    yield chunk({"role": "assistant", "content": ""})
    if reasoning:
        # Qwen and DeepSeek stream their thinking as `reasoning_content` before the answer.
        for piece in tx.split_deltas(reasoning):
            yield chunk({"reasoning_content": piece})
    finish = "stop"
    if decision.text is not None:
        content, finish = budget.cut(decision.text)
        for piece in tx.split_deltas(content):
            yield chunk({"content": piece})
    for index, call in enumerate(decision.tool_calls):
        # The first delta of a call must carry its id and name, or the SDK cannot track it.
        yield chunk({"tool_calls": [{"index": index, "id": f"call_{seed[:16]}{index}", "type": "function",
                                     "function": {"name": call.name, "arguments": ""}}]})
        for piece in _argument_pieces(call.arguments):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        finish = "tool_calls"
    # Usage on the last chunk: with a non-OpenAI base URL the SDK reports zero usage otherwise.
    yield chunk({}, finish, usage=budget.chat_usage(decision, reasoning))


def _argument_pieces(arguments: str, size: int = 8) -> list[str]:
    return [arguments[i:i + size] for i in range(0, len(arguments), size)] or [""]
