"""The RMA support desk of the triage article, corrected and complete, as one program.

A blocking priority guardrail, the ticket in the run context, product and RMA specialists with
tools, a SQLiteSession for follow-up questions, exception handling and an SLA table from RunHooks.
"""

# ruff: noqa: E402  (workbook.setup() must run before the model is created, sections follow the lesson)
import asyncio
import os

import workbook

workbook.setup()  # loads .env; starts the offline course model if no provider is configured

from agents import OpenAIChatCompletionsModel, OpenAIResponsesModel  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402

client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
use_responses = os.environ.get("OPENAI_RESPONSES_API", "true") == "true"
model = (OpenAIResponsesModel if use_responses else OpenAIChatCompletionsModel)(os.environ["OPENAI_MODEL_NAME"], client)

# --- models
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel


class TicketInfo(BaseModel):
    priority: Literal["low", "medium", "high"]
    category: Literal["product", "rma", "other"]
    summary: str


@dataclass
class SupportContext:
    """The run context: yours, passed to every agent, tool, guardrail and hook of a run."""
    customer_id: str
    ticket: TicketInfo | None = None                       # set by the guardrail
    rmas: dict[str, str] = field(default_factory=dict)     # set by the RMA tool


# --- guardrail
from agents import Agent, GuardrailFunctionOutput, RunContextWrapper, Runner, input_guardrail

guardrail_agent = Agent(
    name="Priority Guardrail", model=model, output_type=TicketInfo,
    instructions="Classify the support request. category: product (stock, features, how to use), "
                 "rma (returns, refunds, broken items, RMA status) or other (sales, chit-chat). "
                 "priority: high if urgent or broken, else low or medium.")


def last_user_text(input_data) -> str:
    """The guardrail gets the run input: a string, or a list of items (e.g. with a session)."""
    if isinstance(input_data, str):
        return input_data
    content = [item for item in input_data if item.get("role") == "user"][-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


@input_guardrail(run_in_parallel=False)  # finish BEFORE the triage agent's model is called
async def priority_guardrail(ctx: RunContextWrapper[SupportContext], agent, input_data):
    result = await Runner.run(guardrail_agent, last_user_text(input_data), context=ctx.context)
    info = result.final_output_as(TicketInfo)
    ctx.context.ticket = info  # the context only holds what your code puts there
    return GuardrailFunctionOutput(output_info=info, tripwire_triggered=info.category == "other")


# --- specialists
from agents import function_tool, handoff
from agents.extensions.handoff_prompt import prompt_with_handoff_instructions

from workbook.course_tools import inventory_tool, open_rma


@function_tool
def open_rma_ticket(ctx: RunContextWrapper[SupportContext], order_id: str, reason: str) -> dict:
    """Open a return / refund (RMA) ticket for an order, with the customer's reason.

    Args:
        order_id: The order to return, e.g. "A1003".
        reason: Why the customer returns it.
    """
    rma = open_rma(order_id, reason)  # the course tool does the work
    if rma["rma_id"]:
        ctx.context.rmas[rma["rma_id"]] = rma["status"]  # remembered for this customer
    return rma


@function_tool
def my_rma_status(ctx: RunContextWrapper[SupportContext]) -> dict:
    """The status of this customer's RMA (return) tickets."""
    return {"rmas": [{"rma_id": k, "status": v, "refund": "within 3-5 working days"}
                     for k, v in ctx.context.rmas.items()] or "no RMA opened yet"}


def specialist_instructions(role: str):
    def instructions(ctx: RunContextWrapper[SupportContext], agent: Agent) -> str:
        ticket = ctx.context.ticket
        note = (f" Ticket priority: {ticket.priority}. Escalate to a human if it is high."
                if ticket else "")
        return f"You are the {role} of the ITS support desk.{note}"
    return instructions


product_agent = Agent[SupportContext](
    name="Product Specialist", model=model, tools=[inventory_tool],
    handoff_description="Product questions: stock, features, how to use a device.",
    instructions=specialist_instructions("product specialist"))
rma_agent = Agent[SupportContext](
    name="RMA Analyst", model=model, tools=[open_rma_ticket, my_rma_status],
    handoff_description="Returns, refunds, broken items and the status of RMA tickets.",
    instructions=specialist_instructions("RMA analyst"))

triage_agent = Agent[SupportContext](
    name="Support Triage", model=model,
    instructions=prompt_with_handoff_instructions(
        "Assess the request and hand it to the right specialist."),
    handoffs=[product_agent, handoff(rma_agent)],
    input_guardrails=[priority_guardrail])


# --- hooks
import time

from agents import RunHooks


class SlaHooks(RunHooks[SupportContext]):
    """Log agent start/end, model calls and tool timings: the raw data of an SLA table."""

    def __init__(self):
        self.rows = []          # (turn, event, name, milliseconds)
        self.turn = 0
        self._started = {}

    async def on_agent_start(self, context, agent):
        self._started[agent.name] = time.perf_counter()
        self.rows.append((self.turn, "agent start", agent.name, None))

    async def on_agent_end(self, context, agent, output):
        # Called only for the agent that gives the run's final output: triage never gets here.
        ms = (time.perf_counter() - self._started.pop(agent.name)) * 1000
        self.rows.append((self.turn, "agent end", agent.name, ms))

    async def on_llm_start(self, context, agent, system_prompt, input_items):
        self.rows.append((self.turn, "model call", agent.name, None))

    async def on_handoff(self, context, from_agent, to_agent):
        # An agent that hands off never "ends": its time runs from its start to the handoff.
        ms = (time.perf_counter() - self._started.pop(from_agent.name)) * 1000
        self.rows.append((self.turn, "handoff", f"{from_agent.name} -> {to_agent.name}", ms))

    async def on_tool_start(self, context, agent, tool):
        self._started[tool.name] = time.perf_counter()

    async def on_tool_end(self, context, agent, tool, result):
        ms = (time.perf_counter() - self._started.pop(tool.name)) * 1000
        self.rows.append((self.turn, "tool", f"{agent.name}: {tool.name}", ms))

    def print_table(self):
        print(f"{'turn':>4}  {'event':12} {'who':42} time")
        for turn, event, name, ms in self.rows:
            print(f"{turn:>4}  {event:12} {name:42} {'' if ms is None else f'{ms:.0f}ms'}")


# --- handle
from agents import SQLiteSession
from agents.exceptions import InputGuardrailTripwireTriggered, ModelBehaviorError


async def handle_message(message: str, session: SQLiteSession, context: SupportContext,
                         hooks: SlaHooks) -> str:
    hooks.turn += 1
    try:
        result = await Runner.run(triage_agent, message, session=session, context=context, hooks=hooks)
    except InputGuardrailTripwireTriggered as exc:
        info = exc.guardrail_result.output.output_info
        hooks.rows.append((hooks.turn, "rejected", f"guardrail: category={info.category}", None))
        return f"[rejected by the guardrail: category={info.category}] This desk handles product and RMA requests."
    except ModelBehaviorError as exc:  # e.g. the model called a tool that does not exist
        return f"[model error, logged for the CRM] {exc}"
    return f"[{result.last_agent.name}] {result.final_output}"


async def main():
    # The priority guardrail returns a TicketInfo: the provider must take response_format json_schema.
    if not workbook.supports("json_schema", instead="03_07 explains structured output and what to do without it."):
        return
    session = SQLiteSession("customer-42")  # SQLiteSession("customer-42", "support.db") keeps it on disk
    context = SupportContext(customer_id="customer-42")
    hooks = SlaHooks()
    for message in ["Chcę kupić nowy produkt",
                    "My earbuds from order A1003 are broken, I want to return them.",
                    "What is the status of my RMA?",
                    "Is the P200 smart watch in stock?"]:
        print("USER:", message)
        print("DESK:", await handle_message(message, session, context, hooks))
    print()
    hooks.print_table()


if __name__ == "__main__":
    asyncio.run(main())
