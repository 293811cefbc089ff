"""The generator: lesson modules -> exercise cells in the lesson notebook + a solutions notebook.

    python -m workbook practice build [LESSON ...]     e.g. 02_05, or nothing for every lesson
    python -m workbook practice build --check          exit 1 if a notebook is out of step

For each `lessons/lNN_MM.py` it rewrites, at the end of `NN_*/NN_MM_*.ipynb`, the cells whose ids
start with `ex-NN_MM` (the intro, then per exercise its task, starter and check cells), and writes
`NN_*/solutions/NN_MM_*.ipynb` (the lesson's setup cell, then per exercise the task, the solution
and the check). A cell whose source is unchanged keeps its stored outputs; a changed one is left
unexecuted for `python -m workbook execute`. Authors run this, not students: it resets the
exercise cells to the starter code.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..lessons import ROOT, chapter_dirs
from .core import Exercise

SOLUTIONS_DIR = "solutions"


@dataclass
class LessonExercises:
    lesson: str  # "02_05"
    module: str  # "workbook.practice.lessons.l02_05"
    exercises: list[Exercise]
    notebook: Path
    setup: str | None  # code for the solutions notebook's first cell; None = the lesson's first code cell

    @property
    def solutions(self) -> Path:
        return self.notebook.parent / SOLUTIONS_DIR / self.notebook.name


def discover(selected: list[str] | None = None) -> list[LessonExercises]:
    """Every lesson module, in lesson order (optionally only the given lesson ids or chapters)."""
    from . import lessons as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not (info.name.startswith("l") and info.name[1:3].isdigit()):
            continue
        lesson = info.name[1:]
        if selected and not any(lesson == s or lesson.startswith(s.rstrip("_") + "_") or lesson[:2] == s[:2] == s
                                for s in selected):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found.append(LessonExercises(lesson, module.__name__, list(module.EXERCISES), _notebook_of(lesson),
                                     getattr(module, "SOLUTION_SETUP", None)))
    return found


def _notebook_of(lesson: str) -> Path:
    chapter = next((c for c in chapter_dirs() if c.name[:2] == lesson[:2]), None)
    matches = sorted(chapter.glob(f"{lesson}_*.ipynb")) if chapter else []
    if len(matches) != 1:  # reported by build and out_of_step, so one bad module does not stop the rest
        return (chapter or ROOT) / f"{lesson}_<{len(matches)} notebooks match>.ipynb"
    return matches[0]


def _import_line(lesson: LessonExercises, exercise: Exercise) -> str:
    name = exercise.check.removeprefix("await ").split("(")[0].strip()
    return f"from {lesson.module} import {name}"


def check_source(lesson: LessonExercises, exercise: Exercise) -> str:
    return f"{_import_line(lesson, exercise)}\n\n{exercise.check}"


def intro_source(lesson: LessonExercises) -> str:
    count = len(lesson.exercises)
    return (f"## 练习 Exercises\n\n"
            f"{count} exercise{'s' if count > 1 else ''}, each harder than the last. Write your code in the cell "
            "under the task (it runs as it stands, with stubs), then run the check cell below it: it runs "
            "your code against the offline model on cases you have not seen and says what it expected, "
            "what it got and a hint. From a terminal, `python -m workbook check "
            f"{lesson.notebook.parent.name}` runs every check of the chapter.\n\n"
            f"Stuck? See [solutions/{lesson.notebook.name}]({SOLUTIONS_DIR}/{lesson.notebook.name}) "
            "after you have tried.")


def task_source(exercise: Exercise, solution: bool = False) -> str:
    return f"### {'Solution' if solution else 'Exercise'} {exercise.id}: {exercise.title}\n\n{exercise.task.strip()}"


def student_cells(lesson: LessonExercises) -> list[tuple[str, str, str]]:
    """(cell id, cell type, source) of the exercise cells, in order."""
    cells = [(f"ex-{lesson.lesson}-intro", "markdown", intro_source(lesson))]
    for exercise in lesson.exercises:
        cells += [(f"ex-{exercise.slug}-task", "markdown", task_source(exercise)),
                  (f"ex-{exercise.slug}-code", "code", exercise.starter.strip()),
                  (f"ex-{exercise.slug}-check", "code", check_source(lesson, exercise))]
    return cells


def solution_cells(lesson: LessonExercises, lesson_notebook) -> list[tuple[str, str, str]]:
    setup = lesson.setup or next(c.source for c in lesson_notebook.cells if c.cell_type == "code")
    back = f"../{lesson.notebook.name}"
    cells = [("sol-intro", "markdown",
              f"# Solutions: {lesson.lesson} exercises\n\nOne way to solve each exercise of "
              f"[{lesson.notebook.stem}]({back}); a different solution that passes the check is just as good. "
              "Generated from the exercise source, do not edit by hand."),
             ("sol-setup", "code", setup.strip())]
    for exercise in lesson.exercises:
        cells += [(f"sol-{exercise.slug}-task", "markdown", task_source(exercise, solution=True)),
                  (f"sol-{exercise.slug}-code", "code", exercise.solution.strip()),
                  (f"sol-{exercise.slug}-check", "code", check_source(lesson, exercise))]
    return cells


def _merge(existing: list, wanted: list[tuple[str, str, str]]) -> list:
    """New cells for `wanted`, reusing an existing cell (with its outputs) when its source is the same."""
    by_id = {c.get("id"): c for c in existing}
    out = []
    for cell_id, cell_type, source in wanted:
        old = by_id.get(cell_id)
        if old is not None and old.cell_type == cell_type and old.source == source:
            out.append(old)
            continue
        new = nbformat.v4.new_code_cell(source) if cell_type == "code" else nbformat.v4.new_markdown_cell(source)
        new.id = cell_id
        out.append(new)
    return out


def build_student(lesson: LessonExercises):
    notebook = nbformat.read(lesson.notebook, as_version=4)
    prefix = f"ex-{lesson.lesson}-"
    old_exercise_cells = [c for c in notebook.cells if str(c.get("id", "")).startswith(prefix)]
    ids = {f"ex-{e.slug}-" for e in lesson.exercises}
    old_exercise_cells += [c for c in notebook.cells if any(str(c.get("id", "")).startswith(i) for i in ids)
                           and c not in old_exercise_cells]
    kept = [c for c in notebook.cells if c not in old_exercise_cells]
    notebook.cells = kept + _merge(old_exercise_cells, student_cells(lesson))
    return notebook


def build_solutions(lesson: LessonExercises, lesson_notebook):
    if lesson.solutions.exists():
        existing = nbformat.read(lesson.solutions, as_version=4).cells
    else:
        existing = []
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}}
    notebook.cells = _merge(existing, solution_cells(lesson, lesson_notebook))
    return notebook


def _sources(cells) -> list[tuple[str, str, str]]:
    return [(c.get("id"), c.cell_type, c.source) for c in cells]


def out_of_step(lesson: LessonExercises) -> list[str]:
    """What differs between the notebooks on disk and what the source would generate."""
    if not lesson.notebook.exists():
        return [f"{lesson.module}: no single notebook {lesson.lesson}_*.ipynb for it"]
    problems = []
    current = nbformat.read(lesson.notebook, as_version=4)
    wanted = student_cells(lesson)
    tail = _sources(current.cells[-len(wanted):])
    if tail != wanted:
        problems.append(f"{_rel(lesson.notebook)}: exercise cells differ from {lesson.module}")
    if not lesson.solutions.exists():
        problems.append(f"{_rel(lesson.solutions)}: missing")
    elif _sources(nbformat.read(lesson.solutions, as_version=4).cells) != solution_cells(lesson, current):
        problems.append(f"{_rel(lesson.solutions)}: differs from {lesson.module}")
    return problems


def build(selected: list[str] | None = None, check_only: bool = False) -> tuple[list[Path], list[str]]:
    """Write (or with check_only, compare) every selected lesson's notebooks. Returns (changed, problems)."""
    changed, problems = [], []
    for lesson in discover(selected):
        if check_only or not lesson.notebook.exists():
            problems += out_of_step(lesson)
            continue
        student = build_student(lesson)
        if _write_if_changed(student, lesson.notebook):
            changed.append(lesson.notebook)
        lesson.solutions.parent.mkdir(exist_ok=True)
        if _write_if_changed(build_solutions(lesson, student), lesson.solutions):
            changed.append(lesson.solutions)
    return changed, problems


def _write_if_changed(notebook, path: Path) -> bool:
    text = nbformat.writes(notebook)
    text += "" if text.endswith("\n") else "\n"  # as nbformat.write (and so `workbook execute`) stores it
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))
