"""Loaded by pytest (see pyproject.toml): every test and notebook runs against the offline model.

A learner's `.env` may name a real provider; the tests must not spend their tokens, and stored
notebook outputs are what the offline model produces, so the suite forces it.
"""

import os
from contextlib import ExitStack

import pytest

_fork_server = None  # this process's fork server, if it started one (it lives until pytest_unconfigure)
_stop_fork_server = ExitStack()


def pytest_configure(config):
    os.environ["WORKBOOK_OFFLINE"] = "1"
    os.environ.pop("OFFLINE_MODEL_DELAY_MS", None)
    _start_kernels_like_jupyter()
    config.addinivalue_line("markers", "lessons: the test runs lesson notebooks or scripts")


def pytest_collection_finish(session):
    """Every kernel nbval starts, and every lesson a test runs, is forked from one warm process.

    A full run starts a few hundred lesson processes, and each would import the SDK again (about
    two seconds of CPU). See workbook/forkserver.py. The kernel is still a fresh ipykernel process
    in the same environment as pytest, which is what `--nbval-current-env` asks for. A session
    that runs no notebook and no test marked `lessons` does not start the server.
    """
    global _fork_server
    from workbook.forkserver import ENV, available, fork_server

    runs_lessons = any(type(item).__name__ == "NbCellItem" or item.get_closest_marker("lessons")
                       for item in session.items)
    if not runs_lessons or not available() or os.environ.get(ENV) or os.environ.get("WORKBOOK_NO_FORK_SERVER"):
        return
    _fork_server = _stop_fork_server.enter_context(fork_server())
    if _fork_server is not None and hasattr(session.config.option, "nbval_current_env"):
        session.config.option.nbval_current_env = False  # the "python3" kernel on JUPYTER_PATH is that kernel


def pytest_unconfigure(config):
    global _fork_server
    _stop_fork_server.close()
    _fork_server = None


def _start_kernels_like_jupyter() -> None:
    """Start nbval's kernels without PYTEST_CURRENT_TEST in their environment.

    With that variable set, ipykernel does not capture file-descriptor output, so the kernel's
    sys.stderr has no fileno(): a notebook that starts a subprocess inheriting stderr (an MCP stdio
    server, for one) then fails under pytest although it works in Jupyter. pytest sets the variable
    again right before nbval starts a kernel, so it is dropped around the kernel start itself.
    """
    try:
        from nbval import kernel as nbval_kernel
    except ImportError:
        return
    original = nbval_kernel.start_new_kernel

    def start_new_kernel(*args, **kwargs):
        saved = os.environ.pop("PYTEST_CURRENT_TEST", None)
        try:
            return original(*args, **kwargs)
        finally:
            if saved is not None:
                os.environ["PYTEST_CURRENT_TEST"] = saved

    nbval_kernel.start_new_kernel = start_new_kernel


_leftovers_of_workers: list[str] = []


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if any process the tests started is still alive: servers must be stopped.

    Every MCP server, uvicorn app, offline model and kernel a test or a lesson starts is a
    descendant of this process; after a short grace period none may remain. With pytest-xdist
    (`-n 2`) each test worker checks its own and the controller reports them all.
    """
    config = session.config
    if config.pluginmanager.hasplugin("dsession"):  # the xdist controller: its children are the workers
        names = _leftovers_of_workers
    else:
        names = _kill_leftovers()
        if hasattr(config, "workeroutput"):  # an xdist worker: the controller reports and fails the run
            config.workeroutput["leftover_processes"] = names
            return
    if not names:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_line("FAILED: processes left running after the tests (now killed):", red=True)
        for name in names:
            reporter.write_line(f"  {name}")
    session.exitstatus = 1


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """An xdist worker finished: keep what it found left running."""
    _leftovers_of_workers.extend(getattr(node, "workeroutput", {}).get("leftover_processes", []))


def _kill_leftovers() -> list[str]:
    import psutil

    def alive(processes):
        return [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    # The fork server itself stays until the end (pytest_unconfigure); the lessons it forked may not.
    server = _fork_server.process.pid if _fork_server is not None else None
    leftovers = [p for p in alive(psutil.Process().children(recursive=True)) if p.pid != server]
    if leftovers:
        grace = float(os.environ.get("WORKBOOK_LEFTOVER_GRACE_S") or 10)  # a process already exiting gets this long
        _, still = psutil.wait_procs(leftovers, timeout=grace)
        leftovers = alive(still)
    names = []
    for process in leftovers:
        try:
            names.append(f"pid {process.pid}: {' '.join(process.cmdline())[:120]}")
            process.kill()
        except psutil.Error:
            pass
    return names
