"""Reasoning summaries that read as reasoning: what is asked, what fits and why, with what.

A reasoning model's summary says "The user wants the weather in Paris; get_weather fits, its
description mentions weather and cities; I'll call it with city Paris." It never shows a
scorer's numbers or rule names. The policy decides; this module only puts the decision in
words, in the language of the question.
"""

from __future__ import annotations

import json
from typing import Any

from .kinds import HANDOFF_PREFIX


def summarise(lang: str, asked: str, chosen: list[tuple[str, list[str]]], arguments: dict | None = None,
              kind: str = "tool") -> str:
    """A short paragraph of reasoning.

    `chosen`: (tool, agent or field name, the words that made it fit), best first.
    `arguments`: {argument: value} for one call, or {tool name: {argument: value} or a list of
    such dicts} when several tools or several calls are made; for kind "schema", the filled
    fields. `kind`: "tool", "handoff", "answer", "schema" or "web_search".
    """
    zh = lang == "zh"
    question = _short(asked)
    stop = "" if question[-1:] in "?!.？！。" else ("。" if zh else ".")
    opening = f"用户问：「{question}」{stop}" if zh else f"The user asks: “{question}”{stop}"
    body = {"tool": _tool, "handoff": _handoff, "answer": _answer, "schema": _schema,
            "web_search": _web_search}[kind](zh, asked, chosen, arguments)
    return f"{opening}{body}" if zh else f"{opening} {body}"


def _tool(zh: bool, asked: str, chosen: list, arguments: dict | None) -> str:
    if not chosen:
        return "没有哪个工具适合这个问题，所以我直接回答。" if zh else "No tool fits this question, so I'll answer directly."
    parts = []
    for i, (name, why) in enumerate(chosen):
        also = ("也" if zh else "also ") if i else ""
        parts.append(f"{name} {also}合适：{_because(zh, why)}。" if zh else f"{name} {also}fits: {_because(zh, why)}.")
    if _passes_on(asked, arguments):
        calls = "我把问题原样交给它。" if zh else "I'll pass the question on as it is."
    else:
        calls = _calls(zh, [name for name, _ in chosen], arguments)
    return ("" if zh else " ").join(parts + ([calls] if calls else []))


MESSAGE_ARGUMENTS = {"input", "query", "question", "message", "text", "prompt", "request"}


def _passes_on(asked: str, arguments: dict | None) -> bool:
    """One call whose only argument is the question itself (an agent used as a tool): no argument to explain."""
    if not arguments or len(arguments) != 1:
        return False
    (key, value), = arguments.items()
    return key in MESSAGE_ARGUMENTS and isinstance(value, str) and " ".join(value.split()) == " ".join(asked.split())


def _handoff(zh: bool, asked: str, chosen: list, arguments: dict | None) -> str:
    if not chosen:
        return "没有哪位专员更合适，所以我自己回答。" if zh else "No specialist fits better, so I'll answer myself."
    name, why = chosen[0]
    agent = agent_name(name)
    if zh:
        return f"这件事该交给 {agent}：{_because(zh, why)}。我把对话转给它。"
    return f"This is a job for the {agent}: {_because(zh, why)}. I'll hand the conversation over."


def _answer(zh: bool, asked: str, chosen: list, arguments: dict | None) -> str:
    if not chosen:
        return "这个问题不需要工具，我直接回答。" if zh else "No tool is needed for this, so I'll answer directly."
    names = _join(zh, [name for name, _ in chosen])
    return f"{names} 的结果已经返回，我根据结果作答。" if zh else f"The results from {names} are in, so I'll answer from them."


def _schema(zh: bool, asked: str, chosen: list, arguments: dict | None) -> str:
    opening = "回答必须符合规定的结构，我根据问题逐项填写" if zh else "The reply must follow the required structure, so I fill it in from the question"
    filled = _arguments(zh, arguments or {})
    values = arguments or {}
    reasons = [f"{name} 取 {_value(values.get(name, ''))}，因为说明把“{_join(zh, why)}”和这个值联系在一起" if zh
               else f"I set {name} to {_value(values.get(name, ''))} because the instructions tie "
                    f"“{_join(zh, why)}” to that value"
               for name, why in chosen if why]
    text = f"{opening}：{filled}。" if zh and filled else f"{opening}: {filled}." if filled else f"{opening}{'。' if zh else '.'}"
    if reasons:
        text += ("；".join(reasons) + "。") if zh else " " + "; ".join(reasons) + "."
    return text


def _web_search(zh: bool, asked: str, chosen: list, arguments: dict | None) -> str:
    if zh:
        return f"这需要网上的最新信息，所以我搜索「{_short(asked, 60)}」。"
    return f"This needs current information from the web, so I'll search for “{_short(asked, 60)}”."


def agent_name(tool_name: str) -> str:
    """transfer_to_refund_agent → "Refund agent"."""
    name = tool_name.removeprefix(HANDOFF_PREFIX).replace("_", " ").strip()
    return name[:1].upper() + name[1:]


def _because(zh: bool, why: list[str]) -> str:
    if not why:
        return "它最符合这个问题" if zh else "it is the closest match"
    if zh:  # English words from an English description are quoted, so the two scripts stay apart
        return f"它的描述提到{_join(zh, [w if _is_chinese(w) else f'“{w}”' for w in why])}"
    return f"its description mentions {_join(zh, why, quote=False)}"


def _is_chinese(word: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in word)


def _calls(zh: bool, names: list[str], arguments: dict | None) -> str:
    if not arguments:
        return ""
    per_tool = all(name in arguments for name in names) and all(
        isinstance(arguments[n], (dict, list)) for n in names)
    if not per_tool:
        filled = _arguments(zh, arguments)
        return f"调用参数：{filled}。" if zh else f"I'll call it with {filled}."
    pieces = []
    for name in names:
        for args in arguments[name] if isinstance(arguments[name], list) else [arguments[name]]:
            filled = _arguments(zh, args)
            pieces.append(f"{name}（{filled}）" if zh else f"{name} with {filled}" if filled else name)
    return f"我将调用 {'；'.join(pieces)}。" if zh else f"I'll call {'; '.join(pieces)}."


def _arguments(zh: bool, arguments: dict) -> str:
    items = [f"{key} 为 {_value(value)}" if zh else f"{key} {_value(value)}" for key, value in arguments.items()]
    return ("，" if zh else ", ").join(items) if zh else _join(False, items, quote=False)


def _value(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value}”"
    return json.dumps(value, ensure_ascii=False)


def _join(zh: bool, words: list[str], quote: bool = False) -> str:
    words = [f"“{w}”" if quote else w for w in words]
    if len(words) <= 1:
        return "".join(words)
    if zh:
        return "、".join(words[:-1]) + "和" + words[-1]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
