"""The offline course model as an ASGI app speaking the OpenAI HTTP protocol.

Routes: GET /v1/models, POST /v1/chat/completions, POST /v1/responses,
GET /v1/responses/{id}, POST /v1/conversations, GET /v1/conversations/{id}.
Streaming uses server-sent events exactly as OpenAI does (`data: {...}` lines, `[DONE]` for
Chat Completions, named events for Responses).

Limits, so that no request can hang the server or grow its memory without end:
- a body is at most MAX_BODY_BYTES (2 MiB, 413 as soon as a chunked body crosses it) and must
  arrive within `Options.body_timeout_s` (30 s, else 408); JSON nests at most MAX_JSON_DEPTH levels,
  with no NaN/Infinity and no lone surrogates (400);
- the shape of every request is checked once (`models.py`), every JSON schema once (`schema.py`:
  no `$ref` cycles, at most 32 levels and 2,000 nodes, `minItems` <= 100, `minLength` <= 10,000);
- the rules read at most 20,000 characters of each turn (its beginning and end) and the last
  MAX_HISTORY_TURNS turns of a stored conversation;
- stored responses and conversations are kept in two least-recently-used stores of
  `Options.store_limit` entries (1,000) and STORE_CHARS characters each; an evicted id answers
  as an unknown one (404 on GET, 400 as `previous_response_id`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .chat_wire import chat_chunks, chat_completion
from .faults import FaultInjection, checked
from .models import ChatBody, ConversationBody, ResponsesBody, check_shape
from .policy import decide, reasoning_summary
from .profiles import Profile
from .profiles import get as get_profile
from .request import ApiError, Turn, bounded, parse_chat, parse_responses, responses_turns
from .responses_wire import output_items, response_object, stream_events
from .usage import Budget, stable_id

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 100
MAX_HISTORY_TURNS = 400  # kept per stored response or conversation: the first 8 and the latest ones
STORE_CHARS = 64_000_000  # request bytes plus history characters kept per store, about 64 MB or more
CHAT_ONLY_ALIASES = ("chat-only", "chat_only")
MODELS = ["course-model", "course-reasoner", "course-chat-only"]
log = logging.getLogger("workbook.offline")


@dataclass
class Options:
    delay_ms: float = 0.0  # pause between stream deltas, for a visible typewriter in class
    chat_only: bool = False  # answer /v1/responses with 404, as many compatible providers do
    faults: str | None = None  # e.g. "429;retry-after=1" for every request (faults.py); X-Offline-Fault overrides
    body_timeout_s: float = 30.0  # a body still arriving after this gets 408: slow clients cannot hold a slot
    store_limit: int = 1000  # stored responses, and conversations, kept at most (least recently used go first)
    profile: str | None = None  # behave as this provider documents (profiles.py); None: the full OpenAI API


class Recent:
    """A store that keeps the most recently used entries: at most `limit` of them and `max_weight` in all."""

    def __init__(self, limit: int, max_weight: int = STORE_CHARS):
        self.limit, self.max_weight, self.weight = limit, max_weight, 0
        self.entries: OrderedDict[str, tuple[int, tuple[dict, list[Turn]]]] = OrderedDict()

    def get(self, key: str) -> tuple[dict, list[Turn]] | None:
        if key not in self.entries:
            return None
        self.entries.move_to_end(key)
        return self.entries[key][1]

    def put(self, key: str, value: tuple[dict, list[Turn]], weight: int) -> None:
        if key in self.entries:
            self.weight -= self.entries.pop(key)[0]
        self.entries[key] = (weight, value)
        self.weight += weight
        while len(self.entries) > self.limit or (self.weight > self.max_weight and len(self.entries) > 1):
            self.weight -= self.entries.popitem(last=False)[1][0]

    def __len__(self) -> int:
        return len(self.entries)


@dataclass
class Store:
    """Server-side memory: finished responses (for previous_response_id) and conversations."""

    limit: int = 1000
    responses: Recent = field(init=False)
    conversations: Recent = field(init=False)
    conversations_created: int = 0

    def __post_init__(self):
        self.responses, self.conversations = Recent(self.limit), Recent(self.limit)


def create_app(options: Options | None = None) -> Starlette:
    options = options or Options()
    store = Store(options.store_limit)
    profile: Profile = get_profile(options.profile)

    async def read_body(request: Request) -> tuple[dict, int]:
        """The JSON body and its size in bytes, read within the limits above."""
        if request.headers.get("authorization", "").lower().startswith("bearer ") is False:
            raise ApiError(401, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' "
                           "(any value works for the offline model).", None, "missing_api_key")
        too_large = ApiError(413, f"Request body too large: the limit is {MAX_BODY_BYTES} bytes.", None,
                             "request_too_large")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise too_large
        chunks, size = [], 0
        try:
            async with asyncio.timeout(options.body_timeout_s):
                async for chunk in request.stream():  # chunk by chunk: a chunked body has no declared length
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        raise too_large
                    chunks.append(chunk)
        except TimeoutError:
            raise ApiError(408, f"The request body did not arrive within {options.body_timeout_s:g} seconds.",
                           None, "request_timeout") from None
        except ClientDisconnect:  # nobody is left to read an answer; a 400 keeps the log free of tracebacks
            raise ApiError(400, "The client closed the connection before the body arrived.", None,
                           "client_disconnected") from None
        return parse_json(b"".join(chunks)), size

    def error_response(error: ApiError) -> JSONResponse:
        return JSONResponse(profile.error_body(error), status_code=error.status)  # in the provider's envelope

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
        if not profile.has("models"):
            return error_response(profile.not_found(request.url.path))
        return JSONResponse({"object": "list", "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "offline-course"} for name in MODELS]})

    async def chat(request: Request) -> Response:
        try:
            body, _ = await read_body(request)
            check_shape(body, ChatBody)
            req = parse_chat(body)
            profile.check_chat(body)  # a provider profile only narrows what the checks above accept
        except ApiError as error:
            return error_response(error)
        req.reasoning = profile.reasoning(body, req.reasoning)
        decision = decide(req)
        reasoning = reasoning_summary(decision) if req.reasoning else None
        budget = Budget(req, body)
        created = int(time.time())
        if req.stream:
            return await sse(profile.chat_chunks(chat_chunks(body, decision, budget, created, reasoning)), named=False)
        return JSONResponse(profile.chat_message(chat_completion(body, decision, budget, created, reasoning)))

    async def responses(request: Request) -> Response:
        try:
            body, size = await read_body(request)
            model = body.get("model")
            if options.chat_only or (isinstance(model, str) and any(a in model for a in CHAT_ONLY_ALIASES)):
                raise ApiError(404, "Not Found: this provider has no Responses API (/v1/responses). Use Chat "
                               "Completions (/v1/chat/completions) instead.", None, "not_found")
            if not profile.has("responses"):
                raise profile.not_found(request.url.path)
            check_shape(body, ResponsesBody)
            profile.check_responses(body)
            history, salt = _history(body, store)
            req = parse_responses(body, history)
        except ApiError as error:
            return error_response(error)
        req.reasoning = profile.reasoning(body, req.reasoning)
        decision = decide(req)
        reasoning = reasoning_summary(decision) if req.reasoning else None
        budget = Budget(req, body)
        created = int(time.time())
        rid = stable_id("resp", body, salt)
        items = output_items(rid, decision, budget, reasoning)
        final = response_object(rid, body, req, created, items,
                                budget.responses_usage(decision, reasoning), "completed", budget.truncated)
        _remember(store, body, req, final, items, size)
        if req.stream:
            return await sse(stream_events(rid, body, req, created, items, final), named=True)
        return JSONResponse(final)

    def stored(table: Recent, key: str, what: str) -> Response:
        entry = table.get(key)
        if entry is None:  # never stored, or dropped from the store: the same answer
            return error_response(ApiError(404, f"{what} with id '{_short(key)}' not found.", None, "not_found"))
        return JSONResponse(entry[0])

    async def get_response(request: Request) -> Response:
        return stored(store.responses, request.path_params["rid"], "Response")

    async def create_conversation(request: Request) -> Response:
        if not profile.has("conversations"):
            return error_response(profile.not_found(request.url.path))
        try:
            body, size = await read_body(request)
            check_shape(body, ConversationBody)
            _, turns = responses_turns(body.get("items") or [])
        except ApiError as error:
            return error_response(error)
        store.conversations_created += 1
        cid = f"conv_{stable_id('conv', body, str(store.conversations_created))}"
        conversation = {"id": cid, "object": "conversation", "created_at": int(time.time()),
                        "metadata": body.get("metadata") or {}}
        turns = _kept([Turn(t.role, bounded(t.text), t.name, t.call_id) for t in turns])
        store.conversations.put(cid, (conversation, turns), size + _chars(turns))
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
        # A bug in the rules must never take the server down: answer like OpenAI's 500, and say
        # nothing about the exception (it may quote the request); the server log has the traceback.
        log.error("the offline model failed on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(ApiError(500, "The offline model failed on this request. This is a bug in the "
                                       "offline model, not in your code.", None, "server_error", "server_error"))

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
        entry = store.responses.get(previous)
        if entry is None:  # never stored, or dropped from the store
            raise ApiError(400, f"Previous response with id '{_short(previous)}' not found.", "previous_response_id",
                           "previous_response_not_found")
        return list(entry[1]), ""
    if isinstance(conversation, dict):
        conversation = conversation["id"]
    if conversation is not None:
        entry = store.conversations.get(conversation)
        if entry is None:
            raise ApiError(404, f"Conversation with id '{_short(conversation)}' not found.", "conversation",
                           "not_found")
        return list(entry[1]), f"{conversation}:{len(entry[1])}"
    return [], ""


def _remember(store: Store, body: dict, req, final: dict, items: list[dict], size: int) -> None:
    """Keep the exchange so `previous_response_id` and conversations can continue it."""
    _, output_turns = responses_turns([i for i in items if i["type"] in ("message", "function_call")])
    turns = _kept(req.turns + output_turns)
    weight = size + _chars(turns)
    if body.get("store") is not False:
        store.responses.put(final["id"], (final, turns), weight)
    conversation = body.get("conversation")
    if isinstance(conversation, dict):
        conversation = conversation["id"]
    entry = store.conversations.get(conversation) if conversation is not None else None
    if entry is not None:
        store.conversations.put(conversation, (entry[0], turns), weight)


def _kept(turns: list[Turn]) -> list[Turn]:
    """At most MAX_HISTORY_TURNS turns: the first few (how the conversation began) and the latest."""
    if len(turns) <= MAX_HISTORY_TURNS:
        return turns
    return turns[:8] + turns[-(MAX_HISTORY_TURNS - 8):]


def _chars(turns: list[Turn]) -> int:
    return sum(len(turn.text) for turn in turns)


def _short(value: str) -> str:
    """An id as quoted in an error message: never a whole long value sent by the client."""
    return value if len(value) <= 64 else value[:64] + "…"


# ---------------------------------------------------------------- reading JSON safely
STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
NOT_BRACKET = re.compile(r"[^\[\]{}]+")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def parse_json(raw: bytes) -> dict:
    """A JSON object of finite numbers and valid Unicode, nested at most MAX_JSON_DEPTH deep; else 400."""
    def invalid(detail: str, code: str = "invalid_json") -> ApiError:
        return ApiError(400, f"We could not parse the JSON body of your request. {detail}", None, code)

    try:
        text = raw.decode("utf-8")
        body = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise invalid(f"The body must not nest deeper than {MAX_JSON_DEPTH} levels.") from None
    except UnicodeDecodeError:
        raise invalid("The body must be UTF-8 text.", "invalid_unicode") from None
    except ValueError:  # also NaN, Infinity and numbers too large for a float, from the two hooks
        raise invalid("The body must be valid JSON, with finite numbers only.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.", None, "invalid_json")
    if _depth_over(text, MAX_JSON_DEPTH):
        raise invalid(f"The body must not nest deeper than {MAX_JSON_DEPTH} levels.")
    if SURROGATE_ESCAPE.search(text):
        try:  # a \ud83d\ude00 pair is one character once parsed; a lone half cannot be encoded
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise invalid("A string holds a lone UTF-16 surrogate (\\ud800 to \\udfff without its pair).",
                          "invalid_unicode") from None
    return body


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _depth_over(text: str, limit: int) -> bool:
    """Whether valid JSON nests deeper than `limit`: strip strings, then peel empty pairs level by level."""
    skeleton = NOT_BRACKET.sub("", STRING.sub("", text))
    for _ in range(limit):
        if not skeleton:
            return False
        skeleton = skeleton.replace("[]", "").replace("{}", "")
    return bool(skeleton)
