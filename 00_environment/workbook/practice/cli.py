"""`python -m workbook check` and `python -m workbook practice build`."""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .core import RESULTS_ENV

console = Console()
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in a kernel's error message


def add_commands(commands) -> None:
    p = commands.add_parser("check", help="run the exercise checks of your notebooks (default: all chapters)")
    p.add_argument("chapters", nargs="*", help="chapters (02_tools or 02) or lessons (02_05)")
    p.add_argument("--timeout", type=float, default=300)
    p.set_defaults(func=check_command)
    p = commands.add_parser("practice", help="authoring: build exercise cells and solution notebooks")
    sub = p.add_subparsers(dest="practice_command", required=True)
    b = sub.add_parser("build", help="write the exercise cells and solutions/ notebooks from lessons/lNN_MM.py")
    b.add_argument("lessons", nargs="*", help="lesson ids (02_05) or chapters (02); default: all")
    b.add_argument("--check", action="store_true", help="write nothing; exit 1 if a notebook is out of step")
    b.set_defaults(func=build_command)


def build_command(args: argparse.Namespace) -> int:
    from .build import build

    changed, problems = build(args.lessons or None, check_only=args.check)
    for problem in problems:
        console.print(f"[red]out of step[/] {problem}")
    for path in changed:
        console.print(f"wrote {path.parent.name}/{path.name} (re-execute it: python -m workbook execute ...)")
    if args.check and not problems:
        console.print("exercise cells and solution notebooks are in step with their sources")
    return 1 if problems else 0


def exercise_notebooks(names: list[str] | None) -> list[Path]:
    """The lesson notebooks holding exercise cells, in lesson order, of the chapters or lessons named."""
    from ..lessons import chapter_dirs, lessons

    lesson_ids = [n for n in names or [] if re.fullmatch(r"\d\d_\d\d", n)]
    chapters = [n for n in names or [] if n not in lesson_ids] + sorted({n[:2] for n in lesson_ids})
    found = []
    for chapter in chapter_dirs(chapters or None):
        for path in lessons(chapter):
            if lesson_ids and not any(path.name.startswith(i + "_") for i in lesson_ids):
                continue
            if path.suffix == ".ipynb" and '"id": "ex-' in path.read_text(encoding="utf-8"):
                found.append(path)
    return found


def expected_exercises(path: Path) -> list[str]:
    """Exercise ids in a notebook, from its check cells' ids (ex-02_05-1-check -> 02_05.1)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    ids = [c.get("id", "") for c in cells]
    return [i[3:-6].replace("-", ".") for i in ids if i.startswith("ex-") and i.endswith("-check")]


def execute_for_checks(path: Path, timeout: float):
    """Run a copy of the student's notebook with every cell, even after an error (the file is not changed).

    Returns the executed notebook and, when the kernel itself failed, why.
    """
    import subprocess

    import nbformat
    from nbclient import NotebookClient

    from ..lessons import lesson_env

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=lesson_env(), stderr=subprocess.DEVNULL)
    except Exception as error:  # a kernel that died or a cell that timed out
        return notebook, ANSI.sub("", f"{type(error).__name__}: {error}").strip().splitlines()[-1]
    return notebook, ""


def cell_error(notebook, cell_id: str) -> str:
    """`Type: message` of the error a cell stored, or ''."""
    for cell in notebook.cells:
        if cell.get("id") == cell_id:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    return ANSI.sub("", f"{output.get('ename')}: {output.get('evalue')}")[:200]
    return ""


def why_not_run(notebook, exercise: str, kernel_failure: str) -> str:
    slug = exercise.replace(".", "-")
    if kernel_failure:
        return f"the notebook stopped: {kernel_failure}"
    code_error = cell_error(notebook, f"ex-{slug}-code")
    if code_error:
        return f"your code cell raised {code_error}; fix it and run it again"
    check_error = cell_error(notebook, f"ex-{slug}-check")
    if check_error:
        return f"the check cell raised {check_error}; keep the names the task asks for"
    return "its check cell did not run"


def check_command(args: argparse.Namespace) -> int:
    notebooks = exercise_notebooks(args.chapters)
    if not notebooks:
        console.print("[yellow]No notebooks with exercises in the chosen chapters.[/]")
        return 1
    rows: list[tuple[str, str, str]] = []
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with tempfile.TemporaryDirectory() as tmp, \
            Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("notebooks", total=len(notebooks))
        for path in notebooks:
            progress.update(task, description=f"{path.parent.name}/{path.name}")
            results_file = Path(tmp) / f"{path.stem}.jsonl"
            os.environ[RESULTS_ENV] = str(results_file)
            try:
                executed, kernel_failure = execute_for_checks(path, args.timeout)
            finally:
                os.environ.pop(RESULTS_ENV, None)
            results = {}
            if results_file.exists():
                for line in results_file.read_text(encoding="utf-8").splitlines():
                    record = json.loads(line)
                    results[record["exercise"]] = record  # the last run of a check counts
            for exercise in expected_exercises(path):
                record = results.get(exercise)
                if record is None:
                    rows.append((exercise, "not run", why_not_run(executed, exercise, kernel_failure)))
                elif record["passed"]:
                    rows.append((exercise, "passed", ""))
                else:
                    rows.append((exercise, "failed", record["hint"] or record["message"]))
            progress.advance(task)
    table = Table(title="Exercises")
    for column in ("exercise", "status", "hint"):
        table.add_column(column, overflow="fold")
    colour = {"passed": "green", "failed": "red", "not run": "yellow"}
    for exercise, status, hint in rows:
        table.add_row(exercise, f"[{colour[status]}]{status}[/]", hint)
    console.print(table)
    passed = sum(status == "passed" for _, status, _ in rows)
    console.print(f"{passed} of {len(rows)} exercises passed")
    return 0 if passed == len(rows) else 1
