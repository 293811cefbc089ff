"""Fill a JSON Schema from evidence: tool arguments and structured output.

One property at a time, by what the property is called and what type it has:
enums by best match, numbers in order of appearance, places from the gazetteer, ids by
pattern, names as introduced, free text as the question itself. The result is always valid
against the schema, even when the evidence is thin (then the plainest valid value is used).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import text as tx
from .schema import MAX_DEPTH, MAX_MIN_ITEMS, MAX_MIN_LENGTH, MAX_NUMBER, follow

PLACE_WORDS = {"city", "location", "place", "destination", "origin", "region", "area", "town",
               "country", "address", "城市", "地点", "位置"}
ID_WORDS = {"id", "number", "no", "code", "sku", "order", "ticket", "tracking", "reference", "ref"}
NAME_WORDS = {"name", "person", "customer", "user", "username", "who"}
CURRENCY_WORDS = {"currency", "currencies"}
TEXT_WORDS = {"query", "input", "question", "text", "message", "prompt", "request", "content",
              "reason", "description", "issue", "problem", "summary", "details", "note", "topic",
              "keyword", "keywords", "search", "task", "answer", "response", "explanation"}
DATE_WORDS = {"date", "day", "when"}
EMAIL_WORDS = {"email", "mail"}


@dataclass
class Evidence:
    """What a value can be taken from: the question and, for answers, the tool outputs."""

    question: str
    facts: dict[str, Any] = field(default_factory=dict)  # flattened keys of JSON tool outputs
    extra_text: str = ""  # tool outputs as text
    readable: str = ""  # tool outputs as "key: value" prose, for message-like fields
    sources: list[str] = field(default_factory=list)  # names of the tools that gave the outputs
    _numbers: list[float] | None = None
    _places: list[str] | None = None
    _ids: list[str] | None = None
    _currencies: list[str] | None = None

    @property
    def all_text(self) -> str:
        return f"{self.question}\n{self.extra_text}" if self.extra_text else self.question

    def take(self, kind: str) -> Any:
        """The next unused value of a kind, in order of appearance, or None."""
        pools = {
            "number": lambda: tx.numbers(self.question) + tx.numbers(self.extra_text),
            "place": lambda: tx.places(self.all_text),
            "id": lambda: tx.identifiers(self.all_text),
            "currency": lambda: tx.currencies(self.all_text),
        }
        attr = f"_{kind}s" if kind != "currency" else "_currencies"
        pool = getattr(self, attr)
        if pool is None:
            pool = pools[kind]()
            setattr(self, attr, pool)
        return pool.pop(0) if pool else None


def resolve(schema: dict, root: dict) -> dict:
    """The schema a `$ref` names, merged with the keywords beside it.

    Request schemas are checked for cycles before any rule runs (schema.py); the hop limit keeps
    even an unchecked schema from sending this loop round forever.
    """
    for _ in range(MAX_DEPTH):
        if not isinstance(schema, dict) or "$ref" not in schema:
            break
        target = follow(schema["$ref"], root) or {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    if not isinstance(schema, dict):
        return {}
    return {k: v for k, v in schema.items() if k != "$ref"} if "$ref" in schema else schema


def fill(schema: dict, evidence: Evidence, root: dict | None = None, name: str = "") -> Any:
    root = root if root is not None else schema
    schema = resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return _best_enum(schema["enum"], evidence, name)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        non_null = [o for o in options if resolve(o, root).get("type") != "null"]
        has_null = len(non_null) < len(options)
        if has_null and not _has_evidence(name, evidence):
            return None
        if non_null:
            return fill(non_null[0], evidence, root, name)
        return None
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        if "null" in kind and not _has_evidence(name, evidence):
            return None
        kind = non_null[0] if non_null else "null"
    if kind == "object" or (kind is None and "properties" in schema):
        return _fill_object(schema, evidence, root)
    if kind == "array":
        return _fill_array(schema, evidence, root, name)
    if kind in ("integer", "number"):
        return _fill_number(schema, evidence, name, kind)
    if kind == "boolean":
        return _fill_boolean(evidence, name)
    if kind == "null":
        return None
    if kind == "string" or kind is None:
        return _fill_string(schema, evidence, name)
    return None


def _fill_object(schema: dict, evidence: Evidence, root: dict) -> dict:
    result: dict[str, Any] = {}
    props = schema.get("properties", {})
    required = schema.get("required", list(props))
    for key, sub in props.items():
        if key in required or _has_evidence(key, evidence):
            result[key] = fill(sub, evidence, root, key)
    return result


def _fill_array(schema: dict, evidence: Evidence, root: dict, name: str) -> list:
    items = schema.get("items", {})
    minimum = _count(schema, "minItems", 0, MAX_MIN_ITEMS)
    maximum = _count(schema, "maxItems", max(minimum, 10), None)
    fact = _fact(name, evidence)
    if isinstance(fact, list):
        values = [fill(items, Evidence(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v,
                                       facts=v if isinstance(v, dict) else {}), root, name) for v in fact[:maximum]]
    else:
        item_schema = resolve(items, root)
        words = set(tx.split_identifier(name))
        values = []
        if item_schema.get("type") == "string" and (words & PLACE_WORDS or name.endswith("ies")) \
                and not {"enum", "const", "pattern", "format"} & set(item_schema):
            values = [_fit(place, item_schema) for place in tx.places(evidence.all_text)]
        if not values:
            values = [fill(items, evidence, root, _singular(name))]
    while len(values) < minimum:
        values.append(fill(items, evidence, root, name))
    return values[:maximum]


def _count(schema: dict, key: str, default: int, cap: int | None) -> int:
    """A count keyword (minItems, maxLength, ...) as a usable int: the default if absent or not a count."""
    value = schema.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        value = default
    return min(value, cap) if cap is not None else value


def _bound(schema: dict, key: str) -> float | None:
    """A numeric bound (minimum, maximum, ...), or None if absent or not a finite number."""
    value = schema.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and -MAX_NUMBER <= value <= MAX_NUMBER:
        return value
    return None


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name


def _fill_number(schema: dict, evidence: Evidence, name: str, kind: str) -> float | int:
    fact = _fact(name, evidence)
    value = fact if isinstance(fact, (int, float)) and not isinstance(fact, bool) else None
    if value is None and isinstance(fact, str):
        found = tx.numbers(fact)
        value = found[0] if found else None
    if value is None:
        value = evidence.take("number")
    if value is not None and not -MAX_NUMBER <= value <= MAX_NUMBER:  # NaN, inf, 400 digits: never a JSON number
        value = None
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    if value is None:
        value = next((b for b in (low, above) if b is not None), 0)
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    if above is not None and value <= above:
        value = above + 1
    if below is not None and value >= below:
        value = below - 1
    if kind == "integer":
        return int(round(value))
    return float(value) if not float(value).is_integer() else int(value)


def _fill_boolean(evidence: Evidence, name: str) -> bool:
    fact = _fact(name, evidence)
    if isinstance(fact, bool):
        return fact
    words = set(tx.split_identifier(name)) - {"is", "has", "should", "needs", "need"}
    return bool(words & tx.terms(evidence.question))


def _fill_string(schema: dict, evidence: Evidence, name: str) -> str:
    fact = _fact(name, evidence)
    if fact is not None and not isinstance(fact, (dict, list)):
        return _fit(str(fact), schema)
    words = set(tx.split_identifier(name))
    value: str | None = None
    if words & EMAIL_WORDS:
        found = tx.EMAIL.findall(evidence.all_text)
        value = found[0] if found else None
    elif words & CURRENCY_WORDS:
        value = evidence.take("currency")
    elif words & PLACE_WORDS or words & {"from", "to"}:
        value = evidence.take("place")
    elif words & ID_WORDS and not words & TEXT_WORDS:
        value = evidence.take("id")
    elif words & NAME_WORDS and not words & (PLACE_WORDS | {"product", "item", "tool", "agent", "file"}):
        found = tx.person_names(evidence.all_text)
        value = found[0] if found else None
    elif words & DATE_WORDS:
        found = tx.DATE.findall(evidence.all_text)
        value = found[0] if found else ("今天" if tx.has_cjk(evidence.question) else "today")
    if value is None and words & {"language", "lang"}:
        hits = [w for w in tx.LANGUAGES if w in evidence.question.lower()]
        value = hits[0].capitalize() if hits else None
    if value is None:
        value = _free_text(evidence, words)
    return _fit(value, schema)


QUESTION_WORDS = {"query", "input", "question", "prompt", "request", "keyword", "keywords",
                  "search", "task", "topic", "reason", "issue", "problem"}
ANSWER_WORDS = {"summary", "answer", "response", "explanation", "details", "description", "result", "text",
                "message", "reply"}
SOURCE_WORDS = {"source", "sources", "tool", "origin", "provenance"}


def _free_text(evidence: Evidence, words: set[str]) -> str:
    """Free text: the question for question-like fields, else the tool output.

    From a tool output such as "Shanghai: sunny, 25°C" a short field (a condition, a status)
    takes the first piece that is neither a place nor a number: "sunny".
    """
    if words & {"keyword", "keywords", "term", "terms", "search", "topic"} and not evidence.extra_text:
        # A search box wants the content words, not the whole sentence around them.
        content = [w for w in tx.WORD.findall(evidence.question) if w.lower() not in tx.STOPWORDS]
        if content and not tx.has_cjk(evidence.question):
            return " ".join(content)
    if not evidence.extra_text or words & QUESTION_WORDS:
        return tx.shorten(evidence.question, 200) or "n/a"
    if words & SOURCE_WORDS and evidence.sources:
        return ", ".join(dict.fromkeys(evidence.sources))
    if words & ANSWER_WORDS:
        return tx.shorten(evidence.readable or evidence.extra_text, 200)
    values = [v for v in evidence.facts.values() if isinstance(v, str)] if evidence.facts else []
    for piece in values or re.split(r"[,:;，。；：、\n]+", evidence.extra_text):
        piece = piece.strip(" {}[]'\"")
        if piece and not tx.places(piece) and not tx.numbers(piece) and not re.search(r"\d", piece):
            return piece
    return tx.shorten(evidence.extra_text, 200)


def _fit(value: str, schema: dict) -> str:
    limit = _count(schema, "maxLength", -1, None)
    if limit >= 0:
        value = value[:limit]
    minimum = _count(schema, "minLength", 0, MAX_MIN_LENGTH)
    if len(value) < minimum:
        value = value + "x" * (minimum - len(value))
    return value


def _best_enum(choices: list, evidence: Evidence, name: str) -> Any:
    fact = _fact(name, evidence)
    if fact in choices:
        return fact
    question = evidence.all_text.lower()
    question_terms = tx.expand(tx.terms(evidence.all_text))
    best, best_score = choices[0], 0.0
    for choice in choices:
        label = str(choice)
        score = 0.0
        if label and label.lower() in question:
            score += 2 + len(label) / 100
        score += len(tx.expand(tx.terms(label.replace("_", " "))) & question_terms)
        if score > best_score:
            best, best_score = choice, score
    if best_score == 0:  # nothing in the text points at a choice: prefer a catch-all one if offered
        best = next((c for c in choices if str(c).lower() in CATCH_ALL), best)
    return best


CATCH_ALL = {"other", "others", "unknown", "none", "general", "misc", "unclassified"}


def _has_evidence(name: str, evidence: Evidence) -> bool:
    """Whether an optional value has something to fill it from."""
    if _fact(name, evidence) is not None:
        return True
    words = set(tx.split_identifier(name))
    if words & PLACE_WORDS:
        return bool(tx.places(evidence.all_text))
    if words & ID_WORDS:
        return bool(tx.identifiers(evidence.all_text))
    if words & EMAIL_WORDS:
        return bool(tx.EMAIL.search(evidence.all_text))
    return False


def _fact(name: str, evidence: Evidence) -> Any:
    """A value from the tool outputs whose key matches the property name."""
    if not name or not evidence.facts:
        return None
    if name in evidence.facts:
        return evidence.facts[name]
    wanted = set(tx.split_identifier(name))
    for key, value in evidence.facts.items():
        if wanted and wanted <= set(tx.split_identifier(key.rsplit(".", 1)[-1])):
            return value
    return None


def flatten_facts(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"a": {...}, "a.b": 1, "b": 1}: every key reachable by its own name."""
    facts: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else key
            facts.setdefault(key, sub)
            facts[path] = sub
            for inner_key, inner in flatten_facts(sub, path).items():
                facts.setdefault(inner_key, inner)
    return facts
