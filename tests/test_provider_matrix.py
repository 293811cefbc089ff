"""Every lesson on every provider profile: none fails, and the README's table is this run's.

One `python -m workbook run` per profile (`provider_runs`), with the offline model behaving as that
provider documents and a model name of that provider's shape. The "openai" profile's run is the
README's first command as a learner types it, so the main-job test reads that same run. Outputs are
not compared here: nbval already checks the stored outputs of the default profile.
"""

import nbformat
import pytest

from workbook.capabilities import needs_in
from workbook.lessons import run_notebook
from workbook.matrix import readme_table, run_matrix_runs, table
from workbook.offline.profiles import PROFILES

pytestmark = pytest.mark.lessons  # runs lessons: the session starts the fork server


@pytest.fixture(scope="module")
def provider_runs():
    return run_matrix_runs(list(PROFILES), [])


@pytest.fixture(scope="module")
def matrix(provider_runs):
    return {name: run.lessons for name, run in provider_runs.items()}


def test_the_main_job_runs_every_lesson_offline(provider_runs):
    """`python -m workbook run` with no arguments: the README's first command, on every lesson.

    It is the matrix's default column: one run serves both (and keeps them on one test worker).
    """
    from workbook.lessons import chapter_dirs, lessons

    expected = sum(len(lessons(chapter)) for chapter in chapter_dirs())
    main_job = provider_runs["openai"]
    assert main_job.returncode == 0, main_job.output[-3000:]
    assert f"{expected} passed, 0 failed" in main_job.output


def test_no_lesson_fails_on_any_profile(matrix):
    failed = {(profile, lesson) for profile, statuses in matrix.items()
              for lesson, status in statuses.items() if status == "failed"}
    assert not failed
    assert set(matrix["openai"].values()) == {"passed"}  # the full API: nothing to skip
    # the chat-only providers do skip the Responses lessons, and say so
    assert matrix["deepseek"]["01_models/01_02_responses_api.ipynb"] == "needs Responses API"
    assert matrix["siliconflow"]["02_tools/02_03_function_calling_responses.py"] == "needs Responses API"
    # named for the root cause: no Responses API at all, not only no stored responses
    assert matrix["deepseek"]["05_stream_events/05_04_conversations.ipynb"] == "needs Responses API"
    assert matrix["ollama"]["05_stream_events/05_04_conversations.ipynb"] == "needs stored responses"


def test_the_readme_table_is_generated_from_this_run(matrix):
    assert readme_table() == table(matrix), "run: python -m workbook matrix --write-readme"


def test_a_skipped_capability_is_its_own_status_not_a_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_OFFLINE", "1")
    monkeypatch.setenv("OFFLINE_MODEL_PROFILE", "deepseek")
    monkeypatch.delenv("OFFLINE_MODEL_NAME", raising=False)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import workbook\nworkbook.setup()\nif workbook.supports('responses_api', instead='see 01_01'):\n    1 / 0")]
    path = tmp_path / "99_01_needs.ipynb"
    nbformat.write(notebook, path)
    outcome = run_notebook(path)
    assert outcome.ok and outcome.needs == ["Responses API"] and outcome.status == "needs Responses API"
    assert needs_in("text\n[needs Responses API] x\n[needs stored responses] y\n[needs Responses API] z") == [
        "Responses API", "stored responses"]
