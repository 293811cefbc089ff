"""Helpers shared by the chat's tests and benchmarks: read an SSE body against the contract, and
run the chat app (and the offline model) as real processes on free loopback ports."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from workbook.mcp_process import stop_process
from workbook.offline import free_port

ROOT = Path(__file__).resolve().parents[1]
APP_DIR = ROOT / "07_projects" / "sse_chat"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))
from chat_events import EVENTS  # noqa: E402  (importable once APP_DIR is on the path)


def parse_sse(text: str) -> list[tuple[str, dict]]:
    """(event, data) pairs of an SSE body; each data is validated against its contract model."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if "event" in fields:
            model = EVENTS[fields["event"]]
            events.append((fields["event"], model.model_validate_json(fields["data"]).model_dump()))
    return events


def shape(events: list[tuple[str, dict]]) -> list[str]:
    """Event names with runs of text_delta collapsed, plus the agent/tool name where there is one."""
    out: list[str] = []
    for name, data in events:
        label = name + (f":{data['agent']}" if name == "agent_updated" else
                        f":{data['tool_name']}" if name.startswith(("tool_", "approval_")) else "")
        if not (out and label == "text_delta" and out[-1] == "text_delta"):
            out.append(label)
    return out


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: offline, and none of this shell's provider or chat settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHAT_", "OFFLINE_MODEL_"))}
    env.update({"WORKBOOK_OFFLINE": "1", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def limit_open_files(soft_limit: int):
    """A preexec_fn: the child starts with this soft limit on open file descriptors (`ulimit -n`)."""
    def apply() -> None:
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft_limit, hard), hard))
    return apply


def wait_until(condition, message: str, process: subprocess.Popen | None = None, limit: float = 120) -> None:
    """Poll a condition; the limit only stops a broken run from hanging (no timing is asserted)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert process is None or process.poll() is None, message + " (the process exited)"
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def uvicorn_process(tmp_path: Path, env: dict[str, str] | None = None, command: list[str] | None = None,
                    fd_limit: int | None = None, workers: int = 1):
    """`uvicorn app:app` from the app folder on a free port; yields (base_url, log path, process).
    `fd_limit` sets its soft limit of open files; `workers` > 1 runs that many worker processes."""
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    env = {**(env or server_env()), "CHAT_PORT": str(port)}
    env.setdefault("CHAT_DB_PATH", str(tmp_path / "chat.db"))
    command = command or [sys.executable, "-m", "uvicorn", "app:app", "--port", str(port),
                          *(["--workers", str(workers), "--timeout-worker-healthcheck", "60"] if workers > 1 else [])]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=APP_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   preexec_fn=limit_open_files(fd_limit) if fd_limit else None)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "server did not start: " + log_path.read_text()
            time.sleep(0.2)
        if workers > 1:  # every worker process started (uvicorn's supervisor spawns them)
            wait_until(lambda: len(psutil.Process(process.pid).children()) >= workers,
                       "not every worker started: " + log_path.read_text(), process)
        yield base, log_path, process
    finally:
        stop_process(process)


@contextmanager
def uvicorn_server(tmp_path: Path, env: dict[str, str] | None = None, command: list[str] | None = None,
                   workers: int = 1):
    """Like `uvicorn_process`; yields (base_url, log path)."""
    with uvicorn_process(tmp_path, env, command, workers=workers) as (base, log_path, _):
        yield base, log_path


@contextmanager
def model_process(delay_ms: float = 0):
    """The offline course model as its own process (`python -m workbook serve`); yields (base URL, port)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "workbook", "serve", "--port", str(port),
                                "--delay-ms", str(delay_ms)], cwd=ROOT, env=server_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until(lambda: ok(base + "/models"), "the model did not start", process)
        yield base, port
    finally:
        stop_process(process)


def external_model_env(model_url: str, **extra: str) -> dict[str, str]:
    """A chat server's environment for a model running in its own process."""
    env = server_env(OPENAI_BASE_URL=model_url, OPENAI_API_KEY="any-key-the-model-accepts",
                     OPENAI_MODEL_NAME="course-model", OPENAI_RESPONSES_API="true",
                     OPENAI_AGENTS_DISABLE_TRACING="1", **extra)
    env.pop("WORKBOOK_OFFLINE")
    return env
