"""What every exercise module uses: `Exercise`, `Result`, `@check`, `expect` and a few helpers.

A check function receives the student's objects, exercises them (calls the function, runs the
agent against the model `workbook.setup()` configured) and states what it expects with
`expect(...)`. The `@check` decorator turns the first unmet expectation, or an exception raised by
the student's code, into feedback (expected / got / hint), prints it, and returns a `Result`.
It never raises: a notebook's check cell prints its feedback and the notebook runs on.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

RESULTS_ENV = "WORKBOOK_CHECK_RESULTS"  # a JSON-lines file `python -m workbook check` reads


@dataclass
class Exercise:
    """One exercise: the task, the student's starting code, the solution and the check call."""

    id: str  # "02_05.1": lesson id, dot, number (rising difficulty)
    title: str
    task: str  # markdown
    starter: str  # runs as it stands; defines the objects the check receives
    solution: str
    check: str  # the check cell's call, e.g. "check_currency_tool(convert_currency)"
    wrong_answers: list[tuple[str, str]] = field(default_factory=list)  # (what is wrong, code)

    @property
    def lesson(self) -> str:
        return self.id.split(".")[0]

    @property
    def slug(self) -> str:
        return self.id.replace(".", "-")


@dataclass
class Result:
    """The outcome of one check, as printed and as recorded for the command line."""

    exercise: str
    passed: bool
    message: str  # the pass summary, or what was expected
    got: str = ""
    hint: str = ""

    def text(self) -> str:
        if self.passed:
            return f"✓ {self.exercise} passed: {self.message}"
        lines = [f"✗ {self.exercise} not yet.", f"  expected: {self.message}"]
        if self.got:
            lines.append(f"  got:      {self.got}")
        if self.hint:
            lines.append(f"  hint:     {self.hint}")
        return "\n".join(lines)

    def _ipython_display_(self) -> None:
        # The decorator already printed the feedback: a check cell shows it once, with no Out[] repr.
        pass


class Unmet(Exception):
    """An expectation the student's code did not meet (raised by `expect`, caught by `@check`)."""

    def __init__(self, expected: str, got: str, hint: str):
        super().__init__(expected)
        self.expected, self.got, self.hint = expected, got, hint


def expect(condition: object, expected: str, got: str = "", hint: str = "") -> None:
    """Stop the check with feedback unless `condition` holds."""
    if not condition:
        raise Unmet(expected, got, hint)


def short(value: object, limit: int = 120) -> str:
    """A one-line, bounded repr of a value for the `got:` line."""
    text = repr(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parsed_json(value: object) -> object:
    """`value` parsed as JSON, or `value` itself when it is not a JSON text (a learner's tool result
    sent without json.dumps), so a check can compare what was meant and still show what was sent."""
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def check(exercise: str, hint_on_error: str = "") -> Callable:
    """Make a function a check: catch, print, record. Works on `def` and `async def` alike."""

    def decorate(function: Callable) -> Callable:
        def finish(outcome: object = None, error: BaseException | None = None) -> Result:
            if isinstance(error, Unmet):
                result = Result(exercise, False, error.expected, error.got, error.hint)
            elif error is not None:
                result = Result(exercise, False, "your code runs without an exception",
                                f"{type(error).__name__}: {error}".strip()[:300],
                                hint_on_error or "read the error above, fix the cell and run it again")
            else:
                result = Result(exercise, True, str(outcome or "all expectations met"))
            print(result.text())
            _record(result)
            return result

        if inspect.iscoroutinefunction(function):
            @functools.wraps(function)
            async def run_async(*args, **kwargs) -> Result:
                try:
                    return finish(await function(*args, **kwargs))
                except Exception as error:  # student code may raise anything: it becomes feedback
                    return finish(error=error)
            return run_async

        @functools.wraps(function)
        def run(*args, **kwargs) -> Result:
            try:
                return finish(function(*args, **kwargs))
            except Exception as error:
                return finish(error=error)
        return run

    return decorate


def _record(result: Result) -> None:
    path = os.environ.get(RESULTS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")


# --- helpers the checks share -------------------------------------------------------------------

class Recorder:
    """Every request an OpenAI client sent and every JSON answer it got, in order.

    Checks hand students a client built by `recording_client()` so they can see what was sent
    (the path, the JSON body) without reading the student's source.
    """

    def __init__(self) -> None:
        self.exchanges: list[dict] = []

    def requests(self, path_end: str = "") -> list[dict]:
        return [e["request"] for e in self.exchanges if e["path"].endswith(path_end)]

    def responses(self, path_end: str = "") -> list[dict | None]:
        return [e["response"] for e in self.exchanges if e["path"].endswith(path_end)]

    def _on_request(self, request) -> None:
        try:
            body = json.loads(request.content or b"{}")
        except ValueError:
            body = {}
        self.exchanges.append({"path": request.url.path, "request": body, "response": None})

    def _on_response(self, response, body: bytes) -> None:
        if not self.exchanges or "json" not in response.headers.get("content-type", ""):
            return
        try:
            self.exchanges[-1]["response"] = json.loads(body)
        except ValueError:
            pass


def recording_client(asynchronous: bool = False, model_env: bool = True, **options):
    """An `OpenAI` (or `AsyncOpenAI`) client on the configured provider, with a `Recorder`.

    Returns (client, recorder). `options` go to the client (e.g. api_key).
    """
    import httpx
    from openai import AsyncOpenAI, OpenAI

    recorder = Recorder()
    settings = {"base_url": os.environ["OPENAI_BASE_URL"], "api_key": os.environ["OPENAI_API_KEY"],
                "max_retries": 0, "timeout": 60, **options}
    if asynchronous:
        async def on_request(request):
            recorder._on_request(request)

        async def on_response(response):
            if "json" in response.headers.get("content-type", ""):
                recorder._on_response(response, await response.aread())

        http = httpx.AsyncClient(event_hooks={"request": [on_request], "response": [on_response]})
        return AsyncOpenAI(http_client=http, **settings), recorder

    def on_response_sync(response):
        if "json" in response.headers.get("content-type", ""):
            recorder._on_response(response, response.read())

    http = httpx.Client(event_hooks={"request": [recorder._on_request], "response": [on_response_sync]})
    return OpenAI(http_client=http, **settings), recorder


def model_name() -> str:
    return os.environ["OPENAI_MODEL_NAME"]


def chat_model(client=None):
    """The Chat Completions model object the lessons build, on `client` or a fresh async client."""
    from agents import OpenAIChatCompletionsModel
    from openai import AsyncOpenAI

    client = client or AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return OpenAIChatCompletionsModel(model=model_name(), openai_client=client)


def tool_calls(result) -> list[tuple[str, dict]]:
    """(tool name, parsed arguments) for every tool call a run made, in order."""
    calls = []
    for item in getattr(result, "new_items", []):
        if getattr(item, "type", "") == "tool_call_item":
            raw = item.raw_item
            name = getattr(raw, "name", None) or (raw.get("name") if isinstance(raw, dict) else None)
            arguments = getattr(raw, "arguments", None) or (raw.get("arguments") if isinstance(raw, dict) else "{}")
            try:
                calls.append((name, json.loads(arguments or "{}")))
            except ValueError:
                calls.append((name, {"unparsed": arguments}))
    return calls


def tool_outputs(result) -> list[object]:
    return [item.output for item in getattr(result, "new_items", []) if getattr(item, "type", "") == "tool_call_output_item"]


def is_stub(value: object) -> bool:
    """True for what an untouched starter leaves: None or Ellipsis."""
    return value is None or value is Ellipsis
