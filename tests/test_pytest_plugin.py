"""The suite's own guard: a test that leaves a process running fails the whole run."""

import os
import subprocess
import sys
import textwrap

import pytest


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist workers"])
def test_a_leftover_process_fails_the_run(tmp_path, workers):
    (tmp_path / "test_leaky.py").write_text(textwrap.dedent("""
        import subprocess, sys

        def test_starts_a_server_and_forgets_it():
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])

        def test_a_neighbour_that_is_fine():
            pass
    """))
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "workbook.pytest_plugin", "-p", "no:cacheprovider",
                           "-c", "/dev/null", "--rootdir", str(tmp_path), *workers, "test_leaky.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "WORKBOOK_LEFTOVER_GRACE_S": "1"})
    assert done.returncode == 1, done.stdout
    assert "processes left running after the tests" in done.stdout
    assert "time.sleep(120)" in done.stdout


def test_the_offline_model_is_forced_for_every_test():
    import os

    assert os.environ["WORKBOOK_OFFLINE"] == "1"
