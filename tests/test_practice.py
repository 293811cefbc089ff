"""The practice track: every exercise of every `workbook/practice/lessons/lNN_MM.py` module.

Each check passes on its solution and fails, with feedback, on the untouched starter and on each
listed wrong answer. The notebooks are in step with the modules, the student copies store the
stub's feedback and the solution notebooks store a pass.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import subprocess
import sys

import pytest

import workbook
from workbook.lessons import ROOT
from workbook.practice import build
from workbook.practice.core import Result

pytestmark = pytest.mark.lessons  # runs lessons: the session starts the fork server

LESSONS = build.discover()
EXERCISES = [(lesson, exercise) for lesson in LESSONS for exercise in lesson.exercises]
CASES = [(lesson, exercise, kind, code) for lesson, exercise in EXERCISES
         for kind, code in [("solution", exercise.solution), ("starter", exercise.starter),
                            *[(f"wrong: {label}", code) for label, code in exercise.wrong_answers]]]


def _setup_source(lesson) -> str:
    notebook = json.loads(lesson.notebook.read_text(encoding="utf-8"))
    source = lesson.setup or "".join(next(c["source"] for c in notebook["cells"] if c["cell_type"] == "code"))
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))  # no IPython magics


async def _run_cell(source: str, namespace: dict, mode: str = "exec"):
    """Run a notebook cell's code as IPython would: top-level `await` allowed."""
    code = compile(source, "<cell>", mode, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    value = eval(code, namespace)  # noqa: S307 - the course's own cell code
    return await value if inspect.iscoroutine(value) else value


async def _outcome(lesson, exercise, code: str) -> Result:
    assert lesson.notebook.exists(), f"{lesson.module} has no single lesson notebook {lesson.lesson}_*.ipynb"
    namespace: dict = {"__name__": "__main__"}
    await _run_cell(_setup_source(lesson), namespace)
    await _run_cell(code, namespace)
    await _run_cell(build.check_source(lesson, exercise).split("\n\n")[0], namespace)  # the import line
    return await _run_cell(exercise.check, namespace, mode="eval")


@pytest.fixture(scope="module", autouse=True)
def offline_model():
    workbook.setup(quiet=True)


@pytest.mark.parametrize("lesson,exercise,kind,code", CASES,
                         ids=[f"{e.id}-{kind.split(':')[0]}{i}" for i, (_, e, kind, _) in enumerate(CASES)])
def test_check_judges_the_code(lesson, exercise, kind, code, capsys):
    result = asyncio.run(_outcome(lesson, exercise, code))
    printed = capsys.readouterr().out
    assert isinstance(result, Result) and result.exercise == exercise.id
    assert result.text() in printed, "the check prints its feedback"
    if kind == "solution":
        assert result.passed, f"the solution fails its own check:\n{result.text()}"
        assert f"✓ {exercise.id} passed" in printed
    else:
        assert not result.passed, f"the check passes the {kind}"
        assert result.message and (result.got or result.hint), f"feedback without detail for the {kind}"
        assert f"✗ {exercise.id} not yet." in printed


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.lesson for lesson in LESSONS])
def test_exercises_are_well_formed(lesson):
    ids = [e.id for e in lesson.exercises]
    assert 1 <= len(ids) <= 3, "1-3 exercises per lesson"
    assert ids == [f"{lesson.lesson}.{n}" for n in range(1, len(ids) + 1)], "ids numbered 1.. in order"
    for exercise in lesson.exercises:
        assert exercise.wrong_answers, f"{exercise.id}: no wrong answer to test the check against"
        assert exercise.starter.strip() != exercise.solution.strip()


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.lesson for lesson in LESSONS])
def test_notebooks_in_step_with_their_source(lesson):
    assert build.out_of_step(lesson) == [], "run: python -m workbook practice build " + lesson.lesson


def _check_outputs(path, prefix: str) -> dict[str, str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return {c["id"]: "".join("".join(o.get("text", "")) for o in c.get("outputs", []))  # text: str or lines
            for c in cells if c.get("id", "").startswith(prefix) and c["id"].endswith("-check")}


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.lesson for lesson in LESSONS])
def test_stored_outputs_show_feedback_and_passes(lesson):
    student = _check_outputs(lesson.notebook, "ex-")
    solved = _check_outputs(lesson.solutions, "sol-")
    for exercise in lesson.exercises:
        assert f"✗ {exercise.id} not yet." in student[f"ex-{exercise.slug}-check"], \
            f"{exercise.id}: the student copy does not store the starter's feedback (re-execute the notebook)"
        assert f"✓ {exercise.id} passed" in solved[f"sol-{exercise.slug}-check"], \
            f"{exercise.id}: the solutions notebook does not store a pass (re-execute it)"


def test_results_file_records_each_check(tmp_path, monkeypatch, capsys):
    lesson, exercise = EXERCISES[0]
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("WORKBOOK_CHECK_RESULTS", str(results))
    asyncio.run(_outcome(lesson, exercise, exercise.starter))
    asyncio.run(_outcome(lesson, exercise, exercise.solution))
    records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert [(r["exercise"], r["passed"]) for r in records] == [(exercise.id, False), (exercise.id, True)]
    assert records[0]["hint"] and records[0]["message"]


def test_check_command_runs_the_student_notebook_and_fails_while_stubs_remain():
    lesson = next(lesson for lesson in LESSONS if lesson.lesson == "01_03")
    done = subprocess.run([sys.executable, "-m", "workbook", "check", lesson.lesson], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 1, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("│ 01_03.")]
    assert len(rows) == len(lesson.exercises) and all("failed" in row for row in rows), done.stdout
    assert f"0 of {len(lesson.exercises)} exercises passed" in done.stdout


def test_check_run_goes_on_after_a_broken_cell_and_says_why(tmp_path, monkeypatch):
    import nbformat

    from workbook.practice import cli

    lesson = next(lesson for lesson in LESSONS if lesson.lesson == "01_03")
    first, second = lesson.exercises[:2]
    notebook = nbformat.read(lesson.notebook, as_version=4)
    for cell in notebook.cells:
        if cell.get("id") == f"ex-{first.slug}-code":
            cell.source = "def client_from(settings:\n    ..."  # a student's syntax error
        elif cell.get("id") == f"ex-{second.slug}-code":
            cell.source = second.solution
    copy = tmp_path / lesson.notebook.name
    nbformat.write(notebook, copy)
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("WORKBOOK_CHECK_RESULTS", str(results))
    executed, kernel_failure = cli.execute_for_checks(copy, timeout=300)
    records = {r["exercise"]: r for r in map(json.loads, results.read_text(encoding="utf-8").splitlines())}
    assert kernel_failure == ""
    assert records[second.id]["passed"], "the cells after the broken one still ran"
    assert first.id not in records
    assert cli.why_not_run(executed, first.id, kernel_failure).startswith("your code cell raised SyntaxError")
