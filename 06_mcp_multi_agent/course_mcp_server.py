"""The ITS desk's tools as a real MCP server (mcp 2.x), over stdio, streamable HTTP or SSE.

    python course_mcp_server.py                                   # stdio (a client starts it)
    python course_mcp_server.py --transport streamable-http --port 8931   # http://127.0.0.1:8931/mcp
    python course_mcp_server.py --transport sse --port 8932               # http://127.0.0.1:8932/sse
    python course_mcp_server.py --service finance --transport streamable-http --port 8933

`--service` picks which department this process plays (the seed's weather / orders / finance
services): `desk` (default) serves weather and orders, the others one area each.

The seed's server (`from agents.mcp import MCPServer`, `@tool`, `app.mount("/mcp", ...)`) does not
run: `agents.mcp.MCPServer` is the *client* side, and mcp 2.x renamed FastMCP to
`mcp.server.mcpserver.MCPServer`. The tools themselves are the course's plain functions.
"""

from __future__ import annotations

import argparse

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings

from workbook import course_tools

SERVICES = {
    "desk": ("ITS desk tools", [course_tools.get_weather, course_tools.query_order]),
    "weather": ("Weather service", [course_tools.get_weather]),
    "orders": ("Order service", [course_tools.query_order, course_tools.open_rma]),
    "finance": ("Finance service", [course_tools.calculate_price, course_tools.convert_currency]),
}

HOST = "127.0.0.1"  # loopback only: nothing on the network can reach the tools
# DNS-rebinding protection: a web page could otherwise make a browser on this machine call the
# server through a hostile domain that resolves to 127.0.0.1. mcp 2.x turns this on by itself
# for a loopback host; spelling it out documents what is accepted.
SECURITY = TransportSecuritySettings(
    enable_dns_rebinding_protection=True,
    allowed_hosts=["127.0.0.1:*", "localhost:*"],
    allowed_origins=["http://127.0.0.1:*", "http://localhost:*"],
)


def build_server(service: str = "desk") -> MCPServer:
    title, functions = SERVICES[service]
    # log_level WARNING: no per-request log lines on the terminal (or in a notebook's output).
    mcp = MCPServer(title, instructions=f"{title} of the ITS customer-service desk.", log_level="WARNING")
    for function in functions:
        mcp.tool()(function)  # the same as writing @mcp.tool() above the function
    return mcp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transport", choices=["stdio", "streamable-http", "sse"], default="stdio")
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--service", choices=sorted(SERVICES), default="desk")
    args = parser.parse_args()
    mcp = build_server(args.service)
    if args.transport == "stdio":
        mcp.run()  # JSON-RPC over this process's stdin/stdout
    else:
        mcp.run(transport=args.transport, host=HOST, port=args.port, transport_security=SECURITY)


if __name__ == "__main__":
    main()
