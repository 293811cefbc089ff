"""The ITS desk's API: a FastAPI app with an MCP server mounted inside it (mcp 2.x).

    python desk_mcp_api.py            # http://127.0.0.1:8940/api/health and MCP at http://127.0.0.1:8940/desk/mcp

The seed (§4.1, step 1) wanted exactly this: the tools served over MCP from the same web service
as the rest of the desk's API. The MCP server offers all three things MCP has:
- tools (`@mcp.tool()`): functions the model may call;
- prompts (`@mcp.prompt()`): instruction templates the server owns, filled in by the client;
- resources (`@mcp.resource(uri)`): documents the client can read, such as the refund policy.

Mounting: `mcp.streamable_http_app()` is a Starlette app whose lifespan starts the MCP session
manager. FastAPI does not run the lifespan of a mounted app, so the FastAPI app's own lifespan must
run `mcp.session_manager.run()`, or every MCP request fails with "Task group is not initialized".
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from mcp.server.mcpserver import MCPServer

from workbook import course_tools

HOST, PORT = "127.0.0.1", 8940  # loopback only
REFUND_POLICY = """ITS refund policy (退款政策)
- Refunds within 30 days of delivery, to the original payment method.
- Up to 500 CNY the desk refunds directly; above that a supervisor approves.
- Cancelled orders are refunded automatically; no RMA is needed."""

mcp = MCPServer("ITS desk", instructions="Orders, refunds and weather for the ITS customer-service desk.",
                log_level="WARNING")  # no log line per request in the terminal or a notebook


@mcp.tool()
def query_order(order_id: str) -> dict:
    """Look up an order's status and delivery estimate by its order id (查询订单状态).

    Args:
        order_id: The order id, e.g. "A1001".
    """
    return course_tools.query_order(order_id)


@mcp.tool()
def open_rma(order_id: str, reason: str) -> dict:
    """Open a return (RMA) for an order, with the customer's reason (申请退货).

    Args:
        order_id: The order id, e.g. "A1001".
        reason: Why the customer returns it.
    """
    return course_tools.open_rma(order_id, reason)


@mcp.prompt()
def desk_instructions(language: str = "English") -> str:
    """The desk agent's instructions, owned by the server so every client uses the same ones."""
    return (f"You are the ITS customer-service desk. Answer in {language}. Use the tools for order data; "
            "open a return only when the customer asks for one, and quote the refund policy when relevant.")


@mcp.resource("policy://refunds", name="refund_policy", mime_type="text/plain")
def refund_policy() -> str:
    """The current refund policy."""
    return REFUND_POLICY


@mcp.resource("orders://{order_id}", name="order", mime_type="application/json")
def order_resource(order_id: str) -> str:
    """One order as a JSON document (a resource template: the id is part of the URI)."""
    return json.dumps(course_tools.query_order(order_id))


mcp_app = mcp.streamable_http_app(host=HOST)  # serves /mcp; also creates mcp.session_manager


@asynccontextmanager
async def lifespan(app: FastAPI):
    async with mcp.session_manager.run():  # the mounted app's lifespan, which FastAPI would skip
        yield


app = FastAPI(title="ITS desk API", lifespan=lifespan)
app.mount("/desk", mcp_app)  # MCP endpoint: /desk/mcp


@app.get("/api/health")
def health() -> dict:
    """An ordinary REST route beside the MCP server."""
    return {"status": "ok", "mcp": "/desk/mcp"}


if __name__ == "__main__":
    uvicorn.run(app, host=HOST, port=PORT, log_level="warning")
