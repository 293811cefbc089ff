"""Exercises for 03_08: context in a tool, dynamic instructions, and max_turns."""

from __future__ import annotations

from dataclasses import dataclass

from agents import Agent, FunctionTool, RunContextWrapper, Runner

from workbook.course_tools import order_tool
from workbook.practice.core import Exercise, chat_model, check, expect, short, tool_calls, tool_outputs


@dataclass
class Member:
    """The context the checks run with (the exercise's starter defines the same class)."""

    name: str
    points: int
    language: str


EXERCISES = [
    Exercise(
        id="03_08.1",
        title="A tool that reads the context, not the model",
        task="""The customer's loyalty points (积分) live in your program, in the run's **context**. Write
`@function_tool` `my_points(ctx: RunContextWrapper[Member]) -> dict` returning
`{"name": ..., "points": ...}` from `ctx.context`. The model must not be able to pass a member
in: the tool has no parameters the model fills. The check runs it with members you have not seen.""",
        starter='''from dataclasses import dataclass

from agents import RunContextWrapper, function_tool


@dataclass
class Member:
    name: str
    points: int
    language: str


@function_tool
def my_points(name: str) -> dict:
    """Look up the customer's own loyalty points balance (查询积分)."""
    return {}''',
        solution='''from dataclasses import dataclass

from agents import RunContextWrapper, function_tool


@dataclass
class Member:
    name: str
    points: int
    language: str


@function_tool
def my_points(ctx: RunContextWrapper[Member]) -> dict:
    """Look up the customer's own loyalty points balance (查询积分)."""
    return {"name": ctx.context.name, "points": ctx.context.points}''',
        check="await check_my_points(my_points)",
        wrong_answers=[
            ("the member as a model-filled argument", '''from agents import function_tool


@function_tool
def my_points(name: str, points: int) -> dict:
    """Look up the customer's own loyalty points balance (查询积分)."""
    return {"name": name, "points": points}'''),
        ],
    ),
    Exercise(
        id="03_08.2",
        title="Instructions written for each customer",
        task="""Write `member_instructions(ctx, agent) -> str`, dynamic instructions for the desk: they name the
customer (`ctx.context.name`), tell the model to reply in `ctx.context.language`, and mention
the agent's own name. The check builds an agent with them and reads the system prompt it sends
for members you have not seen.""",
        starter='''def member_instructions(ctx, agent) -> str:
    return "You are the ITS desk."''',
        solution='''def member_instructions(ctx, agent) -> str:
    member = ctx.context
    return (f"You are {agent.name}. The customer is {member.name}. "
            f"Always reply in {member.language}.")''',
        check="await check_member_instructions(member_instructions)",
        wrong_answers=[
            ("written once for one customer", '''def member_instructions(ctx, agent):
    return "You are ITS desk. The customer is Alice. Always reply in English."'''),
        ],
    ),
    Exercise(
        id="03_08.3",
        title="Stop a run that takes too many turns",
        task="""Write `async def run_limited(agent, question, limit)`: run the agent with `max_turns=limit` and
return its `final_output`, or `None` when the run hits the limit (`MaxTurnsExceeded`) instead of
letting the exception escape. The check uses a tool agent: one turn is not enough for it, three are.""",
        starter='''from agents import Runner
from agents.exceptions import MaxTurnsExceeded


async def run_limited(agent, question: str, limit: int):
    ...''',
        solution='''from agents import Runner
from agents.exceptions import MaxTurnsExceeded


async def run_limited(agent, question: str, limit: int):
    try:
        result = await Runner.run(agent, question, max_turns=limit)
    except MaxTurnsExceeded:
        return None
    return result.final_output''',
        check="await check_run_limited(run_limited)",
        wrong_answers=[
            ("ignores the limit", '''from agents import Runner


async def run_limited(agent, question, limit):
    return (await Runner.run(agent, question)).final_output'''),
            ("lets MaxTurnsExceeded escape", '''from agents import Runner


async def run_limited(agent, question, limit):
    return (await Runner.run(agent, question, max_turns=limit)).final_output'''),
        ],
    ),
]


@check("03_08.1")
async def check_my_points(tool):
    expect(isinstance(tool, FunctionTool), "my_points is a FunctionTool", type(tool).__name__, "@function_tool")
    params = tool.params_json_schema.get("properties", {})
    expect(not params, "no parameters the model fills (the context is not one)", f"parameters {sorted(params)}",
           "take ctx: RunContextWrapper[Member] as the only parameter and read ctx.context")
    agent = Agent[Member](name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=chat_model(),
                          tools=[tool])
    for member in (Member("Zhao Lei", 4210, "Chinese"), Member("Maria", 75, "English")):
        result = await Runner.run(agent, "How many loyalty points do I have?", context=member)
        outputs = tool_outputs(result)
        expect(tool_calls(result) and outputs, "the model calls my_points", "no tool call",
               "keep the docstring: it tells the model what the tool does")
        expect(str(member.points) in str(outputs[0]) and member.name in str(outputs[0]),
               f"{member.name}'s {member.points} points in the tool result", short(outputs[0], 80),
               "return ctx.context.name and ctx.context.points")
    return "points read from each run's own context"


@check("03_08.2")
async def check_member_instructions(member_instructions):
    for member, agent_name in ((Member("Li Na", 10, "Chinese"), "Points desk"), (Member("Tom", 0, "English"), "Help")):
        agent = Agent[Member](name=agent_name, instructions=member_instructions, model=chat_model())
        prompt = await agent.get_system_prompt(RunContextWrapper(member))
        expect(isinstance(prompt, str), "instructions as a str", short(prompt, 60), "return an f-string")
        for part, what in ((member.name, "the customer's name"), (member.language, "the reply language"),
                           (agent_name, "the agent's name")):
            expect(part in prompt, f"{what} ({part!r}) in the instructions", short(prompt, 100),
                   "build the text from ctx.context and agent.name on every call")
    return "instructions built for each customer and agent"


@check("03_08.3", hint_on_error="catch MaxTurnsExceeded (from agents.exceptions) and return None")
async def check_run_limited(run_limited):
    agent = Agent(name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=chat_model(),
                  tools=[order_tool])
    question = "What is the status of order A1002?"
    stopped = await run_limited(agent, question, 1)
    expect(stopped is None, "None when one turn is not enough (tool call, then answer = 2 turns)", short(stopped, 80),
           "pass max_turns=limit to Runner.run")
    answered = await run_limited(agent, question, 3)
    expect(isinstance(answered, str) and answered, "the final output when three turns are allowed",
           short(answered, 80), "return result.final_output when the run ends normally")
    return "None at the limit, the answer within it"
