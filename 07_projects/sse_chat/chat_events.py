"""The SSE contract of the chat page: one Pydantic model per event, and the mapping from the
Agents SDK's stream events to them.

The mapping is ours, not the SDK's (the seed says so too):

    raw_response_event + ResponseTextDeltaEvent  -> text_delta         {text}
    run_item_stream_event "tool_called"          -> tool_started       {tool_name, call_id}
    run_item_stream_event "tool_output"          -> tool_completed     {tool_name, call_id, tool_result}
    agent_updated_stream_event                   -> agent_updated      {agent}
    (the run paused: result.interruptions)       -> approval_required  {call_id, tool_name, arguments, reason}
    (POST .../approvals/{call_id} resumed it)    -> approval_resolved  {call_id, tool_name, approved}
    (InputGuardrailTripwireTriggered)            -> guardrail_rejected {guardrail, category, priority, message}
    (the stream ended, result.final_output)      -> run_completed      {final_output}
    (an exception)                               -> error              {message}

The seed mapped `ToolCallOutputItem -> tool_completed{tool_name}`, but a tool output carries
no tool name, only the call id: `StreamEventMapper` remembers the name from the matching tool
call, and both tool events carry the call id, so the page pairs them even when one tool is
called twice in a turn.
"""

from __future__ import annotations

import json
from typing import Any

from agents import ToolCallItem, ToolCallOutputItem
from agents.stream_events import StreamEvent
from fastapi.sse import ServerSentEvent
from openai.types.responses import ResponseTextDeltaEvent
from pydantic import BaseModel, Field


class TextDelta(BaseModel):
    """A piece of the answer, in order; the page appends it as it arrives."""

    text: str = Field(description="The next piece of the reply text")


class ToolStarted(BaseModel):
    """The agent called a tool (the result follows as `tool_completed` with the same call)."""

    tool_name: str = Field(description="The tool's name, e.g. get_weather")
    call_id: str = Field(description="The id the model gave this call")


class ToolCompleted(BaseModel):
    """A tool returned; `tool_result` is its output as text (JSON for dicts and lists)."""

    tool_name: str = Field(description="The tool's name, found from the call id")
    call_id: str = Field(description="The call this result answers (as in its `tool_started`)")
    tool_result: str = Field(description="What the tool returned, as text")


class AgentUpdated(BaseModel):
    """The agent now answering: sent first, and again on every handoff.

    The first one goes out as soon as the desk has the question, before any wait for the
    conversation or for a free place to run.
    """

    agent: str = Field(description="The agent's name")


class ApprovalRequired(BaseModel):
    """The run paused: a tool call waits for a person's approval.

    Approve or reject it with `POST /api/conversations/{conversation_id}/approvals/{call_id}`;
    that request streams the rest of the run.
    """

    call_id: str = Field(description="The paused call; the approval URL names it")
    tool_name: str = Field(description="The tool that waits, e.g. refund_order")
    arguments: str = Field(description="The call's arguments, as the model's JSON text")
    reason: str = Field(description="Why a person must decide")
    conversation_id: str = Field(description="The conversation the paused run is stored with")


class ApprovalResolved(BaseModel):
    """The first event of a resumed run: the decision taken on the paused call."""

    call_id: str = Field(description="The call that was decided")
    tool_name: str = Field(description="Its tool")
    approved: bool = Field(description="True: the tool runs; False: the model is told it was rejected")


class GuardrailRejected(BaseModel):
    """The input guardrail stopped the request before any agent answered; the last event."""

    guardrail: str = Field(description="The guardrail's name")
    category: str = Field(description="How the guardrail classified the request")
    priority: str = Field(description="The priority it gave the request")
    message: str = Field(description="What to tell the user")


class RunCompleted(BaseModel):
    """The run finished; the last event of a successful stream."""

    final_output: str = Field(description="The complete reply")
    conversation_id: str = Field(description="The conversation this turn was stored in")


class ErrorEvent(BaseModel):
    """The run failed; the last event of a failed stream. Never holds a key or a stack trace."""

    message: str = Field(description="What went wrong, for the user")


# Event name -> payload model: the whole contract, used by the app, the OpenAPI page and the tests.
EVENTS: dict[str, type[BaseModel]] = {
    "agent_updated": AgentUpdated,
    "text_delta": TextDelta,
    "tool_started": ToolStarted,
    "tool_completed": ToolCompleted,
    "approval_required": ApprovalRequired,
    "approval_resolved": ApprovalResolved,
    "guardrail_rejected": GuardrailRejected,
    "run_completed": RunCompleted,
    "error": ErrorEvent,
}
EVENT_NAMES = {model: name for name, model in EVENTS.items()}


def sse(payload: BaseModel) -> ServerSentEvent:
    """Wrap a payload in an SSE frame whose `event:` field is the payload's event name."""
    return ServerSentEvent(event=EVENT_NAMES[type(payload)], data=payload)


def as_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    try:
        return json.dumps(output, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(output)


class StreamEventMapper:
    """Maps the SDK's stream events to contract payloads; one per run (it remembers call ids)."""

    def __init__(self, announced: str | None = None) -> None:
        self.tool_names: dict[str, str] = {}
        self.announced = announced  # the starting agent, if the app already sent its agent_updated

    def map(self, event: StreamEvent) -> BaseModel | None:
        if event.type == "raw_response_event":
            if isinstance(event.data, ResponseTextDeltaEvent) and event.data.delta:
                return TextDelta(text=event.data.delta)
            return None
        if event.type == "agent_updated_stream_event":
            if event.new_agent.name == self.announced:  # sent already, before the run started
                self.announced = None
                return None
            self.announced = None
            return AgentUpdated(agent=event.new_agent.name)
        item = event.item
        if event.name == "tool_called" and isinstance(item, ToolCallItem):
            call_id, name = item.call_id or "", item.tool_name or "tool"
            self.tool_names[call_id] = name
            return ToolStarted(tool_name=name, call_id=call_id)
        if event.name == "tool_output" and isinstance(item, ToolCallOutputItem):
            name = self.tool_names.get(item.call_id or "", "tool")
            return ToolCompleted(tool_name=name, call_id=item.call_id or "", tool_result=as_text(item.output))
        return None  # handoff items, message_output_created, reasoning: not part of the contract


def openapi_item_schema() -> dict:
    """The `itemSchema` of `text/event-stream` on the OpenAPI page: one branch per event."""
    branches = []
    for name, model in EVENTS.items():
        branches.append({
            "title": name,
            "type": "object",
            "required": ["event", "data"],
            "properties": {
                "event": {"type": "string", "const": name},
                "data": {"type": "string", "contentMediaType": "application/json",
                         "contentSchema": model.model_json_schema()},
            },
        })
    return {"oneOf": branches}
