"""Exercises for 03_12: retry settings that get through a flaky provider, and not through a bad request."""

from __future__ import annotations

import uuid

from agents import Agent, ModelSettings, Runner

from workbook.practice.core import Exercise, chat_model, check, expect, recording_client, short
from workbook.practice.lessons._kit import call

EXERCISES = [
    Exercise(
        id="03_12.1",
        title="Retries for a flaky provider",
        task="""Your provider sometimes answers **503** and sometimes **drops the connection** for a moment.
Write `flaky_settings() -> ModelSettings` with runner-managed retries (重试):
`retry=ModelRetrySettings(...)` with at least 2 retries, a short backoff (under a second), and a
policy from `retry_policies` that retries server errors (5xx) and network errors, but **never** a
`400` (a bad request stays bad). The check runs an agent with your settings on a client without
retries of its own, against the offline model injecting faults of its choosing.""",
        starter='''from agents import ModelRetrySettings, ModelSettings, retry_policies


def flaky_settings() -> ModelSettings:
    return ModelSettings()''',
        solution='''from agents import ModelRetrySettings, ModelSettings, retry_policies


def flaky_settings() -> ModelSettings:
    return ModelSettings(retry=ModelRetrySettings(
        max_retries=3,
        backoff={"initial_delay": 0.1, "multiplier": 2.0, "max_delay": 1.0, "jitter": False},
        policy=retry_policies.any(retry_policies.network_error(), retry_policies.http_status([500, 502, 503])),
    ))''',
        check="await check_flaky_settings(flaky_settings)",
        wrong_answers=[
            ("retries 503 but not a dropped connection", '''from agents import ModelRetrySettings, ModelSettings, retry_policies


def flaky_settings():
    return ModelSettings(retry=ModelRetrySettings(max_retries=3, backoff={"initial_delay": 0.1},
                                                  policy=retry_policies.http_status([503])))'''),
            ("retries a 400 too", '''from agents import ModelRetrySettings, ModelSettings, retry_policies


def flaky_settings():
    return ModelSettings(retry=ModelRetrySettings(
        max_retries=3, backoff={"initial_delay": 0.1},
        policy=retry_policies.any(retry_policies.network_error(), retry_policies.http_status([400, 500, 503]))))'''),
        ],
    ),
    Exercise(
        id="03_12.2",
        title="A fallback answer when the turns run out",
        task="""Write an error handler (错误处理器) `out_of_turns(data)` for
`Runner.run(..., error_handlers={"max_turns": out_of_turns})`. Instead of `MaxTurnsExceeded`, the
customer gets a short apology, and the colleague who reads the conversation sees which tools already
ran: the text must name every tool called so far (from `data.run_data.new_items`, the items of type
`"tool_call_item"`, name in `item.raw_item.name`). Return it as
`RunErrorHandlerResult(final_output=...)`. The check runs a desk with `max_turns=1` on questions of
its own.""",
        starter='''from agents import RunErrorHandlerInput, RunErrorHandlerResult


def out_of_turns(data: RunErrorHandlerInput):
    return None''',
        solution='''from agents import RunErrorHandlerInput, RunErrorHandlerResult


def out_of_turns(data: RunErrorHandlerInput):
    tools = [item.raw_item.name for item in data.run_data.new_items if item.type == "tool_call_item"]
    return RunErrorHandlerResult(
        final_output=f"Sorry, this needs a colleague. Already checked: {', '.join(tools) or 'nothing'}.")''',
        check="await check_out_of_turns(out_of_turns)",
        wrong_answers=[
            ("the same text whatever happened", '''from agents import RunErrorHandlerResult


def out_of_turns(data):
    return RunErrorHandlerResult(final_output="Sorry, this needs a colleague.")'''),
        ],
    ),
]

# (fault the offline model injects, should the run get through, what it stands for)
CASES = [
    ("503;times=2", True, "two 503s in a row"),
    ("drop;times=1", True, "a dropped connection"),
    ("502;times=1", True, "a 502 from a gateway"),
    ("400", False, "a 400 bad request"),
]


@check("03_12.1", hint_on_error="return a ModelSettings from flaky_settings()")
async def check_flaky_settings(flaky_settings):
    settings = await call("flaky_settings", flaky_settings)
    expect(isinstance(settings, ModelSettings), "a ModelSettings", short(settings, 60),
           "return ModelSettings(retry=ModelRetrySettings(...))")
    expect(settings.retry is not None and settings.retry.policy is not None,
           "runner-managed retries with a policy (ModelSettings.retry)", short(settings.retry, 80),
           "ModelRetrySettings(max_retries=..., backoff=..., policy=retry_policies.any(...))")
    for fault, should_pass, what in CASES:
        client, recorder = recording_client(asynchronous=True)  # max_retries=0: the runner's retries only
        faulty = settings.resolve(ModelSettings(extra_headers={"X-Offline-Fault": fault}))
        agent = Agent(name="Desk", instructions="You are the ITS desk.", model=chat_model(client), model_settings=faulty)
        try:
            # A question of its own per run: the offline model counts `times` per identical request.
            await Runner.run(agent, f"Hello, are you there? (check {uuid.uuid4().hex[:8]})")
            outcome = "answered"
        except Exception as error:  # the error the caller would see
            outcome = type(error).__name__
        sent = len(recorder.requests("/chat/completions"))
        if should_pass:
            expect(outcome == "answered", f"the run gets through {what}", f"{outcome} after {sent} request(s)",
                   "retry 5xx with retry_policies.http_status([...]) and dropped connections with "
                   "retry_policies.network_error(), combined with retry_policies.any(...)")
        else:
            expect(sent == 1, f"{what} is sent once and not retried", f"{sent} requests",
                   "leave 4xx statuses out of the policy: sending the same bad request again cannot help")
    return "5xx and dropped connections retried, a 400 left alone"


@check("03_12.2", hint_on_error="return RunErrorHandlerResult(final_output=...) built from data.run_data.new_items")
async def check_out_of_turns(out_of_turns):
    from agents.exceptions import MaxTurnsExceeded

    from workbook.course_tools import order_tool, weather_tool

    desk = Agent(name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=chat_model(),
                 tools=[weather_tool, order_tool])
    for question, tool in (("What is the weather in Madrid?", "get_weather"), ("Where is order A1002?", "query_order")):
        try:
            result = await Runner.run(desk, question, max_turns=1, error_handlers={"max_turns": out_of_turns})
        except MaxTurnsExceeded:
            expect(False, "a final answer instead of MaxTurnsExceeded", "MaxTurnsExceeded was raised",
                   "return RunErrorHandlerResult(final_output=...), not None")
        answer = result.final_output
        expect(isinstance(answer, str) and answer, "a text for the customer", short(answer, 60),
               "final_output=f\"...\"")
        expect(tool in answer, f"the answer names the tool that already ran ({tool})", short(answer, 100),
               "collect item.raw_item.name for items of type 'tool_call_item' in data.run_data.new_items")
    return "a fallback naming the tools that ran, instead of an exception"
