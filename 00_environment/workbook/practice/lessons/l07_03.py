"""The hands-on project ③ continued (seed §2.2): `/api/query/sse` with `fastapi.sse`, the event mapper,
and the contract the page's `EventSource` code relies on. Step ③a is in 07_02."""

from __future__ import annotations

import json

from agents import Agent, Runner
from openai.types.responses import ResponseTextDeltaEvent

from workbook.course_tools import order_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import broken_model, call, course_model, sse_frames
from workbook.practice.lessons.l07_02 import answer_agent, stream_from

PAGE_EVENTS = {"agent_updated", "text_delta", "tool_started", "tool_completed", "run_completed", "error"}

EXERCISES = [
    Exercise(
        id="07_03.1",
        title="③b The same endpoint with fastapi.sse",
        task="""FastAPI 0.165 has SSE built in (`fastapi.sse`): declare `response_class=EventSourceResponse` on
a path operation that **yields** `ServerSentEvent(event=..., data=...)`; FastAPI writes the frames
(`data` is JSON-encoded for you), sends keep-alive pings and documents the stream on the OpenAPI page.

Write `build_router(agent)` again with `GET /api/query/sse?query=...`, now with `fastapi.sse`, and the
event names of the course's contract: `text_delta` with data `{"text": ...}` per delta, then
`run_completed` with data `{"final_output": ...}`.""",
        starter='''from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent
from openai.types.responses import ResponseTextDeltaEvent

from agents import Runner


def build_router(agent) -> APIRouter:
    router = APIRouter()
    ...
    return router''',
        solution='''from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent
from openai.types.responses import ResponseTextDeltaEvent

from agents import Runner


def build_router(agent) -> APIRouter:
    router = APIRouter()

    @router.get("/api/query/sse", response_class=EventSourceResponse)
    async def query_sse(query: str):
        result = Runner.run_streamed(agent, query)
        async for event in result.stream_events():
            if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
                yield ServerSentEvent(event="text_delta", data={"text": event.data.delta})
        yield ServerSentEvent(event="run_completed", data={"final_output": result.final_output})

    return router''',
        check="await check_fastapi_sse(build_router)",
        wrong_answers=[
            ("still a hand-made StreamingResponse", '''import json

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from openai.types.responses import ResponseTextDeltaEvent

from agents import Runner


def build_router(agent):
    router = APIRouter()

    @router.get("/api/query/sse")
    async def query_sse(query: str):
        async def frames():
            result = Runner.run_streamed(agent, query)
            async for event in result.stream_events():
                if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
                    yield f"event: text_delta\\ndata: {json.dumps({'text': event.data.delta})}\\n\\n"
            yield f"event: run_completed\\ndata: {json.dumps({'final_output': result.final_output})}\\n\\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    return router'''),
        ],
    ),
    Exercise(
        id="07_03.2",
        title="③c The event mapper",
        task="""The page wants more than text: which agent is answering, and tool activity. Write
`to_sse(event, tool_names)` that maps one SDK stream event to one `ServerSentEvent` of the contract,
or `None` for events the page does not need:

| SDK event | SSE event | data |
|---|---|---|
| `agent_updated_stream_event` | `agent_updated` | `{"agent": name}` |
| raw `ResponseTextDeltaEvent` | `text_delta` | `{"text": delta}` |
| run item `tool_called` | `tool_started` | `{"tool_name": ..., "call_id": ...}` |
| run item `tool_output` | `tool_completed` | `{"tool_name": ..., "tool_result": <output as text>}` |

`tool_names` is a dict kept for one run: a tool output has no tool name (the seed got this wrong),
so remember `call_id → tool_name` at `tool_called` and look it up at `tool_output`. Output as text:
a string as it is, anything else as JSON (`json.dumps(output, ensure_ascii=False)`).

The check feeds your mapper every event of real streamed runs with a handoff and tools.""",
        starter='''import json

from fastapi.sse import ServerSentEvent
from openai.types.responses import ResponseTextDeltaEvent


def to_sse(event, tool_names: dict) -> ServerSentEvent | None:
    if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
        return ServerSentEvent(event="text_delta", data={"text": event.data.delta})
    ...
    return None''',
        solution='''import json

from fastapi.sse import ServerSentEvent
from openai.types.responses import ResponseTextDeltaEvent


def to_sse(event, tool_names: dict) -> ServerSentEvent | None:
    if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
        return ServerSentEvent(event="text_delta", data={"text": event.data.delta})
    if event.type == "agent_updated_stream_event":
        return ServerSentEvent(event="agent_updated", data={"agent": event.new_agent.name})
    if event.type == "run_item_stream_event" and event.name == "tool_called":
        tool_names[event.item.call_id] = event.item.tool_name
        return ServerSentEvent(event="tool_started",
                               data={"tool_name": event.item.tool_name, "call_id": event.item.call_id})
    if event.type == "run_item_stream_event" and event.name == "tool_output":
        output = event.item.output
        text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
        return ServerSentEvent(event="tool_completed",
                               data={"tool_name": tool_names[event.item.call_id], "tool_result": text})
    return None''',
        check="await check_mapper(to_sse)",
        wrong_answers=[
            ("the seed's mapping: a tool name read from the output item", '''import json

from fastapi.sse import ServerSentEvent
from openai.types.responses import ResponseTextDeltaEvent


def to_sse(event, tool_names):
    if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
        return ServerSentEvent(event="text_delta", data={"text": event.data.delta})
    if event.type == "agent_updated_stream_event":
        return ServerSentEvent(event="agent_updated", data={"agent": event.new_agent.name})
    if event.type == "run_item_stream_event" and event.name == "tool_called":
        return ServerSentEvent(event="tool_started",
                               data={"tool_name": event.item.tool_name, "call_id": event.item.call_id})
    if event.type == "run_item_stream_event" and event.name == "tool_output":
        return ServerSentEvent(event="tool_completed",
                               data={"tool_name": event.item.raw_item["name"], "tool_result": str(event.item.output)})
    return None'''),
            ("drops the agent updates", '''import json

from fastapi.sse import ServerSentEvent
from openai.types.responses import ResponseTextDeltaEvent


def to_sse(event, tool_names):
    if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
        return ServerSentEvent(event="text_delta", data={"text": event.data.delta})
    if event.type == "run_item_stream_event" and event.name == "tool_called":
        tool_names[event.item.call_id] = event.item.tool_name
        return ServerSentEvent(event="tool_started",
                               data={"tool_name": event.item.tool_name, "call_id": event.item.call_id})
    if event.type == "run_item_stream_event" and event.name == "tool_output":
        return ServerSentEvent(event="tool_completed", data={"tool_name": tool_names[event.item.call_id],
                                                             "tool_result": json.dumps(event.item.output)})
    return None'''),
        ],
    ),
    Exercise(
        id="07_03.3",
        title="③d The contract the page's EventSource relies on",
        task="""Read the page's JavaScript in the section above ("③d: the page's `EventSource`, step by
step"). It relies on three promises from the server, and this step keeps them:

1. every event has a name the page listens for, and JSON data;
2. a successful run **ends** with `run_completed` `{"final_output": ...}`, after which the page
   calls `source.close()`;
3. a failed run (the provider is down, a key is wrong) ends with an `error` event
   `{"message": ...}` written by you, not the exception's text (it may hold a URL or a key), and
   never with a broken connection: `EventSource` would treat that as a network error and
   **reconnect, asking the same question again**.

Write `build_router(agent, to_sse)` with `GET /api/query/sse?query=...` using `fastapi.sse` and the
mapper it is given (`to_sse(event, tool_names)`, as in ③c). The check calls it with a working agent,
and with an agent whose provider is down.""",
        starter='''from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent

from agents import Runner


def build_router(agent, to_sse) -> APIRouter:
    router = APIRouter()

    @router.get("/api/query/sse", response_class=EventSourceResponse)
    async def query_sse(query: str):
        result = Runner.run_streamed(agent, query)
        tool_names = {}
        async for event in result.stream_events():
            frame = to_sse(event, tool_names)
            if frame is not None:
                yield frame

    return router''',
        solution='''import logging

from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent

from agents import Runner

log = logging.getLogger("query_sse")


def build_router(agent, to_sse) -> APIRouter:
    router = APIRouter()

    @router.get("/api/query/sse", response_class=EventSourceResponse)
    async def query_sse(query: str):
        result = Runner.run_streamed(agent, query)
        tool_names = {}
        try:
            async for event in result.stream_events():
                frame = to_sse(event, tool_names)
                if frame is not None:
                    yield frame
        except Exception as error:  # the stream has started: report the failure as an event
            log.warning("run failed: %s", type(error).__name__)   # the details go to the server log
            yield ServerSentEvent(event="error", data={"message": "The model could not answer. Try again later."})
            return
        finally:
            result.cancel()   # a client that left, or an error: stop the run's task
        yield ServerSentEvent(event="run_completed", data={"final_output": result.final_output})

    return router''',
        check="await check_page_contract(build_router)",
        wrong_answers=[
            ("no error event: a failure breaks the stream", '''from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent

from agents import Runner


def build_router(agent, to_sse):
    router = APIRouter()

    @router.get("/api/query/sse", response_class=EventSourceResponse)
    async def query_sse(query: str):
        result = Runner.run_streamed(agent, query)
        tool_names = {}
        async for event in result.stream_events():
            frame = to_sse(event, tool_names)
            if frame is not None:
                yield frame
        yield ServerSentEvent(event="run_completed", data={"final_output": result.final_output})

    return router'''),
            ("the exception's own text sent to the browser", '''from fastapi import APIRouter
from fastapi.sse import EventSourceResponse, ServerSentEvent

from agents import Runner


def build_router(agent, to_sse):
    router = APIRouter()

    @router.get("/api/query/sse", response_class=EventSourceResponse)
    async def query_sse(query: str):
        result = Runner.run_streamed(agent, query)
        tool_names = {}
        try:
            async for event in result.stream_events():
                frame = to_sse(event, tool_names)
                if frame is not None:
                    yield frame
        except Exception as error:
            yield ServerSentEvent(event="error", data={"message": repr(error.__cause__ or error)})
            return
        yield ServerSentEvent(event="run_completed", data={"final_output": result.final_output})

    return router'''),
        ],
    ),
]


@check("07_03.1")
async def check_fastapi_sse(build_router):
    agent = answer_agent()
    router = await call("build_router(agent)", build_router, agent)
    query = "Where is order A1003?"
    expected = (await Runner.run(agent, query)).final_output
    response, app = await stream_from(router, query)
    expect(response.status_code == 200, "200", f"{response.status_code} {response.text[:100]}",
           "@router.get('/api/query/sse', response_class=EventSourceResponse) on an async generator")
    frames = sse_frames(response.text)
    names = [name for name, _ in frames]
    expect(frames and names[-1] == "run_completed" and set(names) == {"text_delta", "run_completed"},
           "text_delta events, then run_completed", short(names, 160),
           'yield ServerSentEvent(event="text_delta", data={"text": ...}), then event="run_completed"')
    text = "".join(data.get("text", "") for name, data in frames if name == "text_delta")
    expect(text == expected and frames[-1][1] == {"final_output": expected},
           f"text_delta texts and run_completed both give {short(expected, 80)}",
           f"{short(text, 60)} / {short(frames[-1][1], 60)}", "data is JSON-encoded by FastAPI: pass a dict")
    content = app.openapi()["paths"]["/api/query/sse"]["get"]["responses"]["200"]["content"]
    expect("text/event-stream" in content, "the OpenAPI page documents a text/event-stream response",
           f"documented as {sorted(content)}",
           "response_class=EventSourceResponse and yield ServerSentEvent: FastAPI writes the frames and the docs")
    return f"fastapi.sse streamed {names.count('text_delta')} text_delta events and run_completed, documented"


def _desk_for_mapper():
    model = course_model()
    weather = Agent(name="Weather specialist", model=model, tools=[weather_tool],
                    handoff_description="Answers weather questions for a city.", instructions="Use get_weather.")
    return Agent(name="Front desk", model=model, tools=[order_tool], handoffs=[weather],
                 instructions="Answer order questions with the tools; hand weather questions to the specialist.")


def _expected_frame(event, names: dict):
    if event.type == "raw_response_event":
        return ("text_delta", {"text": event.data.delta}) if isinstance(event.data, ResponseTextDeltaEvent) else None
    if event.type == "agent_updated_stream_event":
        return ("agent_updated", {"agent": event.new_agent.name})
    if event.name == "tool_called":
        names[event.item.call_id] = event.item.tool_name
        return ("tool_started", {"tool_name": event.item.tool_name, "call_id": event.item.call_id})
    if event.name == "tool_output":
        output = event.item.output
        return ("tool_completed", {"tool_name": names[event.item.call_id],
                                   "tool_result": output if isinstance(output, str) else
                                   json.dumps(output, ensure_ascii=False)})
    return None


def _as_pair(frame):
    if frame is None:
        return None
    data = frame.data
    if hasattr(data, "model_dump"):
        data = data.model_dump()
    return (frame.event, data)


@check("07_03.2")
async def check_mapper(to_sse):
    desk = _desk_for_mapper()
    for query in ("Is it windy in Qingdao?", "Status of order A1002 and order A1004?"):
        result = Runner.run_streamed(desk, query)
        mine, theirs = {}, {}
        try:
            async for event in result.stream_events():
                want = _expected_frame(event, mine)
                got = _as_pair(await call(f"to_sse(<{getattr(event, 'name', event.type)}>, tool_names)", to_sse,
                                          event, theirs,
                                          hint="a tool output has no name: look it up in tool_names by call_id"))
                what = f"{event.type} {event.name}" if event.type == "run_item_stream_event" else (
                    event.data.type if event.type == "raw_response_event" else event.type)
                expect(got == want, f"for {what}: {short(want) if want else 'None (not in the contract)'}",
                       short(got), "every agent_updated_stream_event becomes agent_updated {agent}"
                       if want and want[0] == "agent_updated" else
                       "remember tool_names[call_id] at tool_called; dicts as json.dumps(..., ensure_ascii=False)"
                       if want and want[0].startswith("tool_") else
                       "return None for events that are not part of the contract")
        finally:
            async for _ in result.stream_events():
                pass
    return "the mapper turned every event of 2 runs (a handoff, tools) into the contract"


@check("07_03.3")
async def check_page_contract(build_router):
    mapper = _reference_mapper()
    good = answer_agent()
    router = await call("build_router(agent, to_sse)", build_router, good, mapper)
    response, _ = await stream_from(router, "What is the weather in Lhasa?")
    frames = sse_frames(response.text)
    names = [name for name, _ in frames]
    strangers = sorted(set(names) - PAGE_EVENTS)
    expect(not strangers, f"only events the page listens for: {sorted(PAGE_EVENTS)}", str(strangers),
           "name every ServerSentEvent with event=... from the contract")
    expect(all(isinstance(data, dict) for _, data in frames), "JSON object data in every event",
           short([d for _, d in frames if not isinstance(d, dict)][:2]), "data={...}: FastAPI encodes it as JSON")
    text = "".join(d.get("text", "") for n, d in frames if n == "text_delta")
    expect(names and names[-1] == "run_completed" and frames[-1][1].get("final_output") == text,
           "the last event is run_completed with the final output", short(names[-3:]),
           "after the loop: yield ServerSentEvent(event='run_completed', data={'final_output': result.final_output})")
    down = Agent(name="ITS desk", instructions="You are the ITS desk.", model=broken_model())
    router = await call("build_router(agent, to_sse)", build_router, down, mapper)
    try:
        response, _ = await stream_from(router, "Hello?")
    except Exception as error:  # the stream broke instead of ending with an event
        expect(False, "with the provider down: a stream that ends with an `error` event",
               f"the stream broke: {type(error).__name__}",
               "wrap the loop in try/except and yield ServerSentEvent(event='error', data={'message': ...}); "
               "a broken stream makes EventSource reconnect and ask again")
    frames = sse_frames(response.text)
    expect(frames and frames[-1][0] == "error" and isinstance(frames[-1][1], dict) and frames[-1][1].get("message"),
           "with the provider down: the last event is error {message}", short([n for n, _ in frames]),
           "except Exception: yield ServerSentEvent(event='error', data={'message': 'The model could not answer.'})")
    message = frames[-1][1]["message"]
    leaks = [word for word in ("http://", "127.0.0.1", "Error(", "Traceback", "api_key") if word in message]
    expect(not leaks, "a message written by you, without the exception's details", short(message),
           "log the exception on the server; send the user a plain sentence")
    return f"{len(names)} events ending in run_completed; with the provider down: error {message!r}"


def _reference_mapper():
    """The mapper of ③c's solution, so that ③d checks the endpoint alone."""
    namespace: dict = {}
    exec(EXERCISES[1].solution, namespace)  # noqa: S102 - our own solution code
    return namespace["to_sse"]
