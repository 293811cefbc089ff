"""Read a Chat Completions or Responses request into one neutral form, checking it as we go.

Both APIs describe the same things (instructions, turns, tools, an output schema) in
different shapes. The rules in `policy.py` only ever see the neutral `ModelRequest`, so they
behave the same on both APIs. Anything malformed raises `ApiError`, which the server turns
into an OpenAI-style error envelope. The request's shape (types of fields) is already checked by
`models.py` when these functions run.

The rules look at a bounded view of each turn and tool description: a text longer than
RULES_TEXT_LIMIT characters is kept as its beginning and its end, so a legal 2 MB question costs
the rules no more than a long one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .schema import SchemaError, check_schema

REASONING_ALIASES = ("reason", "think", "r1", "o1", "o3", "o4")
HOSTED_TOOLS = {"web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11"}
UNSUPPORTED_HOSTED = {"file_search", "code_interpreter", "computer_use_preview", "computer",
                      "image_generation", "mcp", "local_shell", "shell", "apply_patch", "tool_search"}


TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
RULES_TEXT_LIMIT = 20_000  # characters of one turn the rules read: the first 16,000 and the last 4,000


class ApiError(Exception):
    """An error the server answers with, in OpenAI's envelope."""

    def __init__(self, status: int, message: str, param: str | None = None,
                 code: str | None = None, type_: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.type = status, message, param, code, type_

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


@dataclass
class Turn:
    """One step of the conversation: a message, a tool call, or a tool result."""

    role: str  # "user", "assistant", "tool_call", "tool_result"
    text: str = ""
    name: str = ""
    call_id: str = ""


@dataclass
class ToolSpec:
    name: str
    description: str = ""
    parameters: dict = field(default_factory=dict)
    hosted: str = ""  # "web_search" for a hosted tool the offline model stands in for


@dataclass
class ModelRequest:
    api: str  # "chat" or "responses"
    model: str
    instructions: str
    turns: list[Turn]
    tools: list[ToolSpec]
    tool_choice: str = "auto"  # "auto", "none", "required" or a tool name
    parallel_tool_calls: bool = True
    output_schema: dict | None = None
    json_object: bool = False
    reasoning: bool = False
    max_tokens: int | None = None
    stream: bool = False

    @property
    def question(self) -> str:
        for turn in reversed(self.turns):
            if turn.role == "user":
                return turn.text
        return ""

    @property
    def since_question(self) -> list[Turn]:
        """The turns after the last user message (tool calls and results of this task)."""
        for index in range(len(self.turns) - 1, -1, -1):
            if self.turns[index].role == "user":
                return self.turns[index + 1:]
        return list(self.turns)


def _require(body: dict, key: str, kind: type | tuple, what: str) -> Any:
    if key not in body or body[key] is None:
        raise ApiError(400, f"Missing required parameter: '{key}'.", key, "missing_required_parameter")
    value = body[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ApiError(400, f"Invalid type for '{key}': expected {what}, but got {_type_name(value)}.",
                       key, "invalid_type")
    return value


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "an integer", float: "a number", type(None): "null"}.get(type(value), "a value")


def _optional_int(body: dict, *keys: str) -> int | None:
    for key in keys:
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ApiError(400, f"Invalid '{key}': expected a positive integer.", key, "invalid_value")
        return value
    return None


def _wants_reasoning(model: str, effort: Any) -> bool:
    if isinstance(effort, str) and effort not in ("none", ""):
        return True
    return any(alias in model.lower() for alias in REASONING_ALIASES)


def _content_text(content: Any, where: str) -> str:
    """Message content as text: a string, or a list of text parts (images become a note)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        pieces = []
        for part in content:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, dict):
                if "text" in part and isinstance(part["text"], str):
                    pieces.append(part["text"])
                elif part.get("type") in ("image_url", "input_image"):
                    pieces.append("[image]")
                elif part.get("type") in ("file", "input_file"):
                    pieces.append("[file]")
                elif part.get("type") in ("input_audio",):
                    pieces.append("[audio]")
            else:
                raise ApiError(400, f"Invalid content part in '{where}'.", where, "invalid_type")
        return "\n".join(pieces)
    raise ApiError(400, f"Invalid type for '{where}': expected a string or an array of content parts.",
                   where, "invalid_type")


def _check_tool_name(name: str, param: str) -> None:
    """OpenAI accepts only ASCII letters, digits, '_' and '-' in a function name, at most 64."""
    if not TOOL_NAME.fullmatch(name):
        raise ApiError(400, f"Invalid '{param}': string does not match pattern. Expected a string that matches "
                       f"the pattern '^[a-zA-Z0-9_-]{{1,64}}$', got {name!r}.", param, "invalid_value")


def _check_schema(schema: Any, param: str, code: str = "invalid_json_schema") -> dict:
    """A schema the rules can fill safely (no cycles, sane bounds; see schema.py), else a 400."""
    try:
        return check_schema(schema)
    except SchemaError as error:
        raise ApiError(400, error.describe(param), param, code) from None


def bounded(text: str) -> str:
    """The part of a long text the rules read: its beginning and its end."""
    if len(text) <= RULES_TEXT_LIMIT:
        return text
    head = RULES_TEXT_LIMIT * 4 // 5
    return f"{text[:head]} … {text[-(RULES_TEXT_LIMIT - head):]}"


# ---------------------------------------------------------------- Chat Completions
def parse_chat(body: dict) -> ModelRequest:
    model = _require(body, "model", str, "a string")
    messages = _require(body, "messages", list, "an array")
    if not messages:
        raise ApiError(400, "Invalid 'messages': empty array. Expected an array with minimum length 1.",
                       "messages", "empty_array")
    instructions: list[str] = []
    turns: list[Turn] = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise ApiError(400, f"Invalid type for '{where}': expected an object.", where, "invalid_type")
        role = message.get("role")
        if role in ("system", "developer"):
            instructions.append(_content_text(message.get("content"), f"{where}.content"))
        elif role == "user":
            turns.append(Turn("user", _content_text(message.get("content"), f"{where}.content")))
        elif role == "assistant":
            text = _content_text(message.get("content"), f"{where}.content")
            if text:
                turns.append(Turn("assistant", text))
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {} if isinstance(call, dict) else {}
                if not function.get("name"):
                    raise ApiError(400, f"Invalid '{where}.tool_calls': each call needs function.name.",
                                   f"{where}.tool_calls", "invalid_value")
                turns.append(Turn("tool_call", function.get("arguments") or "", function["name"],
                                  call.get("id") or ""))
        elif role == "tool":
            if not message.get("tool_call_id"):
                raise ApiError(400, f"Missing required parameter: '{where}.tool_call_id'.",
                               f"{where}.tool_call_id", "missing_required_parameter")
            turns.append(Turn("tool_result", _content_text(message.get("content"), f"{where}.content"),
                              call_id=str(message["tool_call_id"])))
        else:
            raise ApiError(400, f"Invalid value for '{where}.role': {role!r}. Supported values are: "
                           "'system', 'developer', 'user', 'assistant' and 'tool'.", f"{where}.role",
                           "invalid_value")
    tools = []
    for i, tool in enumerate(body.get("tools") or []):
        where = f"tools[{i}]"
        if not isinstance(tool, dict):
            raise ApiError(400, f"Invalid type for '{where}': expected an object.", where, "invalid_type")
        if tool.get("type") != "function":
            raise ApiError(400, f"Invalid value: {tool.get('type')!r}. Supported values are: 'function' "
                           f"and 'custom'. Hosted tools such as web search are not Chat Completions "
                           f"tools (use the Responses API).", f"{where}.type", "invalid_value")
        function = tool.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise ApiError(400, f"Missing required parameter: '{where}.function.name'.",
                           f"{where}.function.name", "missing_required_parameter")
        _check_tool_name(function["name"], f"{where}.function.name")
        parameters = _check_schema(function.get("parameters") or {}, f"{where}.function.parameters",
                                   "invalid_function_parameters")
        tools.append(ToolSpec(function["name"], bounded(function.get("description") or ""), parameters))
    choice = _chat_tool_choice(body.get("tool_choice"), tools)
    schema, json_object = None, False
    fmt = body.get("response_format")
    if fmt is not None:
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind == "json_schema":
            spec = fmt.get("json_schema") or {}
            schema = _check_schema(spec.get("schema", {}), "response_format.json_schema.schema")
        elif kind == "json_object":
            json_object = True
        elif kind != "text":
            raise ApiError(400, "Invalid 'response_format.type'. Supported values are: 'text', "
                           "'json_object' and 'json_schema'.", "response_format.type", "invalid_value")
    stream = body.get("stream") or False  # null is the same as absent, as on OpenAI
    if not isinstance(stream, bool):
        raise ApiError(400, "Invalid type for 'stream': expected a boolean.", "stream", "invalid_type")
    return ModelRequest(
        api="chat", model=model, instructions=bounded("\n".join(instructions)), turns=_name_results(turns),
        tools=tools, tool_choice=choice, parallel_tool_calls=body.get("parallel_tool_calls") is not False,
        output_schema=schema, json_object=json_object,
        reasoning=_wants_reasoning(model, body.get("reasoning_effort")),
        max_tokens=_optional_int(body, "max_completion_tokens", "max_tokens"), stream=stream,
    )


def _chat_tool_choice(choice: Any, tools: list[ToolSpec]) -> str:
    if choice is None:
        return "auto"
    if choice in ("auto", "none", "required"):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = (choice.get("function") or {}).get("name")
        return _named_choice(name, tools)
    raise ApiError(400, f"Invalid value for 'tool_choice': {choice!r}. Use 'none', 'auto', 'required' or "
                   "{'type': 'function', 'function': {'name': ...}}.", "tool_choice", "invalid_value")


def _named_choice(name: Any, tools: list[ToolSpec]) -> str:
    if not any(tool.name == name for tool in tools):
        raise ApiError(400, f"Invalid value for 'tool_choice': no function named {name!r} was offered in "
                       "'tools'.", "tool_choice", "invalid_value")
    return name


def _name_results(turns: list[Turn]) -> list[Turn]:
    """Give each tool result the name of the call it answers (Chat results carry only the id).

    Also where each turn is cut to what the rules read (a turn from history is cut already).
    """
    names = {t.call_id: t.name for t in turns if t.role == "tool_call"}
    for turn in turns:
        turn.text = bounded(turn.text)
        if turn.role == "tool_result" and not turn.name:
            turn.name = names.get(turn.call_id, "")
    return turns


# ---------------------------------------------------------------- Responses
def parse_responses(body: dict, history: list[Turn]) -> ModelRequest:
    """`history` holds the turns of the previous response or conversation, if any."""
    model = _require(body, "model", str, "a string")
    if "input" not in body or body["input"] is None:
        raise ApiError(400, "Missing required parameter: 'input'.", "input", "missing_required_parameter")
    raw_input = body["input"]
    if isinstance(raw_input, str):
        items: list = [{"role": "user", "content": raw_input}]
    elif isinstance(raw_input, list):
        items = raw_input
    else:
        raise ApiError(400, f"Invalid type for 'input': expected a string or an array of input items, but "
                       f"got {_type_name(raw_input)}.", "input", "invalid_type")
    instructions = body.get("instructions") or ""
    if not isinstance(instructions, str):
        raise ApiError(400, "Invalid type for 'instructions': expected a string.", "instructions", "invalid_type")
    extra_instructions, turns = responses_turns(items)
    tools = []
    for i, tool in enumerate(body.get("tools") or []):
        where = f"tools[{i}]"
        if not isinstance(tool, dict):
            raise ApiError(400, f"Invalid type for '{where}': expected an object.", where, "invalid_type")
        kind = tool.get("type")
        if kind == "function":
            if not isinstance(tool.get("name"), str):
                raise ApiError(400, f"Missing required parameter: '{where}.name'.", f"{where}.name",
                               "missing_required_parameter")
            _check_tool_name(tool["name"], f"{where}.name")
            parameters = _check_schema(tool.get("parameters") or {}, f"{where}.parameters", "invalid_function_parameters")
            tools.append(ToolSpec(tool["name"], bounded(tool.get("description") or ""), parameters))
        elif kind in HOSTED_TOOLS:
            tools.append(ToolSpec("web_search", "", {}, hosted="web_search"))  # never scored: policy runs it when no function fits
        elif kind in UNSUPPORTED_HOSTED:
            raise ApiError(400, f"The hosted tool '{kind}' runs on the provider's servers and is not available "
                           "in the offline course model. Configure a provider that offers it in .env.",
                           f"{where}.type", "unsupported_tool")
        else:
            raise ApiError(400, f"Invalid value for '{where}.type': {kind!r}.", f"{where}.type", "invalid_value")
    choice = body.get("tool_choice")
    if choice is None or choice in ("auto", "none", "required"):
        tool_choice = choice or "auto"
    elif isinstance(choice, dict) and choice.get("type") == "function":
        tool_choice = _named_choice(choice.get("name"), tools)
    elif isinstance(choice, dict) and choice.get("type") in HOSTED_TOOLS:
        tool_choice = "web_search"
    else:
        raise ApiError(400, f"Invalid value for 'tool_choice': {choice!r}.", "tool_choice", "invalid_value")
    text = body.get("text") or {}
    fmt = text.get("format") if isinstance(text, dict) else None
    schema, json_object = None, False
    if isinstance(fmt, dict):
        if fmt.get("type") == "json_schema":
            schema = _check_schema(fmt.get("schema", {}), "text.format.schema")
        elif fmt.get("type") == "json_object":
            json_object = True
    reasoning = body.get("reasoning") or {}
    stream = body.get("stream") or False  # null is the same as absent, as on OpenAI
    if not isinstance(stream, bool):
        raise ApiError(400, "Invalid type for 'stream': expected a boolean.", "stream", "invalid_type")
    return ModelRequest(
        api="responses", model=model,
        instructions=bounded("\n".join(x for x in (instructions, extra_instructions) if x)),
        turns=_name_results(history + turns), tools=tools, tool_choice=tool_choice,
        parallel_tool_calls=body.get("parallel_tool_calls") is not False,
        output_schema=schema, json_object=json_object,
        reasoning=_wants_reasoning(model, reasoning.get("effort") if isinstance(reasoning, dict) else None),
        max_tokens=_optional_int(body, "max_output_tokens"), stream=stream,
    )


def responses_turns(items: list) -> tuple[str, list[Turn]]:
    """Input items (or stored output items) as turns; system/developer text is returned apart."""
    instructions: list[str] = []
    turns: list[Turn] = []
    for i, item in enumerate(items):
        where = f"input[{i}]"
        if not isinstance(item, dict):
            raise ApiError(400, f"Invalid type for '{where}': expected an object.", where, "invalid_type")
        kind = item.get("type", "message")
        if kind == "message":
            role = item.get("role")
            text = _content_text(item.get("content"), f"{where}.content")
            if role in ("system", "developer"):
                instructions.append(text)
            elif role in ("user", "assistant"):
                turns.append(Turn(role, text))
            else:
                raise ApiError(400, f"Invalid value for '{where}.role': {role!r}.", f"{where}.role", "invalid_value")
        elif kind == "function_call":
            turns.append(Turn("tool_call", str(item.get("arguments", "")), str(item.get("name", "")),
                              str(item.get("call_id", ""))))
        elif kind == "function_call_output":
            if not item.get("call_id"):
                raise ApiError(400, f"Missing required parameter: '{where}.call_id'.", f"{where}.call_id",
                               "missing_required_parameter")
            output = item.get("output")
            text = output if isinstance(output, str) else _content_text(output, f"{where}.output")
            turns.append(Turn("tool_result", text, call_id=str(item["call_id"])))
        elif kind == "web_search_call":
            query = ((item.get("action") or {}).get("query")) or ""
            turns.append(Turn("tool_call", json.dumps({"query": query}), "web_search", str(item.get("id", ""))))
        # reasoning items and other item kinds carry nothing the rules use
    return "\n".join(instructions), turns
