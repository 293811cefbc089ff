"""The ITS desk chat: a FastAPI backend that streams an agent run to the browser as SSE.

Start it from this folder with either

    uvicorn app:app --port 8200
    python app.py

and open http://127.0.0.1:8200/ (the page is served here too), or serve `static/` on port 8080
(`python -m http.server 8080`) as the course does: CORS lets that page call this backend.

With no provider in `.env` it answers with the offline course model, like every lesson.

As a service: `CHAT_SESSION_URL` picks where conversations live (unset: the SQLite file;
`postgresql+asyncpg://…` or `redis://…`, see store.py), and since every conversation, its lock
and its paused run live there, any number of workers can serve it:

    CHAT_SESSION_URL=redis://127.0.0.1:6379/0 uvicorn app:app --port 8200 --workers 2
"""


import asyncio
import logging
import os
import re
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import anyio
import httpx
import openai
from agents import Agent, MaxTurnsExceeded, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner, RunState
from agents.exceptions import AgentsException, InputGuardrailTripwireTriggered
from agents.result import RunResultStreaming
from chat_events import (
    AgentUpdated,
    ApprovalRequired,
    ApprovalResolved,
    ErrorEvent,
    GuardrailRejected,
    RunCompleted,
    StreamEventMapper,
    openapi_item_schema,
    sse,
)
from conversations import ActiveConversation, Conversations
from desk import APPROVAL_REASONS, REJECTED, build_desk
from fastapi import Cookie, Depends, FastAPI, HTTPException, Query, Response, status
from fastapi import Path as PathParam
from fastapi.middleware.cors import CORSMiddleware
from fastapi.sse import EventSourceResponse, ServerSentEvent
from fastapi.staticfiles import StaticFiles
from openai import AsyncOpenAI, DefaultAsyncHttpxClient
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from store import ConversationBusy, busy_message, is_pool_timeout, is_store_error, open_store

import workbook

HERE = Path(__file__).resolve().parent
MAX_QUERY_CHARS = 2000
PROVIDER_CONNECTIONS = 200  # open connections to the model provider, at most
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
COOKIE = "conversation_id"
log = logging.getLogger("sse_chat")


@dataclass
class Settings:
    """Everything the app reads from the environment, in one place (names as in `.env.example`)."""

    base_url: str
    api_key: str
    model: str
    responses_api: bool
    provider: str = "the configured provider"
    db_path: str = str(HERE / "conversations.db")
    port: int = 8200
    host: str = "127.0.0.1"
    timeout: float = 30.0  # seconds per provider request: a stuck provider ends as an `error` event
    max_retries: int = 1  # the openai client retries 429/5xx/connection errors; keep it short
    max_turns: int = 8
    extra_origins: list[str] = field(default_factory=list)
    session_url: str | None = None  # CHAT_SESSION_URL: where conversations live (None: the SQLite file)
    lock_wait: float = 120.0  # seconds a follow-up waits for the conversation's running turn
    lock_lease: float = 30.0  # seconds a lock outlives a worker that died holding it
    allow_file_page: bool = False  # CHAT_ALLOW_FILE_PAGE: let index.html opened from disk call the API
    max_runs: int = 64  # CHAT_MAX_RUNS: runs at once per worker; more wait their turn instead of slowing all
    pool_wait: float = 60.0  # CHAT_POOL_WAIT: seconds a request waits for a free database connection

    @classmethod
    def from_env(cls) -> "Settings":
        provider = workbook.setup()  # loads .env; starts the offline model when nothing is configured
        env = os.environ
        return cls(
            base_url=env["OPENAI_BASE_URL"], api_key=env["OPENAI_API_KEY"], model=env["OPENAI_MODEL_NAME"],
            responses_api=env.get("OPENAI_RESPONSES_API", "").lower() in ("1", "true", "yes", "on"),
            provider=provider.name,
            db_path=env.get("CHAT_DB_PATH") or str(HERE / "conversations.db"),
            port=int(env.get("CHAT_PORT") or 8200), host=env.get("CHAT_HOST") or "127.0.0.1",
            timeout=float(env.get("CHAT_PROVIDER_TIMEOUT") or 30), max_retries=int(env.get("CHAT_MAX_RETRIES") or 1),
            extra_origins=[o.strip() for o in (env.get("CHAT_ALLOWED_ORIGINS") or "").split(",") if o.strip()],
            session_url=env.get("CHAT_SESSION_URL") or None,
            lock_wait=float(env.get("CHAT_LOCK_WAIT") or 120), lock_lease=float(env.get("CHAT_LOCK_LEASE") or 30),
            allow_file_page=env.get("CHAT_ALLOW_FILE_PAGE", "").lower() in ("1", "true", "yes", "on"),
            max_runs=int(env.get("CHAT_MAX_RUNS") or 64), pool_wait=float(env.get("CHAT_POOL_WAIT") or 60),
        )

    def origins(self) -> list[str]:
        """The page's own origins: the standalone page on :8080 and this app's own address."""
        # A page opened from a file (file://…/index.html) sends `Origin: null`. So does a sandboxed
        # iframe on ANY site, so `null` is allowed only when asked for, on your own machine; the
        # usual way is the page this app serves at its own address.
        null = ["null"] if self.allow_file_page else []
        return ["http://localhost:8080", "http://127.0.0.1:8080",
                f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}", *self.extra_origins, *null]


class Conversation(BaseModel):
    conversation_id: str


class Cleared(BaseModel):
    conversation_id: str
    cleared: bool


class Health(BaseModel):
    status: str
    provider: str
    model: str
    active_runs: int
    active_conversations: int


class Decision(BaseModel):
    """A person's decision on a paused tool call."""

    approve: bool


@dataclass
class ChatTurn:
    query: str
    conversation_id: str


@dataclass
class Claim:
    """A conversation a request asked for but does not hold yet. The stream calls `take()` after its
    first event (it may wait for another turn); the dependency that made the claim releases it."""

    take: Callable[[], Awaitable[ActiveConversation]]


def describe_error(exc: BaseException, settings: Settings) -> str:
    """A message for the user. Never the provider's own text: it may quote the key back."""
    if isinstance(exc, openai.AuthenticationError):
        return "The model provider rejected the API key (HTTP 401). Check OPENAI_API_KEY in .env."
    if isinstance(exc, openai.RateLimitError):
        return "The model provider is rate-limiting requests (HTTP 429). Wait a moment and ask again."
    if isinstance(exc, openai.APITimeoutError):
        return f"The model provider did not answer within {settings.timeout:g} seconds."
    if isinstance(exc, openai.APIConnectionError):
        return "Could not reach the model provider (the connection failed or dropped)."
    if isinstance(exc, openai.APIStatusError):
        return f"The model provider answered with HTTP {exc.status_code}."
    if isinstance(exc, ConversationBusy):
        return str(exc)
    if is_pool_timeout(exc):  # the store is up, every connection was in use: busy, not unreachable
        return busy_message(settings.pool_wait)
    if is_store_error(exc):
        return ("The conversation store could not be reached, so this answer was not saved. "
                "Try again in a moment.")
    if isinstance(exc, MaxTurnsExceeded):
        return "The agents took too many turns without reaching an answer."
    if isinstance(exc, AgentsException):
        return f"The agent run failed ({type(exc).__name__})."
    return f"The server hit an unexpected error ({type(exc).__name__})."


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    # Each stream holds at most one connection to the provider at a time. The cap keeps 500 streams
    # (500 client sockets) plus their provider connections under the usual limit of 1024 open
    # files; a request over the cap waits for a free connection, within `timeout`.
    pool = httpx.Limits(max_connections=PROVIDER_CONNECTIONS, max_keepalive_connections=100)
    client = AsyncOpenAI(base_url=settings.base_url, api_key=settings.api_key, timeout=settings.timeout,
                         max_retries=settings.max_retries, http_client=DefaultAsyncHttpxClient(limits=pool))
    # Chat Completions or Responses, as the provider supports (OPENAI_RESPONSES_API in .env).
    model = (OpenAIResponsesModel(model=settings.model, openai_client=client) if settings.responses_api
             else OpenAIChatCompletionsModel(model=settings.model, openai_client=client))
    desk: Agent = build_desk(model)
    # Where conversations live: history, a lock across workers, paused runs (CHAT_SESSION_URL).
    # Its pool has a connection for each run this worker has at once (CHAT_MAX_RUNS).
    store = open_store(settings.session_url, settings.db_path, settings.lock_lease, settings.max_runs,
                       settings.pool_wait)
    conversations = Conversations()  # the conversations in use right now, each with its lock
    # Every streamed piece of a run costs CPU: a thousand runs at once would all crawl and none would
    # finish. Past `max_runs` a run waits for a free place, so answers finish at the rate the worker
    # sustains (the client already has its first event, `agent_updated`, while it waits). 64 was
    # measured against 16 and 32 (the load benchmark, Redis, 2 workers, 1000 clients): fewer places did
    # not bring the first events sooner, and 16 finished the burst later; the CPU is the limit.
    run_places = asyncio.Semaphore(settings.max_runs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await store.close()

    app = FastAPI(title="ITS desk chat (SSE)", version="1.0.0", lifespan=lifespan,
                  description="Streams an Agents SDK run as Server-Sent Events. Events: agent_updated, "
                              "text_delta, tool_started, tool_completed, approval_required, "
                              "approval_resolved, guardrail_rejected, run_completed, error.")
    app.add_middleware(CORSMiddleware, allow_origins=settings.origins(), allow_methods=["GET", "POST", "DELETE"],
                       allow_headers=["Content-Type"], allow_credentials=False)
    app.add_middleware(IgnoreBrokenStreamAfterDisconnect)
    app.state.settings = settings
    app.state.runs = set()  # the tasks of runs still alive: the disconnect test watches them
    app.state.conversations = conversations
    app.state.store = store

    async def chat_turn(response: Response,
                        query: str = Query(description=f"The user's question, 1-{MAX_QUERY_CHARS} characters"),
                        conversation_id: str | None = Query(None, description="Conversation to continue; "
                                                            "else the cookie's; else a new one"),
                        cookie_id: str | None = Cookie(None, alias=COOKIE, include_in_schema=False)) -> ChatTurn:
        # A dependency runs before the stream starts, so bad input gets a real 4xx, not a broken stream.
        # `async def`: it only checks text, so it runs on the event loop, not in a thread of the pool.
        if not query.strip():
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "query must not be empty")
        if len(query) > MAX_QUERY_CHARS:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                f"query is too long ({len(query)} characters; the limit is {MAX_QUERY_CHARS})")
        cid = conversation_id or cookie_id or uuid.uuid4().hex
        if not CONVERSATION_ID.fullmatch(cid):
            raise HTTPException(status.HTTP_400_BAD_REQUEST,
                                "conversation_id must be 8-64 characters: letters, digits, '-' or '_'")
        response.set_cookie(COOKIE, cid, httponly=True, samesite="lax")
        return ChatTurn(query.strip(), cid)

    @asynccontextmanager
    async def hold(conversation_id: str, to_run: bool = False) -> AsyncIterator[ActiveConversation]:
        """One request at a time per conversation: in this worker first, then across workers.
        `to_run`: also a place to run (CHAT_MAX_RUNS), between the two, and kept until the end."""
        async with AsyncExitStack() as held:
            # Both waits share one limit (CHAT_LOCK_WAIT); a refusal is told in the stream, as an event.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + settings.lock_wait
            try:
                async with asyncio.timeout(settings.lock_wait):
                    conversation = await held.enter_async_context(conversations.hold(conversation_id))
            except TimeoutError:  # another request of this worker kept it too long
                conversation = ActiveConversation(refused=str(ConversationBusy.after(settings.lock_wait)))
            else:
                conversation.refused = None
                if to_run:
                    # The place before the store: a burst of requests waits here without a store
                    # query each, and the store is asked only when the run can start. The wait for
                    # a place is not counted against CHAT_LOCK_WAIT.
                    queued = loop.time()
                    await held.enter_async_context(run_places)
                    deadline += loop.time() - queued
                try:
                    wait = max(0.0, deadline - asyncio.get_running_loop().time())
                    await held.enter_async_context(store.lock(conversation_id, wait))
                    conversation.session = store.session(conversation_id)
                except ConversationBusy:  # another worker kept it too long
                    conversation.refused = str(ConversationBusy.after(settings.lock_wait))
                except Exception as exc:  # the store is down
                    conversation.refused = describe_error(exc, settings)
            try:
                yield conversation
            finally:
                conversation.stop_run()  # still running: the client left, or a DELETE came
                await conversation.wait_for_run(settings.timeout)
                if conversation.session is not None:
                    store.close_session(conversation.session)
                log.info("chat %s…: %s", conversation_id[:8], conversation.outcome)

    async def claim_conversation(turn: Annotated[ChatTurn, Depends(chat_turn)]) -> AsyncIterator[Claim]:
        # A dependency with `yield`: FastAPI runs the code after `yield` once the response is over,
        # whether the stream finished or the client went away mid-answer. So the run is stopped, the
        # session closed and the conversation released right then, never later by the garbage
        # collector. The stream takes the conversation itself, after its first event.
        async with AsyncExitStack() as held:
            yield Claim(take=lambda: held.enter_async_context(hold(turn.conversation_id, to_run=True)))

    async def run_and_stream(run_input: str | RunState, conversation: ActiveConversation, conversation_id: str,
                             mapper: StreamEventMapper) -> AsyncIterator[ServerSentEvent]:
        """Run the desk (a new question, or a paused run resumed) and stream it in the contract's events.
        The request already holds the conversation and a place to run (`hold(…, to_run=True)`)."""
        try:
            # Never Runner.run_sync here: it would block the event loop (and raises inside one).
            result = Runner.run_streamed(desk, run_input, session=conversation.session, max_turns=settings.max_turns)
            conversation.run = result
            _track(app, result)
            async for event in result.stream_events():
                payload = mapper.map(event)
                if payload is not None:
                    yield sse(payload)
            if conversation.clearing:  # a DELETE stopped the run
                conversation.outcome = "cleared"
                yield sse(ErrorEvent(message="The conversation was cleared before the answer was complete."))
                return
            if result.interruptions:  # a tool waits for a person: the paused run is kept with the conversation
                await store.save_pending(conversation_id, result.to_state().to_string())
                for item in result.interruptions:
                    yield sse(ApprovalRequired(call_id=item.call_id or "", tool_name=item.name or "tool",
                                               arguments=item.arguments or "{}", conversation_id=conversation_id,
                                               reason=APPROVAL_REASONS.get(item.name or "", "This tool needs "
                                                                           "a person's approval.")))
                conversation.outcome = "waiting for approval"
                return
            yield sse(RunCompleted(final_output=str(result.final_output), conversation_id=conversation_id))
            conversation.outcome = "completed"
        except InputGuardrailTripwireTriggered as exc:  # the guardrail stopped it before any agent answered
            info = exc.guardrail_result.output.output_info
            conversation.outcome = "rejected by the guardrail"
            yield sse(GuardrailRejected(guardrail=exc.guardrail_result.guardrail.get_name(),
                                        category=str(getattr(info, "category", "")),
                                        priority=str(getattr(info, "priority", "")), message=REJECTED))
        except Exception as exc:  # provider, run and store failures end the stream with an `error` event
            conversation.outcome = f"error {type(exc).__name__}"
            log.debug("run failed", exc_info=True)
            yield sse(ErrorEvent(message=describe_error(exc, settings)))

    async def chat_stream(turn: Annotated[ChatTurn, Depends(chat_turn)],
                          claim: Annotated[Claim, Depends(claim_conversation)],
                          ) -> AsyncIterable[ServerSentEvent]:
        """Stream one agent run over SSE. The events and their JSON payloads are listed below."""
        # The first event at once, before any wait: the client knows the desk has its question while
        # the request waits for the conversation (another turn may be running), the store and a free
        # place to run. The SDK's own first agent_updated (the same agent) is then not sent again.
        yield sse(AgentUpdated(agent=desk.name))
        conversation = await claim.take()
        if conversation.refused:  # another request kept the conversation too long, or the store is down
            conversation.outcome = "refused"
            yield sse(ErrorEvent(message=conversation.refused))
            return
        if conversation.clearing:  # a DELETE came while this request waited for its turn
            conversation.outcome = "cleared"
            yield sse(ErrorEvent(message="The conversation was cleared before the answer was complete."))
            return
        try:
            waiting = await store.load_pending(turn.conversation_id)
        except Exception as exc:
            conversation.outcome = f"error {type(exc).__name__}"
            yield sse(ErrorEvent(message=describe_error(exc, settings)))
            return
        if waiting is not None:  # its history ends in a tool call without a result: no new turn yet
            conversation.outcome = "refused: waiting for approval"
            yield sse(ErrorEvent(message="A tool call in this conversation waits for a person's decision: "
                                         "approve or reject it first."))
            return
        mapper = StreamEventMapper(announced=desk.name)
        async for event in run_and_stream(turn.query, conversation, turn.conversation_id, mapper):
            yield event

    stream_doc = {200: {"description": "A `text/event-stream`; each event's `data` is the JSON of its model.",
                        "content": {"text/event-stream": {"itemSchema": openapi_item_schema()}}},
                  400: {"description": "Malformed conversation id"},
                  422: {"description": "Empty or too long query"}}
    for path in ("/api/chat/sse", "/api/query/sse"):  # the seed's code and the seed's goals name both
        app.add_api_route(path, chat_stream, methods=["GET"], response_class=EventSourceResponse,
                          responses=stream_doc, tags=["chat"], summary="Ask the desk; stream the answer",
                          operation_id="chat_sse" if path == "/api/chat/sse" else "query_sse")

    async def hold_for_decision(conversation_id: Annotated[str, PathParam(max_length=200)],
                                ) -> AsyncIterator[ActiveConversation]:
        if not CONVERSATION_ID.fullmatch(conversation_id):
            raise HTTPException(status.HTTP_400_BAD_REQUEST,
                                "conversation_id must be 8-64 characters: letters, digits, '-' or '_'")
        async with hold(conversation_id, to_run=True) as conversation:
            yield conversation

    @app.post("/api/conversations/{conversation_id}/approvals/{call_id}", response_class=EventSourceResponse,
              responses=stream_doc, tags=["conversations"], summary="Approve or reject a paused tool call; "
              "stream the rest of the run")
    async def decide(conversation_id: str, call_id: Annotated[str, PathParam(max_length=200)], decision: Decision,
                     conversation: Annotated[ActiveConversation, Depends(hold_for_decision)],
                     ) -> AsyncIterable[ServerSentEvent]:
        """Resume the paused run stored with the conversation (any worker can: it is in the store)."""
        if conversation.refused:
            conversation.outcome = "refused"
            yield sse(ErrorEvent(message=conversation.refused))
            return
        try:
            saved = await store.load_pending(conversation_id)
            state = await RunState.from_string(desk, saved) if saved else None
            item = next((i for i in state.get_interruptions() if i.call_id == call_id), None) if state else None
            if state is None or item is None:
                conversation.outcome = "refused: nothing to decide"
                yield sse(ErrorEvent(message="Nothing in this conversation waits for a decision under that id."))
                return
            await store.save_pending(conversation_id, None)  # taken: a decision is applied once, never twice
        except Exception as exc:
            conversation.outcome = f"error {type(exc).__name__}"
            yield sse(ErrorEvent(message=describe_error(exc, settings)))
            return
        if decision.approve:
            state.approve(item)
        else:
            state.reject(item)  # the model is told the call was not approved, and answers from that
        yield sse(ApprovalResolved(call_id=call_id, tool_name=item.name or "tool", approved=decision.approve))
        mapper = StreamEventMapper()
        mapper.tool_names[call_id] = item.name or "tool"  # its tool_started was in the paused stream
        async for event in run_and_stream(state, conversation, conversation_id, mapper):
            yield event

    @app.post("/api/conversations", status_code=201, tags=["conversations"])
    def new_conversation(response: Response) -> Conversation:
        """Start a new conversation; its id is returned and set as a cookie."""
        cid = uuid.uuid4().hex
        response.set_cookie(COOKIE, cid, httponly=True, samesite="lax")
        return Conversation(conversation_id=cid)

    @app.delete("/api/conversations/{conversation_id}", tags=["conversations"], responses={400: {}})
    async def clear_conversation(conversation_id: str = PathParam(max_length=200)) -> Cleared:
        """Forget a conversation's history."""
        if not CONVERSATION_ID.fullmatch(conversation_id):
            raise HTTPException(status.HTTP_400_BAD_REQUEST,
                                "conversation_id must be 8-64 characters: letters, digits, '-' or '_'")
        busy = conversations.active.get(conversation_id)
        if busy is not None:  # an answer is streaming (or queued): stop it rather than wait for it
            busy.clearing = True
            busy.stop_run()
        # Then wait for the lock: the stopped run has finished writing, and nothing writes after us.
        async with hold(conversation_id) as conversation:
            conversation.clearing = False
            if conversation.refused:
                raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, conversation.refused)
            await store.clear(conversation_id)  # the history and any paused run
            conversation.outcome = "cleared"
        return Cleared(conversation_id=conversation_id, cleared=True)

    @app.get("/api/health", tags=["meta"])
    def health() -> Health:
        """Which model answers, how many runs are alive and conversations in use (never the key or the URL)."""
        return Health(status="ok", provider=settings.provider, model=settings.model,
                      active_runs=len(app.state.runs), active_conversations=len(conversations.active))

    # The page, last: everything the API routes above do not match.
    app.mount("/", StaticFiles(directory=HERE / "static", html=True), name="static")
    return app


class IgnoreBrokenStreamAfterDisconnect:
    """Keep a normal client disconnect out of the error log (works around a FastAPI bug).

    When an SSE client leaves, FastAPI (0.165) closes the stream its keepalive task writes to
    before it stops that task (fastapi/routing.py, `_sse_producer_cm`). If the task is handing
    over an event at that moment, it raises `anyio.BrokenResourceError`, and uvicorn logs
    "Exception in ASGI application" for a client that merely went away (FastAPI discussion
    #15725). Our own cleanup is not affected: it runs in `hold_conversation` either way.
    This middleware drops that one error, and only once the client is known to be gone.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client_gone = False

        async def receive_and_watch() -> Message:
            nonlocal client_gone
            message = await receive()
            client_gone = client_gone or message["type"] == "http.disconnect"
            return message

        try:
            await self.app(scope, receive_and_watch, send)
        except* anyio.BrokenResourceError:
            if not client_gone:
                raise


def _track(app: FastAPI, result: RunResultStreaming) -> None:
    """Count a run as alive until its background task has really finished."""
    task = result.run_loop_task
    if task is not None and not task.done():
        app.state.runs.add(task)
        task.add_done_callback(app.state.runs.discard)


logging.basicConfig(level=logging.WARNING, format="%(levelname)s:     [%(process)d] %(name)s: %(message)s")
log.setLevel(logging.INFO)  # one line per run; the key and the provider's own messages are never logged
app = create_app()

if __name__ == "__main__":
    import uvicorn

    settings: Settings = app.state.settings
    uvicorn.run(app, host=settings.host, port=settings.port)
