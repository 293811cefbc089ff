"""`python -m workbook matrix`: every lesson against the offline model in every provider profile.

Each profile runs `python -m workbook run --results FILE` in its own process, with the model name
that provider uses (`Qwen/Qwen3-32B` on SiliconFlow, `qwen3:8b` on Ollama), all profiles at once.
The table of lesson x profile goes between two markers in the top README (`--write-readme`);
`--check` fails when the README's table differs from the run's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .lessons import ROOT, chapter_dirs
from .offline.profiles import PROFILES

BEGIN, END = "<!-- provider-matrix:begin -->", "<!-- provider-matrix:end -->"
README = ROOT / "README.md"


def write_results(path: Path, provider: str, outcomes) -> None:
    path.write_text(json.dumps({"provider": provider, "lessons": {o.lesson: o.status for o in outcomes}},
                               ensure_ascii=False, indent=1), encoding="utf-8")


@dataclass
class ProfileRun:
    lessons: dict[str, str]  # lesson -> "passed", "failed" or "needs …"
    output: str  # what `workbook run` printed
    returncode: int


def run_profile(name: str, chapters: list[str], timeout: float = 1500) -> ProfileRun:
    """Each lesson's status with the offline model behaving as provider `name`.

    The "openai" profile is the offline model's default: that run is exactly the README's first
    command, `python -m workbook run`, with nothing added to the environment.
    """
    profile = PROFILES[name]
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.json"
        env = {k: v for k, v in os.environ.items() if k not in ("OFFLINE_MODEL_PROFILE", "OFFLINE_MODEL_NAME")}
        env["WORKBOOK_OFFLINE"] = "1"
        if name != "openai":
            env.update(OFFLINE_MODEL_PROFILE=name, OFFLINE_MODEL_NAME=profile.example_model)
        done = subprocess.run([sys.executable, "-m", "workbook", "run", *chapters, "--results", str(results)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        if not results.exists():
            raise RuntimeError(f"profile {name}: workbook run wrote no results\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        lessons = json.loads(results.read_text(encoding="utf-8"))["lessons"]
        return ProfileRun(lessons, done.stdout + done.stderr, done.returncode)


def run_matrix_runs(profiles: list[str], chapters: list[str], jobs: int | None = None) -> dict[str, ProfileRun]:
    """Every profile's `workbook run`, `jobs` at a time (by default all at once: each is its own
    process tree, and lessons wait a lot, on kernels starting and on the model, so several runs keep
    two cores busy to the end instead of leaving the last profile to run alone).

    A lesson runs for one profile at a time (`lesson_lock`), so each profile starts at another
    chapter: they seldom want the same lesson at once.
    """
    order = [path.name for path in chapter_dirs(chapters)]

    def run(index_and_name: tuple[int, str]) -> ProfileRun:
        index, name = index_and_name
        start = index * len(order) // max(1, len(profiles))
        # the first profile keeps the arguments as given: with none, that is the README's `workbook run`
        return run_profile(name, order[start:] + order[:start] if start else chapters)

    with ThreadPoolExecutor(max_workers=jobs or len(profiles)) as pool:
        return dict(zip(profiles, pool.map(run, enumerate(profiles)), strict=True))


def run_matrix(profiles: list[str], chapters: list[str], jobs: int | None = None) -> dict[str, dict[str, str]]:
    return {name: run.lessons for name, run in run_matrix_runs(profiles, chapters, jobs).items()}


def table(matrix: dict[str, dict[str, str]]) -> str:
    """Markdown: one row per lesson, one column per profile; "ok", "needs …" or "FAILED"."""
    profiles = list(matrix)
    lessons = list(dict.fromkeys(lesson for statuses in matrix.values() for lesson in statuses))
    lines = ["| lesson | " + " | ".join(profiles) + " |", "|---|" + "---|" * len(profiles)]
    for lesson in lessons:
        cells = [_cell(matrix[p].get(lesson, "")) for p in profiles]
        lines.append(f"| {lesson} | " + " | ".join(cells) + " |")
    counts = []
    for p in profiles:
        statuses = list(matrix[p].values())
        passed, failed = statuses.count("passed"), statuses.count("failed")
        counts.append(f"{passed} / {len(statuses) - passed - failed} / {failed}")
    lines.append("| **passed / needs / failed** | " + " | ".join(counts) + " |")
    return "\n".join(lines)


def _cell(status: str) -> str:
    return {"passed": "ok", "failed": "**FAILED**", "": "–"}.get(status, status)


def readme_table(text: str | None = None) -> str | None:
    text = README.read_text(encoding="utf-8") if text is None else text
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip()


def _between_markers(text: str, markdown: str) -> str:
    before, rest = text.split(BEGIN, 1)
    return f"{before}{BEGIN}\n{markdown}\n{END}{rest.split(END, 1)[1]}"


def write_readme(markdown: str) -> None:
    """The table into README.md, and the same table into its zh-CN translation, rebuilt."""
    from .i18n import ENTRY, Edition, sha, write

    english = _between_markers(README.read_text(encoding="utf-8"), markdown)
    README.write_text(english, encoding="utf-8")
    catalogue = ROOT / "00_environment" / "zh-CN" / "catalog" / "README.top.md"
    chinese = _between_markers(catalogue.read_text(encoding="utf-8"), markdown)  # the table has no prose
    chinese = ENTRY.sub(f"<!-- cell: file sha: {sha(english)} -->\n", chinese, count=1)
    catalogue.write_text(chinese, encoding="utf-8")
    write(Edition(README, catalogue, ROOT / "README.zh-CN.md"))


def matrix_command(args, console) -> int:
    profiles = args.profiles or list(PROFILES)
    found = run_matrix(profiles, args.chapters, jobs=args.jobs)
    markdown = table(found)
    console.print(markdown)
    failed = sum(list(s.values()).count("failed") for s in found.values())
    if args.write_readme:
        write_readme(markdown)
        console.print(f"wrote the table into {README.name}")
    if args.check and readme_table() != markdown:
        console.print(f"[red]{README.name}'s provider table differs from this run: "
                      "python -m workbook matrix --write-readme[/]")
        return 1
    return 1 if failed else 0
