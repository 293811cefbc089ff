"""Finding and executing the lessons: scripts as subprocesses, notebooks with nbclient."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .capabilities import needs_in

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ["00_environment", "01_models", "02_tools", "03_agents", "04_output_items",
            "05_stream_events", "06_mcp_multi_agent", "07_projects"]
LESSON_PATTERN = "[0-9][0-9]_[0-9][0-9]_*"
# Scripts that start a server and wait for requests: run as a service by their own tests.
SERVICES = {"app.py", "server.py"}


@dataclass
class Outcome:
    lesson: str
    ok: bool
    seconds: float
    detail: str = ""
    needs: list[str] = field(default_factory=list)  # capabilities the provider lacked (cells it skipped)

    @property
    def status(self) -> str:
        """"passed", "failed", or "needs Responses API" for a lesson that ran but skipped cells."""
        if not self.ok:
            return "failed"
        return "needs " + ", ".join(self.needs) if self.needs else "passed"


def chapter_dirs(names: list[str] | None = None) -> list[Path]:
    if not names:
        return [ROOT / c for c in CHAPTERS if (ROOT / c).is_dir()]
    found = []
    for name in names:
        matches = [c for c in CHAPTERS if c == name or c.startswith(name.rstrip("/") + "_") or c[:2] == name]
        if not matches:
            raise SystemExit(f"unknown chapter {name!r}; chapters are: {', '.join(CHAPTERS)}")
        found.extend(ROOT / m for m in matches)
    return found


@contextmanager
def lesson_lock(lesson: Path) -> Iterator[None]:
    """Hold a lesson against other `workbook run`s on this machine (the provider matrix runs six).

    A lesson may write files beside it (05_04 starts its SQLite file afresh): two runs of the same
    lesson at once would delete each other's. A lock file per lesson in the temp folder, released
    when the process ends however it ends. Without fcntl (Windows) there is no lock.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    name = hashlib.sha256(str(lesson.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"workbook-lesson-{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lessons(chapter: Path) -> list[Path]:
    """A chapter's lesson notebooks and scripts, in lesson order (notebook before script)."""
    files = [p for p in chapter.glob(LESSON_PATTERN) if p.suffix in (".ipynb", ".py")]
    return sorted(files, key=lambda p: (p.stem, p.suffix != ".ipynb"))


def lesson_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.pop("OFFLINE_MODEL_DELAY_MS", None)  # no typewriter pauses when checking lessons
    # Run lessons as a learner does, even from inside pytest: with this variable set, ipykernel does
    # not capture file-descriptor output, and a notebook starting an MCP stdio server fails.
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def run_script(path: Path, timeout: float = 180) -> Outcome:
    from .forkserver import ENV, launcher_argv

    start = time.perf_counter()
    # Through the fork server when one is running (`workbook run`, the tests): the same script,
    # the same fresh process, without importing the SDK all over again.
    command = launcher_argv(path.name) if os.environ.get(ENV) else [sys.executable, path.name]
    try:
        done = subprocess.run(command, cwd=path.parent, env=lesson_env(),
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Outcome(_label(path), False, time.perf_counter() - start, f"timed out after {timeout:.0f}s")
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        return Outcome(_label(path), False, seconds, f"exit {done.returncode}: {tail[0]}")
    return Outcome(_label(path), True, seconds, needs=needs_in(done.stdout))


def run_notebook(path: Path, timeout: float = 180, write: bool = False) -> Outcome:
    """Execute every cell; cells tagged `raises-exception` may raise, nothing else may."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    start = time.perf_counter()
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        # The kernel's own stderr holds only Jupyter's start-up warnings; cell output is captured apart.
        client.execute(env=lesson_env(), stderr=subprocess.DEVNULL)
    except CellExecutionError as error:
        message = str(error).strip().splitlines()
        return Outcome(_label(path), False, time.perf_counter() - start, message[-1] if message else "cell failed")
    except Exception as error:  # a kernel that died or timed out
        return Outcome(_label(path), False, time.perf_counter() - start, f"{type(error).__name__}: {error}")
    if write:
        nbformat.write(clean(notebook), path)
    printed = "".join(_text(output) for cell in notebook.cells for output in cell.get("outputs", []))
    return Outcome(_label(path), True, time.perf_counter() - start, needs=needs_in(printed))


def _text(output) -> str:
    text = output.get("text", "") if output.get("output_type") == "stream" else ""
    return "".join(text) if isinstance(text, list) else text


def clean(notebook):
    """Keep outputs and execution counts; drop metadata that changes on every run."""
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags")
        cell.metadata = {"tags": tags} if tags else {}
        for output in cell.get("outputs", []):
            if "metadata" in output:
                output["metadata"] = {}
    return notebook


def _label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"
