"""What the server accepts, as Pydantic models: the shape of a request is checked here, once.

Every handler checks its body with `check_shape` before any rule runs, so the rules never meet a
string where they expect a list, or a number where they expect an object. The models list only
the fields the offline model reads or echoes; other fields are allowed and ignored, as OpenAI
ignores what a model does not use. What the models cannot say (a role that does not exist, a tool
name outside OpenAI's pattern, a schema with a cycle) is checked in `request.py` and `schema.py`.

A wrong shape becomes one 400 in OpenAI's envelope that names the parameter and the type found,
never the value sent.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError

from .request import ApiError


class Shape(BaseModel):
    # strict: "1" is not a number and 1 is not a string; extra: unknown fields pass, as on OpenAI.
    model_config = ConfigDict(strict=True, extra="allow")


def one_of(expected: str, *options: tuple[type | None, Any]) -> Any:
    """A field that may take one of several JSON types: `(python type, annotation)` pairs.

    The value's own type picks the option, so an error inside a list points into the list,
    and a value of none of the types gets one message ("expected a string or an array").
    """
    def pick(value: Any) -> str | None:
        for index, (kind, _) in enumerate(options):
            if kind is None and value is None:
                return f"~{index}"
            if kind is not None and isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
                return f"~{index}"
        return None

    members = tuple(Annotated[annotation, Tag(f"~{index}")] for index, (_, annotation) in enumerate(options))
    return Annotated[Union[members], Discriminator(pick, custom_error_type="invalid_type",  # noqa: UP007
                                                   custom_error_message=f"expected {expected}")]


class ContentPart(Shape):
    type: str | None = None
    text: str | None = None


Part = one_of("a string or a content part object", (str, str), (dict, ContentPart))
Content = one_of("a string or an array of content parts", (str, str), (list, list[Part]), (None, None))
Metadata = dict[str, str] | None


class FunctionName(Shape):
    name: str


class JsonSchemaFormat(Shape):
    name: str | None = None
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


# ---------------------------------------------------------------- Chat Completions
class ChatFunctionCall(Shape):
    name: str
    arguments: str | None = None


class ChatToolCall(Shape):
    id: str | None = None
    type: str | None = None
    function: ChatFunctionCall


class ChatMessage(Shape):
    role: str
    content: Content = None
    name: str | None = None
    tool_calls: list[ChatToolCall] | None = None
    tool_call_id: str | None = None


class ChatFunction(Shape):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class ChatTool(Shape):
    type: str
    function: ChatFunction | None = None


class ChatToolChoice(Shape):
    type: str
    function: FunctionName | None = None


class ResponseFormat(Shape):
    type: str
    json_schema: JsonSchemaFormat | None = None


class ChatBody(Shape):
    model: str
    messages: Annotated[list[ChatMessage], Field(min_length=1)]
    tools: list[ChatTool] | None = None
    tool_choice: one_of("a string or an object", (str, str), (dict, ChatToolChoice), (None, None)) = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    reasoning_effort: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    n: int | None = None
    store: bool | None = None
    metadata: Metadata = None


# ---------------------------------------------------------------- Responses
class WebSearchAction(Shape):
    type: str | None = None
    query: str | None = None


class InputItem(Shape):
    type: str | None = None
    role: str | None = None
    content: Content = None
    id: str | None = None
    call_id: str | None = None
    name: str | None = None
    arguments: str | None = None
    output: one_of("a string, an array of content parts or an object", (str, str), (list, list[Part]),
                   (dict, dict[str, Any]), (None, None)) = None
    action: WebSearchAction | None = None


class ResponsesTool(Shape):
    type: str
    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class ResponsesToolChoice(Shape):
    type: str
    name: str | None = None


class TextFormat(JsonSchemaFormat):
    type: str


class TextOptions(Shape):
    format: TextFormat | None = None
    verbosity: str | None = None


class Reasoning(Shape):
    effort: str | None = None
    summary: str | None = None


class ConversationRef(Shape):
    id: str


class ResponsesBody(Shape):
    model: str
    # None passes here so that request.py can say "Missing required parameter: 'input'".
    input: one_of("a string or an array of input items", (str, str), (list, list[InputItem]), (None, None)) = None
    instructions: str | None = None
    previous_response_id: str | None = None
    conversation: one_of("a conversation id or an object with an 'id'", (str, str), (dict, ConversationRef),
                         (None, None)) = None
    tools: list[ResponsesTool] | None = None
    tool_choice: one_of("a string or an object", (str, str), (dict, ResponsesToolChoice), (None, None)) = None
    parallel_tool_calls: bool | None = None
    text: TextOptions | None = None
    reasoning: Reasoning | None = None
    stream: bool | None = None
    store: bool | None = None
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    include: list[str] | None = None
    metadata: Metadata = None


class ConversationBody(Shape):
    items: list[InputItem] | None = None
    metadata: Metadata = None


# ---------------------------------------------------------------- one check, one error
EXPECTED = {"string_type": "a string", "int_type": "an integer", "float_type": "a number", "bool_type": "a boolean",
            "dict_type": "an object", "model_type": "an object", "model_attributes_type": "an object",
            "list_type": "an array"}


def check_shape(body: dict, shape: type[Shape]) -> None:
    """Raise ApiError(400) for the first field of `body` that does not fit `shape`."""
    try:
        shape.model_validate(body)
    except ValidationError as error:
        raise _api_error(error.errors(include_url=False, include_context=False)[0]) from None


def _api_error(error: dict) -> ApiError:
    param = _param(error["loc"])
    kind = error["type"]
    if kind == "missing":
        return ApiError(400, f"Missing required parameter: '{param}'.", param, "missing_required_parameter")
    if kind == "too_short":
        return ApiError(400, f"Invalid '{param}': empty array. Expected an array with minimum length 1.", param,
                        "empty_array")
    expected = error["msg"] if kind == "invalid_type" else f"expected {EXPECTED[kind]}" if kind in EXPECTED else None
    if expected:
        return ApiError(400, f"Invalid type for '{param}': {expected}, but got {type_name(error['input'])}.", param,
                        "invalid_type")
    return ApiError(400, f"Invalid value for '{param}'.", param, "invalid_value")


def _param(loc: tuple) -> str:
    """('messages', 0, 'content') -> "messages[0].content"; the tags `one_of` adds are dropped."""
    param = ""
    for part in loc:
        if isinstance(part, int):
            param += f"[{part}]"
        elif not part.startswith("~"):
            param += f".{part[:64]}" if param else part[:64]
    return param


def type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "an integer", float: "a number", type(None): "null"}.get(type(value), "a value")
