"""Fault injection for the offline model: the failures a real provider has, on demand.

A fault specification is a short string, `;`-separated:

    429;retry-after=1        rate limited, with a Retry-After header (seconds)
    500                      a server error (any status 400-599 works: 502, 503...)
    drop                     the connection closes after the status line, before the body
    slow-first-token=2000ms  wait before the first byte of the response (ms or s)
    ...;times=2              2 identical requests fail, the 3rd succeeds; then it starts again

It is switched on for every request of a server (`Options(faults="500")`), or per request with the
header `X-Offline-Fault: 429;retry-after=1` (which overrides the server's; `none` switches it off).
"Identical" means same path and same body: a client's retry resends the same bytes, so
`times=N` models a transient failure that N retries get through. After the success the count starts
again, so running the same program twice shows the same failures twice. A bad specification gets a 400
in OpenAI's error format, naming what is wrong.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass

HEADER = "x-offline-fault"
EXAMPLES = "'429;retry-after=1', '500', 'drop', 'slow-first-token=2000ms', each optionally with ';times=N'"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")
_REMEMBERED_REQUESTS = 1024  # `times` counters kept, oldest dropped first
_HASHED_BODY_BYTES = 4 * 1024 * 1024


class FaultSpecError(ValueError):
    """A fault specification that cannot be understood."""


@dataclass(frozen=True)
class Fault:
    status: int | None = None  # an HTTP error status to answer with
    retry_after: float | None = None  # seconds, sent as the Retry-After header
    drop: bool = False  # close the connection without a body
    first_byte_delay: float = 0.0  # seconds before anything is sent
    times: int | None = None  # fail only the first N identical requests; None: every one
    spec: str = ""


def parse_fault(spec: str) -> Fault | None:
    """`"429;retry-after=1;times=2"` -> Fault; `""`/`"none"` -> None; anything unclear -> FaultSpecError."""
    text = spec.strip()
    if text.lower() in ("", "none", "off"):
        return None
    status = retry_after = times = None
    drop = False
    delay = 0.0
    for part in (p.strip() for p in text.split(";")):
        name, _, value = (s.strip().lower() for s in part.partition("="))
        if not part:
            continue
        if name.isdigit() and not value:
            status = int(name)
            if not 400 <= status <= 599:
                raise FaultSpecError(f"status {status} is not an error status: use 400-599")
        elif name == "drop" and not value:
            drop = True
        elif name == "retry-after":
            retry_after = _number(value, name)
        elif name == "slow-first-token":
            delay = _duration(value)
        elif name == "times":
            if not value.isdigit() or int(value) < 1:
                raise FaultSpecError(f"times must be a whole number of requests >= 1, got {value!r}")
            times = int(value)
        else:
            raise FaultSpecError(f"unknown fault {part!r}")
    if status is not None and drop:
        raise FaultSpecError("a request cannot both get a status and be dropped: choose one")
    if retry_after is not None and status is None:
        raise FaultSpecError("retry-after needs a status to go with, e.g. '429;retry-after=1'")
    if status is None and not drop and not delay:
        raise FaultSpecError("no fault given: name a status, 'drop' or 'slow-first-token'")
    return Fault(status, retry_after, drop, delay, times, text)


def checked(spec: str | None) -> str | None:
    """A server option, validated now: a bad one stops the server from starting, with the reason."""
    if spec:
        parse_fault(spec)
    return spec


def _number(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise FaultSpecError(f"{name} must be a number of seconds, got {value!r}") from None
    if not 0 <= number <= 600:
        raise FaultSpecError(f"{name} must be between 0 and 600 seconds, got {value!r}")
    return number


def _duration(value: str) -> float:
    match = _DURATION.match(value)
    if not match:
        raise FaultSpecError(f"slow-first-token must be a duration such as 2000ms or 2s, got {value!r}")
    seconds = float(match.group(1)) / (1000 if match.group(2) == "ms" else 1)
    if seconds > 600:
        raise FaultSpecError(f"slow-first-token must be at most 600s, got {value!r}")
    return seconds


_dropping: ContextVar[bool] = ContextVar("offline_fault_dropping", default=False)


class _QuietDrops(logging.Filter):
    """uvicorn logs a response left unfinished as an error; one we left on purpose is not."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_dropping.get() and record.getMessage().startswith("ASGI callable returned without"))


_QUIET_DROPS = _QuietDrops()


class FaultInjection:
    """ASGI middleware: applies the server's fault, or the request's `X-Offline-Fault`, to POSTs."""

    def __init__(self, app, default: str | None = None):
        self.app = app
        self.default = parse_fault(default) if default else None  # a bad server option fails at start
        self.seen: OrderedDict[str, int] = OrderedDict()
        logger = logging.getLogger("uvicorn.error")
        if _QUIET_DROPS not in logger.filters:
            logger.addFilter(_QUIET_DROPS)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        header = next((v.decode("latin-1") for k, v in scope["headers"] if k.decode("latin-1").lower() == HEADER),
                      None)
        try:
            fault = parse_fault(header) if header is not None else self.default
        except FaultSpecError as error:
            return await _error(send, 400, {
                "message": f"Bad X-Offline-Fault {header!r}: {error}. Examples: {EXAMPLES}.",
                "type": "invalid_request_error", "param": "X-Offline-Fault", "code": "invalid_fault"})
        if fault is None:
            return await self.app(scope, receive, send)
        receive, key = await self._fingerprint(scope, receive, fault)
        if fault.times is not None:
            count = self.seen.pop(key, 0) + 1
            self.seen[key] = count
            while len(self.seen) > _REMEMBERED_REQUESTS:
                self.seen.popitem(last=False)
            if count > fault.times:  # the retry that gets through; the next identical request fails again
                del self.seen[key]
                return await self.app(scope, receive, send)
        if fault.first_byte_delay:
            await asyncio.sleep(fault.first_byte_delay)
        if fault.drop:
            # Read the whole request first: a socket closed with unread bytes is reset (RST), and the
            # client would see a reset sometimes and a cut-off body other times.
            message = {"more_body": True}
            while message.get("more_body") and message.get("type") != "http.disconnect":
                message = await receive()
            # Status line and a first chunk, then return without finishing: the server closes the
            # connection mid-body, as a dropped connection or a crashed load balancer does.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b'{"id": ', "more_body": True})
            _dropping.set(True)
            return
        if fault.status is not None:
            return await _error(send, fault.status, _status_error(fault), fault.retry_after)
        return await self.app(scope, receive, send)  # only slow: the real answer, late

    async def _fingerprint(self, scope, receive, fault: Fault):
        """Key of a request for `times` counting; returns a receive that replays what was read."""
        if fault.times is None:
            return receive, ""
        digest = hashlib.sha256(f"{fault.spec}\n{scope['path']}\n".encode())
        buffered, read, more = [], 0, True
        while more and read < _HASHED_BODY_BYTES:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            digest.update(chunk)
            read += len(chunk)
            more = message.get("more_body", False)

        async def replay():
            return buffered.pop(0) if buffered else await receive()

        return replay, digest.hexdigest()


def _status_error(fault: Fault) -> dict:
    if fault.status == 429:
        wait = f" Please try again in {fault.retry_after:g}s." if fault.retry_after is not None else ""
        return {"message": f"Rate limit reached for requests (offline fault injection).{wait}",
                "type": "requests", "param": None, "code": "rate_limit_exceeded"}
    if fault.status >= 500:
        return {"message": "The server had an error while processing your request (offline fault injection).",
                "type": "server_error", "param": None, "code": None}
    return {"message": f"Injected error {fault.status} (offline fault injection).",
            "type": "invalid_request_error", "param": None, "code": None}


async def _error(send, status: int, error: dict, retry_after: float | None = None) -> None:
    body = json.dumps({"error": error}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", f"{retry_after:g}".encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
