"""A machine with only Python: no Graphviz, no Chromium. Lessons still run; browser tests skip with one line
outside CI and fail with CI=true (tests/browser.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser import require_dot

ROOT = Path(__file__).resolve().parents[1]
SUPPORT_DESK = ROOT / "06_mcp_multi_agent" / "06_07_support_desk.ipynb"


def test_the_agent_graph_is_drawn_where_graphviz_is_installed():
    require_dot()  # a skip on a Python-only machine, a failure in CI
    from agents import Agent
    from agents.extensions.visualization import draw_graph

    png = draw_graph(Agent(name="Desk", handoffs=[Agent(name="Refunds")])).pipe(format="png")
    assert png[:4] == b"\x89PNG"


def test_06_07_without_graphviz_prints_the_dot_source_and_how_to_install_it(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    from workbook.lessons import lesson_env

    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` (nor anything else) on the PATH
    notebook = nbformat.read(SUPPORT_DESK, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(SUPPORT_DESK.parent)}})
    client.execute(env=lesson_env(), stderr=subprocess.DEVNULL)  # any unmarked error raises here
    graph_cells = {c.id: c for c in notebook.cells if c.id in ("46ae4bae", "30567197")}
    text = "".join(o.get("text", "") for c in graph_cells.values() for o in c.outputs)
    assert "Graphviz is not installed" in text and "apt-get install graphviz" in text
    assert "digraph G" in text  # the DOT source still shows the graph


def _browser_test(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_CURRENT_TEST")}
    env.update({"WORKBOOK_CHROMIUM": "none", **env_extra})
    return subprocess.run([sys.executable, "-m", "pytest", "tests/test_07_browser.py", "-p", "no:randomly",
                           "-p", "no:cacheprovider", "-q", "-rs", "-k", "markup_renders_inert or errors_are_shown"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("ci", [False, True])
def test_without_a_browser_the_browser_tests_skip_outside_ci_and_fail_in_ci(ci):
    done = _browser_test({"CI": "true"} if ci else {})
    if ci:
        assert done.returncode != 0 and "CI=true and no Chromium for the browser tests" in done.stdout
    else:
        assert done.returncode == 0, done.stdout[-2000:]
        skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
        assert len(skips) == 2 and all("playwright install chromium" in line for line in skips), done.stdout
        assert "failed" not in done.stdout and "passed" not in done.stdout
