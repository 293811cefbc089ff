"""The fork server starts each lesson as its own fresh process, exactly as `python` would, only sooner."""

import os
import signal
import subprocess
import sys
import time

import nbformat
import psutil
import pytest

from workbook.forkserver import ENV, ForkServer, available, launcher_argv
from workbook.lessons import run_notebook, run_script

pytestmark = [pytest.mark.lessons,
              pytest.mark.skipif(not available(), reason="the fork server is used on Linux only")]


@pytest.fixture(scope="module")
def fork_env():
    with ForkServer(dict(os.environ)) as server:
        yield server.env(dict(os.environ)), server


def run(args, env, **kwargs):
    return subprocess.run(launcher_argv(*args), env=env, capture_output=True, text=True, timeout=60, **kwargs)


def test_a_script_gets_its_arguments_folder_environment_streams_and_exit_code(fork_env, tmp_path):
    env, _ = fork_env
    script = tmp_path / "lesson.py"
    script.write_text(
        "import os, sys\n"
        "print(__name__, sys.argv, os.getcwd(), os.environ['LESSON_VALUE'], sys.path[0])\n"
        "print('typed:', input())\n"
        "print('to stderr', file=sys.stderr)\n"
        "print('preloaded' if 'agents' in sys.modules else 'imported fresh')\n"
        "sys.exit(7)\n")
    done = run([str(script), "one", "two"], {**env, "LESSON_VALUE": "from-the-launcher"}, cwd=tmp_path,
               input="hello\n")
    lines = done.stdout.splitlines()
    assert lines[0] == f"__main__ ['{script}', 'one', 'two'] {tmp_path} from-the-launcher {tmp_path}"
    assert lines[1:] == ["typed: hello", "preloaded"]  # the SDK was already in memory: it was forked
    assert done.stderr == "to stderr\n" and done.returncode == 7


def test_modules_and_code_run_as_with_python_m_and_c(fork_env, tmp_path):
    env, _ = fork_env
    (tmp_path / "local_module.py").write_text("import sys\nprint('module', __name__, sys.argv[1:])\n")
    assert run(["-m", "local_module", "x"], env, cwd=tmp_path).stdout == "module __main__ ['x']\n"
    assert run(["-c", "print(6 * 7)"], env, cwd=tmp_path).stdout == "42\n"
    failed = run(["-c", "raise ValueError('shown as python shows it')"], env, cwd=tmp_path)
    assert failed.returncode == 1 and "ValueError: shown as python shows it" in failed.stderr


def test_nothing_one_lesson_does_reaches_the_next(fork_env, tmp_path):
    env, _ = fork_env
    code = "import agents\nprint(getattr(agents, 'left_behind', 'clean'))\nagents.left_behind = 'dirty'"
    assert [run(["-c", code], env, cwd=tmp_path).stdout for _ in range(3)] == ["clean\n"] * 3


def test_the_lesson_process_is_a_child_of_the_server_and_ends_with_its_launcher(fork_env, tmp_path):
    env, server = fork_env
    code = ("import os, subprocess, sys, time\n"
            "helper = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            "print(os.getpid(), helper.pid, flush=True)\ntime.sleep(60)")
    launcher = subprocess.Popen(launcher_argv("-c", code), env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    try:
        lesson, helper = (psutil.Process(int(pid)) for pid in launcher.stdout.readline().split())
        assert lesson.ppid() == server.process.pid != launcher.pid
        launcher.kill()  # as Jupyter kills a kernel that will not shut down
        _, alive = psutil.wait_procs([lesson, helper], timeout=10)
        # the lesson and what it started go, as when Jupyter kills a kernel's process group
        assert [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    finally:
        launcher.kill()
        launcher.wait()
        launcher.stdout.close()


def test_an_interrupt_reaches_the_lesson_and_a_signal_death_is_reported_as_such(fork_env, tmp_path):
    env, _ = fork_env
    code = ("import time\ntry:\n    print('ready', flush=True)\n    time.sleep(60)\n"  # 'ready' inside the try
            "except KeyboardInterrupt:\n    print('interrupted', flush=True)\n")
    launcher = subprocess.Popen(launcher_argv("-c", code), env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    assert launcher.stdout.readline() == "ready\n"
    launcher.send_signal(signal.SIGINT)  # what "interrupt the kernel" sends
    assert launcher.stdout.readline() == "interrupted\n" and launcher.wait(30) == 0
    launcher.stdout.close()
    killed = run(["-c", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"], env, cwd=tmp_path)
    assert killed.returncode == -signal.SIGKILL


def test_notebook_kernels_and_lesson_scripts_are_forked_inside_fork_server(fork_env, tmp_path, monkeypatch):
    env, server = fork_env
    monkeypatch.setenv(ENV, env[ENV])
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import os, psutil\nprint(psutil.Process().ppid())")]
    path = tmp_path / "99_01_forked.ipynb"
    nbformat.write(notebook, path)
    assert run_notebook(path, write=True).ok
    printed = nbformat.read(path, as_version=4).cells[0].outputs[0]["text"]
    assert int(printed) == server.process.pid  # the kernel was forked by the server
    script = tmp_path / "99_02_forked.py"
    script.write_text(f"import psutil, sys\nsys.exit(0 if psutil.Process().ppid() == {server.process.pid} else 3)\n")
    assert run_script(script).ok


def test_without_a_server_the_launcher_runs_python_itself(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != ENV}
    started = time.perf_counter()
    done = run(["-c", "import sys; print(sys.executable)"], env, cwd=tmp_path)
    assert done.stdout.strip() == sys.executable and time.perf_counter() - started < 60
    with_dead_server = run(["-c", "print('still runs')"], {**env, ENV: str(tmp_path / "gone.sock")}, cwd=tmp_path)
    assert with_dead_server.stdout == "still runs\n"
