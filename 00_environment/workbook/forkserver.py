"""Start lesson processes in a fraction of the time: import the heavy packages once, fork per lesson.

Every lesson is its own process (a Jupyter kernel for a notebook, `python script.py` for a script),
and each one spends about two seconds of CPU importing the same packages before its first line:
the Agents SDK, openai, IPython, the offline model. Checking 60 lessons on 6 provider profiles
pays that several hundred times. A fork server pays it once:

* `ForkServer()` starts `python -m workbook.forkserver SOCKET`, which imports those packages and
  waits on a Unix socket;
* a lesson process is started as `python -I -S launch.py <the usual arguments>` (`launch.py` is a
  few lines of the standard library). It sends its arguments, environment, working folder and its
  stdin/stdout/stderr to the server, which forks: the copy becomes the lesson's process, with the
  packages already in memory, and runs the arguments exactly as `python` would (`-m module` or a
  script). Signals sent to the launcher (a kernel interrupt) are passed on; its exit code is the
  lesson's; if the launcher is killed, the server kills the lesson.

Each lesson still gets a fresh process: nothing a lesson does reaches the next one. Without a
server (no `WORKBOOK_FORK_SERVER` in the environment, or not on Linux),
`launch.py` simply runs `python <arguments>`. It is used on Linux only (see `available`).
"""

from __future__ import annotations

import importlib
import json
import os
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "WORKBOOK_FORK_SERVER"  # the socket's path, for launch.py
LAUNCH = Path(__file__).with_name("forkserver_launch.py")
# Imported once by the server; every lesson process starts with them in memory. Not
# `ipykernel.kernelapp`: its settings read the environment when the module is imported
# (JPY_PARENT_PID), so each kernel imports that small module itself, with its own environment.
PRELOAD = [
    # the standard library and the HTTP stack
    "asyncio", "json", "ssl", "sqlite3", "concurrent.futures", "encodings.idna", "pydantic", "jiter",
    "anyio._backends._asyncio", "h11", "httpx", "httpcore2", "truststore", "uvloop", "httptools",
    # openai, with the modules it loads on a client's first request
    "openai", "openai.pagination", "openai._websocket_connection", "openai.resources.chat",
    "openai.resources.chat.completions.completions", "openai.resources.responses",
    "openai.resources.responses.responses", "openai.lib.streaming.chat", "openai.lib.streaming.responses",
    "openai.lib._parsing._responses", "openai.lib._chat_completion_resources", "openai.lib._response_resources",
    # the SDK, MCP, the servers the lessons start, Jupyter, the course's own package
    "agents", "mcp", "mcp.server.mcpserver", "fastapi", "uvicorn", "uvicorn.loops.auto",
    "uvicorn.protocols.http.auto", "uvicorn.protocols.websockets.auto", "uvicorn.lifespan.on", "rich", "dotenv",
    "graphviz", "IPython", "ipykernel.ipkernel", "ipykernel.zmqshell",
    "workbook", "workbook.offline", "workbook.offline.app", "workbook.course_tools",
]
HEADER = struct.Struct("!i")  # a length, a pid or an exit code (negative: killed by that signal)


def available() -> bool:
    # Linux only: Windows has no fork, and on macOS forking a process that has loaded system
    # frameworks (the ssl trust store does) is unsafe; both simply start lessons the usual way.
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds")


def launcher_argv(*args: str) -> list[str]:
    """The command line that runs `python *args` through the fork server (or plainly, without one)."""
    return [sys.executable, "-I", "-S", str(LAUNCH), *args]


class ForkServer:
    """The server as a context manager: `with ForkServer(env) as server: env = server.env(env)`."""

    def __init__(self, env: dict[str, str] | None = None):
        self.folder = tempfile.mkdtemp(prefix="workbook-fork-")
        self.path = os.path.join(self.folder, "server.sock")
        _write_kernelspec(Path(self.folder))
        self.process = subprocess.Popen([sys.executable, "-m", "workbook.forkserver", self.path], env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        ready = self.process.stdout.readline()  # one line once the packages are imported and it listens
        if ready.strip() != "ready":
            self.close()
            raise RuntimeError(f"the fork server did not start (it said {ready!r})")

    def env(self, env: dict[str, str]) -> dict[str, str]:
        """`env` plus what sends lessons here: the socket, and a "python3" kernel that uses launch.py."""
        jupyter_path = os.pathsep.join(p for p in (self.folder, env.get("JUPYTER_PATH", "")) if p)
        return {**env, ENV: self.path, "JUPYTER_PATH": jupyter_path}

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # it kills the lesson processes it still has
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def fork_server(enabled: bool = True) -> Iterator[ForkServer | None]:
    """Inside the `with`, lessons this process starts (scripts, notebook kernels) are forked.

    Nothing happens when disabled, on a system without fork, or when a server is already set up
    by a parent process (the tests start one for the whole session).
    """
    if not enabled or not available() or os.environ.get(ENV):
        yield None
        return
    from .lessons import lesson_env

    saved = {name: os.environ.get(name) for name in (ENV, "JUPYTER_PATH")}
    with ForkServer(lesson_env()) as server:
        os.environ.update(server.env(dict(os.environ)))
        try:
            yield server
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _write_kernelspec(folder: Path) -> None:
    """A "python3" kernel that starts through launch.py; JUPYTER_PATH puts it before the installed one."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = launcher_argv("-m", "ipykernel_launcher", "-f", "{connection_file}")
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3 (ipykernel)",
                                                  "language": "python", "metadata": {"debugger": True}}))


# ---------- the server ----------

def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """One request: a length-prefixed JSON message, with the launcher's stdin/stdout/stderr."""
    data, fds, _, _ = socket.recv_fds(conn, 65536, 3)
    while len(data) < HEADER.size or len(data) < HEADER.size + HEADER.unpack_from(data)[0]:
        more = conn.recv(65536)
        if not more:
            raise ConnectionError("the launcher left mid-request")
        data += more
    size = HEADER.unpack_from(data)[0]
    return json.loads(data[HEADER.size:HEADER.size + size]), fds


def _become_lesson(request: dict, fds: list[int]) -> None:
    """In the forked copy: take the launcher's place and run its arguments as `python` would. Never returns."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.setsid()  # like a kernel started by Jupyter: its own session, out of the terminal's Ctrl-C
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(number, signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        args = request["args"]
        import runpy

        if args[0] == "-c":
            sys.argv = ["-c", *args[2:]]
            sys.path[0] = ""
            exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
        elif args[0] == "-m":
            sys.argv = [args[1], *args[2:]]
            sys.path[0] = os.getcwd()  # as `python -m`: the current folder first
            runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(args)
            sys.path[0] = os.path.dirname(os.path.abspath(args[0]))  # as `python script.py`
            runpy.run_path(args[0], run_name="__main__")
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if exit_.code is not None and not isinstance(exit_.code, int):
            print(exit_.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        # What the interpreter does at exit (as multiprocessing's children do): wait for non-daemon
        # threads, run atexit handlers, flush the streams. Then leave without unwinding the server's stack.
        try:
            import atexit
            import threading

            threading._shutdown()
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _build_deferred_models() -> None:
    """Build the validators openai and the SDK leave for first use (pydantic's `defer_build`).

    A lesson's first model call would otherwise spend about half a second of CPU building the
    validators of the response types; built here once, every forked lesson starts with them.
    """
    import pydantic

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for model in set(subclasses(pydantic.BaseModel)):
        if model.__module__.startswith(("openai.types", "agents", "mcp")):
            try:
                model.model_rebuild()
                model.__pydantic_validator__.validate_python  # noqa: B018  (touching it builds a deferred one)
            except Exception:  # a model that cannot be built yet (a forward reference): built on first use
                pass


def _kill(pid: int) -> None:
    """A lesson and the processes it started (its group), or the lesson alone if it has no group yet."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def serve(path: str) -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # an optional package: the lesson imports it itself
            pass
    try:
        from workbook.offline import language

        language.warm_up(background=False)  # the Chinese-English index, loaded once for every lesson
    except Exception:
        pass
    _build_deferred_models()

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    wake_read, wake_write = os.pipe()  # SIGCHLD wakes the loop: a lesson ended
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    lessons: dict[int, socket.socket] = {}  # pid -> its launcher's connection
    print("ready", flush=True)

    while not stopping:
        for key, _ in selector.select(timeout=1.0):
            if key.data == "accept":
                conn, _ = listener.accept()
                try:
                    request, fds = _receive(conn)
                except (OSError, ValueError):
                    conn.close()
                    continue
                sys.stdout.flush()
                pid = os.fork()
                if pid == 0:  # the lesson: drop everything of the server's
                    selector.close()
                    listener.close()
                    for other in lessons.values():
                        other.close()
                    conn.close()
                    os.close(wake_read)
                    os.close(wake_write)
                    _become_lesson(request, fds)
                for fd in fds:
                    os.close(fd)
                conn.sendall(HEADER.pack(pid))
                lessons[pid] = conn
                selector.register(conn, selectors.EVENT_READ, pid)
            elif key.data == "wake":
                os.read(wake_read, 4096)
            else:  # a launcher's connection closed early: it was killed, so its lesson goes too
                pid = key.data  # with the processes it started, as killing a kernel's process group does
                selector.unregister(key.fileobj)
                _kill(pid)
        # Lessons that ended: tell their launchers the exit status.
        for pid in list(lessons):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, 0
            if done:
                conn = lessons.pop(pid)
                if conn in selector.get_map():  # not when its launcher already left
                    selector.unregister(conn)
                try:
                    conn.sendall(HEADER.pack(os.waitstatus_to_exitcode(status)))
                except OSError:
                    pass
                conn.close()
    for pid in lessons:  # the server is stopping: no lesson outlives it
        _kill(pid)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    listener.close()


if __name__ == "__main__":
    serve(sys.argv[1])
