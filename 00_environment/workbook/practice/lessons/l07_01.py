"""Exercises for 07_01 (the SSE chat project): input checked before the stream starts, and one
session per conversation."""

from __future__ import annotations

import httpx
from agents import Agent

from workbook.course_tools import order_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_model, mount

EXERCISES = [
    Exercise(
        id="07_01.1",
        title="Bad input is a 4xx before any stream starts",
        task="""Once an SSE endpoint yields, `200 OK` has been sent: errors can only be events. Input is
therefore checked in a **dependency**, which FastAPI runs before the response starts. Write
`checked_query(query: str) -> str` for use as `Depends(checked_query)`: it returns the query with
surrounding spaces removed, and raises `HTTPException(status_code=422, detail=...)` when the query is
empty or only spaces, or longer than 2000 characters (after stripping).

The check mounts your dependency on an endpoint of its own and sends good and bad queries.""",
        starter='''from fastapi import HTTPException, Query


def checked_query(query: str = Query()) -> str:
    return query''',
        solution='''from fastapi import HTTPException, Query

MAX_QUERY = 2000


def checked_query(query: str = Query()) -> str:
    query = query.strip()
    if not query:
        raise HTTPException(status_code=422, detail="query is empty")
    if len(query) > MAX_QUERY:
        raise HTTPException(status_code=422, detail=f"query is longer than {MAX_QUERY} characters")
    return query''',
        check="await check_checked_query(checked_query)",
        wrong_answers=[
            ("an empty check that lets spaces through", '''from fastapi import HTTPException, Query


def checked_query(query: str = Query()) -> str:
    if query == "" or len(query) > 2000:
        raise HTTPException(status_code=422, detail="bad query")
    return query'''),
        ],
    ),
    Exercise(
        id="07_01.2",
        title="One session per conversation",
        task="""Write `build_router(agent)` returning an `APIRouter` with `GET /api/ask?query=...&conversation_id=...`
that answers `{"answer": final_output}` and remembers each conversation: the runs of one
`conversation_id` share one `SQLiteSession`, other ids have their own. Careful: an `SQLiteSession`
with no `db_path` lives in memory **of that object**; a new object per request starts empty. Keep
one object per conversation id (a dict), or give every session the same database file.

The check asks follow-up questions in two conversations and reads the answers.""",
        starter='''from fastapi import APIRouter

from agents import Runner, SQLiteSession


def build_router(agent) -> APIRouter:
    router = APIRouter()

    @router.get("/api/ask")
    async def ask(query: str, conversation_id: str) -> dict:
        result = await Runner.run(agent, query)
        return {"answer": result.final_output}

    return router''',
        solution='''from fastapi import APIRouter

from agents import Runner, SQLiteSession


def build_router(agent) -> APIRouter:
    router = APIRouter()
    sessions: dict[str, SQLiteSession] = {}   # one session per conversation id

    @router.get("/api/ask")
    async def ask(query: str, conversation_id: str) -> dict:
        session = sessions.setdefault(conversation_id, SQLiteSession(conversation_id))
        result = await Runner.run(agent, query, session=session)
        return {"answer": result.final_output}

    return router''',
        check="await check_conversations(build_router)",
        wrong_answers=[
            ("a new in-memory session per request", '''from fastapi import APIRouter

from agents import Runner, SQLiteSession


def build_router(agent):
    router = APIRouter()

    @router.get("/api/ask")
    async def ask(query: str, conversation_id: str) -> dict:
        result = await Runner.run(agent, query, session=SQLiteSession(conversation_id))
        return {"answer": result.final_output}

    return router'''),
            ("one session shared by every conversation", '''from fastapi import APIRouter

from agents import Runner, SQLiteSession


def build_router(agent):
    router = APIRouter()
    session = SQLiteSession("chat")

    @router.get("/api/ask")
    async def ask(query: str, conversation_id: str) -> dict:
        result = await Runner.run(agent, query, session=session)
        return {"answer": result.final_output}

    return router'''),
        ],
    ),
]


@check("07_01.1")
async def check_checked_query(checked_query):
    from fastapi import Depends, FastAPI

    app = FastAPI()

    @app.get("/echo")
    async def echo(query: str = Depends(checked_query)) -> dict:  # noqa: B008 - FastAPI's way
        return {"query": query}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for query, status, value in (("\t  \n", 422, None), ("  退货政策是什么？ ", 200, "退货政策是什么？"), ("", 422, None),
                                     ("a" * 2001, 422, None), (" " + "b" * 2000 + " ", 200, "b" * 2000)):
            response = await client.get("/echo", params={"query": query})
            shown = short(query, 30)
            expect(response.status_code == status, f"{status} for the query {shown}",
                   f"{response.status_code} {short(response.text, 80)}",
                   "strip first, then raise HTTPException(status_code=422, ...) for empty or over 2000 characters")
            if value is not None:
                expect(response.json() == {"query": value}, f"the query stripped: {short(value, 30)}",
                       short(response.json(), 60), "return query.strip()")
    return "blank and over-long queries got 422 before any stream; good ones came through stripped"


@check("07_01.2")
async def check_conversations(build_router):
    agent = Agent(name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=course_model(),
                  tools=[weather_tool, order_tool])
    router = await call("build_router(agent)", build_router, agent)
    transport = httpx.ASGITransport(app=mount(router))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as client:
        async def ask(query: str, conversation: str) -> str:
            response = await client.get("/api/ask", params={"query": query, "conversation_id": conversation})
            expect(response.status_code == 200, "200 from GET /api/ask", f"{response.status_code} {response.text[:80]}",
                   "@router.get('/api/ask') with query and conversation_id parameters")
            return str(response.json().get("answer"))

        await ask("Is order A1004 on its way?", "conv-alice-1")
        await ask("What is the weather in Suzhou?", "conv-bob-2")
        alice = await ask("What did I just ask?", "conv-alice-1")
        bob = await ask("What did I just ask?", "conv-bob-2")
    expect("A1004" in alice, "conversation 1 remembers its question about A1004", short(alice),
           "the same SQLiteSession object (or the same db file) for every run of one conversation_id")
    expect("Suzhou" in bob and "A1004" not in bob, "conversation 2 remembers only its own question (Suzhou)",
           short(bob), "one session per conversation_id, not one for everybody")
    return "each conversation remembered its own history"
