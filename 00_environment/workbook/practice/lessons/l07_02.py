"""The hands-on projects of the course (seed §2.2) as guided, checked steps: ① one agent with one
tool; ② two agents and a triage agent; ③a a minimal `/api/query/sse` endpoint with `StreamingResponse`.
Steps ③b-d (`fastapi.sse`, the event mapper, the page's contract) are in 07_03."""

from __future__ import annotations

import json

from agents import Agent, FunctionTool, Runner
from agents.items import HandoffOutputItem, ToolCallItem, ToolCallOutputItem

from workbook.course_tools import order_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import build_agent, call, course_model, mount, sse_frames

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

def answer_agent():
    return Agent(name="ITS desk", instructions="You are the ITS customer-service desk. Use the tools.",
                 model=course_model(), tools=[weather_tool, order_tool])


async def stream_from(router, query: str):
    import httpx

    app = mount(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as client:
        response = await client.get("/api/query/sse", params={"query": query})
    return response, app


@check("07_02.3")
async def check_streaming_response(build_router):
    agent = answer_agent()
    router = await call("build_router(agent)", build_router, agent)
    for query in ("What is the weather in Dalian?", "Do you sell gift cards?"):
        expected = (await Runner.run(agent, query)).final_output
        response, _ = await stream_from(router, query)
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
