"""Exercises for 04_03 (reading a RunResult): the next turn's input, and the usage of a whole run."""

from __future__ import annotations

from agents import Agent, Runner

from workbook.course_tools import inventory_tool, order_tool, weather_tool
from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_model

EXERCISES = [
    Exercise(
        id="04_03.1",
        title="Carry the history into the next turn",
        task="""Write `next_turn(result, question)` that returns the input for a follow-up run: the whole
history of `result` (the original input and every item, as the model API's plain dicts) plus the new
user message `question`. Use `result.to_input_list()`.

The check runs a first turn, passes your input to a second `Runner.run` with a question about the
first, and reads the answer.""",
        starter='''def next_turn(result, question: str) -> list:
    ...''',
        solution='''def next_turn(result, question: str) -> list:
    return result.to_input_list() + [{"role": "user", "content": question}]''',
        check="await check_next_turn(next_turn)",
        wrong_answers=[
            ("sends only the new question", '''def next_turn(result, question):
    return [{"role": "user", "content": question}]'''),
            ("sends only the final answer as history", '''def next_turn(result, question):
    return [{"role": "assistant", "content": result.final_output}, {"role": "user", "content": question}]'''),
        ],
    ),
    Exercise(
        id="04_03.2",
        title="A usage report for the whole run",
        task="""Write `usage_report(result)` returning a dict with the keys `requests`, `input_tokens`,
`output_tokens` and `total_tokens` for **the whole run**: every model call it made, not only the
last one. (`result.context_wrapper.usage` adds them up; `result.raw_responses` has one per call.)

The check uses a run with two tool calls, so it makes more than one model call.""",
        starter='''def usage_report(result) -> dict:
    return {"requests": 0, "input_tokens": 0, "output_tokens": 0, "total_tokens": 0}''',
        solution='''def usage_report(result) -> dict:
    usage = result.context_wrapper.usage
    return {"requests": usage.requests, "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens, "total_tokens": usage.total_tokens}''',
        check="await check_usage_report(usage_report)",
        wrong_answers=[
            ("counts only the last model call", '''def usage_report(result):
    last = result.raw_responses[-1].usage
    return {"requests": 1, "input_tokens": last.input_tokens, "output_tokens": last.output_tokens,
            "total_tokens": last.total_tokens}'''),
        ],
    ),
]


@check("04_03.1")
async def check_next_turn(next_turn):
    desk = Agent(name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=course_model(),
                 tools=[order_tool, weather_tool])
    first_question = "What is the status of order A1004?"
    first = await Runner.run(desk, first_question)
    follow_up = await call("next_turn(result, 'What did I just ask?')", next_turn, first, "What did I just ask?")
    expect(isinstance(follow_up, list) and all(isinstance(entry, dict) for entry in follow_up),
           "a list of input items (dicts)", short(follow_up), "return result.to_input_list() plus one more dict")
    expect(follow_up[-1].get("role") == "user" and follow_up[-1].get("content") == "What did I just ask?",
           "the new user message last", short(follow_up[-1]), 'append {"role": "user", "content": question}')
    second = await Runner.run(desk, follow_up)
    expect(first_question in str(second.final_output), f"the second answer quotes {first_question!r}",
           short(second.final_output),
           "the model only knows what the input carries: start from result.to_input_list(), the whole first turn")
    return f"the follow-up was answered from the history: {second.final_output}"


@check("04_03.2")
async def check_usage_report(usage_report):
    desk = Agent(name="ITS desk", instructions="Use the tools.", model=course_model(),
                 tools=[inventory_tool, weather_tool])
    result = await Runner.run(desk, "Is P100 in stock, and how is the weather in Harbin?")
    usage = result.context_wrapper.usage
    truth = {"requests": usage.requests, "input_tokens": usage.input_tokens,
             "output_tokens": usage.output_tokens, "total_tokens": usage.total_tokens}
    got = await call("usage_report(result)", usage_report, result)
    expect(isinstance(got, dict), "a dict", short(got), "return {'requests': ..., 'input_tokens': ...}")
    wrong = {key: got.get(key) for key in truth if got.get(key) != truth[key]}
    expect(not wrong, f"{truth} ({len(result.raw_responses)} model calls)", short(got),
           "the last raw response is one call; result.context_wrapper.usage sums the whole run")
    return f"usage_report summed {truth['requests']} model calls: {truth['total_tokens']} tokens"
