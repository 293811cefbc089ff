"""Exercises for 03_11: a tracing processor of your own."""

from __future__ import annotations

from agents import Agent, Runner, set_trace_processors, set_tracing_disabled, trace
from agents.tracing.processors import default_processor

from workbook.course_tools import order_tool, weather_tool
from workbook.practice.core import Exercise, chat_model, check, expect, short

EXERCISES = [
    Exercise(
        id="03_11.1",
        title="A processor that counts tool calls",
        task="""Write a tracing processor (追踪处理器) `ToolCallCounter(TracingProcessor)`: its `counts`
attribute is a dict from tool name to how many times that tool ran, filled from the **function
spans** it receives (`span.span_data.type == "function"`, the tool's name in `span.span_data.name`).
Model calls, agents and your own custom spans are not tool calls. It needs no arguments to be
created. The check registers a fresh instance with `set_trace_processors`, runs a desk on questions
of its own and compares your counts with the tools that really ran.""",
        starter='''from agents import TracingProcessor


class ToolCallCounter(TracingProcessor):
    def __init__(self):
        self.counts = {}

    def on_trace_start(self, trace):
        pass

    def on_trace_end(self, trace):
        pass

    def on_span_start(self, span):
        pass

    def on_span_end(self, span):
        pass

    def shutdown(self):
        pass

    def force_flush(self):
        pass''',
        solution='''from agents import TracingProcessor


class ToolCallCounter(TracingProcessor):
    def __init__(self):
        self.counts = {}

    def on_trace_start(self, trace):
        pass

    def on_trace_end(self, trace):
        pass

    def on_span_start(self, span):
        pass

    def on_span_end(self, span):
        if span.span_data.type == "function":
            name = span.span_data.name
            self.counts[name] = self.counts.get(name, 0) + 1

    def shutdown(self):
        pass

    def force_flush(self):
        pass''',
        check="await check_tool_call_counter(ToolCallCounter)",
        wrong_answers=[
            ("counts every span, not only tool calls", '''from agents import TracingProcessor


class ToolCallCounter(TracingProcessor):
    def __init__(self):
        self.counts = {}

    def on_trace_start(self, trace):
        pass

    def on_trace_end(self, trace):
        pass

    def on_span_start(self, span):
        pass

    def on_span_end(self, span):
        name = getattr(span.span_data, "name", None) or span.span_data.type
        self.counts[name] = self.counts.get(name, 0) + 1

    def shutdown(self):
        pass

    def force_flush(self):
        pass'''),
        ],
    ),
]


@check("03_11.1", hint_on_error="every callback must return quickly and never raise: it runs inside the agent run")
async def check_tool_call_counter(counter_class):
    expect(isinstance(counter_class, type), "a class ToolCallCounter", short(counter_class, 60),
           "define class ToolCallCounter(TracingProcessor)")
    counter = counter_class()
    desk = Agent(name="ITS desk", instructions="You are the ITS desk. Use the tools.", model=chat_model(),
                 tools=[weather_tool, order_tool])
    questions = ["What is the weather in Wuhan?", "Where is order B2001?", "And the weather in Paris?"]
    ran: dict[str, int] = {}
    set_trace_processors([counter])
    set_tracing_disabled(False)
    try:
        for question in questions:
            with trace("exercise 03_11.1"):
                result = await Runner.run(desk, question)
            for item in result.new_items:
                if item.type == "tool_call_item":
                    ran[item.raw_item.name] = ran.get(item.raw_item.name, 0) + 1
    finally:
        set_tracing_disabled(True)
        set_trace_processors([default_processor()])  # the SDK's own again, as workbook.setup() left it
    counts = getattr(counter, "counts", None)
    expect(isinstance(counts, dict), "a counts dict on the processor", short(counts, 60), "self.counts = {} in __init__")
    expect(counts == ran, f"counts {dict(sorted(ran.items()))}", short(dict(sorted(counts.items())), 120),
           "count in on_span_end, only spans whose span_data.type is 'function', keyed by span_data.name")
    return f"counted {sum(ran.values())} tool calls over {len(questions)} runs: {dict(sorted(ran.items()))}"
