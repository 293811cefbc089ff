"""`python -m workbook run` reports failures honestly: a broken lesson is never "passed"."""

import nbformat
import pytest

from workbook.lessons import run_notebook, run_script

pytestmark = pytest.mark.lessons  # runs lessons: the session starts the fork server


def _notebook(path, cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


def test_a_failing_script_is_reported_with_its_last_line(tmp_path):
    script = tmp_path / "99_01_broken.py"
    script.write_text("print('working')\nraise SystemExit('the provider said no')\n")
    outcome = run_script(script)
    assert not outcome.ok
    assert "the provider said no" in outcome.detail


def test_a_hanging_script_times_out(tmp_path):
    script = tmp_path / "99_02_hangs.py"
    script.write_text("import time\ntime.sleep(60)\n")
    outcome = run_script(script, timeout=2)
    assert not outcome.ok and "timed out" in outcome.detail


def test_an_unmarked_error_fails_a_notebook_and_a_marked_one_does_not(tmp_path):
    broken = _notebook(tmp_path / "99_03_broken.ipynb", [nbformat.v4.new_code_cell("1 / 0")])
    outcome = run_notebook(broken)
    assert not outcome.ok and "ZeroDivisionError" in outcome.detail
    marked = _notebook(tmp_path / "99_04_marked.ipynb", [
        nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),
        nbformat.v4.new_code_cell("print('after the error')"),
    ])
    assert run_notebook(marked).ok


def test_execute_stores_outputs_and_drops_metadata_noise(tmp_path):
    notebook = _notebook(tmp_path / "99_05_store.ipynb", [nbformat.v4.new_code_cell("print(6 * 7)")])
    assert run_notebook(notebook, write=True).ok
    stored = nbformat.read(notebook, as_version=4)
    assert stored.cells[0].outputs[0]["text"] == "42\n"
    assert stored.cells[0].execution_count == 1
    assert set(stored.metadata) == {"kernelspec", "language_info"}


def test_a_lesson_runs_for_one_workbook_run_at_a_time(tmp_path):
    """Two runs of one chapter at once would delete each other's files (05_04 starts its SQLite afresh)."""
    import subprocess
    import sys
    import threading

    from workbook.lessons import lesson_lock

    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom pathlib import Path\nfrom workbook.lessons import lesson_lock\n"
        f"with lesson_lock(Path({str(tmp_path)!r})):\n    print('held', flush=True)\n    sys.stdin.readline()\n")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    got_it = threading.Event()

    def take():
        with lesson_lock(tmp_path):
            got_it.set()

    taker = threading.Thread(target=take)
    taker.start()
    assert not got_it.wait(1.0)  # the other process holds the lesson
    holder.communicate("done\n", timeout=30)
    assert got_it.wait(30)  # and it is ours once they let go
    taker.join()
