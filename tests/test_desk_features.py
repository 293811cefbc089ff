"""What a production desk needs beyond the basics: approvals, guardrails, tracing, retries, testing.

Each test checks the behaviour a chapter 03 / 06 lesson teaches, against the offline model through
the real client.
"""

import asyncio
import gc
import json
import os
from dataclasses import replace

import pytest

import workbook

workbook.setup(quiet=True)

from agents import Agent, OpenAIChatCompletionsModel, Runner, RunState, function_tool  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402


@pytest.fixture(autouse=True)
def collect_clients_of_finished_loops():
    """These tests make clients inside `asyncio.run`. An openai client that is garbage-collected later,
    while another test's event loop runs, schedules its `aclose()` on that loop, for connections of a
    loop that is already closed ("Event loop is closed" in an unrelated test). Collect them now."""
    yield
    gc.collect()


def _model(client: AsyncOpenAI | None = None) -> OpenAIChatCompletionsModel:
    client = client or AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return OpenAIChatCompletionsModel(model=os.environ["OPENAI_MODEL_NAME"], openai_client=client)


# --- human in the loop (03_09) -------------------------------------------------------------------

async def _over_limit(ctx, arguments, call_id):
    return arguments["amount"] > 500


@function_tool(needs_approval=_over_limit)
def refund_order(order_id: str, amount: int) -> dict:
    """Refund money for an order.

    Args:
        order_id: The order id, e.g. "A1001".
        amount: The amount to refund, in whole CNY.
    """
    return {"order_id": order_id, "refunded_cny": amount, "status": "refunded"}


def _refund_desk(tool=refund_order) -> Agent:
    return Agent(name="Refund desk", instructions="You are the ITS refund desk. Use the tools.",
                 model=_model(), tools=[tool])


def test_small_refund_runs_without_pause_and_large_one_pauses_before_the_tool_runs():
    async def go():
        small = await Runner.run(_refund_desk(), "Refund 120 CNY for order A1003")
        large = await Runner.run(_refund_desk(), "Refund 760 CNY for order B2001")
        return small, large

    small, large = asyncio.run(go())
    assert small.interruptions == [] and "120" in small.final_output
    assert large.final_output is None
    assert [(i.name, json.loads(i.arguments)) for i in large.interruptions] == [
        ("refund_order", {"order_id": "B2001", "amount": 760})]
    assert not any(type(i).__name__ == "ToolCallOutputItem" for i in large.new_items)


def test_run_resumed_from_saved_json_equals_a_run_never_paused():
    question = "Please refund 760 CNY for order B2001"

    async def go():
        paused = await Runner.run(_refund_desk(), question)
        saved = json.dumps(paused.to_state().to_json())
        desk = _refund_desk()  # a fresh agent, as another process would build it
        state = await RunState.from_json(desk, json.loads(saved))
        state.approve(state.get_interruptions()[0])
        resumed = await Runner.run(desk, state)
        never = await Runner.run(_refund_desk(replace(refund_order, needs_approval=False)), question)
        return resumed, never

    resumed, never = asyncio.run(go())
    assert resumed.final_output == never.final_output
    assert "760" in resumed.final_output
    assert [type(i).__name__ for i in resumed.new_items if type(i).__name__ != "ToolApprovalItem"] == [
        type(i).__name__ for i in never.new_items]


def test_reject_sends_the_rejection_message_and_never_runs_the_tool():
    ran = []

    @function_tool(needs_approval=True)
    def refund_order(order_id: str, amount: int) -> dict:
        """Refund money for an order.

        Args:
            order_id: The order id.
            amount: The amount in CNY.
        """
        ran.append(order_id)
        return {"status": "refunded"}

    async def go():
        desk = _refund_desk(refund_order)
        paused = await Runner.run(desk, "Refund 80 CNY for order A1001")
        state = paused.to_state()
        state.reject(state.get_interruptions()[0], rejection_message="A supervisor must approve this refund.")
        return await Runner.run(desk, state)

    result = asyncio.run(go())
    assert ran == []
    assert "A supervisor must approve this refund." in result.final_output


# --- guardrails (03_10) --------------------------------------------------------------------------

def test_tool_input_guardrail_blocks_over_limit_refund_without_running_the_tool():
    from agents import ToolGuardrailFunctionOutput, tool_input_guardrail

    ran = []

    @tool_input_guardrail
    def limit(data):
        amount = json.loads(data.context.tool_arguments)["amount"]
        if amount > 500:
            return ToolGuardrailFunctionOutput.reject_content(f"Refused: {amount} CNY is over the 500 CNY limit.")
        return ToolGuardrailFunctionOutput.allow()

    @function_tool(tool_input_guardrails=[limit])
    def refund_order(order_id: str, amount: int) -> dict:
        """Refund money for an order.

        Args:
            order_id: The order id.
            amount: The amount in CNY.
        """
        ran.append((order_id, amount))
        return {"order_id": order_id, "refunded_cny": amount}

    async def go():
        desk = _refund_desk(refund_order)
        return (await Runner.run(desk, "Refund 640 CNY for order A1002"),
                await Runner.run(desk, "Refund 40 CNY for order A1002"))

    over, under = asyncio.run(go())
    assert ran == [("A1002", 40)]
    assert "Refused: 640 CNY is over the 500 CNY limit." in over.final_output
    assert [r.output.behavior["type"] for r in over.tool_input_guardrail_results] == ["reject_content"]
    assert "40" in under.final_output


def test_blocking_input_guardrail_saves_the_agent_call_that_a_parallel_one_pays_for():
    import httpx
    from agents import GuardrailFunctionOutput, input_guardrail
    from agents.exceptions import InputGuardrailTripwireTriggered

    sent = []

    async def count(request):
        sent.append(request.url.path)

    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"],
                         http_client=httpx.AsyncClient(event_hooks={"request": [count]}))
    judge = Agent(name="Judge", instructions="Answer briefly.", model=_model(client))

    def guard(parallel):
        @input_guardrail(run_in_parallel=parallel)
        async def off_topic(ctx, agent, user_input):
            await Runner.run(judge, user_input)  # one model call, like a classifier
            return GuardrailFunctionOutput(output_info=None, tripwire_triggered="poem" in user_input)
        return off_topic

    async def calls(parallel):
        sent.clear()
        desk = Agent(name="Desk", instructions="You are the ITS desk.", model=_model(client),
                     input_guardrails=[guard(parallel)])
        try:
            await Runner.run(desk, "Write a poem about refunds")
        except InputGuardrailTripwireTriggered:
            return len(sent)
        raise AssertionError("the guardrail did not trip")

    async def both():
        return await calls(False), await calls(True)

    assert asyncio.run(both()) == (1, 2)


# --- resilience (03_12) --------------------------------------------------------------------------

def _counting_client(max_retries: int):
    import httpx

    sent = []

    async def count(request):
        sent.append(request.url.path)

    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"],
                         max_retries=max_retries, http_client=httpx.AsyncClient(event_hooks={"request": [count]}))
    return client, sent


def _faulty_agent(client, fault, **settings):
    from agents import ModelSettings
    return Agent(name="Desk", instructions="You are the ITS desk.", model=_model(client),
                 model_settings=ModelSettings(extra_headers={"X-Offline-Fault": fault}, **settings))


def test_runner_retry_policy_gets_through_a_transient_fault_the_client_alone_does_not():
    import openai
    from agents import ModelRetrySettings, retry_policies

    retry = ModelRetrySettings(max_retries=3, backoff={"initial_delay": 0.05, "jitter": False},
                               policy=retry_policies.http_status([503]))

    async def go():
        client, sent = _counting_client(max_retries=0)
        result = await Runner.run(_faulty_agent(client, "503;times=3", retry=retry), "Hello there")
        with_runner = len(sent)
        sent.clear()
        try:
            await Runner.run(_faulty_agent(client, "503;times=3"), "Hello again")
        except openai.InternalServerError:
            return result.final_output, with_runner, len(sent)
        raise AssertionError("without retries the 503 should reach the caller")

    answer, with_runner, without = asyncio.run(go())
    assert answer and with_runner == 4  # three 503s, then the answer
    assert without == 1


def test_retry_after_is_honoured_and_a_drop_is_retried_as_a_network_error():
    import time

    from agents import ModelRetrySettings, retry_policies

    retry = ModelRetrySettings(max_retries=2, backoff={"initial_delay": 0.01, "jitter": False},
                               policy=retry_policies.any(retry_policies.retry_after(), retry_policies.network_error()))

    async def go():
        client, sent = _counting_client(max_retries=0)
        start = time.monotonic()
        limited = await Runner.run(_faulty_agent(client, "429;retry-after=1;times=1", retry=retry), "Hi")
        waited = time.monotonic() - start
        dropped = await Runner.run(_faulty_agent(client, "drop;times=1", retry=retry), "Hi")
        return limited.final_output, waited, dropped.final_output, len(sent)

    limited, waited, dropped, requests = asyncio.run(go())
    assert limited and dropped and requests == 4
    assert waited >= 0.9  # the runner waited for Retry-After, not its 0.01 s backoff


def test_max_turns_error_handler_returns_the_fallback_instead_of_raising():
    from agents import RunErrorHandlerResult

    from workbook.course_tools import order_tool

    desk = Agent(name="Desk", instructions="You are the ITS desk. Use the tools.", model=_model(), tools=[order_tool])
    result = asyncio.run(Runner.run(desk, "Where is order A1003?", max_turns=1, error_handlers={
        "max_turns": lambda data: RunErrorHandlerResult(final_output=f"fallback after {type(data.error).__name__}")}))
    assert result.final_output == "fallback after MaxTurnsExceeded"


# --- tracing (03_11) -----------------------------------------------------------------------------

def test_trace_processor_writes_jsonl_in_a_temp_dir_with_group_id_and_respects_sensitive_data(tmp_path):
    from agents import RunConfig, TracingProcessor, custom_span, set_trace_processors, set_tracing_disabled, trace
    from agents.tracing.processors import default_processor

    from workbook.course_tools import order_tool

    path = tmp_path / "traces.jsonl"

    class Jsonl(TracingProcessor):
        def _write(self, record):
            if record:
                with path.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(record, default=str) + "\n")

        def on_trace_start(self, trace): pass
        def on_trace_end(self, trace): self._write(trace.export())
        def on_span_start(self, span): pass
        def on_span_end(self, span): self._write(span.export())
        def shutdown(self): pass
        def force_flush(self): pass

    desk = Agent(name="Desk", instructions="You are the ITS desk. Use the tools.", model=_model(), tools=[order_tool])

    async def go():
        with trace("turn", group_id="conv-7"):
            with custom_span("crm_lookup", data={"tier": "vip"}):
                pass
            await Runner.run(desk, "Where is order A1001?")
        with trace("private turn", group_id="conv-7"):
            await Runner.run(desk, "Where is order A1001?", run_config=RunConfig(trace_include_sensitive_data=False))

    set_trace_processors([Jsonl()])
    set_tracing_disabled(False)
    try:
        asyncio.run(go())
    finally:
        set_tracing_disabled(True)
        set_trace_processors([default_processor()])

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    traces = {r["id"]: r for r in records if r["object"] == "trace"}
    assert sorted(t["workflow_name"] for t in traces.values()) == ["private turn", "turn"]
    assert {t["group_id"] for t in traces.values()} == {"conv-7"}
    by_trace = {name: [r["span_data"] for r in records if r["object"] == "trace.span"
                       and traces[r["trace_id"]]["workflow_name"] == name] for name in ("turn", "private turn")}
    assert {"type": "custom", "name": "crm_lookup", "data": {"tier": "vip"}} in by_trace["turn"]
    open_calls = [d for d in by_trace["turn"] if d["type"] == "function"]
    hidden_calls = [d for d in by_trace["private turn"] if d["type"] == "function"]
    assert open_calls[0]["input"] == '{"order_id": "A1001"}' and hidden_calls[0]["input"] is None
    assert all(d["output"] is None for d in by_trace["private turn"] if d["type"] in ("function", "generation"))
    assert list(tmp_path.iterdir()) == [path]


# --- MCP complete (06_08) ------------------------------------------------------------------------

def test_fastapi_mounted_mcp_serves_prompts_resources_and_tools_with_approval(monkeypatch):
    import socket
    import sys

    import uvicorn
    from agents.mcp import MCPServerStreamableHttp

    from workbook.lessons import ROOT

    monkeypatch.syspath_prepend(str(ROOT / "06_mcp_multi_agent"))
    sys.modules.pop("desk_mcp_api", None)  # a fresh MCPServer: its session manager runs once per instance
    from desk_mcp_api import HOST, app

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]

    async def go():
        api = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning"))
        serving = asyncio.create_task(api.serve())
        while not api.started:
            await asyncio.sleep(0.02)
        try:
            async with MCPServerStreamableHttp(params={"url": f"http://{HOST}:{port}/desk/mcp"}, name="desk",
                                               require_approval={"open_rma": "always"}) as desk_mcp:
                prompt = await desk_mcp.get_prompt("desk_instructions", {"language": "French"})
                resources = [str(r.uri) for r in (await desk_mcp.list_resources()).resources]
                order = json.loads((await desk_mcp.read_resource("orders://B2001")).contents[0].text)
                agent = Agent(name="Desk", instructions=prompt.messages[0].content.text, model=_model(),
                              mcp_servers=[desk_mcp])
                looked_up = await Runner.run(agent, "What is the status of order A1003?")
                paused = await Runner.run(agent, "Please return order A1001 because it is too small")
                return prompt, resources, order, looked_up, paused
        finally:
            api.should_exit = True
            await serving

    prompt, resources, order, looked_up, paused = asyncio.run(go())
    assert "Answer in French" in prompt.messages[0].content.text
    assert resources == ["policy://refunds"]
    assert order["status"] == "cancelled"
    assert looked_up.interruptions == [] and "delivered" in looked_up.final_output
    assert [(i.name, i.tool_origin.mcp_server_name) for i in paused.interruptions] == [("open_rma", "desk")]


def test_client_and_runner_retries_add_up_as_03_12_says():
    import openai
    from agents import ModelRetrySettings, retry_policies

    retry = ModelRetrySettings(max_retries=4, backoff={"initial_delay": 0.01, "jitter": False},
                               policy=retry_policies.http_status([500]))

    async def go():
        client, sent = _counting_client(max_retries=2)  # the openai client's default
        try:
            await Runner.run(_faulty_agent(client, "500", retry=retry), "Hello")
        except openai.InternalServerError:
            return len(sent)
        raise AssertionError("a lasting 500 must reach the caller")

    assert asyncio.run(go()) == 3 + 4  # client retries on the first attempt only, then the runner's 4
