"""Pause a refund for approval, save the run, and finish it in a NEW process.

    python 03_09_human_approval.py

The first process runs the desk until the model asks for a large refund, saves the paused run
(`RunState.to_string()`) to a file in a temporary folder and starts a second Python process. The
second process builds the same agent, loads the state, approves the refund and prints the answer.
In a real desk the file is a database row and the second process is the supervisor's request.
"""

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from agents import Agent, OpenAIChatCompletionsModel, Runner, RunState, function_tool
from openai import AsyncOpenAI

import workbook

REFUND_LIMIT_CNY = 500


async def refund_over_limit(ctx, arguments: dict, call_id: str) -> bool:
    return arguments["amount"] > REFUND_LIMIT_CNY


@function_tool(needs_approval=refund_over_limit)
def refund_order(order_id: str, amount: int) -> dict:
    """Refund money for an order (退款).

    Args:
        order_id: The order id, e.g. "A1001".
        amount: The amount to refund, in whole CNY.
    """
    return {"order_id": order_id, "refunded_cny": amount, "status": "refunded"}


def build_desk() -> Agent:
    """Both processes build the same agent: a saved state names its agent and tools, it does not hold them."""
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return Agent(
        name="Refund desk",
        instructions="You are the ITS refund desk. Use the tools to refund orders.",
        model=OpenAIChatCompletionsModel(model=os.environ["OPENAI_MODEL_NAME"], openai_client=client),
        tools=[refund_order],
    )


async def pause_and_save(folder: Path) -> Path:
    result = await Runner.run(build_desk(), "Please refund 899 CNY for order A1002")
    for item in result.interruptions:
        print(f"[process {os.getpid()}] paused: {item.name} {item.arguments} waits for approval")
    path = folder / "paused_run.json"
    path.write_text(result.to_state().to_string(), encoding="utf-8")
    print(f"[process {os.getpid()}] saved the paused run ({path.stat().st_size} bytes)")
    return path


async def resume(path: Path) -> None:
    desk = build_desk()
    state = await RunState.from_string(desk, path.read_text(encoding="utf-8"))
    for item in state.get_interruptions():
        print(f"[process {os.getpid()}] supervisor approves {item.name} {item.arguments}")
        state.approve(item)
    result = await Runner.run(desk, state)
    print(f"[process {os.getpid()}] answer: {result.final_output}")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = await pause_and_save(Path(folder))
        # A new interpreter: nothing of this process's memory survives, only the saved file.
        subprocess.run([sys.executable, __file__, "--resume", str(path)], check=True)


if __name__ == "__main__":
    # The child reads the same .env, so it talks to the same provider (offline: its own copy of the
    # deterministic course model, which answers the resumed run exactly as the first one would).
    workbook.setup()
    if sys.argv[1:2] == ["--resume"]:
        asyncio.run(resume(Path(sys.argv[2])))
    else:
        asyncio.run(main())
