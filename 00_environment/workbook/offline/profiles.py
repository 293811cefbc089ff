"""Provider profiles: the offline model behaving as one provider documents its OpenAI-compatible API.

    python -m workbook serve --profile deepseek        # or OFFLINE_MODEL_PROFILE=deepseek in .env

A profile only narrows what the server accepts and changes how it reports reasoning and errors;
the request checks in `models.py` and `request.py` stay the single place of validation. Every fact
below names the page it comes from. Where the provider's documentation does not say, the fact is
marked UNKNOWN and the profile keeps the offline model's default behaviour (it accepts the request):
a student is never told that a provider refuses something nobody has seen it refuse.

The facts, and their sources (checked November 2026):

| profile | endpoints | structured output | reasoning arrives as | model names | errors |
|---|---|---|---|---|---|
| openai | chat, responses, conversations, models [O1] | json_schema [O2] | reasoning items (Responses) [O3] | any | OpenAI envelope [O4] |
| dashscope | chat, responses, models [D1][D2]; conversations UNKNOWN (served 404) | json_object (the prompt must say "JSON"); json_schema on qwen-plus models only [D3] | `reasoning_content`, with `enable_thinking: true` [D4] | qwen-plus, qwen3-max, ... [D2] | OpenAI envelope; `request_id` UNKNOWN shape [D5] |
| deepseek | chat, models [S1] | json_object only [S2] | `reasoning_content` from deepseek-reasoner [S3] | deepseek-chat, deepseek-reasoner [S1] | 400/401/402/422/429/500/503 [S4] |
| siliconflow | chat, models [F1] | json_object [F1]; json_schema UNKNOWN (accepted) | `reasoning_content`, with `enable_thinking` [F1] | Org/Model, e.g. Qwen/Qwen3-32B [F1] | `{"code", "message", "data"}` [F2] |
| ollama | chat, responses (stateless: no previous_response_id), models [L1] | json_object, json_schema [L1] | `reasoning` field [L2] | name:tag, e.g. qwen3:8b [L1] | OpenAI envelope [L1] |
| vllm | chat, responses, models [V1] | json_schema (structured outputs) [V2] | `reasoning` field (`reasoning_content` before v0.10) [V3] | the served name, e.g. Qwen/Qwen3-8B [V1] | `{"error": {...}}` [V1] |

tool_choice: none/auto/required/named on openai [O2], deepseek [S5], vllm [V4]; dashscope UNKNOWN
(not found in the pages above: every value accepted); siliconflow and ollama list the field [F1][L1]
without its values (UNKNOWN: accepted). parallel_tool_calls: openai [O2]; elsewhere UNKNOWN (accepted).
Error bodies: SiliconFlow documents `{"code": 20012, "message": "Model does not exist. Please check it
carefully.", "data": null}` [F2]; its numeric codes for other errors are UNKNOWN (the server uses 20015).
DashScope's error page [D5] lists messages such as "parameter.enable_thinking must be set to false for
non-streaming calls" without saying which models refuse thinking unstreamed (UNKNOWN: accepted).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .request import ApiError

SOURCES = {
    "O1": "https://platform.openai.com/docs/api-reference",
    "O2": "https://platform.openai.com/docs/api-reference/chat/create",
    "O3": "https://platform.openai.com/docs/guides/reasoning",
    "O4": "https://platform.openai.com/docs/guides/error-codes",
    "D1": "https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope",
    "D2": "https://www.alibabacloud.com/help/en/model-studio/compatibility-with-openai-responses-api",
    "D3": "https://help.aliyun.com/zh/model-studio/json-mode",
    "D4": "https://www.alibabacloud.com/help/en/model-studio/deep-thinking",
    "D5": "https://www.alibabacloud.com/help/en/model-studio/error-code",
    "S1": "https://api-docs.deepseek.com/quick_start/pricing",
    "S2": "https://api-docs.deepseek.com/guides/json_mode",
    "S3": "https://api-docs.deepseek.com/guides/reasoning_model",
    "S4": "https://api-docs.deepseek.com/quick_start/error_codes",
    "S5": "https://api-docs.deepseek.com/api/create-chat-completion",
    "F1": "https://docs.siliconflow.cn/docs/api/chat-completions-post",
    "F2": "https://docs.siliconflow.cn/cn/faqs/error-code",
    "L1": "https://docs.ollama.com/api/openai-compatibility",
    "L2": "https://github.com/ollama/ollama/blob/main/openai/openai.go",
    "V1": "https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html",
    "V2": "https://docs.vllm.ai/en/latest/features/structured_outputs.html",
    "V3": "https://docs.vllm.ai/en/latest/features/reasoning_outputs.html",
    "V4": "https://docs.vllm.ai/en/latest/features/tool_calling.html",
}

ENDPOINTS = ("chat", "responses", "conversations", "models")


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    example_model: str
    endpoints: frozenset[str]
    structured_output: str  # "json_schema", "json_object" (json_schema refused) or "some-json_schema"
    reasoning_field: str  # where reasoning arrives on Chat Completions
    thinking_switch: str | None = None  # a body field that turns reasoning on and off ("enable_thinking")
    stateful_responses: bool = True  # previous_response_id works on /v1/responses
    json_schema_models: tuple[str, ...] = ()  # name prefixes with json_schema, for "some-json_schema"
    model_pattern: str = r".+"  # the names the provider accepts; others get its "no such model" error
    reasoning_models: str | None = None  # where only some models think (deepseek-reasoner), their names
    sources: dict[str, str] = field(default_factory=dict)  # fact -> source key in SOURCES
    unknown: tuple[str, ...] = ()  # facts its documentation does not state

    # ------------------------------------------------------------ what the server asks of a profile
    def has(self, endpoint: str) -> bool:
        return endpoint in self.endpoints

    def not_found(self, path: str) -> ApiError:
        """The provider's answer to an endpoint it does not serve."""
        return self.error(404, f"Not Found: {self.title} does not serve {path}. Use Chat Completions "
                          "(/v1/chat/completions) instead.", "not_found")

    def check_chat(self, body: dict) -> None:
        """Narrow a Chat Completions request (already valid for the offline model) to what the provider takes."""
        self._check_model(body)
        fmt = body.get("response_format")
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind == "json_schema" and not self.json_schema_for(body["model"]):
            raise self.error(400, self._json_schema_message(body["model"]), "invalid_parameter")
        if kind == "json_object" and self.name == "dashscope" and "json" not in _all_text(body).lower():
            raise self.error(400, "'messages' must contain the word 'json' in some form, to use "
                             "'response_format' of type 'json_object'.", "invalid_parameter_error")

    def check_responses(self, body: dict) -> None:
        self._check_model(body)
        if not self.stateful_responses and body.get("previous_response_id") is not None:
            raise self.error(400, f"{self.title} serves /v1/responses statelessly: 'previous_response_id' is "
                             "not supported. Send the earlier items in 'input' instead.", "invalid_parameter")

    def json_schema_for(self, model: str) -> bool:
        if self.structured_output == "json_schema":
            return True
        if self.structured_output == "some-json_schema":
            return model.lower().startswith(self.json_schema_models)
        return False

    def reasoning(self, body: dict, requested: bool) -> bool:
        """Whether the reply carries reasoning: the provider's switch decides where it has one."""
        if self.thinking_switch and isinstance(body.get(self.thinking_switch), bool):
            return body[self.thinking_switch]
        if self.reasoning_models:
            return bool(re.search(self.reasoning_models, str(body.get("model", ""))))
        return requested

    def chat_message(self, reply: dict) -> dict:
        """A Chat Completions body with reasoning under this provider's field name."""
        if self.reasoning_field != "reasoning_content":
            for choice in reply.get("choices", []):
                _rename(choice.get("message") or {}, self.reasoning_field)
        return reply

    def chat_chunks(self, chunks: Iterator[dict]) -> Iterator[dict]:
        for chunk in chunks:
            if self.reasoning_field != "reasoning_content":
                for choice in chunk.get("choices", []):
                    _rename(choice.get("delta") or {}, self.reasoning_field)
            yield chunk

    def error(self, status: int, message: str, code: str | None = None) -> ApiError:
        return ProfileError(self, status, message, code)

    def error_body(self, error: ApiError) -> dict:
        """An error in the provider's own envelope."""
        if self.name == "siliconflow":  # {"code": 20012, "message": "...", "data": null}
            return {"code": SILICONFLOW_CODES.get(error.status, 20015), "message": error.message, "data": None}
        if self.name == "vllm":
            return {"error": {"message": error.message, "type": VLLM_TYPES.get(error.status, "BadRequestError"),
                              "param": error.param, "code": error.status}}
        body = ApiError.body(error)
        if self.name == "dashscope":  # the compatible mode adds the request id
            body["error"]["code"] = error.code or "invalid_parameter_error"
            body["request_id"] = "offline-request"
        return body

    # ------------------------------------------------------------ details
    def _check_model(self, body: dict) -> None:
        model = body.get("model")
        if isinstance(model, str) and not re.fullmatch(self.model_pattern, model):
            status, message = MODEL_NOT_FOUND.get(self.name, (404, "The model `{model}` does not exist."))
            raise self.error(status, message.format(model=model[:64]), "model_not_found")

    def _json_schema_message(self, model: str) -> str:
        if self.name == "deepseek":
            return "This response_format type is unavailable now"
        return (f"{self.title}: response_format 'json_schema' is not available for model {model}; "
                "use {'type': 'json_object'} and describe the JSON in the prompt.")


class ProfileError(ApiError):
    """An ApiError the server sends in a profile's own envelope."""

    def __init__(self, profile: Profile, status: int, message: str, code: str | None):
        super().__init__(status, message, None, code)
        self.profile = profile

    def body(self) -> dict:
        return self.profile.error_body(self)


def _rename(message: dict, name: str) -> None:
    if "reasoning_content" in message:
        message[name] = message.pop("reasoning_content")


def _all_text(body: dict) -> str:
    return " ".join(str(m.get("content") or "") for m in body.get("messages") or [] if isinstance(m, dict))


SILICONFLOW_CODES = {400: 20015, 401: 20016, 404: 20012, 429: 50501, 503: 50505}
VLLM_TYPES = {400: "BadRequestError", 404: "NotFoundError", 500: "InternalServerError"}
MODEL_NOT_FOUND = {
    "deepseek": (400, "Model Not Exist"),
    "siliconflow": (400, "Model does not exist. Please check it carefully."),
    "dashscope": (404, "The model `{model}` does not exist or you do not have access to it."),
    "ollama": (404, "model '{model}' not found"),
}

PROFILES: dict[str, Profile] = {p.name: p for p in [
    Profile("openai", "OpenAI", "gpt-4.1-mini", frozenset(ENDPOINTS), "json_schema", "reasoning_content",
            sources={"endpoints": "O1", "structured output": "O2", "tool_choice": "O2", "reasoning": "O3",
                     "errors": "O4"},
            unknown=("reasoning on Chat Completions: not exposed; the offline model sends reasoning_content",)),
    Profile("dashscope", "Alibaba DashScope (Qwen)", "qwen-plus", frozenset({"chat", "responses", "models"}),
            "some-json_schema", "reasoning_content", thinking_switch="enable_thinking",
            json_schema_models=("qwen-plus",), model_pattern=r"[a-z0-9][a-z0-9.\-]*",
            sources={"endpoints": "D1, D2", "structured output": "D3", "reasoning": "D4", "errors": "D5"},
            unknown=("/v1/conversations (not documented; served 404)", "tool_choice values (accepted)",
                     "which models need streaming with enable_thinking (accepted unstreamed)",
                     "'instructions' on /v1/responses (an older page said unsupported; accepted)")),
    Profile("deepseek", "DeepSeek", "deepseek-chat", frozenset({"chat", "models"}), "json_object",
            "reasoning_content", model_pattern=r"deepseek-[a-z0-9.\-]+", reasoning_models="reasoner",
            sources={"endpoints": "S1", "structured output": "S2", "reasoning": "S3", "errors": "S4",
                     "tool_choice": "S5", "model names": "S1"},
            unknown=("parallel_tool_calls (accepted)",)),
    Profile("siliconflow", "SiliconFlow", "Qwen/Qwen3-32B", frozenset({"chat", "models"}), "json_schema",
            "reasoning_content", thinking_switch="enable_thinking", model_pattern=r"[^/\s]+/[^/\s]+(/[^/\s]+)?",
            sources={"endpoints": "F1", "reasoning": "F1", "model names": "F1", "errors": "F2"},
            unknown=("response_format json_schema (json_object documented; json_schema accepted)",
                     "tool_choice values (accepted)", "parallel_tool_calls (accepted)")),
    Profile("ollama", "Ollama", "qwen3:8b", frozenset({"chat", "responses", "models"}), "json_schema",
            "reasoning", stateful_responses=False, model_pattern=r"[a-zA-Z0-9][\w.\-/]*(:[\w.\-]+)?",
            sources={"endpoints": "L1", "structured output": "L1", "reasoning": "L2", "model names": "L1"},
            unknown=("tool_choice values (accepted)", "error bodies beyond the OpenAI envelope")),
    Profile("vllm", "vLLM", "Qwen/Qwen3-8B", frozenset({"chat", "responses", "models"}), "json_schema",
            "reasoning", sources={"endpoints": "V1", "structured output": "V2", "reasoning": "V3",
                                  "tool_choice": "V4", "errors": "V1"},
            unknown=("previous_response_id across restarts", "/v1/conversations (not listed; served 404)")),
]}
DEFAULT = "openai"


def get(name: str | None) -> Profile:
    """The profile called `name` (default: openai, the full API); a clear error for an unknown name."""
    key = (name or DEFAULT).strip().lower()
    if key not in PROFILES:
        raise ValueError(f"unknown provider profile {name!r}; profiles are: {', '.join(PROFILES)}")
    return PROFILES[key]
