"""Exercises for 05_04 (conversations): a chat loop on a session, then undoing the last turn."""

from __future__ import annotations

from agents import Agent, Runner, SQLiteSession

from workbook.course_tools import order_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_model

EXERCISES = [
    Exercise(
        id="05_04.1",
        title="A chat that remembers",
        task="""Write `async def chat(agent, session, questions)` that asks `agent` each question of the list
in turn, **in the same conversation** (会话), and returns the list of answers (`final_output`s). The
`session` (an `SQLiteSession`) is what carries the history from one run to the next.

The check gives you an agent, an in-memory session and questions of its own, the last of which asks
about an earlier one.""",
        starter='''from agents import Runner


async def chat(agent, session, questions: list[str]) -> list[str]:
    answers = []
    ...
    return answers''',
        solution='''from agents import Runner


async def chat(agent, session, questions: list[str]) -> list[str]:
    answers = []
    for question in questions:
        result = await Runner.run(agent, question, session=session)
        answers.append(result.final_output)
    return answers''',
        check="await check_chat(chat)",
        wrong_answers=[
            ("runs without the session", '''from agents import Runner


async def chat(agent, session, questions):
    return [(await Runner.run(agent, question)).final_output for question in questions]'''),
        ],
    ),
    Exercise(
        id="05_04.2",
        title="Undo the last turn",
        task="""A "regenerate" button removes the last turn before asking again. Write
`async def undo_last_turn(session)` that removes the newest turn from the session: every item back
to and including the newest **user** message (a turn with a tool call is four items: the user
message, the `function_call`, its `function_call_output`, the assistant `message`). Return how many
items were removed. Use `await session.pop_item()`; user items have a `role` of `"user"` and no
`type` key.

The check builds a session with two turns, the second one with a tool call.""",
        starter='''async def undo_last_turn(session) -> int:
    removed = 0
    ...
    return removed''',
        solution='''async def undo_last_turn(session) -> int:
    removed = 0
    while True:
        item = await session.pop_item()
        if item is None:          # the session is empty
            return removed
        removed += 1
        if item.get("role") == "user":
            return removed''',
        check="await check_undo_last_turn(undo_last_turn)",
        wrong_answers=[
            ("pops only the newest item", '''async def undo_last_turn(session):
    await session.pop_item()
    return 1'''),
        ],
    ),
]


def _agent() -> Agent:
    return Agent(name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=course_model(),
                 tools=[weather_tool, order_tool])


@check("05_04.1")
async def check_chat(chat):
    session = SQLiteSession("practice-chat")  # in memory: gone when the check ends
    questions = ["Is order A1002 on its way?", "Thanks. What did I just ask?"]
    answers = await call("chat(agent, session, questions)", chat, _agent(), session, questions)
    expect(isinstance(answers, list) and len(answers) == 2, "two answers, one per question", short(answers),
           "append result.final_output for each question")
    stored = await session.get_items()
    expect(len(stored) >= 6, "both turns stored in the session (6 items or more)", f"{len(stored)} items",
           "pass session=session to Runner.run")
    expect(questions[0] in str(answers[1]), f"the second answer quotes {questions[0]!r}", short(answers[1]),
           "the same session on every run carries the history")
    return f"the second answer came from the session's history: {answers[1]}"


@check("05_04.2")
async def check_undo_last_turn(undo_last_turn):
    session = SQLiteSession("practice-undo")
    agent = _agent()
    await Runner.run(agent, "Hello!", session=session)
    first_turn = await session.get_items()
    await Runner.run(agent, "What is the weather in Qingdao?", session=session)
    before = len(await session.get_items())
    removed = await call("undo_last_turn(session)", undo_last_turn, session)
    left = await session.get_items()
    expect(left == first_turn, f"only the first turn left: {[e.get('type') or e.get('role') for e in first_turn]}",
           f"{len(left)} items: {[e.get('type') or e.get('role') for e in left]}",
           "keep popping until the item you popped is the user's message")
    expect(removed == before - len(first_turn), f"returns {before - len(first_turn)} (items removed)",
           short(removed), "count each pop_item()")
    await call("undo_last_turn(session), a second time", undo_last_turn, session)
    expect(await session.get_items() == [], "a second undo empties the one-turn session",
           f"{len(await session.get_items())} items left", "the first turn is a user message and an answer")
    empty = await call("undo_last_turn(<empty session>)", undo_last_turn, SQLiteSession("practice-empty"),
                       hint="pop_item() returns None on an empty session: stop there")
    expect(empty == 0, "0 on an empty session", short(empty), "pop_item() returns None when nothing is left")
    return f"undo removed the {removed} items of a turn with a tool call, and stops on an empty session"
