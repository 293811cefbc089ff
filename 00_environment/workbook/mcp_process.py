"""Start an MCP server script as a subprocess on a free loopback port, and always stop it.

Lessons about the HTTP transports need a server running *beside* the agent. This keeps them short:

    from workbook.mcp_process import start_mcp_server

    with start_mcp_server("course_mcp_server.py", transport="streamable-http") as server:
        print(server.url)          # http://127.0.0.1:<port>/mcp, already accepting connections
        ...
    # the process is gone here

    server = start_mcp_server("course_mcp_server.py", transport="sse")   # notebook style
    ...
    server.stop()                  # also runs at interpreter exit if forgotten

The script must accept `--transport` and `--port` (as `06_mcp_multi_agent/course_mcp_server.py`
does). Its output goes to a log file, never to the terminal or a notebook, and is shown in the
error if the server fails to come up.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .offline import free_port

PATHS = {"streamable-http": "/mcp", "sse": "/sse"}
_running: set[McpProcess] = set()


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Ask a server process to exit, kill it if it does not within `timeout`, and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


class McpProcess:
    """A running MCP server subprocess: `.url`, `.port`, `.pid`, `.stop()`; a context manager."""

    def __init__(self, script: Path, transport: str, port: int, args: list[str]):
        self.script, self.transport, self.port = script, transport, port
        self.url = f"http://127.0.0.1:{port}{PATHS[transport]}"
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            [sys.executable, str(script), "--transport", transport, "--port", str(port), *args],
            cwd=script.parent, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        _running.add(self)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def wait_until_ready(self, timeout: float = 30.0) -> McpProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"MCP server {self.script.name} exited early:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"MCP server {self.script.name} did not listen on port {self.port}:\n{self.log()}")

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        """Terminate (then kill if needed) and reap the process. Safe to call twice."""
        stop_process(self._process)
        _running.discard(self)

    def __enter__(self) -> McpProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<McpProcess {self.script.name} {self.transport} {self.url} {state}>"


def start_mcp_server(script: str | Path, transport: str = "streamable-http", port: int | None = None,
                     args: list[str] | None = None, timeout: float = 30.0) -> McpProcess:
    """Start `python script --transport T --port P [args]`, wait until it accepts connections."""
    if transport not in PATHS:
        raise ValueError(f"transport must be one of {sorted(PATHS)} (stdio servers are started by the client)")
    process = McpProcess(Path(script).resolve(), transport, port or free_port(), list(args or []))
    return process.wait_until_ready(timeout)


@atexit.register
def _stop_all() -> None:
    for process in list(_running):
        process.stop()
