"""Stable ids, token counts and `max_tokens` truncation shared by both APIs."""

from __future__ import annotations

import hashlib
import json
import re

from . import text as tx
from .policy import Decision
from .request import ModelRequest


def stable_id(kind: str, body: dict, salt: str = "") -> str:
    """An id derived from the request itself: the same request always gets the same id.

    Counting requests would give the same ids only if they arrived in the same order, which
    concurrent tool calls do not promise; hashing the body does.
    """
    digest = hashlib.sha256(f"{kind}|{salt}|{json.dumps(body, sort_keys=True, ensure_ascii=False)}".encode())
    return digest.hexdigest()[:24]


COUNTED_CHARS = 100_000  # an input longer than this is counted at both ends and scaled: same figure every time


def input_tokens(text: str) -> int:
    """Tokens of an input text: exact up to COUNTED_CHARS, an estimate beyond it.

    Counting every word of a 2 MB body would hold the server for most of a second; the first and
    last 50,000 characters, scaled to the whole length, give a close and stable figure.
    """
    if len(text) <= COUNTED_CHARS:
        return tx.count_tokens(text)
    half = COUNTED_CHARS // 2
    sample = tx.count_tokens(text[:half]) + tx.count_tokens(text[-half:])
    return round(sample * len(text) / COUNTED_CHARS)


class Budget:
    """Counts tokens in and out, and cuts the answer at `max_tokens`."""

    def __init__(self, req: ModelRequest, raw_body: dict):
        self.limit = req.max_tokens
        prompt = json.dumps(raw_body.get("messages") or raw_body.get("input") or "", ensure_ascii=False)
        tools = json.dumps(raw_body.get("tools") or [], ensure_ascii=False)
        self.input_tokens = input_tokens(prompt) + input_tokens(tools) + tx.count_tokens(req.instructions)
        self.truncated = False

    def cut(self, text: str) -> tuple[str, str]:
        """The text as sent, and the finish reason ("length" when `max_tokens` cut it)."""
        if self.limit is None or tx.count_tokens(text) <= self.limit:
            return text, "stop"
        pieces = re.findall(r"\s*[\u3400-\u9fff]|\s*[A-Za-z']+|\s*\d+(?:\.\d+)?|\s*[^\w\s]|\s+", text)
        kept, used = [], 0
        for piece in pieces:
            cost = tx.count_tokens(piece) or 0
            if used + cost > self.limit:
                break
            kept.append(piece)
            used += cost
        while kept and tx.count_tokens("".join(kept)) > self.limit:
            kept.pop()  # punctuation is counted in pairs, so the pieces' costs may undercount the whole
        self.truncated = True
        return "".join(kept), "length"

    def output_tokens(self, decision: Decision, reasoning: str | None) -> tuple[int, int]:
        text = decision.text or ""
        if self.limit is not None:
            text = self.cut(text)[0]
        out = tx.count_tokens(text) + sum(tx.count_tokens(c.arguments) + 3 for c in decision.tool_calls)
        thought = tx.count_tokens(reasoning) if reasoning else 0
        return out + thought, thought

    def chat_usage(self, decision: Decision, reasoning: str | None) -> dict:
        out, thought = self.output_tokens(decision, reasoning)
        return {"prompt_tokens": self.input_tokens, "completion_tokens": out,
                "total_tokens": self.input_tokens + out,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": thought}}

    def responses_usage(self, decision: Decision, reasoning: str | None) -> dict:
        out, thought = self.output_tokens(decision, reasoning)
        return {"input_tokens": self.input_tokens,
                "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                "output_tokens": out, "output_tokens_details": {"reasoning_tokens": thought},
                "total_tokens": self.input_tokens + out}
