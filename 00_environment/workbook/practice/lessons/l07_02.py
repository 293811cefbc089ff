'''The hands-on projects of the course (seed §2.2) as guided, checked steps:
① one agent with one tool; ② two agents and a triage agent; ③ the `/api/query/sse` endpoint, built
up from a bare `StreamingResponse` (a) to `fastapi.sse` (b), an event mapper (c) and the contract the
page's `EventSource` code relies on (d).'''

from __future__ import annotations

import json

from agents import Agent, FunctionTool, Runner
from agents.items import HandoffOutputItem, ToolCallItem, ToolCallOutputItem
from openai.types.responses import ResponseTextDeltaEvent

from workbook.course_tools import order_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import broken_model, build_agent, call, course_model, mount, sse_frames

PAGE_EVENTS = {"agent_updated", "text_delta", "tool_started", "tool_completed", "run_completed", "error"}

EXERCISES = [
    Exercise(
        id="07_02.1",
        title="① One agent, one tool",
        task="""The course's first project: **1 Agent + 1 Tool, running** (创建 1 个 Agent + 1 个 Tool 并跑通).

1. Write a tool `track_parcel(tracking_no: str) -> dict` with `@function_tool` and a docstring (the
   docstring is the description the model reads). Parcels whose number ends in an even digit are
   `"delivered"`, the others `"in transit"`: return `{"tracking_no": ..., "status": ...}`.
2. Write `build_parcel_agent(model)` returning an agent named `"Parcel desk"` that has the tool.

The check asks about parcels you have not seen, in English and Chinese.""",
        starter='''from agents import Agent, function_tool


def track_parcel(tracking_no: str) -> dict:
    ...


def build_parcel_agent(model) -> Agent:
    ...''',
        solution='''from agents import Agent, function_tool


@function_tool
def track_parcel(tracking_no: str) -> dict:
    """Track a parcel by its tracking number (查询快递): where it is, delivered or in transit."""
    status = "delivered" if int(tracking_no[-1]) % 2 == 0 else "in transit"
    return {"tracking_no": tracking_no, "status": status}


def build_parcel_agent(model) -> Agent:
    return Agent(name="Parcel desk", instructions="You track parcels. Always use track_parcel.",
                 model=model, tools=[track_parcel])''',
        check="await check_parcel_agent(track_parcel, build_parcel_agent)",
        wrong_answers=[
            ("a tool without a docstring", '''from agents import Agent, function_tool


@function_tool
def track_parcel(tracking_no: str) -> dict:
    return {"tracking_no": tracking_no, "status": "delivered" if int(tracking_no[-1]) % 2 == 0 else "in transit"}


def build_parcel_agent(model):
    return Agent(name="Parcel desk", instructions="Use the tool.", model=model, tools=[track_parcel])'''),
            ("the agent has no tools", '''from agents import Agent, function_tool


@function_tool
def track_parcel(tracking_no: str) -> dict:
    """Track a parcel by its tracking number."""
    return {"tracking_no": tracking_no, "status": "delivered" if int(tracking_no[-1]) % 2 == 0 else "in transit"}


def build_parcel_agent(model):
    return Agent(name="Parcel desk", instructions="You track parcels.", model=model)'''),
        ],
    ),
    Exercise(
        id="07_02.2",
        title="② Two specialists and a triage agent",
        task="""The second project: **2 Agents (a division of labour) + 1 Triage (routing)**
(创建 2 个 Agent（分工）+ 1 个 Triage（路由）并跑通).

Write `build_desk(model)` returning a triage agent named `"Front desk"` that hands weather questions
to a weather specialist (`weather_tool`) and order questions to an order specialist (`order_tool`),
and answers anything else (a greeting) itself. Give the specialists `handoff_description`s.

The check asks a weather question, an order question and a greeting, and reads who answered.""",
        starter='''from agents import Agent
from workbook.course_tools import order_tool, weather_tool


def build_desk(model) -> Agent:
    ...''',
        solution='''from agents import Agent
from workbook.course_tools import order_tool, weather_tool


def build_desk(model) -> Agent:
    weather = Agent(name="Weather specialist", model=model, tools=[weather_tool],
                    handoff_description="Answers weather questions for a city (天气).",
                    instructions="Answer weather questions with get_weather.")
    orders = Agent(name="Order specialist", model=model, tools=[order_tool],
                   handoff_description="Answers order status and delivery questions (订单).",
                   instructions="Answer order questions with query_order.")
    return Agent(name="Front desk", model=model, handoffs=[weather, orders],
                 instructions="Route weather and order questions to the specialists; greet customers yourself.")''',
        check="await check_desk(build_desk)",
        wrong_answers=[
            ("the order specialist is not in the handoffs", '''from agents import Agent
from workbook.course_tools import order_tool, weather_tool


def build_desk(model):
    weather = Agent(name="Weather specialist", model=model, tools=[weather_tool],
                    handoff_description="Answers weather questions for a city.", instructions="Use get_weather.")
    return Agent(name="Front desk", model=model, handoffs=[weather], instructions="Route questions.")'''),
        ],
    ),
    Exercise(
        id="07_02.3",
        title="③a A minimal SSE endpoint with StreamingResponse",
        task="""The third project: **a backend `/api/query/sse`** (接入一个后端 `/api/query/sse`（SSE）), built
in four steps. Step a is SSE by hand, as the seed does it.

An SSE body is text: each event is one or more `field: value` lines ended by a **blank line**. Write
`build_router(agent)` returning a FastAPI `APIRouter` with `GET /api/query/sse?query=...` that runs
`Runner.run_streamed(agent, query)` and returns a `StreamingResponse(..., media_type="text/event-stream")`
whose generator yields, for each text delta, `data: {"text": "<delta>"}` (JSON) and, at the end, an
event named `done`: `event: done` + `data: {"final_output": "..."}`.

The check mounts your router in an app, calls it in-process with an agent and questions of its own,
and parses the frames.""",
        starter='''import json

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from openai.types.responses import ResponseTextDeltaEvent

from agents import Runner


def build_router(agent) -> APIRouter:
    router = APIRouter()

    @router.get("/api/query/sse")
    async def query_sse(query: str):
        ...

    return router''',
        solution='''import json

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from openai.types.responses import ResponseTextDeltaEvent

from agents import Runner


def build_router(agent) -> APIRouter:
    router = APIRouter()

    @router.get("/api/query/sse")
    async def query_sse(query: str):
        async def frames():
            result = Runner.run_streamed(agent, query)
            async for event in result.stream_events():
                if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
                    yield f"data: {json.dumps({'text': event.data.delta})}\\n\\n"   # the blank line ends the event
            yield f"event: done\\ndata: {json.dumps({'final_output': result.final_output})}\\n\\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    return router''',
        check="await check_streaming_response(build_router)",
        wrong_answers=[
            ("no blank line between events", '''import json

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
                    yield f"data: {json.dumps({'text': event.data.delta})}\\n"
            yield f"event: done\\ndata: {json.dumps({'final_output': result.final_output})}\\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    return router'''),
            ("the whole answer at once, not streamed", '''import json

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from agents import Runner


def build_router(agent):
    router = APIRouter()

    @router.get("/api/query/sse")
    async def query_sse(query: str):
        result = await Runner.run(agent, query)

        async def frames():
            yield f"data: {json.dumps({'text': result.final_output})}\\n\\n"
            yield f"event: done\\ndata: {json.dumps({'final_output': result.final_output})}\\n\\n"

        return StreamingResponse(frames(), media_type="text/event-stream")

    return router'''),
        ],
    ),
    Exercise(
        id="07_02.4",
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
        id="07_02.5",
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
        id="07_02.6",
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


# --- ① and ② ----------------------------------------------------------------------------------

@check("07_02.1")
async def check_parcel_agent(track_parcel, build_parcel_agent):
    expect(isinstance(track_parcel, FunctionTool), "track_parcel is a tool (FunctionTool)",
           type(track_parcel).__name__, "put @function_tool on the line above def track_parcel")
    expect(track_parcel.description.strip(), "a description the model can read", repr(track_parcel.description),
           "write a docstring: @function_tool makes it the tool's description")
    agent = await build_agent("build_parcel_agent(model)", build_parcel_agent, course_model())
    expect(agent.name == "Parcel desk", "an agent named 'Parcel desk'", repr(agent.name), 'name="Parcel desk"')
    for question, number, status in (("Where is my parcel SF7654322?", "SF7654322", "delivered"),
                                      ("快递 YT1234567 到哪了？", "YT1234567", "in transit")):
        result = await Runner.run(agent, question)
        calls = [(i.tool_name, json.loads(i.raw_item.arguments)) for i in result.new_items
                 if isinstance(i, ToolCallItem)]
        expect(("track_parcel", {"tracking_no": number}) in calls, f"for {question!r}: track_parcel({number!r})",
               str(calls) or "no tool call", "give the agent tools=[track_parcel]")
        outputs = [i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)]
        expect(outputs and isinstance(outputs[0], dict) and outputs[0].get("status") == status,
               f"for {number}: status {status!r}", short(outputs[0] if outputs else None),
               "even last digit: delivered, odd: in transit; return a dict")
    return f"Parcel desk called track_parcel and answered: {result.final_output}"


@check("07_02.2")
async def check_desk(build_desk):
    desk = await build_agent("build_desk(model)", build_desk, course_model())
    answered = {}
    for question, tool in (("What's the weather in Guilin?", "get_weather"),
                           ("Where is my order A1001?", "query_order"), ("Hi, who are you?", None)):
        result = await Runner.run(desk, question)
        handoffs = [i.target_agent.name for i in result.new_items if isinstance(i, HandoffOutputItem)]
        called = [i.tool_name for i in result.new_items if isinstance(i, ToolCallItem)]
        if tool is None:
            expect(not handoffs and result.last_agent is desk, f"for {question!r}: the front desk answers itself",
                   f"handed off to {handoffs}", "a greeting needs no specialist")
            continue
        expect(len(handoffs) == 1 and tool in called, f"for {question!r}: one handoff, then {tool}",
               f"handoffs {handoffs}, tools {called}" if handoffs or called else
               f"the front desk answered itself: {short(result.final_output, 60)}",
               f"put a specialist with {tool} in handoffs=[...], with a handoff_description")
        answered[tool] = result.last_agent.name
    expect(len(set(answered.values())) == 2, "two different specialists", str(answered), "one per area")
    return "routed: " + ", ".join(f"{tool} → {name}" for tool, name in answered.items()) + "; greeted itself"


# --- ③ the endpoint ------------------------------------------------------------------------------

def _answer_agent():
    return Agent(name="ITS desk", instructions="You are the ITS customer-service desk. Use the tools.",
                 model=course_model(), tools=[weather_tool, order_tool])


async def _stream(router, query: str):
    import httpx

    app = mount(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as client:
        response = await client.get("/api/query/sse", params={"query": query})
    return response, app


@check("07_02.3")
async def check_streaming_response(build_router):
    agent = _answer_agent()
    router = await call("build_router(agent)", build_router, agent)
    for query in ("What is the weather in Dalian?", "Do you sell gift cards?"):
        expected = (await Runner.run(agent, query)).final_output
        response, _ = await _stream(router, query)
        expect(response.status_code == 200, f"200 for {query!r}", f"{response.status_code} {response.text[:100]}",
               "return StreamingResponse(generator(), media_type='text/event-stream')")
        expect(response.headers.get("content-type", "").startswith("text/event-stream"),
               "content-type text/event-stream", response.headers.get("content-type", ""),
               'media_type="text/event-stream": EventSource refuses anything else')
        frames = sse_frames(response.text)
        deltas = [data.get("text", "") for name, data in frames if name == "message" and isinstance(data, dict)]
        done = [data for name, data in frames if name == "done"]
        expect(done and isinstance(done[-1], dict) and frames[-1][0] == "done",
               "a last event `event: done` with JSON data", short(response.text[-160:]),
               "each event ends with a blank line: yield 'data: ...\\n\\n'" if "\n\n" not in response.text else
               "end with 'event: done\\ndata: {\"final_output\": ...}\\n\\n'")
        expect(len(deltas) > 1 and "".join(deltas) == expected,
               f"the answer in several data frames that join to {short(expected, 80)}",
               f"{len(deltas)} frame(s): {short(''.join(deltas), 80)}",
               "stream it: Runner.run_streamed, and one frame per ResponseTextDeltaEvent")
        expect(done[-1].get("final_output") == expected, "done carries final_output", short(done[-1]),
               'data: {"final_output": result.final_output}')
    return f"{len(deltas)} text frames then done, by hand, for 2 questions"


@check("07_02.4")
async def check_fastapi_sse(build_router):
    agent = _answer_agent()
    router = await call("build_router(agent)", build_router, agent)
    query = "Where is order A1003?"
    expected = (await Runner.run(agent, query)).final_output
    response, app = await _stream(router, query)
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


@check("07_02.5")
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


@check("07_02.6")
async def check_page_contract(build_router):
    from workbook.practice.lessons import l07_02 as reference

    mapper = _reference_mapper(reference)
    good = _answer_agent()
    router = await call("build_router(agent, to_sse)", build_router, good, mapper)
    response, _ = await _stream(router, "What is the weather in Lhasa?")
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
        response, _ = await _stream(router, "Hello?")
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


def _reference_mapper(module):
    """The mapper of ③c's solution, so that ③d checks the endpoint alone."""
    namespace: dict = {}
    exec(module.EXERCISES[4].solution, namespace)  # noqa: S102 - our own solution code
    return namespace["to_sse"]
