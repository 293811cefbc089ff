"""Chapter 06: real MCP servers over every transport, no leftover processes, the support desk, handoffs."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path

import psutil
import pytest

import workbook
from workbook.lessons import ROOT, run_script
from workbook.mcp_process import start_mcp_server

CHAPTER = ROOT / "06_mcp_multi_agent"
SERVER = CHAPTER / "course_mcp_server.py"

workbook.setup(quiet=True)

from agents import (  # noqa: E402
    Agent,
    HandoffCallItem,
    RunConfig,
    RunHooks,
    Runner,
    SQLiteSession,
    ToolCallItem,
    handoff,
)
from agents.exceptions import InputGuardrailTripwireTriggered, UserError  # noqa: E402
from agents.extensions import handoff_filters  # noqa: E402
from agents.mcp import (  # noqa: E402
    MCPServerManager,
    MCPServerSse,
    MCPServerStdio,
    MCPServerStreamableHttp,
    create_static_tool_filter,
)
from openai import AsyncOpenAI  # noqa: E402

from workbook.course_tools import order_tool, rma_tool  # noqa: E402
from workbook.offline import free_port  # noqa: E402


def make_model():
    from agents import OpenAIResponsesModel

    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return OpenAIResponsesModel(os.environ["OPENAI_MODEL_NAME"], client)


def server_processes() -> list[psutil.Process]:
    """Every process on the machine running this chapter's MCP server file."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if any(part.endswith("course_mcp_server.py") for part in cmdline):
            found.append(process)
    return found


async def ask_weather(server) -> tuple[str, list]:
    agent = Agent(name="ITS desk", instructions="Use the tools.", model=make_model(), mcp_servers=[server])
    result = await Runner.run(agent, "What is the weather in Tokyo?")
    return result.final_output, [i for i in result.new_items if isinstance(i, ToolCallItem)]


# --- MCP round trips through an agent, one per transport ---------------------------------------------

def test_stdio_round_trip_and_the_child_process_is_gone_afterwards():
    async def main():
        params = {"command": sys.executable, "args": [str(SERVER)]}
        async with MCPServerStdio(name="desk-stdio", params=params, cache_tools_list=True) as server:
            children = [c for c in psutil.Process().children(recursive=True)
                        if any(p.endswith("course_mcp_server.py") for p in c.cmdline())]
            answer, calls = await ask_weather(server)
        return answer, calls, children

    answer, calls, children = asyncio.run(main())
    assert len(children) == 1, "the client should have started exactly one server process"
    assert "Tokyo" in answer and "cloudy" in answer
    assert calls[0].tool_name == "get_weather"
    assert calls[0].tool_origin.mcp_server_name == "desk-stdio"
    assert not children[0].is_running() or children[0].status() == psutil.STATUS_ZOMBIE


@pytest.mark.parametrize("transport, client_class", [("streamable-http", MCPServerStreamableHttp),
                                                     ("sse", MCPServerSse)])
def test_http_transports_round_trip(transport, client_class):
    with start_mcp_server(SERVER, transport=transport) as process:
        async def main():
            async with client_class(name=f"desk-{transport}", params={"url": process.url}) as server:
                return await ask_weather(server)

        answer, calls = asyncio.run(main())
        pid = process.pid
    assert "Tokyo" in answer and "18" in answer
    assert calls[0].tool_origin.mcp_server_name == f"desk-{transport}"
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_server_rejects_a_foreign_host_header():
    """DNS-rebinding protection: a request naming another host is refused before any MCP handling."""
    import httpx

    with start_mcp_server(SERVER, transport="streamable-http") as process:
        response = httpx.post(process.url, headers={"Host": "evil.example:80", "Content-Type": "application/json"},
                              content=b"{}")
    assert response.status_code == 421


def test_unconnected_server_raises_server_not_initialized():
    server = MCPServerStdio(name="never-connected", params={"command": sys.executable, "args": [str(SERVER)]})
    with pytest.raises(UserError, match="Server not initialized"):
        asyncio.run(ask_weather(server))


def test_manager_keeps_working_servers_when_one_is_down_and_filters_apply():
    with start_mcp_server(SERVER, transport="streamable-http", args=["--service", "orders"]) as orders:
        async def main():
            up = MCPServerStreamableHttp(name="orders", params={"url": orders.url},
                                         tool_filter=create_static_tool_filter(blocked_tool_names=["open_rma"]))
            down = MCPServerStreamableHttp(name="finance", params={"url": f"http://127.0.0.1:{free_port()}/mcp"})
            async with MCPServerManager([up, down], connect_timeout_seconds=10) as manager:
                agent = Agent(name="desk", model=make_model(), mcp_servers=manager.active_servers)
                tools = await agent.get_mcp_tools(run_context=None)
                return [s.name for s in manager.active_servers], [s.name for s in manager.failed_servers], tools

        active, failed, tools = asyncio.run(main())
    assert active == ["orders"] and failed == ["finance"]
    assert [t.name for t in tools] == ["query_order"]


# --- no server process is left behind by the lessons ------------------------------------------------

@pytest.mark.lessons
def test_mcp_lesson_scripts_leave_no_server_process():
    before = {p.pid for p in server_processes()}
    for script in ("06_02_mcp_sse_agent.py", "06_04_multiple_mcp_servers.py"):
        outcome = run_script(CHAPTER / script, timeout=240)
        assert outcome.ok, outcome.detail
    # A process that is already exiting gets a few seconds; a forgotten server never exits by itself.
    leftovers = [p for p in server_processes() if p.pid not in before]
    _, alive = psutil.wait_procs(leftovers, timeout=10)
    alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"server processes left running: {[p.pid for p in alive]}"


# --- the support desk -----------------------------------------------------------------------------------

def load_desk():
    spec = importlib.util.spec_from_file_location("support_desk", CHAPTER / "06_07_support_desk.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ModelCalls(RunHooks):
    def __init__(self):
        self.agents: list[str] = []
        self.inputs: dict[str, list] = {}

    async def on_llm_start(self, context, agent, system_prompt, input_items):
        self.agents.append(agent.name)
        self.inputs.setdefault(agent.name, list(input_items))


def test_guardrail_blocks_before_the_triage_model_is_called():
    desk = load_desk()
    hooks = ModelCalls()
    context = desk.SupportContext(customer_id="t-1")

    async def main():
        await Runner.run(desk.triage_agent, "Chcę kupić nowy produkt", context=context, hooks=hooks)

    with pytest.raises(InputGuardrailTripwireTriggered) as caught:
        asyncio.run(main())
    assert caught.value.guardrail_result.output.output_info.category == "other"
    assert "Support Triage" not in hooks.agents
    assert context.ticket is not None and context.ticket.category == "other"


def test_session_follow_up_finds_the_rma_and_specialists_read_the_ticket():
    desk = load_desk()

    async def main():
        session = SQLiteSession("t-2")
        context = desk.SupportContext(customer_id="t-2")
        hooks = desk.SlaHooks()
        first = await desk.handle_message("My earbuds from order A1003 are broken, I want to return them.",
                                          session, context, hooks)
        second = await desk.handle_message("What is the status of my RMA?", session, context, hooks)
        prompt = await desk.rma_agent.get_system_prompt(
            desk.RunContextWrapper(desk.SupportContext("x", desk.TicketInfo(priority="high", category="rma",
                                                                            summary="s"))))
        return first, second, await session.get_items(), hooks.rows, prompt

    first, second, items, rows, prompt = asyncio.run(main())
    assert first.startswith("[RMA Analyst]") and "RMA-A1003" in first
    assert second.startswith("[RMA Analyst]") and "RMA-A1003" in second
    users = [i["content"] for i in items if i.get("role") == "user"]
    assert users == ["My earbuds from order A1003 are broken, I want to return them.", "What is the status of my RMA?"]
    assert any(r[1] == "tool" and r[2].endswith("my_rma_status") and r[3] is not None for r in rows)
    assert "priority: high" in prompt


# --- handoff customisations -----------------------------------------------------------------------------

REFUND = Agent(name="Refund agent", tools=[rma_tool], handoff_description="Handles refunds and returns (RMA).",
               instructions="You handle refunds.")


def run_with(triage: Agent, question, **kwargs):
    hooks = ModelCalls()
    result = asyncio.run(Runner.run(triage, question, hooks=hooks, **kwargs))
    return result, hooks


def triage_with(refund_handoff, tools=()):
    model = make_model()
    REFUND.model = model
    return Agent(name="Triage agent", model=model, tools=list(tools), handoffs=[refund_handoff],
                 instructions="Answer order questions; hand refunds to the Refund agent.")


def test_tool_name_override_and_input_type_reach_on_handoff():
    reasons = []

    from pydantic import BaseModel

    class Escalation(BaseModel):
        reason: str

    async def on_handoff(ctx, data: Escalation):
        reasons.append(data.reason)

    triage = triage_with(handoff(REFUND, tool_name_override="escalate_to_refunds", on_handoff=on_handoff,
                                 input_type=Escalation))
    result, hooks = run_with(triage, "I want a refund for order A1003.")
    call = next(i for i in result.new_items if isinstance(i, HandoffCallItem))
    assert call.raw_item.name == "escalate_to_refunds"
    assert reasons == ["refund"]  # a reason in a few words, not the whole message
    assert result.last_agent.name == "Refund agent"


def test_input_type_without_on_handoff_is_rejected():
    from pydantic import BaseModel

    class Escalation(BaseModel):
        reason: str

    with pytest.raises(UserError):
        handoff(REFUND, input_type=Escalation)


def _turn2():
    first, _ = run_with(triage_with(handoff(REFUND), tools=[order_tool]), "What is the status of order A1003?")
    return first.to_input_list() + [{"role": "user", "content": "It is broken, I want a refund for it."}]


def test_remove_all_tools_strips_tool_items_from_the_next_agents_input():
    turn2 = _turn2()
    _, plain = run_with(triage_with(handoff(REFUND), tools=[order_tool]), turn2)
    _, filtered = run_with(triage_with(handoff(REFUND, input_filter=handoff_filters.remove_all_tools),
                                       tools=[order_tool]), turn2)
    kinds = lambda items: [i.get("type", "message") for i in items]  # noqa: E731
    assert "function_call" in kinds(plain.inputs["Refund agent"])
    assert set(kinds(filtered.inputs["Refund agent"])) == {"message"}
    assert len(filtered.inputs["Refund agent"]) == 3


def test_nested_history_and_mapper():
    turn2 = _turn2()
    _, nested = run_with(triage_with(handoff(REFUND), tools=[order_tool]), turn2,
                         run_config=RunConfig(nest_handoff_history=True))
    received = nested.inputs["Refund agent"]
    assert len(received) == 1 and received[0]["role"] == "assistant"
    content = received[0]["content"]
    text = content if isinstance(content, str) else content[0]["text"]
    assert "<CONVERSATION HISTORY>" in text

    def users_only(transcript):
        return [item for item in transcript if item.get("role") == "user"]

    _, mapped = run_with(triage_with(handoff(REFUND), tools=[order_tool]), turn2,
                         run_config=RunConfig(nest_handoff_history=True, handoff_history_mapper=users_only))
    assert [i["role"] for i in mapped.inputs["Refund agent"]] == ["user", "user"]


def test_is_enabled_hides_the_handoff():
    def triage():  # a fresh client per asyncio.run: an AsyncOpenAI client belongs to one event loop
        return triage_with(handoff(REFUND, is_enabled=lambda ctx, agent: ctx.context["on_duty"]))

    enabled, _ = run_with(triage(), "I want a refund for order A1003.", context={"on_duty": True})
    disabled, hooks = run_with(triage(), "I want a refund for order A1003.", context={"on_duty": False})
    assert enabled.last_agent.name == "Refund agent"
    assert disabled.last_agent.name == "Triage agent"
    assert "Refund agent" not in hooks.agents


def test_agents_as_tools_keep_the_manager_in_charge():
    model = make_model()
    REFUND.model = model
    manager = Agent(name="Manager", model=model,
                    tools=[REFUND.as_tool(tool_name="refund_expert", tool_description="Handles refunds (RMA).")])
    result = asyncio.run(Runner.run(manager, "I want a refund for order A1003."))
    assert result.last_agent.name == "Manager"
    call = next(i for i in result.new_items if isinstance(i, ToolCallItem))
    assert call.tool_origin.to_json_dict()["type"] == "agent_as_tool"
    assert "RMA-A1003" in result.final_output


def test_course_server_file_is_a_service_not_a_lesson():
    from workbook.lessons import lessons

    assert SERVER not in lessons(CHAPTER)
    assert Path(CHAPTER / "support_desk_graph.png").read_bytes()[:4] == b"\x89PNG"


def test_the_course_mcp_server_needs_no_agents_sdk():
    """An MCP server serves plain functions: starting one must not import the Agents SDK."""
    import subprocess

    code = "import sys, course_mcp_server; print(sorted(m for m in ('agents', 'openai') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=CHAPTER, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr[-2000:]
    from workbook import course_tools

    assert course_tools.ALL_TOOLS[1] is course_tools.order_tool is order_tool  # each tool made once, then kept
