"""The offline course model as an ASGI app speaking the OpenAI HTTP protocol.

Routes: GET /v1/models, POST /v1/chat/completions, POST /v1/responses,
GET /v1/responses/{id}, POST /v1/conversations, GET /v1/conversations/{id}.
Streaming uses server-sent events exactly as OpenAI does (`data: {...}` lines, `[DONE]` for
Chat Completions, named events for Responses).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .chat_wire import chat_chunks, chat_completion
from .faults import FaultInjection, checked
from .policy import decide, reasoning_summary
from .request import ApiError, Turn, parse_chat, parse_responses, responses_turns
from .responses_wire import output_items, response_object, stream_events
from .usage import Budget, stable_id

MAX_BODY_BYTES = 2 * 1024 * 1024
CHAT_ONLY_ALIASES = ("chat-only", "chat_only")
MODELS = ["course-model", "course-reasoner", "course-chat-only"]


@dataclass
class Options:
    delay_ms: float = 0.0  # pause between stream deltas, for a visible typewriter in class
    chat_only: bool = False  # answer /v1/responses with 404, as many compatible providers do
    faults: str | None = None  # e.g. "429;retry-after=1" for every request (faults.py); X-Offline-Fault overrides


@dataclass
class Store:
    """Server-side memory: finished responses (for previous_response_id) and conversations."""

    responses: dict[str, tuple[dict, list[Turn]]] = field(default_factory=dict)
    conversations: dict[str, tuple[dict, list[Turn]]] = field(default_factory=dict)


def create_app(options: Options | None = None) -> Starlette:
    options = options or Options()
    store = Store()

    async def read_body(request: Request) -> dict:
        if request.headers.get("authorization", "").lower().startswith("bearer ") is False:
            raise ApiError(401, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' "
                           "(any value works for the offline model).", None, "missing_api_key")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise ApiError(413, f"Request body too large: the limit is {MAX_BODY_BYTES} bytes.", None,
                           "request_too_large")
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            raise ApiError(413, f"Request body too large: the limit is {MAX_BODY_BYTES} bytes.", None,
                           "request_too_large")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "We could not parse the JSON body of your request. The body must be valid "
                           "JSON.", None, "invalid_json") from None
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.", None, "invalid_json")
        return body

    def error_response(error: ApiError) -> JSONResponse:
        return JSONResponse(error.body(), status_code=error.status)

    async def sse(events, named: bool) -> Response:
        async def generate():
            for payload in events:
                line = json.dumps(payload, ensure_ascii=False)
                prefix = f"event: {payload['type']}\n" if named else ""
                yield f"{prefix}data: {line}\n\n"
                if options.delay_ms:
                    await asyncio.sleep(options.delay_ms / 1000)
            if not named:
                yield "data: [DONE]\n\n"

        return StreamingResponse(generate(), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache"})

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "offline-course"} for name in MODELS]})

    async def chat(request: Request) -> Response:
        try:
            body = await read_body(request)
            req = parse_chat(body)
        except ApiError as error:
            return error_response(error)
        decision = decide(req)
        reasoning = reasoning_summary(decision) if req.reasoning else None
        budget = Budget(req, body)
        created = int(time.time())
        if req.stream:
            return await sse(chat_chunks(body, decision, budget, created, reasoning), named=False)
        return JSONResponse(chat_completion(body, decision, budget, created, reasoning))

    async def responses(request: Request) -> Response:
        try:
            body = await read_body(request)
            model = body.get("model")
            if options.chat_only or (isinstance(model, str) and any(a in model for a in CHAT_ONLY_ALIASES)):
                raise ApiError(404, "Not Found: this provider has no Responses API (/v1/responses). Use Chat "
                               "Completions (/v1/chat/completions) instead.", None, "not_found")
            history, salt = _history(body, store)
            req = parse_responses(body, history)
        except ApiError as error:
            return error_response(error)
        decision = decide(req)
        reasoning = reasoning_summary(decision) if req.reasoning else None
        budget = Budget(req, body)
        created = int(time.time())
        rid = stable_id("resp", body, salt)
        items = output_items(rid, decision, budget, reasoning)
        final = response_object(rid, body, req, created, items,
                                budget.responses_usage(decision, reasoning), "completed", budget.truncated)
        _remember(store, body, req, final, items)
        if req.stream:
            return await sse(stream_events(rid, body, req, created, items, final), named=True)
        return JSONResponse(final)

    def stored(table: dict, key: str, what: str) -> Response:
        if key not in table:
            return error_response(ApiError(404, f"{what} with id '{key}' not found.", None, "not_found"))
        return JSONResponse(table[key][0])

    async def get_response(request: Request) -> Response:
        return stored(store.responses, request.path_params["rid"], "Response")

    async def create_conversation(request: Request) -> Response:
        try:
            body = await read_body(request)
            _, turns = responses_turns(body.get("items") or [])
        except ApiError as error:
            return error_response(error)
        cid = f"conv_{stable_id('conv', body, str(len(store.conversations)))}"
        conversation = {"id": cid, "object": "conversation", "created_at": int(time.time()),
                        "metadata": body.get("metadata") or {}}
        store.conversations[cid] = (conversation, turns)
        return JSONResponse(conversation)

    async def get_conversation(request: Request) -> Response:
        return stored(store.conversations, request.path_params["cid"], "Conversation")

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(ApiError(404, f"Unknown path: {request.method} {request.url.path}. The offline "
                                       "model serves /v1/models, /v1/chat/completions and /v1/responses.",
                                       None, "unknown_url"))

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        return error_response(ApiError(405, f"Method {request.method} is not allowed on {request.url.path}.",
                                       None, "method_not_allowed"))

    async def crash(request: Request, exc: Exception) -> Response:
        # A bug in the rules must never take the server down: answer like OpenAI's 500.
        return error_response(ApiError(500, f"The offline model failed on this request: {exc!r}", None,
                                       "server_error", "server_error"))

    routes = [
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/responses", responses, methods=["POST"]),
        Route("/v1/responses/{rid}", get_response, methods=["GET"]),
        Route("/v1/conversations", create_conversation, methods=["POST"]),
        Route("/v1/conversations/{cid}", get_conversation, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: method_not_allowed, Exception: crash})
    app.add_middleware(FaultInjection, default=checked(options.faults))  # 429s, 500s, drops, slow starts on demand
    return app


def _history(body: dict, store: Store) -> tuple[list[Turn], str]:
    """The earlier turns a Responses request continues from, and a salt for its ids."""
    previous = body.get("previous_response_id")
    conversation = body.get("conversation")
    if previous is not None and conversation is not None:
        raise ApiError(400, "Use either 'previous_response_id' or 'conversation', not both.",
                       "previous_response_id", "invalid_value")
    if previous is not None:
        if not isinstance(previous, str) or previous not in store.responses:
            raise ApiError(400, f"Previous response with id '{previous}' not found.", "previous_response_id",
                           "previous_response_not_found")
        return list(store.responses[previous][1]), ""
    if isinstance(conversation, dict):
        conversation = conversation.get("id")
    if conversation is not None:
        if conversation not in store.conversations:
            raise ApiError(404, f"Conversation with id '{conversation}' not found.", "conversation", "not_found")
        turns = store.conversations[conversation][1]
        return list(turns), f"{conversation}:{len(turns)}"
    return [], ""


def _remember(store: Store, body: dict, req, final: dict, items: list[dict]) -> None:
    """Keep the whole exchange so `previous_response_id` and conversations can continue it."""
    _, output_turns = responses_turns([i for i in items if i["type"] in ("message", "function_call")])
    turns = req.turns + output_turns
    if body.get("store", True) is not False:
        store.responses[final["id"]] = (final, turns)
    conversation = body.get("conversation")
    if isinstance(conversation, dict):
        conversation = conversation.get("id")
    if conversation in store.conversations:
        meta, _ = store.conversations[conversation]
        store.conversations[conversation] = (meta, turns)
