"""The workbook's command line.

    python -m workbook serve [--port 8765] [--delay-ms 40] [--chat-only] [--profile dashscope] [--fault 429]
    python -m workbook doctor
    python -m workbook run [CHAPTER ...]
    python -m workbook matrix [--write-readme | --check]   (every lesson on every provider profile)
    python -m workbook execute NOTEBOOK ...     (re-run notebooks and store their outputs)
    python -m workbook check [CHAPTER ...]      (run your exercise checks)
    python -m workbook practice build [--check] [LESSON ...]   (authoring: exercise cells, solutions)
    python -m workbook translate [--check | --status] [CHAPTER ...]   (build the zh-CN edition)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .config import read_env
    from .offline import Options, create_app
    from .offline.faults import FaultSpecError, checked
    from .offline.profiles import get as get_profile

    try:  # --profile, else OFFLINE_MODEL_PROFILE from .env, else the full OpenAI API
        profile = get_profile(args.profile or read_env().get("OFFLINE_MODEL_PROFILE"))
    except ValueError as error:
        console.print(f"[red]{error}[/]")
        return 2
    try:  # --fault: every request gets this fault unless it sends its own X-Offline-Fault header
        fault = checked(args.fault)
    except FaultSpecError as error:
        console.print(f"[red]--fault: {error}[/]")
        return 2
    model = "course-model" if profile.name == "openai" else profile.example_model
    mode = " (chat-only: /v1/responses answers 404)" if args.chat_only else ""
    mode += "" if profile.name == "openai" else f" behaving as {profile.title}"
    mode += f", answering every request with the fault {fault!r}" if fault else ""
    console.print(f"Offline course model on http://127.0.0.1:{args.port}/v1{mode}. Point .env at it with\n"
                  f"  OPENAI_BASE_URL=http://127.0.0.1:{args.port}/v1\n  OPENAI_API_KEY=anything\n"
                  f"  OPENAI_MODEL_NAME={model}\n"
                  f"  OPENAI_RESPONSES_API={'true' if profile.has('responses') and not args.chat_only else 'false'}\n"
                  "Ctrl+C stops it.")
    uvicorn.run(create_app(Options(delay_ms=args.delay_ms, chat_only=args.chat_only, profile=profile.name,
                                    faults=fault)),
                host="127.0.0.1", port=args.port, log_level="warning")
    return 0


def doctor(args: argparse.Namespace) -> int:
    from . import setup
    from .doctor import diagnose

    provider = setup()
    checks = diagnose(os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"], os.environ["OPENAI_MODEL_NAME"])
    table = Table(title=f"What {provider.name} supports (model {provider.model})")
    table.add_column("feature")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for check in checks:
        table.add_row(check.feature, "[green]ok[/]" if check.ok else "[red]not supported[/]", check.detail)
    console.print(table)
    return 0


def run(args: argparse.Namespace) -> int:
    from .config import check, read_env
    from .forkserver import fork_server
    from .lessons import chapter_dirs, lesson_lock, lessons, run_notebook, run_script

    provider = check(read_env())
    profile = os.environ.get("OFFLINE_MODEL_PROFILE")
    console.print(provider.describe() if provider else "Model provider: the offline course model (no .env provider)"
                  + (f", profile {profile}." if profile else "."))
    todo = [lesson for chapter in chapter_dirs(args.chapters) for lesson in lessons(chapter)]
    if not todo:
        console.print("[yellow]No lessons found in the chosen chapters.[/]")
        return 1
    outcomes = []
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with fork_server(enabled=not args.no_fork_server), Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("lessons", total=len(todo))
        for path in todo:
            progress.update(task, description=f"{path.parent.name}/{path.name}")
            runner = run_notebook if path.suffix == ".ipynb" else run_script
            with lesson_lock(path):  # a lesson may write files beside it: one run of it at a time
                outcomes.append(runner(path, timeout=args.timeout))
            progress.advance(task)
    table = Table(title="Lessons")
    for column in ("lesson", "status", "seconds", "detail"):
        table.add_column(column, justify="right" if column == "seconds" else "left", overflow="fold")
    colours = {"passed": "[green]passed[/]", "failed": "[red]FAILED[/]"}
    for outcome in outcomes:
        status = colours.get(outcome.status, f"[yellow]{outcome.status}[/]")
        table.add_row(outcome.lesson, status, f"{outcome.seconds:.1f}", outcome.detail)
    console.print(table)
    failed = [o for o in outcomes if not o.ok]
    needs = [o for o in outcomes if o.ok and o.needs]
    console.print(f"{len(outcomes) - len(failed) - len(needs)} passed, {len(failed)} failed")
    if needs:  # its own line, so that readers of the line above keep working
        console.print(f"{len(needs)} needs-capability (ran, skipping what this provider lacks)")
    if args.results:
        from .matrix import write_results

        write_results(Path(args.results), provider.describe() if provider else "offline", outcomes)
    return 1 if failed else 0


def matrix(args: argparse.Namespace) -> int:
    from .matrix import matrix_command

    return matrix_command(args, console)


def execute(args: argparse.Namespace) -> int:
    from .i18n import rebuild_zh_cn_of
    from .lessons import run_notebook

    os.environ["WORKBOOK_OFFLINE"] = "1"  # stored outputs always come from the offline model
    failed = 0
    for name in args.notebooks:
        outcome = run_notebook(Path(name).resolve(), timeout=args.timeout, write=True)
        console.print(f"{'stored' if outcome.ok else '[red]FAILED[/]'} {outcome.lesson} "
                      f"({outcome.seconds:.1f}s) {outcome.detail}")
        failed += not outcome.ok
        if outcome.ok and (twin := rebuild_zh_cn_of(Path(name))):
            console.print(f"rebuilt {twin.parent.parent.name}/{twin.parent.name}/{twin.name} (its zh-CN edition)")
    return 1 if failed else 0


def translate(args: argparse.Namespace) -> int:
    from .i18n import translate_command

    return translate_command(args.chapters, check=args.check, status=args.status, console=console)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbook", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("serve", help="run the offline course model in the foreground")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--delay-ms", type=float, default=0.0, help="pause between streamed pieces (typewriter)")
    p.add_argument("--chat-only", action="store_true", help="answer /v1/responses with 404")
    p.add_argument("--profile", help="behave as a provider documents: openai, dashscope, deepseek, siliconflow, "
                   "ollama or vllm (default: OFFLINE_MODEL_PROFILE from .env, else openai)")
    p.add_argument("--fault", help="inject a fault into every request, e.g. '429;retry-after=1', '500;times=2', "
                   "'drop', 'slow-first-token=2000ms' (a request's X-Offline-Fault header overrides it)")
    p.set_defaults(func=serve)
    p = commands.add_parser("doctor", help="probe what the configured provider supports")
    p.set_defaults(func=doctor)
    p = commands.add_parser("run", help="execute every lesson of the chosen chapters (default: all)")
    p.add_argument("chapters", nargs="*", help="e.g. 01_models or 01")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--results", help="also write each lesson's status to this JSON file")
    p.add_argument("--no-fork-server", action="store_true",
                   help="start every lesson from scratch instead of forking a process that has the packages loaded")
    p.set_defaults(func=run)
    p = commands.add_parser("matrix", help="run every lesson against every provider profile of the offline model")
    p.add_argument("chapters", nargs="*", help="e.g. 01_models or 01 (default: all)")
    p.add_argument("--profiles", nargs="+", help="default: openai dashscope deepseek siliconflow ollama vllm")
    p.add_argument("--jobs", type=int, help="profiles run at the same time (default: all of them)")
    p.add_argument("--write-readme", action="store_true", help="write the table between the markers in README.md")
    p.add_argument("--check", action="store_true", help="fail when README.md's table differs from this run's")
    p.set_defaults(func=matrix)
    p = commands.add_parser("execute", help="re-execute notebooks offline and store their outputs")
    p.add_argument("notebooks", nargs="+")
    p.add_argument("--timeout", type=float, default=300)
    p.set_defaults(func=execute)
    from .practice.cli import add_commands as add_practice_commands

    add_practice_commands(commands)
    p = commands.add_parser("translate", help="build the zh-CN edition from the translation catalogues")
    p.add_argument("chapters", nargs="*", help="e.g. 01_models or 01 (default: all, and the top README)")
    p.add_argument("--check", action="store_true", help="fail on missing or stale translations, or unbuilt files")
    p.add_argument("--status", action="store_true", help="list what each file still needs, without writing")
    p.set_defaults(func=translate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
