"""A decision as a Responses API object, or as the full sequence of Responses stream events."""

from __future__ import annotations

from collections.abc import Iterator

from . import text as tx
from .policy import Decision
from .request import ModelRequest
from .usage import Budget


def output_items(rid: str, decision: Decision, budget: Budget, reasoning: str | None) -> list[dict]:
    """The finished output items, in the order a real model emits them."""
    items: list[dict] = []
    if reasoning:
        items.append({"id": f"rs_{rid}", "type": "reasoning", "status": "completed",
                      "summary": [{"type": "summary_text", "text": reasoning}]})
    if decision.web_search is not None:
        items.append({"id": f"ws_{rid}", "type": "web_search_call", "status": "completed",
                      "action": {"type": "search", "query": decision.web_search, "sources": []}})
    if decision.text is not None:
        text, _ = budget.cut(decision.text)
        items.append({"id": f"msg_{rid}", "type": "message", "role": "assistant", "status": "completed",
                      "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]})
    for index, call in enumerate(decision.tool_calls):
        items.append({"id": f"fc_{rid}{index}", "type": "function_call", "status": "completed",
                      "call_id": f"call_{rid[:16]}{index}", "name": call.name, "arguments": call.arguments})
    return items


def response_object(rid: str, body: dict, req: ModelRequest, created: int, items: list[dict],
                    usage: dict | None, status: str, truncated: bool) -> dict:
    if status == "completed" and truncated:
        status = "incomplete"
    text = body.get("text") if isinstance(body.get("text"), dict) else {}
    return {
        "id": f"resp_{rid}", "object": "response", "created_at": created, "model": req.model,
        "status": status, "output": items, "usage": usage,
        "instructions": body.get("instructions"), "previous_response_id": body.get("previous_response_id"),
        "tools": body.get("tools") or [], "tool_choice": body.get("tool_choice") or "auto",
        "parallel_tool_calls": body.get("parallel_tool_calls") is not False,
        "text": {"format": (text or {}).get("format") or {"type": "text"}},
        "reasoning": body.get("reasoning"), "max_output_tokens": body.get("max_output_tokens"),
        "temperature": body.get("temperature", 1.0), "top_p": body.get("top_p", 1.0),
        "truncation": "disabled", "store": body.get("store", True), "metadata": body.get("metadata") or {},
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        **({"conversation": {"id": body["conversation"]}} if isinstance(body.get("conversation"), str) else {}),
    }


def stream_events(rid: str, body: dict, req: ModelRequest, created: int, items: list[dict],
                  final: dict) -> Iterator[dict]:
    """Every event a real Responses stream sends, with increasing sequence numbers."""
    sequence = 0

    def event(kind: str, **fields) -> dict:
        nonlocal sequence
        sequence += 1
        return {"type": kind, "sequence_number": sequence - 1, **fields}

    opening = response_object(rid, body, req, created, [], None, "in_progress", False)
    yield event("response.created", response=opening)
    yield event("response.in_progress", response=opening)
    for out, item in enumerate(items):
        kind, iid = item["type"], item["id"]
        if kind == "message":
            yield event("response.output_item.added", output_index=out,
                        item={**item, "status": "in_progress", "content": []})
            part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
            yield event("response.content_part.added", item_id=iid, output_index=out, content_index=0, part=part)
            text = item["content"][0]["text"]
            for piece in tx.split_deltas(text):
                yield event("response.output_text.delta", item_id=iid, output_index=out, content_index=0,
                            delta=piece, logprobs=[])
            yield event("response.output_text.done", item_id=iid, output_index=out, content_index=0,
                        text=text, logprobs=[])
            yield event("response.content_part.done", item_id=iid, output_index=out, content_index=0,
                        part={**part, "text": text})
        elif kind == "reasoning":
            yield event("response.output_item.added", output_index=out,
                        item={**item, "status": "in_progress", "summary": []})
            text = item["summary"][0]["text"]
            part = {"type": "summary_text", "text": ""}
            yield event("response.reasoning_summary_part.added", item_id=iid, output_index=out,
                        summary_index=0, part=part)
            for piece in tx.split_deltas(text):
                yield event("response.reasoning_summary_text.delta", item_id=iid, output_index=out,
                            summary_index=0, delta=piece)
            yield event("response.reasoning_summary_text.done", item_id=iid, output_index=out,
                        summary_index=0, text=text)
            yield event("response.reasoning_summary_part.done", item_id=iid, output_index=out,
                        summary_index=0, part={**part, "text": text})
        elif kind == "function_call":
            yield event("response.output_item.added", output_index=out,
                        item={**item, "status": "in_progress", "arguments": ""})
            arguments = item["arguments"]
            for start in range(0, len(arguments), 8):
                yield event("response.function_call_arguments.delta", item_id=iid, output_index=out,
                            delta=arguments[start:start + 8])
            yield event("response.function_call_arguments.done", item_id=iid, output_index=out,
                        name=item["name"], arguments=arguments)
        elif kind == "web_search_call":
            yield event("response.output_item.added", output_index=out, item={**item, "status": "in_progress"})
            for phase in ("in_progress", "searching", "completed"):
                yield event(f"response.web_search_call.{phase}", item_id=iid, output_index=out)
        yield event("response.output_item.done", output_index=out, item=item)
    closing = "response.incomplete" if final["status"] == "incomplete" else "response.completed"
    yield event(closing, response=final)
