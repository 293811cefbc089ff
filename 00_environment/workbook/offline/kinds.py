"""Argument kinds: what a property's name asks for, and where its value comes from.

One row per kind. `filling.py` reads the table to fill a property ("city" takes a place from
the question); `policy.py` reads the same rows to score a tool (a required property the question
can fill makes the tool fit better) and to fan out (two places named, two calls). Adding a kind
is adding a row here; neither of those files changes.

A property matches the first row whose words meet the words of its name and none of the row's
`unless` words: `order_id` is an id, `order_reason` is free text (see `spans.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import spans
from . import text as tx

HANDOFF_PREFIX = "transfer_to_"  # the SDK names each handoff tool transfer_to_<agent>


def is_handoff(tool_name: str) -> bool:
    return tool_name.startswith(HANDOFF_PREFIX)


@dataclass(frozen=True)
class Kind:
    name: str
    words: frozenset[str]  # words of a property name that ask for this kind
    extract: Callable[[str], list[str]]  # the values of this kind in a text, in order of appearance
    evidence: bool = False  # a value in the question is evidence: it fills an optional property and a tool
    #                         requiring this kind fits the question better
    fans_out: bool = False  # a question naming several values gets one call per value
    unless: frozenset[str] = frozenset()  # name words that make the property something else
    default: Callable[[str], str] | None = None  # a value when the text has none (None: fall through)


TEXT_WORDS = frozenset({"query", "input", "question", "text", "message", "prompt", "request", "content", "reason",
                        "description", "issue", "problem", "summary", "details", "note", "topic", "keyword",
                        "keywords", "search", "task", "answer", "response", "explanation"})
PLACE_WORDS = frozenset({"city", "location", "place", "destination", "origin", "region", "area", "town", "country",
                         "address", "城市", "地点", "位置"})


def _name(text: str) -> list[str]:
    found = spans.name_span(text)
    return [found] if found else tx.person_names(text)


def _languages(text: str) -> list[str]:
    lowered = text.lower()
    return [word.capitalize() for word in sorted(tx.LANGUAGES, key=lowered.find) if word in lowered]


def _today(question: str) -> str:
    return "今天" if tx.has_cjk(question) else "today"


EMAIL = Kind("email", frozenset({"email", "mail"}), tx.EMAIL.findall, evidence=True)
CURRENCY = Kind("currency", frozenset({"currency", "currencies"}), tx.currencies, evidence=True)
PLACE = Kind("place", PLACE_WORDS | {"from", "to"}, tx.places, evidence=True, fans_out=True)
IDENTIFIER = Kind("id", frozenset({"id", "number", "no", "code", "sku", "order", "ticket", "tracking", "reference",
                                   "ref"}), tx.identifiers, evidence=True, fans_out=True, unless=TEXT_WORDS)
PERSON = Kind("name", frozenset({"name", "person", "customer", "user", "username", "who", "guest", "passenger",
                                 "member"}), _name,
              unless=PLACE_WORDS | {"product", "item", "tool", "agent", "file", "book", "hotel", "company", "title"})
DATE = Kind("date", frozenset({"date", "day", "when"}), lambda text: re.findall(tx.DATE, text), default=_today)
LANGUAGE = Kind("language", frozenset({"language", "lang"}), _languages)

# In the order they are tried: "from_currency" is a currency before "from" can make it a place.
KINDS = (EMAIL, CURRENCY, PLACE, IDENTIFIER, PERSON, DATE, LANGUAGE)


def kind_of(property_name: str) -> Kind | None:
    """The kind a property's name asks for, or None for a number, an enum or free text."""
    words = set(tx.split_identifier(property_name))
    for kind in KINDS:
        if words & kind.words and not words & kind.unless:
            return kind
    return None
